//! The API's own description, served as committed (`GET /openapi.yaml`),
//! and a browsable reference page rendering it (`GET /docs`).

use std::sync::OnceLock;

use actix_web::HttpResponse;

use crate::assets;

/// The committed document, embedded at build time.
pub const OPENAPI_YAML: &str = include_str!("../../../openapi.yaml");

pub async fn openapi() -> HttpResponse {
    HttpResponse::Ok().content_type("application/yaml").body(OPENAPI_YAML)
}

/// The reference page: the vendored Redoc renders /openapi.yaml.
pub async fn docs() -> HttpResponse {
    static PAGE: OnceLock<String> = OnceLock::new();
    assets::page(PAGE.get_or_init(|| {
        format!(
            r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Longform API reference</title>
</head>
<body>
<div id="redoc"></div>
<noscript>This page needs JavaScript; the raw description is at <a href="/openapi.yaml">/openapi.yaml</a>.</noscript>
<script src="{redoc}"></script>
<script src="{init}"></script>
</body>
</html>
"#,
            redoc = assets::path("redoc.standalone.js"),
            init = assets::path("docs.js"),
        )
    }))
}
