//! Relay connections of published posts: `edges { cursor node }`, `nodes`,
//! `pageInfo` and `totalCount`, keyset-paginated with the REST API's opaque
//! cursors. A page is one listing (a fixed number of statements); the count
//! is a statement more, run only when asked for.

use async_graphql::{Context, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use longform_domain::Slug;
use longform_persistence::{Keyset, ListingFilter, MAX_PAGE_SIZE, Page};

use super::error::GqlError;
use super::loaders::state;
use super::posts::Post;
use crate::rest::query::{decode_cursor, encode_cursor};

/// Complexity of a paginated field: its children once per requested item.
pub fn paged(first: i32, child_complexity: usize) -> usize {
    let items = usize::try_from(first.clamp(0, MAX_PAGE_SIZE as i32)).unwrap_or(0);
    items.saturating_mul(child_complexity).saturating_add(1)
}

/// `first`, checked: from 1 to `max`.
pub fn checked_first(first: i32, max: u32) -> Result<u32, GqlError> {
    match u32::try_from(first) {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(GqlError::invalid("first", format!("must be an integer from 1 to {max}"))),
    }
}

/// Which published posts to list; every field narrows the listing.
#[derive(Debug, Default, InputObject)]
pub struct PostFilter {
    /// Posts with this tag (slug).
    pub tag: Option<String>,
    /// Posts in this category (slug).
    pub category: Option<String>,
    /// Posts by this author (slug).
    pub author: Option<String>,
    pub featured: Option<bool>,
    /// Published strictly after this time.
    pub published_after: Option<DateTime<Utc>>,
    /// Published strictly before this time.
    pub published_before: Option<DateTime<Utc>>,
}

pub(super) fn slug(field: &str, raw: Option<String>) -> Result<Option<Slug>, GqlError> {
    raw.map(|raw| Slug::parse(&raw).map_err(|e| GqlError::invalid(format!("filter.{field}"), e.to_string())))
        .transpose()
}

impl TryFrom<PostFilter> for ListingFilter {
    type Error = GqlError;
    fn try_from(filter: PostFilter) -> Result<Self, GqlError> {
        Ok(ListingFilter {
            tag: slug("tag", filter.tag)?,
            category: slug("category", filter.category)?,
            author: slug("author", filter.author)?,
            featured: filter.featured,
            published_after: filter.published_after,
            published_before: filter.published_before,
        })
    }
}

/// One page of the listing `filter` names, after the cursor `after`.
pub async fn list_posts(
    ctx: &Context<'_>,
    filter: ListingFilter,
    first: i32,
    after: Option<String>,
) -> Result<PostConnection, GqlError> {
    let first = checked_first(first, MAX_PAGE_SIZE)?;
    let after = match after {
        Some(raw) => Some(decode_cursor(&raw).ok().ok_or_else(|| GqlError::invalid("after", "is not a valid cursor"))?),
        None => None,
    };
    let page = state(ctx)?.store.posts().list_published(filter.clone(), after, first).await?;
    Ok(PostConnection { page, filter, after: after.is_some() })
}

pub struct PostConnection {
    page: Page,
    filter: ListingFilter,
    after: bool,
}

fn cursor_of(post: &longform_domain::PostCard) -> Option<String> {
    Keyset::of(post).as_ref().map(encode_cursor)
}

/// A page of published posts, newest first.
#[Object]
impl PostConnection {
    async fn edges(&self) -> Vec<PostEdge> {
        let cards = self.page.cards.iter();
        cards.map(|c| PostEdge { cursor: cursor_of(c).unwrap_or_default(), node: Post::from_card(c.clone()) }).collect()
    }

    /// The posts of `edges`, without cursors.
    async fn nodes(&self) -> Vec<Post> {
        self.page.cards.iter().cloned().map(Post::from_card).collect()
    }

    async fn page_info(&self) -> PageInfo {
        PageInfo {
            has_next_page: self.page.next.is_some(),
            has_previous_page: self.after,
            start_cursor: self.page.cards.first().and_then(cursor_of),
            end_cursor: self.page.cards.last().and_then(cursor_of),
        }
    }

    /// Published posts the filter matches, on all pages together.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<i32, GqlError> {
        let count = state(ctx)?.store.posts().count_published(self.filter.clone()).await?;
        Ok(i32::try_from(count).unwrap_or(i32::MAX))
    }
}

#[derive(SimpleObject)]
pub struct PostEdge {
    /// Pass it as `after` to get the posts that follow this one.
    cursor: String,
    node: Post,
}

/// Relay's page info. Pagination is forward only: `hasPreviousPage` says
/// whether this page was asked for with `after`.
#[derive(SimpleObject)]
pub struct PageInfo {
    pub has_next_page: bool,
    pub has_previous_page: bool,
    pub start_cursor: Option<String>,
    pub end_cursor: Option<String>,
}
