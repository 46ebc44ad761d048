//! The lossless JSON backup: one versioned document with every row that
//! matters (posts with their Markdown and revisions, tags, categories,
//! authors, users without secrets, settings) and nothing that can be
//! derived (rendered HTML, listings) or that must not travel (password
//! hashes, sessions, tokens). Restoring it into an empty database of either
//! backend and exporting again gives the same document: this is also how a
//! site moves from SQLite to PostgreSQL.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use longform_domain::{PostContent, PostId, Summary};
use serde::{Deserialize, Serialize};

use crate::db::AnyConnection;
use crate::error::StoreError;
use crate::listing::refresh_listings;
use crate::rows::parse_id;
use crate::schema::{authors, categories, post_authors, post_tags, posts, revisions, settings, tags, users};
use crate::store::Store;

pub const FORMAT: &str = "longform-export";
pub const VERSION: u32 = 1;
/// Settings that are secrets: never exported.
const SECRET_SETTINGS: &[&str] = &["jwt_secret"];
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
        }
    };
}
term_record!(TagRecord, tags);
term_record!(CategoryRecord, categories);

/// A post's stored facts; its HTML, table of contents, word count and
/// reading time are rendered again from the Markdown on restore.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Queryable, Selectable)]
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
}

pub fn export(conn: &mut AnyConnection) -> Result<Export, StoreError> {
    Ok(Export {
        format: FORMAT.into(),
        version: VERSION,
        users: users::table.order(users::id).select(UserRecord::as_select()).load(conn)?,
        authors: authors::table.order(authors::id).select(AuthorRecord::as_select()).load(conn)?,
        categories: categories::table.order(categories::id).select(CategoryRecord::as_select()).load(conn)?,
        tags: tags::table.order(tags::id).select(TagRecord::as_select()).load(conn)?,
        posts: posts::table.order(posts::id).select(PostRecord::as_select()).load(conn)?,
        post_tags: post_tags::table
            .order((post_tags::post_id, post_tags::tag_id))
            .select(PostTagRecord::as_select())
            .load(conn)?,
        post_authors: post_authors::table
            .order((post_authors::post_id, post_authors::author_id))
            .select(PostAuthorRecord::as_select())
            .load(conn)?,
        revisions: revisions::table.order(revisions::id).select(RevisionRecord::as_select()).load(conn)?,
        settings: settings::table
            .filter(settings::key.ne_all(SECRET_SETTINGS))
            .order(settings::key)
            .select(SettingRecord::as_select())
            .load(conn)?,
    })
}

fn is_empty(conn: &mut AnyConnection) -> Result<bool, StoreError> {
    let posts: i64 = posts::table.count().get_result(conn)?;
    let users: i64 = users::table.count().get_result(conn)?;
    let tags: i64 = tags::table.count().get_result(conn)?;
    let authors: i64 = authors::table.count().get_result(conn)?;
    Ok(posts + users + tags + authors == 0)
}

fn insert_post(conn: &mut AnyConnection, post: &PostRecord) -> Result<(), StoreError> {
    let summary = post
        .custom_summary
        .then(|| Summary::parse(&post.summary))
        .transpose()
        .map_err(|e| StoreError::Domain(e.into()))?;
    let content = PostContent::render(&post.markdown, summary.as_ref());
    let toc = serde_json::to_string(&content.toc).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    diesel::insert_into(posts::table)
        .values((
            posts::id.eq(&post.id),
            posts::slug.eq(&post.slug),
            posts::title.eq(&post.title),
            posts::summary.eq(&post.summary),
            posts::custom_summary.eq(post.custom_summary),
            posts::markdown.eq(&post.markdown),
            posts::html.eq(&content.html),
            posts::toc.eq(toc),
            posts::word_count.eq(i32::try_from(content.word_count).unwrap_or(i32::MAX)),
            posts::reading_time_minutes.eq(i32::try_from(content.reading_time_minutes).unwrap_or(i32::MAX)),
            posts::feature_image_url.eq(&post.feature_image_url),
            posts::feature_image_alt.eq(&post.feature_image_alt),
            posts::status.eq(&post.status),
            posts::created_at.eq(post.created_at),
            posts::updated_at.eq(post.updated_at),
            posts::published_at.eq(post.published_at),
            posts::category_id.eq(&post.category_id),
            posts::featured.eq(post.featured),
            posts::canonical_url.eq(&post.canonical_url),
            posts::meta_title.eq(&post.meta_title),
            posts::meta_description.eq(&post.meta_description),
            posts::version.eq(post.version),
            posts::owner_id.eq(&post.owner_id),
            posts::deleted_at.eq(post.deleted_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Restore `doc` into an empty database, in one transaction.
pub fn restore(conn: &mut AnyConnection, doc: &Export) -> Result<usize, StoreError> {
    if doc.format != FORMAT || doc.version != VERSION {
        return Err(StoreError::Unsupported(format!(
            "not a {FORMAT} version {VERSION} document (format {:?}, version {})",
            doc.format, doc.version
        )));
    }
    if !is_empty(conn)? {
        return Err(StoreError::Unsupported("restore into an empty database: this one already has content".into()));
    }
    for user in &doc.users {
        diesel::insert_into(users::table).values((user, users::password_hash.eq(NO_PASSWORD))).execute(conn)?;
    }
    for row in &doc.authors {
        diesel::insert_into(authors::table).values(row).execute(conn)?;
    }
    for row in &doc.categories {
        diesel::insert_into(categories::table).values(row).execute(conn)?;
    }
    for row in &doc.tags {
        diesel::insert_into(tags::table).values(row).execute(conn)?;
    }
    for post in &doc.posts {
        insert_post(conn, post)?;
    }
    for row in &doc.post_tags {
        diesel::insert_into(post_tags::table).values(row).execute(conn)?;
    }
    for row in &doc.post_authors {
        diesel::insert_into(post_authors::table).values(row).execute(conn)?;
    }
    for row in &doc.revisions {
        diesel::insert_into(revisions::table).values(row).execute(conn)?;
    }
    for row in &doc.settings {
        diesel::insert_into(settings::table).values(row).execute(conn)?;
    }
    for post in &doc.posts {
        refresh_listings(conn, parse_id::<PostId>(&post.id)?)?;
    }
    Ok(doc.posts.len())
}

impl Store {
    pub async fn export(&self) -> Result<Export, StoreError> {
        self.read(export).await
    }

    /// Restore a document into this (empty) database; returns the posts restored.
    pub async fn restore(&self, doc: Export) -> Result<usize, StoreError> {
        self.write(move |c| restore(c, &doc)).await
    }
}
