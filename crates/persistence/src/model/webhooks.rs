//! Webhook endpoints, their deliveries and the attempts at them.

use chrono::{DateTime, Utc};
use longform_domain::webhook::{Subscription, WebhookSecret, WebhookUrl};
use longform_domain::{DeliveryId, Description, WebhookId};

use crate::error::StoreError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    pub id: WebhookId,
    pub url: WebhookUrl,
    pub subscription: Subscription,
    pub secret: WebhookSecret,
    pub description: Option<Description>,
    pub active: bool,
    /// Why the deliverer turned the endpoint off (it answered 410 Gone);
    /// cleared when an admin turns it on or off again.
    pub disabled_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Grows with every change; `If-Match` names it.
    pub version: i64,
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

    pub(crate) fn parse(raw: &str) -> Result<Self, StoreError> {
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

/// What became of a delivery after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryOutcome {
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
    pub outcome: DeliveryOutcome,
    /// Turn the endpoint off, for this reason (its receiver is gone for good).
    pub disable: Option<String>,
}
