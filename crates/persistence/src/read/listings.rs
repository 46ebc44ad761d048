//! Public listings of published posts: the keyset-paginated walk down one
//! listing's range of `post_listings` (one row per listing a published
//! post appears in) with the other filters narrowing it, counts, and
//! related posts.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use longform_domain::{PostCard, PostId, PostStatus};

use super::posts::{cards, cards_by_ids};
use super::taxonomy::{author_by_slug, category_by_slug, tag_by_slug};
use crate::db::AnyConnection;
use crate::error::StoreError;
use crate::model::{Keyset, ListingFilter, MAX_PAGE_SIZE, Page};
use crate::rows::posts::CardRow;
use crate::schema::{listing_counts, post_authors, post_listings, post_tags, posts};
use crate::time::to_db;

/// A listing a filter can name: by tag, author or category.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Facet {
    Tag,
    Author,
    Category,
}

impl Facet {
    pub(crate) fn kind(self) -> &'static str {
        match self {
            Self::Tag => "tag",
            Self::Author => "author",
            Self::Category => "category",
        }
    }
}

/// The ids of the tag, author and category a filter names, in that order
/// of preference for driving the listing; `None` when a named one does not
/// exist (the listing is then empty, not an error).
pub(crate) fn resolve_facets(
    conn: &mut AnyConnection,
    filter: &ListingFilter,
) -> Result<Option<Vec<(Facet, String)>>, StoreError> {
    let mut facets = Vec::new();
    if let Some(slug) = &filter.tag {
        let Some(tag) = tag_by_slug(conn, slug)? else {
            return Ok(None);
        };
        facets.push((Facet::Tag, tag.id.to_string()));
    }
    if let Some(slug) = &filter.author {
        let Some(author) = author_by_slug(conn, slug)? else {
            return Ok(None);
        };
        facets.push((Facet::Author, author.id.to_string()));
    }
    if let Some(slug) = &filter.category {
        let Some(category) = category_by_slug(conn, slug)? else {
            return Ok(None);
        };
        facets.push((Facet::Category, category.id.to_string()));
    }
    Ok(Some(facets))
}

/// Which listing a query walks (`kind`, `key`) and the facets that narrow it.
struct Plan {
    kind: &'static str,
    key: String,
    narrowing: Vec<(Facet, String)>,
}

/// The listing a filter walks: the first named facet (tag, else author,
/// else category), else featured posts, else the whole blog; the other
/// facets narrow it. `None` when a named facet does not exist.
fn listing_plan(conn: &mut AnyConnection, filter: &ListingFilter) -> Result<Option<Plan>, StoreError> {
    let Some(mut facets) = resolve_facets(conn, filter)? else {
        return Ok(None);
    };
    let (kind, key) = match facets.first() {
        Some((facet, id)) => (facet.kind(), id.clone()),
        None if filter.featured == Some(true) => ("featured", String::new()),
        None => ("all", String::new()),
    };
    if !facets.is_empty() {
        facets.remove(0);
    }
    Ok(Some(Plan { kind, key, narrowing: facets }))
}

/// The published posts of one listing with the filter's narrowing applied:
/// written once for the page query and the count query.
macro_rules! narrowed_listing {
    ($kind:expr, $key:expr, $facets:expr, $filter:expr) => {{
        let mut query = post_listings::table
            .inner_join(posts::table)
            .filter(post_listings::kind.eq($kind))
            .filter(post_listings::key.eq($key))
            .filter(posts::status.eq(PostStatus::Published.as_str()))
            .into_boxed();
        if let Some(at) = $filter.published_after {
            query = query.filter(post_listings::published_at.gt(to_db(at)));
        }
        if let Some(at) = $filter.published_before {
            query = query.filter(post_listings::published_at.lt(to_db(at)));
        }
        if let Some(featured) = $filter.featured {
            query = query.filter(posts::featured.eq(featured));
        }
        for (facet, id) in $facets {
            query =
                match facet {
                    Facet::Tag => query.filter(
                        posts::id.eq_any(post_tags::table.filter(post_tags::tag_id.eq(id)).select(post_tags::post_id)),
                    ),
                    Facet::Author => query.filter(posts::id.eq_any(
                        post_authors::table.filter(post_authors::author_id.eq(id)).select(post_authors::post_id),
                    )),
                    Facet::Category => query.filter(posts::category_id.eq(id)),
                };
        }
        query
    }};
}

/// Published posts, newest first, after `after`, at most `limit` (capped at
/// [`MAX_PAGE_SIZE`]): one index range walk (one row further, to know
/// whether another page follows), then the page's taxonomy.
pub(crate) fn list_published(
    conn: &mut AnyConnection,
    filter: &ListingFilter,
    after: Option<Keyset>,
    limit: u32,
) -> Result<Page, StoreError> {
    let Some(Plan { kind, key, narrowing }) = listing_plan(conn, filter)? else {
        return Ok(Page { cards: Vec::new(), next: None });
    };
    let limit = limit.clamp(1, MAX_PAGE_SIZE);
    let mut query = narrowed_listing!(kind, key, narrowing, filter)
        .select(CardRow::as_select())
        .order((post_listings::published_at.desc(), post_listings::post_id.desc()))
        .limit(i64::from(limit) + 1);
    if let Some(cursor) = after {
        let (at, id) = (to_db(cursor.published_at), cursor.id.to_string());
        query = query.filter(
            post_listings::published_at
                .lt(at)
                .or(post_listings::published_at.eq(at).and(post_listings::post_id.lt(id))),
        );
    }
    let mut rows: Vec<CardRow> = query.load(conn)?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let cards = cards(conn, rows)?;
    let next = if more { cards.last().and_then(Keyset::of) } else { None };
    Ok(Page { cards, next })
}

/// How many published posts the filter matches (all pages together): one
/// row of `listing_counts` for a whole listing, whatever its size; a count
/// of the narrowed listing when the filter narrows it further.
pub(crate) fn count_published(conn: &mut AnyConnection, filter: &ListingFilter) -> Result<i64, StoreError> {
    let Some(Plan { kind, key, narrowing }) = listing_plan(conn, filter)? else {
        return Ok(0);
    };
    let whole = narrowing.is_empty()
        && filter.published_after.is_none()
        && filter.published_before.is_none()
        && (filter.featured.is_none() || kind == "featured");
    if whole {
        return published_count(conn, kind, &key);
    }
    Ok(narrowed_listing!(kind, key, narrowing, filter).count().get_result(conn)?)
}

/// Published post counts per tag, category or author id (`kind` is
/// "tag", "category" or "author"), in one statement.
pub(crate) fn published_counts(conn: &mut AnyConnection, kind: &str) -> Result<HashMap<String, i64>, StoreError> {
    Ok(listing_counts::table
        .filter(listing_counts::kind.eq(kind))
        .select((listing_counts::key, listing_counts::posts))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect())
}

/// Published post count of one listing.
pub(crate) fn published_count(conn: &mut AnyConnection, kind: &str, id: &str) -> Result<i64, StoreError> {
    Ok(listing_counts::table
        .filter(listing_counts::kind.eq(kind))
        .filter(listing_counts::key.eq(id))
        .select(listing_counts::posts)
        .first(conn)
        .optional()?
        .unwrap_or(0))
}

/// How many of each tag's newest posts are considered for "related": a
/// bound that keeps the cost of an article flat however large a tag grows.
const RELATED_CANDIDATES_PER_TAG: i64 = 50;

/// Up to `limit` published posts sharing the most tags with each of
/// `posts` (ties: newest first), considering each shared tag's newest
/// [`RELATED_CANDIDATES_PER_TAG`] posts. One statement for the posts' tags,
/// one per distinct tag, then one page of cards for all of them together.
pub(crate) fn related(
    conn: &mut AnyConnection,
    posts_of_interest: &[PostId],
    limit: usize,
) -> Result<HashMap<PostId, Vec<PostCard>>, StoreError> {
    let keys: Vec<String> = posts_of_interest.iter().map(ToString::to_string).collect();
    let tag_rows: Vec<(String, String)> = post_tags::table
        .filter(post_tags::post_id.eq_any(posts_of_interest))
        .select((post_tags::post_id, post_tags::tag_id))
        .load::<(PostId, longform_domain::TagId)>(conn)?
        .into_iter()
        .map(|(post, tag)| (post.to_string(), tag.to_string()))
        .collect();
    let mut distinct_tags: Vec<&String> = tag_rows.iter().map(|(_, tag)| tag).collect();
    distinct_tags.sort_unstable();
    distinct_tags.dedup();
    let mut newest: HashMap<&String, Vec<(String, NaiveDateTime)>> = HashMap::new();
    for tag in distinct_tags {
        let rows = post_listings::table
            .filter(post_listings::kind.eq("tag"))
            .filter(post_listings::key.eq(tag))
            .order((post_listings::published_at.desc(), post_listings::post_id.desc()))
            .limit(RELATED_CANDIDATES_PER_TAG)
            .select((post_listings::post_id, post_listings::published_at))
            .load(conn)?;
        newest.insert(tag, rows);
    }
    let mut picks: HashMap<String, Vec<String>> = HashMap::new();
    for post in &keys {
        let mut shared: HashMap<&String, (usize, NaiveDateTime)> = HashMap::new();
        for (_, tag) in tag_rows.iter().filter(|(p, _)| p == post) {
            for (candidate, at) in newest.get(tag).into_iter().flatten().filter(|(c, _)| c != post) {
                shared.entry(candidate).or_insert((0, *at)).0 += 1;
            }
        }
        let mut ranked: Vec<_> = shared.into_iter().collect();
        ranked
            .sort_by(|(a_id, (a_n, a_at)), (b_id, (b_n, b_at))| b_n.cmp(a_n).then(b_at.cmp(a_at)).then(b_id.cmp(a_id)));
        picks.insert(post.clone(), ranked.into_iter().take(limit).map(|(id, _)| id.clone()).collect());
    }
    let wanted: Vec<PostId> = picks.values().flatten().map(|id| parse_id(id)).collect::<Result<_, _>>()?;
    let by_id: HashMap<String, PostCard> =
        cards_by_ids(conn, &wanted)?.into_iter().map(|c| (c.id.to_string(), c)).collect();
    picks
        .into_iter()
        .map(|(post, ids)| Ok((parse_id(&post)?, ids.iter().filter_map(|id| by_id.get(id).cloned()).collect())))
        .collect()
}

/// The posts listed under one listing (published ones, newest first).
pub(crate) fn listed_under(conn: &mut AnyConnection, kind: &str, key: &str) -> Result<Vec<PostId>, StoreError> {
    Ok(post_listings::table
        .filter(post_listings::kind.eq(kind))
        .filter(post_listings::key.eq(key))
        .order((post_listings::published_at.desc(), post_listings::post_id.desc()))
        .select(post_listings::post_id)
        .load(conn)?)
}

/// A post's rows in `post_listings`: (kind, key, published_at).
pub(crate) fn listings_of(
    conn: &mut AnyConnection,
    post: PostId,
) -> Result<Vec<(String, String, NaiveDateTime)>, StoreError> {
    Ok(post_listings::table
        .filter(post_listings::post_id.eq(post))
        .select((post_listings::kind, post_listings::key, post_listings::published_at))
        .load(conn)?)
}

fn parse_id(raw: &str) -> Result<PostId, StoreError> {
    raw.parse().map_err(|_| StoreError::Corrupt(format!("bad id {raw:?}")))
}
