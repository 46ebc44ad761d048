//! Request bodies that arrive too slowly, or too many at once from one
//! client (crates/api/src/incoming.rs): a trickle is cut off with 408 soon
//! after the grace period, a slow but steady body still arrives, and one
//! client cannot hold more than its share of bodies open.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::helpers::{Db, TestApp, both_backends, wait_for};

both_backends!(
    a_trickled_body_is_cut_off_and_a_slow_steady_one_arrives,
    one_client_may_have_only_so_many_bodies_arriving,
);

/// crates/api/src/incoming.rs: GRACE, MIN_BYTES_PER_SEC, MAX_PER_CLIENT.
const GRACE: Duration = Duration::from_secs(5);
const MIN_BYTES_PER_SEC: usize = 1024;
const MAX_PER_CLIENT: usize = 32;

const LOGIN: &str = r#"{"email": "nobody@example.com", "password": "not the password"}"#;
/// Not throttled per client, unlike sign-in.
const QUERY: &str = r#"{"query": "{ __typename }"}"#;

/// A POST to `path` whose head declares `length` bytes of body, sent with
/// `body_start` of it.
fn open(app: &TestApp, path: &str, length: usize, forwarded_for: Option<&str>, body_start: &str) -> TcpStream {
    let address = app.base_url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).unwrap();
    let forwarded = forwarded_for.map(|f| format!("X-Forwarded-For: {f}\r\n")).unwrap_or_default();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n\
         Content-Length: {length}\r\n{forwarded}\r\n{body_start}"
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream
}

/// The status of the answer on `stream`, if one came within `wait`.
fn status_within(stream: &mut TcpStream, wait: Duration) -> Option<u16> {
    stream.set_read_timeout(Some(wait)).unwrap();
    let mut buffer = [0u8; 12];
    let mut read = 0;
    while read < buffer.len() {
        match stream.read(&mut buffer[read..]) {
            Ok(0) => break,
            Ok(n) => read += n,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => return None,
            Err(e) => panic!("reading the answer: {e}"),
        }
    }
    std::str::from_utf8(&buffer[..read]).ok()?.strip_prefix("HTTP/1.1 ")?.get(..3)?.parse().ok()
}

fn a_trickled_body_is_cut_off_and_a_slow_steady_one_arrives(db: &Db) {
    let app = TestApp::spawn(db.url());

    // One byte a second, of a megabyte declared: 408 once the grace is over.
    let started = Instant::now();
    let mut trickle = open(&app, "/api/v1/auth/login", 1_000_000, None, "{");
    let mut answer = None;
    for _ in 0..(GRACE.as_secs() + 5) {
        answer = status_within(&mut trickle, Duration::from_secs(1));
        if answer.is_some() {
            break;
        }
        // The server may have answered and closed between two reads.
        if trickle.write_all(b" ").is_err() {
            answer = status_within(&mut trickle, Duration::from_secs(1));
            break;
        }
    }
    let waited = started.elapsed();
    assert_eq!(answer, Some(408), "after {waited:?}");
    assert!(waited >= GRACE - Duration::from_millis(500), "cut off after {waited:?}, inside the grace");
    // GraphQL reads its body itself, and says the same.
    let mut trickle = open(&app, "/graphql", 1000, None, "{");
    assert_eq!(status_within(&mut trickle, GRACE + Duration::from_secs(3)), Some(408));

    // Slow but above the rate, for longer than the grace: it arrives whole.
    let body = format!("{}{LOGIN}", " ".repeat(8 * 1024));
    let chunk = MIN_BYTES_PER_SEC * 3 / 2;
    let started = Instant::now();
    let mut steady = open(&app, "/api/v1/auth/login", body.len(), None, "");
    for part in body.as_bytes().chunks(chunk) {
        steady.write_all(part).unwrap();
        std::thread::sleep(Duration::from_millis(900));
    }
    assert!(started.elapsed() > GRACE, "the body took {:?}", started.elapsed());
    assert_eq!(status_within(&mut steady, Duration::from_secs(10)), Some(401), "a wrong password, read in full");
}

fn one_client_may_have_only_so_many_bodies_arriving(db: &Db) {
    let app = TestApp::spawn_with(tempfile::tempdir().unwrap(), db.url(), &[("LONGFORM_TRUSTED_PROXIES", "127.0.0.1")]);
    let greedy = "203.0.113.7";
    // 16 KiB sent at once earns 16 s at the minimum rate, longer than the
    // test takes however loaded the machine: a held body is not cut off.
    let padded = format!("{}{QUERY}", " ".repeat(32 * 1024));
    let (first, rest) = padded.split_at(16 * 1024);
    let graphql = |forwarded_for: &str, sent: &str| open(&app, "/graphql", padded.len(), Some(forwarded_for), sent);
    // One more body than a client may have: the one the server dispatches
    // last (not always the last opened, with two workers) is refused.
    let mut held: Vec<TcpStream> = (0..=MAX_PER_CLIENT).map(|_| graphql(greedy, first)).collect();
    let refused = wait_for(Duration::from_secs(20), "one of the greedy client's bodies refused", || {
        held.iter_mut().position(|stream| status_within(stream, Duration::from_millis(20)) == Some(429))
    });
    let mut refused = held.swap_remove(refused);
    drop(refused.write_all(rest.as_bytes()));

    // Another client behind the same proxy is not held up.
    let mut other = graphql("203.0.113.8", &padded);
    assert_eq!(status_within(&mut other, Duration::from_secs(10)), Some(200));

    // The held bodies completed, the greedy client may send again.
    for stream in &mut held {
        stream.write_all(rest.as_bytes()).unwrap();
    }
    for stream in &mut held {
        assert_eq!(status_within(stream, Duration::from_secs(10)), Some(200));
    }
    wait_for(Duration::from_secs(10), "the greedy client served again", || {
        let mut again = graphql(greedy, &padded);
        (status_within(&mut again, Duration::from_secs(5)) == Some(200)).then_some(())
    });
}

/// Slow heads are actix-web's to end: its client request timeout (5 s).
#[test]
fn a_head_that_never_ends_is_dropped() {
    let db = Db::sqlite();
    let app = TestApp::spawn(db.url());
    let address = app.base_url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).unwrap();
    stream.write_all(format!("POST /graphql HTTP/1.1\r\nHost: {address}\r\n").as_bytes()).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let started = Instant::now();
    let mut answer = Vec::new();
    let ended = stream.read_to_end(&mut answer).map(|_| ());
    assert!(ended.is_ok(), "the server kept the connection open for {:?}: {ended:?}", started.elapsed());
    let head = String::from_utf8_lossy(&answer);
    assert!(head.is_empty() || head.starts_with("HTTP/1.1 408"), "{head}");
}
