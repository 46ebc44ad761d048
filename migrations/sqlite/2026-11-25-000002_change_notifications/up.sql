-- PostgreSQL announces writes with triggers and NOTIFY. SQLite needs no
-- schema for it: other processes' commits show in `PRAGMA data_version`,
-- which the server polls. This migration exists to keep both sets in step.
SELECT 1;
