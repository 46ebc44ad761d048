//! Scheduled posts go live on time with no request arriving, and at start
//! when they fell due during downtime. (That replicas publish each post
//! once, without waiting for each other, and that one failing post holds
//! up no other, is tested on the scheduler itself: crates/persistence/tests/schedule.rs.)

use std::time::{Duration, Instant};

use chrono::Utc;
use longform_domain::Move;

use crate::helpers::{Db, TestApp, both_backends};
use crate::seed::{PostSpec, Seed};

both_backends!(
    a_scheduled_post_goes_live_on_time_while_the_server_idles,
    a_post_due_during_downtime_goes_live_at_start
);

/// Schedule a new post `after` from now; returns its slug and time.
fn schedule(seed: &Seed, title: &str, after: chrono::Duration) -> (String, chrono::DateTime<Utc>) {
    let post = seed.post(PostSpec { title, publish: false, ..Default::default() });
    let at = longform_persistence::now() + after;
    seed.block_on(seed.store.posts().apply_move(post.card.id, Move::Schedule(at), None, None)).unwrap();
    (post.card.slug.to_string(), at)
}

/// Poll (bounded) until the public API shows `slug`.
fn wait_public(app: &TestApp, slug: &str, limit: Duration) -> serde_json::Value {
    let deadline = Instant::now() + limit;
    loop {
        let reply = app.get(&format!("/api/v1/posts/{slug}"));
        if reply.status == 200 {
            return reply.json()["post"].clone();
        }
        assert!(Instant::now() < deadline, "{slug} did not go live within {limit:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn a_scheduled_post_goes_live_on_time_while_the_server_idles(db: &Db) {
    let seed = Seed::new(db.url());
    let app = TestApp::spawn(db.url());
    let (slug, at) = schedule(&seed, "Going Live Soon", chrono::Duration::seconds(2));
    assert_eq!(app.get(&format!("/api/v1/posts/{slug}")).status, 404, "not before its time");
    let search = "/api/v1/search?q=going+live";
    assert!(app.get(search).json()["hits"].as_array().unwrap().is_empty(), "nor searchable (and now cached)");
    let post = wait_public(&app, &slug, Duration::from_secs(10));
    let went_live = Utc::now();
    assert!(went_live >= at && went_live - at < chrono::Duration::seconds(4), "on time: due {at}, live by {went_live}");
    let published = chrono::DateTime::parse_from_rfc3339(post["published_at"].as_str().unwrap()).unwrap();
    assert_eq!(published.timestamp(), at.timestamp(), "the post carries its scheduled time");
    let index = app.get("/api/v1/posts").json();
    assert_eq!(index["posts"][0]["slug"], slug.as_str(), "and the cached index shows it");
    assert_eq!(app.get(search).json()["hits"][0]["post"]["slug"], slug.as_str(), "and search finds it");
}

fn a_post_due_during_downtime_goes_live_at_start(db: &Db) {
    let seed = Seed::new(db.url());
    let (slug, _) = schedule(&seed, "Due While Down", chrono::Duration::milliseconds(500));
    std::thread::sleep(Duration::from_millis(800));
    let app = TestApp::spawn(db.url());
    wait_public(&app, &slug, Duration::from_secs(5));
}
