-- Most writes change nothing a reader sees: an editor's autosaves of a
-- draft, sign-ins, webhook deliveries. A write that may change a public
-- read adds one to this single row in its own transaction, and the row
-- announces itself on `longform_changes`, carrying the new generation;
-- every server on the database drops its cached reads when it hears it.
-- Until now every write to the content tables announced itself.
CREATE TABLE public_changes (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    generation BIGINT NOT NULL
);
INSERT INTO public_changes (id, generation) VALUES (1, 0);

DROP TRIGGER posts_notify_change ON posts;
DROP TRIGGER tags_notify_change ON tags;
DROP TRIGGER categories_notify_change ON categories;
DROP TRIGGER authors_notify_change ON authors;
DROP TRIGGER post_tags_notify_change ON post_tags;
DROP TRIGGER post_authors_notify_change ON post_authors;
DROP TRIGGER post_listings_notify_change ON post_listings;
DROP FUNCTION longform_notify_change();

CREATE FUNCTION longform_notify_public_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('longform_changes', NEW.generation::text);
    RETURN NULL;
END
$$;

CREATE TRIGGER public_changes_notify AFTER UPDATE ON public_changes
    FOR EACH ROW EXECUTE FUNCTION longform_notify_public_change();
