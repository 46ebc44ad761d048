//! Who is on the other end of a request: the peer's address, or, when the
//! peer is a proxy we trust, the nearest address it and the proxies before
//! it vouch for. Rate limits and logs take the client from here and nowhere
//! else; forwarding headers from any other peer are ignored entirely.

use std::net::{IpAddr, SocketAddr};

use actix_web::HttpRequest;
use actix_web::http::header::{self, HeaderMap, HeaderName};
use ipnet::IpNet;

/// Proxies whose forwarding headers (`Forwarded`, `X-Forwarded-For`,
/// `X-Forwarded-Proto`, `X-Request-Id`) are believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    pub fn new(networks: Vec<IpNet>) -> Self {
        Self(networks)
    }

    pub fn trusts(&self, address: IpAddr) -> bool {
        if self.0.is_empty() {
            return false;
        }
        let address = address.to_canonical();
        self.0.iter().any(|network| network.contains(&address))
    }

    /// Whether `peer` is one of ours (and so may name the client, the
    /// scheme and the request id).
    pub fn trusts_peer(&self, peer: Option<SocketAddr>) -> bool {
        !self.0.is_empty() && peer.is_some_and(|p| self.trusts(p.ip()))
    }
}

/// The scheme the client used to reach the first of our proxies (or us).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Http,
    Https,
}

impl Scheme {
    fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim().trim_matches('"');
        if raw.eq_ignore_ascii_case("https") {
            Some(Self::Https)
        } else if raw.eq_ignore_ascii_case("http") {
            Some(Self::Http)
        } else {
            None
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Http => "http",
            Self::Https => "https",
        }
    }
}

/// A request's client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Client {
    /// `None` only when the connection has no IP peer (in-process tests).
    pub address: Option<IpAddr>,
    pub scheme: Scheme,
}

/// The client of `req`, by the trusted proxies of the application.
pub fn of(req: &HttpRequest) -> Client {
    let trusted = req.app_data::<actix_web::web::Data<crate::AppState>>().map(|state| &state.site.trusted_proxies);
    resolve(req.peer_addr(), req.headers(), trusted.unwrap_or(&TrustedProxies::default()))
}

/// The client of a request from `peer` with `headers`: the peer itself
/// unless it is trusted; else, walking the forwarding chain from the
/// right (the hop nearest to us) past every trusted proxy, the first
/// address that is not one. `Forwarded` (RFC 7239) wins over
/// `X-Forwarded-For` when both are present. A hop that is not an address
/// (`unknown`, an obfuscated name, garbage) ends the walk at the last
/// trusted hop: nothing beyond it can be believed.
pub fn resolve(peer: Option<SocketAddr>, headers: &HeaderMap, trusted: &TrustedProxies) -> Client {
    let address = peer.map(|p| p.ip().to_canonical());
    let direct = Client { address, scheme: Scheme::Http };
    match address {
        Some(peer) if trusted.trusts(peer) => {
            if headers.contains_key(header::FORWARDED) {
                walk_forwarded(peer, headers, trusted)
            } else {
                walk_x_forwarded(peer, headers, trusted)
            }
        }
        _ => direct,
    }
}

const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
const X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
/// Hops looked at before giving up: a proxy chain is a handful long.
const MAX_HOPS: usize = 32;

/// The comma-separated entries of every `name` header, the rightmost (the
/// nearest hop) first. A value that is not text is one unreadable entry.
fn entries<'a>(headers: &'a HeaderMap, name: &HeaderName) -> impl Iterator<Item = &'a str> {
    headers.get_all(name).rev().flat_map(|value| value.to_str().unwrap_or("\u{0}").rsplit(','))
}

/// `Forwarded: for=192.0.2.60;proto=https, for="[2001:db8::1]:4711"`: one
/// element per hop. The element naming the client also says, in `proto`,
/// how the client reached that proxy.
fn walk_forwarded(peer: IpAddr, headers: &HeaderMap, trusted: &TrustedProxies) -> Client {
    let mut client = Client { address: Some(peer), scheme: Scheme::Http };
    for element in entries(headers, &header::FORWARDED).take(MAX_HOPS) {
        let (mut address, mut proto) = (None, None);
        for pair in element.split(';') {
            let Some((name, value)) = pair.split_once('=') else { continue };
            let name = name.trim();
            if name.eq_ignore_ascii_case("for") {
                address = parse_node(value);
            } else if name.eq_ignore_ascii_case("proto") {
                proto = Scheme::parse(value);
            }
        }
        let Some(address) = address else { break };
        client = Client { address: Some(address), scheme: proto.unwrap_or(Scheme::Http) };
        if !trusted.trusts(address) {
            break;
        }
    }
    client
}

/// `X-Forwarded-For: client, proxy1, proxy2`, and `X-Forwarded-Proto`:
/// with one entry per hop, the entry of the client's hop; otherwise the
/// one our nearest proxy set (the rightmost).
fn walk_x_forwarded(peer: IpAddr, headers: &HeaderMap, trusted: &TrustedProxies) -> Client {
    let (mut address, mut walked) = (peer, 0);
    for entry in entries(headers, &X_FORWARDED_FOR).take(MAX_HOPS) {
        let Some(hop) = parse_node(entry) else { break };
        (address, walked) = (hop, walked + 1);
        if !trusted.trusts(hop) {
            break;
        }
    }
    let hops = entries(headers, &X_FORWARDED_FOR).count();
    let protos = entries(headers, &X_FORWARDED_PROTO).count();
    let nth = if protos == hops && walked > 0 { walked - 1 } else { 0 };
    let scheme = entries(headers, &X_FORWARDED_PROTO).nth(nth).and_then(Scheme::parse);
    Client { address: Some(address), scheme: scheme.unwrap_or(Scheme::Http) }
}

/// A node: `192.0.2.43`, `192.0.2.43:47011`, `[2001:db8::17]:4711`,
/// `2001:db8::17`, optionally quoted. Anything else (`unknown`, `_hidden`,
/// garbage) is not an address.
fn parse_node(raw: &str) -> Option<IpAddr> {
    let raw = raw.trim();
    let raw = raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')).unwrap_or(raw);
    if let Ok(address) = raw.parse::<IpAddr>() {
        return Some(address.to_canonical());
    }
    if let Ok(socket) = raw.parse::<SocketAddr>() {
        return Some(socket.ip().to_canonical());
    }
    let bracketed = raw.strip_prefix('[')?.strip_suffix(']')?;
    bracketed.parse::<std::net::Ipv6Addr>().ok().map(|a| IpAddr::V6(a).to_canonical())
}

#[cfg(test)]
mod tests;
