-- Most writes change nothing a reader sees: an editor's autosaves of a
-- draft, sign-ins, webhook deliveries. A write that may change a public
-- read adds one to this single row in its own transaction; every server on
-- the database polls the row and drops its cached reads when it moves
-- (until now any commit at all did, as `PRAGMA data_version` moved).
CREATE TABLE public_changes (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    generation BIGINT NOT NULL
);
INSERT INTO public_changes (id, generation) VALUES (1, 0);
