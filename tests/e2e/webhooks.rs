//! Webhooks end to end, against a receiver on loopback: signed deliveries
//! carrying the state before and after, retries with a log, replay and
//! ping, nothing lost when the server is killed between commit and
//! delivery, private targets refused unless allowed, a receiver that is
//! gone turned off, a slow receiver holding up no other, and changes to an
//! endpoint made against its current version only.

use std::time::{Duration, Instant};

use longform_domain::Role;
use longform_domain::webhook::WebhookSecret;
use serde_json::{Value, json};

use crate::helpers::{DEADLINE, Db, Reply, TestApp, both_backends, wait_for};
use crate::receiver::{Received, Receiver};
use crate::seed::Seed;

both_backends!(
    deliveries_are_signed_and_carry_the_state_before_and_after,
    a_failed_attempt_is_retried_logged_and_can_be_replayed,
    nothing_is_lost_or_invented_when_the_server_dies_before_delivering,
    private_targets_are_refused_unless_allowed,
    a_receiver_answering_410_gone_turns_its_endpoint_off_until_an_admin_turns_it_on,
    a_receiver_that_hangs_delays_no_other_delivery,
    changing_or_deleting_an_endpoint_needs_its_current_version,
);

/// A server with delivery turned off is given this long to (wrongly) send
/// something: a few sweeps (one a second). Nothing it does could mark the
/// moment instead, since it does nothing.
const QUIET: Duration = Duration::from_millis(3500);

fn allowing_loopback(db: &Db, extra: &[(&str, &str)]) -> TestApp {
    let mut env = vec![("LONGFORM_WEBHOOK_ALLOW_HOSTS", "127.0.0.1")];
    env.extend_from_slice(extra);
    TestApp::spawn_with(tempfile::tempdir().unwrap(), db.url(), &env)
}

fn call(app: &TestApp, auth: &str, method: &str, path: &str, body: Option<Value>) -> Reply {
    app.send(method, path, &[("Authorization", auth)], body.as_ref())
}

/// Register an endpoint; its id and secret.
fn register(app: &TestApp, admin: &str, url: &str, events: &[&str]) -> (String, WebhookSecret) {
    let reply = call(app, admin, "POST", "/api/v1/admin/webhooks", Some(json!({ "url": url, "events": events })));
    assert_eq!(reply.status, 201, "{}", reply.body);
    let hook = reply.json()["webhook"].clone();
    (hook["id"].as_str().unwrap().to_owned(), WebhookSecret::parse(hook["secret"].as_str().unwrap()).unwrap())
}

/// Check the Standard Webhooks headers; the body as JSON.
fn verified(received: &Received, secret: &WebhookSecret) -> Value {
    let id = received.header("webhook-id");
    let timestamp: i64 = received.header("webhook-timestamp").parse().unwrap();
    assert!((chrono::Utc::now().timestamp() - timestamp).abs() < 60, "a fresh timestamp");
    assert_eq!(received.header("webhook-signature"), secret.sign(id, timestamp, received.body.as_bytes()));
    assert_eq!(received.header("content-type"), "application/json");
    let body = received.json();
    assert_eq!(body["id"], id, "the body names its delivery");
    body
}

fn of_type<'a>(bodies: &'a [Value], kind: &str) -> &'a Value {
    bodies.iter().find(|b| b["type"] == kind).unwrap_or_else(|| panic!("no {kind} in {bodies:?}"))
}

fn create_post(app: &TestApp, auth: &str, body: Value) -> String {
    let reply = call(app, auth, "POST", "/api/v1/admin/posts", Some(body));
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.json()["post"]["id"].as_str().unwrap().to_owned()
}

fn publish(app: &TestApp, auth: &str, id: &str, version: u32) -> Reply {
    let etag = format!("\"{version}\"");
    app.send(
        "POST",
        &format!("/api/v1/admin/posts/{id}/publish"),
        &[("Authorization", auth), ("If-Match", &etag)],
        None,
    )
}

fn deliveries(app: &TestApp, admin: &str, hook: &str) -> Vec<Value> {
    let reply = call(app, admin, "GET", &format!("/api/v1/admin/webhooks/{hook}/deliveries"), None);
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()["deliveries"].as_array().unwrap().clone()
}

/// Nothing else is on its way: the log shows each of the `delivered`
/// deliveries sent once, on its first attempt, and a ping sent after them
/// arrives next, with nothing in between (a sweep sends what is due in
/// order, so a second copy of an earlier event would come first).
fn then_only_a_ping(app: &TestApp, admin: &str, hook: &str, receiver: &Receiver, delivered: usize) {
    let log = wait_for(DEADLINE, "every delivery is logged as delivered", || {
        let log = deliveries(app, admin, hook);
        (log.len() == delivered && log.iter().all(|d| d["status"] == "delivered")).then_some(log)
    });
    for delivery in &log {
        assert_eq!(delivery["attempts"].as_array().unwrap().len(), 1, "one attempt: {delivery}");
    }
    let ping = call(app, admin, "POST", &format!("/api/v1/admin/webhooks/{hook}/ping"), None);
    assert_eq!(ping.status, 202, "{}", ping.body);
    let received = receiver.wait_for(delivered + 1, DEADLINE);
    assert_eq!(received.len(), delivered + 1, "each event once, then the ping: {received:?}");
    assert_eq!(received[delivered].header("webhook-id"), ping.json()["delivery"]["id"].as_str().unwrap());
}

fn deliveries_are_signed_and_carry_the_state_before_and_after(db: &Db) {
    let seed = Seed::new(db.url());
    let app = allowing_loopback(db, &[]);
    let admin = seed.sign_in(&app, "admin@example.com", Role::Admin);
    let receiver = Receiver::start();
    let (hook, secret) = register(&app, &admin, &receiver.url("/hook"), &["post.published", "post.updated", "tag.*"]);
    let id = create_post(&app, &admin, json!({ "title": "Futexes", "markdown": "Parks.", "tags": ["kernel"] }));
    assert_eq!(publish(&app, &admin, &id, 1).status, 200);
    let edit = json!({ "title": "Futexes, Revised" });
    let edited = app.send(
        "PATCH",
        &format!("/api/v1/admin/posts/{id}"),
        &[("Authorization", &admin), ("If-Match", "\"2\"")],
        Some(&edit),
    );
    assert_eq!(edited.status, 200, "{}", edited.body);

    let bodies: Vec<Value> = receiver.wait_for(3, DEADLINE).iter().map(|r| verified(r, &secret)).collect();
    let mut types: Vec<&str> = bodies.iter().map(|b| b["type"].as_str().unwrap()).collect();
    types.sort_unstable();
    assert_eq!(types, ["post.published", "post.updated", "tag.created"], "post.created is not subscribed");
    let tag = of_type(&bodies, "tag.created");
    assert_eq!(tag["data"]["tag"]["slug"], "kernel");
    let published = &of_type(&bodies, "post.published")["data"];
    assert_eq!(
        (published["post"]["status"].as_str(), published["previous"]["status"].as_str()),
        (Some("published"), Some("draft"))
    );
    assert_eq!(published["post"]["tags"][0]["slug"], "kernel");
    let updated = &of_type(&bodies, "post.updated")["data"];
    assert_eq!(updated["previous"]["title"], "Futexes");
    assert_eq!(updated["post"]["title"], "Futexes, Revised");
    assert!(updated["post"].get("markdown").is_none(), "events carry metadata, not bodies");
    then_only_a_ping(&app, &admin, &hook, &receiver, 3);
}

fn a_failed_attempt_is_retried_logged_and_can_be_replayed(db: &Db) {
    let seed = Seed::new(db.url());
    let app = allowing_loopback(db, &[]);
    let admin = seed.sign_in(&app, "admin@example.com", Role::Admin);
    let receiver = Receiver::start();
    let (hook, secret) = register(&app, &admin, &receiver.url("/hook"), &["post.*"]);
    // A redirect is an answer, not a detour: logged as a failure and retried.
    receiver.answer(&[302]);
    let ping = call(&app, &admin, "POST", &format!("/api/v1/admin/webhooks/{hook}/ping"), None);
    assert_eq!(ping.status, 202, "{}", ping.body);
    let delivery = ping.json()["delivery"]["id"].as_str().unwrap().to_owned();

    // The first attempt at once, the retry after 5 s.
    let received = receiver.wait_for(2, DEADLINE);
    assert!(received.iter().all(|r| r.header("webhook-id") == delivery), "one delivery, two attempts");
    assert_eq!(verified(&received[1], &secret)["type"], "ping");
    let logged = wait_for(DEADLINE, "the ping is logged as delivered", || {
        let log = deliveries(&app, &admin, &hook);
        log.into_iter().find(|d| d["id"] == delivery.as_str() && d["status"] == "delivered")
    });
    let attempts = logged["attempts"].as_array().unwrap();
    let statuses: Vec<&Value> = attempts.iter().map(|a| &a["response_status"]).collect();
    assert_eq!(statuses, [&json!(302), &json!(200)]);
    assert!(attempts[0]["error"].as_str().unwrap().contains("redirects are not followed"), "{logged}");
    assert!(attempts.iter().all(|a| a["duration_ms"].as_u64().is_some()));

    let replay =
        call(&app, &admin, "POST", &format!("/api/v1/admin/webhooks/{hook}/deliveries/{delivery}/replay"), None);
    assert_eq!(replay.status, 202, "{}", replay.body);
    let again = receiver.wait_for(3, DEADLINE);
    assert_eq!(again[2].header("webhook-id"), delivery, "a replay is the same delivery");
    assert_eq!(again[2].body, again[1].body, "with the same body");
    let unknown = format!("/api/v1/admin/webhooks/{hook}/deliveries/00000000-0000-0000-0000-000000000000/replay");
    assert_eq!(call(&app, &admin, "POST", &unknown, None).status, 404);
}

fn nothing_is_lost_or_invented_when_the_server_dies_before_delivering(db: &Db) {
    let seed = Seed::new(db.url());
    let receiver = Receiver::start();
    let quiet = allowing_loopback(db, &[("LONGFORM_WEBHOOK_DELIVERY", "false")]);
    let admin = seed.sign_in(&quiet, "admin@example.com", Role::Admin);
    let (hook, _) = register(&quiet, &admin, &receiver.url("/hook"), &["post.published"]);
    let id = create_post(&quiet, &admin, json!({ "title": "Committed" }));
    assert_eq!(publish(&quiet, &admin, &id, 9).status, 412, "a refused write...");
    assert_eq!(publish(&quiet, &admin, &id, 1).status, 200);
    std::thread::sleep(QUIET);
    assert!(receiver.received().is_empty(), "this server does not deliver");
    drop(quiet); // SIGKILL: committed, never delivered

    let app = allowing_loopback(db, &[]);
    let received = receiver.wait_for(1, DEADLINE);
    assert_eq!(received[0].json()["data"]["post"]["id"], id.as_str());
    // ...announces nothing: one event, delivered once.
    then_only_a_ping(&app, &admin, &hook, &receiver, 1);
}

fn private_targets_are_refused_unless_allowed(db: &Db) {
    let seed = Seed::new(db.url());
    let app = TestApp::spawn(db.url());
    let admin = seed.sign_in(&app, "admin@example.com", Role::Admin);
    let receiver = Receiver::start();
    for url in [
        receiver.url("/hook"),
        format!("http://[::ffff:127.0.0.1]:{}/hook", receiver.port()),
        "http://169.254.169.254/latest/meta-data/".to_owned(),
        "ftp://example.com/".to_owned(),
    ] {
        let reply = call(&app, &admin, "POST", "/api/v1/admin/webhooks", Some(json!({ "url": url, "events": ["*"] })));
        assert_eq!(reply.status, 400, "{url}: {}", reply.body);
        assert_eq!(reply.json()["field"], "url");
    }
    // A name is checked after DNS, at delivery: localhost is loopback.
    let (hook, _) = register(&app, &admin, &format!("http://localhost:{}/hook", receiver.port()), &["*"]);
    let ping = call(&app, &admin, "POST", &format!("/api/v1/admin/webhooks/{hook}/ping"), None);
    assert_eq!(ping.status, 202);
    let failed = wait_for(DEADLINE, "the ping is logged as failed", || {
        deliveries(&app, &admin, &hook).into_iter().next().filter(|d| d["status"] == "failed")
    });
    let error = failed["attempts"][0]["error"].as_str().unwrap();
    assert!(error.contains("not a public address") && error.contains("localhost resolves to"), "{error}");
    assert!(failed["next_attempt_at"].is_null(), "a refused target is not retried");
    assert!(receiver.received().is_empty(), "nothing reached the receiver");
}

fn show(app: &TestApp, admin: &str, hook: &str) -> Reply {
    let reply = call(app, admin, "GET", &format!("/api/v1/admin/webhooks/{hook}"), None);
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply
}

fn call_if(app: &TestApp, auth: &str, method: &str, path: &str, etag: &str, body: Option<Value>) -> Reply {
    app.send(method, path, &[("Authorization", auth), ("If-Match", etag)], body.as_ref())
}

fn a_receiver_answering_410_gone_turns_its_endpoint_off_until_an_admin_turns_it_on(db: &Db) {
    let seed = Seed::new(db.url());
    let app = allowing_loopback(db, &[]);
    let admin = seed.sign_in(&app, "admin@example.com", Role::Admin);
    let receiver = Receiver::start();
    let (hook, _) = register(&app, &admin, &receiver.url("/hook"), &["post.*"]);
    receiver.answer(&[410]);
    let ping = call(&app, &admin, "POST", &format!("/api/v1/admin/webhooks/{hook}/ping"), None);
    assert_eq!(ping.status, 202, "{}", ping.body);
    let delivery = ping.json()["delivery"]["id"].as_str().unwrap().to_owned();

    let failed = wait_for(DEADLINE, "the 410 is logged and not retried", || {
        deliveries(&app, &admin, &hook).into_iter().find(|d| d["id"] == delivery.as_str() && d["status"] == "failed")
    });
    assert!(failed["next_attempt_at"].is_null(), "no retry: {failed}");
    assert_eq!(failed["attempts"][0]["response_status"], 410);
    let shown = show(&app, &admin, &hook);
    let endpoint = &shown.json()["webhook"];
    assert_eq!(endpoint["active"], false, "{endpoint}");
    let reason = endpoint["disabled_reason"].as_str().unwrap();
    assert!(reason.contains("410 Gone") && reason.contains(&delivery), "{reason}");
    assert_eq!(endpoint["version"], 2, "turning it off is a change");
    assert_eq!(shown.header("etag"), Some("\"2\""));
    let listed = call(&app, &admin, "GET", "/api/v1/admin/webhooks", None).json();
    assert_eq!(listed["webhooks"][0]["disabled_reason"], reason);
    // A post event is not sent to an endpoint that is off.
    create_post(&app, &admin, json!({ "title": "Unheard" }));

    let path = format!("/api/v1/admin/webhooks/{hook}");
    let on = call_if(&app, &admin, "PATCH", &path, "\"2\"", Some(json!({ "active": true })));
    assert_eq!(on.status, 200, "{}", on.body);
    assert_eq!(
        (&on.json()["webhook"]["active"], &on.json()["webhook"]["disabled_reason"]),
        (&json!(true), &Value::Null)
    );
    let again = call(&app, &admin, "POST", &format!("/api/v1/admin/webhooks/{hook}/ping"), None);
    let received = receiver.wait_for(2, DEADLINE);
    assert_eq!(received.len(), 2, "the ping, then the second one only: {received:?}");
    assert_eq!(received[1].header("webhook-id"), again.json()["delivery"]["id"].as_str().unwrap());
}

/// The slow receiver's budget: the fast receiver's delivery must be done
/// in a small part of it.
const SLOW_TIMEOUT: Duration = Duration::from_secs(60);

fn a_receiver_that_hangs_delays_no_other_delivery(db: &Db) {
    let seed = Seed::new(db.url());
    let timeout = SLOW_TIMEOUT.as_secs().to_string();
    let app = allowing_loopback(db, &[("LONGFORM_WEBHOOK_TIMEOUT", &timeout)]);
    let admin = seed.sign_in(&app, "admin@example.com", Role::Admin);
    let slow = Receiver::hanging(SLOW_TIMEOUT * 2);
    let fast = Receiver::start();
    register(&app, &admin, &slow.url("/hook"), &["post.created"]);
    let (hook, _) = register(&app, &admin, &fast.url("/hook"), &["post.created"]);
    // One transaction writes both deliveries: the same sweep claims them.
    let started = Instant::now();
    create_post(&app, &admin, json!({ "title": "Both Hear It" }));
    let budget = SLOW_TIMEOUT / 4;
    slow.wait_for(1, budget);
    fast.wait_for(1, budget);
    wait_for(budget, "the fast delivery is logged as delivered", || {
        deliveries(&app, &admin, &hook).into_iter().find(|d| d["status"] == "delivered")
    });
    // Later deliveries do not queue behind the hanging one either.
    let ping = call(&app, &admin, "POST", &format!("/api/v1/admin/webhooks/{hook}/ping"), None);
    assert_eq!(ping.status, 202, "{}", ping.body);
    fast.wait_for(2, budget);
    assert!(started.elapsed() < budget, "took {:?} of the slow receiver's {SLOW_TIMEOUT:?}", started.elapsed());
    assert_eq!(slow.received().len(), 1, "the slow receiver is still on its first request");
}

fn changing_or_deleting_an_endpoint_needs_its_current_version(db: &Db) {
    let seed = Seed::new(db.url());
    let app = TestApp::spawn(db.url());
    let admin = seed.sign_in(&app, "admin@example.com", Role::Admin);
    let created = call(
        &app,
        &admin,
        "POST",
        "/api/v1/admin/webhooks",
        Some(json!({ "url": "https://hooks.example.com/in", "events": ["post.*"] })),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!((created.header("etag"), &created.json()["webhook"]["version"]), (Some("\"1\""), &json!(1)));
    let hook = created.json()["webhook"]["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/admin/webhooks/{hook}");
    let change = || Some(json!({ "description": "Changed" }));

    let missing = call(&app, &admin, "PATCH", &path, change());
    assert_eq!((missing.status, missing.content_type.as_str()), (428, "application/problem+json"), "{}", missing.body);
    let stale = call_if(&app, &admin, "PATCH", &path, "\"7\"", change());
    assert_eq!(stale.status, 412, "{}", stale.body);
    assert_eq!(stale.json()["current_version"], 1);
    assert_eq!(call_if(&app, &admin, "PATCH", &path, "\"x\"", change()).status, 400);
    let changed = call_if(&app, &admin, "PATCH", &path, "\"1\"", change());
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!((changed.header("etag"), &changed.json()["webhook"]["version"]), (Some("\"2\""), &json!(2)));
    assert_eq!(show(&app, &admin, &hook).json()["webhook"]["description"], "Changed");
    let listed = call(&app, &admin, "GET", "/api/v1/admin/webhooks", None).json();
    assert_eq!(listed["webhooks"][0]["version"], 2);

    // Of writers racing with the same version, one wins.
    let statuses: Vec<u16> = std::thread::scope(|scope| {
        let racers: Vec<_> = (0..6)
            .map(|i| {
                let (app, admin, path) = (&app, &admin, &path);
                let body = json!({ "description": format!("Racer {i}") });
                scope.spawn(move || call_if(app, admin, "PATCH", path, "\"2\"", Some(body)).status)
            })
            .collect();
        racers.into_iter().map(|racer| racer.join().unwrap()).collect()
    });
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| [200, 412].contains(s)), "{statuses:?}");
    assert_eq!(show(&app, &admin, &hook).json()["webhook"]["version"], 3);

    assert_eq!(call(&app, &admin, "DELETE", &path, None).status, 428);
    let stale = call_if(&app, &admin, "DELETE", &path, "\"2\"", None);
    assert_eq!((stale.status, &stale.json()["current_version"]), (412, &json!(3)), "{}", stale.body);
    assert_eq!(call_if(&app, &admin, "DELETE", &path, "\"3\"", None).status, 204);
    assert_eq!(call(&app, &admin, "GET", &path, None).status, 404);
    assert_eq!(call_if(&app, &admin, "DELETE", &path, "\"3\"", None).status, 404);
}
