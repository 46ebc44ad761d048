//! Scheduled publishing on SQLite and PostgreSQL: each due post is
//! published in a transaction of its own, so one that cannot be published
//! holds up no other; on PostgreSQL replicas neither wait for each other
//! nor publish a post twice.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use longform_domain::{Markdown, Move, Post, PostDraft, PostStatus, Title};
use longform_persistence::facades::Scheduler;
use longform_persistence::testing::{inject_fault, postgres_database};
use longform_persistence::{Missing, PoolOptions, Store, both_backends, now};

both_backends!(a_post_that_cannot_go_live_holds_up_no_other);

/// Generous: a sweep takes milliseconds.
const DEADLINE: Duration = Duration::from_secs(20);

/// Drafts scheduled a moment from now, returned once all are due. The
/// moment is taken once the drafts exist, and leaves room for scheduling
/// them on a loaded machine (a schedule in the past is refused).
async fn due_posts(store: &Store, titles: &[&str]) -> Vec<Post> {
    let mut drafts = Vec::new();
    for title in titles {
        let draft = PostDraft::new(Title::parse(title).unwrap(), Markdown::parse("Words.").unwrap());
        drafts.push(store.posts().create(draft, Missing::Create, None).await.unwrap());
    }
    let at = now() + chrono::Duration::seconds(1);
    let mut posts = Vec::new();
    for draft in drafts {
        posts.push(store.posts().apply_move(draft.card.id, Move::Schedule(at), None, None).await.unwrap());
    }
    tokio::time::timeout(DEADLINE, async {
        while now() <= at {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .unwrap();
    posts
}

async fn status(store: &Store, post: &Post) -> PostStatus {
    store.posts().get(post.card.id).await.unwrap().card.status
}

async fn a_post_that_cannot_go_live_holds_up_no_other(store: &Store) {
    let posts = due_posts(store, &["First Due", "Failing", "Third Due"]).await;
    let failing = &posts[1];
    let condition = format!("NEW.id = '{}' AND NEW.status = 'published'", failing.card.id);
    inject_fault(store, "posts", "UPDATE", condition).await.unwrap();

    let mut scheduler = Scheduler::new(store.clone());
    let sweep = scheduler.sweep().await.unwrap();
    let mut published = sweep.published.clone();
    published.sort();
    assert_eq!(published, [posts[0].card.id, posts[2].card.id], "the good posts went live");
    assert_eq!(sweep.failed.len(), 1);
    assert_eq!(sweep.failed[0].0, failing.card.id);
    assert!(sweep.failed[0].1.to_string().contains("injected fault"), "{}", sweep.failed[0].1);
    assert_eq!(status(store, &posts[0]).await, PostStatus::Published);
    assert_eq!(status(store, &posts[2]).await, PostStatus::Published);
    // Nothing of the failed attempt remains: still scheduled, not listed,
    // no revision, no change announced.
    let stuck = store.posts().get(failing.card.id).await.unwrap();
    assert_eq!(stuck.card.status, PostStatus::Scheduled);
    assert_eq!(stuck.card.version, failing.card.version);
    assert_eq!(store.posts().revisions(failing.card.id).await.unwrap().len(), 2, "created, scheduled");
    let changes = store.content().changes_since(0, 100).await.unwrap();
    assert!(!changes.iter().any(|c| c.post_id == failing.card.id && c.kind == "published"));
    let listed = store.posts().list_published(Default::default(), None, 10).await.unwrap().cards;
    assert_eq!(listed.len(), 2);

    // The failed post waits before its next try instead of failing every sweep.
    let again = scheduler.sweep().await.unwrap();
    assert!(again.published.is_empty() && again.failed.is_empty(), "{again:?}");
}

async fn postgres_store(url: &str) -> Store {
    let store = Store::open(url, &PoolOptions::default()).unwrap();
    store.migrate().await.unwrap();
    store
}

/// What `FOR UPDATE SKIP LOCKED` is for: a replica publishing one post
/// holds its row lock; another replica's sweep publishes the other due
/// posts at once instead of waiting for that lock.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_sweep_skips_a_post_another_replica_is_publishing() {
    let Some(db) = postgres_database() else { return };
    let store = postgres_store(db.url()).await;
    let posts = due_posts(&store, &["Locked Elsewhere", "Free To Go"]).await;
    let mut replica = PgConnection::establish(db.url()).unwrap();
    replica.batch_execute("BEGIN").unwrap();
    replica.batch_execute(&format!("SELECT id FROM posts WHERE id = '{}' FOR UPDATE", posts[0].card.id)).unwrap();

    let mut scheduler = Scheduler::new(store.clone());
    let sweep = tokio::time::timeout(DEADLINE, scheduler.sweep())
        .await
        .expect("the sweep waited for a post another replica holds")
        .unwrap();
    assert_eq!(sweep.published, [posts[1].card.id]);
    assert_eq!(status(&store, &posts[0]).await, PostStatus::Scheduled);

    replica.batch_execute("ROLLBACK").unwrap();
    let sweep = scheduler.sweep().await.unwrap();
    assert_eq!(sweep.published, [posts[0].card.id], "once released, it goes live");
}

/// Two replicas sweeping the same database at once publish every due post
/// exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_two_replicas_publish_each_post_once() {
    let Some(db) = postgres_database() else { return };
    let (a, b) = (postgres_store(db.url()).await, postgres_store(db.url()).await);
    let titles: Vec<String> = (0..20).map(|i| format!("Replica Post {i}")).collect();
    let titles: Vec<&str> = titles.iter().map(String::as_str).collect();
    let posts = due_posts(&a, &titles).await;
    let (mut one, mut two) = (Scheduler::new(a.clone()), Scheduler::new(b.clone()));
    let (first, second) = tokio::join!(one.sweep(), two.sweep());
    let (first, second) = (first.unwrap(), second.unwrap());
    assert!(first.failed.is_empty() && second.failed.is_empty(), "{first:?} {second:?}");
    let mut published: Vec<_> = first.published.iter().chain(&second.published).copied().collect();
    published.sort();
    let mut expected: Vec<_> = posts.iter().map(|p| p.card.id).collect();
    expected.sort();
    assert_eq!(published, expected, "every post once, by one replica or the other");
    for post in &posts {
        let revisions = a.posts().revisions(post.card.id).await.unwrap();
        assert_eq!(revisions.iter().filter(|r| r.metadata.status == "published").count(), 1);
    }
}
