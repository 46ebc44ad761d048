//! Listings of posts: which ones, from where, how many.

use chrono::{DateTime, Utc};
use longform_domain::{PostCard, PostId, PostStatus, Slug, UserId};

/// The hard cap on a page, whatever the caller asks.
pub const MAX_PAGE_SIZE: u32 = 100;

/// Where a listing page starts: just after the post with this date and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Keyset {
    pub published_at: DateTime<Utc>,
    pub id: PostId,
}

impl Keyset {
    pub fn of(card: &PostCard) -> Option<Self> {
        card.published_at.map(|published_at| Self { published_at, id: card.id })
    }
}

/// Which published posts to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListingFilter {
    pub tag: Option<Slug>,
    pub category: Option<Slug>,
    pub author: Option<Slug>,
    pub featured: Option<bool>,
    pub published_after: Option<DateTime<Utc>>,
    pub published_before: Option<DateTime<Utc>>,
}

/// One page of a listing, and where the next one starts (`None` on the last).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub cards: Vec<PostCard>,
    pub next: Option<Keyset>,
}

/// Which posts the editor's list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AdminFilter {
    pub status: Option<PostStatus>,
    pub tag: Option<Slug>,
    pub category: Option<Slug>,
    pub author: Option<Slug>,
    pub featured: Option<bool>,
    /// Words in the title or slug, any case (ASCII case on SQLite).
    pub search: Option<String>,
    /// The trash instead of live posts.
    pub trashed: bool,
    /// Only this user's posts and live published ones (what a contributor
    /// or author may see); `None` lists everyone's.
    pub own_or_published: Option<UserId>,
}

/// Where an admin page starts: after the post created at this time with this id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CreatedKeyset {
    pub created_at: DateTime<Utc>,
    pub id: PostId,
}

/// A tag, category or author with its number of published posts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counted<T> {
    pub item: T,
    pub published_posts: i64,
}

/// A page of the public site and when it last changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SitemapEntry {
    /// "post", "tag", "category" or "author".
    pub kind: &'static str,
    pub slug: String,
    pub lastmod: DateTime<Utc>,
    /// A post's feature image, for the sitemap's image extension: a URL,
    /// or an upload's path (`/media/…`) under the API's address.
    pub image: Option<String>,
}

/// Whether slugs that name no existing tag, category or author create one
/// (editors) or are refused (contributors).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    Create,
    Refuse,
}
