//! The request id: taken from `X-Request-Id` when a trusted proxy sent a
//! sensible one (so one id follows a request through every hop), else
//! generated (a UUIDv7: sortable by time). Always sent back.

use std::fmt;

use actix_web::HttpMessage;
use actix_web::dev::ServiceRequest;
use actix_web::http::header::{HeaderName, HeaderValue};
use uuid::Uuid;

use crate::client::TrustedProxies;

pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
/// The longest forwarded id kept; anything longer is replaced.
const MAX_FORWARDED_LEN: usize = 128;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestId {
    Generated(Uuid),
    /// From a trusted proxy; checked by [`RequestId::forwarded`].
    Forwarded(HeaderValue),
}

impl RequestId {
    /// The id of `req`: a trusted proxy's, else the one `tracing-actix-web`
    /// generated for it (else a new one).
    pub fn of(req: &ServiceRequest, trusted: &TrustedProxies) -> Self {
        if trusted.trusts_peer(req.peer_addr())
            && let Some(id) = req.headers().get(X_REQUEST_ID).and_then(Self::forwarded)
        {
            return id;
        }
        let generated = req.extensions().get::<tracing_actix_web::RequestId>().map(|id| Uuid::from(*id));
        Self::Generated(generated.unwrap_or_else(Uuid::now_v7))
    }

    /// A forwarded id is kept when it is 1 to 128 characters of letters,
    /// digits and `-_.:/+=@`: nothing that could break a log line.
    pub fn forwarded(value: &HeaderValue) -> Option<Self> {
        let bytes = value.as_bytes();
        let sensible = (1..=MAX_FORWARDED_LEN).contains(&bytes.len())
            && bytes.iter().all(|b| b.is_ascii_alphanumeric() || b"-_.:/+=@".contains(b));
        sensible.then(|| Self::Forwarded(value.clone()))
    }

    /// The value of the `X-Request-Id` response header.
    pub fn header_value(&self) -> HeaderValue {
        match self {
            Self::Generated(uuid) => {
                let mut buffer = Uuid::encode_buffer();
                HeaderValue::from_str(uuid.hyphenated().encode_lower(&mut buffer))
                    .unwrap_or_else(|_| HeaderValue::from_static("-"))
            }
            Self::Forwarded(value) => value.clone(),
        }
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Generated(uuid) => uuid.hyphenated().fmt(f),
            // Checked to be ASCII when it was accepted.
            Self::Forwarded(value) => f.write_str(value.to_str().unwrap_or("-")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn trusted() -> TrustedProxies {
        TrustedProxies::new(vec!["10.0.0.0/8".parse().unwrap()])
    }

    #[test]
    fn a_trusted_proxy_names_the_id_and_anyone_else_gets_a_new_one() {
        let from = |peer: &str, id: &str| {
            let req = TestRequest::get()
                .peer_addr(peer.parse().unwrap())
                .insert_header(("x-request-id", id))
                .to_srv_request();
            RequestId::of(&req, &trusted())
        };
        assert_eq!(from("10.0.0.1:80", "edge-42").to_string(), "edge-42");
        assert!(matches!(from("203.0.113.9:80", "edge-42"), RequestId::Generated(_)), "spoofed from outside");
        assert!(matches!(from("10.0.0.1:80", "two words"), RequestId::Generated(_)), "not a sensible id");
        assert!(matches!(from("10.0.0.1:80", &"x".repeat(129)), RequestId::Generated(_)), "too long");
    }

    #[test]
    fn generated_ids_are_uuid_v7_and_the_header_says_the_same() {
        let id = RequestId::of(&TestRequest::get().to_srv_request(), &TrustedProxies::default());
        let RequestId::Generated(uuid) = &id else { panic!("{id:?}") };
        assert_eq!(uuid.get_version_num(), 7);
        assert_eq!(id.header_value().to_str().unwrap(), id.to_string());
    }
}
