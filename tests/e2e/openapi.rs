//! `openapi.yaml` tells the truth: the server serves it as committed, and
//! every path it documents is a route the server answers.

use crate::helpers::{Db, TestApp};
use crate::seed::{PostSpec, Seed};

/// The documented paths: the keys under `paths:` (two-space indent).
fn documented_paths(document: &str) -> Vec<String> {
    document
        .lines()
        .skip_while(|l| *l != "paths:")
        .take_while(|l| *l != "components:")
        .filter_map(|l| l.strip_prefix("  /").and_then(|p| p.strip_suffix(':')))
        .map(|p| format!("/{p}"))
        .collect()
}

#[test]
fn the_served_document_is_the_committed_one_and_every_path_answers() {
    let db = Db::sqlite();
    let seed = Seed::new(db.url());
    seed.post(PostSpec {
        title: "Example",
        tags: &["example"],
        authors: &["example"],
        category: Some("example"),
        ..Default::default()
    });
    let app = TestApp::spawn(db.url());
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.yaml")).unwrap();
    let served = app.get("/openapi.yaml");
    assert_eq!(served.status, 200);
    assert_eq!(served.body, committed);
    let paths = documented_paths(&committed);
    assert!(paths.len() >= 30, "every public and editor route is documented: {paths:?}");
    // The anonymous GETs answer 200 as they are; the editor routes are
    // exercised against the document by Schemathesis (`make test`).
    let editor = ["/api/v1/admin", "/api/v1/auth", "/api/v1/preview", "/api/v1/changes", "/graphql"];
    for path in paths.into_iter().filter(|p| !editor.iter().any(|e| p.starts_with(e))) {
        let mut concrete = path.replace("{slug}", "example").replace("{n}", "1");
        if path == "/api/v1/search" {
            concrete.push_str("?q=example");
        }
        let reply = app.get(&concrete);
        assert_eq!(reply.status, 200, "{path} is documented but answers {}: {}", reply.status, reply.body);
    }
}
