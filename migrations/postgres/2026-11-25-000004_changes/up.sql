-- The change feed: one row per change to a post, in commit order, kept in
-- the same transaction as the change. Deletions stay as tombstones.
-- Writers take a transaction-level advisory lock before numbering a
-- change, so sequence order is commit order (see persistence/changes.rs).
CREATE TABLE changes (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    post_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    slug TEXT NOT NULL,
    status TEXT NOT NULL,
    at TIMESTAMP NOT NULL
);
