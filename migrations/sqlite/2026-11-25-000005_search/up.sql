-- Full-text search over published posts. FTS5 rows are keyed by an integer
-- rowid, which a TEXT post id is not: `search_documents` maps one to the
-- other (and goes with its post), for both FTS5 tables. Porter stemming over unicode61 tokens,
-- the closest match to PostgreSQL's 'english' configuration. The
-- application keeps both in step with every write, in the same transaction,
-- and fills them for the posts already published when this migration runs.
CREATE TABLE search_documents (
    id INTEGER PRIMARY KEY NOT NULL,
    post_id TEXT NOT NULL UNIQUE REFERENCES posts(id) ON DELETE CASCADE
);

CREATE VIRTUAL TABLE search_index USING fts5(
    title, summary, body, tags,
    tokenize = 'porter unicode61 remove_diacritics 2'
);

-- Titles again, on their own: bm25 over the whole document saturates, so a
-- title that matches barely outranks a body that repeats the word. A match
-- here adds a bonus that puts such posts first, as PostgreSQL's weight A
-- does.
CREATE VIRTUAL TABLE search_titles USING fts5(
    title,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
