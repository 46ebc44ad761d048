//! The webhook outbox on SQLite and PostgreSQL: events are written with
//! the change or not at all, go only to active subscribers, and a claimed
//! delivery is not claimed again while its lease runs.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::time::Duration;

use longform_domain::webhook::{Subscription, WebhookSecret, WebhookUrl};
use longform_domain::{Markdown, Move, PostDraft, Title};
use longform_persistence::{AttemptReport, DeliveryOutcome as Outcome};
use longform_persistence::{DeliveryStatus, NewWebhook, WebhookChanges};
use longform_persistence::{Missing, Store, both_backends, now};

both_backends!(
    events_go_to_active_subscribers_only,
    a_rolled_back_change_announces_nothing,
    a_claim_holds_its_lease_and_attempts_are_recorded,
    concurrent_claims_never_share_a_delivery,
);

fn outbox(store: &Store) -> longform_persistence::facades::Outbox {
    longform_persistence::facades::Outbox::new(store.clone())
}

async fn hook(store: &Store, events: &[&str]) -> longform_domain::WebhookId {
    let patterns: Vec<String> = events.iter().map(|e| (*e).to_owned()).collect();
    let new = NewWebhook {
        url: WebhookUrl::parse("https://hooks.example.com/in").unwrap(),
        subscription: Subscription::parse(&patterns).unwrap(),
        secret: WebhookSecret::generate(),
        description: None,
        active: true,
    };
    store.webhooks().create(new).await.unwrap().id
}

fn draft(title: &str) -> PostDraft {
    PostDraft::new(Title::parse(title).unwrap(), Markdown::parse("Words.").unwrap())
}

async fn events(store: &Store, hook: longform_domain::WebhookId) -> Vec<String> {
    let mut events: Vec<String> =
        store.webhooks().deliveries(hook, None, 100).await.unwrap().into_iter().map(|d| d.event).collect();
    events.sort();
    events
}

async fn events_go_to_active_subscribers_only(store: &Store) {
    let posts_hook = hook(store, &["post.published", "post.deleted"]).await;
    let everything = hook(store, &["*"]).await;
    let idle = hook(store, &["*"]).await;
    store.webhooks().update(idle, 1, WebhookChanges { active: Some(false), ..Default::default() }).await.unwrap();

    let post = store.posts().create(draft("Announced"), Missing::Create, None).await.unwrap();
    store.posts().apply_move(post.card.id, Move::Publish, None, None).await.unwrap();
    store.posts().trash(post.card.id, None, None).await.unwrap();

    assert_eq!(events(store, posts_hook).await, ["post.deleted", "post.published"]);
    assert_eq!(events(store, everything).await, ["post.created", "post.deleted", "post.published"]);
    assert!(events(store, idle).await.is_empty(), "inactive endpoints get nothing");
    let log = store.webhooks().deliveries(posts_hook, None, 100).await.unwrap();
    let deleted = log.iter().find(|d| d.event == "post.deleted").unwrap();
    let body: serde_json::Value = serde_json::from_str(&deleted.payload).unwrap();
    assert_eq!(body["type"], "post.deleted");
    assert_eq!(body["id"], deleted.id.to_string());
    assert_eq!(body["data"]["previous"]["status"], "published");
    assert!(body["data"]["post"]["deleted_at"].is_string());
    assert!(log.iter().all(|d| d.status == DeliveryStatus::Pending && d.attempts.is_empty()));
}

async fn a_rolled_back_change_announces_nothing(store: &Store) {
    let everything = hook(store, &["*"]).await;
    // The idempotency key is written after the post's events: failing it
    // rolls back a change whose deliveries were already queued.
    longform_persistence::testing::inject_fault(store, "idempotency_keys", "INSERT", "1 = 1".into()).await.unwrap();
    let failed = store
        .posts()
        .create_once("someone".into(), "key".into(), "hash".into(), draft("Never"), Missing::Create, None)
        .await;
    assert!(format!("{failed:?}").contains("injected fault"), "{failed:?}");
    assert!(events(store, everything).await.is_empty(), "no event for a change that never happened");
    assert!(store.posts().none_exist().await.unwrap());
}

async fn a_claim_holds_its_lease_and_attempts_are_recorded(store: &Store) {
    let outbox = outbox(store);
    let everything = hook(store, &["*"]).await;
    store.posts().create(draft("One"), Missing::Create, None).await.unwrap();
    let claimed = outbox.claim(10, Duration::from_secs(30)).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].attempts, 1);
    assert!(outbox.claim(10, Duration::from_secs(30)).await.unwrap().is_empty(), "leased");

    let retry = AttemptReport {
        at: now(),
        duration_ms: 12,
        response_status: Some(503),
        error: Some("answered 503".into()),
        outcome: Outcome::RetryAt(now()),
        disable: None,
    };
    outbox.record_attempt(claimed[0].id, retry).await.unwrap();
    let again = outbox.claim(10, Duration::from_secs(30)).await.unwrap();
    assert_eq!((again.len(), again[0].attempts), (1, 2), "due again after a failed attempt");
    let done = AttemptReport {
        at: now(),
        duration_ms: 8,
        response_status: Some(204),
        error: None,
        outcome: Outcome::Delivered,
        disable: None,
    };
    outbox.record_attempt(again[0].id, done).await.unwrap();
    let log = store.webhooks().deliveries(everything, None, 10).await.unwrap();
    assert_eq!(log[0].status, DeliveryStatus::Delivered);
    assert!(log[0].delivered_at.is_some() && log[0].next_attempt_at.is_none());
    let statuses: Vec<Option<u16>> = log[0].attempts.iter().map(|a| a.response_status).collect();
    assert_eq!(statuses, [Some(503), Some(204)]);
    assert!(outbox.claim(10, Duration::from_secs(30)).await.unwrap().is_empty(), "delivered is done");

    store.posts().create(draft("Two"), Missing::Create, None).await.unwrap();
    let later = now() + chrono::Duration::seconds(1);
    assert_eq!(outbox.prune(later).await.unwrap(), 1, "the finished delivery goes");
    let log = store.webhooks().deliveries(everything, None, 10).await.unwrap();
    assert_eq!(log.len(), 1, "the pending one stays");
    assert_eq!(log[0].status, DeliveryStatus::Pending);
}

async fn concurrent_claims_never_share_a_delivery(store: &Store) {
    let outbox = outbox(store);
    hook(store, &["*"]).await;
    for i in 0..12 {
        store.posts().create(draft(&format!("Post {i}")), Missing::Create, None).await.unwrap();
    }
    let lease = Duration::from_secs(30);
    let (a, b, c) = tokio::join!(outbox.claim(5, lease), outbox.claim(5, lease), outbox.claim(5, lease));
    let mut ids: Vec<String> = [a, b, c].into_iter().flat_map(|r| r.unwrap()).map(|d| d.id.to_string()).collect();
    let claimed = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), claimed, "no delivery claimed twice");
    assert_eq!(claimed, 12, "all claimed");
}
