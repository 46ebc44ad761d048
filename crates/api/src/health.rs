//! Liveness and readiness for load balancers and orchestrators.

use std::time::Duration;

use actix_web::{HttpResponse, web};
use serde_json::json;

use crate::AppState;

/// How long readiness waits for the database before calling it down.
const READY_TIMEOUT: Duration = Duration::from_secs(2);

/// 200 while the process runs.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// 200 while the database answers, else 503: a replica whose database is
/// gone stops receiving traffic but keeps running, and comes back by itself.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let backend = state.store.backend().name();
    match tokio::time::timeout(READY_TIMEOUT, state.store.ping()).await {
        Ok(Ok(())) => HttpResponse::Ok().json(json!({ "status": "ready", "database": backend })),
        // The cause goes on the request's one (error) line.
        Ok(Err(error)) => unavailable(backend, crate::telemetry::chain(&error)),
        Err(_) => unavailable(backend, format!("the database did not answer within {READY_TIMEOUT:?}")),
    }
}

fn unavailable(backend: &str, cause: String) -> HttpResponse {
    let mut response = HttpResponse::ServiceUnavailable().json(json!({ "status": "unavailable", "database": backend }));
    response.extensions_mut().insert(crate::telemetry::Cause(format!("readiness check failed: {cause}")));
    response
}
