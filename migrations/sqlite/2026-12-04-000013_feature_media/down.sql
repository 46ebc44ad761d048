ALTER TABLE posts DROP COLUMN feature_image_media;
