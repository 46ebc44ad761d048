DROP TRIGGER public_changes_notify ON public_changes;
DROP FUNCTION longform_notify_public_change();
DROP TABLE public_changes;

CREATE FUNCTION longform_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('longform_changes', TG_TABLE_NAME);
    RETURN NULL;
END
$$;

CREATE TRIGGER posts_notify_change AFTER INSERT OR UPDATE OR DELETE ON posts
    FOR EACH STATEMENT EXECUTE FUNCTION longform_notify_change();
CREATE TRIGGER tags_notify_change AFTER INSERT OR UPDATE OR DELETE ON tags
    FOR EACH STATEMENT EXECUTE FUNCTION longform_notify_change();
CREATE TRIGGER categories_notify_change AFTER INSERT OR UPDATE OR DELETE ON categories
    FOR EACH STATEMENT EXECUTE FUNCTION longform_notify_change();
CREATE TRIGGER authors_notify_change AFTER INSERT OR UPDATE OR DELETE ON authors
    FOR EACH STATEMENT EXECUTE FUNCTION longform_notify_change();
CREATE TRIGGER post_tags_notify_change AFTER INSERT OR UPDATE OR DELETE ON post_tags
    FOR EACH STATEMENT EXECUTE FUNCTION longform_notify_change();
CREATE TRIGGER post_authors_notify_change AFTER INSERT OR UPDATE OR DELETE ON post_authors
    FOR EACH STATEMENT EXECUTE FUNCTION longform_notify_change();
CREATE TRIGGER post_listings_notify_change AFTER INSERT OR UPDATE OR DELETE ON post_listings
    FOR EACH STATEMENT EXECUTE FUNCTION longform_notify_change();
