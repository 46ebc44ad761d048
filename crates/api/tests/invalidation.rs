//! A write through this node's store changes what its public reads answer
//! at once: the very next request gets the new bytes and a new ETag, with
//! no waiting for any watcher. Run on both backends, in process.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use actix_web::http::StatusCode;
use actix_web::http::header::{ETAG, IF_NONE_MATCH};
use actix_web::{App, test, web};
use longform_api::{AppState, Site};
use longform_domain::{Markdown, Move, PostDraft, Title};
use longform_persistence::testing::TestStore;
use longform_persistence::{Missing, Store};

async fn publish(store: &Store, title: &str) -> longform_domain::Post {
    let draft = PostDraft::new(Title::parse(title).unwrap(), Markdown::parse("Words.").unwrap());
    let post = store.posts().create(draft, Missing::Create, None).await.unwrap();
    store.posts().apply_move(post.card.id, Move::Publish, None, None).await.unwrap()
}

async fn each_kind_of_write_changes_the_etag_at_once(store: Store) {
    let first = publish(&store, "First").await;
    let keys = longform_api::auth::jwt::Keys::new(&[7; 32]).unwrap();
    let media = longform_persistence::media_store::MediaStore::local(tempfile::tempdir().unwrap().keep()).unwrap();
    let media = longform_api::media::Media::new(media, 1 << 20, 1 << 20);
    let state = web::Data::new(AppState::new(store.clone(), Site::default(), keys, media).unwrap());
    let app =
        test::init_service(App::new().app_data(state).configure(|cfg| longform_api::configure(cfg, 1 << 20))).await;
    let mut etag = String::new();
    let mut check = async |what: &str, expect_slugs: &[&str]| {
        let req =
            test::TestRequest::get().uri("/api/v1/posts").insert_header((IF_NONE_MATCH, etag.clone())).to_request();
        let res = test::call_service(&app, req).await;
        assert_eq!(res.status(), StatusCode::OK, "{what}: a stale 304");
        let new_etag = res.headers().get(ETAG).unwrap().to_str().unwrap().to_owned();
        assert_ne!(new_etag, etag, "{what}");
        let body: serde_json::Value = test::read_body_json(res).await;
        let slugs: Vec<&str> = body["posts"].as_array().unwrap().iter().map(|p| p["slug"].as_str().unwrap()).collect();
        assert_eq!(slugs, expect_slugs, "{what}");
        etag = new_etag;
    };
    check("first read", &["first"]).await;
    let second = publish(&store, "Second").await;
    check("publish", &["second", "first"]).await;
    let mut draft = PostDraft::new(Title::parse("Second, Edited").unwrap(), Markdown::parse("Words.").unwrap());
    draft.slug = Some(second.card.slug.clone());
    store.posts().update(second.card.id, draft, None, Missing::Create, None).await.unwrap();
    check("edit", &["second", "first"]).await;
    store.posts().apply_move(first.card.id, Move::Unpublish, None, None).await.unwrap();
    check("unpublish", &["second"]).await;
    store.posts().apply_move(second.card.id, Move::Archive, None, None).await.unwrap();
    check("archive", &[]).await;
}

#[actix_web::test]
async fn sqlite_each_kind_of_write_changes_the_etag_at_once() {
    let db = TestStore::sqlite().await;
    each_kind_of_write_changes_the_etag_at_once(db.store.clone()).await;
}

#[actix_web::test]
async fn postgres_each_kind_of_write_changes_the_etag_at_once() {
    let Some(db) = TestStore::postgres().await else { return };
    each_kind_of_write_changes_the_etag_at_once(db.store.clone()).await;
}
