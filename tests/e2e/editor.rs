//! What the editor app at /admin needs from the server, over HTTP: the
//! session in an HttpOnly cookie with CSRF protection, rendering unsaved
//! Markdown, searching one's drafts, the app's page with its
//! Content-Security-Policy; and the app itself, driven in Chromium.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use longform_persistence::testing::skip;
use serde_json::{Value, json};

use crate::admin::{PASSWORD, call, setup, user};
use crate::helpers::{Db, Reply, TestApp, both_backends};

both_backends!(
    the_cookie_session_signs_in_refreshes_and_signs_out,
    render_answers_what_a_save_would_store,
    drafts_are_searched_by_title_within_what_the_caller_sees,
    the_editor_app_passes_its_browser_suite,
);

const CSRF: (&str, &str) = ("X-Longform-CSRF", "1");

fn cookie_login(app: &TestApp, email: &str) -> Reply {
    let body = json!({ "email": email, "password": PASSWORD, "cookie": true });
    app.send("POST", "/api/v1/auth/login", &[], Some(&body))
}

/// The refresh token a response sets, as `name=value` for a Cookie header.
fn set_cookie(reply: &Reply) -> (String, String) {
    let header = reply.header("set-cookie").unwrap_or_else(|| panic!("no Set-Cookie: {}", reply.body)).to_owned();
    let pair = header.split(';').next().unwrap().trim().to_owned();
    (pair, header)
}

fn refresh(app: &TestApp, cookie: &str, extra: &[(&str, &str)]) -> Reply {
    let mut headers = vec![("Cookie", cookie), CSRF];
    headers.extend_from_slice(extra);
    app.send("POST", "/api/v1/auth/refresh", &headers, Some(&json!({})))
}

fn the_cookie_session_signs_in_refreshes_and_signs_out(db: &Db) {
    let (seed, app) = setup(db);
    user(&seed, &app, "ed@example.com", "editor");

    let login = cookie_login(&app, "ed@example.com");
    assert_eq!(login.status, 200, "{}", login.body);
    let body = login.json();
    assert!(body["access_token"].is_string());
    assert!(body.get("refresh_token").is_none(), "cookie mode hands no refresh token to script: {body}");
    let (first, header) = set_cookie(&login);
    assert!(first.starts_with("longform_refresh=lfr_"), "{header}");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/api/v1/auth"] {
        assert!(header.contains(attribute), "{attribute} missing: {header}");
    }
    assert!(!header.contains("Secure"), "no Secure over plain http, or the browser drops it: {header}");
    assert_eq!(call(&app, body["access_token"].as_str().unwrap(), "GET", "/api/v1/auth/me", None).status, 200);

    // Without the header the call is JSON mode, which wants a token in the
    // body; another site's page (as the browser says) is refused.
    assert_eq!(app.send("POST", "/api/v1/auth/refresh", &[("Cookie", &first)], Some(&json!({}))).status, 400);
    let cross = refresh(&app, &first, &[("Sec-Fetch-Site", "cross-site")]);
    assert_eq!(cross.status, 403, "{}", cross.body);
    let other_value = [("Cookie", first.as_str()), ("X-Longform-CSRF", "yes")];
    let other_value = app.send("POST", "/api/v1/auth/refresh", &other_value, Some(&json!({})));
    assert_eq!(other_value.status, 403, "the header's value is checked");
    assert_eq!(refresh(&app, "", &[]).status, 401, "no cookie, no session");

    let rotated = refresh(&app, &first, &[("Sec-Fetch-Site", "same-origin")]);
    assert_eq!(rotated.status, 200, "{}", rotated.body);
    assert!(rotated.json().get("refresh_token").is_none());
    let (second, _) = set_cookie(&rotated);
    assert_ne!(first, second, "the cookie rotates");

    // Signing out with the cookie alone (the access token may have expired)
    // ends the session and clears the cookie.
    let logout = app.send("POST", "/api/v1/auth/logout", &[("Cookie", &second), CSRF], None);
    assert_eq!(logout.status, 204, "{}", logout.body);
    let (cleared, header) = set_cookie(&logout);
    assert_eq!(cleared, "longform_refresh=", "{header}");
    assert!(header.contains("Max-Age=0"), "{header}");
    assert_eq!(refresh(&app, &second, &[]).status, 401, "the session is over");
    let access = rotated.json()["access_token"].as_str().unwrap().to_owned();
    assert_eq!(call(&app, &access, "GET", "/api/v1/auth/me", None).status, 401, "and its access token with it");

    // A cookie-mode logout needs the header too, so another site cannot
    // sign a writer out.
    let again = cookie_login(&app, "ed@example.com");
    let (third, _) = set_cookie(&again);
    assert_eq!(app.send("POST", "/api/v1/auth/logout", &[("Cookie", &third)], None).status, 401);
    assert_eq!(refresh(&app, &third, &[]).status, 200, "the session survives a logout without the header");
}

#[test]
fn the_cookie_is_secure_when_the_client_came_over_https() {
    let db = Db::sqlite();
    let seed = crate::seed::Seed::new(db.url());
    let app = TestApp::spawn_with(tempfile::tempdir().unwrap(), db.url(), &[("LONGFORM_TRUSTED_PROXIES", "127.0.0.1")]);
    user(&seed, &app, "ed@example.com", "editor");
    let body = json!({ "email": "ed@example.com", "password": PASSWORD, "cookie": true });
    let proxied = app.send("POST", "/api/v1/auth/login", &[("X-Forwarded-Proto", "https")], Some(&body));
    let (_, header) = set_cookie(&proxied);
    assert!(header.contains("; Secure"), "{header}");
    let direct = app.send("POST", "/api/v1/auth/login", &[], Some(&body));
    assert!(!set_cookie(&direct).1.contains("Secure"));
}

fn render(app: &TestApp, token: &str, markdown: &str) -> Reply {
    call(app, token, "POST", "/api/v1/admin/render", Some(json!({ "markdown": markdown })))
}

fn render_answers_what_a_save_would_store(db: &Db) {
    let (seed, app) = setup(db);
    let contributor = user(&seed, &app, "cy@example.com", "contributor");
    let markdown = "# Memory ordering\n\nAcquire pairs with *release*.\n\n## In Rust\n\n```rust\nlet x = a.load(Ordering::Acquire);\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nA note.[^1]\n\n[^1]: Footnote.\n";
    let rendered = render(&app, &contributor, markdown);
    assert_eq!(rendered.status, 200, "{}", rendered.body);
    assert_eq!(rendered.header("cache-control"), Some("no-store"));
    let rendered = rendered.json();

    let created =
        call(&app, &contributor, "POST", "/api/v1/admin/posts", Some(json!({ "title": "T", "markdown": markdown })));
    assert_eq!(created.status, 201, "{}", created.body);
    let post = &created.json()["post"];
    for field in ["html", "toc", "word_count", "reading_time_minutes", "summary"] {
        assert_eq!(rendered[field], post[field], "{field} differs from what the save stored");
    }
    assert!(rendered["html"].as_str().unwrap().contains("language-rust"), "{rendered}");
    assert_eq!(rendered["toc"][1], json!({ "level": 2, "id": "in-rust", "text": "In Rust" }));

    // Nothing stored: still the one post.
    let listed = call(&app, &contributor, "GET", "/api/v1/admin/posts", None).json();
    assert_eq!(listed["posts"].as_array().unwrap().len(), 1);

    // Bounded like a save, and named by field.
    let too_long = render(&app, &contributor, &"a".repeat(1024 * 1024 + 1));
    assert_eq!((too_long.status, too_long.json()["field"].clone()), (400, json!("markdown")), "{}", too_long.body);
    let over_budget = render(&app, &contributor, &"# h\n".repeat(1001));
    assert_eq!(over_budget.status, 400, "{}", over_budget.body);
    let missing = call(&app, &contributor, "POST", "/api/v1/admin/render", Some(json!({ "text": "x" })));
    assert_eq!(missing.status, 400);
    assert!(missing.body.contains("markdown") && missing.body.contains("text"), "{}", missing.body);
    let anonymous = app.send("POST", "/api/v1/admin/render", &[], Some(&json!({ "markdown": "x" })));
    assert_eq!(anonymous.status, 401);
}

fn titles(reply: Reply) -> Vec<String> {
    assert_eq!(reply.status, 200, "{}", reply.body);
    let body: Value = reply.json();
    body["posts"].as_array().unwrap().iter().map(|p| p["title"].as_str().unwrap().to_owned()).collect()
}

fn drafts_are_searched_by_title_within_what_the_caller_sees(db: &Db) {
    let (seed, app) = setup(db);
    let editor = user(&seed, &app, "ed@example.com", "editor");
    let writer = user(&seed, &app, "cy@example.com", "contributor");
    for (token, title) in [
        (&editor, "Lock-free queues in practice"),
        (&editor, "Epoch reclamation"),
        (&writer, "My lock-free draft"),
        (&editor, "100% of a_b"),
    ] {
        let made = call(&app, token, "POST", "/api/v1/admin/posts", Some(json!({ "title": title })));
        assert_eq!(made.status, 201, "{}", made.body);
    }
    let search = |token: &str, q: &str| titles(call(&app, token, "GET", &format!("/api/v1/admin/posts?q={q}"), None));
    assert_eq!(search(&editor, "LOCK-FREE"), ["My lock-free draft", "Lock-free queues in practice"]);
    assert_eq!(search(&writer, "lock-free"), ["My lock-free draft"], "a contributor finds only what it may see");
    assert_eq!(search(&editor, "epoch-rec"), ["Epoch reclamation"], "the slug is searched too");
    assert_eq!(search(&editor, "100%25"), ["100% of a_b"], "% is itself");
    assert!(search(&editor, "a%25b").is_empty(), "% is no wildcard");
    assert_eq!(search(&editor, "a_b"), ["100% of a_b"]);
    assert!(search(&editor, "x_y").is_empty(), "_ is no wildcard");
    let published = call(&app, &editor, "GET", "/api/v1/admin/posts?q=lock&status=published", None);
    assert!(titles(published).is_empty(), "q combines with the other filters");
    let long = call(&app, &editor, "GET", &format!("/api/v1/admin/posts?q={}", "x".repeat(201)), None);
    assert_eq!((long.status, long.json()["field"].clone()), (400, json!("q")), "{}", long.body);
}

#[test]
fn the_app_is_served_with_a_fresh_nonce_and_its_files_are_immutable() {
    let db = Db::sqlite();
    let app = TestApp::spawn(db.url());
    let first = app.get("/admin");
    assert_eq!(first.status, 200);
    assert_eq!(first.header("cache-control"), Some("no-cache"));
    let csp = first.header("content-security-policy").unwrap().to_owned();
    let nonce = csp.split("'nonce-").nth(1).and_then(|rest| rest.split('\'').next()).unwrap().to_owned();
    assert!(nonce.len() >= 22, "{csp}");
    assert!(csp.contains("script-src 'self';") && !csp.contains("unsafe"), "{csp}");
    assert!(first.body.contains(&format!("content=\"{nonce}\"")), "the page carries the header's nonce");
    assert!(!first.body.contains("__CSP_NONCE__"));
    let second = app.get("/admin/posts/0190aaaa-0000-7000-8000-000000000000");
    assert_eq!(second.status, 200, "deep links are the app");
    assert!(!second.body.contains(&nonce), "a nonce is used once");

    let scripts: Vec<&str> = first.body.split("src=\"").skip(1).filter_map(|s| s.split('"').next()).collect();
    assert!(!scripts.is_empty(), "{}", first.body);
    for script in scripts {
        let file = app.get_with(script, &[("Accept-Encoding", "gzip")]);
        assert_eq!(file.status, 200, "{script}");
        assert_eq!(file.header("cache-control"), Some("public, max-age=31536000, immutable"));
        assert!(file.header("content-type").unwrap().starts_with("text/javascript"));
        assert_eq!(file.header("content-encoding"), Some("gzip"));
    }
    assert_eq!(app.get("/admin/assets/index-00000000.js").status, 404, "a missing file is no page");
}

/// Where the browser suite writes its screenshots (`make screenshots`
/// copies those of the SQLite run into docs/screenshots).
fn screenshots(backend: &str) -> PathBuf {
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().expect("the target directory").join("screenshots");
    if backend == "sqlite" { target } else { target.join(backend) }
}

/// How long the whole suite may take before it is killed and fails.
const SUITE_LIMIT: Duration = Duration::from_secs(300);

/// admin/e2e/suite.mjs in Chromium against a server on `db`, as the admin
/// `longform user create` made: each flow a test of its own in the summary
/// line of `make test` (through `LONGFORM_TEST_RESULTS_LOG`).
fn the_editor_app_passes_its_browser_suite(db: &Db) {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() {
        return skip::unavailable("browser", &format!("{chromium} not found (Debian package chromium)")).unwrap_or(());
    }
    let admin = Path::new(env!("CARGO_MANIFEST_DIR")).join("admin");
    if !admin.join("node_modules/playwright-core").exists() {
        return skip::unavailable("node", "admin/node_modules is not installed: run `make tools`").unwrap_or(());
    }
    let backend = if db.url().starts_with("postgres") { "postgres" } else { "sqlite" };
    let dir = tempfile::tempdir().unwrap();
    let args = ["user", "create", "--email", "ada@example.com", "--name", "Ada Admin", "--role", "admin"];
    let made = crate::helpers::run(dir.path(), db.url(), &[&args[..], &["--password-stdin"]].concat(), PASSWORD);
    assert!(made.status.success(), "user create: {}", String::from_utf8_lossy(&made.stderr));
    // The webhook screens' flow delivers to a receiver on loopback.
    let app = TestApp::spawn_with(dir, db.url(), &[("LONGFORM_WEBHOOK_ALLOW_HOSTS", "127.0.0.1")]);

    let out = screenshots(backend);
    let mut suite = Command::new("node");
    suite
        .arg(admin.join("e2e/suite.mjs"))
        .args([app.url(""), out.display().to_string()])
        .env("LONGFORM_ADMIN_EMAIL", "ada@example.com")
        .env("LONGFORM_ADMIN_PASSWORD", PASSWORD)
        .env("CHROMIUM", &chromium)
        .current_dir(&admin);
    let outcome = crate::node::run_suite("browser", backend, suite, SUITE_LIMIT);
    outcome.assert_passed("browser", backend);
    let (flows, report) = (&outcome.flows, &outcome.report);
    // LONGFORM_SUITE_ONLY=a,b runs some flows only, while working on them.
    if std::env::var_os("LONGFORM_SUITE_ONLY").is_some() {
        return;
    }
    assert!(flows.len() >= 30, "{report}");
    for screen in ["admin-sign-in.png", "admin-posts.png", "admin-editor.png", "admin-conflict.png"] {
        assert!(out.join(screen).metadata().is_ok_and(|m| m.len() > 10_000), "no screenshot {screen}");
    }
}
