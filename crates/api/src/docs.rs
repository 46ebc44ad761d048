//! The API's own description, served as committed (`GET /openapi.yaml`),
//! and a browsable reference page rendering it (`GET /docs`).

use actix_web::HttpResponse;

/// The committed document, embedded at build time.
pub const OPENAPI_YAML: &str = include_str!("../../../openapi.yaml");

pub async fn openapi() -> HttpResponse {
    HttpResponse::Ok().content_type("application/yaml").body(OPENAPI_YAML)
}

/// The reference page: Redoc renders /openapi.yaml in the browser.
const DOCS_HTML: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Longform API reference</title>
</head>
<body>
<redoc spec-url="/openapi.yaml"></redoc>
<noscript>This page needs JavaScript; the raw description is at <a href="/openapi.yaml">/openapi.yaml</a>.</noscript>
<script src="https://cdn.redoc.ly/redoc/v2.1.5/bundles/redoc.standalone.js"></script>
</body>
</html>
"#;

pub async fn docs() -> HttpResponse {
    HttpResponse::Ok().content_type("text/html; charset=utf-8").body(DOCS_HTML)
}
