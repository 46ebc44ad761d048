//! Scheduled posts go live on time with no request arriving, and at start
//! when they fell due during downtime. (That replicas publish each post
//! once, without waiting for each other, and that one failing post holds
//! up no other, is tested on the scheduler itself: crates/persistence/tests/schedule.rs.)

use std::time::Duration;

use chrono::Utc;
use longform_domain::Move;

use crate::helpers::{DEADLINE, Db, TestApp, both_backends, wait_for, wait_until};
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

/// Poll until the public API shows `slug`; no answer that arrives before
/// `at` may show it.
fn wait_live(app: &TestApp, slug: &str, at: chrono::DateTime<Utc>, limit: Duration) -> serde_json::Value {
    wait_for(limit, &format!("{slug} goes live"), || {
        let reply = app.get(&format!("/api/v1/posts/{slug}"));
        let received = Utc::now();
        if reply.status != 200 {
            return None;
        }
        assert!(received >= at, "{slug} was live before its time: due {at}, answered by {received}");
        Some(reply.json()["post"].clone())
    })
}

/// Poll until the public API shows `slug`.
fn wait_public(app: &TestApp, slug: &str, limit: Duration) -> serde_json::Value {
    wait_live(app, slug, chrono::DateTime::<Utc>::MIN_UTC, limit)
}

fn a_scheduled_post_goes_live_on_time_while_the_server_idles(db: &Db) {
    let seed = Seed::new(db.url());
    let app = TestApp::spawn(db.url());
    let (slug, at) = schedule(&seed, "Going Live Soon", chrono::Duration::seconds(3));
    let search = "/api/v1/search?q=going+live";
    let found = app.get(search).json()["hits"].as_array().unwrap().len();
    assert!(found == 0 || Utc::now() >= at, "not searchable before its time (and the answer is now cached)");
    let post = wait_live(&app, &slug, at, DEADLINE);
    let published = chrono::DateTime::parse_from_rfc3339(post["published_at"].as_str().unwrap()).unwrap();
    assert_eq!(published.timestamp(), at.timestamp(), "the post carries its scheduled time");
    let index = app.get("/api/v1/posts").json();
    assert_eq!(index["posts"][0]["slug"], slug.as_str(), "and the cached index shows it");
    assert_eq!(app.get(search).json()["hits"][0]["post"]["slug"], slug.as_str(), "and search finds it");
}

fn a_post_due_during_downtime_goes_live_at_start(db: &Db) {
    let seed = Seed::new(db.url());
    let (slug, at) = schedule(&seed, "Due While Down", chrono::Duration::milliseconds(500));
    wait_until(DEADLINE, "the post falls due", || Utc::now() > at);
    let app = TestApp::spawn(db.url());
    wait_public(&app, &slug, DEADLINE);
}
