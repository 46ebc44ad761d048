//! The lossless JSON backup's records: one per row that matters (posts
//! with their Markdown and revisions, tags, categories, authors, users
//! without secrets, settings) and nothing that can be derived (rendered
//! HTML, listings) or that must not travel (password hashes, sessions,
//! tokens). Ids stay text here: the document is a format of its own.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::schema::{
    authors, categories, media, media_blobs, media_renditions, post_authors, post_tags, posts, revisions, settings,
    tags, users,
};

pub const FORMAT: &str = "longform-export";
pub const VERSION: u32 = 1;
/// Settings that are secrets: never exported.
pub(crate) const SECRET_SETTINGS: &[&str] = &["jwt_secret"];
/// What a restored account's password hash is: no password matches it, so
/// restored users set a new one (`longform user set-password`).
pub const NO_PASSWORD: &str = "!";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct UserRecord {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: String,
    pub disabled: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = authors, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct AuthorRecord {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub bio: Option<String>,
    pub avatar_url: Option<String>,
    pub website: Option<String>,
    pub links: String,
    pub user_id: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Public before it has a published post (absent in older exports).
    #[serde(default)]
    pub public: bool,
}

macro_rules! term_record {
    ($name:ident, $table:ident) => {
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Queryable, Selectable, Insertable)]
        #[diesel(table_name = $table, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
        pub struct $name {
            pub id: String,
            pub slug: String,
            pub name: String,
            pub description: Option<String>,
            pub created_at: NaiveDateTime,
            pub updated_at: NaiveDateTime,
            /// Public before it has a published post (absent in older exports).
            #[serde(default)]
            pub public: bool,
        }
    };
}
term_record!(TagRecord, tags);
term_record!(CategoryRecord, categories);

/// A post's stored facts; its HTML, table of contents, word count and
/// reading time are rendered again from the Markdown on restore.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = posts, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct PostRecord {
    pub id: String,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub custom_summary: bool,
    pub markdown: String,
    pub feature_image_url: Option<String>,
    pub feature_image_alt: Option<String>,
    pub status: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub published_at: Option<NaiveDateTime>,
    pub category_id: Option<String>,
    pub featured: bool,
    pub canonical_url: Option<String>,
    pub meta_title: Option<String>,
    pub meta_description: Option<String>,
    pub version: i64,
    pub owner_id: Option<String>,
    pub deleted_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = post_tags, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct PostTagRecord {
    pub post_id: String,
    pub tag_id: String,
    pub position: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = post_authors, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct PostAuthorRecord {
    pub post_id: String,
    pub author_id: String,
    pub position: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = revisions, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct RevisionRecord {
    pub id: String,
    pub post_id: String,
    pub number: i32,
    pub user_id: Option<String>,
    pub created_at: NaiveDateTime,
    pub title: String,
    pub markdown: String,
    pub metadata: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = settings, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct SettingRecord {
    pub key: String,
    pub value: String,
    pub updated_at: NaiveDateTime,
}

/// Stored bytes, by their sha256. The bytes themselves travel beside the
/// document (`longform export` writes them to `OUT.media/`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = media_blobs, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct MediaBlobRecord {
    pub sha256: String,
    pub content_type: String,
    pub bytes: i64,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub has_location: bool,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = media_renditions, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct MediaRenditionRecord {
    pub sha256: String,
    pub width: i32,
    pub format: String,
    pub height: i32,
    pub bytes: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = media, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct MediaRecord {
    pub id: String,
    pub sha256: String,
    pub filename: String,
    pub alt: Option<String>,
    pub caption: Option<String>,
    pub uploaded_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i64,
}

/// The whole document, every list in primary-key order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Export {
    pub format: String,
    pub version: u32,
    pub users: Vec<UserRecord>,
    pub authors: Vec<AuthorRecord>,
    pub categories: Vec<CategoryRecord>,
    pub tags: Vec<TagRecord>,
    pub posts: Vec<PostRecord>,
    pub post_tags: Vec<PostTagRecord>,
    pub post_authors: Vec<PostAuthorRecord>,
    pub revisions: Vec<RevisionRecord>,
    pub settings: Vec<SettingRecord>,
    /// Uploads (absent in exports made before media).
    #[serde(default)]
    pub media_blobs: Vec<MediaBlobRecord>,
    #[serde(default)]
    pub media_renditions: Vec<MediaRenditionRecord>,
    #[serde(default)]
    pub media: Vec<MediaRecord>,
}
