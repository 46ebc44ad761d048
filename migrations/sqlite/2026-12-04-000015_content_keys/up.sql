-- Content keys: integration tokens that read published content through
-- Ghost's Content API (/ghost/api/content/), and nothing else. SQLite
-- cannot change a CHECK in place: the table is rebuilt (nothing refers to it).
CREATE TABLE api_tokens_new (
    id TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL CONSTRAINT api_tokens_token_hash_key UNIQUE,
    scope TEXT NOT NULL CONSTRAINT api_tokens_scope_check CHECK (scope IN ('read_drafts', 'write_content', 'content')),
    created_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at TIMESTAMP,
    version BIGINT NOT NULL DEFAULT 1
);
INSERT INTO api_tokens_new (id, name, token_hash, scope, created_by, created_at, last_used_at, revoked_at, version)
SELECT id, name, token_hash, scope, created_by, created_at, last_used_at, revoked_at, version FROM api_tokens;
DROP TABLE api_tokens;
ALTER TABLE api_tokens_new RENAME TO api_tokens;
