use std::net::{IpAddr, Ipv6Addr, SocketAddr};

use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use proptest::prelude::*;

use super::*;

fn trusted(ranges: &[&str]) -> TrustedProxies {
    TrustedProxies::new(ranges.iter().map(|r| r.parse().unwrap()).collect())
}

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.append(HeaderName::from_bytes(name.as_bytes()).unwrap(), HeaderValue::from_str(value).unwrap());
    }
    map
}

fn peer(address: &str) -> Option<SocketAddr> {
    Some(SocketAddr::new(address.parse().unwrap(), 50_000))
}

fn client_of(from: &str, pairs: &[(&str, &str)], ranges: &[&str]) -> (String, &'static str) {
    let client = resolve(peer(from), &headers(pairs), &trusted(ranges));
    (client.address.map(|a| a.to_string()).unwrap_or_default(), client.scheme.as_str())
}

/// A peer, the headers it sends, and the client and scheme they come to.
type Case = (&'static str, &'static [(&'static str, &'static str)], &'static str, &'static str);

#[test]
fn a_table_of_peers_and_forwarding_headers() {
    let proxies: &[&str] = &["10.0.0.0/8", "fd00::/8"];
    #[rustfmt::skip]
    let cases: &[Case] = &[
        // An untrusted peer's headers count for nothing.
        ("203.0.113.9", &[("x-forwarded-for", "198.51.100.1"), ("x-forwarded-proto", "https")], "203.0.113.9", "http"),
        ("203.0.113.9", &[("forwarded", "for=198.51.100.1;proto=https")], "203.0.113.9", "http"),
        ("203.0.113.9", &[("x-forwarded-for", "10.0.0.5")], "203.0.113.9", "http"),
        // A trusted peer without headers is the client.
        ("10.0.0.1", &[], "10.0.0.1", "http"),
        // One proxy.
        ("10.0.0.1", &[("x-forwarded-for", "198.51.100.1"), ("x-forwarded-proto", "https")], "198.51.100.1", "https"),
        // A chain: trusted hops are skipped, the client's own claims to its left are not believed.
        ("10.0.0.1", &[("x-forwarded-for", "1.2.3.4, 198.51.100.1, 10.0.0.2")], "198.51.100.1", "http"),
        // Several header lines are one list, in order.
        ("10.0.0.1", &[("x-forwarded-for", "1.2.3.4"), ("x-forwarded-for", "198.51.100.1, 10.0.0.2")], "198.51.100.1", "http"),
        // Every hop trusted: the farthest one.
        ("10.0.0.1", &[("x-forwarded-for", "10.0.0.3, 10.0.0.2")], "10.0.0.3", "http"),
        // Garbage at the nearest hop: stop at the last trusted address.
        ("10.0.0.1", &[("x-forwarded-for", "198.51.100.1, not-an-ip")], "10.0.0.1", "http"),
        ("10.0.0.1", &[("x-forwarded-for", "198.51.100.1, 10.0.0.2, unknown")], "10.0.0.1", "http"),
        ("10.0.0.1", &[("x-forwarded-for", "")], "10.0.0.1", "http"),
        ("10.0.0.1", &[("x-forwarded-for", "198.51.100.1,,")], "10.0.0.1", "http"),
        // Garbage beyond the client is never reached.
        ("10.0.0.1", &[("x-forwarded-for", "<script>, 198.51.100.1")], "198.51.100.1", "http"),
        // Ports and IPv6, bare or bracketed.
        ("10.0.0.1", &[("x-forwarded-for", "198.51.100.1:4711")], "198.51.100.1", "http"),
        ("10.0.0.1", &[("x-forwarded-for", "2001:db8::1")], "2001:db8::1", "http"),
        ("10.0.0.1", &[("x-forwarded-for", "[2001:db8::1]:443")], "2001:db8::1", "http"),
        ("fd00::1", &[("x-forwarded-for", "[2001:db8::1]")], "2001:db8::1", "http"),
        // An IPv4 peer seen through an IPv6 socket is the IPv4 address.
        ("::ffff:10.0.0.1", &[("x-forwarded-for", "198.51.100.1")], "198.51.100.1", "http"),
        ("::ffff:203.0.113.9", &[("x-forwarded-for", "198.51.100.1")], "203.0.113.9", "http"),
        // X-Forwarded-Proto: the client's hop's entry when there is one per hop, else the nearest.
        ("10.0.0.1", &[("x-forwarded-for", "198.51.100.1, 10.0.0.2"), ("x-forwarded-proto", "https, http")], "198.51.100.1", "https"),
        ("10.0.0.1", &[("x-forwarded-for", "198.51.100.1, 10.0.0.2"), ("x-forwarded-proto", "HTTPS")], "198.51.100.1", "https"),
        ("10.0.0.1", &[("x-forwarded-for", "198.51.100.1"), ("x-forwarded-proto", "gopher")], "198.51.100.1", "http"),
        // RFC 7239.
        ("10.0.0.1", &[("forwarded", "for=198.51.100.1;proto=https;by=10.0.0.1")], "198.51.100.1", "https"),
        ("10.0.0.1", &[("forwarded", "For=\"[2001:db8:cafe::17]:4711\"")], "2001:db8:cafe::17", "http"),
        ("10.0.0.1", &[("forwarded", "for=\"198.51.100.1:47011\";proto=http")], "198.51.100.1", "http"),
        ("10.0.0.1", &[("forwarded", "for=1.2.3.4, for=198.51.100.1;proto=https, for=10.0.0.2")], "198.51.100.1", "https"),
        ("10.0.0.1", &[("forwarded", "for=unknown")], "10.0.0.1", "http"),
        ("10.0.0.1", &[("forwarded", "for=_hidden, for=10.0.0.2")], "10.0.0.2", "http"),
        ("10.0.0.1", &[("forwarded", "proto=https")], "10.0.0.1", "http"),
        ("10.0.0.1", &[("forwarded", ";;==;,")], "10.0.0.1", "http"),
        // Forwarded wins over X-Forwarded-For.
        ("10.0.0.1", &[("forwarded", "for=198.51.100.1"), ("x-forwarded-for", "198.51.100.2")], "198.51.100.1", "http"),
    ];
    for (from, pairs, address, scheme) in cases {
        assert_eq!(client_of(from, pairs, proxies), ((*address).to_owned(), *scheme), "peer {from}, headers {pairs:?}");
    }
}

#[test]
fn nothing_is_trusted_by_default_and_a_missing_peer_is_no_address() {
    let spoofed = headers(&[("x-forwarded-for", "198.51.100.1")]);
    let client = resolve(peer("127.0.0.1"), &spoofed, &TrustedProxies::default());
    assert_eq!(client.address, Some("127.0.0.1".parse().unwrap()));
    assert_eq!(resolve(None, &spoofed, &trusted(&["0.0.0.0/0"])).address, None);
}

#[test]
fn a_header_value_that_is_not_text_is_no_address() {
    let mut map = HeaderMap::new();
    map.insert(HeaderName::from_static("x-forwarded-for"), HeaderValue::from_bytes(b"198.51.100.1, \xff").unwrap());
    assert_eq!(resolve(peer("10.0.0.1"), &map, &trusted(&["10.0.0.0/8"])).address, Some("10.0.0.1".parse().unwrap()));
}

fn any_header_value() -> impl Strategy<Value = HeaderValue> {
    // Anything a client can put in a header (visible ASCII, spaces, tabs
    // and obs-text), and well-formed lists of addresses and schemes.
    let garbage = proptest::collection::vec(prop_oneof![0x20u8..0x7f, Just(b'\t'), 0x80u8..=0xff], 0..80)
        .prop_map(|bytes| HeaderValue::from_bytes(&bytes).unwrap());
    let chain = (proptest::collection::vec((hop(), proptest::option::of(any::<u16>())), 1..4), any::<bool>()).prop_map(
        |(hops, forwarded)| {
            let rendered: Vec<String> = hops.iter().map(|((a, _), port)| render(*a, *port, forwarded)).collect();
            HeaderValue::from_str(&format!("{};proto=https", rendered.join(", "))).unwrap()
        },
    );
    prop_oneof![garbage, chain, Just(HeaderValue::from_static("https"))]
}

fn any_forwarding_headers() -> impl Strategy<Value = HeaderMap> {
    let name = prop_oneof![
        Just("x-forwarded-for"),
        Just("x-forwarded-proto"),
        Just("forwarded"),
        Just("x-real-ip"),
        Just("x-request-id")
    ];
    proptest::collection::vec((name, any_header_value()), 0..6).prop_map(|pairs| {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(HeaderName::from_static(name), value);
        }
        map
    })
}

/// An address of the public Internet (not in 10.0.0.0/8) or of a proxy.
fn hop() -> impl Strategy<Value = (IpAddr, bool)> {
    prop_oneof![
        (11u8..=223, any::<[u8; 3]>()).prop_map(|(a, [b, c, d])| (IpAddr::from([a, b, c, d]), false)),
        any::<[u8; 3]>().prop_map(|[b, c, d]| (IpAddr::from([10, b, c, d]), true)),
        any::<u128>().prop_map(|bits| (IpAddr::V6(Ipv6Addr::from(bits | (0x2001u128 << 112))), false)),
    ]
}

fn render(address: IpAddr, port: Option<u16>, forwarded: bool) -> String {
    match (address, port, forwarded) {
        (IpAddr::V6(v6), Some(port), true) => format!("for=\"[{v6}]:{port}\""),
        (IpAddr::V6(v6), None, true) => format!("for=\"[{v6}]\""),
        (address, Some(port), true) => format!("for=\"{address}:{port}\""),
        (address, None, true) => format!("for={address}"),
        (address, Some(port), false) => SocketAddr::new(address, port).to_string(),
        (address, None, false) => address.to_string(),
    }
}

proptest! {
    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_sends(headers in any_forwarding_headers(), last in 11u8..=223) {
        let from = SocketAddr::new(IpAddr::from([last, 0, 0, 1]), 1234);
        let client = resolve(Some(from), &headers, &trusted(&["10.0.0.0/8"]));
        prop_assert_eq!(client, Client { address: Some(from.ip()), scheme: Scheme::Http });
    }

    #[test]
    fn garbage_from_a_trusted_peer_never_panics_and_always_names_someone(
        headers in any_forwarding_headers()
    ) {
        let client = resolve(peer("10.0.0.1"), &headers, &trusted(&["10.0.0.0/8"]));
        prop_assert!(client.address.is_some());
    }

    /// The model: from the right, skip trusted hops; the first untrusted
    /// one is the client (or the farthest hop when all are trusted).
    #[test]
    fn a_chain_of_proxies_resolves_to_the_nearest_untrusted_hop(
        chain in proptest::collection::vec((hop(), proptest::option::of(any::<u16>())), 1..8),
        forwarded in any::<bool>(),
    ) {
        let rendered: Vec<String> = chain.iter().map(|((a, _), port)| render(*a, *port, forwarded)).collect();
        let name = if forwarded { "forwarded" } else { "x-forwarded-for" };
        let map = headers(&[(name, &rendered.join(", "))]);
        let expected = chain.iter().rev().find(|((_, trusted), _)| !trusted).unwrap_or(&chain[0]).0.0;
        let client = resolve(peer("10.0.0.1"), &map, &trusted(&["10.0.0.0/8"]));
        prop_assert_eq!(client.address, Some(expected));
    }
}
