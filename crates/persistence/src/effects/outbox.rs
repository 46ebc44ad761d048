//! Webhook events, written to the outbox in the transaction of the change
//! they announce: when the change commits its deliveries exist, when it
//! rolls back they never did, so a crash can neither lose nor invent an
//! event. An event becomes one delivery row per subscribed endpoint.

use diesel::prelude::*;
use longform_domain::webhook::{EVENTS, Subscription};
use longform_domain::{Author, DeliveryId, Description, Post, WebUrl, WebhookId};
use serde_json::{Value, json};

use crate::db::AnyConnection;
use crate::error::StoreError;
use crate::model::{ChangeKind, DeliveryStatus, Term};
use crate::read::webhooks::active;
use crate::rows::webhooks::DeliveryRow;
use crate::schema::{post_states, webhook_deliveries};
use crate::time::{now, to_db};

/// Queue `event` for one endpoint; returns the delivery's id. The body is
/// fixed now: `{id, type, timestamp, data}`.
pub(crate) fn insert_delivery(
    conn: &mut AnyConnection,
    webhook: WebhookId,
    event: &str,
    data: &Value,
) -> Result<DeliveryId, StoreError> {
    let id = DeliveryId::new();
    let at = now();
    let payload = json!({ "id": id, "type": event, "timestamp": at, "data": data }).to_string();
    let row = DeliveryRow {
        id,
        webhook_id: webhook,
        event: event.to_owned(),
        payload,
        status: DeliveryStatus::Pending.as_str().to_owned(),
        attempts: 0,
        next_attempt_at: Some(to_db(at)),
        created_at: to_db(at),
        delivered_at: None,
    };
    diesel::insert_into(webhook_deliveries::table).values(&row).execute(conn)?;
    Ok(id)
}

/// Queue `event` for every active endpoint subscribed to it.
pub(crate) fn enqueue(conn: &mut AnyConnection, event: &str, data: impl FnOnce() -> Value) -> Result<(), StoreError> {
    let hooks: Vec<WebhookId> = active(conn)?.into_iter().filter(|(_, s)| s.matches(event)).map(|(id, _)| id).collect();
    if hooks.is_empty() {
        return Ok(());
    }
    let data = data();
    for hook in hooks {
        insert_delivery(conn, hook, event, &data)?;
    }
    Ok(())
}

/// Whether any of these subscriptions hears some post event.
fn hears_posts(hooks: &[(WebhookId, Subscription)]) -> bool {
    hooks.iter().any(|(_, s)| EVENTS.iter().any(|e| e.starts_with("post.") && s.matches(e)))
}

/// Announce a change to a post: `post.<kind>` with its state now and as
/// last announced. The last announced state is kept (in `post_states`)
/// only while some endpoint listens to post events, and forgotten when the
/// last one stops ([`forget_unheard_states`]), so a "previous" is never
/// stale: it is `null` instead.
pub(crate) fn post_changed(conn: &mut AnyConnection, post: &Post, kind: ChangeKind) -> Result<(), StoreError> {
    let hooks = active(conn)?;
    if !hears_posts(&hooks) {
        return Ok(());
    }
    let event = format!("post.{}", kind.as_str());
    let key = post.card.id;
    let previous: Option<String> = post_states::table.find(key).select(post_states::state).first(conn).optional()?;
    let state = post_state(post);
    if kind == ChangeKind::Purged {
        diesel::delete(post_states::table.find(key)).execute(conn)?;
    } else if previous.is_some() {
        diesel::update(post_states::table.find(key)).set(post_states::state.eq(state.to_string())).execute(conn)?;
    } else {
        diesel::insert_into(post_states::table)
            .values((post_states::post_id.eq(key), post_states::state.eq(state.to_string())))
            .execute(conn)?;
    }
    let previous: Value = previous.and_then(|p| serde_json::from_str(&p).ok()).unwrap_or(Value::Null);
    let data = json!({ "post": state, "previous": previous });
    for (hook, _) in hooks.iter().filter(|(_, s)| s.matches(&event)) {
        insert_delivery(conn, *hook, &event, &data)?;
    }
    Ok(())
}

/// Forget every post's last announced state once no active endpoint
/// listens to post events (run after any change to the endpoints).
pub(crate) fn forget_unheard_states(conn: &mut AnyConnection) -> Result<(), StoreError> {
    if !hears_posts(&active(conn)?) {
        diesel::delete(post_states::table).execute(conn)?;
    }
    Ok(())
}

/// What an event says of a post: its metadata, not its body (an endpoint
/// that wants the body fetches it).
fn post_state(post: &Post) -> Value {
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

/// What a webhook event says of a tag or category.
pub(crate) fn term_state(term: &Term) -> Value {
    json!({
        "id": term.id,
        "slug": term.slug.as_str(),
        "name": term.name.as_str(),
        "description": term.description.as_ref().map(Description::as_str),
    })
}

/// What a webhook event says of an author profile.
pub(crate) fn author_state(author: &Author) -> serde_json::Value {
    serde_json::json!({
        "id": author.id,
        "slug": author.slug.as_str(),
        "name": author.name.as_str(),
        "bio": author.bio.as_ref().map(Description::as_str),
        "avatar_url": author.avatar_url.as_ref().map(WebUrl::as_str),
        "website": author.website.as_ref().map(WebUrl::as_str),
    })
}
