//! Restoring a lossless JSON backup into an empty database, in one
//! transaction. A restore is not a change to the site: it writes no change
//! feed, revision or webhook event; the derived indexes (listings,
//! search) are rebuilt from the restored posts, and rendered HTML from
//! their Markdown.

use diesel::prelude::*;
use longform_domain::media::{self, Catalog};
use longform_domain::{FeatureImage, PostContent, Summary, WebUrl};

use crate::commands::posts::link_media;
use crate::db::AnyConnection;
use crate::effects::post_indexed;
use crate::error::StoreError;
use crate::read;
use crate::rows::export::*;
use crate::rows::posts::media_facts;
use crate::rows::{saturating_i32, to_json};
use crate::schema::media as media_table;
use crate::schema::{
    authors, categories, media_blobs, media_renditions, post_authors, post_tags, posts, revisions, settings, tags,
    users,
};

/// A post, with what is derived from it rendered again: its HTML (its
/// images sized from the restored media), table of contents, counts, the
/// feature image's media facts and the media it uses.
fn insert_post(conn: &mut AnyConnection, post: &PostRecord) -> Result<(), StoreError> {
    let summary = post
        .custom_summary
        .then(|| Summary::parse(&post.summary))
        .transpose()
        .map_err(|e| StoreError::Domain(e.into()))?;
    let mut mentioned = media::mentioned(&post.markdown);
    mentioned.extend(post.feature_image_url.as_deref().map(media::mentioned).unwrap_or_default());
    let catalog = if mentioned.is_empty() { Catalog::new() } else { read::media::catalog(conn, &mentioned)? };
    let content = PostContent::render_with(&post.markdown, summary.as_ref(), &catalog)
        .map_err(|e| StoreError::Domain(e.into()))?;
    let feature_media = match &post.feature_image_url {
        Some(url) => {
            let url = WebUrl::parse_field("feature_image", url).map_err(|e| StoreError::Domain(e.into()))?;
            media_facts(Some(&FeatureImage::new(url, None).matched(&catalog)))?
        }
        None => None,
    };
    let derived = (
        posts::html.eq(&content.html),
        posts::toc.eq(to_json(&content.toc)?),
        posts::word_count.eq(saturating_i32(content.word_count)),
        posts::reading_time_minutes.eq(saturating_i32(content.reading_time_minutes)),
        posts::feature_image_media.eq(feature_media),
    );
    diesel::insert_into(posts::table).values((post, derived)).execute(conn)?;
    let id = post.id.parse().map_err(|_| StoreError::Corrupt(format!("bad post id {:?}", post.id)))?;
    let used: Vec<_> = mentioned.into_iter().filter(|m| catalog.contains_key(m)).collect();
    link_media(conn, id, &used, None)
}

/// Restore `doc` into an empty database, in one transaction.
pub(crate) fn restore(conn: &mut AnyConnection, doc: &Export) -> Result<usize, StoreError> {
    if doc.format != FORMAT || doc.version != VERSION {
        return Err(StoreError::Unsupported(format!(
            "not a {FORMAT} version {VERSION} document (format {:?}, version {})",
            doc.format, doc.version
        )));
    }
    if !read::export::is_empty(conn)? {
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
    for row in &doc.media_blobs {
        diesel::insert_into(media_blobs::table).values(row).execute(conn)?;
    }
    for row in &doc.media_renditions {
        diesel::insert_into(media_renditions::table).values(row).execute(conn)?;
    }
    for row in &doc.media {
        diesel::insert_into(media_table::table).values(row).execute(conn)?;
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
        let id = post.id.parse().map_err(|_| StoreError::Corrupt(format!("bad post id {:?}", post.id)))?;
        let post = read::posts::get(conn, id)?;
        post_indexed(conn, &post)?;
    }
    Ok(doc.posts.len())
}
