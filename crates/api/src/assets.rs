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

use std::sync::{Arc, OnceLock};

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};

use crate::ApiError;
use crate::cache::{self, Cached};

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
    /// The file with its compressed variants, made once.
    file: Arc<Cached>,
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
                let file =
                    Cached::new(StatusCode::OK, HeaderValue::from_static(content_type), Bytes::from_static(bytes));
                Asset { path: format!("/assets/{stem}.{hash}.{ext}"), name, file: file.long_lived() }
            })
            .collect()
    })
}

/// The URL path a page loads `name` from.
pub fn path(name: &str) -> &'static str {
    assets().iter().find(|a| a.name == name).map_or("/assets/missing", |a| a.path.as_str())
}

/// `GET /assets/{file}`: an embedded file by its hashed name, in the
/// coding the browser prefers.
pub async fn serve(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let asset = assets().iter().find(|a| a.path == req.path()).ok_or(ApiError::NotFound)?;
    Ok(cache::respond(&req, &asset.file, &HeaderValue::from_static("public, max-age=31536000, immutable")))
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
