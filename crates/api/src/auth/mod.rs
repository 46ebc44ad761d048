//! Who is calling the editor API. A request carries `Authorization: Bearer
//! <token>`: either an access JWT (a signed-in user; its session is checked
//! on every request, so logout, a password change or disabling the user
//! takes effect at once) or an integration token (`lf_...`, looked up by
//! hash). Tokens are read from that header only, never from cookies or
//! query strings: the one cookie, the editor app's refresh token, is read
//! by `/api/v1/auth/refresh` and `/logout` alone (see [`routes`]).

pub mod jwt;
pub mod limiter;
pub mod routes;

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use longform_domain::{Actor, Password, PasswordHash, Secret, TokenScope, User};
use longform_persistence::workers::{WorkError, Workers};
use uuid::Uuid;

use crate::AppState;
use crate::error::ApiError;

/// Integration tokens start with this, so the two kinds never get confused.
pub const API_TOKEN_PREFIX: &str = "lf_";
/// How long a sign-in lasts without a new login (refresh tokens rotate within it).
pub const SESSION_TTL: chrono::Duration = chrono::Duration::days(30);

/// Authentication state shared by every request.
pub struct Auth {
    pub keys: jwt::Keys,
    /// Failed logins per account and client address, with growing delays.
    pub per_account_address: limiter::Backoff,
    /// Login attempts per client address.
    pub per_address: limiter::Limiter,
    /// Verified against when the email is unknown, so that an unknown
    /// account costs the same time as a wrong password.
    dummy_hash: PasswordHash,
    /// Password hashes computed at once: half the cores (at least one),
    /// each on a thread of its own. Each takes tens of milliseconds of CPU
    /// and 19 MiB, so without a bound a login flood takes every core and
    /// gigabytes from everyone else; with it, the other half serves readers.
    hashers: Workers,
}

/// How long a password check waits for a free core before the answer is
/// 503 with `Retry-After`.
const HASHING_QUEUE_WAIT: Duration = Duration::from_secs(2);

impl Auth {
    pub fn new(keys: jwt::Keys) -> Result<Self, ApiError> {
        let dummy_hash = PasswordHash::decoy().map_err(|_| ApiError::Internal)?;
        Ok(Self {
            keys,
            per_account_address: limiter::Backoff::new(4, Duration::from_secs(1), Duration::from_secs(15 * 60)),
            per_address: limiter::Limiter::new(30, Duration::from_secs(15 * 60)),
            dummy_hash,
            hashers: Workers::start("password-hash", std::thread::available_parallelism().map_or(1, |n| n.get()) / 2)
                .map_err(|_| ApiError::Internal)?,
        })
    }

    /// Check `password` against `user`'s hash (or the dummy), off the async
    /// executor and one per core; `Unavailable` when no core frees up soon.
    pub async fn verify_password(&self, user: Option<&User>, password: String) -> Result<bool, ApiError> {
        let hash = user.map_or_else(|| self.dummy_hash.clone(), |u| u.password_hash.clone());
        let known = user.is_some_and(|u| !u.disabled);
        let matches = self.hashed(move || hash.verify(&password)).await?;
        Ok(matches && known)
    }

    /// Hash a new password, under the same bound as checking one.
    pub async fn hash_password(&self, password: Password) -> Result<PasswordHash, ApiError> {
        self.hashed(move || PasswordHash::create(&password)).await?.map_err(|_| ApiError::Internal)
    }

    async fn hashed<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, ApiError> {
        self.hashers.run(HASHING_QUEUE_WAIT, work).await.map_err(|e| match e {
            WorkError::Saturated(_) => {
                tracing::warn!("password hashing is saturated; a request was turned away");
                ApiError::Unavailable
            }
            WorkError::Gone => ApiError::Internal,
        })
    }
}

/// The authenticated caller of an editor route.
#[derive(Debug, Clone)]
pub struct Caller {
    pub actor: Actor,
    /// The signed-in user (absent for integration tokens).
    pub user: Option<User>,
    pub session: Option<Uuid>,
    /// Who, for bookkeeping keyed by caller (idempotency keys): a user id
    /// or an integration token id.
    pub principal: String,
}

impl Caller {
    /// `Forbidden` unless `allowed`.
    pub fn require(&self, allowed: bool) -> Result<(), ApiError> {
        if allowed { Ok(()) } else { Err(ApiError::Forbidden("your role does not allow this")) }
    }
}

fn bearer(req: &HttpRequest) -> Result<String, ApiError> {
    let header = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .ok_or(ApiError::Unauthorized("sign in: send Authorization: Bearer <token>"))?;
    let value = header.to_str().map_err(|_| ApiError::Unauthorized("malformed Authorization header"))?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .ok_or(ApiError::Unauthorized("use the Bearer scheme"))?;
    Ok(token.trim().to_owned())
}

pub(crate) async fn authenticate(req: HttpRequest) -> Result<Caller, ApiError> {
    let state = req.app_data::<web::Data<AppState>>().ok_or(ApiError::Internal)?.clone();
    let token = bearer(&req)?;
    let invalid = ApiError::Unauthorized("invalid or expired token");
    if token.starts_with(API_TOKEN_PREFIX) {
        let found = state.store.auth().use_api_token(Secret::presented(&token).hash()).await?;
        // A content key reads published content through Ghost's API only.
        let api_token = found.filter(|t| t.scope != TokenScope::Content).ok_or(invalid)?;
        return Ok(Caller {
            actor: Actor::Integration { scope: api_token.scope },
            user: None,
            session: None,
            principal: format!("token:{}", api_token.id),
        });
    }
    let claims = state.auth.keys.verify_access(&token).ok_or(ApiError::Unauthorized("invalid or expired token"))?;
    let session: Uuid = claims.sid.parse().map_err(|_| ApiError::Unauthorized("invalid or expired token"))?;
    let active = state.store.auth().active_session(session).await?.ok_or(invalid)?;
    if active.user.id.to_string() != claims.sub {
        return Err(ApiError::Unauthorized("invalid or expired token"));
    }
    let user = active.user;
    Ok(Caller {
        actor: Actor::User { id: user.id, role: user.role },
        principal: format!("user:{}", user.id),
        user: Some(user),
        session: Some(session),
    })
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        Box::pin(authenticate(req.clone()))
    }
}
