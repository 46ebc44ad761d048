//! The editor API under `/api/v1/admin`: every route authenticates its
//! caller and checks the caller's role against the very object it writes.
//! Contributors and authors see only published posts and their own.
//! Writes to a post, a user account, a tag, a category or an author
//! profile need `If-Match` with its current ETag (its version): a stale
//! one is a 412 carrying the current version, a missing one a 428.

pub mod media;
pub mod posts;
pub mod preview;
pub mod taxonomy;
pub mod tokens;
pub mod users;
pub mod webhooks;
pub mod wire;

use actix_web::http::header::{ETAG, HeaderValue, IF_MATCH};
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;

use crate::error::ApiError;

/// The ETag of a post or an account at `version`.
pub fn version_etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// The version named by the request's `If-Match` (428 when there is none).
pub fn if_match(req: &HttpRequest) -> Result<i64, ApiError> {
    let header = req.headers().get(IF_MATCH).ok_or(ApiError::PreconditionRequired)?;
    let raw = header.to_str().unwrap_or_default().trim();
    let raw = raw.strip_prefix("W/").unwrap_or(raw);
    raw.trim_matches('"')
        .parse()
        .map_err(|_| ApiError::invalid("If-Match", "must be the ETag the resource was read with, e.g. \"3\""))
}

/// A JSON answer that is never cached and carries the resource's version as its ETag.
pub fn versioned<T: Serialize>(status: actix_web::http::StatusCode, version: i64, body: &T) -> HttpResponse {
    let mut response = HttpResponse::build(status);
    if let Ok(value) = HeaderValue::from_str(&version_etag(version)) {
        response.insert_header((ETAG, value));
    }
    response.insert_header(("Cache-Control", "no-store")).json(body)
}

/// A JSON answer that is never cached.
pub fn private<T: Serialize>(status: actix_web::http::StatusCode, body: &T) -> HttpResponse {
    HttpResponse::build(status).insert_header(("Cache-Control", "no-store")).json(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn if_match_accepts_the_etag_and_requires_the_header() {
        let req = |value: &str| TestRequest::default().insert_header((IF_MATCH, value)).to_http_request();
        assert_eq!(if_match(&req("\"7\"")).unwrap(), 7);
        assert_eq!(if_match(&req("W/\"7\"")).unwrap(), 7);
        assert_eq!(if_match(&req("7")).unwrap(), 7);
        assert!(matches!(if_match(&req("\"abc\"")), Err(ApiError::Invalid(_))));
        assert!(matches!(if_match(&TestRequest::default().to_http_request()), Err(ApiError::PreconditionRequired)));
    }
}
