//! Behind a trusted proxy the client is the address it forwards for; from
//! anyone else, forwarding headers count for nothing. The login limiter
//! (30 attempts per address per window) shows which address a request
//! was counted against.

use serde_json::json;

use crate::helpers::{Db, TestApp};

/// Attempts per address before the login limiter answers 429.
const PER_ADDRESS: usize = 30;

fn failed_login(app: &TestApp, n: usize, forwarded_for: &str) -> u16 {
    // A new account each time, so the per-account limit never trips first.
    let body = json!({ "email": format!("nobody{n}@example.com"), "password": "wrong password" });
    app.send("POST", "/api/v1/auth/login", &[("X-Forwarded-For", forwarded_for)], Some(&body)).status
}

fn server(trusting_loopback: bool) -> (Db, TestApp) {
    let db = Db::sqlite();
    let env: &[(&str, &str)] = if trusting_loopback { &[("LONGFORM_TRUSTED_PROXIES", "127.0.0.1")] } else { &[] };
    let app = TestApp::spawn_with(tempfile::tempdir().unwrap(), db.url(), env);
    (db, app)
}

#[test]
fn the_login_limit_keys_on_x_forwarded_for_behind_a_trusted_proxy() {
    let (_db, app) = server(true);
    for n in 0..PER_ADDRESS {
        assert_eq!(failed_login(&app, n, "198.51.100.1"), 401);
    }
    assert_eq!(failed_login(&app, 100, "198.51.100.1"), 429, "that client used up its attempts");
    assert_eq!(failed_login(&app, 101, "198.51.100.2"), 401, "another client behind the same proxy did not");
    assert_eq!(failed_login(&app, 102, "203.0.113.5, 198.51.100.1"), 429, "a spoofed hop left of it changes nothing");
}

#[test]
fn the_login_limit_ignores_x_forwarded_for_from_an_untrusted_peer() {
    let (_db, app) = server(false);
    for n in 0..PER_ADDRESS {
        assert_eq!(failed_login(&app, n, &format!("198.51.100.{n}")), 401);
    }
    assert_eq!(failed_login(&app, 100, "198.51.100.200"), 429, "every attempt counted against 127.0.0.1");
}

#[test]
fn x_request_id_is_taken_from_a_trusted_proxy_only() {
    let (_db, trusting) = server(true);
    let reply = trusting.get_with("/healthz", &[("X-Request-Id", "edge-7f3a")]);
    assert_eq!(reply.header("x-request-id"), Some("edge-7f3a"));
    let (_db, wary) = server(false);
    let reply = wary.get_with("/healthz", &[("X-Request-Id", "edge-7f3a")]);
    let id = reply.header("x-request-id").unwrap();
    assert_ne!(id, "edge-7f3a");
    assert_eq!(id.len(), 36, "a generated UUID: {id}");
    assert_ne!(wary.get("/healthz").header("x-request-id"), Some(id), "one per request");
}
