//! Small output types several objects share.

use async_graphql::SimpleObject;

#[derive(SimpleObject)]
pub struct FeatureImage {
    pub url: String,
    pub alt: Option<String>,
}

/// One heading of a post.
#[derive(SimpleObject)]
pub struct TocEntry {
    /// 1 to 6, as in `<h1>`..`<h6>`.
    pub level: i32,
    pub text: String,
    /// The heading's anchor in `html`.
    pub id: String,
}

#[derive(SimpleObject)]
pub struct ProfileLink {
    pub label: String,
    pub url: String,
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
