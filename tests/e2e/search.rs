//! Search through the real server: the project's corpus ranked with marked
//! snippets, answers that follow writes at once, 400s for bad queries, and
//! the same search in GraphQL.

use std::collections::BTreeSet;
use std::path::Path;

use longform_domain::Role;
use serde_json::{Value, json};

use crate::helpers::{Db, Reply, TestApp, both_backends, run};
use crate::seed::Seed;

both_backends!(
    the_corpus_ranks_title_matches_first_and_marks_snippets,
    search_follows_writes_at_once,
    bad_queries_are_400s_naming_the_field,
    hostile_queries_are_answered_or_refused_naming_q,
    graphql_search_pages_with_snippets,
);

fn slugs(reply: &Reply) -> Vec<String> {
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()["hits"].as_array().unwrap().iter().map(|h| h["post"]["slug"].as_str().unwrap().to_owned()).collect()
}

/// The published corpus posts whose indexed text (title, summary, tags, body: every
/// line but the slug's, the authors' and the category's) contains `word`.
fn posts_containing(dir: &Path, word: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let (mut anywhere, mut in_title) = (BTreeSet::new(), BTreeSet::new());
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "md") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap().to_lowercase();
        if !text.lines().any(|l| l == "status: published") {
            continue;
        }
        let slug = path.file_stem().unwrap().to_str().unwrap().to_owned();
        let indexed = text
            .lines()
            .filter(|l| !l.starts_with("slug:") && !l.starts_with("authors:") && !l.starts_with("category:"));
        if indexed.collect::<Vec<_>>().join("\n").contains(word) {
            anywhere.insert(slug.clone());
        }
        if text.lines().any(|l| l.starts_with("title:") && l.contains(word)) {
            in_title.insert(slug);
        }
    }
    (anywhere, in_title)
}

fn the_corpus_ranks_title_matches_first_and_marks_snippets(db: &Db) {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    let written = run(dir.path(), db.url(), &["corpus", "--posts", "40", "--out", corpus.to_str().unwrap()], "");
    assert!(written.status.success(), "{}", String::from_utf8_lossy(&written.stderr));
    let imported = run(dir.path(), db.url(), &["import", corpus.to_str().unwrap()], "");
    assert!(imported.status.success(), "{}", String::from_utf8_lossy(&imported.stderr));
    let app = TestApp::spawn(db.url());

    for word in ["semaphore", "store buffer"] {
        let (expected, titled) = posts_containing(&corpus, word);
        assert!(titled.len() >= 2 && expected.len() > titled.len(), "the corpus has {word:?} in titles and bodies");
        let reply = app.get(&format!("/api/v1/search?q=%22{}%22&limit=100", word.replace(' ', "+")));
        let found = slugs(&reply);
        assert_eq!(found.iter().cloned().collect::<BTreeSet<_>>(), expected, "{word:?}: every post with it, no other");
        let top: BTreeSet<String> = found.iter().take(titled.len()).cloned().collect();
        assert_eq!(top, titled, "{word:?}: posts with it in the title rank first");
        for hit in reply.json()["hits"].as_array().unwrap() {
            let snippet = hit["snippet"].as_str().unwrap();
            let plain = snippet.replace("<mark>", "").replace("</mark>", "").to_lowercase();
            if plain.contains(word) {
                assert!(snippet.contains("<mark>"), "{word:?}: the match is marked: {snippet}");
            }
            assert!(!plain.contains('<'), "snippets are escaped text: {snippet}");
        }
        let marked = reply.json()["hits"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|h| h["snippet"].as_str().unwrap().contains("<mark>"))
            .count();
        assert!(marked * 2 > found.len(), "{word:?}: most snippets show the match ({marked} of {})", found.len());
    }
}

fn search_follows_writes_at_once(db: &Db) {
    let seed = Seed::new(db.url());
    let app = TestApp::spawn(db.url());
    let editor = seed.sign_in(&app, "ed@example.com", Role::Editor);
    let auth = |extra: &[(&'static str, &'static str)]| {
        let mut headers = vec![("Authorization", editor.as_str())];
        headers.extend_from_slice(extra);
        headers
    };
    assert!(slugs(&app.get("/api/v1/search?q=futex")).is_empty(), "nothing yet (and now cached)");
    let body = json!({ "title": "Futexes", "markdown": "A futex parks a thread in the kernel." });
    let id = app.send("POST", "/api/v1/admin/posts", &auth(&[]), Some(&body)).json()["post"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(slugs(&app.get("/api/v1/search?q=futex")).is_empty(), "drafts are not searchable");
    let published =
        app.send("POST", &format!("/api/v1/admin/posts/{id}/publish"), &auth(&[("If-Match", "\"1\"")]), None);
    assert_eq!(published.status, 200);
    assert_eq!(slugs(&app.get("/api/v1/search?q=futex")), ["futexes"], "published: found at once");

    let edit = json!({ "markdown": "A wait queue in the kernel." });
    let edited = app.send("PATCH", &format!("/api/v1/admin/posts/{id}"), &auth(&[("If-Match", "\"2\"")]), Some(&edit));
    assert_eq!(edited.status, 200);
    assert_eq!(slugs(&app.get("/api/v1/search?q=futex")), ["futexes"], "the title still matches");
    assert_eq!(slugs(&app.get("/api/v1/search?q=queue")), ["futexes"], "the new body is searched at once");
    assert!(slugs(&app.get("/api/v1/search?q=parks")).is_empty(), "the old body is gone at once");

    let deleted = app.send("DELETE", &format!("/api/v1/admin/posts/{id}"), &auth(&[("If-Match", "\"3\"")]), None);
    assert_eq!(deleted.status, 204);
    assert!(slugs(&app.get("/api/v1/search?q=futex")).is_empty(), "deleted: gone at once");
}

fn bad_queries_are_400s_naming_the_field(db: &Db) {
    let app = TestApp::spawn(db.url());
    let long = "a".repeat(201);
    for (query, field) in [
        ("", "q"),
        ("q=", "q"),
        ("q=%20%20", "q"),
        ("q=%22%22", "q"),
        (&format!("q={long}") as &str, "q"),
        ("q=x&limit=0", "limit"),
        ("q=x&after=garbage!", "after"),
        ("q=x&tag=Not%20A%20Slug", "tag"),
        ("q=x&sort=date", "sort"),
    ] {
        let reply = app.get(&format!("/api/v1/search?{query}"));
        assert_eq!(reply.status, 400, "{query}: {}", reply.body);
        assert_eq!(reply.content_type, "application/problem+json");
        assert_eq!(reply.json()["field"], field, "{query}: {}", reply.body);
    }
}

/// Every byte but the unreserved ones as `%XX`.
fn percent_encoded(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Each hostile query is refused with a 400 naming `q`, or answered with no
/// hits: none is passed over, and none reaches an engine as syntax.
fn hostile_queries_are_answered_or_refused_naming_q(db: &Db) {
    Seed::new(db.url()).post(crate::seed::PostSpec { title: "Plain", ..Default::default() });
    let app = TestApp::spawn(db.url());
    let crowded = "w ".repeat(longform_domain::search::MAX_TERMS + 1);
    for (q, refused) in [
        ("NEAR AND OR NOT", false),
        ("\"and\" or", false),
        ("title:body", false),
        ("a'b\"c", false),
        ("x86_64 ²³", false),
        ("日本語 文章", false),
        ("İstanbul", false),
        ("'); DROP TABLE posts; --", false),
        ("zzz*", false),
        ("body:schedulers^2 OR 1=1", false),
        ("&|!<->:*", true),
        ("\"\" * -- ::", true),
        (&crowded as &str, true),
    ] {
        let reply = app.get(&format!("/api/v1/search?q={}", percent_encoded(q)));
        if refused {
            assert_eq!((reply.status, reply.content_type.as_str()), (400, "application/problem+json"), "{q:?}");
            assert_eq!(reply.json()["field"], "q", "{q:?}: {}", reply.body);
        } else {
            assert!(slugs(&reply).is_empty(), "{q:?}: {}", reply.body);
        }
    }
    assert_eq!(slugs(&app.get("/api/v1/search?q=schedulers")), ["plain"], "the post is still found");
}

fn graphql(app: &TestApp, query: &str, variables: Value) -> Value {
    let reply = app.send("POST", "/graphql", &[], Some(&json!({ "query": query, "variables": variables })));
    reply.json()
}

const SEARCH: &str = "query($q: String!, $after: String) { search(query: $q, first: 2, after: $after) { \
    edges { cursor snippet node { slug title tags { slug } } } pageInfo { hasNextPage endCursor } } }";

fn graphql_search_pages_with_snippets(db: &Db) {
    let seed = Seed::new(db.url());
    seed.many(5);
    let app = TestApp::spawn(db.url());
    let (mut seen, mut after, mut pages) = (Vec::new(), Value::Null, 0);
    loop {
        let data = graphql(&app, SEARCH, json!({ "q": "schedulers", "after": after }));
        let search = &data["data"]["search"];
        for edge in search["edges"].as_array().unwrap_or_else(|| panic!("{data}")) {
            assert!(edge["snippet"].as_str().unwrap().contains("<mark>schedulers</mark>"), "{edge}");
            seen.push(edge["node"]["slug"].as_str().unwrap().to_owned());
        }
        pages += 1;
        assert!(pages <= 3, "pagination ends");
        if search["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = search["pageInfo"]["endCursor"].clone();
    }
    seen.sort();
    assert_eq!(seen, ["post-0", "post-1", "post-2", "post-3", "post-4"], "every post once, over three pages");
    let refused = graphql(&app, SEARCH, json!({ "q": "  " }));
    assert_eq!(refused["errors"][0]["extensions"]["code"], "VALIDATION", "{refused}");
    let by_tag = graphql(
        &app,
        "{ search(query: \"schedulers\", filter: { tag: \"odd\" }) { edges { node { slug } } } }",
        json!({}),
    );
    assert_eq!(by_tag["data"]["search"]["edges"].as_array().unwrap().len(), 2, "{by_tag}");
}
