//! The whole document of a lossless backup, every list in primary-key order.

use diesel::prelude::*;

use crate::db::AnyConnection;
use crate::error::StoreError;
use crate::rows::export::*;
use crate::schema::{
    authors, categories, media, media_blobs, media_renditions, post_authors, post_tags, posts, revisions, settings,
    tags, users,
};

pub(crate) fn export(conn: &mut AnyConnection) -> Result<Export, StoreError> {
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
        media_blobs: media_blobs::table.order(media_blobs::sha256).select(MediaBlobRecord::as_select()).load(conn)?,
        media_renditions: media_renditions::table
            .order((media_renditions::sha256, media_renditions::width, media_renditions::format))
            .select(MediaRenditionRecord::as_select())
            .load(conn)?,
        media: media::table.order(media::id).select(MediaRecord::as_select()).load(conn)?,
    })
}

pub(crate) fn is_empty(conn: &mut AnyConnection) -> Result<bool, StoreError> {
    let posts: i64 = posts::table.count().get_result(conn)?;
    let users: i64 = users::table.count().get_result(conn)?;
    let tags: i64 = tags::table.count().get_result(conn)?;
    let authors: i64 = authors::table.count().get_result(conn)?;
    let blobs: i64 = media_blobs::table.count().get_result(conn)?;
    Ok(posts + users + tags + authors + blobs == 0)
}
