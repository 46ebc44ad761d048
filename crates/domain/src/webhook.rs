//! Webhooks: the events a site emits, what an endpoint subscribes to, its
//! URL and signing secret, how a delivery is signed (Standard Webhooks:
//! HMAC-SHA256 over `id.timestamp.body`), when a failed one is retried, and
//! which addresses a delivery may never reach.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use argon2::password_hash::rand_core::{OsRng, RngCore};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::error::{FieldError, InvalidKind};

/// Every event a webhook can receive.
pub const EVENTS: &[&str] = &[
    "post.created",
    "post.updated",
    "post.published",
    "post.unpublished",
    "post.scheduled",
    "post.archived",
    "post.deleted",
    "post.restored",
    "post.purged",
    "tag.created",
    "tag.updated",
    "tag.deleted",
    "category.created",
    "category.updated",
    "category.deleted",
    "author.created",
    "author.updated",
    "author.deleted",
    "media.uploaded",
    "media.updated",
    "media.deleted",
];

/// Sent by the test ping to one endpoint, whatever it subscribes to.
pub const PING: &str = "ping";

const MAX_PATTERNS: usize = 32;

/// What an endpoint subscribes to: event names, `post.*`-style families,
/// or `*` for everything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription(Vec<String>);

impl Subscription {
    pub fn parse(patterns: &[String]) -> Result<Self, FieldError> {
        let invalid = |kind| Err(FieldError::new("events", kind));
        if patterns.is_empty() || patterns.len() > MAX_PATTERNS {
            return invalid(InvalidKind::Custom(format!("must list 1 to {MAX_PATTERNS} events")));
        }
        for pattern in patterns {
            let known = pattern == "*"
                || EVENTS.contains(&pattern.as_str())
                || pattern
                    .strip_suffix(".*")
                    .is_some_and(|family| EVENTS.iter().any(|e| e.starts_with(&format!("{family}."))));
            if !known {
                return invalid(InvalidKind::Custom(format!("{pattern:?} is not an event, a family like post.* or *")));
            }
        }
        let mut patterns = patterns.to_vec();
        patterns.sort();
        patterns.dedup();
        Ok(Self(patterns))
    }

    pub fn matches(&self, event: &str) -> bool {
        self.0
            .iter()
            .any(|p| p == "*" || p == event || p.strip_suffix('*').is_some_and(|family| event.starts_with(family)))
    }

    pub fn patterns(&self) -> &[String] {
        &self.0
    }
}

/// An endpoint: http or https, with a host, without credentials in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrl(url::Url);

impl WebhookUrl {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        // The rules of every URL (http or https, a host, 2,048 characters once
        // normalised), then those of an endpoint.
        let web = crate::values::WebUrl::parse_field("url", raw)?;
        let url = url::Url::parse(web.as_str()).map_err(|_| FieldError::new("url", InvalidKind::Url))?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(FieldError::new("url", InvalidKind::Custom("must not carry credentials".into())));
        }
        Ok(Self(url))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The host as written (a name, or an IP address without brackets).
    pub fn host(&self) -> String {
        match self.0.host() {
            Some(url::Host::Ipv6(ip)) => ip.to_string(),
            Some(host) => host.to_string(),
            None => String::new(),
        }
    }
}

/// A signing secret: `whsec_` and the base64 of 24 to 64 random bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret(Vec<u8>);

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSecret(..)")
    }
}

const SECRET_PREFIX: &str = "whsec_";

impl WebhookSecret {
    pub fn generate() -> Self {
        let mut key = vec![0u8; 32];
        OsRng.fill_bytes(&mut key);
        Self(key)
    }

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let invalid =
            || FieldError::new("secret", InvalidKind::Custom("must be whsec_ and the base64 of 24 to 64 bytes".into()));
        let key = STANDARD.decode(raw.strip_prefix(SECRET_PREFIX).ok_or_else(invalid)?).map_err(|_| invalid())?;
        if (24..=64).contains(&key.len()) { Ok(Self(key)) } else { Err(invalid()) }
    }

    /// The form an endpoint is given, and the form [`parse`](Self::parse) reads.
    pub fn expose(&self) -> String {
        format!("{SECRET_PREFIX}{}", STANDARD.encode(&self.0))
    }

    /// The `webhook-signature` header value for a delivery.
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.0) else {
            unreachable!("HMAC takes keys of any length")
        };
        mac.update(format!("{id}.{timestamp}.").as_bytes());
        mac.update(body);
        format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
    }
}

/// Attempts are retried after 5 s, then four times longer each time, at
/// most 6 h apart, until a day has passed since the event.
pub const RETRY_FIRST: Duration = Duration::from_secs(5);
pub const RETRY_MAX_GAP: Duration = Duration::from_secs(6 * 3600);
pub const RETRY_WINDOW: Duration = Duration::from_secs(24 * 3600);

/// How long to wait after the `attempts`-th failed attempt, or `None` when
/// the next try would fall beyond the retry window (`elapsed` since the event).
pub fn retry_after(attempts: u32, elapsed: Duration) -> Option<Duration> {
    let factor = 4u32.saturating_pow(attempts.saturating_sub(1));
    let delay = RETRY_FIRST.saturating_mul(factor).min(RETRY_MAX_GAP);
    (elapsed + delay <= RETRY_WINDOW).then_some(delay)
}

/// Whether `ip` is a public unicast address a delivery may connect to:
/// not loopback, private, link-local, shared (CGNAT), multicast,
/// documentation, benchmarking or reserved, including IPv4 addresses
/// inside IPv6 (mapped, compatible, NAT64, 6to4).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0 && c == 0)
        || (a == 198 && (18..20).contains(&b))
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let segments = ip.segments();
    let embedded_v4 = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    match segments {
        // IPv4-compatible (deprecated) and NAT64: the IPv4 address decides.
        [0, 0, 0, 0, 0, 0, hi, lo] => return is_public_v4(embedded_v4(hi, lo)),
        [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] => return is_public_v4(embedded_v4(hi, lo)),
        // 6to4 carries an IPv4 address in bits 16..48.
        [0x2002, hi, lo, ..] => return is_public_v4(embedded_v4(hi, lo)),
        _ => {}
    }
    let global_unicast = segments[0] & 0xe000 == 0x2000;
    let documentation = segments[0] == 0x2001 && segments[1] == 0x0db8;
    let special = segments[0] == 0x2001 && segments[1] < 0x0200; // 2001::/23: Teredo, benchmarking, ORCHID
    global_unicast && !documentation && !special
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patterns(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn subscriptions_match_names_families_and_everything() {
        let sub = Subscription::parse(&patterns(&["post.published", "tag.*"])).unwrap();
        assert!(sub.matches("post.published") && sub.matches("tag.deleted"));
        assert!(!sub.matches("post.updated") && !sub.matches("author.created") && !sub.matches(PING));
        assert!(Subscription::parse(&patterns(&["*"])).unwrap().matches("author.updated"));
        for bad in [&[][..], &["post.eaten"], &["nope.*"], &["post"], &["*.*"]] {
            assert_eq!(Subscription::parse(&patterns(bad)).unwrap_err().field, "events", "{bad:?}");
        }
    }

    #[test]
    fn urls_are_http_without_credentials() {
        assert_eq!(WebhookUrl::parse("https://hooks.example.com/in?x=1").unwrap().host(), "hooks.example.com");
        assert_eq!(WebhookUrl::parse("http://[::1]:8080/").unwrap().host(), "::1");
        // 2,048 characters as written; percent-encoding the space makes 2,050.
        let long = format!("https://example.com/{} x", "a".repeat(2048 - "https://example.com/ x".len()));
        assert_eq!(long.len(), 2048);
        for bad in ["ftp://example.com/", "https://user:pw@example.com/", "/relative", "mailto:a@b.c", "", &long] {
            assert_eq!(WebhookUrl::parse(bad).unwrap_err().field, "url", "{bad}");
        }
    }

    #[test]
    fn signatures_follow_standard_webhooks() {
        // The example from the Standard Webhooks specification's test vectors.
        let secret = WebhookSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let body = br#"{"test": 2432232314}"#;
        assert_eq!(
            secret.sign("msg_p5jXN8AQM9LWM0D4loKWxJek", 1_614_265_330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
        let fresh = WebhookSecret::generate();
        assert_eq!(WebhookSecret::parse(&fresh.expose()).unwrap(), fresh);
        assert!(WebhookSecret::parse("whsec_c2hvcnQ=").is_err(), "too short");
        assert!(!format!("{fresh:?}").contains(&fresh.expose()[6..]), "Debug never shows the key");
    }

    #[test]
    fn retries_back_off_for_a_day() {
        let mut elapsed = Duration::ZERO;
        let mut delays = Vec::new();
        for attempt in 1.. {
            let Some(delay) = retry_after(attempt, elapsed) else { break };
            delays.push(delay.as_secs());
            elapsed += delay;
        }
        assert_eq!(&delays[..5], [5, 20, 80, 320, 1280]);
        assert!(delays.iter().all(|d| *d <= 6 * 3600));
        assert!(elapsed <= RETRY_WINDOW && elapsed + RETRY_MAX_GAP > RETRY_WINDOW, "{elapsed:?}");
    }

    #[test]
    fn only_public_unicast_addresses_pass() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "198.18.0.1",
            "192.0.0.8",
            "::1",
            "::",
            "fe80::1",
            "fc00::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::127.0.0.1",
            "64:ff9b::a00:1",
            "2002:7f00:1::",
            "2001:db8::1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }
}
