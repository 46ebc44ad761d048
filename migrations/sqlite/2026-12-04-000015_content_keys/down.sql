CREATE TABLE api_tokens_old (
    id TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL CONSTRAINT api_tokens_token_hash_key UNIQUE,
    scope TEXT NOT NULL CONSTRAINT api_tokens_scope_check CHECK (scope IN ('read_drafts', 'write_content')),
    created_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at TIMESTAMP,
    version BIGINT NOT NULL DEFAULT 1
);
INSERT INTO api_tokens_old (id, name, token_hash, scope, created_by, created_at, last_used_at, revoked_at, version)
SELECT id, name, token_hash, scope, created_by, created_at, last_used_at, revoked_at, version FROM api_tokens
WHERE scope <> 'content';
DROP TABLE api_tokens;
ALTER TABLE api_tokens_old RENAME TO api_tokens;
