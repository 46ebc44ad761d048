-- What a feature image that is an uploaded media item measures (JSON:
-- id, width, height, type, bytes, WebP widths), as of the post's last save.
ALTER TABLE posts ADD COLUMN feature_image_media TEXT;
