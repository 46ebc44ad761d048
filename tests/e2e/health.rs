//! Liveness, readiness, graceful shutdown, and the problem+json fallback.

use std::time::Duration;

use longform_persistence::testing::postgres_cluster;

use crate::helpers::{Db, TestApp, both_backends, signal};

both_backends!(health_and_readiness_answer, unknown_routes_answer_problem_json, sigterm_exits_0);

fn health_and_readiness_answer(db: &Db) {
    let app = TestApp::spawn(db.url());
    let health = app.get("/healthz");
    assert_eq!(health.status, 200);
    assert_eq!(health.json()["status"], "ok");
    let ready = app.get("/readyz");
    assert_eq!(ready.status, 200, "{}", ready.body);
    let backend = if db.url().starts_with("sqlite") { "sqlite" } else { "postgres" };
    assert_eq!(ready.json()["database"], backend);
}

fn unknown_routes_answer_problem_json(db: &Db) {
    let app = TestApp::spawn(db.url());
    let reply = app.get("/no/such/route");
    assert_eq!(reply.status, 404);
    assert_eq!(reply.content_type, "application/problem+json");
    let problem = reply.json();
    assert_eq!(problem["status"], 404);
    assert_eq!(problem["title"], "Not found");
    assert!(problem["type"].as_str().unwrap().ends_with("/not-found"));
}

fn sigterm_exits_0(db: &Db) {
    let app = TestApp::spawn(db.url());
    assert_eq!(app.get("/healthz").status, 200);
    assert_eq!(app.terminate().code(), Some(0));
}

/// A request still being handled when SIGTERM lands gets its answer before
/// the process exits 0. (A readiness check against a stopped database is a
/// request that takes seconds, without any test-only slow route.)
#[test]
fn sigterm_drains_in_flight_requests() {
    let Some(cluster) = postgres_cluster() else { return };
    let app = TestApp::spawn(&cluster.url("postgres"));
    cluster.stop().unwrap();
    let url = app.url("/readyz");
    let in_flight =
        std::thread::spawn(move || crate::helpers::Reply::from(crate::helpers::agent().get(&url).call().unwrap()));
    std::thread::sleep(Duration::from_millis(500));
    signal(app.pid(), "TERM");
    let reply = in_flight.join().unwrap();
    assert_eq!(reply.status, 503, "the in-flight request was answered: {}", reply.body);
    assert_eq!(app.terminate().code(), Some(0));
}

/// Stopping PostgreSQL turns /readyz to 503 while /healthz stays 200;
/// restarting it brings /readyz back without restarting Longform.
#[test]
fn readiness_follows_postgres_down_and_up() {
    let Some(cluster) = postgres_cluster() else { return };
    let app = TestApp::spawn(&cluster.url("postgres"));
    assert_eq!(app.get("/readyz").status, 200);

    cluster.stop().unwrap();
    let down = app.get("/readyz");
    assert_eq!(down.status, 503, "{}", down.body);
    assert_eq!(down.json()["status"], "unavailable");
    assert!(!down.body.contains("Connection refused"), "no driver text reaches clients");
    assert_eq!(app.get("/healthz").status, 200);

    cluster.restart().unwrap();
    let mut status = 0;
    for _ in 0..50 {
        status = app.get("/readyz").status;
        if status == 200 {
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(status, 200, "ready again without a restart");
}
