//! `/api/v1/auth`: login, refresh, logout, who am I, change my password.
//!
//! Two ways to hold a session. JSON mode (scripts, apps): the refresh token
//! comes in the body and goes back in the body. Cookie mode (the editor app
//! at /admin, `"cookie": true` at login): the refresh token lives in an
//! `HttpOnly; SameSite=Strict` cookie scoped to this path, so no script can
//! read it, and only the access token (in the app's memory) is handed to
//! JavaScript. A call the cookie authenticates (refresh, logout) must carry
//! `X-Longform-CSRF: 1`: a header no other site can make a browser send here
//! (this path answers no CORS preflight), checked with the browser's own
//! `Sec-Fetch-Site` where it sends one.

use actix_web::http::header::{self, HeaderValue};
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
/// The cookie of cookie mode, and the header its calls must carry.
pub const REFRESH_COOKIE: &str = "longform_refresh";
pub const CSRF_HEADER: &str = "x-longform-csrf";

#[derive(Serialize)]
struct Tokens {
    access_token: String,
    /// In the body in JSON mode; in the cookie alone in cookie mode.
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
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

/// How a session's refresh token travels.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Json,
    Cookie,
}

impl Mode {
    /// Cookie mode is asked for by the CSRF header, and then checked.
    fn of(req: &HttpRequest) -> Result<Self, ApiError> {
        if !req.headers().contains_key(CSRF_HEADER) {
            return Ok(Self::Json);
        }
        check_csrf(req)?;
        Ok(Self::Cookie)
    }
}

/// A cookie-authenticated call must come from this site's own script.
fn check_csrf(req: &HttpRequest) -> Result<(), ApiError> {
    let refused = ApiError::Forbidden("a call authenticated by the session cookie must send X-Longform-CSRF: 1");
    if req.headers().get(CSRF_HEADER).map(HeaderValue::as_bytes) != Some(b"1") {
        return Err(refused);
    }
    match req.headers().get("sec-fetch-site").map(HeaderValue::as_bytes) {
        None | Some(b"same-origin") => Ok(()),
        Some(_) => Err(ApiError::Forbidden("the session cookie works from this site's own pages only")),
    }
}

/// The refresh token the request's cookie carries.
fn refresh_cookie(req: &HttpRequest) -> Option<Secret> {
    let prefix = format!("{REFRESH_COOKIE}=");
    req.headers()
        .get_all(header::COOKIE)
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(prefix.as_str()))
        .filter(|token| !token.is_empty())
        .map(Secret::presented)
}

/// `Set-Cookie` for the refresh token (`None` clears it). `Secure` when the
/// client came over https (directly or, by the trusted-proxy rules, to our
/// proxy); on plain http a browser would drop a `Secure` cookie.
fn set_refresh_cookie(req: &HttpRequest, token: Option<&Secret>) -> String {
    let secure = if crate::client::of(req).scheme == crate::client::Scheme::Https { "; Secure" } else { "" };
    let (value, max_age) = match token {
        Some(token) => (token.expose(), SESSION_TTL.num_seconds()),
        None => ("", 0),
    };
    format!("{REFRESH_COOKIE}={value}; HttpOnly; SameSite=Strict; Path=/api/v1/auth; Max-Age={max_age}{secure}")
}

fn tokens(
    req: &HttpRequest,
    state: &AppState,
    mode: Mode,
    user: &User,
    session: Uuid,
    refresh_token: &Secret,
) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    response.insert_header(("Cache-Control", "no-store"));
    if mode == Mode::Cookie {
        response.insert_header((header::SET_COOKIE, set_refresh_cookie(req, Some(refresh_token))));
    }
    response.json(Tokens {
        access_token: state.auth.keys.access_token(user.id, session, longform_persistence::now()),
        refresh_token: (mode == Mode::Json).then(|| refresh_token.expose().to_owned()),
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
    let mut fields = Fields::new(body.into_inner().into_value(), &["email", "password", "cookie"])?;
    let email = fields.required("email", Email::parse);
    let password = fields.required("password", |raw: &str| Ok::<_, ApiError>(raw.to_owned()));
    let mode = if fields.bool("cookie") == Some(true) { Mode::Cookie } else { Mode::Json };
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
    Ok(tokens(&req, &state, mode, &user, session, &refresh_token))
}

pub async fn refresh_session(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<JsonBody>,
) -> Result<HttpResponse, ApiError> {
    let mode = Mode::of(&req)?;
    let presented = match mode {
        Mode::Json => {
            let mut fields = Fields::new(body.into_inner().into_value(), &["refresh_token"])?;
            let presented = fields.required("refresh_token", |raw: &str| Ok::<_, ApiError>(Secret::presented(raw)));
            fields.finish()?;
            presented.ok_or(ApiError::Internal)?
        }
        Mode::Cookie => {
            Fields::new(body.into_inner().into_value(), &[])?.finish()?;
            refresh_cookie(&req).ok_or(ApiError::Unauthorized("no session: sign in"))?
        }
    };
    let next = Secret::generate(REFRESH_PREFIX);
    match state.store.auth().rotate_refresh(presented.hash(), next.hash()).await? {
        Refresh::Rotated { session_id, user } => Ok(tokens(&req, &state, mode, &user, session_id, &next)),
        Refresh::Reused => {
            tracing::warn!("a spent refresh token was presented again; its session is revoked");
            Err(ApiError::Unauthorized("refresh token already used; the session is revoked"))
        }
        Refresh::Invalid => Err(ApiError::Unauthorized("invalid or expired refresh token")),
    }
}

/// Ends the session of the access token (JSON mode), or, in cookie mode,
/// the cookie's session (and the access token's, if one is sent), clearing
/// the cookie: signing out works with an expired access token too.
pub async fn logout(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let mode = Mode::of(&req)?;
    let caller = match mode {
        Mode::Json => Some(super::authenticate(req.clone()).await?),
        Mode::Cookie if req.headers().contains_key(header::AUTHORIZATION) => {
            super::authenticate(req.clone()).await.ok()
        }
        Mode::Cookie => None,
    };
    if let Some(caller) = caller {
        let session = caller.session.ok_or(ApiError::invalid("authorization", "integration tokens have no session"))?;
        state.store.auth().revoke_session(session).await?;
    }
    let mut response = HttpResponse::NoContent();
    if mode == Mode::Cookie {
        if let Some(token) = refresh_cookie(&req) {
            state.store.auth().revoke_by_refresh(token.hash()).await?;
        }
        response.insert_header((header::SET_COOKIE, set_refresh_cookie(&req, None)));
    }
    Ok(response.finish())
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
