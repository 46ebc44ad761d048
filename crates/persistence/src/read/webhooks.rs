//! Webhook endpoints and their delivery log.

use diesel::prelude::*;
use longform_domain::webhook::Subscription;
use longform_domain::{DeliveryId, WebhookId};

use crate::db::AnyConnection;
use crate::error::StoreError;
use crate::model::{Delivery, Webhook};
use crate::rows::webhooks::{AttemptRow, DeliveryRow, WebhookRow, subscription_from_db};
use crate::schema::{webhook_attempts, webhook_deliveries, webhooks};

pub(crate) fn get(conn: &mut AnyConnection, id: WebhookId) -> Result<Webhook, StoreError> {
    webhooks::table.find(id).select(WebhookRow::as_select()).first(conn)?.try_into()
}

/// The endpoint's current version.
pub(crate) fn version(conn: &mut AnyConnection, id: WebhookId) -> Result<i64, StoreError> {
    Ok(webhooks::table.find(id).select(webhooks::version).first(conn)?)
}

pub(crate) fn list(conn: &mut AnyConnection) -> Result<Vec<Webhook>, StoreError> {
    let rows = webhooks::table.order(webhooks::created_at).select(WebhookRow::as_select()).load(conn)?;
    rows.into_iter().map(Webhook::try_from).collect()
}

/// The active endpoints with what they subscribe to.
pub(crate) fn active(conn: &mut AnyConnection) -> Result<Vec<(WebhookId, Subscription)>, StoreError> {
    let hooks: Vec<(WebhookId, String)> =
        webhooks::table.filter(webhooks::active.eq(true)).select((webhooks::id, webhooks::events)).load(conn)?;
    hooks.into_iter().map(|(id, events)| Ok((id, subscription_from_db(&events)?))).collect()
}

/// The endpoint's deliveries, newest first, before `before` (a delivery id:
/// ids grow with time), at most `limit`, each with its attempts.
pub(crate) fn deliveries(
    conn: &mut AnyConnection,
    webhook: WebhookId,
    before: Option<DeliveryId>,
    limit: i64,
) -> Result<Vec<Delivery>, StoreError> {
    let mut query = webhook_deliveries::table
        .filter(webhook_deliveries::webhook_id.eq(webhook))
        .order(webhook_deliveries::id.desc())
        .limit(limit)
        .select(DeliveryRow::as_select())
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(webhook_deliveries::id.lt(before));
    }
    let rows: Vec<DeliveryRow> = query.load(conn)?;
    let ids: Vec<DeliveryId> = rows.iter().map(|r| r.id).collect();
    let attempts: Vec<AttemptRow> = webhook_attempts::table
        .filter(webhook_attempts::delivery_id.eq_any(&ids))
        .order(webhook_attempts::id)
        .select(AttemptRow::as_select())
        .load(conn)?;
    rows.into_iter().map(|row| row.into_delivery(&attempts)).collect()
}
