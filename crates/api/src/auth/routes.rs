//! `/api/v1/auth`: login, refresh, logout, who am I, change my password.

use actix_web::{HttpRequest, HttpResponse, web};
use longform_domain::{Email, Password, Secret, User};
use longform_persistence::Refresh;
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use super::{Caller, SESSION_TTL, jwt};
use crate::AppState;
use crate::body::{Fields, JsonBody};
use crate::error::ApiError;
use crate::params::Params;

const REFRESH_PREFIX: &str = "lfr_";

#[derive(Serialize)]
struct Tokens {
    access_token: String,
    refresh_token: String,
    token_type: &'static str,
    expires_in: i64,
}

/// The signed-in user's own view of their account.
#[derive(Serialize)]
pub struct Me {
    id: String,
    email: String,
    name: String,
    role: String,
}

impl From<&User> for Me {
    fn from(user: &User) -> Self {
        Self {
            id: user.id.to_string(),
            email: user.email.as_str().to_owned(),
            name: user.name.to_string(),
            role: user.role.to_string(),
        }
    }
}

fn tokens(state: &AppState, user: &User, session: Uuid, refresh_token: &Secret) -> HttpResponse {
    HttpResponse::Ok().insert_header(("Cache-Control", "no-store")).json(Tokens {
        access_token: state.auth.keys.access_token(user.id, session, longform_persistence::now()),
        refresh_token: refresh_token.expose().to_owned(),
        token_type: "Bearer",
        expires_in: jwt::ACCESS_TTL.num_seconds(),
    })
}

/// The rate limiter's key for the client (behind a trusted proxy, the
/// address it forwarded for).
fn client_key(req: &HttpRequest) -> String {
    match crate::client::of(req).address {
        Some(address) => format!("ip:{address}"),
        None => "ip:".to_owned(),
    }
}

/// Whole seconds, rounded up: a client that waits them is let in.
fn limited(retry: std::time::Duration) -> ApiError {
    ApiError::TooManyRequests { retry_after_secs: (retry.as_secs() + u64::from(retry.subsec_nanos() > 0)).max(1) }
}

pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<JsonBody>,
) -> Result<HttpResponse, ApiError> {
    let mut fields = Fields::new(body.into_inner().into_value(), &["email", "password"])?;
    let email = fields.required("email", Email::parse);
    let password = fields.required("password", |raw: &str| Ok::<_, ApiError>(raw.to_owned()));
    fields.finish()?;
    let (Some(email), Some(password)) = (email, password) else { return Err(ApiError::Internal) };
    // Oversized passwords are refused before any hashing work.
    if password.len() > Password::MAX_BYTES {
        return Err(ApiError::invalid("password", format!("must be at most {} bytes", Password::MAX_BYTES)));
    }
    let address = client_key(&req);
    let account = format!("account:{}|{address}", email.as_str());
    state.auth.per_address.check(&address).map_err(limited)?;
    state.auth.per_account_address.check(&account).map_err(limited)?;
    state.auth.per_address.record(&address);
    let user = state.store.users().find_by_email(email).await?;
    if !state.auth.verify_password(user.as_ref(), password).await? {
        state.auth.per_account_address.fail(&account);
        return Err(ApiError::Unauthorized("invalid email or password"));
    }
    let Some(user) = user else { return Err(ApiError::Unauthorized("invalid email or password")) };
    state.auth.per_account_address.clear(&account);
    let refresh_token = Secret::generate(REFRESH_PREFIX);
    let session = state.store.auth().create_session(user.id, refresh_token.hash(), SESSION_TTL).await?;
    tracing::info!(user.id = %user.id, "signed in");
    Ok(tokens(&state, &user, session, &refresh_token))
}

pub async fn refresh_session(state: web::Data<AppState>, body: web::Json<JsonBody>) -> Result<HttpResponse, ApiError> {
    let mut fields = Fields::new(body.into_inner().into_value(), &["refresh_token"])?;
    let presented = fields.required("refresh_token", |raw: &str| Ok::<_, ApiError>(Secret::presented(raw)));
    fields.finish()?;
    let Some(presented) = presented else { return Err(ApiError::Internal) };
    let next = Secret::generate(REFRESH_PREFIX);
    match state.store.auth().rotate_refresh(presented.hash(), next.hash()).await? {
        Refresh::Rotated { session_id, user } => Ok(tokens(&state, &user, session_id, &next)),
        Refresh::Reused => {
            tracing::warn!("a spent refresh token was presented again; its session is revoked");
            Err(ApiError::Unauthorized("refresh token already used; the session is revoked"))
        }
        Refresh::Invalid => Err(ApiError::Unauthorized("invalid or expired refresh token")),
    }
}

pub async fn logout(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    let session = caller.session.ok_or(ApiError::invalid("authorization", "integration tokens have no session"))?;
    state.store.auth().revoke_session(session).await?;
    Ok(HttpResponse::NoContent().finish())
}

pub async fn me(req: HttpRequest, caller: Caller) -> Result<HttpResponse, ApiError> {
    Params::parse(req.query_string(), &[])?;
    let user = caller.user.as_ref().ok_or(ApiError::invalid("authorization", "integration tokens have no user"))?;
    Ok(HttpResponse::Ok().insert_header(("Cache-Control", "no-store")).json(json!({ "user": Me::from(user) })))
}

/// Change one's own password; every session of the account ends.
pub async fn change_password(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<JsonBody>,
) -> Result<HttpResponse, ApiError> {
    let user = caller.user.ok_or(ApiError::invalid("authorization", "integration tokens have no user"))?;
    let mut fields = Fields::new(body.into_inner().into_value(), &["current_password", "new_password"])?;
    let current = fields.required("current_password", |raw: &str| Ok::<_, ApiError>(raw.to_owned()));
    let new = fields.required("new_password", |raw: &str| Password::parse(raw).map_err(|e| e.kind));
    fields.finish()?;
    let (Some(current), Some(new)) = (current, new) else { return Err(ApiError::Internal) };
    if !state.auth.verify_password(Some(&user), current).await? {
        return Err(ApiError::invalid("current_password", "is not your current password"));
    }
    let hash = state.auth.hash_password(new).await?;
    state.store.users().set_password(user.id, hash).await?;
    state.store.auth().revoke_user_sessions(user.id).await?;
    Ok(HttpResponse::NoContent().finish())
}
