//! The API's own description, served as committed (`GET /openapi.yaml`),
//! and a browsable reference page rendering it (`GET /docs`).

use std::sync::OnceLock;

use actix_web::{HttpResponse, web};

use crate::{AppState, assets};

/// The committed document, embedded at build time.
pub const OPENAPI_YAML: &str = include_str!("../../../openapi.yaml");

/// The committed document's server, which the served one replaces.
const COMMITTED_SERVER: &str = "\nservers:\n  - url: http://127.0.0.1:8080\n";

/// The document as served: the committed one naming `api_url` as its server.
pub fn served_openapi(api_url: &str) -> String {
    let quoted = serde_json::Value::from(api_url).to_string();
    OPENAPI_YAML.replacen(COMMITTED_SERVER, &format!("\nservers:\n  - url: {quoted}\n"), 1)
}

pub async fn openapi(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().content_type("application/yaml").body(state.openapi.clone())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_served_document_names_api_url_as_its_server() {
        assert!(OPENAPI_YAML.contains(COMMITTED_SERVER), "openapi.yaml's servers changed: update COMMITTED_SERVER");
        let served = served_openapi("https://api.example:8443/longform");
        assert!(served.contains("\nservers:\n  - url: \"https://api.example:8443/longform\"\n"));
        assert!(!served.contains("127.0.0.1:8080\n"));
    }
}
