ALTER TABLE authors DROP COLUMN version;
ALTER TABLE authors DROP COLUMN public;
ALTER TABLE categories DROP COLUMN version;
ALTER TABLE categories DROP COLUMN public;
ALTER TABLE tags DROP COLUMN version;
ALTER TABLE tags DROP COLUMN public;
