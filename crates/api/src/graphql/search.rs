//! `search(query:, first:, after:, filter:)`: published posts ranked by
//! relevance, each edge with a highlighted snippet, paginated forward with
//! the REST API's search cursors.

use async_graphql::{Context, InputObject, Object, SimpleObject};
use longform_domain::SearchQuery;
use longform_persistence::{MAX_PAGE_SIZE, SearchFilter, SearchHit, SearchPage};

use super::args::{checked_first, slug};
use super::error::GqlError;
use super::loaders::state;
use super::objects::Post;
use super::values::PageInfo;
use crate::params::{decode_search_cursor, encode_search_cursor};

/// Which published posts to search among; every field narrows it.
#[derive(Debug, Default, InputObject)]
pub struct SearchPostFilter {
    /// Posts with this tag (slug).
    pub tag: Option<String>,
    /// Posts in this category (slug).
    pub category: Option<String>,
    /// Posts by this author (slug).
    pub author: Option<String>,
}

impl TryFrom<SearchPostFilter> for SearchFilter {
    type Error = GqlError;
    fn try_from(filter: SearchPostFilter) -> Result<Self, GqlError> {
        Ok(SearchFilter {
            tag: slug("tag", filter.tag)?,
            category: slug("category", filter.category)?,
            author: slug("author", filter.author)?,
        })
    }
}

pub async fn search(
    ctx: &Context<'_>,
    query: &str,
    first: i32,
    after: Option<String>,
    filter: SearchFilter,
) -> Result<SearchConnection, GqlError> {
    let query = SearchQuery::parse(query).map_err(|e| GqlError::invalid("query", e.to_string()))?;
    let first = checked_first(first, MAX_PAGE_SIZE)?;
    let after = match after {
        Some(raw) => {
            Some(decode_search_cursor(&raw, "after").map_err(|_| GqlError::invalid("after", "is not a valid cursor"))?)
        }
        None => None,
    };
    let page = state(ctx)?.store.posts().search(query, filter, after, first).await?;
    Ok(SearchConnection { page, after: after.is_some() })
}

pub struct SearchConnection {
    page: SearchPage,
    after: bool,
}

fn cursor_of(hit: &SearchHit) -> String {
    encode_search_cursor(&hit.cursor())
}

/// A page of search hits, best first.
#[Object]
impl SearchConnection {
    async fn edges(&self) -> Vec<SearchEdge> {
        self.page
            .hits
            .iter()
            .map(|h| SearchEdge {
                cursor: cursor_of(h),
                snippet: h.snippet.clone(),
                node: Post::from_card(h.card.clone()),
            })
            .collect()
    }

    async fn page_info(&self) -> PageInfo {
        PageInfo {
            has_next_page: self.page.next.is_some(),
            has_previous_page: self.after,
            start_cursor: self.page.hits.first().map(cursor_of),
            end_cursor: self.page.hits.last().map(cursor_of),
        }
    }
}

#[derive(SimpleObject)]
pub struct SearchEdge {
    /// Pass it as `after` to get the hits that follow this one.
    cursor: String,
    /// Body text around the match: HTML, escaped, matches in `<mark>`.
    snippet: String,
    node: Post,
}
