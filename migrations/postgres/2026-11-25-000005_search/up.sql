-- Full-text search over published posts: one weighted tsvector per post
-- (title A, tags B, summary C, body D) under a GIN index, and the body's
-- plain text for ts_headline snippets. The application keeps it in step
-- with every write, in the same transaction, and fills it for the posts
-- already published when this migration runs.
CREATE TABLE search_documents (
    post_id TEXT PRIMARY KEY NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    body TEXT NOT NULL,
    document tsvector NOT NULL
);

CREATE INDEX search_documents_document ON search_documents USING GIN (document);
