//! The sitemap: every public page and when it last changed.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use longform_domain::PostStatus;

use crate::db::AnyConnection;
use crate::error::StoreError;
use crate::model::SitemapEntry;
use crate::schema::{authors, categories, post_listings, posts, tags};
use crate::time::from_db;

/// Every published post, and every tag, category and author with published
/// posts, with its true last modification (a term's is its newest post's).
pub(crate) fn sitemap(conn: &mut AnyConnection) -> Result<Vec<SitemapEntry>, StoreError> {
    let mut out: Vec<SitemapEntry> = posts::table
        .filter(posts::status.eq(PostStatus::Published.as_str()))
        .filter(posts::deleted_at.is_null())
        .order((posts::published_at.desc(), posts::id.desc()))
        .select((posts::slug, posts::updated_at, posts::feature_image_url, posts::feature_image_media.is_not_null()))
        .load::<(String, NaiveDateTime, Option<String>, bool)>(conn)?
        .into_iter()
        .map(|(slug, at, image, upload)| {
            // An upload's path: served under the API's address now.
            let image = image.map(|url| match url.find("/media/") {
                Some(at) if upload => url[at..].to_owned(),
                _ => url,
            });
            SitemapEntry { kind: "post", slug, lastmod: from_db(at), image }
        })
        .collect();
    let newest: Vec<(String, String, Option<NaiveDateTime>)> = post_listings::table
        .inner_join(posts::table)
        .filter(post_listings::kind.eq_any(["tag", "category", "author"]))
        .group_by((post_listings::kind, post_listings::key))
        .select((post_listings::kind, post_listings::key, diesel::dsl::max(posts::updated_at)))
        .load(conn)?;
    let newest: HashMap<(String, String), NaiveDateTime> =
        newest.into_iter().filter_map(|(kind, key, at)| at.map(|at| ((kind, key), at))).collect();
    let mut terms = |kind: &'static str, rows: Vec<(String, String)>| {
        let mut entries: Vec<SitemapEntry> = rows
            .into_iter()
            .filter_map(|(id, slug)| {
                newest.get(&(kind.to_owned(), id)).map(|at| SitemapEntry {
                    kind,
                    slug,
                    lastmod: from_db(*at),
                    image: None,
                })
            })
            .collect();
        entries.sort_by(|a, b| a.slug.cmp(&b.slug));
        out.extend(entries);
    };
    terms("tag", tags::table.select((tags::id, tags::slug)).load(conn)?);
    terms("category", categories::table.select((categories::id, categories::slug)).load(conn)?);
    terms("author", authors::table.select((authors::id, authors::slug)).load(conn)?);
    Ok(out)
}
