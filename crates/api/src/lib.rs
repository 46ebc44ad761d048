//! Longform's HTTP surface: the routes, the error mapping and the shared
//! application state. The binary builds an `AppState` and hands it to
//! [`configure`].

pub mod cache;
pub mod docs;
pub mod error;
pub mod health;
pub mod metrics;
pub mod rest;
pub mod site;

use actix_web::{HttpResponse, web};
use longform_persistence::Store;

pub use error::ApiError;
pub use site::Site;

/// What every handler can reach.
pub struct AppState {
    pub store: Store,
    pub site: Site,
    pub cache: cache::ResponseCache,
}

impl AppState {
    pub fn new(store: Store, site: Site) -> Self {
        Self { store, site, cache: cache::ResponseCache::default() }
    }
}

/// Mount every route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(health::healthz)
        .service(health::readyz)
        .service(metrics::metrics)
        .service(docs::openapi)
        .configure(rest::configure)
        .default_service(web::to(not_found));
}

async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound)
}
