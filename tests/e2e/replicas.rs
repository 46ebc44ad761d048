//! Two `longform serve` processes on one PostgreSQL behave as one site: a
//! write through one is reflected by the other's cache (within a second
//! when the machine is idle; the test waits longer, so load cannot fail it).

use serde_json::json;

use crate::helpers::{DEADLINE, Db, Reply, TestApp, wait_until};
use crate::seed::Seed;

/// Poll `path` on `app` until `pred` holds for its answer.
fn follows(app: &TestApp, path: &str, what: &str, pred: impl Fn(&Reply) -> bool) {
    wait_until(DEADLINE, what, || pred(&app.get(path)));
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
    follows(&b, "/api/v1/posts", "B sees the publish", |r| total(r) == 3);

    // Edit and delete through A: B follows each time.
    let edited = a.send(
        "PATCH",
        &format!("/api/v1/admin/posts/{id}"),
        &[("Authorization", &token), ("If-Match", "\"2\"")],
        Some(&json!({ "title": "Through A, Edited" })),
    );
    assert_eq!(edited.status, 200);
    follows(&b, "/api/v1/posts/through-a", "B sees the edit", |r| r.json()["post"]["title"] == "Through A, Edited");
    let deleted = a.send(
        "DELETE",
        &format!("/api/v1/admin/posts/{id}"),
        &[("Authorization", &token), ("If-Match", "\"3\"")],
        None,
    );
    assert_eq!(deleted.status, 204);
    follows(&b, "/feed.json", "B's feed sees the delete", |r| r.json()["items"].as_array().unwrap().len() == 2);
}

/// A content key revoked through one replica stops working there at once
/// and on the other within the time a replica takes a valid key on trust.
#[test]
fn a_revoked_content_key_stops_on_every_replica_within_its_trust_time() {
    let Some(db) = Db::postgres() else { return };
    let seed = Seed::new(db.url());
    seed.many(1);
    let (a, b) = (TestApp::spawn(db.url()), TestApp::spawn(db.url()));
    let admin = seed.sign_in(&a, "admin@example.com", longform_domain::Role::Admin);
    let made = a.send(
        "POST",
        "/api/v1/admin/tokens",
        &[("Authorization", &admin)],
        Some(&json!({ "name": "site", "scope": "content" })),
    );
    let token = made.json()["token"].clone();
    let browse = format!("/ghost/api/content/posts/?key={}", token["token"].as_str().unwrap());
    assert_eq!((a.get(&browse).status, b.get(&browse).status), (200, 200), "both take the key (and remember it)");
    let revoke = format!("/api/v1/admin/tokens/{}", token["id"].as_str().unwrap());
    let revoked = a.send("DELETE", &revoke, &[("Authorization", &admin), ("If-Match", "\"1\"")], None);
    assert_eq!(revoked.status, 204, "{}", revoked.body);
    assert_eq!(a.get(&browse).status, 401, "at once where it was revoked");
    let started = std::time::Instant::now();
    follows(&b, &browse, "the other replica refuses the revoked key", |r| r.status == 401);
    let trust = longform_api::ghost::keys::KEY_TTL + std::time::Duration::from_secs(2);
    assert!(started.elapsed() <= trust, "took {:?}", started.elapsed());
}
