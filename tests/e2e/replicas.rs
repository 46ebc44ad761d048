//! Two `longform serve` processes on one PostgreSQL behave as one site: a
//! write through one is reflected by the other's cache within a second.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::{Db, Reply, TestApp};
use crate::seed::Seed;

fn wait_for(app: &TestApp, path: &str, pred: impl Fn(&Reply) -> bool) -> Duration {
    let started = Instant::now();
    loop {
        let reply = app.get(path);
        if pred(&reply) {
            return started.elapsed();
        }
        assert!(started.elapsed() < Duration::from_secs(5), "{path} never changed");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn two_replicas_on_one_postgres_behave_as_one_site() {
    let Some(db) = Db::postgres() else { return };
    let seed = Seed::new(db.url());
    seed.many(2);
    let (a, b) = (TestApp::spawn(db.url()), TestApp::spawn(db.url()));
    // Warm both caches.
    let total = |r: &Reply| r.json()["meta"]["pagination"]["total"].as_i64().unwrap();
    assert_eq!(total(&a.get("/api/v1/posts")), 2);
    assert_eq!(total(&b.get("/api/v1/posts")), 2);
    assert_eq!(b.get("/readyz").json()["database"], "postgres");

    // Publish through A (the editor API), read through B.
    let token = seed.sign_in(&a, "ed@example.com", longform_domain::Role::Editor);
    let created =
        a.send("POST", "/api/v1/admin/posts", &[("Authorization", &token)], Some(&json!({ "title": "Through A" })));
    let id = created.json()["post"]["id"].as_str().unwrap().to_owned();
    let published = a.send(
        "POST",
        &format!("/api/v1/admin/posts/{id}/publish"),
        &[("Authorization", &token), ("If-Match", "\"1\"")],
        None,
    );
    assert_eq!(published.status, 200);
    let lag = wait_for(&b, "/api/v1/posts", |r| total(r) == 3);
    assert!(lag < Duration::from_secs(1), "B saw the publish after {lag:?}");

    // Edit and delete through A: B follows each time.
    let edited = a.send(
        "PATCH",
        &format!("/api/v1/admin/posts/{id}"),
        &[("Authorization", &token), ("If-Match", "\"2\"")],
        Some(&json!({ "title": "Through A, Edited" })),
    );
    assert_eq!(edited.status, 200);
    let lag = wait_for(&b, "/api/v1/posts/through-a", |r| r.json()["post"]["title"] == "Through A, Edited");
    assert!(lag < Duration::from_secs(1), "B saw the edit after {lag:?}");
    let deleted = a.send(
        "DELETE",
        &format!("/api/v1/admin/posts/{id}"),
        &[("Authorization", &token), ("If-Match", "\"3\"")],
        None,
    );
    assert_eq!(deleted.status, 204);
    let lag = wait_for(&b, "/feed.json", |r| r.json()["items"].as_array().unwrap().len() == 2);
    assert!(lag < Duration::from_secs(1), "B's feed saw the delete after {lag:?}");
}
