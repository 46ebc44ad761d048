//! The deliverer's writes: claiming due deliveries under a lease (on
//! PostgreSQL with `FOR UPDATE SKIP LOCKED`, so replicas never send one
//! attempt twice), recording each attempt, and forgetting old ones.

use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use longform_domain::{DeliveryId, WebhookId};

use crate::commands::webhooks;
use crate::db::AnyConnection;
use crate::error::StoreError;
use crate::model::{AttemptReport, DeliveryOutcome, DeliveryStatus, Due};
use crate::read;
use crate::rows::webhooks::AttemptRow;
use crate::schema::{webhook_attempts, webhook_deliveries};
use crate::time::{now, to_db};

/// Claim up to `limit` due deliveries for `lease`: until it ends no other
/// deliverer takes them; if this one dies first, they fall due again.
pub(crate) fn claim(conn: &mut AnyConnection, limit: i64, lease: Duration) -> Result<Vec<Due>, StoreError> {
    let at = now();
    let ids = read::outbox::due_ids(conn, to_db(at), limit)?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let until = at + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::MAX);
    diesel::update(webhook_deliveries::table.filter(webhook_deliveries::id.eq_any(&ids)))
        .set((
            webhook_deliveries::next_attempt_at.eq(Some(to_db(until))),
            webhook_deliveries::attempts.eq(webhook_deliveries::attempts + 1),
        ))
        .execute(conn)?;
    read::outbox::due(conn, &ids)
}

/// Log an attempt and move the delivery on: delivered, due again, or given
/// up; turn its endpoint off when the report says so.
pub(crate) fn record(conn: &mut AnyConnection, id: DeliveryId, report: &AttemptReport) -> Result<(), StoreError> {
    let attempt = AttemptRow {
        delivery_id: id,
        attempted_at: to_db(report.at),
        duration_ms: i32::try_from(report.duration_ms).unwrap_or(i32::MAX),
        response_status: report.response_status.map(i32::from),
        error: report.error.clone(),
    };
    diesel::insert_into(webhook_attempts::table).values(&attempt).execute(conn)?;
    let (status, next, delivered) = match report.outcome {
        DeliveryOutcome::Delivered => (DeliveryStatus::Delivered, None, Some(to_db(now()))),
        DeliveryOutcome::RetryAt(at) => (DeliveryStatus::Pending, Some(to_db(at)), None),
        DeliveryOutcome::GaveUp => (DeliveryStatus::Failed, None, None),
    };
    diesel::update(webhook_deliveries::table.find(id))
        .set((
            webhook_deliveries::status.eq(status.as_str()),
            webhook_deliveries::next_attempt_at.eq(next),
            webhook_deliveries::delivered_at.eq(delivered),
        ))
        .execute(conn)?;
    if let Some(reason) = &report.disable {
        let webhook: WebhookId =
            webhook_deliveries::table.find(id).select(webhook_deliveries::webhook_id).first(conn)?;
        webhooks::disable(conn, webhook, reason)?;
    }
    Ok(())
}

/// Forget finished deliveries (delivered or given up) created before
/// `before`, with their attempts; returns how many. Pending ones stay.
pub(crate) fn prune(conn: &mut AnyConnection, before: DateTime<Utc>) -> Result<usize, StoreError> {
    let finished = [DeliveryStatus::Delivered.as_str(), DeliveryStatus::Failed.as_str()];
    let old = || {
        webhook_deliveries::table
            .filter(webhook_deliveries::status.eq_any(finished))
            .filter(webhook_deliveries::created_at.lt(to_db(before)))
    };
    let attempts = webhook_attempts::delivery_id.eq_any(old().select(webhook_deliveries::id));
    diesel::delete(webhook_attempts::table.filter(attempts)).execute(conn)?;
    Ok(diesel::delete(old()).execute(conn)?)
}
