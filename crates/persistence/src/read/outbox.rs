//! The outbox seen from the deliverer: which deliveries are due, what is
//! finished and old enough to forget, and how much is waiting.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp};
use longform_domain::webhook::{WebhookSecret, WebhookUrl};
use longform_domain::{DeliveryId, WebhookId};

use crate::db::AnyConnection;
use crate::error::StoreError;
use crate::model::{DeliveryStatus, Due};
use crate::rows::parse_value;
use crate::schema::{webhook_deliveries, webhooks};
use crate::time::{from_db, now, to_db};

#[derive(QueryableByName)]
struct DueId {
    #[diesel(sql_type = Text)]
    id: String,
}

/// Up to `limit` due deliveries, oldest due first; on PostgreSQL locked
/// for this transaction and skipping rows another deliverer holds.
pub(crate) fn due_ids(conn: &mut AnyConnection, at: NaiveDateTime, limit: i64) -> Result<Vec<DeliveryId>, StoreError> {
    let ids: Vec<String> = match conn {
        AnyConnection::Postgresql(pg) => diesel::sql_query(
            "SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= $1 \
             ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED",
        )
        .bind::<Timestamp, _>(at)
        .bind::<BigInt, _>(limit)
        .load::<DueId>(pg)?
        .into_iter()
        .map(|d| d.id)
        .collect(),
        AnyConnection::Sqlite(_) => webhook_deliveries::table
            .filter(webhook_deliveries::status.eq(DeliveryStatus::Pending.as_str()))
            .filter(webhook_deliveries::next_attempt_at.le(at))
            .order(webhook_deliveries::next_attempt_at)
            .limit(limit)
            .select(webhook_deliveries::id)
            .load(conn)?,
    };
    ids.iter().map(|id| parse_value(id.parse::<DeliveryId>())).collect()
}

/// What sending each of these deliveries needs.
pub(crate) fn due(conn: &mut AnyConnection, ids: &[DeliveryId]) -> Result<Vec<Due>, StoreError> {
    let rows: Vec<(DeliveryId, WebhookId, String, String, String, i32, NaiveDateTime)> = webhook_deliveries::table
        .inner_join(webhooks::table)
        .filter(webhook_deliveries::id.eq_any(ids))
        .select((
            webhook_deliveries::id,
            webhook_deliveries::webhook_id,
            webhooks::url,
            webhooks::secret,
            webhook_deliveries::payload,
            webhook_deliveries::attempts,
            webhook_deliveries::created_at,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(id, webhook_id, url, secret, payload, attempts, created_at)| {
            Ok(Due {
                id,
                webhook_id,
                url: parse_value(WebhookUrl::parse(&url))?,
                secret: parse_value(WebhookSecret::parse(&secret))?,
                payload,
                attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
                created_at: from_db(created_at),
            })
        })
        .collect()
}

/// Whether any delivery is due now (the deliverer's cheap, frequent question).
pub(crate) fn anything_due(conn: &mut AnyConnection) -> Result<bool, StoreError> {
    let first: Option<DeliveryId> = webhook_deliveries::table
        .filter(webhook_deliveries::status.eq(DeliveryStatus::Pending.as_str()))
        .filter(webhook_deliveries::next_attempt_at.le(to_db(now())))
        .select(webhook_deliveries::id)
        .first(conn)
        .optional()?;
    Ok(first.is_some())
}

const FINISHED: [&str; 2] = ["delivered", "failed"];

/// Whether any finished delivery (delivered or given up) was created before `before`.
pub(crate) fn anything_to_prune(conn: &mut AnyConnection, before: DateTime<Utc>) -> Result<bool, StoreError> {
    let first: Option<DeliveryId> = webhook_deliveries::table
        .filter(webhook_deliveries::status.eq_any(FINISHED))
        .filter(webhook_deliveries::created_at.lt(to_db(before)))
        .select(webhook_deliveries::id)
        .first(conn)
        .optional()?;
    Ok(first.is_some())
}
