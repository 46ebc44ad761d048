-- Each account's version, its ETag: an admin's change names the version
-- it was made against (If-Match), and every change (name, role, disabled,
-- password) moves it on.
ALTER TABLE users ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
