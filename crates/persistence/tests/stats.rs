//! The numbers /metrics reads, on SQLite and PostgreSQL: the outbox
//! backlog, overdue scheduled posts, and waits for pooled connections;
//! reading the gauges costs no counted statement.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use longform_domain::webhook::{Subscription, WebhookSecret, WebhookUrl};
use longform_domain::{Markdown, Move, PostDraft, Title};
use longform_persistence::NewWebhook;
use longform_persistence::OVERDUE_AFTER;
use longform_persistence::facades::GaugeReader;
use longform_persistence::{Missing, Store, both_backends, now};

both_backends!(
    pending_deliveries_count_in_the_backlog,
    a_scheduled_post_past_its_time_is_overdue,
    checkouts_are_counted_and_gauges_are_not
);

fn draft(title: &str) -> PostDraft {
    PostDraft::new(Title::parse(title).unwrap(), Markdown::parse("Words.").unwrap())
}

async fn pending_deliveries_count_in_the_backlog(store: &Store) {
    let gauges = GaugeReader::new(store);
    let empty = gauges.read().await.unwrap();
    assert_eq!((empty.pending_deliveries, empty.oldest_pending_seconds), (0, None));
    let new = NewWebhook {
        url: WebhookUrl::parse("https://hooks.example.com/in").unwrap(),
        subscription: Subscription::parse(&["post.created".to_owned()]).unwrap(),
        secret: WebhookSecret::generate(),
        description: None,
        active: true,
    };
    store.webhooks().create(new).await.unwrap();
    store.posts().create(draft("Announced"), Missing::Create, None).await.unwrap();
    let later = gauges.read_at(now() + chrono::Duration::seconds(90)).await.unwrap();
    assert_eq!(later.pending_deliveries, 1);
    let age = later.oldest_pending_seconds.unwrap();
    assert!((89.0..=95.0).contains(&age), "the oldest pending delivery is about 90 s old then: {age}");
}

async fn a_scheduled_post_past_its_time_is_overdue(store: &Store) {
    let gauges = GaugeReader::new(store);
    let post = store.posts().create(draft("Later"), Missing::Create, None).await.unwrap();
    let due = now() + chrono::Duration::seconds(60);
    store.posts().apply_move(post.card.id, Move::Schedule(due), None, None).await.unwrap();
    assert_eq!(gauges.read().await.unwrap().overdue_scheduled_posts, 0, "not due yet");
    let just_due = gauges.read_at(due + OVERDUE_AFTER - chrono::Duration::seconds(1)).await.unwrap();
    assert_eq!(just_due.overdue_scheduled_posts, 0, "the scheduler gets a few seconds");
    let overdue = gauges.read_at(due + OVERDUE_AFTER + chrono::Duration::seconds(1)).await.unwrap();
    assert_eq!(overdue.overdue_scheduled_posts, 1, "nobody published it");
}

async fn checkouts_are_counted_and_gauges_are_not(store: &Store) {
    let before = store.pool_waits();
    let statements = store.statements_executed();
    GaugeReader::new(store).read().await.unwrap();
    assert_eq!(store.statements_executed(), statements, "gauges run outside the counted pools");
    assert_eq!(store.pool_waits(), before);
    store.ping().await.unwrap();
    let after = store.pool_waits();
    assert_eq!(after.checkouts, before.checkouts + 1);
    assert_eq!(after.timeouts, before.timeouts);
}
