//! `/api/v1/admin/webhooks`: endpoints that receive signed events, for
//! admins only; each endpoint's delivery log, replay and a test ping. The
//! signing secret is shown in the answer to the creation (or the change)
//! that sets it, never again. A change or deletion names the version it was
//! made against (`If-Match`), as a post's does.

use std::net::IpAddr;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use longform_domain::webhook::{Subscription, WebhookSecret, WebhookUrl, is_public};
use longform_domain::{DeliveryId, Description, WebhookId};
use longform_persistence::{Delivery, NewWebhook, Webhook, WebhookChanges};
use serde_json::{Value, json};

use super::{if_match, private, versioned};
use crate::AppState;
use crate::auth::Caller;
use crate::body::{Fields, JsonBody};
use crate::error::ApiError;
use crate::params::Params;
use crate::webhooks::AllowList;

const FIELDS: &[&str] = &["url", "events", "secret", "description", "active"];
/// Deliveries per page of the log, unless `limit` says otherwise.
const DELIVERIES_PAGE: u32 = 20;

fn webhook_json(hook: &Webhook) -> Value {
    json!({
        "id": hook.id,
        "url": hook.url.as_str(),
        "events": hook.subscription.patterns(),
        "description": hook.description.as_ref().map(Description::as_str),
        "active": hook.active,
        "disabled_reason": hook.disabled_reason,
        "created_at": hook.created_at,
        "updated_at": hook.updated_at,
        "version": hook.version,
    })
}

fn delivery_json(delivery: &Delivery) -> Value {
    let attempts: Vec<Value> = delivery
        .attempts
        .iter()
        .map(|a| json!({ "at": a.at, "duration_ms": a.duration_ms, "response_status": a.response_status, "error": a.error }))
        .collect();
    json!({
        "id": delivery.id,
        "event": delivery.event,
        "status": delivery.status.as_str(),
        "created_at": delivery.created_at,
        "next_attempt_at": delivery.next_attempt_at,
        "delivered_at": delivery.delivered_at,
        "payload": serde_json::from_str::<Value>(&delivery.payload).unwrap_or(Value::Null),
        "attempts": attempts,
    })
}

fn webhook_id(raw: &str) -> Result<WebhookId, ApiError> {
    raw.parse().map_err(|_| ApiError::NotFound)
}

/// A URL whose host is written as a non-public address is refused at once;
/// names are checked when each delivery resolves them.
fn parse_url(raw: &str, allow: &AllowList) -> Result<WebhookUrl, String> {
    let url = WebhookUrl::parse(raw).map_err(|e| e.kind.to_string())?;
    let host = url.host();
    let literal_private = host.parse::<IpAddr>().is_ok_and(|ip| !is_public(ip));
    if literal_private && !allow.allows(&host) {
        return Err(format!("{host} is not a public address (an operator may allow it with webhook_allow_hosts)"));
    }
    Ok(url)
}

fn parse_events(fields: &mut Fields) -> Option<Subscription> {
    let patterns = fields.list("events", |raw: &str| Ok::<_, std::convert::Infallible>(raw.to_owned()))?;
    Subscription::parse(&patterns).map_err(|e| fields.fail("events", e.kind.to_string())).ok()
}

pub async fn list(req: HttpRequest, state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    Params::parse(req.query_string(), &[])?;
    caller.require(caller.actor.can_administer())?;
    let hooks = state.store.webhooks().list().await?;
    Ok(private(StatusCode::OK, &json!({ "webhooks": hooks.iter().map(webhook_json).collect::<Vec<_>>() })))
}

pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<JsonBody>,
) -> Result<HttpResponse, ApiError> {
    caller.require(caller.actor.can_administer())?;
    let mut fields = Fields::new(body.into_inner().into_value(), FIELDS)?;
    let url = fields.required("url", |raw| parse_url(raw, &state.site.webhook_allow));
    if matches!(fields.value("events"), None | Some(Value::Null)) {
        fields.fail("events", "is required");
    }
    let subscription = parse_events(&mut fields);
    let secret = fields.parse("secret", |raw| WebhookSecret::parse(raw).map_err(|e| e.kind));
    let description = fields.parse("description", Description::parse);
    let active = fields.bool("active").unwrap_or(true);
    fields.finish()?;
    let (Some(url), Some(subscription)) = (url, subscription) else { return Err(ApiError::Internal) };
    let secret = secret.unwrap_or_else(WebhookSecret::generate);
    let new = NewWebhook { url, subscription, secret: secret.clone(), description, active };
    let hook = state.store.webhooks().create(new).await?;
    let mut body = webhook_json(&hook);
    body["secret"] = Value::String(secret.expose());
    Ok(versioned(StatusCode::CREATED, hook.version, &json!({ "webhook": body })))
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Params::parse(req.query_string(), &[])?;
    caller.require(caller.actor.can_administer())?;
    let hook = state.store.webhooks().get(webhook_id(&id)?).await?;
    Ok(versioned(StatusCode::OK, hook.version, &json!({ "webhook": webhook_json(&hook) })))
}

/// Change any field; `"secret": "rotate"` issues a new secret (shown in the
/// answer); `"active": true` also clears a `disabled_reason`.
pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: web::Json<JsonBody>,
) -> Result<HttpResponse, ApiError> {
    caller.require(caller.actor.can_administer())?;
    let id = webhook_id(&id)?;
    let mut fields = Fields::new(body.into_inner().into_value(), FIELDS)?;
    let url = fields.parse("url", |raw| parse_url(raw, &state.site.webhook_allow));
    let subscription = parse_events(&mut fields);
    let secret = fields.parse("secret", |raw| match raw {
        "rotate" => Ok(WebhookSecret::generate()),
        _ => WebhookSecret::parse(raw).map_err(|e| e.kind),
    });
    let description =
        if fields.has("description") { Some(fields.parse("description", Description::parse)) } else { None };
    let active = fields.bool("active");
    fields.finish()?;
    // Bad input is reported as such, whatever the precondition says.
    let expected = if_match(&req)?;
    let changes = WebhookChanges { url, subscription, secret: secret.clone(), description, active };
    let hook = state.store.webhooks().update(id, expected, changes).await?;
    let mut body = webhook_json(&hook);
    if let Some(secret) = secret {
        body["secret"] = Value::String(secret.expose());
    }
    Ok(versioned(StatusCode::OK, hook.version, &json!({ "webhook": body })))
}

pub async fn remove(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.require(caller.actor.can_administer())?;
    let id = webhook_id(&id)?;
    state.store.webhooks().delete(id, if_match(&req)?).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The delivery log, newest first: `limit` (1 to 100) and `before`, the
/// `next_before` of the previous page.
pub async fn deliveries(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let params = Params::parse(req.query_string(), &["limit", "before"])?;
    caller.require(caller.actor.can_administer())?;
    let id = webhook_id(&id)?;
    let limit = if params.get("limit").is_some() { params.limit()? } else { DELIVERIES_PAGE };
    let before = match params.get("before") {
        Some(raw) => Some(raw.parse::<DeliveryId>().map_err(|_| ApiError::invalid("before", "is not a delivery id"))?),
        None => None,
    };
    let page = state.store.webhooks().deliveries(id, before, i64::from(limit)).await?;
    let next = (page.len() == limit as usize).then(|| page.last().map(|d| d.id)).flatten();
    let body = json!({
        "deliveries": page.iter().map(delivery_json).collect::<Vec<_>>(),
        "meta": { "pagination": { "limit": limit, "next_before": next } },
    });
    Ok(private(StatusCode::OK, &body))
}

/// Send a delivery again (same id and body), now.
pub async fn replay(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    caller.require(caller.actor.can_administer())?;
    let (id, delivery) = path.into_inner();
    let delivery: DeliveryId = delivery.parse().map_err(|_| ApiError::NotFound)?;
    state.store.webhooks().replay(webhook_id(&id)?, delivery).await?;
    Ok(private(StatusCode::ACCEPTED, &json!({ "delivery": { "id": delivery, "status": "pending" } })))
}

/// Queue a `ping` event to this endpoint; its result shows in the log.
pub async fn ping(state: web::Data<AppState>, caller: Caller, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    caller.require(caller.actor.can_administer())?;
    let delivery = state.store.webhooks().ping(webhook_id(&id)?).await?;
    Ok(private(StatusCode::ACCEPTED, &json!({ "delivery": { "id": delivery, "status": "pending" } })))
}
