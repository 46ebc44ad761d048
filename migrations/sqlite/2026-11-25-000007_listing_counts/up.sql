-- How many published posts each listing holds (the whole blog, featured
-- posts, each tag, category and author), kept in step with post_listings in
-- the same transaction: an index's total costs one row, not a count of the
-- whole listing.
CREATE TABLE listing_counts (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    posts BIGINT NOT NULL,
    CONSTRAINT listing_counts_pkey PRIMARY KEY (kind, key)
);

INSERT INTO listing_counts (kind, key, posts)
SELECT kind, key, count(*) FROM post_listings GROUP BY kind, key;
