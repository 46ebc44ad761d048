//! Longform's HTTP surface: the routes, the error mapping and the shared
//! application state. The binary builds an `AppState` and hands it to
//! [`configure`].

pub mod error;
pub mod health;

use actix_web::{HttpResponse, web};
use longform_persistence::Store;

pub use error::ApiError;

/// What every handler can reach.
pub struct AppState {
    pub store: Store,
}

/// Mount every route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(health::healthz).service(health::readyz).default_service(web::to(not_found));
}

async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound)
}
