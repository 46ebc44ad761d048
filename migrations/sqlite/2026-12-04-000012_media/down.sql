DROP TABLE post_media;
DROP TABLE media;
DROP TABLE media_renditions;
DROP TABLE media_blobs;
