//! Posts by id or slug, whatever their status, and the cards of a batch
//! of rows: a page of cards costs one statement for the posts and one each
//! for their tags, authors and categories.

use std::collections::HashMap;

use diesel::prelude::*;
use longform_domain::{Post, PostBody, PostCard, PostId, Slug};

use super::taxonomy::{authors_of, categories_by_ids, tags_of};
use crate::db::AnyConnection;
use crate::error::StoreError;
use crate::rows::posts::{BodyRow, CardRow, PostRow, Terms};
use crate::schema::posts;

/// The cards of `rows`, in their order, with their taxonomy.
pub(crate) fn cards(conn: &mut AnyConnection, rows: Vec<CardRow>) -> Result<Vec<PostCard>, StoreError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<PostId> = rows.iter().map(|r| r.id).collect();
    let mut category_ids: Vec<_> = rows.iter().filter_map(|r| r.category_id).collect();
    category_ids.sort_unstable();
    category_ids.dedup();
    let mut tags = tags_of(conn, &ids)?;
    let mut authors = authors_of(conn, &ids)?;
    let categories = categories_by_ids(conn, &category_ids)?;
    rows.into_iter()
        .map(|row| {
            let terms = Terms {
                category: row.category_id.and_then(|id| categories.get(&id).cloned()),
                tags: tags.remove(&row.id).unwrap_or_default(),
                authors: authors.remove(&row.id).unwrap_or_default(),
            };
            row.into_card(terms)
        })
        .collect()
}

/// The cards of the posts with these ids (in no particular order).
pub(crate) fn cards_by_ids(conn: &mut AnyConnection, ids: &[PostId]) -> Result<Vec<PostCard>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = posts::table.filter(posts::id.eq_any(ids)).select(CardRow::as_select()).load(conn)?;
    cards(conn, rows)
}

fn whole(conn: &mut AnyConnection, row: PostRow) -> Result<Post, StoreError> {
    let PostRow { card, body } = row;
    let card = cards(conn, vec![card])?.pop().ok_or(StoreError::NotFound)?;
    Ok(Post { card, body: body.try_into()? })
}

/// The post whatever its status, trash included.
pub(crate) fn get(conn: &mut AnyConnection, id: PostId) -> Result<Post, StoreError> {
    let row = posts::table.find(id).select(PostRow::as_select()).first(conn)?;
    whole(conn, row)
}

/// The live (not trashed) post with this slug.
pub(crate) fn find_by_slug(conn: &mut AnyConnection, slug: &Slug) -> Result<Option<Post>, StoreError> {
    let found = posts::table
        .filter(posts::slug.eq(slug.as_str()))
        .filter(posts::deleted_at.is_null())
        .select(PostRow::as_select())
        .first(conn)
        .optional()?;
    found.map(|row| whole(conn, row)).transpose()
}

/// The id of the post with this slug, trash included.
pub(crate) fn id_by_slug(conn: &mut AnyConnection, slug: &Slug) -> Result<Option<PostId>, StoreError> {
    Ok(posts::table.filter(posts::slug.eq(slug.as_str())).select(posts::id).first(conn).optional()?)
}

/// The bodies of several posts in one statement (an index page that shows
/// full articles, a GraphQL list asking for `html`).
pub(crate) fn bodies(conn: &mut AnyConnection, ids: &[PostId]) -> Result<HashMap<PostId, PostBody>, StoreError> {
    posts::table
        .filter(posts::id.eq_any(ids))
        .select((posts::id, BodyRow::as_select()))
        .load::<(PostId, BodyRow)>(conn)?
        .into_iter()
        .map(|(id, body)| Ok((id, body.try_into()?)))
        .collect()
}

/// The stored version, or `NotFound`.
pub(crate) fn version(conn: &mut AnyConnection, id: PostId) -> Result<i64, StoreError> {
    Ok(posts::table.find(id).select(posts::version).first(conn)?)
}

/// Whether the database holds no post at all (in any status, trash included).
pub(crate) fn none_exist(conn: &mut AnyConnection) -> Result<bool, StoreError> {
    Ok(posts::table.select(posts::id).first::<PostId>(conn).optional()?.is_none())
}

/// The first free slug among `base`, `base-2`, ... in one query.
pub(crate) fn free_slug(conn: &mut AnyConnection, base: &Slug) -> Result<Slug, StoreError> {
    let taken: Vec<String> = posts::table
        .filter(posts::slug.eq(base.as_str()).or(posts::slug.like(format!("{}%", base.suffix_stem()))))
        .select(posts::slug)
        .load(conn)?;
    Ok(base.first_free(|candidate| taken.iter().any(|t| t == candidate.as_str())))
}
