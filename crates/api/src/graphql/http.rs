//! The `/graphql` handlers. A GET is a public read like any REST one:
//! cached in memory by its query string less the tracking parameters
//! (`utm_*`, `fbclid`, ...: they share the entry), with an ETag and the site's
//! `Cache-Control`. A POST is cached in memory too, by a hash of its
//! query, operation name and variables, but answered `Cache-Control:
//! no-store` without an ETag: shared caches do not key on bodies. Both
//! go out in the compressed variant the request prefers (see
//! [`crate::cache`]). Only
//! answers without errors are cached; every entry dies with the store
//! generation it was built at.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, web};
use async_graphql::{ServerError, Value, Variables};
use serde_json::json;

use super::apq::sha256_hex;
use super::loaders::with_loaders;
use super::wire::{Accepted, Failure, Media, Prepared, Resolved, WireRequest, negotiate};
use super::{MAX_RESPONSE_BYTES, graphiql};
use crate::AppState;
use crate::cache::{Cached, respond, respond_private};

/// `GET /graphql`: a query in the query string, or GraphiQL for a browser.
pub async fn get(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let media = match negotiate(req.headers(), state.graphql.explorer) {
        Accepted::Html => return graphiql::page(),
        Accepted::NotAcceptable => return not_acceptable(),
        Accepted::Media(media) => media,
    };
    // Looked up by the query string as sent, tracking parameters left out:
    // a hit parses nothing.
    let query_string = crate::params::without_tracking(req.query_string());
    let key = format!("GET /graphql?{query_string}\n{}", media.content_type());
    let generation = state.store.generation();
    let cache_control = &state.cache_control;
    if state.site.response_cache
        && let Some(hit) = state.cache.get(&key, generation)
    {
        return respond(&req, &hit, cache_control);
    }
    let prepared = WireRequest::from_query_string(&query_string)
        .and_then(|wire| Resolved::new(wire, &state.graphql.persisted))
        .and_then(|resolved| Prepared::new(resolved, &Method::GET));
    let prepared = match prepared {
        Ok(prepared) => prepared,
        Err(failure) => return refuse(&failure, media),
    };
    let (status, body, cacheable) = execute(&state, prepared, media).await;
    if !cacheable {
        return answer(status, media, body);
    }
    let mut cached = Cached::new(status, HeaderValue::from_static(media.content_type()), body);
    cached.headers.push((header::VARY, HeaderValue::from_static("Accept")));
    let cached = if state.site.response_cache { state.cache.put(key, generation, cached) } else { cached.into() };
    respond(&req, &cached, cache_control)
}

/// `POST /graphql`: a JSON body of at most 256 KiB.
pub async fn post(req: HttpRequest, payload: web::Payload, state: web::Data<AppState>) -> HttpResponse {
    let media = match negotiate(req.headers(), false) {
        Accepted::Media(media) => media,
        Accepted::Html | Accepted::NotAcceptable => return not_acceptable(),
    };
    let resolved = match WireRequest::from_body(&req, payload).await {
        Ok(wire) => Resolved::new(wire, &state.graphql.persisted),
        Err(failure) => Err(failure),
    };
    let resolved = match resolved {
        Ok(resolved) => resolved,
        Err(failure) => return refuse(&failure, media),
    };
    let key = post_key(&resolved, media);
    let generation = state.store.generation();
    if state.site.response_cache
        && let Some(hit) = state.cache.get(&key, generation)
    {
        return respond_private(&req, &hit);
    }
    let prepared = match Prepared::new(resolved, &Method::POST) {
        Ok(prepared) => prepared,
        Err(failure) => return refuse(&failure, media),
    };
    let (status, body, cacheable) = execute(&state, prepared, media).await;
    if cacheable && state.site.response_cache {
        let mut cached = Cached::new(status, HeaderValue::from_static(media.content_type()), body);
        cached.headers.push((header::VARY, HeaderValue::from_static("Accept")));
        // Answered from the entry, so that later readers share its variants.
        return respond_private(&req, &state.cache.put(key, generation, cached));
    }
    answer(status, media, body)
}

/// Any method the route table has no route for at this path.
pub async fn method_not_allowed(req: HttpRequest) -> HttpResponse {
    let allow = crate::route_table().allow(req.path()).unwrap_or_default();
    let failure = Failure::new(StatusCode::METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED", format!("use {allow}"));
    let mut response = refuse(&failure, Media::Json);
    response.headers_mut().insert(header::ALLOW, HeaderValue::from_static(allow));
    response
}

/// A POST's cache key: the hash of what decides its answer.
fn post_key(resolved: &Resolved, media: Media) -> String {
    let variables = serde_json::to_string(&resolved.variables).unwrap_or_default();
    let name = resolved.operation_name.as_deref().unwrap_or_default();
    let digest = sha256_hex(&format!("{}\0{name}\0{variables}", resolved.query));
    format!("POST /graphql\n{digest}\n{}", media.content_type())
}

/// Run the request; the status, the body, and whether it may be cached
/// (no error of any kind).
async fn execute(state: &web::Data<AppState>, prepared: Prepared, media: Media) -> (StatusCode, Bytes, bool) {
    let Prepared { resolved, document, introspection_only, .. } = prepared;
    let schema = if introspection_only { &state.graphql.introspection } else { &state.graphql.schema };
    let mut request =
        async_graphql::Request::new(resolved.query).variables(Variables::from_json(resolved.variables.into()));
    if let Some(name) = resolved.operation_name {
        request = request.operation_name(name);
    }
    request.set_parsed_query(document);
    let response = schema.execute(with_loaders(request, state.clone())).await;
    encode(response, media)
}

/// A response that never ran (a bad document, too deep, too complex) has
/// no `data` and is a 400 in GraphQL's own media type; one that ran is a
/// 200 whatever its field errors.
fn encode(mut response: async_graphql::Response, media: Media) -> (StatusCode, Bytes, bool) {
    let not_run = response.data == Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty());
    let body = if not_run {
        response.errors.iter_mut().for_each(|e| with_default_code(e, "GRAPHQL_VALIDATION_FAILED"));
        serde_json::to_vec(&json!({ "errors": response.errors }))
    } else {
        serde_json::to_vec(&response)
    };
    match body {
        Ok(body) if body.len() > MAX_RESPONSE_BYTES => (StatusCode::OK, too_large(), false),
        Ok(body) if not_run && media == Media::GraphqlResponse => (StatusCode::BAD_REQUEST, body.into(), false),
        Ok(body) => (StatusCode::OK, body.into(), response.errors.is_empty()),
        Err(e) => {
            tracing::error!(error = %e, "serialising a graphql response failed");
            (StatusCode::INTERNAL_SERVER_ERROR, internal_error(), false)
        }
    }
}

fn with_default_code(error: &mut ServerError, code: &str) {
    let extensions = error.extensions.get_or_insert_with(Default::default);
    if extensions.get("code").is_none() {
        extensions.set("code", code);
    }
}

/// An answer past [`MAX_RESPONSE_BYTES`]: the operation ran, so GraphQL
/// over HTTP says 200, with an error in place of the data.
fn too_large() -> Bytes {
    let message = format!("the answer is larger than {MAX_RESPONSE_BYTES} bytes: ask for fewer items or fields");
    let body =
        json!({ "data": null, "errors": [{ "message": message, "extensions": { "code": "RESPONSE_TOO_LARGE" } }] });
    serde_json::to_vec(&body).map_or_else(|_| internal_error(), Bytes::from)
}

fn internal_error() -> Bytes {
    Bytes::from_static(br#"{"errors":[{"message":"Internal error","extensions":{"code":"INTERNAL"}}]}"#)
}

/// An answer not to be stored by any cache.
fn answer(status: StatusCode, media: Media, body: Bytes) -> HttpResponse {
    HttpResponse::build(status)
        .content_type(media.content_type())
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::VARY, "Accept"))
        .body(body)
}

/// A refusal as a GraphQL response: `{"errors": [{message, extensions: {code}}]}`.
fn refuse(failure: &Failure, media: Media) -> HttpResponse {
    let body = json!({ "errors": [{ "message": failure.message, "extensions": { "code": failure.code } }] });
    let status = if failure.request_error && media == Media::Json { StatusCode::OK } else { failure.status };
    let body = serde_json::to_vec(&body).map_or_else(|_| internal_error(), Bytes::from);
    let mut response = answer(status, media, body);
    if status == StatusCode::METHOD_NOT_ALLOWED {
        response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("POST"));
    }
    response
}

fn not_acceptable() -> HttpResponse {
    let message = "accept application/graphql-response+json or application/json";
    refuse(&Failure::new(StatusCode::NOT_ACCEPTABLE, "NOT_ACCEPTABLE", message), Media::Json)
}

#[cfg(test)]
mod tests {
    use async_graphql::Response;

    use super::*;

    #[test]
    fn an_answer_past_the_limit_becomes_an_error() {
        let fits = Response::new(Value::String("x".repeat(1024)));
        let (status, body, cacheable) = encode(fits, Media::GraphqlResponse);
        assert_eq!((status, cacheable), (StatusCode::OK, true));
        assert!(body.len() > 1024);

        let huge = Response::new(Value::String("x".repeat(MAX_RESPONSE_BYTES)));
        let (status, body, cacheable) = encode(huge, Media::GraphqlResponse);
        assert_eq!((status, cacheable), (StatusCode::OK, false));
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["data"], serde_json::Value::Null);
        assert_eq!(body["errors"][0]["extensions"]["code"], "RESPONSE_TOO_LARGE");
    }
}
