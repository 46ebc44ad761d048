-- Media: uploaded images and files. Their bytes live in the media store
-- (a directory, or an S3 bucket) under keys made from their sha256, so
-- identical uploads share one blob; each upload is a media item of its
-- own, with its own alt text, caption and owner. A media item's id is
-- random: its public URL is its only secret.
CREATE TABLE media_blobs (
    sha256 TEXT PRIMARY KEY NOT NULL,
    content_type TEXT NOT NULL,
    bytes BIGINT NOT NULL,
    width INTEGER,
    height INTEGER,
    has_location BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- The smaller sizes of a raster blob, made once at its first upload.
CREATE TABLE media_renditions (
    sha256 TEXT NOT NULL REFERENCES media_blobs(sha256) ON DELETE CASCADE,
    width INTEGER NOT NULL,
    format TEXT NOT NULL,
    height INTEGER NOT NULL,
    bytes BIGINT NOT NULL,
    PRIMARY KEY (sha256, width, format)
);

CREATE TABLE media (
    id TEXT PRIMARY KEY NOT NULL,
    sha256 TEXT NOT NULL REFERENCES media_blobs(sha256),
    filename TEXT NOT NULL,
    alt TEXT,
    caption TEXT,
    uploaded_by TEXT REFERENCES users(id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL
);
-- Keyset pages, newest first: everyone's, and one uploader's.
CREATE INDEX media_newest ON media (created_at, id);
CREATE INDEX media_of_uploader ON media (uploaded_by, created_at, id);
CREATE INDEX media_of_blob ON media (sha256);

-- Which posts use which media items (in their Markdown or as their
-- feature image), kept with each write of the post.
CREATE TABLE post_media (
    post_id TEXT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    media_id TEXT NOT NULL,
    PRIMARY KEY (post_id, media_id)
);
CREATE INDEX post_media_of_media ON post_media (media_id);
