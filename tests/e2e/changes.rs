//! The change feed: every change in commit order, deletions as tombstones;
//! replayed from the start it reproduces exactly the live posts.

use std::collections::{BTreeMap, BTreeSet};

use longform_domain::{Move, Secret, TokenScope};
use serde_json::Value;

use crate::helpers::{Db, TestApp, both_backends};
use crate::seed::{PostSpec, Seed};

both_backends!(replaying_the_change_feed_mirrors_the_live_posts);

fn replaying_the_change_feed_mirrors_the_live_posts(db: &Db) {
    let seed = Seed::new(db.url());
    let secret = Secret::generate("lf_");
    seed.block_on(seed.store.auth().create_api_token("indexer".into(), TokenScope::ReadDrafts, secret.hash(), None))
        .unwrap();
    let auth = format!("Bearer {}", secret.expose());
    let posts = seed.many(6);
    seed.post(PostSpec { title: "Never Published", publish: false, ..Default::default() });
    let app = TestApp::spawn(db.url());
    let read = |since: &str| -> Value {
        app.send("GET", &format!("/api/v1/changes?since={since}"), &[("Authorization", &auth)], None).json()
    };

    let first = read("0");
    let cursor = first["next_cursor"].as_str().unwrap().to_owned();
    let seqs: Vec<i64> = first["changes"].as_array().unwrap().iter().map(|c| c["seq"].as_i64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "in order: {seqs:?}");
    assert_eq!(first["changes"].as_array().unwrap().len(), 6 * 2 + 1, "a create and a publish per published post");

    // More changes after the cursor: an edit, an unpublish, a delete.
    let store = &seed.store;
    let mut draft = longform_domain::PostDraft::new(
        longform_domain::Title::parse("Edited").unwrap(),
        longform_domain::Markdown::parse("x").unwrap(),
    );
    draft.slug = Some(posts[0].card.slug.clone());
    seed.block_on(store.posts().update(posts[0].card.id, draft, None, longform_persistence::Missing::Create, None))
        .unwrap();
    seed.block_on(store.posts().apply_move(posts[1].card.id, Move::Unpublish, None, None)).unwrap();
    seed.block_on(store.posts().trash(posts[2].card.id, None, None)).unwrap();
    let resumed = read(&cursor);
    let kinds: Vec<&str> = resumed["changes"].as_array().unwrap().iter().map(|c| c["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["updated", "unpublished", "deleted"], "resuming gives only what came after");
    let tombstone = &resumed["changes"][2];
    assert_eq!(
        (tombstone["post_id"].as_str(), tombstone["live"].as_bool()),
        (Some(posts[2].card.id.to_string().as_str()), Some(false))
    );
    assert!(read(resumed["next_cursor"].as_str().unwrap())["changes"].as_array().unwrap().is_empty());

    // Replay from the start: each post's latest change says whether it is live.
    let mut latest: BTreeMap<String, bool> = BTreeMap::new();
    for change in read("0")["changes"].as_array().unwrap() {
        latest.insert(change["slug"].as_str().unwrap().to_owned(), change["live"].as_bool().unwrap());
    }
    let mirrored: BTreeSet<String> = latest.into_iter().filter(|(_, live)| *live).map(|(slug, _)| slug).collect();
    let public: BTreeSet<String> = app.get("/api/v1/posts?limit=100").json()["posts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["slug"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(mirrored, public, "the mirror holds exactly the live posts");

    assert_eq!(app.get("/api/v1/changes").status, 401, "not for anonymous readers");
    assert_eq!(app.send("GET", "/api/v1/changes?since=-1", &[("Authorization", &auth)], None).status, 400);
}
