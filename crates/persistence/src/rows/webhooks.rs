//! Webhook endpoint, delivery and attempt rows.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use longform_domain::webhook::{Subscription, WebhookSecret, WebhookUrl};
use longform_domain::{DeliveryId, Description, WebhookId};

use super::{from_json, parse_optional, parse_value, to_json};
use crate::error::StoreError;
use crate::model::{Attempt, Delivery, DeliveryStatus, NewWebhook, Webhook};
use crate::schema::{webhook_attempts, webhook_deliveries, webhooks};
use crate::time::{from_db, to_db};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = webhooks, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite), treat_none_as_null = true)]
pub(crate) struct WebhookRow {
    pub(crate) id: WebhookId,
    pub(crate) url: String,
    pub(crate) events: String,
    pub(crate) secret: String,
    pub(crate) description: Option<String>,
    pub(crate) active: bool,
    pub(crate) created_at: NaiveDateTime,
    pub(crate) updated_at: NaiveDateTime,
    pub(crate) version: i64,
    pub(crate) disabled_reason: Option<String>,
}

pub(crate) fn subscription_from_db(events: &str) -> Result<Subscription, StoreError> {
    let patterns: Vec<String> = from_json("webhook events", events)?;
    parse_value(Subscription::parse(&patterns))
}

impl WebhookRow {
    pub(crate) fn new(new: &NewWebhook, at: chrono::DateTime<chrono::Utc>) -> Result<Self, StoreError> {
        Ok(Self {
            id: WebhookId::new(),
            url: new.url.as_str().to_owned(),
            events: to_json(new.subscription.patterns())?,
            secret: new.secret.expose(),
            description: new.description.as_ref().map(|d| d.as_str().to_owned()),
            active: new.active,
            created_at: to_db(at),
            updated_at: to_db(at),
            version: 1,
            disabled_reason: None,
        })
    }

    pub(crate) fn of(hook: &Webhook) -> Result<Self, StoreError> {
        Ok(Self {
            id: hook.id,
            url: hook.url.as_str().to_owned(),
            events: to_json(hook.subscription.patterns())?,
            secret: hook.secret.expose(),
            description: hook.description.as_ref().map(|d| d.as_str().to_owned()),
            active: hook.active,
            created_at: to_db(hook.created_at),
            updated_at: to_db(hook.updated_at),
            version: hook.version,
            disabled_reason: hook.disabled_reason.clone(),
        })
    }
}

impl TryFrom<WebhookRow> for Webhook {
    type Error = StoreError;
    fn try_from(row: WebhookRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: row.id,
            url: parse_value(WebhookUrl::parse(&row.url))?,
            subscription: subscription_from_db(&row.events)?,
            secret: parse_value(WebhookSecret::parse(&row.secret))?,
            description: parse_optional(row.description, Description::parse)?,
            active: row.active,
            disabled_reason: row.disabled_reason,
            created_at: from_db(row.created_at),
            updated_at: from_db(row.updated_at),
            version: row.version,
        })
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_deliveries, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub(crate) struct DeliveryRow {
    pub(crate) id: DeliveryId,
    pub(crate) webhook_id: WebhookId,
    pub(crate) event: String,
    pub(crate) payload: String,
    pub(crate) status: String,
    pub(crate) attempts: i32,
    pub(crate) next_attempt_at: Option<NaiveDateTime>,
    pub(crate) created_at: NaiveDateTime,
    pub(crate) delivered_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_attempts, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub(crate) struct AttemptRow {
    pub(crate) delivery_id: DeliveryId,
    pub(crate) attempted_at: NaiveDateTime,
    pub(crate) duration_ms: i32,
    pub(crate) response_status: Option<i32>,
    pub(crate) error: Option<String>,
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

impl DeliveryRow {
    pub(crate) fn into_delivery(self, attempts: &[AttemptRow]) -> Result<Delivery, StoreError> {
        Ok(Delivery {
            attempts: attempts.iter().filter(|a| a.delivery_id == self.id).map(Attempt::from).collect(),
            id: self.id,
            webhook_id: self.webhook_id,
            status: DeliveryStatus::parse(&self.status)?,
            next_attempt_at: self.next_attempt_at.map(from_db),
            created_at: from_db(self.created_at),
            delivered_at: self.delivered_at.map(from_db),
            event: self.event,
            payload: self.payload,
        })
    }
}
