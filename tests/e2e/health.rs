//! Liveness, readiness, graceful shutdown, and the problem+json fallback.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;

use longform_persistence::testing::postgres_cluster;

use crate::helpers::{DEADLINE, Db, TestApp, both_backends, signal, wait_until};

both_backends!(health_and_readiness_answer, unknown_routes_answer_problem_json, sigterm_exits_0);

fn health_and_readiness_answer(db: &Db) {
    let app = TestApp::spawn(db.url());
    let health = app.get("/healthz");
    assert_eq!(health.status, 200);
    assert_eq!(health.json()["status"], "ok");
    let ready = app.get("/readyz");
    assert_eq!(ready.status, 200, "{}", ready.body);
    let backend = if db.url().starts_with("sqlite") { "sqlite" } else { "postgres" };
    assert_eq!(ready.json()["database"], backend);
}

fn unknown_routes_answer_problem_json(db: &Db) {
    let app = TestApp::spawn(db.url());
    let reply = app.get("/no/such/route");
    assert_eq!(reply.status, 404);
    assert_eq!(reply.content_type, "application/problem+json");
    let problem = reply.json();
    assert_eq!(problem["status"], 404);
    assert_eq!(problem["title"], "Not found");
    assert!(problem["type"].as_str().unwrap().ends_with("/not-found"));
}

fn sigterm_exits_0(db: &Db) {
    let app = TestApp::spawn(db.url());
    assert_eq!(app.get("/healthz").status, 200);
    assert_eq!(app.terminate().code(), Some(0));
}

/// Whether the server on port `server` has read everything sent to it on
/// the connection from port `client` (both on 127.0.0.1): that socket's
/// receive queue in /proc/net/tcp is empty. Until the server accepts the
/// connection and reads the request, the request's bytes wait there.
fn server_has_read(server: u16, client: u16) -> bool {
    let port = |address: &str| u16::from_str_radix(address.rsplit(':').next().unwrap(), 16).unwrap();
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap();
    table.lines().skip(1).any(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let (_, receive_queue) = fields[4].split_once(':').unwrap();
        port(fields[1]) == server && port(fields[2]) == client && u64::from_str_radix(receive_queue, 16).unwrap() == 0
    })
}

/// A request still being handled when SIGTERM lands gets its answer before
/// the process exits 0. (A readiness check against a stopped database is a
/// request that takes seconds, without any test-only slow route.)
#[test]
fn sigterm_drains_in_flight_requests() {
    let Some(cluster) = postgres_cluster() else { return };
    let app = TestApp::spawn(&cluster.url("postgres"));
    cluster.stop().unwrap();
    let address = app.base_url.trim_start_matches("http://").to_owned();
    let mut stream = TcpStream::connect(&address).unwrap();
    write!(stream, "GET /readyz HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n").unwrap();
    let (server, client) = (stream.peer_addr().unwrap().port(), stream.local_addr().unwrap().port());
    wait_until(DEADLINE, "the server reads the request", || server_has_read(server, client));
    stream.set_nonblocking(true).unwrap();
    let early = stream.peek(&mut [0; 1]);
    assert!(matches!(&early, Err(e) if e.kind() == ErrorKind::WouldBlock), "answered before SIGTERM: {early:?}");
    signal(app.pid(), "TERM");
    stream.set_nonblocking(false).unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).unwrap();
    assert!(reply.starts_with("HTTP/1.1 503"), "the in-flight request was answered: {reply}");
    assert_eq!(app.terminate().code(), Some(0));
}

/// Stopping PostgreSQL turns /readyz to 503 while /healthz stays 200;
/// restarting it brings /readyz back without restarting Longform.
#[test]
fn readiness_follows_postgres_down_and_up() {
    let Some(cluster) = postgres_cluster() else { return };
    let app = TestApp::spawn(&cluster.url("postgres"));
    assert_eq!(app.get("/readyz").status, 200);

    cluster.stop().unwrap();
    let down = app.get("/readyz");
    assert_eq!(down.status, 503, "{}", down.body);
    assert_eq!(down.json()["status"], "unavailable");
    assert!(!down.body.contains("Connection refused"), "no driver text reaches clients");
    assert_eq!(app.get("/healthz").status, 200);

    cluster.restart().unwrap();
    wait_until(DEADLINE, "ready again without a restart", || app.get("/readyz").status == 200);
}
