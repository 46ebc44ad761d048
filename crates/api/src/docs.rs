//! The API's own description, served as committed: `GET /openapi.yaml`.

use actix_web::{HttpResponse, get};

/// The committed document, embedded at build time.
pub const OPENAPI_YAML: &str = include_str!("../../../openapi.yaml");

#[get("/openapi.yaml")]
pub async fn openapi() -> HttpResponse {
    HttpResponse::Ok().content_type("application/yaml").body(OPENAPI_YAML)
}
