//! Throwaway PostgreSQL for tests: a private cluster ([`PgCluster`]) in a temp
//! directory, and a fresh database per test ([`postgres_database`]) that is
//! dropped with the test, so tests never share state and need no `#[serial]`.
//! When PostgreSQL cannot be had, the test fails unless `LONGFORM_TEST_SKIP`
//! names `postgres` ([`skip`], the rule for every outside dependency).
//! A throwaway S3-compatible server, for the media store, is in [`s3`].
//!
//! The cluster runs as the unprivileged `postgres` user when we are root (the
//! server refuses root), listens on 127.0.0.1 only, uses trust auth and skips
//! fsync. Every cluster gets a detached watchdog shell that waits for the test
//! process to exit, then stops the server (`pg_ctl stop -m immediate`) and
//! removes its directory: the process-wide cluster lives in a static that is
//! never dropped, and a killed test process never runs `Drop` at all. The
//! watchdog leaves on its own once a cluster's directory is gone.

use std::env;
use std::fs;
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use tempfile::TempDir;

pub mod s3;
pub mod skip;

/// A directory holding `initdb` and `pg_ctl` to use instead of looking on
/// `PATH` and under /usr/lib/postgresql (a nonexistent one stands for a
/// machine without PostgreSQL).
pub const PG_BIN_VAR: &str = "LONGFORM_TEST_PG_BIN";

/// Attempts at finding a free port: another process may take the one we
/// picked between dropping our listener and the server binding it.
const START_ATTEMPTS: usize = 3;

/// Longest error text we pass on, so a reason stays one readable line.
const MAX_REASON_CHARS: usize = 300;

/// A PostgreSQL cluster started for tests, owned by this value: Drop stops it (pg_ctl stop -m immediate) and removes its directory.
pub struct PgCluster {
    bin: PathBuf,
    dir: TempDir,
    port: u16,
}

impl PgCluster {
    /// initdb + start on a free port. Err(reason) when binaries are missing or fail (reason is one line).
    pub fn start() -> Result<PgCluster, String> {
        let bin = find_bin_dir()?;
        let dir = tempfile::Builder::new()
            .prefix("longform-pg-")
            .tempdir()
            .map_err(|e| format!("could not create a temp dir: {e}"))?;
        hand_to_server_user(dir.path())?;
        spawn_watchdog(&bin.join("pg_ctl"), dir.path())?;
        // From here on, Drop cleans up whatever a failed step leaves behind.
        let mut cluster = PgCluster { bin, dir, port: 0 };
        cluster.initdb()?;
        let mut reason = String::new();
        for _ in 0..START_ATTEMPTS {
            cluster.port = free_port()?;
            match cluster.pg_ctl_start() {
                Ok(()) => return Ok(cluster),
                Err(e) => reason = e,
            }
        }
        Err(reason)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// postgres://postgres@127.0.0.1:PORT/DBNAME
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// Stop the server (fast mode), keeping the data directory. Blocks until stopped.
    pub fn stop(&self) -> Result<(), String> {
        run(self.pg_ctl().args(["-w", "stop", "-m", "fast"]), "pg_ctl stop")
    }

    /// Start it again on the same port and data directory. Blocks until ready.
    pub fn restart(&self) -> Result<(), String> {
        self.pg_ctl_start()
    }

    /// Freeze the server and every process it started (SIGSTOP), as a
    /// stalled disk or a partition does: connections stay open, the kernel
    /// still acknowledges, nothing answers.
    pub fn freeze(&self) -> Result<(), String> {
        self.signal_all("STOP")
    }

    /// Resume a frozen server (SIGCONT).
    pub fn thaw(&self) -> Result<(), String> {
        self.signal_all("CONT")
    }

    fn signal_all(&self, signal: &str) -> Result<(), String> {
        let pid_file = fs::read_to_string(self.data_dir().join("postmaster.pid"))
            .map_err(|e| format!("no postmaster.pid: {e}"))?;
        let postmaster = pid_file.lines().next().unwrap_or_default().trim().to_owned();
        let mut pids = vec![postmaster.clone()];
        for entry in fs::read_dir("/proc").map_err(|e| format!("cannot list /proc: {e}"))?.flatten() {
            let Ok(stat) = fs::read_to_string(entry.path().join("stat")) else { continue };
            // "PID (COMMAND) STATE PPID ...": the command may hold spaces, so read after its ')'.
            let parent = stat.rsplit_once(')').and_then(|(_, rest)| rest.split_whitespace().nth(1));
            if parent == Some(postmaster.as_str()) {
                pids.push(entry.file_name().to_string_lossy().into_owned());
            }
        }
        run(Command::new("kill").arg(format!("-{signal}")).args(&pids), "kill")
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn log_file(&self) -> PathBuf {
        self.dir.path().join("log")
    }

    fn initdb(&self) -> Result<(), String> {
        let mut cmd = as_server_user(&self.bin.join("initdb"), self.dir.path());
        cmd.arg("-D").arg(self.data_dir()).args([
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
            "-E",
            "UTF8",
            "--locale=C",
        ]);
        run(&mut cmd, "initdb")
    }

    fn pg_ctl(&self) -> Command {
        let mut cmd = as_server_user(&self.bin.join("pg_ctl"), self.dir.path());
        cmd.arg("-D").arg(self.data_dir());
        cmd
    }

    fn pg_ctl_start(&self) -> Result<(), String> {
        // pg_ctl hands -o to a shell, hence the quoting of the socket directory.
        let options = format!(
            "-p {} -h 127.0.0.1 -k {} -F -c fsync=off -c synchronous_commit=off \
             -c full_page_writes=off -c max_connections=200",
            self.port,
            shell_quote(&self.dir.path().to_string_lossy()),
        );
        let mut cmd = self.pg_ctl();
        cmd.arg("-o").arg(options).arg("-l").arg(self.log_file());
        cmd.args(["-w", "start"]);
        run(&mut cmd, "pg_ctl start").map_err(|e| {
            let log = fs::read_to_string(self.log_file()).unwrap_or_default();
            let last = log.lines().rev().find(|l| !l.trim().is_empty());
            format!("{e}; server log: {}", last.unwrap_or("(empty)").trim())
        })
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        if self.data_dir().join("postmaster.pid").exists() {
            // A frozen server takes no signal but SIGCONT: thaw it first.
            let _ = self.thaw();
            // Best effort: a failure here leaves the watchdog to clean up.
            let _ = self
                .pg_ctl()
                .args(["-w", "stop", "-m", "immediate"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
        // `self.dir` (a TempDir) removes the directory after this.
    }
}

/// A fresh, empty database for one test; dropped (DROP DATABASE ... WITH (FORCE)) on Drop.
pub struct TestDatabase {
    url: String,
    server_url: String,
    name: String,
}

impl TestDatabase {
    pub fn url(&self) -> &str {
        &self.url
    }

    fn create(server_url: &str) -> Result<TestDatabase, String> {
        let name = unique_database_name();
        let url = with_database(server_url, &name)?;
        execute(server_url, &format!(r#"CREATE DATABASE "{name}""#))?;
        Ok(TestDatabase { url, server_url: server_url.to_owned(), name })
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let sql = format!(r#"DROP DATABASE IF EXISTS "{}" WITH (FORCE)"#, self.name);
        if let Err(e) = execute(&self.server_url, &sql) {
            eprintln!("warning: could not drop test database {}: {e}", self.name);
        }
    }
}

/// A fresh PostgreSQL database for one test. Source, in order:
/// `TEST_DATABASE_URL` (a server we may `CREATE DATABASE` on; the database
/// gets a unique name like `lf_test_<pid>_<counter>_<nanos>`), else a cluster
/// this test process starts once and shares across its tests. When neither
/// works the test fails, or, when `LONGFORM_TEST_SKIP` names `postgres`, the
/// skip is recorded and the answer is `None` ([`skip::unavailable`]).
///
/// A TEST_DATABASE_URL that is set but unusable is reported, not replaced by
/// a local cluster: a misconfigured server should not go unnoticed.
#[track_caller]
pub fn postgres_database() -> Option<TestDatabase> {
    match fresh_database() {
        Ok(database) => Some(database),
        Err(reason) => skip::unavailable("postgres", &reason),
    }
}

/// A cluster of the test's own, for tests that stop and restart the server;
/// fails or skips like [`postgres_database`].
#[track_caller]
pub fn postgres_cluster() -> Option<PgCluster> {
    match PgCluster::start() {
        Ok(cluster) => Some(cluster),
        Err(reason) => skip::unavailable("postgres", &reason),
    }
}

fn fresh_database() -> Result<TestDatabase, String> {
    match env::var("TEST_DATABASE_URL") {
        Ok(url) if !url.trim().is_empty() => {
            TestDatabase::create(url.trim()).map_err(|e| format!("TEST_DATABASE_URL: {e}"))
        }
        _ => TestDatabase::create(&shared_cluster()?.url("postgres")),
    }
}

/// The process-wide cluster; a failed start is remembered so that every
/// later test skips at once instead of paying for another initdb.
fn shared_cluster() -> Result<&'static PgCluster, String> {
    static CLUSTER: OnceLock<Result<PgCluster, String>> = OnceLock::new();
    CLUSTER.get_or_init(PgCluster::start).as_ref().map_err(Clone::clone)
}

fn execute(url: &str, sql: &str) -> Result<(), String> {
    let mut conn =
        PgConnection::establish(url).map_err(|e| format!("could not connect: {}", one_line(&e.to_string())))?;
    conn.batch_execute(sql).map_err(|e| format!("{sql} failed: {}", one_line(&e.to_string())))
}

fn unique_database_name() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let counter = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    format!("lf_test_{}_{counter}_{nanos}", std::process::id())
}

/// `server_url` with its database path replaced by `database`, query kept.
fn with_database(server_url: &str, database: &str) -> Result<String, String> {
    let scheme_end =
        server_url.find("://").filter(|_| server_url.starts_with("postgres")).ok_or("not a postgres:// URL")?;
    let (head, rest) = server_url.split_at(scheme_end + 3);
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path_and_query) = rest.split_at(authority_end);
    let query = path_and_query.find('?').map_or("", |i| &path_and_query[i..]);
    Ok(format!("{head}{authority}/{database}{query}"))
}

/// The directory holding both `initdb` and `pg_ctl`: the one [`PG_BIN_VAR`]
/// names, else PATH first, then the highest version under Debian's
/// /usr/lib/postgresql/*/bin.
fn find_bin_dir() -> Result<PathBuf, String> {
    let has_tools = |dir: &Path| ["initdb", "pg_ctl"].iter().all(|t| dir.join(t).is_file());
    if let Some(dir) = env::var_os(PG_BIN_VAR).filter(|d| !d.is_empty()).map(PathBuf::from) {
        return if has_tools(&dir) {
            Ok(dir)
        } else {
            Err(format!("no initdb and pg_ctl in {} ({PG_BIN_VAR})", dir.display()))
        };
    }
    let path = env::var_os("PATH").unwrap_or_default();
    if let Some(dir) = env::split_paths(&path).find(|d| has_tools(d)) {
        return Ok(dir);
    }
    let mut versions: Vec<(Vec<u32>, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            let version = name.split('.').map(str::parse).collect::<Result<Vec<u32>, _>>().ok()?;
            let bin = entry.path().join("bin");
            has_tools(&bin).then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions
        .pop()
        .map(|(_, bin)| bin)
        .ok_or_else(|| "no initdb and pg_ctl on PATH or under /usr/lib/postgresql/*/bin".to_owned())
}

fn running_as_root() -> bool {
    static ROOT: OnceLock<bool> = OnceLock::new();
    *ROOT.get_or_init(|| {
        Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|out| out.status.success() && String::from_utf8_lossy(&out.stdout).trim() == "0")
    })
}

/// A command running `program` as the `postgres` user when we are root. The
/// working directory must be one that user can enter, or initdb fails.
fn as_server_user(program: &Path, cwd: &Path) -> Command {
    let mut cmd = if running_as_root() {
        let mut cmd = Command::new("runuser");
        cmd.args(["-u", "postgres", "--"]).arg(program);
        cmd
    } else {
        Command::new(program)
    };
    cmd.current_dir(cwd).stdin(Stdio::null());
    cmd
}

/// Mode 0700, owned by `postgres` when we are root: the server insists on
/// owning its socket directory and data directory's parent.
fn hand_to_server_user(dir: &Path) -> Result<(), String> {
    fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
        .map_err(|e| format!("could not chmod {}: {e}", dir.display()))?;
    if running_as_root() {
        run(Command::new("chown").arg("postgres:postgres").arg(dir), "chown postgres:postgres")?;
    }
    Ok(())
}

/// Detached (own process group, so Ctrl-C on the tests does not kill it):
/// waits for this process to exit or the directory to go, then stops the
/// server and removes the directory.
fn spawn_watchdog(pg_ctl: &Path, dir: &Path) -> Result<(), String> {
    let stop = if running_as_root() { r#"runuser -u postgres -- "$2""# } else { r#""$2""# };
    let script = format!(
        r#"while kill -0 "$1" 2>/dev/null && [ -d "$3" ]; do sleep 1; done
[ -d "$3" ] || exit 0
{stop} -D "$3/data" -w stop -m immediate
rm -rf "$3""#
    );
    let me = std::process::id().to_string();
    detached_shell("longform-pg-watchdog", &script, &[me.as_ref(), pg_ctl.as_os_str(), dir.as_os_str()])
}

/// Run `script` in `sh` with `args` as `$1`, `$2`, ..., detached (its own
/// process group, no stdio), and reaped if it ends while we live, so it
/// leaves no zombie behind.
pub(crate) fn detached_shell(name: &str, script: &str, args: &[&std::ffi::OsStr]) -> Result<(), String> {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(name)
        .args(args)
        .current_dir("/")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .map_err(|e| format!("could not start the cleanup watchdog: {e}"))?;
    std::thread::spawn(move || child.wait());
    Ok(())
}

fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    listener.local_addr().map(|a| a.port()).map_err(|e| format!("no free port: {e}"))
}

fn run(cmd: &mut Command, what: &str) -> Result<(), String> {
    let out = cmd.output().map_err(|e| format!("could not run {what}: {e}"))?;
    if out.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let text = if stderr.trim().is_empty() { String::from_utf8_lossy(&out.stdout) } else { stderr };
    Err(format!("{what} failed ({}): {}", out.status, one_line(&text)))
}

fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// Whitespace (newlines included) collapsed and the length capped.
fn one_line(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(MAX_REASON_CHARS) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line,
    }
}

/// A SQLite database file in a temp directory removed on drop.
pub struct TestSqlite {
    _dir: tempfile::TempDir,
    url: String,
}

impl TestSqlite {
    pub fn new() -> Result<Self, String> {
        let dir = tempfile::tempdir().map_err(|e| format!("temp dir: {e}"))?;
        let url = format!("sqlite://{}", dir.path().join("longform.db").display());
        Ok(Self { _dir: dir, url })
    }

    pub fn url(&self) -> &str {
        &self.url
    }
}

/// A migrated store on a fresh database, with what keeps that database alive.
pub struct TestStore {
    pub store: crate::Store,
    _sqlite: Option<TestSqlite>,
    _postgres: Option<TestDatabase>,
}

impl TestStore {
    pub async fn sqlite() -> Self {
        let db = TestSqlite::new().unwrap_or_else(|e| panic!("{e}"));
        let store = Self::open(db.url()).await;
        Self { store, _sqlite: Some(db), _postgres: None }
    }

    /// Fails the test when no PostgreSQL can be had, or is `None` when
    /// `LONGFORM_TEST_SKIP` names `postgres` ([`postgres_database`]).
    pub async fn postgres() -> Option<Self> {
        let db = postgres_database()?;
        let store = Self::open(db.url()).await;
        Some(Self { store, _sqlite: None, _postgres: Some(db) })
    }

    async fn open(url: &str) -> crate::Store {
        let store =
            crate::Store::open(url, &crate::PoolOptions::default()).unwrap_or_else(|e| panic!("open {url}: {e}"));
        store.migrate().await.unwrap_or_else(|e| panic!("migrate {url}: {e}"));
        store
    }
}

/// Write a test once, run it on both backends: `both_backends!(a, b)` makes
/// `sqlite::a`, `postgres::a`, ... calling `async fn a(store: &Store)`.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let db = $crate::testing::TestStore::sqlite().await;
                    super::$name(&db.store).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(db) = $crate::testing::TestStore::postgres().await else { return };
                    super::$name(&db.store).await;
                }
            )*
        }
    };
}

/// Raw connections, for tests that look under the repositories (query
/// plans, migrated schemas): only with the `testing` feature.
impl crate::Store {
    pub async fn with_connection<T, F>(&self, work: F) -> Result<T, crate::StoreError>
    where
        F: FnOnce(&mut crate::AnyConnection) -> Result<T, crate::StoreError> + Send + 'static,
        T: Send + 'static,
    {
        self.read(work).await
    }
}

/// Make every `event` ("INSERT" or "UPDATE") on `table` whose new row
/// satisfies `condition` (SQL over `NEW`, e.g. `NEW.id = '...'`) fail with
/// "injected fault", on either backend: a real failure in the middle of a
/// real write, to test what a rollback leaves.
pub async fn inject_fault(
    store: &crate::Store,
    table: &'static str,
    event: &'static str,
    condition: String,
) -> Result<(), crate::StoreError> {
    use diesel::connection::SimpleConnection;
    let name = format!("injected_fault_{}", unique_database_name());
    store
        .write_unseen(move |conn| {
            let sql = match conn {
                crate::AnyConnection::Sqlite(_) => format!(
                    "CREATE TRIGGER {name} BEFORE {event} ON {table} FOR EACH ROW WHEN {condition} \
                     BEGIN SELECT RAISE(ABORT, 'injected fault'); END;"
                ),
                crate::AnyConnection::Postgresql(_) => format!(
                    "CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS \
                     $$ BEGIN RAISE EXCEPTION 'injected fault'; END $$; \
                     CREATE TRIGGER {name} BEFORE {event} ON {table} FOR EACH ROW WHEN ({condition}) \
                     EXECUTE FUNCTION {name}();"
                ),
            };
            Ok(conn.batch_execute(&sql)?)
        })
        .await
}

impl crate::Store {
    /// Record the SQL of every statement this store runs from now until
    /// [`Store::recorded_statements`] takes them.
    pub fn record_statements(&self) {
        if let Ok(mut log) = self.pools.statements.log.lock() {
            *log = Some(Vec::new());
        }
    }

    /// The statements run since [`Store::record_statements`]; recording stops.
    pub fn recorded_statements(&self) -> Vec<String> {
        self.pools.statements.log.lock().ok().and_then(|mut log| log.take()).unwrap_or_default()
    }
}
