//! `GET /metrics`: the Prometheus text format. The statement counter makes
//! the cost of a request visible (read it, make the request, read it
//! again), so nothing read here runs on a counted connection: the backlog
//! gauges come from persistence's own uncounted connection.

pub mod http;
pub mod text;

use std::time::Duration;

use actix_web::{HttpResponse, web};
use longform_persistence::Gauges;
use longform_persistence::Store;
use longform_persistence::facades::GaugeReader;

use crate::{ApiError, AppState};
use text::Text;

/// How long a scrape waits for the database gauges before leaving them out.
const GAUGES_TIMEOUT: Duration = Duration::from_secs(2);

/// What `/metrics` reports that is not read from elsewhere at scrape time.
pub struct Metrics {
    pub http: http::HttpMetrics,
    gauges: GaugeReader,
}

impl Metrics {
    /// Request series for each of `routes` (patterns as the router spells them).
    pub fn new(store: &Store, routes: impl IntoIterator<Item = &'static str>) -> Self {
        Self { http: http::HttpMetrics::new(routes), gauges: GaugeReader::new(store) }
    }
}

/// `GET /metrics`; a 404 when the `metrics` setting is off.
pub async fn metrics(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    if !state.site.metrics {
        return Err(ApiError::NotFound);
    }
    let gauges = match tokio::time::timeout(GAUGES_TIMEOUT, state.metrics.gauges.read()).await {
        Ok(Ok(gauges)) => Some(gauges),
        Ok(Err(error)) => {
            tracing::warn!(%error, "metrics: cannot read the database gauges");
            None
        }
        Err(_) => {
            tracing::warn!(timeout_ms = GAUGES_TIMEOUT.as_millis(), "metrics: the database gauges timed out");
            None
        }
    };
    let mut text = Text::default();
    store_metrics(&mut text, &state.store);
    cache_metrics(&mut text, &state);
    if let Some(gauges) = gauges {
        gauge_metrics(&mut text, &gauges);
    }
    state.metrics.http.render(&mut text);
    Ok(HttpResponse::Ok()
        .content_type(text::CONTENT_TYPE)
        .insert_header(("Cache-Control", "no-store"))
        .body(text.into_string()))
}

fn store_metrics(text: &mut Text, store: &Store) {
    text.single(
        "longform_db_statements_total",
        "counter",
        "SQL statements run by this process.",
        store.statements_executed(),
    );
    text.single(
        "longform_content_generation",
        "counter",
        "Writes seen by this process (moves on every write).",
        store.generation(),
    );
    let waits = store.pool_waits();
    text.single(
        "longform_db_pool_checkouts_total",
        "counter",
        "Connections taken from the database pools.",
        waits.checkouts,
    );
    text.single(
        "longform_db_pool_wait_seconds_total",
        "counter",
        "Time spent waiting for a pooled connection, successful or not, in seconds.",
        waits.wait_micros as f64 / 1e6,
    );
    text.single(
        "longform_db_pool_timeouts_total",
        "counter",
        "Waits for a pooled connection that gave up.",
        waits.timeouts,
    );
}

fn cache_metrics(text: &mut Text, state: &AppState) {
    let (hits, misses) = state.cache.hits_and_misses();
    text.single("longform_response_cache_hits_total", "counter", "Public reads answered from memory.", hits);
    text.single(
        "longform_response_cache_misses_total",
        "counter",
        "Public reads the response cache could not answer.",
        misses,
    );
    text.single(
        "longform_response_cache_bytes",
        "gauge",
        "Bytes the response cache holds, compressed variants included.",
        state.cache.bytes(),
    );
}

fn gauge_metrics(text: &mut Text, gauges: &Gauges) {
    text.single(
        "longform_webhook_deliveries_pending",
        "gauge",
        "Webhook deliveries waiting to be sent (or retried).",
        gauges.pending_deliveries,
    );
    if let Some(age) = gauges.oldest_pending_seconds {
        text.single(
            "longform_webhook_oldest_pending_age_seconds",
            "gauge",
            "Age of the oldest pending webhook delivery, in seconds.",
            age,
        );
    }
    text.single(
        "longform_scheduled_posts_overdue",
        "gauge",
        "Scheduled posts more than 5 s past their time and still not published.",
        gauges.overdue_scheduled_posts,
    );
}
