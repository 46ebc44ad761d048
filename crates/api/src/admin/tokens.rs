//! `/api/v1/admin/tokens`: integration tokens for publishing pipelines.
//! The secret is shown once, in the answer to its creation; afterwards only
//! its name, scope and use are visible. Revoking names the version it was
//! made against (`If-Match`).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use longform_domain::{Name, Secret, TokenScope};
use longform_persistence::ApiToken;
use serde_json::{Value, json};
use uuid::Uuid;

use super::{if_match, private, versioned};
use crate::AppState;
use crate::auth::{API_TOKEN_PREFIX, Caller};
use crate::body::{Fields, JsonBody};
use crate::error::ApiError;
use crate::params::Params;

fn token_json(token: &ApiToken) -> Value {
    json!({
        "id": token.id,
        "name": token.name,
        "scope": token.scope.as_str(),
        "created_at": token.created_at,
        "last_used_at": token.last_used_at,
        "revoked_at": token.revoked_at,
        "version": token.version,
    })
}

pub async fn list(req: HttpRequest, state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    Params::parse(req.query_string(), &[])?;
    caller.require(caller.actor.can_administer())?;
    let tokens = state.store.auth().list_api_tokens().await?;
    Ok(private(StatusCode::OK, &json!({ "tokens": tokens.iter().map(token_json).collect::<Vec<_>>() })))
}

pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<JsonBody>,
) -> Result<HttpResponse, ApiError> {
    caller.require(caller.actor.can_administer())?;
    let mut fields = Fields::new(body.into_inner().into_value(), &["name", "scope"])?;
    let name = fields.required("name", Name::parse);
    let scope = fields.required("scope", |raw: &str| raw.parse::<TokenScope>().map_err(|e| e.kind));
    fields.finish()?;
    let (Some(name), Some(scope)) = (name, scope) else { return Err(ApiError::Internal) };
    // A content key is hex, as Ghost's clients require; the others say what they are.
    let secret = if scope == TokenScope::Content { Secret::generate_hex() } else { Secret::generate(API_TOKEN_PREFIX) };
    let token =
        state.store.auth().create_api_token(name.to_string(), scope, secret.hash(), caller.actor.user_id()).await?;
    let mut body = token_json(&token);
    body["token"] = Value::String(secret.expose().to_owned());
    Ok(versioned(StatusCode::CREATED, token.version, &json!({ "token": body })))
}

pub async fn revoke(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.require(caller.actor.can_administer())?;
    let id: Uuid = id.parse().map_err(|_| ApiError::NotFound)?;
    state.store.auth().revoke_api_token(id, if_match(&req)?).await?;
    // A content key taken on trust stops working now, not in a few seconds.
    state.content_keys.forget_all();
    Ok(HttpResponse::NoContent().finish())
}
