-- When a revision last took a save folded into it (a writer's saves within
-- ten minutes of their latest revision go into that revision); null when
-- it took none since it was made.
ALTER TABLE revisions ADD COLUMN updated_at TIMESTAMP;
