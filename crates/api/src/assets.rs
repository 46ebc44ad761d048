//! The files the two browser pages need (`/docs`, which is Redoc, and
//! GraphiQL at `/graphql`), embedded in the binary so that both work with
//! no network but the server's: pinned builds vendored from npm
//! (`assets/vendor`, see its README) and the pages' own scripts.
//!
//! Each file is served at `/assets/{stem}.{hash}.{ext}`, the hash being the
//! first 16 hex digits of its SHA-256, with a year of immutable caching;
//! the pages are `no-cache`, so a new build's files are picked up at once.
//! The pages have no inline script, so they carry a strict
//! Content-Security-Policy: scripts, connections and everything else from
//! this origin only. Styles may be inline (Redoc's styled-components and
//! GraphiQL's editor write `<style>` elements) and workers may come from
//! `blob:` (Redoc's search index runs in one its own script creates).

use std::sync::OnceLock;

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use sha2::{Digest, Sha256};

use crate::ApiError;

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

/// What may be embedded: (name, content type, bytes).
const FILES: &[(&str, &str, &[u8])] = &[
    ("redoc.standalone.js", JS, include_bytes!("../assets/vendor/redoc.standalone.js")),
    ("react.production.min.js", JS, include_bytes!("../assets/vendor/react.production.min.js")),
    ("react-dom.production.min.js", JS, include_bytes!("../assets/vendor/react-dom.production.min.js")),
    ("graphiql.min.js", JS, include_bytes!("../assets/vendor/graphiql.min.js")),
    ("graphiql.min.css", CSS, include_bytes!("../assets/vendor/graphiql.min.css")),
    ("docs.js", JS, include_bytes!("../assets/docs.js")),
    ("graphiql.js", JS, include_bytes!("../assets/graphiql.js")),
];

/// The policy of both pages.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; connect-src 'self'; \
    img-src 'self' data:; font-src 'self' data:; style-src 'self' 'unsafe-inline'; worker-src 'self' blob:; \
    base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

struct Asset {
    /// `/assets/{stem}.{hash}.{ext}`
    path: String,
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
    etag: HeaderValue,
}

fn assets() -> &'static [Asset] {
    static ASSETS: OnceLock<Vec<Asset>> = OnceLock::new();
    ASSETS.get_or_init(|| {
        FILES
            .iter()
            .map(|&(name, content_type, bytes)| {
                let digest = Sha256::digest(bytes);
                let hash: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
                let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
                let etag = HeaderValue::from_str(&format!("\"{hash}\"")).unwrap_or(HeaderValue::from_static("\"\""));
                Asset { path: format!("/assets/{stem}.{hash}.{ext}"), name, content_type, bytes, etag }
            })
            .collect()
    })
}

/// The URL path a page loads `name` from.
pub fn path(name: &str) -> &'static str {
    assets().iter().find(|a| a.name == name).map_or("/assets/missing", |a| a.path.as_str())
}

/// `GET /assets/{file}`: an embedded file by its hashed name.
pub async fn serve(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let asset = assets().iter().find(|a| a.path == req.path()).ok_or(ApiError::NotFound)?;
    let fresh = req.headers().get(header::IF_NONE_MATCH).is_some_and(|tags| {
        tags.to_str().is_ok_and(|tags| tags.split(',').any(|t| t.trim() == "*" || asset.etag == t.trim()))
    });
    let mut response = if fresh { HttpResponse::NotModified() } else { HttpResponse::Ok() };
    response
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .insert_header((header::ETAG, asset.etag.clone()));
    if fresh {
        return Ok(response.finish());
    }
    Ok(response.content_type(asset.content_type).body(web::Bytes::from_static(asset.bytes)))
}

/// A page of HTML that loads its scripts from `/assets` only.
pub fn page(html: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .body(html)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_has_a_distinct_hashed_path() {
        let all = assets();
        assert_eq!(all.len(), FILES.len());
        for asset in all {
            assert!(asset.path.starts_with("/assets/") && asset.path.len() > "/assets/..".len() + 16, "{}", asset.path);
            assert_eq!(path(asset.name), asset.path);
            assert_eq!(all.iter().filter(|a| a.path == asset.path).count(), 1);
        }
        assert_eq!(path("docs.js").rsplit('.').next(), Some("js"));
    }
}
