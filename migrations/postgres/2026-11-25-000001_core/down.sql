DROP TABLE post_listings;
DROP TABLE post_authors;
DROP TABLE post_tags;
DROP TABLE posts;
DROP TABLE tags;
DROP TABLE categories;
DROP TABLE authors;
DROP TABLE users;
