//! `GET /api/v1/posts` (the blog index, filtered and keyset-paginated) and
//! `GET /api/v1/posts/{slug}` (an article with its related posts).

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use longform_domain::Slug;
use longform_persistence::ListingFilter;
use serde::Serialize;

use super::wire::{CardJson, PostJson};
use super::{Body, public_json, public_response};
use crate::AppState;
use crate::error::ApiError;
use crate::params::{Params, encode_cursor};

/// How many related posts an article lists.
pub const RELATED_POSTS: usize = 3;

const LIST_PARAMS: &[&str] =
    &["limit", "after", "tag", "category", "author", "featured", "published_after", "published_before"];

#[derive(Serialize)]
struct Pagination {
    limit: u32,
    next_cursor: Option<String>,
    total: i64,
}

#[derive(Serialize)]
struct Meta {
    pagination: Pagination,
}

#[derive(Serialize)]
struct PostList {
    posts: Vec<CardJson>,
    meta: Meta,
}

#[derive(Serialize)]
struct OnePost {
    post: PostJson,
}

pub async fn list(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let params = Params::public(req.query_string(), LIST_PARAMS)?;
    let limit = params.limit()?;
    let after = params.cursor("after")?;
    let filter = ListingFilter {
        tag: params.slug("tag")?,
        category: params.slug("category")?,
        author: params.slug("author")?,
        featured: params.bool("featured")?,
        published_after: params.time("published_after")?,
        published_before: params.time("published_before")?,
    };
    public_response(&req, &state, || async {
        let (page, total) = state.store.posts().list_published_counted(filter, after, limit).await?;
        let mut body = Body::json(&PostList {
            posts: page.cards.iter().map(|c| CardJson::new(c, &state.site)).collect(),
            meta: Meta { pagination: Pagination { limit, next_cursor: page.next.as_ref().map(encode_cursor), total } },
        })?;
        body.headers.push((header::LINK, HeaderValue::from_static(FEED_LINKS)));
        Ok(body)
    })
    .await
}

/// Feed discovery on the index (RFC 8288 `Link`, as HTML's `<link rel=alternate>`).
const FEED_LINKS: &str = "</feed.json>; rel=\"alternate\"; type=\"application/feed+json\", \
     </feed.xml>; rel=\"alternate\"; type=\"application/rss+xml\", \
     </atom.xml>; rel=\"alternate\"; type=\"application/atom+xml\"";

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Params::public(req.query_string(), &[])?;
    // A malformed slug names no post: the same 404 as an unknown one.
    let slug = Slug::parse(&slug).map_err(|_| ApiError::NotFound)?;
    public_json(&req, &state, || async {
        let posts = state.store.posts();
        let post = posts.find_by_slug(slug).await?.filter(|p| p.card.is_public());
        let post = post.ok_or(ApiError::NotFound)?;
        let mut related = posts.related(vec![post.card.id], RELATED_POSTS).await?;
        let related = related.remove(&post.card.id).unwrap_or_default();
        Ok(OnePost { post: PostJson::new(&post, &related, &state.site) })
    })
    .await
}
