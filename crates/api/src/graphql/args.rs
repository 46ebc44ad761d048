//! Arguments, checked the same way wherever they appear, and the
//! complexity each field counts for.

use async_graphql::InputObject;
use chrono::{DateTime, Utc};
use longform_domain::Slug;
use longform_persistence::{ListingFilter, MAX_PAGE_SIZE};

use super::error::GqlError;

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

pub fn slug(field: &str, raw: Option<String>) -> Result<Option<Slug>, GqlError> {
    raw.map(|raw| Slug::parse(&raw).map_err(|e| GqlError::invalid(format!("filter.{field}"), e.to_string())))
        .transpose()
}

/// The most related posts one post lists.
pub const MAX_RELATED: u32 = 10;

/// Complexity multiplier of a post's `tags` and `authors`: a post has a
/// handful of each.
pub const PER_POST: usize = 5;

/// Complexity multiplier of the root `tags`, `categories` and `authors`
/// lists: a blog has dozens of each.
pub const PER_SITE: usize = 50;

/// Complexity of a field that reads the database on its own (a root field,
/// a term's posts): a statement or two, against 1 for a field of a row
/// already read.
pub const READ: usize = 20;

/// Complexity of a full-text search: ranking reads every matching row
/// (tens of milliseconds on 100,000 posts), so an operation may hold at
/// most five, whatever else it asks.
pub const SEARCH: usize = 2_000;

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
