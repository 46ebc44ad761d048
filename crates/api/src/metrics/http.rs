//! Requests per route pattern and status class, with their latency. Every
//! series exists from the start (one per known route, plus `unmatched`
//! and `other`), so counting a request is a hash lookup and three relaxed
//! atomic additions: no lock, no allocation, no label formatting.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use actix_web::http::StatusCode;

use super::text::Text;
use crate::telemetry::UNMATCHED;

/// Upper bounds of the latency buckets, in microseconds (0.5 ms to 10 s).
const BUCKETS_MICROS: [u64; 14] = [
    500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000, 2_500_000, 5_000_000,
    10_000_000,
];
const CLASSES: [&str; 5] = ["1xx", "2xx", "3xx", "4xx", "5xx"];
/// A route pattern the table does not know (a route added without it).
const OTHER: &str = "other";

#[derive(Default)]
struct Histogram {
    count: AtomicU64,
    sum_micros: AtomicU64,
    /// Observations per bucket, not cumulative (an observation past the
    /// last bound is in `count` only).
    buckets: [AtomicU64; BUCKETS_MICROS.len()],
}

impl Histogram {
    fn observe(&self, micros: u64) {
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_micros.fetch_add(micros, Ordering::Relaxed);
        if let Some(bucket) = BUCKETS_MICROS.iter().position(|bound| micros <= *bound) {
            self.buckets[bucket].fetch_add(1, Ordering::Relaxed);
        }
    }
}

pub struct HttpMetrics {
    routes: Vec<&'static str>,
    index: HashMap<&'static str, usize>,
    /// `series[route][class]`.
    series: Vec<[Histogram; CLASSES.len()]>,
}

impl HttpMetrics {
    /// Series for each of `patterns`, as the router spells them.
    pub fn new(patterns: impl IntoIterator<Item = &'static str>) -> Self {
        let mut routes: Vec<&'static str> = patterns.into_iter().collect();
        routes.extend([UNMATCHED, OTHER]);
        routes.dedup();
        let index = routes.iter().enumerate().map(|(i, route)| (*route, i)).collect();
        let series = routes.iter().map(|_| Default::default()).collect();
        Self { routes, index, series }
    }

    /// Count a request to `route` (a pattern, or [`UNMATCHED`]).
    pub fn observe(&self, route: &str, status: StatusCode, elapsed: Duration) {
        let other = self.routes.len() - 1;
        let route = self.index.get(route).copied().unwrap_or(other);
        let class = usize::from(status.as_u16() / 100).clamp(1, CLASSES.len()) - 1;
        let micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
        self.series[route][class].observe(micros);
    }

    /// `longform_http_requests_total` and `longform_http_request_duration_seconds`
    /// for every series that has seen a request.
    pub fn render(&self, text: &mut Text) {
        let seen = || {
            self.routes.iter().zip(&self.series).flat_map(|(route, classes)| {
                CLASSES
                    .iter()
                    .zip(classes)
                    .filter(|(_, h)| h.count.load(Ordering::Relaxed) > 0)
                    .map(|(c, h)| (*route, *c, h))
            })
        };
        let requests = "longform_http_requests_total";
        text.family(requests, "counter", "HTTP requests answered, by route pattern and status class.");
        for (route, class, histogram) in seen() {
            text.sample(requests, &[("route", route), ("status", class)], histogram.count.load(Ordering::Relaxed));
        }
        let duration = "longform_http_request_duration_seconds";
        text.family(duration, "histogram", "Time from a request's arrival to its response's head, in seconds.");
        for (route, class, histogram) in seen() {
            let mut cumulative = 0;
            for (bound, bucket) in BUCKETS_MICROS.iter().zip(&histogram.buckets) {
                cumulative += bucket.load(Ordering::Relaxed);
                let le = (*bound as f64 / 1e6).to_string();
                text.sample(
                    &format!("{duration}_bucket"),
                    &[("route", route), ("status", class), ("le", &le)],
                    cumulative,
                );
            }
            let count = histogram.count.load(Ordering::Relaxed);
            let labels = [("route", route), ("status", class)];
            text.sample(&format!("{duration}_bucket"), &[labels[0], labels[1], ("le", "+Inf")], count);
            let sum = histogram.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
            text.sample(&format!("{duration}_sum"), &labels, sum);
            text.sample(&format!("{duration}_count"), &labels, count);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_land_in_their_route_and_class_and_buckets_accumulate() {
        let metrics = HttpMetrics::new(["/api/v1/posts", "/api/v1/posts/{slug}"]);
        metrics.observe("/api/v1/posts", StatusCode::OK, Duration::from_micros(400));
        metrics.observe("/api/v1/posts", StatusCode::NOT_MODIFIED, Duration::from_millis(3));
        metrics.observe("/api/v1/posts/{slug}", StatusCode::NOT_FOUND, Duration::from_secs(20));
        metrics.observe("/nowhere/{x}", StatusCode::INTERNAL_SERVER_ERROR, Duration::from_millis(1));
        metrics.observe(UNMATCHED, StatusCode::NOT_FOUND, Duration::from_millis(1));
        let mut text = Text::default();
        metrics.render(&mut text);
        let text = text.into_string();
        for line in [
            "longform_http_requests_total{route=\"/api/v1/posts\",status=\"2xx\"} 1",
            "longform_http_requests_total{route=\"/api/v1/posts\",status=\"3xx\"} 1",
            "longform_http_requests_total{route=\"/api/v1/posts/{slug}\",status=\"4xx\"} 1",
            "longform_http_requests_total{route=\"other\",status=\"5xx\"} 1",
            "longform_http_requests_total{route=\"unmatched\",status=\"4xx\"} 1",
            "longform_http_request_duration_seconds_bucket{route=\"/api/v1/posts\",status=\"2xx\",le=\"0.0005\"} 1",
            "longform_http_request_duration_seconds_bucket{route=\"/api/v1/posts\",status=\"3xx\",le=\"0.0025\"} 0",
            "longform_http_request_duration_seconds_bucket{route=\"/api/v1/posts\",status=\"3xx\",le=\"0.005\"} 1",
            "longform_http_request_duration_seconds_bucket{route=\"/api/v1/posts/{slug}\",status=\"4xx\",le=\"10\"} 0",
            "longform_http_request_duration_seconds_bucket{route=\"/api/v1/posts/{slug}\",status=\"4xx\",le=\"+Inf\"} 1",
            "longform_http_request_duration_seconds_sum{route=\"/api/v1/posts/{slug}\",status=\"4xx\"} 20",
            "longform_http_request_duration_seconds_count{route=\"/api/v1/posts\",status=\"3xx\"} 1",
        ] {
            assert!(text.lines().any(|l| l == line), "missing {line} in\n{text}");
        }
        assert!(!text.contains("status=\"1xx\""), "series without requests are left out");
    }
}
