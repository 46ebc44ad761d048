//! The webhook outbox. An event becomes one delivery row per subscribed
//! endpoint, written in the transaction of the change it announces: when
//! the change commits its deliveries exist, when it rolls back they never
//! did, so a crash can neither lose nor invent an event. Deliverers claim
//! due rows with a lease (on PostgreSQL with `FOR UPDATE SKIP LOCKED`, so
//! replicas never send one attempt twice), send them outside any
//! transaction, and record each attempt.

use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp};
use longform_domain::webhook::{Subscription, WebhookSecret, WebhookUrl};
use longform_domain::{DeliveryId, Post, PostId, WebhookId};
use serde_json::{Value, json};

use crate::changelog::ChangeKind;
use crate::db::AnyConnection;
use crate::error::StoreError;
use crate::rows::{parse_id, parse_value};
use crate::schema::{post_states, webhook_attempts, webhook_deliveries, webhooks};
use crate::store::{Store, from_db, now, to_db};
use crate::webhooks::{DeliveryStatus, subscription_from_db};

/// Queue `event` for one endpoint; returns the delivery's id. The body is
/// fixed now: `{id, type, timestamp, data}`.
pub(crate) fn insert_delivery(
    conn: &mut AnyConnection,
    webhook: WebhookId,
    event: &str,
    data: Value,
) -> Result<DeliveryId, StoreError> {
    let id = DeliveryId::new();
    let at = now();
    let payload = json!({ "id": id, "type": event, "timestamp": at, "data": data }).to_string();
    diesel::insert_into(webhook_deliveries::table)
        .values((
            webhook_deliveries::id.eq(id.to_string()),
            webhook_deliveries::webhook_id.eq(webhook.to_string()),
            webhook_deliveries::event.eq(event),
            webhook_deliveries::payload.eq(payload),
            webhook_deliveries::status.eq(DeliveryStatus::Pending.as_str()),
            webhook_deliveries::attempts.eq(0),
            webhook_deliveries::next_attempt_at.eq(Some(to_db(at))),
            webhook_deliveries::created_at.eq(to_db(at)),
        ))
        .execute(conn)?;
    Ok(id)
}

/// The active endpoints with what they subscribe to.
fn active(conn: &mut AnyConnection) -> Result<Vec<(WebhookId, Subscription)>, StoreError> {
    let hooks: Vec<(String, String)> =
        webhooks::table.filter(webhooks::active.eq(true)).select((webhooks::id, webhooks::events)).load(conn)?;
    hooks.into_iter().map(|(id, events)| Ok((parse_id(&id)?, subscription_from_db(&events)?))).collect()
}

/// The active endpoints subscribed to `event`.
fn subscribers(conn: &mut AnyConnection, event: &str) -> Result<Vec<WebhookId>, StoreError> {
    Ok(active(conn)?.into_iter().filter(|(_, s)| s.matches(event)).map(|(id, _)| id).collect())
}

/// Queue `event` for every active endpoint subscribed to it.
pub(crate) fn enqueue(conn: &mut AnyConnection, event: &str, data: impl FnOnce() -> Value) -> Result<(), StoreError> {
    let hooks = subscribers(conn, event)?;
    if hooks.is_empty() {
        return Ok(());
    }
    let data = data();
    for hook in hooks {
        insert_delivery(conn, hook, event, data.clone())?;
    }
    Ok(())
}

/// What an event says of a post: its metadata, not its body (an endpoint
/// that wants the body fetches it).
pub(crate) fn post_state(post: &Post) -> Value {
    let card = &post.card;
    let term = |slug: &dyn ToString, name: &dyn ToString| json!({ "slug": slug.to_string(), "name": name.to_string() });
    json!({
        "id": card.id,
        "slug": card.slug.as_str(),
        "title": card.title.as_str(),
        "status": card.status.as_str(),
        "summary": card.summary,
        "published_at": card.published_at,
        "updated_at": card.updated_at,
        "deleted_at": card.deleted_at,
        "version": card.version,
        "featured": card.featured,
        "word_count": card.word_count,
        "reading_time_minutes": card.reading_time_minutes,
        "category": card.category.as_ref().map(|c| term(&c.slug, &c.name)),
        "tags": card.tags.iter().map(|t| term(&t.slug, &t.name)).collect::<Vec<_>>(),
        "authors": card.authors.iter().map(|a| term(&a.slug, &a.name)).collect::<Vec<_>>(),
    })
}

/// Announce a change to a post: `post.<kind>` with its state now and as
/// last announced. The last announced state is kept while any endpoint
/// listens to post events, and dropped otherwise, so a "previous" is never
/// stale: it is `null` instead.
pub(crate) fn post_changed(conn: &mut AnyConnection, id: PostId, kind: ChangeKind) -> Result<(), StoreError> {
    let event = format!("post.{}", kind.as_str());
    let key = id.to_string();
    let hooks = active(conn)?;
    let listening = hooks
        .iter()
        .any(|(_, s)| longform_domain::webhook::EVENTS.iter().any(|e| e.starts_with("post.") && s.matches(e)));
    let previous: Option<String> =
        if listening { post_states::table.find(&key).select(post_states::state).first(conn).optional()? } else { None };
    diesel::delete(post_states::table.find(&key)).execute(conn)?;
    if !listening {
        return Ok(());
    }
    let state = post_state(&crate::posts::get(conn, id)?);
    if kind != ChangeKind::Purged {
        diesel::insert_into(post_states::table)
            .values((post_states::post_id.eq(&key), post_states::state.eq(state.to_string())))
            .execute(conn)?;
    }
    let previous: Value = previous.and_then(|p| serde_json::from_str(&p).ok()).unwrap_or(Value::Null);
    let data = json!({ "post": state, "previous": previous });
    for (hook, _) in hooks.iter().filter(|(_, s)| s.matches(&event)) {
        insert_delivery(conn, *hook, &event, data.clone())?;
    }
    Ok(())
}

/// A delivery claimed for sending, with what sending needs.
#[derive(Debug, Clone)]
pub struct Due {
    pub id: DeliveryId,
    pub webhook_id: WebhookId,
    pub url: WebhookUrl,
    pub secret: WebhookSecret,
    pub payload: String,
    /// Attempts so far, this one included.
    pub attempts: u32,
    pub created_at: DateTime<Utc>,
}

#[derive(QueryableByName)]
struct DueId {
    #[diesel(sql_type = Text)]
    id: String,
}

fn due_ids(conn: &mut AnyConnection, at: NaiveDateTime, limit: i64) -> Result<Vec<String>, StoreError> {
    Ok(match conn {
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
    })
}

/// Claim up to `limit` due deliveries for `lease`: until it ends no other
/// deliverer takes them; if this one dies first, they fall due again.
pub fn claim(conn: &mut AnyConnection, limit: i64, lease: Duration) -> Result<Vec<Due>, StoreError> {
    let at = now();
    let ids = due_ids(conn, to_db(at), limit)?;
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
    let rows: Vec<(String, String, String, String, String, i32, NaiveDateTime)> = webhook_deliveries::table
        .inner_join(webhooks::table)
        .filter(webhook_deliveries::id.eq_any(&ids))
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
                id: parse_id(&id)?,
                webhook_id: parse_id(&webhook_id)?,
                url: parse_value(WebhookUrl::parse(&url))?,
                secret: parse_value(WebhookSecret::parse(&secret))?,
                payload,
                attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
                created_at: from_db(created_at),
            })
        })
        .collect()
}

/// What became of a delivery after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Delivered,
    RetryAt(DateTime<Utc>),
    GaveUp,
}

/// One attempt, to log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptReport {
    pub at: DateTime<Utc>,
    pub duration_ms: u32,
    pub response_status: Option<u16>,
    pub error: Option<String>,
    pub outcome: Outcome,
}

pub fn record(conn: &mut AnyConnection, id: DeliveryId, report: &AttemptReport) -> Result<(), StoreError> {
    let key = id.to_string();
    diesel::insert_into(webhook_attempts::table)
        .values((
            webhook_attempts::delivery_id.eq(&key),
            webhook_attempts::attempted_at.eq(to_db(report.at)),
            webhook_attempts::duration_ms.eq(i32::try_from(report.duration_ms).unwrap_or(i32::MAX)),
            webhook_attempts::response_status.eq(report.response_status.map(i32::from)),
            webhook_attempts::error.eq(report.error.as_deref()),
        ))
        .execute(conn)?;
    let (status, next, delivered) = match report.outcome {
        Outcome::Delivered => (DeliveryStatus::Delivered, None, Some(to_db(now()))),
        Outcome::RetryAt(at) => (DeliveryStatus::Pending, Some(to_db(at)), None),
        Outcome::GaveUp => (DeliveryStatus::Failed, None, None),
    };
    diesel::update(webhook_deliveries::table.find(&key))
        .set((
            webhook_deliveries::status.eq(status.as_str()),
            webhook_deliveries::next_attempt_at.eq(next),
            webhook_deliveries::delivered_at.eq(delivered),
        ))
        .execute(conn)?;
    Ok(())
}

/// Whether any delivery is due now (the deliverer's cheap, frequent question).
pub fn anything_due(conn: &mut AnyConnection) -> Result<bool, StoreError> {
    let first: Option<String> = webhook_deliveries::table
        .filter(webhook_deliveries::status.eq(DeliveryStatus::Pending.as_str()))
        .filter(webhook_deliveries::next_attempt_at.le(to_db(now())))
        .select(webhook_deliveries::id)
        .first(conn)
        .optional()?;
    Ok(first.is_some())
}

/// Forget finished deliveries (delivered or given up) created before
/// `before`, with their attempts; returns how many. Pending ones stay.
pub fn prune(conn: &mut AnyConnection, before: DateTime<Utc>) -> Result<usize, StoreError> {
    let finished = [DeliveryStatus::Delivered.as_str(), DeliveryStatus::Failed.as_str()];
    let old = webhook_deliveries::table
        .filter(webhook_deliveries::status.eq_any(finished))
        .filter(webhook_deliveries::created_at.lt(to_db(before)))
        .select(webhook_deliveries::id);
    diesel::delete(webhook_attempts::table.filter(webhook_attempts::delivery_id.eq_any(old))).execute(conn)?;
    let old = webhook_deliveries::table
        .filter(webhook_deliveries::status.eq_any(finished))
        .filter(webhook_deliveries::created_at.lt(to_db(before)));
    Ok(diesel::delete(old).execute(conn)?)
}

/// Whether [`prune`] would remove anything (asked on a probe connection).
pub fn anything_to_prune(conn: &mut AnyConnection, before: DateTime<Utc>) -> Result<bool, StoreError> {
    let finished = [DeliveryStatus::Delivered.as_str(), DeliveryStatus::Failed.as_str()];
    let first: Option<String> = webhook_deliveries::table
        .filter(webhook_deliveries::status.eq_any(finished))
        .filter(webhook_deliveries::created_at.lt(to_db(before)))
        .select(webhook_deliveries::id)
        .first(conn)
        .optional()?;
    Ok(first.is_some())
}

impl Store {
    pub async fn prune_deliveries(&self, before: DateTime<Utc>) -> Result<usize, StoreError> {
        self.write_unseen(move |c| prune(c, before)).await
    }

    pub async fn claim_deliveries(&self, limit: i64, lease: Duration) -> Result<Vec<Due>, StoreError> {
        self.write_unseen(move |c| claim(c, limit, lease)).await
    }

    pub async fn record_attempt(&self, id: DeliveryId, report: AttemptReport) -> Result<(), StoreError> {
        self.write_unseen(move |c| record(c, id, &report)).await
    }
}
