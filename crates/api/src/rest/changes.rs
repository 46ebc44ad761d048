//! `GET /api/v1/changes?since=<cursor>`: the change feed for mirrors,
//! authenticated (integration tokens, or editors and admins). Never cached.

use actix_web::{HttpRequest, HttpResponse, web};
use longform_domain::{Actor, Role};
use serde_json::json;

use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::params::Params;

const MAX_CHANGES: i64 = 1000;

pub async fn changes(req: HttpRequest, state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    let allowed = match caller.actor {
        Actor::Integration { .. } => true,
        Actor::User { role, .. } => role >= Role::Editor,
    };
    caller.require(allowed)?;
    let params = Params::parse(req.query_string(), &["since", "limit"])?;
    let since = match params.get("since") {
        None => 0,
        Some(raw) => raw
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .ok_or_else(|| ApiError::invalid("since", "is not a cursor from this feed"))?,
    };
    let limit = match params.get("limit") {
        None => MAX_CHANGES,
        Some(raw) => raw
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=MAX_CHANGES).contains(n))
            .ok_or_else(|| ApiError::invalid("limit", format!("must be an integer from 1 to {MAX_CHANGES}")))?,
    };
    let changes = state.store.content().changes_since(since, limit).await?;
    let next = changes.last().map_or(since, |c| c.seq);
    let body = json!({
        "changes": changes.iter().map(|c| json!({
            "seq": c.seq,
            "post_id": c.post_id,
            "kind": c.kind,
            "slug": c.slug,
            "status": c.status,
            "live": c.is_live(),
            "at": c.at,
        })).collect::<Vec<_>>(),
        "next_cursor": next.to_string(),
    });
    Ok(HttpResponse::Ok().insert_header(("Cache-Control", "no-store")).json(body))
}
