//! The schema's contract (committed SDL, no private field) and its limits,
//! run in process. `UPDATE_SCHEMA=1 cargo test -p longform-api --lib
//! graphql::tests::schema` rewrites `schema/schema.graphql`.

use std::path::PathBuf;

use actix_web::web;
use async_graphql::{Request, Response};
use longform_persistence::Store;
use longform_persistence::testing::{TestSqlite, TestStore};

use super::build_schema;
use super::loaders::with_loaders;
use crate::{AppState, Site};

/// What the blog index asks for: a full page of cards.
const INDEX: &str = r#"{
  posts(first: 100) {
    edges { cursor node {
      id slug title summary publishedAt readingTimeMinutes url featured
      featureImage { url alt }
      category { slug name }
      tags { slug name }
      authors { slug name avatarUrl }
    } }
    pageInfo { hasNextPage endCursor }
    totalCount
  }
}"#;

fn committed_sdl_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../schema/schema.graphql")
}

#[test]
fn schema_matches_the_committed_sdl() {
    let served = build_schema().sdl();
    let path = committed_sdl_path();
    if std::env::var("UPDATE_SCHEMA").as_deref() == Ok("1") {
        std::fs::write(&path, &served).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == served,
        "schema/schema.graphql is not the served schema; regenerate it with \
         `UPDATE_SCHEMA=1 cargo test -p longform-api --lib graphql::tests::schema`"
    );
}

#[test]
fn schema_has_no_private_field() {
    let sdl = build_schema().sdl().to_lowercase();
    for private in ["email", "role", "password", "userid", "user_id"] {
        assert!(!sdl.contains(private), "the public schema mentions {private:?}");
    }
}

async fn run(request: impl Into<Request>) -> Response {
    build_schema().execute(request).await
}

fn codes(response: &Response) -> Vec<String> {
    let codes = response.errors.iter().filter_map(|e| e.extensions.as_ref()?.get("code").map(ToString::to_string));
    codes.collect()
}

#[actix_web::test]
async fn queries_nested_too_deep_are_refused() {
    let deep = "{ posts(first: 1) { nodes { r1: related(first: 1) { related(first: 1) { related(first: 1) {
        related(first: 1) { related(first: 1) { related(first: 1) { related(first: 1) { related(first: 1) { title }
    } } } } } } } } } }";
    let response = run(deep).await;
    assert_eq!(response.errors.len(), 1, "{response:?}");
    assert!(response.errors[0].message.contains("nested too deep"), "{response:?}");
    assert!(response.errors[0].path.is_empty(), "refused before running");
}

#[actix_web::test]
async fn abusive_queries_are_too_complex_and_the_index_is_not() {
    let nested_related =
        "{ posts(first: 100) { edges { node { related(first: 10) { related(first: 10) { title } } } } } }";
    let tag_pages =
        "{ posts(first: 100) { edges { node { tags { posts(first: 100) { edges { node { title } } } } } } } }";
    let everything = "{ tags { posts(first: 100) { nodes { html toc { level text id } } } } }";
    for abusive in [nested_related, tag_pages, everything] {
        let response = run(abusive).await;
        assert!(response.errors.iter().any(|e| e.message.contains("too complex")), "{abusive}: {response:?}");
    }
    // Without application state the index fails when it runs, not before;
    // with the bodies too.
    let with_bodies = INDEX.replace("featured", "featured html toc { level text id }");
    for index in [INDEX, &with_bodies] {
        let response = run(index).await;
        assert!(response.errors.iter().all(|e| !e.path.is_empty()), "{response:?}");
    }
}

#[actix_web::test]
async fn first_is_at_most_100() {
    for query in ["{ posts(first: 101) { totalCount } }", "{ posts(first: 0) { totalCount } }"] {
        let response = run(query).await;
        assert_eq!(codes(&response), ["\"VALIDATION\""], "{query}: {response:?}");
        let field = response.errors[0].extensions.as_ref().unwrap().get("field").unwrap();
        assert_eq!(field.to_string(), "\"first\"");
    }
}

fn state_of(store: Store) -> web::Data<AppState> {
    let keys = crate::auth::jwt::Keys::new(&[7; 32]).unwrap();
    let media = longform_persistence::media_store::MediaStore::local(tempfile::tempdir().unwrap().keep()).unwrap();
    web::Data::new(
        AppState::new(store, Site::default(), keys, crate::media::Media::new(media, 1 << 20, 1 << 20)).unwrap(),
    )
}

#[actix_web::test]
async fn the_index_runs_within_the_limits() {
    let db = TestStore::sqlite().await;
    let state = state_of(db.store.clone());
    let response = build_schema().execute(with_loaders(Request::new(INDEX), state.clone())).await;
    assert!(response.errors.is_empty(), "{response:?}");
    let data = response.data.into_json().unwrap();
    assert_eq!(data["posts"]["totalCount"], 0);
    assert_eq!(data["posts"]["pageInfo"]["hasNextPage"], false);
}

#[actix_web::test]
async fn a_database_failure_leaks_no_driver_text() {
    // Never migrated: every statement fails with "no such table".
    let db = TestSqlite::new().unwrap();
    let state = state_of(Store::open(db.url(), &Default::default()).unwrap());
    let response = build_schema().execute(with_loaders(Request::new(INDEX), state)).await;
    let body = serde_json::to_string(&response).unwrap();
    assert_eq!(codes(&response), ["\"INTERNAL\""], "{body}");
    assert!(body.contains("Internal error") && !body.contains("table"), "{body}");
}
