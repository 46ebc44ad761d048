//! Offset-paged browsing of public content by a checked filter and an
//! allowlisted order (what Ghost's Content API asks for).

use longform_domain::nql::{Direction, Filter};
use longform_domain::{Post, PostCard};

/// The largest page a browse returns (Ghost's `limit=all`).
pub const MAX_BROWSE_PAGE: u32 = 1_000;
/// How far into a listing offset paging reaches: `page * limit` at most.
pub const MAX_BROWSE_DEPTH: u32 = 10_000;

/// One page of a filtered, sorted listing. `page` counts from 1.
#[derive(Debug, Clone, PartialEq)]
pub struct Browse<F> {
    pub filter: Option<Filter<F>>,
    /// Ties are always broken by id, so pages never overlap.
    pub order: Vec<(F, Direction)>,
    pub page: u32,
    pub limit: u32,
}

impl<F> Browse<F> {
    /// Rows skipped before the page; `None` past [`MAX_BROWSE_DEPTH`].
    pub fn offset(&self) -> Option<u32> {
        let end = self.page.checked_mul(self.limit)?;
        (self.limit >= 1 && self.limit <= MAX_BROWSE_PAGE && end <= MAX_BROWSE_DEPTH).then(|| end - self.limit)
    }
}

/// A page of matches and how many match in all.
#[derive(Debug, Clone)]
pub struct Browsed<T> {
    pub items: Vec<T>,
    pub total: i64,
}

/// A browsed post: its card, and its body when asked for.
#[derive(Debug, Clone)]
pub enum BrowsedPost {
    Card(PostCard),
    Whole(Post),
}

impl BrowsedPost {
    pub fn card(&self) -> &PostCard {
        match self {
            Self::Card(card) => card,
            Self::Whole(post) => &post.card,
        }
    }
}

/// Why a page of posts with bodies was not loaded: their HTML together
/// is larger than the caller's budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodiesTooLarge {
    pub bytes: i64,
}
