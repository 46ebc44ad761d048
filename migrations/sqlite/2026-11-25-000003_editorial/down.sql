DROP TABLE settings;
DROP TABLE idempotency_keys;
DROP TABLE revisions;
DROP TABLE api_tokens;
DROP TABLE refresh_tokens;
DROP TABLE sessions;
DROP INDEX posts_owner_idx;
ALTER TABLE posts DROP COLUMN deleted_at;
ALTER TABLE posts DROP COLUMN owner_id;
