ALTER TABLE revisions DROP COLUMN updated_at;
