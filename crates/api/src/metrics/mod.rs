//! `GET /metrics`: counters in the Prometheus text format. The statement
//! counter makes the cost of a request visible: read it, make the request,
//! read it again.

use actix_web::{HttpResponse, get, web};

use crate::AppState;

#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    let body = format!(
        "# HELP longform_db_statements_total SQL statements run by this process.\n\
         # TYPE longform_db_statements_total counter\n\
         longform_db_statements_total {}\n\
         # HELP longform_content_generation Writes seen by this process (moves on every write).\n\
         # TYPE longform_content_generation counter\n\
         longform_content_generation {}\n",
        state.store.statements_executed(),
        state.store.generation(),
    );
    HttpResponse::Ok().content_type("text/plain; version=0.0.4").insert_header(("Cache-Control", "no-store")).body(body)
}
