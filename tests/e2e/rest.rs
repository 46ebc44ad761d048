//! The public REST API: the blog index, articles, tags, categories and
//! authors, their caching, and their answers to bad input.

use std::io::{Read, Write};
use std::time::Duration;

use longform_domain::{Move, Post};
use serde_json::{Value, json};

use crate::helpers::{DEADLINE, Db, TestApp, both_backends, wait_for, wait_until};
use crate::seed::{PostSpec, Seed};

both_backends!(
    tracking_parameters_are_ignored_on_public_reads,
    index_lists_published_posts_newest_first_as_cards,
    pagination_walks_every_post_once_while_posts_are_published,
    filters_narrow_the_index,
    unpublished_posts_answer_404_like_unknown_slugs,
    articles_carry_html_toc_and_related_posts,
    bad_parameters_answer_400_naming_them,
    etags_revalidate_and_change_after_an_edit,
    taxonomy_pages_count_published_posts_and_show_no_private_fields,
    responses_allow_any_origin_and_compress,
    wrong_methods_answer_405_and_empty_parameters_are_invalid,
    the_index_costs_the_same_statements_however_large_the_blog,
    writes_no_reader_sees_leave_the_public_cache_warm,
);

fn slugs(posts: &Value) -> Vec<String> {
    posts.as_array().unwrap().iter().map(|p| p["slug"].as_str().unwrap().to_owned()).collect()
}

fn newest_first(posts: &[Post]) -> Vec<String> {
    posts.iter().rev().map(|p| p.card.slug.to_string()).collect()
}

fn index_lists_published_posts_newest_first_as_cards(db: &Db) {
    let seed = Seed::new(db.url());
    let published = seed.many(5);
    seed.post(PostSpec { title: "A Draft", publish: false, ..Default::default() });
    let app = TestApp::spawn(db.url());
    let reply = app.get("/api/v1/posts");
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.content_type, "application/json");
    let index = reply.json();
    assert_eq!(slugs(&index["posts"]), newest_first(&published));
    assert_eq!(index["meta"]["pagination"]["limit"], 20);
    assert_eq!(index["meta"]["pagination"]["total"], 5);
    assert_eq!(index["meta"]["pagination"]["next_cursor"], Value::Null);

    let card = &index["posts"][4];
    let first = &published[0].card;
    assert_eq!(card["id"], first.id.to_string());
    assert_eq!(card["title"], "Post 0");
    assert_eq!(card["summary"], "An opening paragraph about schedulers and memory.");
    assert_eq!(card["category"], serde_json::json!({"slug": "notes", "name": "notes"}));
    assert_eq!(card["primary_tag"], serde_json::json!({"slug": "even", "name": "even"}));
    assert_eq!(slugs(&card["tags"]), ["even", "runtime"]);
    assert_eq!(slugs(&card["authors"]), ["jane-doe", "mei-chen"]);
    assert_eq!(card["authors"][0]["avatar_url"], Value::Null);
    assert_eq!(card["reading_time_minutes"], 1);
    assert_eq!(card["word_count"], first.word_count);
    assert_eq!(card["featured"], true);
    assert_eq!(card["url"], "http://127.0.0.1:8080/post-0/");
    assert!(card["published_at"].as_str().unwrap().ends_with('Z'));
    for body_field in ["html", "markdown", "toc", "status", "version"] {
        assert!(card.get(body_field).is_none(), "cards carry no {body_field}");
    }
}

fn pagination_walks_every_post_once_while_posts_are_published(db: &Db) {
    let seed = Seed::new(db.url());
    let expected = newest_first(&seed.many(11));
    let app = TestApp::spawn(db.url());
    let mut seen = Vec::new();
    let mut path = "/api/v1/posts?limit=4".to_owned();
    for page in 0.. {
        assert!(page < 10, "pagination does not end");
        let body = app.get(&path).json();
        seen.extend(slugs(&body["posts"]));
        // Newer posts land at the top of the index while a reader pages
        // through it: keyset pages never repeat or skip because of them.
        seed.post(PostSpec { title: &format!("Late Arrival {page}"), ..Default::default() });
        match body["meta"]["pagination"]["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/posts?limit=4&after={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, expected);
}

fn filters_narrow_the_index(db: &Db) {
    let seed = Seed::new(db.url());
    let all = seed.many(12);
    let app = TestApp::spawn(db.url());
    let expect =
        |pred: &dyn Fn(&Post) -> bool| newest_first(&all.iter().filter(|p| pred(p)).cloned().collect::<Vec<_>>());
    let has_tag = |p: &Post, t: &str| p.card.tags.iter().any(|x| x.slug.as_str() == t);
    let by = |p: &Post, a: &str| p.card.authors.iter().any(|x| x.slug.as_str() == a);
    let cases: Vec<(&str, Vec<String>)> = vec![
        ("tag=odd", expect(&|p| has_tag(p, "odd"))),
        ("category=notes", expect(&|p| p.card.category.as_ref().unwrap().slug.as_str() == "notes")),
        ("author=jane-doe", expect(&|p| by(p, "jane-doe"))),
        ("featured=true", expect(&|p| p.card.featured)),
        ("featured=false&tag=even", expect(&|p| !p.card.featured && has_tag(p, "even"))),
        ("tag=runtime&author=jane-doe&category=notes", expect(&|p| has_tag(p, "runtime") && by(p, "jane-doe"))),
        ("tag=no-such-tag", vec![]),
    ];
    for (query, want) in cases {
        let body = app.get(&format!("/api/v1/posts?{query}")).json();
        assert_eq!(slugs(&body["posts"]), want, "{query}");
        assert_eq!(body["meta"]["pagination"]["total"], want.len(), "{query}");
    }
    let middle = all[6].card.published_at.unwrap();
    let at = middle.to_rfc3339_opts(chrono::SecondsFormat::Micros, true).replace('+', "%2B");
    let before = app.get(&format!("/api/v1/posts?published_before={at}")).json();
    assert_eq!(slugs(&before["posts"]), expect(&|p| p.card.published_at.unwrap() < middle));
    let after = app.get(&format!("/api/v1/posts?published_after={at}")).json();
    assert_eq!(slugs(&after["posts"]), expect(&|p| p.card.published_at.unwrap() > middle));
}

fn unpublished_posts_answer_404_like_unknown_slugs(db: &Db) {
    let seed = Seed::new(db.url());
    seed.post(PostSpec { title: "A Draft", publish: false, ..Default::default() });
    let scheduled = seed.post(PostSpec { title: "Scheduled", publish: false, ..Default::default() });
    let later = longform_persistence::now() + chrono::Duration::days(1);
    seed.block_on(seed.store.posts().apply_move(scheduled.card.id, Move::Schedule(later), None, None)).unwrap();
    let archived = seed.post(PostSpec { title: "Archived", ..Default::default() });
    seed.block_on(seed.store.posts().apply_move(archived.card.id, Move::Archive, None, None)).unwrap();
    let app = TestApp::spawn(db.url());
    let unknown = app.get("/api/v1/posts/never-existed");
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.content_type, "application/problem+json");
    // Each answer names its own request; everything else is the same.
    let without_id = |mut problem: serde_json::Value| {
        problem.as_object_mut().unwrap().remove("request_id").expect("a request id");
        problem
    };
    for slug in ["a-draft", "scheduled", "archived"] {
        let reply = app.get(&format!("/api/v1/posts/{slug}"));
        assert_eq!((reply.status, without_id(reply.json())), (404, without_id(unknown.json())), "{slug}");
    }
    assert_eq!(app.get("/api/v1/posts").json()["posts"], serde_json::json!([]));
    assert_eq!(app.get("/api/v1/posts/Not_A_Slug").status, 404);
}

fn articles_carry_html_toc_and_related_posts(db: &Db) {
    let seed = Seed::new(db.url());
    let subject = seed.post(PostSpec { title: "Subject", tags: &["go", "runtime"], ..Default::default() });
    let close = seed.post(PostSpec { title: "Close", tags: &["go", "runtime"], ..Default::default() });
    let near = seed.post(PostSpec { title: "Near", tags: &["go"], ..Default::default() });
    seed.post(PostSpec { title: "Far", tags: &["other"], ..Default::default() });
    seed.post(PostSpec { title: "Hidden", tags: &["go", "runtime"], publish: false, ..Default::default() });
    let app = TestApp::spawn(db.url());
    let reply = app.get(&format!("/api/v1/posts/{}", subject.card.slug));
    assert_eq!(reply.status, 200, "{}", reply.body);
    let post = &reply.json()["post"];
    assert_eq!(post["title"], "Subject");
    assert!(post["html"].as_str().unwrap().contains("<h2 id=\"run-queues\">Run queues</h2>"));
    assert!(post["html"].as_str().unwrap().contains("class=\"language-rust\""));
    assert_eq!(post["toc"], serde_json::json!([{"level": 2, "text": "Run queues", "id": "run-queues"}]));
    assert_eq!(post["canonical_url"], Value::Null);
    assert_eq!(slugs(&post["related"]), [close.card.slug.to_string(), near.card.slug.to_string()]);
    assert!(post.get("markdown").is_none() && post.get("status").is_none());
}

fn bad_parameters_answer_400_naming_them(db: &Db) {
    let app = TestApp::spawn(db.url());
    let cases = [
        ("/api/v1/posts?limit=0", "limit"),
        ("/api/v1/posts?limit=101", "limit"),
        ("/api/v1/posts?limit=many", "limit"),
        ("/api/v1/posts?after=not-a-cursor", "after"),
        ("/api/v1/posts?tags=go", "tags"),
        ("/api/v1/posts?featured=maybe", "featured"),
        ("/api/v1/posts?published_after=yesterday", "published_after"),
        ("/api/v1/posts?tag=Not%20A%20Slug", "tag"),
        ("/api/v1/tags?page=2", "page"),
    ];
    for (path, field) in cases {
        let reply = app.get(path);
        assert_eq!(reply.status, 400, "{path}: {}", reply.body);
        assert_eq!(reply.content_type, "application/problem+json", "{path}");
        let problem = reply.json();
        assert_eq!(problem["field"], field, "{path}");
        assert_eq!(problem["invalid_params"][0]["name"], field, "{path}");
        assert_eq!(problem["status"], 400);
        assert!(problem["detail"].as_str().unwrap().contains(field), "{path}");
    }
}

fn etags_revalidate_and_change_after_an_edit(db: &Db) {
    let seed = Seed::new(db.url());
    let posts = seed.many(3);
    let app = TestApp::spawn(db.url());
    let first = app.get("/api/v1/posts");
    let etag = first.header("etag").unwrap().to_owned();
    assert!(etag.starts_with('"'), "a strong validator: {etag}");
    assert!(first.header("cache-control").unwrap().contains("max-age=60"));
    assert!(first.header("cache-control").unwrap().contains("stale-while-revalidate="));
    let before = crate::graphql::statements(&app);
    for _ in 0..5 {
        assert_eq!(app.get("/api/v1/posts").header("etag"), Some(etag.as_str()));
    }
    let revalidated = app.get_with("/api/v1/posts", &[("If-None-Match", &etag)]);
    assert_eq!(crate::graphql::statements(&app), before, "repeated reads come from memory, not the database");
    assert_eq!(revalidated.status, 304);
    assert!(revalidated.body.is_empty());
    assert_eq!(revalidated.header("etag"), Some(etag.as_str()));

    // An unpublish by another process (the CLI, another replica) reaches this
    // server's cache within the watcher's poll interval.
    seed.block_on(seed.store.posts().apply_move(posts[2].card.id, Move::Unpublish, None, None)).unwrap();
    let changed = wait_for(DEADLINE, "the index changes after the unpublish", || {
        Some(app.get_with("/api/v1/posts", &[("If-None-Match", &etag)])).filter(|reply| reply.status == 200)
    });
    assert_ne!(changed.header("etag"), Some(etag.as_str()));
    assert_eq!(slugs(&changed.json()["posts"]), ["post-1", "post-0"]);
}

fn taxonomy_pages_count_published_posts_and_show_no_private_fields(db: &Db) {
    let seed = Seed::new(db.url());
    seed.many(6);
    seed.post(PostSpec { title: "Draft", tags: &["odd"], publish: false, ..Default::default() });
    let app = TestApp::spawn(db.url());
    let tags = app.get("/api/v1/tags").json();
    let counts: Vec<(String, i64)> = tags["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["slug"].as_str().unwrap().to_owned(), t["post_count"].as_i64().unwrap()))
        .collect();
    assert_eq!(counts, [("even".into(), 3), ("odd".into(), 3), ("runtime".into(), 3)]);
    let tag = app.get("/api/v1/tags/odd").json();
    assert_eq!(tag["tag"]["post_count"], 3);
    assert_eq!(tag["tag"]["url"], "http://127.0.0.1:8080/tag/odd/");
    assert_eq!(app.get("/api/v1/tags/nope").status, 404);
    let categories = app.get("/api/v1/categories").json();
    assert_eq!(slugs(&categories["categories"]), ["blog", "notes"]);
    assert_eq!(app.get("/api/v1/categories/notes").json()["category"]["post_count"], 2);
    let authors = app.get("/api/v1/authors").json();
    assert_eq!(slugs(&authors["authors"]), ["jane-doe", "mei-chen"]);
    let jane = app.get("/api/v1/authors/jane-doe").json();
    assert_eq!(jane["author"]["post_count"], 2);
    let mut fields: Vec<&str> = jane["author"].as_object().unwrap().keys().map(String::as_str).collect();
    fields.sort_unstable();
    assert_eq!(fields, ["avatar_url", "bio", "links", "name", "post_count", "slug", "url", "website"]);
    for path in ["/api/v1/authors", "/api/v1/authors/jane-doe", "/api/v1/posts", "/api/v1/posts/post-0"] {
        let body = app.get(path).body.to_lowercase();
        for private in ["email", "password", "\"role\"", "user_id", "login"] {
            assert!(!body.contains(private), "{path} shows {private}");
        }
    }
}

/// A raw request, to see the bytes and headers exactly as sent.
fn raw_get(app: &TestApp, path: &str, headers: &str) -> (String, Vec<u8>) {
    let address = app.base_url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: test\r\n{headers}Connection: close\r\n\r\n").unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let split = response.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&response[..split]).to_lowercase();
    let mut body = response[split + 4..].to_vec();
    if head.contains("transfer-encoding: chunked") {
        // The first chunk is enough to see what the stream starts with.
        let line = body.windows(2).position(|w| w == b"\r\n").unwrap();
        body.drain(..line + 2);
    }
    (head, body)
}

fn responses_allow_any_origin_and_compress(db: &Db) {
    let seed = Seed::new(db.url());
    seed.many(8);
    let app = TestApp::spawn(db.url());
    let (head, _) = raw_get(&app, "/api/v1/posts", "Origin: https://blog.example\r\n");
    assert!(head.contains("access-control-allow-origin: *"), "{head}");
    let (head, _) = raw_get(&app, "/graphql?query=%7Bposts%7BtotalCount%7D%7D", "Origin: https://blog.example\r\n");
    assert!(head.contains("access-control-allow-origin: *"), "GraphQL too: {head}");
    assert!(!head.contains("access-control-allow-credentials: true"), "{head}");
    let (head, body) = raw_get(&app, "/api/v1/posts", "Accept-Encoding: gzip\r\n");
    assert!(head.contains("content-encoding: gzip"), "{head}");
    assert_eq!(&body[..2], &[0x1f, 0x8b], "a gzip stream");
    // A client that takes brotli only gets the bytes as they are until the
    // brotli variant is made in the background (tests/e2e/compression.rs).
    wait_for(DEADLINE, "a brotli variant", || {
        let (head, body) = raw_get(&app, "/api/v1/posts", "Accept-Encoding: br\r\n");
        (head.contains("content-encoding: br") && body.first() != Some(&b'{')).then_some(())
    });
}

fn wrong_methods_answer_405_and_empty_parameters_are_invalid(db: &Db) {
    let app = TestApp::spawn(db.url());
    for (method, path, allow) in [
        ("DELETE", "/api/v1/posts", "GET, HEAD"),
        ("TRACE", "/readyz", "GET, HEAD"),
        ("PUT", "/api/v1/admin/posts", "GET, HEAD, POST"),
        ("GET", "/api/v1/auth/login", "POST"),
    ] {
        let reply = app.send(method, path, &[], None);
        assert_eq!(reply.status, 405, "{method} {path}");
        assert_eq!(reply.header("allow"), Some(allow), "{method} {path}");
        assert_eq!(reply.content_type, "application/problem+json");
    }
    assert_eq!(app.send("GET", "/api/v1/nothing-here", &[], None).status, 404);
    // An empty value is a value, and not a valid one: the same 400 as any other.
    let empty = app.get("/api/v1/posts?tag=");
    assert_eq!((empty.status, empty.json()["field"].as_str()), (400, Some("tag")), "{}", empty.body);
    let docs = app.get("/docs");
    assert_eq!(docs.status, 200);
    assert!(docs.content_type.starts_with("text/html") && docs.body.contains("/openapi.yaml"));
}

/// A cold index page: the listing range, its tags, authors and categories,
/// the total (one row of listing_counts) and the pool's check of the one
/// connection taken. Publishing more posts must not change it.
fn the_index_costs_the_same_statements_however_large_the_blog(db: &Db) {
    let seed = Seed::new(db.url());
    seed.many(3);
    let app = TestApp::spawn(db.url());
    let cost = |path: &str| {
        let before = crate::graphql::statements(&app);
        let reply = app.get(path);
        assert_eq!(reply.status, 200);
        crate::graphql::statements(&app) - before
    };
    assert_eq!(cost("/api/v1/posts?limit=20"), 6);
    seed.many(30);
    // The write came from another process: wait until the cache has let go
    // of the old page, then ask for a page not asked for before.
    wait_until(DEADLINE, "the server sees the new posts", || {
        app.get("/api/v1/posts?limit=20").json()["meta"]["pagination"]["total"] == 33
    });
    assert_eq!(cost("/api/v1/posts?limit=19"), 6, "the same cost at 33 posts as at 3");
}

/// Shared links and cache-busting clients add parameters: public reads
/// ignore them, and answer from the same cache entry as without them.
fn tracking_parameters_are_ignored_on_public_reads(db: &Db) {
    let app = TestApp::spawn(db.url());
    let plain = app.get("/api/v1/posts");
    assert_eq!(plain.status, 200, "{}", plain.body);
    let hits = crate::metrics::sample(&app, "longform_response_cache_hits_total");
    let busted = app.get("/api/v1/posts?_=1733170000&utm_source=newsletter&fbclid=abc&gclid=def&ref=hn");
    assert_eq!(busted.status, 200, "{}", busted.body);
    assert_eq!(busted.header("etag"), plain.header("etag"));
    assert_eq!(crate::metrics::sample(&app, "longform_response_cache_hits_total"), hits + 1.0, "one cache entry");
    for path in ["/feed.xml?utm_source=newsletter", "/sitemap.xml?fbclid=x", "/api/v1/tags?_=1", "/atom.xml?ref=x"] {
        assert_eq!(app.get(path).status, 200, "{path}");
    }
    let typo = app.get("/api/v1/posts?tags=go&utm_source=x");
    assert_eq!((typo.status, typo.json()["field"].as_str()), (400, Some("tags")), "{}", typo.body);
}

/// An editor autosaving a draft, a sign-in, a draft written by another
/// process: none changes a public read, so none empties the response cache
/// (here or, through the watcher, on any server sharing the database).
/// Publishing does.
fn writes_no_reader_sees_leave_the_public_cache_warm(db: &Db) {
    let seed = Seed::new(db.url());
    seed.post(PostSpec { title: "Published One", tags: &["rust"], publish: true, ..Default::default() });
    let app = TestApp::spawn(db.url());
    let paths = ["/api/v1/posts", "/api/v1/tags", "/api/v1/tags/rust", "/feed.json", "/sitemap.xml"];
    let warm: Vec<String> = paths.iter().map(|p| app.get(p).body).collect();

    let token = seed.sign_in(&app, "ed@example.com", longform_domain::Role::Editor);
    let auth = [("Authorization", token.as_str())];
    let draft = json!({ "title": "Work in Progress", "tags": ["rust", "brand-new"], "markdown": "First words." });
    let created = app.send("POST", "/api/v1/admin/posts", &auth, Some(&draft));
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.json()["post"]["id"].as_str().unwrap().to_owned();
    for (version, body) in [(1, "First words, more."), (2, "First words, more, and more.")] {
        let saved = app.send(
            "PATCH",
            &format!("/api/v1/admin/posts/{id}"),
            &[auth[0], ("If-Match", &format!("\"{version}\""))],
            Some(&json!({ "markdown": body })),
        );
        assert_eq!(saved.status, 200, "{}", saved.body);
    }
    seed.post(PostSpec { title: "Another Process's Draft", tags: &["rust"], publish: false, ..Default::default() });
    // Long enough for the watcher (200 ms polls) to have seen every commit.
    std::thread::sleep(Duration::from_millis(800));

    let hits = crate::metrics::sample(&app, "longform_response_cache_hits_total");
    let again: Vec<String> = paths.iter().map(|p| app.get(p).body).collect();
    assert_eq!(again, warm, "no public read changed");
    let served = crate::metrics::sample(&app, "longform_response_cache_hits_total") - hits;
    assert_eq!(served, paths.len() as f64, "every read came from the cache");

    let published =
        app.send("POST", &format!("/api/v1/admin/posts/{id}/publish"), &[auth[0], ("If-Match", "\"3\"")], None);
    assert_eq!(published.status, 200, "{}", published.body);
    let hits = crate::metrics::sample(&app, "longform_response_cache_hits_total");
    let index = app.get("/api/v1/posts");
    assert_eq!(
        crate::metrics::sample(&app, "longform_response_cache_hits_total"),
        hits,
        "the publish emptied the cache"
    );
    assert_eq!(slugs(&index.json()["posts"]), ["work-in-progress", "published-one"]);
}
