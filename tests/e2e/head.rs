//! Rules every GET route follows, walked from the route table: HEAD
//! answers wherever GET does, with GET's status and headers and no body
//! (RFC 9110 9.3.2); an unknown query parameter is a 400 naming it.

use longform_domain::Role;

use crate::helpers::{Db, TestApp, both_backends};
use crate::seed::{PostSpec, Seed};

/// Headers that differ between any two answers.
const PER_ANSWER: [&str; 2] = ["date", "x-request-id"];

both_backends!(
    head_answers_as_get_does_on_every_route,
    every_api_route_refuses_unknown_parameters_by_name,
    every_answer_carries_the_security_headers,
);

/// Every route and method, signed in and not, and answers no route gives
/// (404, 405, 400, 304): each says nosniff and may not be framed, and the
/// HTML pages carry their own strict policy.
fn every_answer_carries_the_security_headers(db: &Db) {
    let seed = Seed::new(db.url());
    let post = seed.post(PostSpec { title: "Headers", publish: true, ..Default::default() });
    let app = TestApp::spawn(db.url());
    let admin = seed.sign_in(&app, "admin@example.com", Role::Admin);
    let check = |what: &str, reply: &crate::helpers::Reply| {
        assert_eq!(reply.header("x-content-type-options"), Some("nosniff"), "{what}: {}", reply.status);
        assert_eq!(reply.header("referrer-policy"), Some("no-referrer"), "{what}");
        let policy = reply.header("content-security-policy").unwrap_or_else(|| panic!("{what}: no CSP"));
        assert!(policy.contains("frame-ancestors 'none'"), "{what}: {policy}");
        if reply.content_type.starts_with("text/html") {
            assert!(policy.contains("script-src 'self'") && !policy.contains("unsafe-eval"), "{what}: {policy}");
        } else {
            assert!(policy.starts_with("default-src 'none'"), "{what}: {policy}");
        }
    };
    let mut statuses = std::collections::BTreeSet::new();
    for route in longform_api::route_table().iter() {
        let path = fill(&route.pattern, post.card.slug.as_str());
        for auth in [vec![], vec![("Authorization", admin.as_str())]] {
            let reply = app.send(route.method.as_str(), &path, &auth, None);
            check(&format!("{} {path}", route.method), &reply);
            statuses.insert(reply.status);
        }
    }
    let html = [("Accept", "text/html")];
    for (method, path, headers) in [
        ("GET", "/docs", &[][..]),
        ("GET", "/graphql", &html[..]),
        ("GET", "/nowhere", &[]),
        ("PUT", "/api/v1/posts", &[]),
    ] {
        let reply = app.send(method, path, headers, None);
        check(&format!("{method} {path}"), &reply);
        statuses.insert(reply.status);
    }
    let etag = app.get("/api/v1/posts").header("etag").unwrap().to_owned();
    let not_modified = app.get_with("/api/v1/posts", &[("If-None-Match", &etag)]);
    assert_eq!(not_modified.status, 304);
    check("a 304", &not_modified);
    for status in [200, 204, 400, 401, 404, 405, 415] {
        assert!(statuses.contains(&status), "no {status} among {statuses:?}: the walk shows little");
    }
}

/// Routes that are documents or files rather than API answers (a query
/// string on an image is a cache buster; the editor app's addresses carry
/// its own state), or speak another protocol's rules (GraphQL-over-HTTP
/// ignores what it does not define, Ghost's Content API what it does not
/// know, which `content_keys.rs` checks): they ignore the query string.
const IGNORE_PARAMETERS: [&str; 11] = [
    "/healthz",
    "/readyz",
    "/metrics",
    "/openapi.yaml",
    "/docs",
    "/assets/{file}",
    "/graphql",
    "/media/{id}/{name}",
    "/admin",
    "/admin/{path:.*}",
    "/admin/assets/{file}",
];

fn every_api_route_refuses_unknown_parameters_by_name(db: &Db) {
    let seed = Seed::new(db.url());
    let post = seed.post(PostSpec { title: "Parameters", ..Default::default() });
    let app = TestApp::spawn(db.url());
    let admin = seed.sign_in(&app, "admin@example.com", Role::Admin);
    let gets = longform_api::route_table().iter().filter(|r| r.method == actix_web::http::Method::GET);
    let mut walked = 0;
    let ours = |pattern: &str| !IGNORE_PARAMETERS.contains(&pattern) && !pattern.starts_with("/ghost/api/");
    for route in gets.filter(|r| ours(&r.pattern)) {
        let path = format!("{}?no_such_parameter=1", fill(&route.pattern, post.card.slug.as_str()));
        let reply = app.send("GET", &path, &[("Authorization", &admin)], None);
        assert_eq!(reply.status, 400, "GET {path}: {}", reply.body);
        assert!(reply.body.contains("no_such_parameter"), "GET {path} does not name the parameter: {}", reply.body);
        walked += 1;
    }
    assert!(walked >= 30, "only {walked} routes walked");
}

fn head_answers_as_get_does_on_every_route(db: &Db) {
    let seed = Seed::new(db.url());
    let post = seed.post(PostSpec { title: "Heads up", ..Default::default() });
    let app = TestApp::spawn(db.url());
    let mut ok = 0;
    let gets = longform_api::route_table().iter().filter(|r| r.method == actix_web::http::Method::GET);
    for route in gets {
        // Every parameter gets the post's slug: some routes find it, the rest answer 404 alike.
        let path = fill(&route.pattern, post.card.slug.as_str());
        let get = app.send("GET", &path, &[], None);
        let head = app.send("HEAD", &path, &[], None);
        assert_eq!(head.status, get.status, "HEAD {path}");
        assert!(head.body.is_empty(), "HEAD {path} sent a body");
        for name in get.headers.keys() {
            // /metrics counts the GET itself: its length moves between the
            // two; the editor app's page has a nonce per answer.
            let moving = (route.pattern == "/metrics" && name == "content-length")
                || (route.pattern.starts_with("/admin") && name == "content-security-policy");
            if !PER_ANSWER.contains(&name.as_str()) && !moving {
                let (head_items, get_items) = (items(&head.headers, name), items(&get.headers, name));
                assert_eq!(head_items, get_items, "HEAD {path}: {name}");
            }
        }
        assert_eq!(head.headers.len(), get.headers.len(), "HEAD {path}: {:?} / {:?}", head.headers, get.headers);
        ok += usize::from(get.status == 200);
    }
    assert!(ok >= 10, "only {ok} routes answered 200: the walk shows little");
}

/// A header's comma-separated items over all its lines, sorted (actix-cors
/// lists the exposed headers in no fixed order).
fn items(headers: &ureq::http::HeaderMap, name: &ureq::http::HeaderName) -> Vec<String> {
    let lines = headers.get_all(name).iter().map(|v| v.to_str().unwrap_or_default().to_owned());
    let mut items: Vec<String> =
        lines.flat_map(|l| l.split(',').map(|i| i.trim().to_owned()).collect::<Vec<_>>()).collect();
    items.sort();
    items
}

/// `pattern` with each `{name}` replaced by `value`.
fn fill(pattern: &str, value: &str) -> String {
    let mut path = String::new();
    let mut rest = pattern;
    while let Some((before, after)) = rest.split_once('{') {
        path.push_str(before);
        rest = after.split_once('}').map_or("", |(_, tail)| tail);
        path.push_str(value);
    }
    path + rest
}
