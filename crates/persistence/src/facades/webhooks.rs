//! The webhook repositories: endpoints and their delivery log for the
//! admin API, and the outbox for the deliverer.

use std::time::Duration;

use chrono::{DateTime, Utc};
use longform_domain::{DeliveryId, WebhookId};
use tracing::instrument;

use crate::commands::{outbox, webhooks as command};
use crate::error::StoreError;
use crate::model::{AttemptReport, Delivery, Due, NewWebhook, Webhook, WebhookChanges};
use crate::read;
use crate::store::{Probe, Store};

pub struct Webhooks<'a>(&'a Store);

impl Store {
    pub fn webhooks(&self) -> Webhooks<'_> {
        Webhooks(self)
    }
}

impl Webhooks<'_> {
    #[instrument(level = "debug", skip_all)]
    pub async fn create(&self, new: NewWebhook) -> Result<Webhook, StoreError> {
        self.0.write_unseen(move |c| command::create(c, &new)).await
    }

    #[instrument(level = "debug", skip_all, fields(webhook.id = %id))]
    pub async fn get(&self, id: WebhookId) -> Result<Webhook, StoreError> {
        self.0.read(move |c| read::webhooks::get(c, id)).await
    }

    pub async fn list(&self) -> Result<Vec<Webhook>, StoreError> {
        self.0.read(read::webhooks::list).await
    }

    /// Change the endpoint if it is still at version `expected`.
    #[instrument(level = "debug", skip_all, fields(webhook.id = %id))]
    pub async fn update(&self, id: WebhookId, expected: i64, changes: WebhookChanges) -> Result<Webhook, StoreError> {
        self.0.write_unseen(move |c| command::update(c, id, expected, &changes)).await
    }

    /// Delete the endpoint if it is still at version `expected`.
    #[instrument(level = "debug", skip_all, fields(webhook.id = %id))]
    pub async fn delete(&self, id: WebhookId, expected: i64) -> Result<(), StoreError> {
        self.0.write_unseen(move |c| command::delete(c, id, expected)).await
    }

    /// The endpoint's deliveries, newest first, before `before`, at most
    /// `limit`, each with its attempts; `NotFound` for an unknown endpoint.
    #[instrument(level = "debug", skip_all, fields(webhook.id = %id))]
    pub async fn deliveries(
        &self,
        id: WebhookId,
        before: Option<DeliveryId>,
        limit: i64,
    ) -> Result<Vec<Delivery>, StoreError> {
        self.0
            .read(move |c| {
                read::webhooks::get(c, id)?;
                read::webhooks::deliveries(c, id, before, limit)
            })
            .await
    }

    #[instrument(level = "debug", skip_all, fields(webhook.id = %id, delivery.id = %delivery))]
    pub async fn replay(&self, id: WebhookId, delivery: DeliveryId) -> Result<(), StoreError> {
        self.0.write_unseen(move |c| command::replay(c, id, delivery)).await
    }

    #[instrument(level = "debug", skip_all, fields(webhook.id = %id))]
    pub async fn ping(&self, id: WebhookId) -> Result<DeliveryId, StoreError> {
        self.0.write_unseen(move |c| command::ping(c, id)).await
    }
}

/// The outbox as a deliverer sees it. Its frequent "anything to do?"
/// questions go to a connection of its own outside the pools, so an idle
/// server's statement count stays still.
pub struct Outbox {
    store: Store,
    probe: Probe,
}

impl Outbox {
    pub fn new(store: Store) -> Self {
        Self { probe: Probe::new(&store), store }
    }

    /// Whether any delivery is due now.
    pub async fn anything_due(&mut self) -> Result<bool, StoreError> {
        self.probe.check(read::outbox::anything_due).await
    }

    /// Whether any finished delivery was created before `before`.
    pub async fn anything_to_prune(&mut self, before: DateTime<Utc>) -> Result<bool, StoreError> {
        self.probe.check(move |c| read::outbox::anything_to_prune(c, before)).await
    }

    /// Claim up to `limit` due deliveries for `lease`.
    #[instrument(level = "debug", skip_all)]
    pub async fn claim(&self, limit: i64, lease: Duration) -> Result<Vec<Due>, StoreError> {
        self.store.write_unseen(move |c| outbox::claim(c, limit, lease)).await
    }

    pub async fn record_attempt(&self, id: DeliveryId, report: AttemptReport) -> Result<(), StoreError> {
        self.attempt_log().record(id, report).await
    }

    /// Where attempts are recorded, for deliveries sent on tasks of their own.
    pub fn attempt_log(&self) -> AttemptLog {
        AttemptLog(self.store.clone())
    }

    /// Forget finished deliveries created before `before`; returns how many.
    #[instrument(level = "debug", skip_all)]
    pub async fn prune(&self, before: DateTime<Utc>) -> Result<usize, StoreError> {
        self.store.write_unseen(move |c| outbox::prune(c, before)).await
    }
}

/// Records attempts at deliveries (a cheap handle, one per delivery task).
#[derive(Clone)]
pub struct AttemptLog(Store);

impl AttemptLog {
    /// Log an attempt and move its delivery on (and turn its endpoint off
    /// when the report says so), in one transaction.
    #[instrument(level = "debug", skip_all, fields(delivery.id = %id))]
    pub async fn record(&self, id: DeliveryId, report: AttemptReport) -> Result<(), StoreError> {
        self.0.write_unseen(move |c| outbox::record(c, id, &report)).await
    }
}
