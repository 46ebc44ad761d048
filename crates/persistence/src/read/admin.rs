//! The editor's list of every post, whatever its status, trash included.

use diesel::prelude::*;
use longform_domain::{PostCard, PostStatus};

use super::posts::cards;
use super::taxonomy::{author_by_slug, category_by_slug, tag_by_slug};
use crate::db::AnyConnection;
use crate::error::StoreError;
use crate::model::{AdminFilter, CreatedKeyset, MAX_PAGE_SIZE};
use crate::rows::posts::CardRow;
use crate::schema::{post_authors, post_tags, posts};
use crate::time::to_db;

/// Every post matching `filter`, newest created first, keyset-paginated.
pub(crate) fn list_admin(
    conn: &mut AnyConnection,
    filter: &AdminFilter,
    after: Option<CreatedKeyset>,
    limit: u32,
) -> Result<(Vec<PostCard>, Option<CreatedKeyset>), StoreError> {
    let limit = limit.clamp(1, MAX_PAGE_SIZE);
    let mut query = posts::table.select(CardRow::as_select()).into_boxed();
    query = if filter.trashed {
        query.filter(posts::deleted_at.is_not_null())
    } else {
        query.filter(posts::deleted_at.is_null())
    };
    if let Some(status) = filter.status {
        query = query.filter(posts::status.eq(status.as_str()));
    }
    if let Some(me) = filter.own_or_published {
        let published = posts::status.eq(PostStatus::Published.as_str()).and(posts::deleted_at.is_null());
        query = query.filter(posts::owner_id.eq(me.to_string()).or(published));
    }
    if let Some(search) = &filter.search {
        let pattern = format!("%{}%", super::escape_like(&search.to_lowercase()));
        query = query.filter(
            super::lower(posts::title).like(pattern.clone()).escape('\\').or(posts::slug.like(pattern).escape('\\')),
        );
    }
    if let Some(featured) = filter.featured {
        query = query.filter(posts::featured.eq(featured));
    }
    if let Some(slug) = &filter.tag {
        let id = tag_by_slug(conn, slug)?.map(|t| t.id.to_string()).unwrap_or_default();
        query = query
            .filter(posts::id.eq_any(post_tags::table.filter(post_tags::tag_id.eq(id)).select(post_tags::post_id)));
    }
    if let Some(slug) = &filter.author {
        let id = author_by_slug(conn, slug)?.map(|a| a.id.to_string()).unwrap_or_default();
        query = query.filter(
            posts::id.eq_any(post_authors::table.filter(post_authors::author_id.eq(id)).select(post_authors::post_id)),
        );
    }
    if let Some(slug) = &filter.category {
        let id = category_by_slug(conn, slug)?.map(|c| c.id.to_string()).unwrap_or_default();
        query = query.filter(posts::category_id.eq(id));
    }
    if let Some(cursor) = after {
        let (at, id) = (to_db(cursor.created_at), cursor.id);
        query = query.filter(posts::created_at.lt(at).or(posts::created_at.eq(at).and(posts::id.lt(id))));
    }
    let mut rows: Vec<CardRow> =
        query.order((posts::created_at.desc(), posts::id.desc())).limit(i64::from(limit) + 1).load(conn)?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let cards = cards(conn, rows)?;
    let next = if more { cards.last().map(|c| CreatedKeyset { created_at: c.created_at, id: c.id }) } else { None };
    Ok((cards, next))
}
