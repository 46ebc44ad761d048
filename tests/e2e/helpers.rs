//! `TestApp` starts the binary and offers typed helpers; `Db` is a fresh
//! database on either backend; `both_backends!` writes a test once for both.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use longform_persistence::testing::{TestDatabase, TestSqlite, postgres_database};

pub const BIN: &str = env!("CARGO_BIN_EXE_longform");
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a test waits for something that should happen at once or
/// within a few seconds: generous for a loaded machine, yet a hang still
/// fails the test.
pub const DEADLINE: Duration = Duration::from_secs(30);
/// The pause between two looks at a condition.
const POLL: Duration = Duration::from_millis(20);

/// Look at `condition` until it holds; fail naming `what` after `limit`.
#[track_caller]
pub fn wait_until(limit: Duration, what: &str, mut condition: impl FnMut() -> bool) {
    wait_for(limit, what, || condition().then_some(()));
}

/// Look until `found` finds something, and hand it back; fail naming
/// `what` after `limit`.
#[track_caller]
pub fn wait_for<T>(limit: Duration, what: &str, mut found: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(value) = found() {
            return value;
        }
        assert!(Instant::now() < deadline, "{what}: not within {limit:?}");
        std::thread::sleep(POLL);
    }
}

/// A fresh database and the URL to reach it.
pub enum Db {
    Sqlite(TestSqlite),
    Postgres(TestDatabase),
}

impl Db {
    pub fn sqlite() -> Self {
        Self::Sqlite(TestSqlite::new().unwrap())
    }

    /// Fails the test when no PostgreSQL can be had, or is `None` (the test
    /// returns, counted as skipped) when `LONGFORM_TEST_SKIP` names `postgres`.
    #[track_caller]
    pub fn postgres() -> Option<Self> {
        postgres_database().map(Self::Postgres)
    }

    pub fn url(&self) -> &str {
        match self {
            Self::Sqlite(db) => db.url(),
            Self::Postgres(db) => db.url(),
        }
    }
}

/// Run a test body once per backend: `sqlite::name` and `postgres::name`.
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[test] fn $name() { super::$name(&$crate::helpers::Db::sqlite()); } )*
        }
        mod postgres {
            $( #[test] fn $name() {
                let Some(db) = $crate::helpers::Db::postgres() else { return };
                super::$name(&db);
            } )*
        }
    };
}
pub(crate) use both_backends;

/// The binary with a clean environment pointing at `database_url`, run in
/// `dir` (so the default `./data` and `./longform.toml` are the test's own).
pub fn command(dir: &Path, database_url: &str) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("LONGFORM_DATABASE_URL", database_url)
        .env("LONGFORM_LOG", "warn,r2d2=off");
    cmd
}

/// Run a CLI command to completion, feeding `stdin`.
pub fn run(dir: &Path, database_url: &str, args: &[&str], stdin: &str) -> Output {
    use std::io::Write;
    let mut child = command(dir, database_url)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

pub struct TestApp {
    child: Option<Child>,
    pub base_url: String,
    pub dir: tempfile::TempDir,
}

impl TestApp {
    /// Start `longform serve --bind 127.0.0.1:0` and wait for its address.
    pub fn spawn(database_url: &str) -> Self {
        Self::spawn_in(tempfile::tempdir().unwrap(), database_url)
    }

    pub fn spawn_in(dir: tempfile::TempDir, database_url: &str) -> Self {
        Self::spawn_with(dir, database_url, &[])
    }

    /// Start with extra `LONGFORM_*` settings.
    pub fn spawn_with(dir: tempfile::TempDir, database_url: &str, env: &[(&str, &str)]) -> Self {
        Self::start(dir, database_url, env, &["--no-demo"])
    }

    /// Start with extra `LONGFORM_*` settings, the server's stderr (its log) going to `stderr`.
    pub fn spawn_logging(dir: tempfile::TempDir, database_url: &str, env: &[(&str, &str)], stderr: Stdio) -> Self {
        Self::start_with(dir, database_url, env, &["--no-demo"], stderr)
    }

    /// Start as `make run` does: an empty database gets the demo blog.
    pub fn spawn_with_demo(database_url: &str) -> Self {
        Self::start(tempfile::tempdir().unwrap(), database_url, &[], &[])
    }

    fn start(dir: tempfile::TempDir, database_url: &str, env: &[(&str, &str)], extra: &[&str]) -> Self {
        Self::start_with(dir, database_url, env, extra, Stdio::inherit())
    }

    fn start_with(
        dir: tempfile::TempDir,
        database_url: &str,
        env: &[(&str, &str)],
        extra: &[&str],
        stderr: Stdio,
    ) -> Self {
        let mut child = command(dir.path(), database_url)
            .envs(env.iter().copied())
            .args(["serve", "--bind", "127.0.0.1:0"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("listening on ") {
                    let _ = tx.send(url.to_owned());
                }
            }
        });
        let base_url = rx.recv_timeout(START_TIMEOUT).expect("the server printed its address");
        Self { child: Some(child), base_url, dir }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().unwrap().id()
    }

    pub fn get(&self, path: &str) -> Reply {
        self.get_with(path, &[])
    }

    pub fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Reply {
        let mut request = agent().get(&self.url(path));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let reply = Reply::from(request.call().unwrap());
        crate::contract::check("GET", path, &reply);
        reply
    }

    /// Any request, with headers and an optional JSON body.
    pub fn send(&self, method: &str, path: &str, headers: &[(&str, &str)], body: Option<&serde_json::Value>) -> Reply {
        self.send_text(method, path, headers, body.map(ToString::to_string).as_deref())
    }

    /// Any request, with headers and an optional body sent as JSON as it is.
    pub fn send_text(&self, method: &str, path: &str, headers: &[(&str, &str)], body: Option<&str>) -> Reply {
        let mut request = ureq::http::Request::builder().method(method).uri(self.url(path));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = match body {
            Some(text) => {
                agent().run(request.header("content-type", "application/json").body(text.to_owned()).unwrap()).unwrap()
            }
            None => agent().run(request.body(()).unwrap()).unwrap(),
        };
        let reply = Reply::from(response);
        crate::contract::check(method, path, &reply);
        reply
    }

    /// `POST` (or another method) of a multipart/form-data body: each part
    /// a name, an optional file name, and its bytes.
    pub fn send_form(&self, method: &str, path: &str, headers: &[(&str, &str)], parts: &[FormPart<'_>]) -> Reply {
        let reply = send_form_to(&self.url(path), method, headers, parts).unwrap();
        crate::contract::check(method, path, &reply);
        reply
    }

    /// Send SIGTERM and wait (bounded) for the process to exit.
    pub fn terminate(mut self) -> ExitStatus {
        let mut child = self.child.take().unwrap();
        signal(child.id(), "TERM");
        wait_bounded(&mut child, Duration::from_secs(40))
    }

    /// Stop and hand back the working directory, to start again in it.
    pub fn stop(self) -> tempfile::TempDir {
        let mut this = self;
        let mut child = this.child.take().unwrap();
        signal(child.id(), "TERM");
        wait_bounded(&mut child, Duration::from_secs(40));
        let dir = tempfile::tempdir().unwrap();
        std::mem::replace(&mut this.dir, dir)
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// [`TestApp::send_form`] to any URL, the transport's failure returned
/// (a server killed mid-request), no contract checked.
pub fn send_form_to(
    url: &str,
    method: &str,
    headers: &[(&str, &str)],
    parts: &[FormPart<'_>],
) -> Result<Reply, ureq::Error> {
    const BOUNDARY: &str = "longform-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{}\"", part.name).as_bytes(),
        );
        if let Some(filename) = part.filename {
            body.extend_from_slice(
                format!("; filename=\"{filename}\"\r\nContent-Type: application/octet-stream").as_bytes(),
            );
        }
        body.extend_from_slice(b"\r\n\r\n");
        body.extend_from_slice(part.bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    let mut request = ureq::http::Request::builder().method(method).uri(url);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = request.header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"));
    Ok(Reply::from(agent().run(request.body(body).unwrap())?))
}

pub fn signal(pid: u32, name: &str) {
    let status = Command::new("kill").arg(format!("-{name}")).arg(pid.to_string()).status().unwrap();
    assert!(status.success());
}

fn wait_bounded(child: &mut Child, limit: Duration) -> ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the server did not exit within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// One part of a multipart/form-data body.
pub struct FormPart<'a> {
    pub name: &'a str,
    pub filename: Option<&'a str>,
    pub bytes: &'a [u8],
}

/// An HTTP client that hands back 4xx and 5xx answers instead of erring.
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

/// A response, read whole.
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub headers: ureq::http::HeaderMap,
    /// The body as text (lossy where it is not UTF-8: see `bytes`).
    pub body: String,
    pub bytes: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

impl From<ureq::http::Response<ureq::Body>> for Reply {
    fn from(mut response: ureq::http::Response<ureq::Body>) -> Self {
        let content_type =
            response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        let headers = response.headers().clone();
        let bytes = response.body_mut().with_config().limit(64 << 20).read_to_vec().unwrap();
        let body = String::from_utf8_lossy(&bytes).into_owned();
        Self { status: response.status().as_u16(), content_type, headers, body, bytes }
    }
}
