DROP TRIGGER post_listings_notify_change ON post_listings;
DROP TRIGGER post_authors_notify_change ON post_authors;
DROP TRIGGER post_tags_notify_change ON post_tags;
DROP TRIGGER authors_notify_change ON authors;
DROP TRIGGER categories_notify_change ON categories;
DROP TRIGGER tags_notify_change ON tags;
DROP TRIGGER posts_notify_change ON posts;
DROP FUNCTION longform_notify_change();
