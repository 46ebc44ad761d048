//! Longform's HTTP surface: the routes, the error mapping and the shared
//! application state. The binary builds an `AppState` and hands it to
//! [`configure`].

pub mod admin;
pub mod auth;
pub mod body;
pub mod cache;
pub mod docs;
pub mod error;
pub mod graphql;
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
    pub auth: auth::Auth,
    pub graphql: graphql::Graphql,
}

impl AppState {
    pub fn new(store: Store, site: Site, keys: auth::jwt::Keys) -> Result<Self, ApiError> {
        Ok(Self {
            store,
            site,
            cache: cache::ResponseCache::default(),
            auth: auth::Auth::new(keys)?,
            graphql: graphql::Graphql::default(),
        })
    }
}

/// Mount every route. `body_limit` bounds every JSON request body.
pub fn configure(cfg: &mut web::ServiceConfig, body_limit: usize) {
    cfg.app_data(body::json_config(body_limit))
        .service(health::healthz)
        .service(health::readyz)
        .service(metrics::metrics)
        .service(docs::openapi)
        .service(web::scope("/api/v1/auth").configure(auth::routes::configure))
        .configure(admin::configure)
        .configure(rest::configure)
        .configure(graphql::configure)
        .default_service(web::to(not_found));
}

async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound)
}
