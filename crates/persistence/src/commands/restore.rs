//! Restoring a lossless JSON backup into an empty database, in one
//! transaction. A restore is not a change to the site: it writes no change
//! feed, revision or webhook event; the derived indexes (listings,
//! search) are rebuilt from the restored posts, and rendered HTML from
//! their Markdown.

use diesel::prelude::*;
use longform_domain::{PostContent, Summary};

use crate::db::AnyConnection;
use crate::effects::post_indexed;
use crate::error::StoreError;
use crate::read;
use crate::rows::export::*;
use crate::rows::{saturating_i32, to_json};
use crate::schema::{authors, categories, post_authors, post_tags, posts, revisions, settings, tags, users};

fn insert_post(conn: &mut AnyConnection, post: &PostRecord) -> Result<(), StoreError> {
    let summary = post
        .custom_summary
        .then(|| Summary::parse(&post.summary))
        .transpose()
        .map_err(|e| StoreError::Domain(e.into()))?;
    let content = PostContent::render(&post.markdown, summary.as_ref()).map_err(|e| StoreError::Domain(e.into()))?;
    let derived = (
        posts::html.eq(&content.html),
        posts::toc.eq(to_json(&content.toc)?),
        posts::word_count.eq(saturating_i32(content.word_count)),
        posts::reading_time_minutes.eq(saturating_i32(content.reading_time_minutes)),
    );
    diesel::insert_into(posts::table).values((post, derived)).execute(conn)?;
    Ok(())
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
