-- A tag, category or author profile is public once it has a published
-- post, or when an editor sets `public` on purpose: one created with a
-- draft must not tell the world what the draft is about. `version` is
-- each one's ETag, for If-Match on its writes.
ALTER TABLE tags ADD COLUMN public BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE tags ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE categories ADD COLUMN public BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE categories ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE authors ADD COLUMN public BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE authors ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
