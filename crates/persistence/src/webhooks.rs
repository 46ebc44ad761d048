//! Webhook endpoints (URL, subscription, secret) and the log of what was
//! delivered to each: every delivery with every attempt, replay and ping.
//! The outbox that feeds them lives in [`crate::outbox`].

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use longform_domain::webhook::{PING, Subscription, WebhookSecret, WebhookUrl};
use longform_domain::{DeliveryId, Description, WebhookId};

use crate::db::AnyConnection;
use crate::error::StoreError;
use crate::rows::{parse_id, parse_optional, parse_value};
use crate::schema::{webhook_attempts, webhook_deliveries, webhooks};
use crate::store::{Store, from_db, now, to_db};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    pub id: WebhookId,
    pub url: WebhookUrl,
    pub subscription: Subscription,
    pub secret: WebhookSecret,
    pub description: Option<Description>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewWebhook {
    pub url: WebhookUrl,
    pub subscription: Subscription,
    pub secret: WebhookSecret,
    pub description: Option<Description>,
    pub active: bool,
}

/// Fields left `None` keep their value.
#[derive(Debug, Clone, Default)]
pub struct WebhookChanges {
    pub url: Option<WebhookUrl>,
    pub subscription: Option<Subscription>,
    pub secret: Option<WebhookSecret>,
    pub description: Option<Option<Description>>,
    pub active: Option<bool>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = webhooks, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub(crate) struct WebhookRow {
    id: String,
    url: String,
    events: String,
    secret: String,
    description: Option<String>,
    active: bool,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

pub(crate) fn subscription_from_db(events: &str) -> Result<Subscription, StoreError> {
    let patterns: Vec<String> = serde_json::from_str(events).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    parse_value(Subscription::parse(&patterns))
}

fn subscription_to_db(subscription: &Subscription) -> Result<String, StoreError> {
    serde_json::to_string(subscription.patterns()).map_err(|e| StoreError::Corrupt(e.to_string()))
}

impl TryFrom<WebhookRow> for Webhook {
    type Error = StoreError;
    fn try_from(row: WebhookRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: parse_id(&row.id)?,
            url: parse_value(WebhookUrl::parse(&row.url))?,
            subscription: subscription_from_db(&row.events)?,
            secret: parse_value(WebhookSecret::parse(&row.secret))?,
            description: parse_optional(row.description, Description::parse)?,
            active: row.active,
            created_at: from_db(row.created_at),
            updated_at: from_db(row.updated_at),
        })
    }
}

pub fn create(conn: &mut AnyConnection, new: &NewWebhook) -> Result<Webhook, StoreError> {
    let id = WebhookId::new().to_string();
    let at = to_db(now());
    diesel::insert_into(webhooks::table)
        .values((
            webhooks::id.eq(&id),
            webhooks::url.eq(new.url.as_str()),
            webhooks::events.eq(subscription_to_db(&new.subscription)?),
            webhooks::secret.eq(new.secret.expose()),
            webhooks::description.eq(new.description.as_ref().map(Description::as_str)),
            webhooks::active.eq(new.active),
            webhooks::created_at.eq(at),
            webhooks::updated_at.eq(at),
        ))
        .execute(conn)?;
    get(conn, parse_id(&id)?)
}

pub fn get(conn: &mut AnyConnection, id: WebhookId) -> Result<Webhook, StoreError> {
    webhooks::table.find(id.to_string()).select(WebhookRow::as_select()).first(conn)?.try_into()
}

pub fn list(conn: &mut AnyConnection) -> Result<Vec<Webhook>, StoreError> {
    let rows = webhooks::table.order(webhooks::created_at).select(WebhookRow::as_select()).load(conn)?;
    rows.into_iter().map(Webhook::try_from).collect()
}

pub fn update(conn: &mut AnyConnection, id: WebhookId, changes: &WebhookChanges) -> Result<Webhook, StoreError> {
    let current = get(conn, id)?;
    let description = changes.description.clone().unwrap_or(current.description);
    diesel::update(webhooks::table.find(id.to_string()))
        .set((
            webhooks::url.eq(changes.url.as_ref().unwrap_or(&current.url).as_str()),
            webhooks::events.eq(subscription_to_db(changes.subscription.as_ref().unwrap_or(&current.subscription))?),
            webhooks::secret.eq(changes.secret.as_ref().unwrap_or(&current.secret).expose()),
            webhooks::description.eq(description.as_ref().map(Description::as_str)),
            webhooks::active.eq(changes.active.unwrap_or(current.active)),
            webhooks::updated_at.eq(to_db(now())),
        ))
        .execute(conn)?;
    get(conn, id)
}

/// Delete an endpoint with its deliveries and their log.
pub fn delete(conn: &mut AnyConnection, id: WebhookId) -> Result<(), StoreError> {
    let deleted = diesel::delete(webhooks::table.find(id.to_string())).execute(conn)?;
    if deleted == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

/// One attempt at a delivery, as logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub at: DateTime<Utc>,
    pub duration_ms: u32,
    /// The HTTP status the endpoint answered, if it answered.
    pub response_status: Option<u16>,
    /// Why the attempt failed without an answer, or what the answer meant.
    pub error: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryStatus {
    Pending,
    Delivered,
    /// Gave up: the retry window passed, or the target may not be reached.
    Failed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
        }
    }

    fn parse(raw: &str) -> Result<Self, StoreError> {
        match raw {
            "pending" => Ok(Self::Pending),
            "delivered" => Ok(Self::Delivered),
            "failed" => Ok(Self::Failed),
            other => Err(StoreError::Corrupt(format!("delivery status {other:?}"))),
        }
    }
}

/// One event sent (or to be sent) to one endpoint, with its attempts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub id: DeliveryId,
    pub webhook_id: WebhookId,
    pub event: String,
    /// The exact body sent, JSON.
    pub payload: String,
    pub status: DeliveryStatus,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub attempts: Vec<Attempt>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = webhook_deliveries, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
struct DeliveryRow {
    id: String,
    webhook_id: String,
    event: String,
    payload: String,
    status: String,
    next_attempt_at: Option<NaiveDateTime>,
    created_at: NaiveDateTime,
    delivered_at: Option<NaiveDateTime>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = webhook_attempts, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
struct AttemptRow {
    delivery_id: String,
    attempted_at: NaiveDateTime,
    duration_ms: i32,
    response_status: Option<i32>,
    error: Option<String>,
}

impl From<&AttemptRow> for Attempt {
    fn from(row: &AttemptRow) -> Self {
        Self {
            at: from_db(row.attempted_at),
            duration_ms: u32::try_from(row.duration_ms).unwrap_or(0),
            response_status: row.response_status.and_then(|s| u16::try_from(s).ok()),
            error: row.error.clone(),
        }
    }
}

fn delivery(row: DeliveryRow, attempts: &[AttemptRow]) -> Result<Delivery, StoreError> {
    Ok(Delivery {
        id: parse_id(&row.id)?,
        webhook_id: parse_id(&row.webhook_id)?,
        status: DeliveryStatus::parse(&row.status)?,
        next_attempt_at: row.next_attempt_at.map(from_db),
        created_at: from_db(row.created_at),
        delivered_at: row.delivered_at.map(from_db),
        attempts: attempts.iter().filter(|a| a.delivery_id == row.id).map(Attempt::from).collect(),
        event: row.event,
        payload: row.payload,
    })
}

/// The endpoint's deliveries, newest first, before `before` (a delivery id:
/// ids grow with time), at most `limit`, each with its attempts.
pub fn deliveries(
    conn: &mut AnyConnection,
    webhook: WebhookId,
    before: Option<DeliveryId>,
    limit: i64,
) -> Result<Vec<Delivery>, StoreError> {
    get(conn, webhook)?;
    let mut query = webhook_deliveries::table
        .filter(webhook_deliveries::webhook_id.eq(webhook.to_string()))
        .order(webhook_deliveries::id.desc())
        .limit(limit)
        .select(DeliveryRow::as_select())
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(webhook_deliveries::id.lt(before.to_string()));
    }
    let rows: Vec<DeliveryRow> = query.load(conn)?;
    let attempts: Vec<AttemptRow> = webhook_attempts::table
        .filter(webhook_attempts::delivery_id.eq_any(rows.iter().map(|r| &r.id)))
        .order(webhook_attempts::id)
        .select(AttemptRow::as_select())
        .load(conn)?;
    rows.into_iter().map(|row| delivery(row, &attempts)).collect()
}

/// Send a delivery again, as it was (same id and body), at once.
pub fn replay(conn: &mut AnyConnection, webhook: WebhookId, delivery: DeliveryId) -> Result<(), StoreError> {
    let changed = diesel::update(
        webhook_deliveries::table
            .find(delivery.to_string())
            .filter(webhook_deliveries::webhook_id.eq(webhook.to_string())),
    )
    .set((
        webhook_deliveries::status.eq(DeliveryStatus::Pending.as_str()),
        webhook_deliveries::next_attempt_at.eq(Some(to_db(now()))),
    ))
    .execute(conn)?;
    if changed == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

/// Queue a `ping` to this endpoint alone, whatever it subscribes to and
/// even while it is inactive; returns the delivery's id.
pub fn ping(conn: &mut AnyConnection, webhook: WebhookId) -> Result<DeliveryId, StoreError> {
    let hook = get(conn, webhook)?;
    let data = serde_json::json!({ "webhook": { "id": hook.id, "url": hook.url.as_str() } });
    crate::outbox::insert_delivery(conn, webhook, PING, data)
}

pub struct Webhooks<'a>(&'a Store);

impl Store {
    pub fn webhooks(&self) -> Webhooks<'_> {
        Webhooks(self)
    }
}

impl Webhooks<'_> {
    pub async fn create(&self, new: NewWebhook) -> Result<Webhook, StoreError> {
        self.0.write_unseen(move |c| create(c, &new)).await
    }

    pub async fn get(&self, id: WebhookId) -> Result<Webhook, StoreError> {
        self.0.read(move |c| get(c, id)).await
    }

    pub async fn list(&self) -> Result<Vec<Webhook>, StoreError> {
        self.0.read(list).await
    }

    pub async fn update(&self, id: WebhookId, changes: WebhookChanges) -> Result<Webhook, StoreError> {
        self.0.write_unseen(move |c| update(c, id, &changes)).await
    }

    pub async fn delete(&self, id: WebhookId) -> Result<(), StoreError> {
        self.0.write_unseen(move |c| delete(c, id)).await
    }

    pub async fn deliveries(
        &self,
        id: WebhookId,
        before: Option<DeliveryId>,
        limit: i64,
    ) -> Result<Vec<Delivery>, StoreError> {
        self.0.read(move |c| deliveries(c, id, before, limit)).await
    }

    pub async fn replay(&self, id: WebhookId, delivery: DeliveryId) -> Result<(), StoreError> {
        self.0.write_unseen(move |c| replay(c, id, delivery)).await
    }

    pub async fn ping(&self, id: WebhookId) -> Result<DeliveryId, StoreError> {
        self.0.write_unseen(move |c| ping(c, id)).await
    }
}
