//! The JSON backup round trip: SQLite -> JSON -> PostgreSQL -> JSON gives
//! the same document, and the restored site serves the same posts.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use longform_domain::{
    Email, Markdown, Move, Name, NewUser, Password, PasswordHash, PostDraft, Role, Slug, Summary, Title,
};
use longform_persistence::export::Export;
use longform_persistence::testing::TestStore;
use longform_persistence::{ListingFilter, Missing, Store, StoreError};

async fn content(store: &Store) {
    let hash = PasswordHash::create(&Password::parse("correct horse battery").unwrap()).unwrap();
    let ed = store
        .users()
        .create(NewUser {
            email: Email::parse("ed@example.com").unwrap(),
            name: Name::parse("Ed").unwrap(),
            role: Role::Editor,
            password_hash: hash,
        })
        .await
        .unwrap();
    let editorial = store.posts();
    for i in 0..6 {
        let mut draft = PostDraft::new(
            Title::parse(&format!("Essay {i}")).unwrap(),
            Markdown::parse(&format!("# Part {i}\n\nWords about run queues.\n\n```go\nfunc main() {{}}\n```\n"))
                .unwrap(),
        );
        draft.tags =
            vec![Slug::parse("runtime").unwrap(), Slug::parse(if i % 2 == 0 { "go" } else { "kernel" }).unwrap()];
        draft.authors = vec![Slug::parse("jane-doe").unwrap()];
        draft.category = Some(Slug::parse("blog").unwrap());
        draft.summary = (i == 3).then(|| Summary::parse("Hand-written.").unwrap());
        let post = editorial.create(draft.clone(), Missing::Create, Some(ed.id)).await.unwrap();
        if i % 3 != 2 {
            editorial.apply_move(post.card.id, Move::Publish, None, Some(ed.id)).await.unwrap();
        }
        if i == 4 {
            draft.title = Title::parse("Essay 4, Revised").unwrap();
            editorial.update(post.card.id, draft, None, Missing::Create, Some(ed.id)).await.unwrap();
        }
        if i == 5 {
            editorial.trash(post.card.id, None, None).await.unwrap();
        }
    }
    store.auth().setting_or_insert("jwt_secret", "a secret that must never travel".into()).await.unwrap();
    store.auth().setting_or_insert("site_title", "Longform Test".into()).await.unwrap();
}

fn json(doc: &Export) -> serde_json::Value {
    serde_json::to_value(doc).unwrap()
}

async fn round_trip(from: &Store, to: &Store) {
    content(from).await;
    let first = from.content().export().await.unwrap();
    let text = serde_json::to_string(&first).unwrap();
    assert!(!text.contains("argon2") && !text.contains("password_hash"), "no password hashes");
    assert!(!text.contains("never travel"), "no secret settings");
    assert_eq!(first.posts.len(), 6);
    assert!(first.revisions.len() >= 10);
    let parsed: Export = serde_json::from_str(&text).unwrap();
    assert_eq!(to.content().restore(parsed).await.unwrap(), 6);
    let second = to.content().export().await.unwrap();
    assert_eq!(json(&first), json(&second), "the same document after the round trip");

    let listing = |store: &Store| {
        let store = store.clone();
        async move { store.posts().list_published(ListingFilter::default(), None, 100).await.unwrap().cards }
    };
    let (before, after) = (listing(from).await, listing(to).await);
    assert_eq!(before, after, "the restored site lists the same posts, taxonomy and all");
    let slug = before[0].slug.clone();
    let a = from.posts().find_by_slug(slug.clone()).await.unwrap().unwrap();
    let b = to.posts().find_by_slug(slug).await.unwrap().unwrap();
    assert_eq!(a, b, "bodies are rendered again identically");
    let restored_user = to.users().find_by_email(Email::parse("ed@example.com").unwrap()).await.unwrap().unwrap();
    assert!(!restored_user.password_hash.verify("correct horse battery"), "restored accounts set a new password");
    assert!(
        matches!(to.content().restore(first).await, Err(StoreError::Unsupported(_))),
        "only into an empty database"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_to_json_to_postgres_to_json_is_identical() {
    let from = TestStore::sqlite().await;
    let Some(to) = TestStore::postgres().await else { return };
    round_trip(&from.store, &to.store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_to_json_to_sqlite_to_json_is_identical() {
    let from = TestStore::sqlite().await;
    let to = TestStore::sqlite().await;
    round_trip(&from.store, &to.store).await;
}
