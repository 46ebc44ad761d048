//! Writing webhook endpoints: create, change, delete, and asking for a
//! delivery again (replay) or a first one (ping).

use diesel::prelude::*;
use longform_domain::webhook::PING;
use longform_domain::{DeliveryId, WebhookId};

use crate::db::AnyConnection;
use crate::effects::outbox::{forget_unheard_states, insert_delivery};
use crate::error::StoreError;
use crate::model::{DeliveryStatus, NewWebhook, Webhook, WebhookChanges};
use crate::read;
use crate::rows::webhooks::WebhookRow;
use crate::schema::{webhook_deliveries, webhooks};
use crate::time::{now, to_db};

pub(crate) fn create(conn: &mut AnyConnection, new: &NewWebhook) -> Result<Webhook, StoreError> {
    let row = WebhookRow::new(new, now())?;
    diesel::insert_into(webhooks::table).values(&row).execute(conn)?;
    row.try_into()
}

/// Change an endpoint that is still at version `expected` (else
/// `VersionMismatch`, and nothing is written).
pub(crate) fn update(
    conn: &mut AnyConnection,
    id: WebhookId,
    expected: i64,
    changes: &WebhookChanges,
) -> Result<Webhook, StoreError> {
    let mut hook = read::webhooks::get(conn, id)?;
    if hook.version != expected {
        return Err(StoreError::VersionMismatch { expected, current: hook.version });
    }
    if let Some(url) = &changes.url {
        hook.url = url.clone();
    }
    if let Some(subscription) = &changes.subscription {
        hook.subscription = subscription.clone();
    }
    if let Some(secret) = &changes.secret {
        hook.secret = secret.clone();
    }
    if let Some(description) = &changes.description {
        hook.description = description.clone();
    }
    if let Some(active) = changes.active {
        // An admin's decision replaces the deliverer's.
        hook.active = active;
        hook.disabled_reason = None;
    }
    hook.updated_at = now();
    hook.version = expected + 1;
    // The version is checked again by the write itself: another writer may
    // have committed since the read (PostgreSQL reads committed data).
    let changed = diesel::update(webhooks::table.find(id).filter(webhooks::version.eq(expected)))
        .set(&WebhookRow::of(&hook)?)
        .execute(conn)?;
    if changed == 0 {
        return Err(mismatch(conn, id, expected));
    }
    forget_unheard_states(conn)?;
    Ok(hook)
}

/// Delete an endpoint still at version `expected`, with its deliveries and their log.
pub(crate) fn delete(conn: &mut AnyConnection, id: WebhookId, expected: i64) -> Result<(), StoreError> {
    let deleted = diesel::delete(webhooks::table.find(id).filter(webhooks::version.eq(expected))).execute(conn)?;
    if deleted == 0 {
        return Err(mismatch(conn, id, expected));
    }
    forget_unheard_states(conn)
}

/// Why a write guarded by `version = expected` touched no row: the
/// endpoint is gone, or at another version.
fn mismatch(conn: &mut AnyConnection, id: WebhookId, expected: i64) -> StoreError {
    match read::webhooks::version(conn, id) {
        Ok(current) => StoreError::VersionMismatch { expected, current },
        Err(error) => error,
    }
}

/// Turn an active endpoint off because its receiver is gone, saying why; a
/// new version, so an admin's change made against the old one is refused.
pub(crate) fn disable(conn: &mut AnyConnection, id: WebhookId, reason: &str) -> Result<(), StoreError> {
    diesel::update(webhooks::table.find(id).filter(webhooks::active.eq(true)))
        .set((
            webhooks::active.eq(false),
            webhooks::disabled_reason.eq(Some(reason)),
            webhooks::version.eq(webhooks::version + 1),
            webhooks::updated_at.eq(to_db(now())),
        ))
        .execute(conn)?;
    forget_unheard_states(conn)
}

/// Send a delivery again, as it was (same id and body), at once.
pub(crate) fn replay(conn: &mut AnyConnection, webhook: WebhookId, delivery: DeliveryId) -> Result<(), StoreError> {
    let changed =
        diesel::update(webhook_deliveries::table.find(delivery).filter(webhook_deliveries::webhook_id.eq(webhook)))
            .set((
                webhook_deliveries::status.eq(DeliveryStatus::Pending.as_str()),
                webhook_deliveries::next_attempt_at.eq(Some(to_db(now()))),
            ))
            .execute(conn)?;
    if changed == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

/// Queue a `ping` to this endpoint alone, whatever it subscribes to and
/// even while it is inactive; returns the delivery's id.
pub(crate) fn ping(conn: &mut AnyConnection, webhook: WebhookId) -> Result<DeliveryId, StoreError> {
    let hook = read::webhooks::get(conn, webhook)?;
    let data = serde_json::json!({ "webhook": { "id": hook.id, "url": hook.url.as_str() } });
    insert_delivery(conn, webhook, PING, &data)
}
