//! Writes guarded by a version, on PostgreSQL, where a transaction reads
//! what is committed: a change or deletion made against the version that
//! another transaction is replacing must lose, not overwrite it. (SQLite
//! sends every write through one connection, so nothing interleaves there.)
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::time::Duration;

use diesel::connection::SimpleConnection;
use longform_domain::webhook::{Subscription, WebhookSecret, WebhookUrl};
use longform_domain::{Description, WebhookId};
use longform_persistence::testing::TestStore;
use longform_persistence::{NewWebhook, Store, StoreError, WebhookChanges};

/// How long the other transaction holds the row: long enough for the write
/// under test to read the old version and then wait for the row.
const HOLD: Duration = Duration::from_millis(1500);

async fn hook(store: &Store) -> WebhookId {
    let new = NewWebhook {
        url: WebhookUrl::parse("https://hooks.example.com/in").unwrap(),
        subscription: Subscription::parse(&["post.*".to_owned()]).unwrap(),
        secret: WebhookSecret::generate(),
        description: None,
        active: true,
    };
    store.webhooks().create(new).await.unwrap().id
}

/// Start a transaction that moves the endpoint to `version` (describing it
/// as "Theirs") and commits after [`HOLD`]; returns once it holds the row.
async fn replacing(store: &Store, id: WebhookId, version: i64) -> tokio::task::JoinHandle<Result<(), StoreError>> {
    let (locked, is_locked) = tokio::sync::oneshot::channel();
    let store = store.clone();
    let holder = tokio::spawn(async move {
        store
            .with_connection(move |c| {
                c.batch_execute(&format!(
                    "BEGIN; UPDATE webhooks SET version = {version}, description = 'Theirs' WHERE id = '{id}'"
                ))?;
                let _ = locked.send(());
                std::thread::sleep(HOLD);
                Ok(c.batch_execute("COMMIT")?)
            })
            .await
    });
    is_locked.await.unwrap();
    holder
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_write_against_a_version_being_replaced_loses() {
    let Some(db) = TestStore::postgres().await else { return };
    let store = &db.store;
    let id = hook(store).await;

    let holder = replacing(store, id, 2).await;
    let ours = WebhookChanges { description: Some(Some(Description::parse("Ours").unwrap())), ..Default::default() };
    let changed = store.webhooks().update(id, 1, ours).await;
    holder.await.unwrap().unwrap();
    assert!(matches!(changed, Err(StoreError::VersionMismatch { expected: 1, current: 2 })), "{changed:?}");
    let stored = store.webhooks().get(id).await.unwrap();
    assert_eq!(stored.description.as_ref().map(Description::as_str), Some("Theirs"), "not overwritten");

    let holder = replacing(store, id, 3).await;
    let deleted = store.webhooks().delete(id, 2).await;
    holder.await.unwrap().unwrap();
    assert!(matches!(deleted, Err(StoreError::VersionMismatch { expected: 2, current: 3 })), "{deleted:?}");
    assert_eq!(store.webhooks().get(id).await.unwrap().version, 3, "not deleted");
}
