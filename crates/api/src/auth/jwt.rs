//! Signed tokens: short-lived access tokens for the editor API and
//! expiring preview tokens for one draft. One algorithm (HS256) is pinned by
//! the server; issuer, audience, expiry and not-before are always checked,
//! with a small leeway for clock skew. The two kinds have different
//! audiences, so neither can stand in for the other. An access token may
//! not claim to live longer than the server issues them for: one signed
//! with a leaked key for a year is refused.

use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use longform_domain::{PostId, UserId};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How long an access token lives.
pub const ACCESS_TTL: Duration = Duration::minutes(15);
/// The smallest secret accepted: 256 bits.
pub const MIN_SECRET_BYTES: usize = 32;
const ISSUER: &str = "longform";
const ACCESS_AUDIENCE: &str = "longform-admin";
const PREVIEW_AUDIENCE: &str = "longform-preview";
const LEEWAY_SECONDS: u64 = 30;

#[derive(Debug, Serialize, Deserialize)]
pub struct AccessClaims {
    /// The user.
    pub sub: String,
    /// The session (refresh-token family) it was issued in.
    pub sid: String,
    iss: String,
    aud: String,
    iat: i64,
    nbf: i64,
    exp: i64,
}

#[derive(Debug, Serialize, Deserialize)]
struct PreviewClaims {
    /// The post.
    sub: String,
    iss: String,
    aud: String,
    iat: i64,
    nbf: i64,
    exp: i64,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("the signing secret must be at least {MIN_SECRET_BYTES} bytes")]
pub struct WeakSecret;

pub struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

fn validation(audience: &str) -> Validation {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_issuer(&[ISSUER]);
    validation.set_audience(&[audience]);
    validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
    validation.validate_nbf = true;
    validation.leeway = LEEWAY_SECONDS;
    validation
}

impl Keys {
    pub fn new(secret: &[u8]) -> Result<Self, WeakSecret> {
        if secret.len() < MIN_SECRET_BYTES {
            return Err(WeakSecret);
        }
        Ok(Self { encoding: EncodingKey::from_secret(secret), decoding: DecodingKey::from_secret(secret) })
    }

    fn sign<T: Serialize>(&self, claims: &T) -> String {
        // HS256 over a JSON object cannot fail short of allocation failure.
        encode(&Header::new(Algorithm::HS256), claims, &self.encoding).unwrap_or_default()
    }

    pub fn access_token(&self, user: UserId, session: Uuid, now: DateTime<Utc>) -> String {
        self.sign(&AccessClaims {
            sub: user.to_string(),
            sid: session.to_string(),
            iss: ISSUER.into(),
            aud: ACCESS_AUDIENCE.into(),
            iat: now.timestamp(),
            nbf: now.timestamp(),
            exp: (now + ACCESS_TTL).timestamp(),
        })
    }

    /// The claims of a valid access token, else `None` (whatever the reason:
    /// the caller answers 401 either way).
    pub fn verify_access(&self, token: &str) -> Option<AccessClaims> {
        let claims = decode::<AccessClaims>(token, &self.decoding, &validation(ACCESS_AUDIENCE)).ok()?.claims;
        let lifetime = claims.exp.checked_sub(claims.iat)?;
        (lifetime <= ACCESS_TTL.num_seconds()).then_some(claims)
    }

    pub fn preview_token(&self, post: PostId, ttl: Duration, now: DateTime<Utc>) -> String {
        self.sign(&PreviewClaims {
            sub: post.to_string(),
            iss: ISSUER.into(),
            aud: PREVIEW_AUDIENCE.into(),
            iat: now.timestamp(),
            nbf: now.timestamp(),
            exp: (now + ttl).timestamp(),
        })
    }

    pub fn verify_preview(&self, token: &str) -> Option<PostId> {
        let data = decode::<PreviewClaims>(token, &self.decoding, &validation(PREVIEW_AUDIENCE)).ok()?;
        data.claims.sub.parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> Keys {
        Keys::new(&[7u8; 32]).unwrap()
    }

    #[test]
    fn access_tokens_verify_until_they_expire() {
        let (user, session) = (UserId::new(), Uuid::now_v7());
        let now = Utc::now();
        let token = keys().access_token(user, session, now);
        let claims = keys().verify_access(&token).unwrap();
        assert_eq!((claims.sub, claims.sid), (user.to_string(), session.to_string()));
        let old = keys().access_token(user, session, now - Duration::minutes(20));
        assert!(keys().verify_access(&old).is_none(), "expired");
        let future = keys().access_token(user, session, now + Duration::minutes(5));
        assert!(keys().verify_access(&future).is_none(), "not yet valid");
    }

    #[test]
    fn an_access_token_living_longer_than_issued_ones_is_refused() {
        let now = Utc::now();
        let claims = |lifetime: Duration| AccessClaims {
            sub: UserId::new().to_string(),
            sid: Uuid::now_v7().to_string(),
            iss: ISSUER.into(),
            aud: ACCESS_AUDIENCE.into(),
            iat: now.timestamp(),
            nbf: now.timestamp(),
            exp: (now + lifetime).timestamp(),
        };
        assert!(keys().verify_access(&keys().sign(&claims(ACCESS_TTL))).is_some());
        assert!(keys().verify_access(&keys().sign(&claims(ACCESS_TTL + Duration::seconds(1)))).is_none());
        assert!(keys().verify_access(&keys().sign(&claims(Duration::days(365)))).is_none());
    }

    #[test]
    fn tokens_are_bound_to_key_audience_and_algorithm() {
        let now = Utc::now();
        let token = keys().access_token(UserId::new(), Uuid::now_v7(), now);
        assert!(Keys::new(&[8u8; 32]).unwrap().verify_access(&token).is_none(), "another key");
        let preview = keys().preview_token(PostId::new(), Duration::hours(1), now);
        assert!(keys().verify_access(&preview).is_none(), "a preview token is no access token");
        assert!(keys().verify_preview(&token).is_none(), "an access token is no preview token");
        // alg=none with the same claims must not pass.
        let parts: Vec<&str> = token.split('.').collect();
        let none_header =
            base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, r#"{"alg":"none","typ":"JWT"}"#);
        assert!(keys().verify_access(&format!("{none_header}.{}.", parts[1])).is_none());
        assert_eq!(Keys::new(b"short").err(), Some(WeakSecret));
    }

    #[test]
    fn preview_tokens_name_their_post_and_expire() {
        let post = PostId::new();
        let now = Utc::now();
        assert_eq!(keys().verify_preview(&keys().preview_token(post, Duration::hours(1), now)), Some(post));
        assert!(
            keys().verify_preview(&keys().preview_token(post, Duration::hours(1), now - Duration::hours(2))).is_none()
        );
    }
}
