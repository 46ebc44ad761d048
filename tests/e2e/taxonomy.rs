//! Tags, categories and author profiles: public only once they have a
//! published post or an editor makes them public, listed in full to the
//! editor, and written with `If-Match`.

use serde_json::{Value, json};

use crate::helpers::{Db, Reply, TestApp, both_backends};
use crate::seed::Seed;

both_backends!(terms_named_by_a_draft_stay_private_until_published, term_writes_need_the_current_version);

const KINDS: [(&str, &str, &str); 3] = [
    ("tags", "tag", "secret-tag"),
    ("categories", "category", "secret-category"),
    ("authors", "author", "ghost-writer"),
];

fn call(app: &TestApp, token: &str, method: &str, path: &str, etag: Option<&str>, body: Option<Value>) -> Reply {
    let mut headers = vec![("Authorization", token)];
    if let Some(etag) = etag {
        headers.push(("If-Match", etag));
    }
    app.send(method, path, &headers, body.as_ref())
}

fn graphql(app: &TestApp, query: &str) -> Value {
    app.send("POST", "/graphql", &[], Some(&json!({ "query": query }))).json()
}

/// Whether each public read shows the term `slug` of `plural`/`singular`:
/// the REST list and page, the GraphQL list and field, and its feed.
fn publicly_visible(app: &TestApp, plural: &str, singular: &str, slug: &str) -> [bool; 5] {
    let list = app.get(&format!("/api/v1/{plural}")).json();
    let listed = list[plural].as_array().unwrap().iter().any(|t| t["slug"] == slug);
    let page = app.get(&format!("/api/v1/{plural}/{slug}")).status;
    let data =
        graphql(app, &format!("{{ {plural} {{ slug }} {singular}(slug: \"{slug}\") {{ slug }} }}"))["data"].clone();
    let in_graph_list = data[plural].as_array().unwrap().iter().any(|t| t["slug"] == slug);
    let feed = app.get(&format!("/{plural}/{slug}/feed.json")).status;
    [listed, page == 200, in_graph_list, !data[singular].is_null(), feed == 200]
}

fn terms_named_by_a_draft_stay_private_until_published(db: &Db) {
    let seed = Seed::new(db.url());
    let app = TestApp::spawn(db.url());
    let editor = seed.sign_in(&app, "ed@example.com", longform_domain::Role::Editor);
    let contributor = seed.sign_in(&app, "co@example.com", longform_domain::Role::Contributor);
    let body = json!({ "title": "Unannounced", "tags": ["secret-tag"], "category": "secret-category", "authors": ["ghost-writer"] });
    let draft = call(&app, &editor, "POST", "/api/v1/admin/posts", None, Some(body));
    assert_eq!(draft.status, 201, "{}", draft.body);
    let path = format!("/api/v1/admin/posts/{}", draft.json()["post"]["id"].as_str().unwrap());
    for (plural, singular, slug) in KINDS {
        assert_eq!(publicly_visible(&app, plural, singular, slug), [false; 5], "{slug} while only a draft names it");
        // Every signed-in role sees it in the editor's list, marked as not listed.
        let listed = call(&app, &contributor, "GET", &format!("/api/v1/admin/{plural}"), None, None).json();
        let term = listed[plural].as_array().unwrap().iter().find(|t| t["slug"] == slug).cloned();
        let term = term.unwrap_or_else(|| panic!("{slug} missing from the editor's list: {listed}"));
        assert_eq!(
            (term["listed"].as_bool(), term["public"].as_bool(), term["post_count"].as_i64()),
            (Some(false), Some(false), Some(0))
        );
    }
    let published = call(&app, &editor, "POST", &format!("{path}/publish"), Some("\"1\""), None);
    assert_eq!(published.status, 200, "{}", published.body);
    let mut node_ids = Vec::new();
    for (plural, singular, slug) in KINDS {
        assert_eq!(publicly_visible(&app, plural, singular, slug), [true; 5], "{slug} once published");
        node_ids.push(
            graphql(&app, &format!("{{ {singular}(slug: \"{slug}\") {{ id }} }}"))["data"][singular]["id"].clone(),
        );
    }
    let unpublished = call(&app, &editor, "POST", &format!("{path}/unpublish"), Some("\"2\""), None);
    assert_eq!(unpublished.status, 200, "{}", unpublished.body);
    for ((plural, singular, slug), id) in KINDS.into_iter().zip(node_ids) {
        assert_eq!(publicly_visible(&app, plural, singular, slug), [false; 5], "{slug} once unpublished");
        let node = graphql(&app, &format!("{{ node(id: {id}) {{ id }} }}"));
        assert_eq!(node["data"]["node"], Value::Null, "{slug} by its global id: {node}");
        // An editor makes it public on purpose.
        let one = format!("/api/v1/admin/{plural}/{slug}");
        let etag = call(&app, &editor, "GET", &one, None, None).header("etag").unwrap().to_owned();
        let made = call(&app, &editor, "PATCH", &one, Some(&etag), Some(json!({ "public": true })));
        assert_eq!(made.status, 200, "{}", made.body);
        assert_eq!(made.json()[singular]["listed"], true, "{}", made.body);
        assert_eq!(publicly_visible(&app, plural, singular, slug), [true; 5], "{slug} made public");
    }
    // Contributors may read the lists, never change them.
    let refused = call(
        &app,
        &contributor,
        "PATCH",
        "/api/v1/admin/tags/secret-tag",
        Some("\"2\""),
        Some(json!({ "public": false })),
    );
    assert_eq!(refused.status, 403, "{}", refused.body);
}

fn term_writes_need_the_current_version(db: &Db) {
    let seed = Seed::new(db.url());
    let app = TestApp::spawn(db.url());
    let editor = seed.sign_in(&app, "ed@example.com", longform_domain::Role::Editor);
    for (plural, singular, slug) in KINDS {
        let created = call(
            &app,
            &editor,
            "POST",
            &format!("/api/v1/admin/{plural}"),
            None,
            Some(json!({ "name": slug, "slug": slug })),
        );
        assert_eq!(created.status, 201, "{}", created.body);
        assert_eq!(created.header("etag"), Some("\"1\""));
        assert_eq!(created.json()[singular]["version"], 1);
        let one = format!("/api/v1/admin/{plural}/{slug}");
        let rename = || Some(json!({ "name": format!("{singular} renamed") }));
        let missing = call(&app, &editor, "PATCH", &one, None, rename());
        assert_eq!(
            (missing.status, missing.content_type.as_str()),
            (428, "application/problem+json"),
            "{}",
            missing.body
        );
        let changed = call(&app, &editor, "PATCH", &one, Some("\"1\""), rename());
        assert_eq!(changed.status, 200, "{}", changed.body);
        assert_eq!(changed.header("etag"), Some("\"2\""));
        // A writer still holding version 1 loses, told the current one, and changes nothing.
        let stale = call(&app, &editor, "PATCH", &one, Some("\"1\""), Some(json!({ "name": "stale" })));
        assert_eq!(stale.status, 412, "{}", stale.body);
        assert_eq!(stale.json()["current_version"], 2, "{}", stale.body);
        let stale_delete = call(&app, &editor, "DELETE", &one, Some("\"1\""), None);
        assert_eq!(stale_delete.status, 412, "{}", stale_delete.body);
        assert_eq!(call(&app, &editor, "DELETE", &one, None, None).status, 428);
        let shown = call(&app, &editor, "GET", &one, None, None);
        assert_eq!(shown.json()[singular]["name"], format!("{singular} renamed"), "{}", shown.body);
        assert_eq!(call(&app, &editor, "DELETE", &one, Some("\"2\""), None).status, 204);
        assert_eq!(call(&app, &editor, "GET", &one, None, None).status, 404);
        // Made public as it is created: one write, version 1, public at once.
        let body = Some(json!({ "name": "open", "slug": "open", "public": true }));
        let open = call(&app, &editor, "POST", &format!("/api/v1/admin/{plural}"), None, body);
        assert_eq!((open.status, open.header("etag")), (201, Some("\"1\"")), "{}", open.body);
        assert_eq!(open.json()[singular]["listed"], true, "{}", open.body);
        assert_eq!(app.get(&format!("/api/v1/{plural}/open")).status, 200, "{plural}/open");
    }
}
