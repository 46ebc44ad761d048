//! The editor app at `/admin`: the files `make admin` builds from `admin/`
//! into `assets/admin`, embedded in the binary, so serving it needs nothing
//! but this process.
//!
//! `/admin/assets/*` are Vite's content-hashed files: cached for a year as
//! immutable, compressed as the browser prefers. Every other path under
//! `/admin` (a deep link such as `/admin/posts/ID`) is the app's
//! `index.html`, `no-cache`, with a strict Content-Security-Policy: scripts
//! from this origin only and no inline script; styles from this origin plus
//! those carrying the response's nonce, which the page hands to CodeMirror
//! (whose editor writes `<style>` elements) through a meta tag.

use std::sync::{Arc, OnceLock};

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use include_dir::{Dir, include_dir};

use crate::ApiError;
use crate::cache::{self, Cached};

static BUILT: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/assets/admin");

/// Where the built `index.html` wants the response's nonce.
const NONCE_PLACEHOLDER: &str = "__CSP_NONCE__";

/// The Content-Security-Policy of the app's page, for a nonce. Images may
/// come from anywhere over https (a post may show any image); the preview
/// frame is a sandboxed `srcdoc` frame, which inherits this policy.
fn content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'none'; script-src 'self'; style-src 'self' 'nonce-{nonce}'; \
         img-src 'self' data: blob: https:; connect-src 'self'; frame-src 'self'; font-src 'self'; \
         base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, ext)| ext) {
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("woff2") => "font/woff2",
        Some("png") => "image/png",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    }
}

/// The hashed files, each with its compressed variants made on first use.
fn files() -> &'static [(String, Arc<Cached>)] {
    static FILES: OnceLock<Vec<(String, Arc<Cached>)>> = OnceLock::new();
    FILES.get_or_init(|| {
        let mut files = Vec::new();
        let mut dirs = vec![&BUILT];
        while let Some(dir) = dirs.pop() {
            dirs.extend(dir.dirs());
            for file in dir.files() {
                let path = file.path().to_string_lossy().replace('\\', "/");
                if !path.starts_with("assets/") {
                    continue;
                }
                let cached = Cached::new(
                    StatusCode::OK,
                    HeaderValue::from_static(content_type(&path)),
                    Bytes::from_static(file.contents()),
                );
                files.push((format!("/admin/{path}"), cached.long_lived()));
            }
        }
        files
    })
}

/// The path of one of the built files (for tests).
#[cfg(test)]
pub fn any_file() -> &'static str {
    files().first().map_or("/admin/assets/none", |(path, _)| path.as_str())
}

/// `GET /admin/assets/{file}`: a built file by its hashed name.
pub async fn asset(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let (_, file) = files().iter().find(|(path, _)| path == req.path()).ok_or(ApiError::NotFound)?;
    Ok(cache::respond(&req, file, &HeaderValue::from_static("public, max-age=31536000, immutable")))
}

/// `GET /admin` and every other path under it: the app's page.
pub async fn page() -> Result<HttpResponse, ApiError> {
    let index = BUILT.get_file("index.html").and_then(|f| f.contents_utf8()).ok_or(ApiError::NotFound)?;
    // 122 random bits, fresh for each response.
    let nonce = uuid::Uuid::new_v4().simple().to_string();
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, content_security_policy(&nonce)))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .body(index.replace(NONCE_PLACEHOLDER, &nonce)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_asks_for_a_nonce_and_every_file_it_loads_is_embedded() {
        let index = BUILT.get_file("index.html").and_then(|f| f.contents_utf8()).expect("assets/admin/index.html");
        assert!(index.contains(NONCE_PLACEHOLDER), "index.html has no nonce placeholder");
        assert!(!index.contains("<script>") && !index.contains("<style"), "inline script or style in index.html");
        for reference in index.split("\"/admin/").skip(1).filter_map(|rest| rest.split('"').next()) {
            let path = format!("/admin/{reference}");
            assert!(files().iter().any(|(p, _)| *p == path), "index.html loads {path}, which is not embedded");
        }
    }
}
