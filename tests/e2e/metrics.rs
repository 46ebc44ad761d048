//! `/metrics` moves with what it counts: requests per route pattern and
//! status class, response-cache hits, pool checkouts, the webhook backlog
//! and overdue scheduled posts; and a scrape itself costs no counted SQL
//! statement (tests compute statements per request from it). With the
//! `metrics` setting off, it answers 404.

use std::time::{Duration, Instant};

use longform_domain::{Move, Role};
use serde_json::json;

use crate::helpers::{Db, TestApp, both_backends};
use crate::seed::{PostSpec, Seed};

both_backends!(requests_cache_and_pool_metrics_move, backlog_and_overdue_gauges_move, metrics_can_be_turned_off);

/// `metrics = false`: nothing is counted and `/metrics` is a 404; the rest serves as before.
fn metrics_can_be_turned_off(db: &Db) {
    let app = TestApp::spawn_with(tempfile::tempdir().unwrap(), db.url(), &[("LONGFORM_METRICS", "false")]);
    assert_eq!(app.get("/api/v1/posts").status, 200);
    let scrape = app.get("/metrics");
    assert_eq!(scrape.status, 404, "{}", scrape.body);
    assert_eq!(scrape.header("content-type"), Some("application/problem+json"));
}

/// The value of the sample `series` (name and labels as printed), 0 when absent.
pub fn sample(app: &TestApp, series: &str) -> f64 {
    let text = app.get("/metrics").body;
    let prefix = format!("{series} ");
    text.lines().find_map(|l| l.strip_prefix(&prefix)).map_or(0.0, |v| v.parse().unwrap())
}

fn requests(route: &str, class: &str) -> String {
    format!("longform_http_requests_total{{route=\"{route}\",status=\"{class}\"}}")
}

fn requests_cache_and_pool_metrics_move(db: &Db) {
    let seed = Seed::new(db.url());
    let post = seed.post(PostSpec { title: "Counted", ..Default::default() });
    let app = TestApp::spawn(db.url());
    let statements = sample(&app, "longform_db_statements_total");
    assert_eq!(sample(&app, "longform_db_statements_total"), statements, "a scrape costs no counted statement");

    let index = requests("/api/v1/posts", "2xx");
    let (before, checkouts) = (sample(&app, &index), sample(&app, "longform_db_pool_checkouts_total"));
    let (hits, misses) =
        (sample(&app, "longform_response_cache_hits_total"), sample(&app, "longform_response_cache_misses_total"));
    assert_eq!(app.get("/api/v1/posts").status, 200);
    assert_eq!(sample(&app, "longform_response_cache_misses_total"), misses + 1.0, "a cold read misses");
    assert!(sample(&app, "longform_db_pool_checkouts_total") > checkouts, "and takes a pooled connection");
    assert_eq!(app.get("/api/v1/posts").status, 200);
    assert_eq!(sample(&app, "longform_response_cache_hits_total"), hits + 1.0, "a warm read hits");
    assert_eq!(sample(&app, &index), before + 2.0, "two requests to the index");
    let held = app.get("/api/v1/posts").body.len() as f64;
    assert!(sample(&app, "longform_response_cache_bytes") >= held, "the cache counts the bytes it holds");

    let slug = format!("/api/v1/posts/{}", post.card.slug);
    assert_eq!(app.get(&slug).status, 200);
    assert_eq!(app.get("/api/v1/posts/no-such-post").status, 404);
    assert_eq!(sample(&app, &requests("/api/v1/posts/{slug}", "2xx")), 1.0, "counted by pattern, not path");
    assert_eq!(sample(&app, &requests("/api/v1/posts/{slug}", "4xx")), 1.0);
    assert_eq!(app.get("/no/such/route").status, 404);
    assert_eq!(sample(&app, &requests("unmatched", "4xx")), 1.0);
    let refused = app.send("PUT", "/api/v1/posts", &[], None);
    assert_eq!(refused.status, 405, "{}", refused.body);
    assert_eq!(sample(&app, &requests("/api/v1/posts", "4xx")), 1.0, "a 405 is counted by its path's pattern");
    assert_eq!(sample(&app, &requests("unmatched", "4xx")), 1.0);
    let histogram = "longform_http_request_duration_seconds_count{route=\"/api/v1/posts/{slug}\",status=\"2xx\"}";
    assert_eq!(sample(&app, histogram), 1.0);
}

/// Wait (bounded) until `series` reads `value`.
fn wait_for(app: &TestApp, series: &str, value: f64) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while sample(app, series) != value {
        assert!(Instant::now() < deadline, "{series} did not reach {value}: {}", app.get("/metrics").body);
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A trigger that refuses to publish anything: the scheduler cannot catch up.
fn hold_publishing(db: &Db) {
    let sql = match db {
        Db::Sqlite(_) => {
            "CREATE TRIGGER hold_publishing BEFORE UPDATE OF status ON posts WHEN NEW.status = 'published' \
             BEGIN SELECT RAISE(ABORT, 'held by the test'); END;"
        }
        Db::Postgres(_) => {
            "CREATE FUNCTION hold_publishing() RETURNS trigger LANGUAGE plpgsql AS $$ \
             BEGIN IF NEW.status = 'published' THEN RAISE EXCEPTION 'held by the test'; END IF; RETURN NEW; END $$; \
             CREATE TRIGGER hold_publishing BEFORE UPDATE ON posts FOR EACH ROW EXECUTE FUNCTION hold_publishing();"
        }
    };
    crate::logging::execute(db, sql);
}

fn backlog_and_overdue_gauges_move(db: &Db) {
    let seed = Seed::new(db.url());
    // The held scheduler warns every second: keep the test's output quiet.
    let env = [("LONGFORM_WEBHOOK_DELIVERY", "false"), ("LONGFORM_LOG", "error,r2d2=off")];
    let app = TestApp::spawn_with(tempfile::tempdir().unwrap(), db.url(), &env);
    let admin = seed.sign_in(&app, "admin@example.com", Role::Admin);
    assert_eq!(sample(&app, "longform_webhook_deliveries_pending"), 0.0);
    let hook = json!({ "url": "https://hooks.example.com/in", "events": ["post.created"] });
    let created = app.send("POST", "/api/v1/admin/webhooks", &[("Authorization", &admin)], Some(&hook));
    assert_eq!(created.status, 201, "{}", created.body);
    let post = seed.post(PostSpec { title: "Announced", publish: false, ..Default::default() });
    assert_eq!(sample(&app, "longform_webhook_deliveries_pending"), 1.0, "nobody delivers: it waits");
    assert!(sample(&app, "longform_webhook_oldest_pending_age_seconds") >= 0.0);

    assert_eq!(sample(&app, "longform_scheduled_posts_overdue"), 0.0);
    hold_publishing(db);
    let due = longform_persistence::now() + chrono::Duration::seconds(1);
    seed.block_on(seed.store.posts().apply_move(post.card.id, Move::Schedule(due), None, None)).unwrap();
    wait_for(&app, "longform_scheduled_posts_overdue", 1.0);
    let statements = sample(&app, "longform_db_statements_total");
    assert_eq!(sample(&app, "longform_db_statements_total"), statements, "the gauges cost no counted statement");
}
