//! The public REST API under `/api/v1`: anonymous, read-only, published
//! content only, every answer cached in memory and validated by ETag.

pub mod changes;
pub mod posts;
pub mod search;
pub mod taxonomy;
pub mod wire;

use std::future::Future;

use actix_web::http::StatusCode;
use actix_web::http::header::HeaderValue;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;

use crate::AppState;
use crate::cache::{Cached, respond};
use crate::error::ApiError;

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

/// A public answer before caching: its bytes, their type, extra headers.
pub struct Body {
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
    pub headers: Vec<(actix_web::http::header::HeaderName, HeaderValue)>,
}

impl Body {
    pub fn json<T: Serialize>(value: &T) -> Result<Self, ApiError> {
        let bytes = serde_json::to_vec(value).map_err(|e| {
            tracing::error!(error = %e, "serialising a response failed");
            ApiError::Internal
        })?;
        Ok(Self { content_type: "application/json", bytes, headers: Vec::new() })
    }
}

/// Answer a public GET from the response cache, or build, cache and answer
/// it. Errors are not cached: they are cheap, and must not outlive a fix.
pub async fn public_response<F, Fut>(req: &HttpRequest, state: &AppState, build: F) -> Result<HttpResponse, ApiError>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<Body, ApiError>>,
{
    let key = format!("{}?{}", req.path(), crate::params::without_tracking(req.query_string()));
    public_response_keyed(req, state, key, build).await
}

/// [`public_response`] under a key the caller made (from the parameters
/// that decide the answer, say).
pub async fn public_response_keyed<F, Fut>(
    req: &HttpRequest,
    state: &AppState,
    key: String,
    build: F,
) -> Result<HttpResponse, ApiError>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<Body, ApiError>>,
{
    let generation = state.store.generation();
    let cache_control = &state.cache_control;
    if let Some(hit) = state.site.response_cache.then(|| state.cache.get(&key, generation)).flatten() {
        return Ok(respond(req, &hit, cache_control));
    }
    let body = build().await?;
    let mut cached = Cached::new(StatusCode::OK, HeaderValue::from_static(body.content_type), body.bytes.into());
    cached.headers = body.headers;
    let cached = if state.site.response_cache { state.cache.put(key, generation, cached) } else { cached.into() };
    Ok(respond(req, &cached, cache_control))
}

/// [`public_response`] for a JSON value.
pub async fn public_json<T, F, Fut>(req: &HttpRequest, state: &AppState, build: F) -> Result<HttpResponse, ApiError>
where
    T: Serialize,
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<T, ApiError>>,
{
    public_response(req, state, || async { Body::json(&build().await?) }).await
}
