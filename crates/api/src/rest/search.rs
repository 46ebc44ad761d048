//! `GET /api/v1/search`: published posts ranked by relevance to `q`, each
//! hit a card with a highlighted snippet, filtered by tag, category or
//! author, keyset-paginated by (score, id).

use actix_web::{HttpRequest, HttpResponse, web};
use longform_domain::SearchQuery;
use longform_persistence::{SearchFilter, SearchHit};
use serde::Serialize;

use super::public_json;
use super::wire::CardJson;
use crate::AppState;
use crate::error::ApiError;
use crate::params::{Params, encode_search_cursor};
use crate::site::Site;

/// Hits per page unless `limit` says otherwise.
pub const DEFAULT_HITS: u32 = 10;

const PARAMS: &[&str] = &["q", "limit", "after", "tag", "category", "author"];

#[derive(Serialize)]
struct HitJson {
    post: CardJson,
    /// Body text around the match: HTML, escaped, matches in `<mark>`.
    snippet: String,
}

impl HitJson {
    fn new(hit: &SearchHit, site: &Site) -> Self {
        Self { post: CardJson::new(&hit.card, site), snippet: hit.snippet.clone() }
    }
}

#[derive(Serialize)]
struct Pagination {
    limit: u32,
    next_cursor: Option<String>,
}

#[derive(Serialize)]
struct Meta {
    /// The query as understood: terms, "phrases" and prefixes*.
    query: String,
    pagination: Pagination,
}

#[derive(Serialize)]
struct Hits {
    hits: Vec<HitJson>,
    meta: Meta,
}

/// The `q` parameter, parsed; missing, empty or oversized is a 400 naming it.
pub fn parse_query(raw: Option<&str>, field: &str) -> Result<SearchQuery, ApiError> {
    let raw = raw.ok_or_else(|| ApiError::invalid(field, "is required"))?;
    SearchQuery::parse(raw).map_err(|e| ApiError::invalid(field, e.to_string()))
}

pub async fn search(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let params = Params::public(req.query_string(), PARAMS)?;
    let query = parse_query(params.get("q"), "q")?;
    let limit = if params.get("limit").is_some() { params.limit()? } else { DEFAULT_HITS };
    let after = params.search_cursor("after")?;
    let filter =
        SearchFilter { tag: params.slug("tag")?, category: params.slug("category")?, author: params.slug("author")? };
    public_json(&req, &state, || async {
        let canonical = query.to_string();
        let page = state.store.posts().search(query, filter, after, limit).await?;
        Ok(Hits {
            hits: page.hits.iter().map(|h| HitJson::new(h, &state.site)).collect(),
            meta: Meta {
                query: canonical,
                pagination: Pagination { limit, next_cursor: page.next.as_ref().map(encode_search_cursor) },
            },
        })
    })
    .await
}
