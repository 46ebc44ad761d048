-- The change feed: one row per change to a post, in commit order, kept in
-- the same transaction as the change. Deletions stay as tombstones.
CREATE TABLE changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    post_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    slug TEXT NOT NULL,
    status TEXT NOT NULL,
    at TIMESTAMP NOT NULL
);
