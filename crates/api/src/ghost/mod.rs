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
//! [`BODY_BUDGET`]; and answers are built [`BUILDS_AT_ONCE`] at a time.

pub mod error;
pub mod keys;
mod params;
pub mod wire;

use std::future::Future;

use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use longform_domain::nql::{PostField, TermField};
use longform_persistence::{Browse, BrowsedPost};
use serde::Serialize;
use serde_json::json;

use self::error::GhostError;
use self::params::{BROWSE, Pagination, Query, READ, browse_of, invalid, one_of};
use self::wire::{GhostAuthor, GhostPost, GhostSettings, GhostTag, PostExtras, only};
use crate::AppState;
use crate::error::ApiError;
use crate::rest::Body;
use crate::routes::Routes;

/// The most HTML one page of posts may carry, in bytes; a larger page is
/// a 400 asking for fewer posts or for fields without `html`.
pub const BODY_BUDGET: i64 = 64 << 20;
/// How many answers are built at once (the cache's misses), and how long
/// one waits for its turn before a 503. A content key is public by design
/// (it sits in every frontend's code), and a filter or an order off the
/// listing index reads every public post: so however many such requests
/// arrive, they hold two of the database's connections and the rest of
/// the site keeps the others; and the HTML held is two pages of
/// [`BODY_BUDGET`] at most.
const BUILDS_AT_ONCE: usize = 2;
const BUILD_WAIT: std::time::Duration = std::time::Duration::from_secs(5);
static BUILDS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(BUILDS_AT_ONCE);

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
    keys::check(state, query.get("key")).await?;
    let key = query.cache_key(req, relative);
    let mut response = crate::rest::public_response_keyed(req, state, key, || async {
        let turn = tokio::time::timeout(BUILD_WAIT, BUILDS.acquire()).await;
        let _turn = turn.ok().and_then(Result::ok).ok_or(ApiError::Unavailable)?;
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
    let known = ["html", "plaintext", "mobiledoc", "lexical"];
    let formats = query.get("formats").map(|_| query.names("formats", Some(&known))).transpose()?;
    let formats = formats.unwrap_or_else(|| vec!["html".to_owned()]);
    let fields = query.fields()?;
    let wanted = |name: &str| fields.as_ref().is_none_or(|f| f.iter().any(|n| n == name));
    let extras = PostExtras {
        tags: include.iter().any(|n| n == "tags"),
        authors: include.iter().any(|n| n == "authors"),
        html: formats.iter().any(|n| n == "html") && wanted("html"),
        plaintext: formats.iter().any(|n| n == "plaintext") && wanted("plaintext"),
        mobiledoc: formats.iter().any(|n| n == "mobiledoc") && wanted("mobiledoc"),
        lexical: formats.iter().any(|n| n == "lexical") && wanted("lexical"),
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
