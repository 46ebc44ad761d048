-- Editing: who owns a post, the trash, sign-in sessions with rotating
-- refresh tokens, integration tokens, revisions, idempotent creates and
-- site settings. Secrets (refresh tokens, API tokens) are stored only as
-- SHA-256 hashes.

ALTER TABLE posts ADD COLUMN owner_id TEXT REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE posts ADD COLUMN deleted_at TIMESTAMP;
CREATE INDEX posts_owner_idx ON posts (owner_id);

-- One sign-in: the family of refresh tokens rotated from one login.
CREATE TABLE sessions (
    id TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE refresh_tokens (
    token_hash TEXT NOT NULL PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id);

CREATE TABLE api_tokens (
    id TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL CONSTRAINT api_tokens_token_hash_key UNIQUE,
    scope TEXT NOT NULL CONSTRAINT api_tokens_scope_check CHECK (scope IN ('read_drafts', 'write_content')),
    created_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at TIMESTAMP
);

CREATE TABLE revisions (
    id TEXT NOT NULL PRIMARY KEY,
    post_id TEXT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    user_id TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    title TEXT NOT NULL,
    markdown TEXT NOT NULL,
    metadata TEXT NOT NULL,
    CONSTRAINT revisions_post_number_key UNIQUE (post_id, number)
);

CREATE TABLE idempotency_keys (
    owner TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    CONSTRAINT idempotency_keys_pkey PRIMARY KEY (owner, key)
);

CREATE TABLE settings (
    key TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
