//! Tags, categories and author profiles: by slug, by id, all of them, and
//! the taxonomy of a batch of posts with one statement per kind.

use std::collections::HashMap;

use diesel::prelude::*;
use longform_domain::{Author, AuthorId, Category, CategoryId, PostId, Slug, Tag, TagId};

use crate::db::AnyConnection;
use crate::error::StoreError;
use crate::rows::taxonomy::{AuthorRow, CategoryRow, TagRow};
use crate::schema::{authors, categories, post_authors, post_tags, tags};

/// The same four reads for each kind of term.
macro_rules! term_reads {
    ($by_slug:ident, $by_slugs:ident, $by_ids:ident, $list:ident, $table:ident, $row:ident, $ty:ident, $id:ty) => {
        pub(crate) fn $by_slug(conn: &mut AnyConnection, slug: &Slug) -> Result<Option<$ty>, StoreError> {
            $table::table
                .filter($table::slug.eq(slug.as_str()))
                .select($row::as_select())
                .first(conn)
                .optional()?
                .map($ty::try_from)
                .transpose()
        }

        /// The ones named by `slugs` that exist, by slug.
        pub(crate) fn $by_slugs(conn: &mut AnyConnection, slugs: &[Slug]) -> Result<HashMap<String, $ty>, StoreError> {
            if slugs.is_empty() {
                return Ok(HashMap::new());
            }
            let names: Vec<&str> = slugs.iter().map(Slug::as_str).collect();
            $table::table
                .filter($table::slug.eq_any(&names))
                .select($row::as_select())
                .load(conn)?
                .into_iter()
                .map(|row| $ty::try_from(row).map(|t| (t.slug.to_string(), t)))
                .collect()
        }

        pub(crate) fn $by_ids(conn: &mut AnyConnection, ids: &[$id]) -> Result<HashMap<$id, $ty>, StoreError> {
            if ids.is_empty() {
                return Ok(HashMap::new());
            }
            $table::table
                .filter($table::id.eq_any(ids))
                .select($row::as_select())
                .load(conn)?
                .into_iter()
                .map(|row| $ty::try_from(row).map(|t| (t.id, t)))
                .collect()
        }

        /// Every one, by slug.
        pub(crate) fn $list(conn: &mut AnyConnection) -> Result<Vec<$ty>, StoreError> {
            $table::table
                .order($table::slug.asc())
                .select($row::as_select())
                .load(conn)?
                .into_iter()
                .map($ty::try_from)
                .collect()
        }
    };
}

term_reads!(tag_by_slug, tags_by_slugs, tags_by_ids, all_tags, tags, TagRow, Tag, TagId);
term_reads!(
    category_by_slug,
    categories_by_slugs,
    categories_by_ids,
    all_categories,
    categories,
    CategoryRow,
    Category,
    CategoryId
);
term_reads!(author_by_slug, authors_by_slugs, authors_by_ids, all_authors, authors, AuthorRow, Author, AuthorId);

/// Tags of each post in `posts`, in each post's order.
pub(crate) fn tags_of(conn: &mut AnyConnection, posts: &[PostId]) -> Result<HashMap<PostId, Vec<Tag>>, StoreError> {
    let rows: Vec<(PostId, TagRow)> = post_tags::table
        .inner_join(tags::table)
        .filter(post_tags::post_id.eq_any(posts))
        .order((post_tags::post_id, post_tags::position))
        .select((post_tags::post_id, TagRow::as_select()))
        .load(conn)?;
    let mut out: HashMap<PostId, Vec<Tag>> = HashMap::new();
    for (post, row) in rows {
        out.entry(post).or_default().push(row.try_into()?);
    }
    Ok(out)
}

/// Authors of each post in `posts`, in each post's order.
pub(crate) fn authors_of(
    conn: &mut AnyConnection,
    posts: &[PostId],
) -> Result<HashMap<PostId, Vec<Author>>, StoreError> {
    let rows: Vec<(PostId, AuthorRow)> = post_authors::table
        .inner_join(authors::table)
        .filter(post_authors::post_id.eq_any(posts))
        .order((post_authors::post_id, post_authors::position))
        .select((post_authors::post_id, AuthorRow::as_select()))
        .load(conn)?;
    let mut out: HashMap<PostId, Vec<Author>> = HashMap::new();
    for (post, row) in rows {
        out.entry(post).or_default().push(row.try_into()?);
    }
    Ok(out)
}
