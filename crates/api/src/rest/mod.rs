//! The public REST API under `/api/v1`: anonymous, read-only, published
//! content only, every answer cached in memory and validated by ETag.

pub mod posts;
pub mod query;
pub mod taxonomy;
pub mod wire;

use std::future::Future;

use actix_web::http::StatusCode;
use actix_web::http::header::HeaderValue;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use crate::AppState;
use crate::cache::{Cached, respond};
use crate::error::ApiError;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1")
            .wrap(public_cors())
            .service(posts::list)
            .service(posts::show)
            .service(taxonomy::tags)
            .service(taxonomy::tag)
            .service(taxonomy::categories)
            .service(taxonomy::category)
            .service(taxonomy::authors)
            .service(taxonomy::author),
    );
}

/// Public reads may be fetched from any origin, without credentials.
pub fn public_cors() -> actix_cors::Cors {
    actix_cors::Cors::default()
        .allow_any_origin()
        .send_wildcard()
        .allowed_methods(["GET", "HEAD", "POST", "OPTIONS"])
        .allowed_headers(["Content-Type", "If-None-Match"])
        .expose_headers(["ETag", "Link"])
        .max_age(86_400)
}

/// Answer a public GET from the response cache, or build, cache and answer
/// it. Errors are not cached: they are cheap, and must not outlive a fix.
pub async fn public_json<T, F, Fut>(req: &HttpRequest, state: &AppState, build: F) -> Result<HttpResponse, ApiError>
where
    T: Serialize,
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<T, ApiError>>,
{
    let key = format!("{}?{}", req.path(), req.query_string());
    let generation = state.store.generation();
    let cache_control = state.site.cache_control();
    if let Some(hit) = state.site.response_cache.then(|| state.cache.get(&key, generation)).flatten() {
        return Ok(respond(req, &hit, &cache_control));
    }
    let value = build().await?;
    let body = serde_json::to_vec(&value).map_err(|e| {
        tracing::error!(error = %e, "serialising a response failed");
        ApiError::Internal
    })?;
    let cached = Cached::new(StatusCode::OK, HeaderValue::from_static("application/json"), body.into());
    let cached = if state.site.response_cache { state.cache.put(key, generation, cached) } else { cached.into() };
    Ok(respond(req, &cached, &cache_control))
}
