//! Ghost's Content API over HTTP, what the Node suite with Ghost's own
//! client does not see: a content key reads published content there and
//! nothing else, is shown once and dies when revoked; answers are cached
//! under the parameters that decide them and follow the content they
//! show; `Content-Version` answers `Accept-Version`; answers missing from
//! the cache are built two at a time, whatever the burst.

use std::thread;
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection, RunQueryDsl};
use longform_domain::Role;
use serde_json::{Value, json};

use crate::helpers::{DEADLINE, Db, Reply, TestApp, agent, both_backends};
use crate::seed::{PostSpec, Seed};

both_backends!(
    a_content_key_reads_published_content_only_and_dies_when_revoked,
    answers_are_cached_by_what_decides_them_and_follow_publishing,
);

fn send(app: &TestApp, auth: &str, method: &str, path: &str, body: Option<Value>) -> Reply {
    app.send(method, path, &[("Authorization", auth)], body.as_ref())
}

/// A content key made by an admin, and the token's row.
fn content_key(app: &TestApp, admin: &str) -> (String, Value) {
    let created = send(app, admin, "POST", "/api/v1/admin/tokens", Some(json!({ "name": "site", "scope": "content" })));
    assert_eq!(created.status, 201, "{}", created.body);
    let token = created.json()["token"].clone();
    (token["token"].as_str().unwrap().to_owned(), token)
}

fn a_content_key_reads_published_content_only_and_dies_when_revoked(db: &Db) {
    let seed = Seed::new(db.url());
    seed.post(PostSpec { title: "Published Essay", tags: &["go"], ..Default::default() });
    seed.post(PostSpec { title: "Secret Draft", tags: &["go"], publish: false, ..Default::default() });
    let app = TestApp::spawn(db.url());
    let admin = seed.sign_in(&app, "admin@example.com", Role::Admin);
    let (key, token) = content_key(&app, &admin);
    assert!(key.len() == 64 && key.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()), "{key}");
    assert_eq!(token["scope"], "content");
    let listed = send(&app, &admin, "GET", "/api/v1/admin/tokens", None).json();
    assert!(!listed.to_string().contains(&key), "the secret is shown once: {listed}");

    let posts = app.get(&format!("/ghost/api/content/posts/?key={key}&filter=tag:go"));
    assert_eq!(posts.status, 200, "{}", posts.body);
    let posts_json = posts.json();
    let slugs: Vec<&str> =
        posts_json["posts"].as_array().unwrap().iter().map(|p| p["slug"].as_str().unwrap()).collect();
    assert_eq!(slugs, ["published-essay"]);
    assert!(!posts.body.contains("Secret Draft"));

    // Never the editor API, in any form a bearer token takes.
    for auth in [format!("Bearer {key}"), format!("bearer {key}"), format!("Bearer lf_{key}")] {
        assert_eq!(send(&app, &auth, "GET", "/api/v1/admin/posts", None).status, 401, "{auth}");
    }
    // Nor do the other tokens open the Ghost API.
    let writer =
        send(&app, &admin, "POST", "/api/v1/admin/tokens", Some(json!({ "name": "ci", "scope": "write_content" })));
    let writer = writer.json()["token"]["token"].as_str().unwrap().to_owned();
    for bad in [writer.as_str(), "", "0123456789abcdef0123456789", &key[..40], &"f".repeat(4096)] {
        let refused = app.get(&format!("/ghost/api/content/posts/?key={bad}"));
        assert_eq!(refused.status, 401, "{bad}");
        assert_eq!(refused.json()["errors"][0]["type"], "UnauthorizedError");
        assert_eq!(refused.json()["errors"][0]["message"], "Unknown Content API Key");
    }
    assert_eq!(app.get("/ghost/api/content/posts/").status, 401, "no key");

    // Revoked: refused at once, cached answers or not.
    let path = format!("/api/v1/admin/tokens/{}", token["id"].as_str().unwrap());
    let revoked = app.send("DELETE", &path, &[("Authorization", &admin), ("If-Match", "\"1\"")], None);
    assert_eq!(revoked.status, 204, "{}", revoked.body);
    assert_eq!(app.get(&format!("/ghost/api/content/posts/?key={key}&filter=tag:go")).status, 401);
}

fn answers_are_cached_by_what_decides_them_and_follow_publishing(db: &Db) {
    let seed = Seed::new(db.url());
    seed.post(PostSpec { title: "First Essay", tags: &["go"], ..Default::default() });
    let app = TestApp::spawn(db.url());
    let admin = seed.sign_in(&app, "admin@example.com", Role::Admin);
    let (key, _) = content_key(&app, &admin);
    let browse = format!("/ghost/api/content/posts/?key={key}&fields=slug");

    let first = app.get_with(&browse, &[("Accept-Version", "v3.2")]);
    assert_eq!((first.status, first.header("content-version")), (200, Some("v3.2")), "{}", first.body);
    let etag = first.header("etag").unwrap().to_owned();
    let again = app.get_with(&browse, &[("If-None-Match", &etag)]);
    assert_eq!((again.status, again.header("content-version")), (304, Some("v5.0")), "a version Ghost's way or v5.0");
    assert_eq!(app.get_with(&browse, &[("Accept-Version", "v5.0\"; x")]).header("content-version"), Some("v5.0"));
    // Parameters Ghost ignores are ignored here too, and do not make
    // answers of their own: the same ETag.
    let noisy = app.get(&format!("{browse}&absolute_urls=true&utm_source=x&cachebust=1"));
    assert_eq!((noisy.status, noisy.header("etag")), (200, Some(etag.as_str())));
    let twice = app.get(&format!("{browse}&limit=1&limit=2"));
    assert_eq!((twice.status, twice.json()["errors"][0]["property"].as_str()), (400, Some("limit")));

    // Publishing changes the answer (the cache follows the content).
    let created = send(
        &app,
        &admin,
        "POST",
        "/api/v1/admin/posts",
        Some(json!({ "title": "Second Essay", "markdown": "Words." })),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.json()["post"]["id"].as_str().unwrap().to_owned();
    let draft = app.get(&browse);
    assert_eq!(draft.json()["posts"].as_array().unwrap().len(), 1, "a draft is not shown: {}", draft.body);
    let publish = format!("/api/v1/admin/posts/{id}/publish");
    let published = app.send("POST", &publish, &[("Authorization", &admin), ("If-Match", "\"1\"")], None);
    assert_eq!(published.status, 200, "{}", published.body);
    let after = app.get(&browse).json();
    let slugs: Vec<&str> = after["posts"].as_array().unwrap().iter().map(|p| p["slug"].as_str().unwrap()).collect();
    assert_eq!(slugs, ["second-essay", "first-essay"], "{after}");
    assert_eq!(
        after["meta"]["pagination"],
        json!({ "page": 1, "limit": 15, "pages": 1, "total": 2, "next": null, "prev": null })
    );

    // Reads by id and slug agree; HEAD answers as GET without a body.
    let by_id = app.get(&format!("/ghost/api/v4/content/posts/{id}/?key={key}")).json();
    let by_slug = app.get(&format!("/ghost/api/canary/content/posts/slug/second-essay/?key={key}")).json();
    assert_eq!(by_id, by_slug);
    assert!(by_id.get("meta").is_none() && by_id["posts"].as_array().unwrap().len() == 1, "{by_id}");
    assert_eq!(app.send("HEAD", &browse, &[], None).status, 200);
    let vary: Vec<&str> = first.headers.get_all("vary").iter().filter_map(|v| v.to_str().ok()).collect();
    assert!(vary.iter().any(|v| v.contains("Accept-Version")), "{vary:?}");

    // What no route takes still answers in Ghost's shape; a path without
    // its trailing slash is sent to the one with it, query kept (the test
    // client follows the redirect).
    let slashless = app.get(&format!("/ghost/api/content/posts?key={key}&limit=1"));
    let followed = slashless.json()["posts"].as_array().map(Vec::len);
    assert_eq!((slashless.status, followed), (200, Some(1)), "{}", slashless.body);
    for path in ["/ghost/api/content/tiers/", "/ghost/api/v9/content/posts/", "/ghost/api/content/posts/a/b/"] {
        let missing = app.get(&format!("{path}?key={key}"));
        assert_eq!((missing.status, missing.content_type.as_str()), (404, "application/json"), "{path}");
        assert_eq!(missing.json()["errors"][0]["type"], "NotFoundError", "{path}");
    }
    let put = app.send("PUT", "/ghost/api/content/posts/", &[], None);
    assert_eq!(
        (put.status, put.header("allow"), put.json()["errors"][0]["type"].as_str()),
        (405, Some("GET, HEAD"), Some("MethodNotAllowedError"))
    );
}

/// A content key is public, so anyone may send Ghost browses the cache has
/// not seen, each reading the database: however many arrive at once, they
/// hold two of its connections. Here the posts' tables are locked, so each
/// browse that reaches PostgreSQL waits on the lock, where it counts them.
#[test]
fn ghost_answers_missing_from_the_cache_hold_two_connections_at_most() {
    let Some(db) = Db::postgres() else { return };
    let seed = Seed::new(db.url());
    seed.post(PostSpec { title: "Published Essay", ..Default::default() });
    let app = TestApp::spawn(db.url());
    let admin = seed.sign_in(&app, "admin@example.com", Role::Admin);
    let (key, _) = content_key(&app, &admin);

    let mut lock = PgConnection::establish(db.url()).unwrap();
    let mut watch = PgConnection::establish(db.url()).unwrap();
    lock.batch_execute("BEGIN; LOCK TABLE post_listings, listing_counts, posts IN ACCESS EXCLUSIVE MODE").unwrap();
    // Distinct pages, so that none is answered from the cache.
    let asked: Vec<_> = (1..=8)
        .map(|limit| {
            let url = app.url(&format!("/ghost/api/content/posts/?key={key}&limit={limit}"));
            thread::spawn(move || agent().get(&url).call().map(|r| r.status().as_u16()).unwrap_or(0))
        })
        .collect();
    let waiting = |conn: &mut PgConnection| -> i64 {
        let count = "(SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() \
                     AND wait_event_type = 'Lock')";
        diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(count)).get_result(conn).unwrap()
    };
    // Until two wait on the lock, then half a second more: the other six
    // arrived with them, and without the limit would be waiting too.
    let (started, mut most, mut two_since) = (Instant::now(), 0, None::<Instant>);
    while started.elapsed() < DEADLINE && two_since.is_none_or(|at| at.elapsed() < Duration::from_millis(500)) {
        most = most.max(waiting(&mut watch));
        if most >= 2 && two_since.is_none() {
            two_since = Some(Instant::now());
        }
        thread::sleep(Duration::from_millis(10));
    }
    lock.batch_execute("ROLLBACK").unwrap();
    let statuses: Vec<u16> = asked.into_iter().map(|t| t.join().unwrap()).collect();
    assert_eq!(most, 2, "Ghost browses waiting on the database at once");
    assert!(statuses.iter().all(|s| *s == 200), "each answered once the lock was gone: {statuses:?}");
}
