//! Search: filters, hits and the cursor of a page of hits.

use longform_domain::{PostCard, PostId, Slug};

/// Which published posts to search among.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchFilter {
    pub tag: Option<Slug>,
    pub category: Option<Slug>,
    pub author: Option<Slug>,
}

/// Where a page of hits starts: after the hit with this score and id.
/// Scores are "lower is better" on both backends.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SearchCursor {
    pub score: f64,
    pub id: PostId,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    pub card: PostCard,
    /// Body text around the match, HTML-escaped, matches in `<mark>`.
    pub snippet: String,
    pub score: f64,
}

impl SearchHit {
    pub fn cursor(&self) -> SearchCursor {
        SearchCursor { score: self.score, id: self.card.id }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SearchPage {
    pub hits: Vec<SearchHit>,
    pub next: Option<SearchCursor>,
}
