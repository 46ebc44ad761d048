//! What a write costs in SQL statements, on both backends: a post with a
//! category, two tags and an author, with and without an endpoint
//! listening to webhooks. A write loads its post once; the effects it runs
//! never load it again.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use longform_domain::webhook::{Subscription, WebhookSecret, WebhookUrl};
use longform_domain::{Markdown, Move, PostDraft, Slug, Title};
use longform_persistence::{Missing, NewWebhook, Store, both_backends};

both_backends!(a_publish_loads_its_post_once_and_stays_within_its_budget);

/// The most statements each write may run (transaction, pool check and
/// webhook events included).
const CREATE: usize = 22;
const PUBLISH: usize = 22;
const EDIT: usize = 28;

fn draft(title: &str) -> PostDraft {
    let mut d = PostDraft::new(Title::parse(title).unwrap(), Markdown::parse("# Intro\n\nSome words.\n").unwrap());
    d.tags = vec![Slug::parse("rust").unwrap(), Slug::parse("memory").unwrap()];
    d.authors = vec![Slug::parse("jane").unwrap()];
    d.category = Some(Slug::parse("blog").unwrap());
    d
}

/// Statements that read from the posts table.
fn post_loads(statements: &[String]) -> usize {
    let from_posts =
        |s: &&String| s.starts_with("SELECT") && (s.contains("FROM `posts`") || s.contains("FROM \"posts\""));
    statements.iter().filter(from_posts).count()
}

async fn listen(store: &Store) {
    let patterns = vec!["*".to_owned()];
    let hook = NewWebhook {
        url: WebhookUrl::parse("https://hooks.example.com/in").unwrap(),
        subscription: Subscription::parse(&patterns).unwrap(),
        secret: WebhookSecret::generate(),
        description: None,
        active: true,
    };
    store.webhooks().create(hook).await.unwrap();
}

async fn a_publish_loads_its_post_once_and_stays_within_its_budget(store: &Store) {
    for listening in [false, true] {
        if listening {
            listen(store).await;
        }
        // The terms exist by now: what follows is the steady state.
        let warm = store.posts().create(draft("Warm up"), Missing::Create, None).await.unwrap();
        store.posts().apply_move(warm.card.id, Move::Publish, None, None).await.unwrap();

        store.record_statements();
        let post = store.posts().create(draft(&format!("Costed {listening}")), Missing::Create, None).await.unwrap();
        let create = store.recorded_statements();
        store.record_statements();
        store.posts().apply_move(post.card.id, Move::Publish, Some(1), None).await.unwrap();
        let publish = store.recorded_statements();
        store.record_statements();
        let edited = draft(&format!("Costed {listening}, edited"));
        store.posts().update(post.card.id, edited, Some(2), Missing::Create, None).await.unwrap();
        let edit = store.recorded_statements();

        let context = format!("{:?}, listening: {listening}", store.backend());
        eprintln!("{context}: create {}, publish {}, edit {}", create.len(), publish.len(), edit.len());
        assert!(create.len() <= CREATE, "{context}: create ran {}: {create:#?}", create.len());
        assert!(publish.len() <= PUBLISH, "{context}: publish ran {}: {publish:#?}", publish.len());
        assert!(edit.len() <= EDIT, "{context}: edit ran {}: {edit:#?}", edit.len());
        assert_eq!(post_loads(&publish), 1, "{context}: a publish loads its post once: {publish:#?}");
        assert_eq!(post_loads(&edit), 1, "{context}: an edit loads its post once: {edit:#?}");
    }
}
