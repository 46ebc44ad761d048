//! Ghost's Content API, so that Ghost frontends (built on
//! `@tryghost/content-api`) run on Longform with only their URL and key
//! changed: `/ghost/api/content/{posts,pages,tags,authors}/`, reads by id
//! and by slug, `/settings/`, and the same under the older `/v2/`, `/v3/`,
//! `/v4/` and `/canary/` prefixes.
//!
//! Every request names a content key (`?key=`, an integration token of the
//! `content` scope) that reads published content only. Answers are cached
//! and validated like the rest of the public API; their key is the
//! request's known parameters in a fixed order (unknown ones are ignored,
//! as Ghost ignores them, and so cannot fill the cache), plus the day when
//! a filter holds a relative date.
//!
//! Cost: a filter is bounded by [`nql`]'s limits, so a browse is a count,
//! a page and its taxonomy (and bodies, when asked for) whatever it says;
//! `page * limit` stops at [`MAX_BROWSE_DEPTH`] and a page's HTML at
//! [`BODY_BUDGET`].

pub mod error;
pub mod wire;

use std::future::Future;

use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use longform_domain::nql::{self, Fields, Filter, Op, PostField, TermField, Value};
use longform_domain::{Secret, TokenScope};
use longform_persistence::{Browse, BrowsedPost, MAX_BROWSE_DEPTH, MAX_BROWSE_PAGE};
use serde::Serialize;
use serde_json::json;

use self::error::GhostError;
use self::wire::{GhostAuthor, GhostPost, GhostSettings, GhostTag, PostExtras, only};
use crate::AppState;
use crate::error::{ApiError, InvalidParam};
use crate::rest::Body;
use crate::routes::Routes;

/// Ghost's default page size, and its largest short of `all`.
pub const DEFAULT_LIMIT: u32 = 15;
pub const MAX_LIMIT: u32 = 100;
/// The most HTML one page of posts may carry, in bytes; a larger page is
/// a 400 asking for fewer posts or for fields without `html`.
pub const BODY_BUDGET: i64 = 64 << 20;
/// How many answers with bodies and more than [`MAX_LIMIT`] posts are
/// built at once (each may hold [`BODY_BUDGET`] of HTML), and how long one
/// waits for its turn before a 503.
const HEAVY_AT_ONCE: usize = 2;
const HEAVY_WAIT: std::time::Duration = std::time::Duration::from_secs(2);
static HEAVY: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(HEAVY_AT_ONCE);
/// The most names `fields` and `include` take.
const MAX_NAMES: usize = 64;

const BROWSE: &[&str] = &["key", "include", "fields", "formats", "filter", "limit", "page", "order"];
const READ: &[&str] = &["key", "include", "fields", "formats"];

/// The routes under `prefix` (`/ghost/api/content`, or a versioned one).
pub fn mount(r: &mut Routes<'_>, prefix: &str) {
    let at = |path: &str| format!("{prefix}{path}");
    r.get(&at("/posts/"), browse_posts).get(&at("/posts/{id}/"), read_post).get(&at("/posts/slug/{slug}/"), read_post);
    r.get(&at("/pages/"), browse_pages).get(&at("/pages/{id}/"), read_page).get(&at("/pages/slug/{slug}/"), read_page);
    r.get(&at("/tags/"), browse_tags).get(&at("/tags/{id}/"), read_tag).get(&at("/tags/slug/{slug}/"), read_tag);
    r.get(&at("/authors/"), browse_authors)
        .get(&at("/authors/{id}/"), read_author)
        .get(&at("/authors/slug/{slug}/"), read_author);
    r.get(&at("/settings/"), settings);
}

/// Browsers send `Accept-Version` (so they ask first) and may read `Content-Version`.
pub fn cors() -> actix_cors::Cors {
    actix_cors::Cors::default()
        .allow_any_origin()
        .send_wildcard()
        .allowed_methods(["GET", "HEAD", "OPTIONS"])
        .allowed_headers(["Accept-Version", "If-None-Match"])
        .expose_headers(["ETag", "Content-Version"])
        .max_age(86_400)
}

fn invalid(name: &str, reason: impl Into<String>) -> GhostError {
    GhostError(ApiError::Invalid(vec![InvalidParam { name: name.to_owned(), reason: reason.into() }]))
}

/// The parameters a route knows (others ignored), each at most once, and
/// their canonical text for the cache key.
struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    fn parse(req: &HttpRequest, known: &[&str]) -> Result<Self, GhostError> {
        let mut pairs: Vec<(String, String)> = Vec::new();
        for (name, value) in url::form_urlencoded::parse(req.query_string().as_bytes()) {
            if !known.contains(&name.as_ref()) {
                continue;
            }
            if pairs.iter().any(|(n, _)| *n == name) {
                return Err(invalid(&name, "is given more than once"));
            }
            pairs.push((name.into_owned(), value.into_owned()));
        }
        pairs.sort();
        Ok(Self { pairs })
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.pairs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// A comma list (`include=tags,authors`), trimmed, each name one of
    /// `allowed` when given.
    fn names(&self, name: &str, allowed: Option<&[&str]>) -> Result<Vec<String>, GhostError> {
        let Some(raw) = self.get(name) else { return Ok(Vec::new()) };
        let names: Vec<String> = raw.split(',').map(str::trim).filter(|n| !n.is_empty()).map(str::to_owned).collect();
        if names.len() > MAX_NAMES {
            return Err(invalid(name, format!("takes at most {MAX_NAMES} names")));
        }
        if let Some(allowed) = allowed
            && let Some(unknown) = names.iter().find(|n| !allowed.contains(&n.as_str()))
        {
            return Err(invalid(name, format!("does not take {unknown:?}: one of {}", allowed.join(", "))));
        }
        Ok(names)
    }

    /// `fields`: which of the answer's fields to keep (`None`: all). Names
    /// the answer lacks are ignored, as Ghost ignores them: [`only`] keeps
    /// fields of the public type, so no name can reach anything else.
    fn fields(&self) -> Result<Option<Vec<String>>, GhostError> {
        self.get("fields").map(|_| self.names("fields", None)).transpose()
    }

    /// The response cache's key: the path and the known parameters, plus
    /// the day a relative date was resolved on.
    fn cache_key(&self, req: &HttpRequest, relative: bool) -> String {
        let mut key = url::form_urlencoded::Serializer::new(format!("{}?", req.path()));
        for (name, value) in &self.pairs {
            key.append_pair(name, value);
        }
        if relative {
            key.append_pair("day", &Utc::now().date_naive().to_string());
        }
        key.finish()
    }
}

/// The content key: present, and a live token of the `content` scope.
async fn check_key(state: &AppState, query: &Query) -> Result<(), GhostError> {
    let unknown = GhostError(ApiError::Unauthorized("Unknown Content API Key"));
    let Some(key) = query.get("key").filter(|k| k.len() >= 26 && k.len() <= 128) else { return Err(unknown) };
    let token = state.store.auth().use_api_token(Secret::presented(key).hash()).await?;
    match token {
        Some(token) if token.scope == TokenScope::Content => Ok(()),
        _ => Err(unknown),
    }
}

/// How many per page: 1-100, or `all` (up to [`MAX_BROWSE_PAGE`]).
#[derive(Debug, Clone, Copy)]
enum Limit {
    Count(u32),
    All,
}

impl Limit {
    fn parse(query: &Query) -> Result<Self, GhostError> {
        match query.get("limit") {
            None => Ok(Self::Count(DEFAULT_LIMIT)),
            Some("all") => Ok(Self::All),
            Some(raw) => match raw.parse::<u32>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => Ok(Self::Count(n)),
                _ => Err(invalid("limit", format!("is a whole number from 1 to {MAX_LIMIT}, or all"))),
            },
        }
    }

    fn rows(self) -> u32 {
        match self {
            Self::Count(n) => n,
            Self::All => MAX_BROWSE_PAGE,
        }
    }
}

#[derive(Serialize)]
struct Pagination {
    page: u32,
    limit: serde_json::Value,
    pages: i64,
    total: i64,
    next: Option<i64>,
    prev: Option<i64>,
}

impl Pagination {
    fn new(page: u32, limit: Limit, total: i64) -> Self {
        let rows = i64::from(limit.rows());
        let pages = ((total + rows - 1) / rows).max(1);
        let page_n = i64::from(page);
        Self {
            page,
            limit: match limit {
                Limit::Count(n) => json!(n),
                Limit::All => json!("all"),
            },
            pages,
            total,
            next: (page_n < pages).then_some(page_n + 1),
            prev: (page_n > 1).then_some(page_n - 1),
        }
    }
}

/// A browse's filter, order and page from the query, against `F`'s
/// allowlist; and whether the filter holds a relative date.
fn browse_of<F: Fields>(
    query: &Query,
    sortable: fn(&str) -> Option<F>,
) -> Result<(Browse<F>, Limit, bool), GhostError> {
    let limit = Limit::parse(query)?;
    let page = match query.get("page") {
        None => 1,
        Some(raw) => {
            raw.parse::<u32>().ok().filter(|p| *p >= 1).ok_or_else(|| invalid("page", "is a whole number from 1"))?
        }
    };
    let checked = query
        .get("filter")
        .map(|text| nql::parse_checked::<F>(text, Utc::now().date_naive()))
        .transpose()
        .map_err(|e| invalid("filter", e.to_string()))?;
    let order =
        query.get("order").map(|text| nql::parse_order(text, sortable)).transpose().map_err(|e| invalid("order", e))?;
    let relative = checked.as_ref().is_some_and(|c| c.relative);
    let browse =
        Browse { filter: checked.map(|c| c.filter), order: order.unwrap_or_default(), page, limit: limit.rows() };
    if browse.offset().is_none() {
        return Err(invalid("page", format!("page × limit is at most {MAX_BROWSE_DEPTH}: narrow the filter instead")));
    }
    Ok((browse, limit, relative))
}

/// One item by the id or slug the path names, as a filter.
fn one_of<F>(req: &HttpRequest, id: F, slug: F) -> Browse<F> {
    let (field, value) = match (req.match_info().get("slug"), req.match_info().get("id")) {
        (Some(slug_value), _) => (slug, slug_value.to_lowercase()),
        (None, id_value) => (id, id_value.unwrap_or_default().to_owned()),
    };
    let filter = Filter::Test { field, op: Op::Eq, negated: false, values: vec![Value::Text(value)] };
    Browse { filter: Some(filter), order: Vec::new(), page: 1, limit: 1 }
}

/// `Content-Version`: the version the client accepts when it is one
/// (`v5.0`), else Ghost 5's.
fn content_version(req: &HttpRequest) -> HeaderValue {
    let asked = req.headers().get("accept-version").and_then(|v| v.to_str().ok()).filter(|v| {
        v.strip_prefix('v').and_then(|rest| rest.split_once('.')).is_some_and(|(major, minor)| {
            (1..=3).contains(&major.len())
                && (1..=3).contains(&minor.len())
                && major.bytes().chain(minor.bytes()).all(|b| b.is_ascii_digit())
        })
    });
    asked.and_then(|v| HeaderValue::from_str(v).ok()).unwrap_or(HeaderValue::from_static("v5.0"))
}

/// Check the key, then answer from the cache or `build` (cached too).
async fn answer<T, Fut>(
    req: &HttpRequest,
    state: &AppState,
    query: &Query,
    relative: bool,
    build: impl FnOnce() -> Fut,
) -> Result<HttpResponse, GhostError>
where
    T: Serialize,
    Fut: Future<Output = Result<T, GhostError>>,
{
    check_key(state, query).await?;
    let key = query.cache_key(req, relative);
    let mut response = crate::rest::public_response_keyed(req, state, key, || async {
        build().await.map_err(|GhostError(error)| error).and_then(|value| Body::json(&value))
    })
    .await?;
    response.headers_mut().insert(HeaderName::from_static("content-version"), content_version(req));
    // One Vary value (CORS rewrites the first and would drop a second).
    let vary = actix_web::http::header::VARY;
    let varies = match response.headers().get(&vary).and_then(|v| v.to_str().ok()) {
        Some(existing) => HeaderValue::from_str(&format!("{existing}, Accept-Version")).ok(),
        None => Some(HeaderValue::from_static("Accept-Version")),
    };
    if let Some(varies) = varies {
        response.headers_mut().insert(vary, varies);
    }
    Ok(response)
}

/// What no route under `/ghost/api` takes, in Ghost's shape: a path
/// without its trailing slash is sent to the one with it (as Ghost does),
/// a known path with another method is a 405, anything else a 404.
pub async fn not_found(req: HttpRequest) -> Result<HttpResponse, GhostError> {
    let table = crate::route_table();
    if let Some(allow) = table.allow(req.path()) {
        return Err(GhostError(ApiError::MethodNotAllowed { allow }));
    }
    let slashed = format!("{}/", req.path());
    if !req.path().ends_with('/') && table.allow(&slashed).is_some() {
        let query = req.query_string();
        let location = if query.is_empty() { slashed } else { format!("{slashed}?{query}") };
        return Ok(HttpResponse::MovedPermanently()
            .insert_header((actix_web::http::header::LOCATION, location))
            .finish());
    }
    Err(GhostError(ApiError::NotFound))
}

// ------------------------------------------------------------------ posts

/// What a post answer includes, from `include`, `formats` and `fields`.
fn post_extras(query: &Query) -> Result<(PostExtras, Option<Vec<String>>), GhostError> {
    let include = query.names("include", Some(&["tags", "authors"]))?;
    let formats = query.get("formats").map(|_| query.names("formats", Some(&["html", "plaintext"]))).transpose()?;
    let formats = formats.unwrap_or_else(|| vec!["html".to_owned()]);
    let fields = query.fields()?;
    let wanted = |name: &str| fields.as_ref().is_none_or(|f| f.iter().any(|n| n == name));
    let extras = PostExtras {
        tags: include.iter().any(|n| n == "tags"),
        authors: include.iter().any(|n| n == "authors"),
        html: formats.iter().any(|n| n == "html") && wanted("html"),
        plaintext: formats.iter().any(|n| n == "plaintext") && wanted("plaintext"),
    };
    Ok((extras, fields))
}

/// A page of posts as JSON values, `fields` applied.
async fn posts_json(
    state: &AppState,
    browse: Browse<PostField>,
    extras: PostExtras,
    fields: Option<&[String]>,
) -> Result<(Vec<serde_json::Value>, i64), GhostError> {
    let bodies = (extras.html || extras.plaintext).then_some(BODY_BUDGET);
    let _turn = if bodies.is_some() && browse.limit > MAX_LIMIT {
        let turn = tokio::time::timeout(HEAVY_WAIT, HEAVY.acquire()).await;
        Some(turn.ok().and_then(Result::ok).ok_or(GhostError(ApiError::Unavailable))?)
    } else {
        None
    };
    let browsed = state.store.browse().posts(browse, bodies).await?.map_err(|too| {
        invalid(
            "limit",
            format!(
                "asks for posts holding {} bytes of HTML together, more than {BODY_BUDGET}: ask for fewer, or for fields without html",
                too.bytes
            ),
        )
    })?;
    let items = browsed
        .items
        .iter()
        .map(|item| {
            let post = match item {
                BrowsedPost::Whole(post) => Some(post),
                BrowsedPost::Card(_) => None,
            };
            let value = serde_json::to_value(GhostPost::new(item.card(), post, extras, &state.site))
                .map_err(|_| GhostError(ApiError::Internal))?;
            Ok(only(value, fields))
        })
        .collect::<Result<_, GhostError>>()?;
    Ok((items, browsed.total))
}

async fn browse_posts(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, GhostError> {
    let query = Query::parse(&req, BROWSE)?;
    let (browse, limit, relative) = browse_of(&query, PostField::sortable)?;
    let (extras, fields) = post_extras(&query)?;
    let page = browse.page;
    answer(&req, &state, &query, relative, || async {
        let (posts, total) = posts_json(&state, browse, extras, fields.as_deref()).await?;
        Ok(json!({ "posts": posts, "meta": { "pagination": Pagination::new(page, limit, total) } }))
    })
    .await
}

async fn read_post(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, GhostError> {
    let query = Query::parse(&req, READ)?;
    let (extras, fields) = post_extras(&query)?;
    let browse = one_of(&req, PostField::Id, PostField::Slug);
    answer(&req, &state, &query, false, || async {
        let (posts, _) = posts_json(&state, browse, extras, fields.as_deref()).await?;
        if posts.is_empty() {
            return Err(GhostError(ApiError::NotFound));
        }
        Ok(json!({ "posts": posts }))
    })
    .await
}

// ------------------------------------------------------------------ pages

/// Longform has no pages: an empty browse, and no page to read.
async fn browse_pages(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, GhostError> {
    let query = Query::parse(&req, BROWSE)?;
    let (browse, limit, relative) = browse_of(&query, PostField::sortable)?;
    post_extras(&query)?;
    answer(&req, &state, &query, relative, || async {
        Ok(json!({ "pages": [], "meta": { "pagination": Pagination::new(browse.page, limit, 0) } }))
    })
    .await
}

async fn read_page(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, GhostError> {
    let query = Query::parse(&req, READ)?;
    post_extras(&query)?;
    answer(&req, &state, &query, false, || async { Err::<(), _>(GhostError(ApiError::NotFound)) }).await
}

// ------------------------------------------------------------------ tags and authors

/// Tags or authors: browse and read, written once.
macro_rules! term_handlers {
    ($browse:ident, $read:ident, $repo:ident, $wire:ident, $plural:literal) => {
        async fn $browse(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, GhostError> {
            let query = Query::parse(&req, BROWSE)?;
            let (browse, limit, relative) = browse_of(&query, TermField::sortable)?;
            let counted = !query.names("include", Some(&["count.posts"]))?.is_empty();
            let fields = query.fields()?;
            let page = browse.page;
            answer(&req, &state, &query, relative, || async {
                let browsed = state.store.browse().$repo(browse).await?;
                let items = browsed
                    .items
                    .iter()
                    .map(|c| {
                        let value = serde_json::to_value($wire::new(&c.item, counted.then_some(c.published_posts), &state.site));
                        Ok(only(value.map_err(|_| GhostError(ApiError::Internal))?, fields.as_deref()))
                    })
                    .collect::<Result<Vec<_>, GhostError>>()?;
                Ok(json!({ $plural: items, "meta": { "pagination": Pagination::new(page, limit, browsed.total) } }))
            })
            .await
        }

        async fn $read(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, GhostError> {
            let query = Query::parse(&req, READ)?;
            let counted = !query.names("include", Some(&["count.posts"]))?.is_empty();
            let fields = query.fields()?;
            let browse = one_of(&req, TermField::Id, TermField::Slug);
            answer(&req, &state, &query, false, || async {
                let browsed = state.store.browse().$repo(browse).await?;
                let Some(c) = browsed.items.first() else { return Err(GhostError(ApiError::NotFound)) };
                let value = serde_json::to_value($wire::new(&c.item, counted.then_some(c.published_posts), &state.site))
                    .map_err(|_| GhostError(ApiError::Internal))?;
                Ok(json!({ $plural: [only(value, fields.as_deref())] }))
            })
            .await
        }
    };
}

term_handlers!(browse_tags, read_tag, tags, GhostTag, "tags");
term_handlers!(browse_authors, read_author, authors, GhostAuthor, "authors");

// ------------------------------------------------------------------ settings

async fn settings(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, GhostError> {
    let query = Query::parse(&req, &["key"])?;
    answer(&req, &state, &query, false, || async {
        Ok(json!({ "settings": GhostSettings::new(&state.site), "meta": {} }))
    })
    .await
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    fn key(query: &str, relative: bool) -> String {
        let req = TestRequest::get().uri(&format!("/ghost/api/content/posts/?{query}")).to_http_request();
        Query::parse(&req, BROWSE).map(|q| q.cache_key(&req, relative)).unwrap_or_default()
    }

    /// Unknown parameters and their order make no answers of their own; a
    /// relative date's answer is kept for its day only.
    #[test]
    fn the_cache_key_is_the_known_parameters_in_order_and_a_relative_dates_day() {
        assert_eq!(key("limit=2&key=k&utm_source=x&zzz=1", false), key("key=k&limit=2", false));
        assert_ne!(key("key=k&limit=2", false), key("key=k&limit=3", false));
        let today = Utc::now().date_naive().to_string();
        assert!(key("key=k&filter=x", true).contains(&today));
        assert!(!key("key=k&filter=x", false).contains(&today));
    }
}
