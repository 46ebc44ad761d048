//! What the server writes to its log, read from its stderr at the most
//! verbose level: no secret from a sign-in, a refresh, an integration
//! token or a preview link; and a 5xx is one error line carrying the
//! request id the client got in its header and its problem document.

use std::path::PathBuf;
use std::process::Stdio;

use diesel::connection::SimpleConnection;
use longform_domain::Role;
use serde_json::json;

use crate::helpers::{Db, TestApp, both_backends};
use crate::seed::{PostSpec, Seed};

both_backends!(
    no_secret_reaches_the_log,
    a_5xx_is_one_error_line_with_the_request_id_the_client_got,
    a_5xx_line_names_its_request_with_info_lines_off
);

/// The server, logging at `level` into a file the test can read.
pub fn logging_app(db: &Db, level: &str, env: &[(&str, &str)]) -> (TestApp, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("server.log");
    let file = std::fs::File::create(&log).unwrap();
    let mut vars = vec![("LONGFORM_LOG", level)];
    vars.extend_from_slice(env);
    (TestApp::spawn_logging(dir, db.url(), &vars, Stdio::from(file)), log)
}

/// The log so far, once the line of the last request is in it (the
/// request line is written as its answer leaves, so poll briefly).
pub fn log_with(log: &PathBuf, needle: &str) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let text = std::fs::read_to_string(log).unwrap();
        if text.contains(needle) || std::time::Instant::now() > deadline {
            return text;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// Run SQL on the test database from outside the server.
pub fn execute(db: &Db, sql: &str) {
    let url = longform_persistence::DatabaseUrl::parse(db.url()).unwrap();
    url.establish_uncounted().unwrap().batch_execute(sql).unwrap();
}

fn no_secret_reaches_the_log(db: &Db) {
    let seed = Seed::new(db.url());
    let (app, log) = logging_app(db, "trace", &[]);
    let admin = seed.sign_in(&app, "admin@example.com", Role::Admin);
    let login = app.send(
        "POST",
        "/api/v1/auth/login",
        &[],
        Some(&json!({ "email": "admin@example.com", "password": "correct horse battery" })),
    );
    assert_eq!(login.status, 200, "{}", login.body);
    let refresh_token = login.json()["refresh_token"].as_str().unwrap().to_owned();
    let refreshed = app.send("POST", "/api/v1/auth/refresh", &[], Some(&json!({ "refresh_token": refresh_token })));
    assert_eq!(refreshed.status, 200, "{}", refreshed.body);
    let new_refresh = refreshed.json()["refresh_token"].as_str().unwrap().to_owned();
    let access = refreshed.json()["access_token"].as_str().unwrap().to_owned();

    let minted = app.send(
        "POST",
        "/api/v1/admin/tokens",
        &[("Authorization", &admin)],
        Some(&json!({ "name": "ci", "scope": "write_content" })),
    );
    assert_eq!(minted.status, 201, "{}", minted.body);
    let integration = minted.json()["token"]["token"].as_str().unwrap().to_owned();
    let listed = app.get_with("/api/v1/admin/posts", &[("Authorization", &format!("Bearer {integration}"))]);
    assert_eq!(listed.status, 200, "{}", listed.body);

    let post = seed.post(PostSpec { title: "Unpublished", publish: false, ..Default::default() });
    let preview_path = format!("/api/v1/admin/posts/{}/preview", post.card.id);
    let preview = app.send("POST", &preview_path, &[("Authorization", &format!("Bearer {access}"))], None);
    assert_eq!(preview.status, 201, "{}", preview.body);
    let preview_token = preview.json()["token"].as_str().unwrap().to_owned();
    let ghost_key = "ghostkey0123456789abcdef";
    let shown = app.get(&format!("/api/v1/preview/{preview_token}?key={ghost_key}&token={ghost_key}"));
    assert!(shown.status < 500, "{}", shown.body);

    let text = log_with(&log, "route=/api/v1/preview/{token}");
    let admin_access = admin.trim_start_matches("Bearer ");
    for (name, secret) in [
        ("the password", "correct horse battery"),
        ("a refresh token", refresh_token.as_str()),
        ("the rotated refresh token", new_refresh.as_str()),
        ("an access token", access.as_str()),
        ("the first access token", admin_access),
        ("an integration token", integration.as_str()),
        ("a preview token", preview_token.as_str()),
        ("a ?key= value", ghost_key),
    ] {
        assert!(!text.contains(secret), "{name} reached the log:\n{}", lines_with(&text, secret));
    }
    for route in ["/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/admin/tokens", "/api/v1/preview/{token}"] {
        assert!(text.contains(&format!("route={route}")), "the {route} request was logged at all:\n{text}");
    }
    assert!(text.contains("path=/api/v1/preview/[redacted]?key=[redacted]&token=[redacted]"), "{text}");
}

fn lines_with(text: &str, needle: &str) -> String {
    text.lines().filter(|l| l.contains(needle)).collect::<Vec<_>>().join("\n")
}

fn a_5xx_is_one_error_line_with_the_request_id_the_client_got(db: &Db) {
    a_5xx_at(db, "debug");
}

/// `warn` turns the request's span off: the error line still says it all.
fn a_5xx_line_names_its_request_with_info_lines_off(db: &Db) {
    a_5xx_at(db, "warn");
}

fn a_5xx_at(db: &Db, level: &str) {
    let seed = Seed::new(db.url());
    seed.post(PostSpec { title: "Listed", ..Default::default() });
    let (app, log) = logging_app(db, level, &[]);
    assert_eq!(app.get("/api/v1/posts?limit=1").status, 200);
    // The listing table goes away under the running server: its next
    // uncached read fails inside the database.
    execute(db, "DROP TABLE post_listings");
    let reply = app.get("/api/v1/posts?limit=2");
    assert_eq!(reply.status, 500, "{}", reply.body);
    let id = reply.header("x-request-id").unwrap().to_owned();
    assert_eq!(reply.json()["request_id"], id.as_str(), "the problem document names the same request");
    assert!(!reply.body.contains("post_listings"), "no database text reaches the client: {}", reply.body);

    let text = log_with(&log, &format!("request_id={id}"));
    let errors: Vec<&str> = text.lines().filter(|l| l.contains(" ERROR ") && l.contains(&id)).collect();
    assert_eq!(errors.len(), 1, "one error line for the request:\n{text}");
    let line = errors[0];
    assert!(line.contains(&format!("request_id={id} ")), "{line}");
    assert!(line.contains("status=500") && line.contains("route=/api/v1/posts"), "{line}");
    assert!(line.contains("method=GET") && line.contains("client=127.0.0.1"), "{line}");
    assert!(line.contains("post_listings"), "the line names the cause: {line}");
    let all_errors = text.lines().filter(|l| l.contains(" ERROR ")).count();
    assert_eq!(all_errors, 1, "and nothing else logged an error for it:\n{text}");
}
