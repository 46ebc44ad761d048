//! Connections and pools for both backends, picked at run time from the
//! database URL, and the bridge that runs blocking Diesel work off the async
//! executor.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use diesel::connection::{InstrumentationEvent, SimpleConnection};
use diesel::{Connection, PgConnection, SqliteConnection};

use crate::error::StoreError;

/// One connection type for both backends (Diesel's documented way to pick a
/// backend at run time). Dialect-specific SQL matches on the variant.
#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

/// Typed ids bind through the two-backend connection. The domain gives
/// each id its text form for SQLite and PostgreSQL; `MultiBackend` exists
/// only here (the derive above makes it), so this is the one place that
/// can say "either of those". A derive cannot: it would have to name a
/// backend the domain crate never sees.
macro_rules! multi_backend_text {
    ($($id:ty),*) => {$(
        impl diesel::serialize::ToSql<diesel::sql_types::Text, MultiBackend> for $id {
            fn to_sql<'b>(&'b self, out: &mut diesel::serialize::Output<'b, '_, MultiBackend>) -> diesel::serialize::Result {
                out.set_value((diesel::sql_types::Text, self));
                Ok(diesel::serialize::IsNull::No)
            }
        }
    )*};
}

multi_backend_text!(
    longform_domain::PostId,
    longform_domain::TagId,
    longform_domain::CategoryId,
    longform_domain::AuthorId,
    longform_domain::UserId,
    longform_domain::WebhookId,
    longform_domain::DeliveryId,
    longform_domain::MediaId
);

/// Which database a URL names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// `postgres://` or `postgresql://`, passed to libpq as is.
    Postgres(String),
    /// `sqlite://PATH` (relative) or `sqlite:///ABSOLUTE/PATH`.
    Sqlite(PathBuf),
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum UrlError {
    #[error("unsupported database URL scheme {0:?}: use sqlite://PATH or postgres://...")]
    UnknownScheme(String),
    #[error("database URL has no scheme: use sqlite://PATH or postgres://...")]
    NoScheme,
    #[error("sqlite URL has no file path: use sqlite://data/longform.db")]
    EmptyPath,
}

impl DatabaseUrl {
    /// Parse by scheme, refusing anything else: Diesel's own fallback would
    /// open a SQLite file named after a mistyped PostgreSQL URL.
    pub fn parse(raw: &str) -> Result<Self, UrlError> {
        let (scheme, rest) = raw.split_once("://").ok_or(UrlError::NoScheme)?;
        match scheme {
            "postgres" | "postgresql" => Ok(Self::Postgres(raw.to_owned())),
            "sqlite" if rest.is_empty() => Err(UrlError::EmptyPath),
            "sqlite" => Ok(Self::Sqlite(PathBuf::from(rest))),
            other => Err(UrlError::UnknownScheme(other.to_owned())),
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Self::Postgres(_) => Backend::Postgres,
            Self::Sqlite(_) => Backend::Sqlite,
        }
    }

    /// The URL with any password masked, for logs and error messages.
    pub fn redacted(&self) -> String {
        match self {
            Self::Sqlite(path) => format!("sqlite://{}", path.display()),
            Self::Postgres(url) => redact_password(url),
        }
    }
}

/// How long opening a PostgreSQL connection may take, unless the URL says:
/// a server that accepts TCP but never answers (stopped, or its disk
/// stalled) would otherwise hold the opener forever.
const CONNECT_TIMEOUT_SECS: u32 = 5;

/// `url` as libpq gets it: with [`CONNECT_TIMEOUT_SECS`] unless it sets one.
pub(crate) fn with_connect_timeout(url: &str) -> String {
    if url.contains("connect_timeout=") {
        return url.to_owned();
    }
    let glue = if url.contains('?') { '&' } else { '?' };
    format!("{url}{glue}connect_timeout={CONNECT_TIMEOUT_SECS}")
}

fn redact_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((userinfo, host)) = rest.split_once('@') else {
        return url.to_owned();
    };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }
}

/// Opens connections of the backend the URL names, and only that one, and
/// counts every statement they run (the cost of a request is a number
/// operators and tests can read).
#[derive(Debug, Clone)]
pub struct Manager {
    url: DatabaseUrl,
    statements: Arc<Statements>,
}

/// The statements a store's connections run: how many, and (in tests)
/// which.
#[derive(Debug, Default)]
pub(crate) struct Statements {
    pub(crate) count: AtomicU64,
    /// The SQL of each statement while a test records them.
    #[cfg(feature = "testing")]
    pub(crate) log: std::sync::Mutex<Option<Vec<String>>>,
}

fn count_statements<C: Connection>(conn: &mut C, statements: &Arc<Statements>) {
    let statements = Arc::clone(statements);
    conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
        #[cfg_attr(not(feature = "testing"), expect(unused_variables))]
        if let InstrumentationEvent::StartQuery { query, .. } = event {
            statements.count.fetch_add(1, Ordering::Relaxed);
            #[cfg(feature = "testing")]
            if let Ok(mut log) = statements.log.lock()
                && let Some(log) = log.as_mut()
            {
                log.push(query.to_string());
            }
        }
    });
}

/// Per-connection SQLite settings: WAL so readers never wait for the
/// writer, foreign keys enforced, and a busy timeout so a writer from
/// another process (the CLI next to the server) waits instead of failing.
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA temp_store = MEMORY;";

impl r2d2::ManageConnection for Manager {
    type Connection = AnyConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<AnyConnection, Self::Error> {
        match &self.url {
            DatabaseUrl::Postgres(url) => {
                let mut conn = PgConnection::establish(&with_connect_timeout(url))
                    .map_err(diesel::r2d2::Error::ConnectionError)?;
                count_statements(&mut conn, &self.statements);
                Ok(AnyConnection::Postgresql(conn))
            }
            DatabaseUrl::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(&path.to_string_lossy())
                    .map_err(diesel::r2d2::Error::ConnectionError)?;
                conn.batch_execute(SQLITE_PRAGMAS).map_err(diesel::r2d2::Error::QueryError)?;
                count_statements(&mut conn, &self.statements);
                Ok(AnyConnection::Sqlite(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut AnyConnection) -> Result<(), Self::Error> {
        conn.batch_execute("SELECT 1").map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, _conn: &mut AnyConnection) -> bool {
        false
    }
}

impl DatabaseUrl {
    /// A connection outside the pools and the statement count, for
    /// background housekeeping that must not show up as request cost.
    pub fn establish_uncounted(&self) -> Result<AnyConnection, StoreError> {
        match self {
            DatabaseUrl::Postgres(url) => PgConnection::establish(&with_connect_timeout(url))
                .map(AnyConnection::Postgresql)
                .map_err(|e| StoreError::Unavailable(e.to_string())),
            DatabaseUrl::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(&path.to_string_lossy())
                    .map_err(|e| StoreError::Unavailable(e.to_string()))?;
                conn.batch_execute(SQLITE_PRAGMAS)?;
                Ok(AnyConnection::Sqlite(conn))
            }
        }
    }
}

pub type Pool = r2d2::Pool<Manager>;

/// Checkouts of pooled connections and the time spent waiting for them.
#[derive(Debug, Default)]
pub struct PoolWaits {
    checkouts: AtomicU64,
    wait_micros: AtomicU64,
    timeouts: AtomicU64,
}

/// A snapshot of [`PoolWaits`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PoolWaitTotals {
    pub checkouts: u64,
    pub wait_micros: u64,
    /// Checkouts that gave up (the pool's acquire timeout passed, or no
    /// connection could be opened).
    pub timeouts: u64,
}

impl PoolWaits {
    /// A connection from `pool`, timing the wait.
    pub(crate) fn checkout(&self, pool: &Pool) -> Result<r2d2::PooledConnection<Manager>, StoreError> {
        let started = Instant::now();
        let conn = pool.get();
        let waited = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
        self.wait_micros.fetch_add(waited, Ordering::Relaxed);
        let counter = if conn.is_ok() { &self.checkouts } else { &self.timeouts };
        counter.fetch_add(1, Ordering::Relaxed);
        Ok(conn?)
    }

    pub fn totals(&self) -> PoolWaitTotals {
        PoolWaitTotals {
            checkouts: self.checkouts.load(Ordering::Relaxed),
            wait_micros: self.wait_micros.load(Ordering::Relaxed),
            timeouts: self.timeouts.load(Ordering::Relaxed),
        }
    }
}

/// Pool sizes and timeouts.
#[derive(Debug, Clone)]
pub struct PoolOptions {
    /// Connections for reads (and, on PostgreSQL, writes too).
    pub max_connections: u32,
    /// How long a request waits for a connection before the store reports
    /// itself unavailable.
    pub acquire_timeout: Duration,
}

impl Default for PoolOptions {
    fn default() -> Self {
        Self { max_connections: 8, acquire_timeout: Duration::from_secs(5) }
    }
}

/// The pools behind a store. SQLite allows one writer at a time, so writes
/// go through a pool of exactly one connection: concurrent editors queue in
/// the process instead of failing with "database is locked". PostgreSQL
/// uses one pool for both.
#[derive(Clone)]
pub(crate) struct Pools {
    pub(crate) read: Pool,
    pub(crate) write: Pool,
    /// Statements run by this process's connections so far.
    pub(crate) statements: Arc<Statements>,
    /// Checkouts from either pool, and the time spent waiting for them.
    pub(crate) waits: Arc<PoolWaits>,
}

impl Pools {
    pub(crate) fn open(url: &DatabaseUrl, options: &PoolOptions) -> Result<Self, StoreError> {
        if let DatabaseUrl::Sqlite(path) = url {
            create_parent_dir(path)?;
        }
        let statements = Arc::new(Statements::default());
        let build = |size: u32| {
            r2d2::Pool::builder()
                .max_size(size)
                .min_idle(Some(0))
                .connection_timeout(options.acquire_timeout)
                .test_on_check_out(true)
                .build_unchecked(Manager { url: url.clone(), statements: Arc::clone(&statements) })
        };
        let waits = Arc::default();
        Ok(match url {
            DatabaseUrl::Sqlite(_) => Self { read: build(options.max_connections), write: build(1), statements, waits },
            DatabaseUrl::Postgres(_) => {
                let pool = build(options.max_connections);
                Self { read: pool.clone(), write: pool, statements, waits }
            }
        })
    }
}

fn create_parent_dir(path: &Path) -> Result<(), StoreError> {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::Unavailable(format!("cannot create {}: {e}", dir.display()))),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_parsed_by_scheme_and_unknown_ones_refused() {
        assert_eq!(DatabaseUrl::parse("sqlite://data/longform.db"), Ok(DatabaseUrl::Sqlite("data/longform.db".into())));
        assert_eq!(DatabaseUrl::parse("sqlite:///var/lib/lf.db"), Ok(DatabaseUrl::Sqlite("/var/lib/lf.db".into())));
        assert_eq!(DatabaseUrl::parse("postgres://u@h/db").map(|u| u.backend()), Ok(Backend::Postgres));
        let timed = with_connect_timeout;
        assert_eq!(timed("postgres://u@h/db"), "postgres://u@h/db?connect_timeout=5");
        assert_eq!(timed("postgres://u@h/db?sslmode=require"), "postgres://u@h/db?sslmode=require&connect_timeout=5");
        assert_eq!(timed("postgres://u@h/db?connect_timeout=1"), "postgres://u@h/db?connect_timeout=1");
        assert_eq!(DatabaseUrl::parse("postgresql://u@h/db").map(|u| u.backend()), Ok(Backend::Postgres));
        assert_eq!(DatabaseUrl::parse("mysql://u@h/db"), Err(UrlError::UnknownScheme("mysql".into())));
        assert_eq!(DatabaseUrl::parse("postgress://u@h/db"), Err(UrlError::UnknownScheme("postgress".into())));
        assert_eq!(DatabaseUrl::parse("data/longform.db"), Err(UrlError::NoScheme));
        assert_eq!(DatabaseUrl::parse("sqlite://"), Err(UrlError::EmptyPath));
    }

    #[test]
    fn passwords_are_redacted() {
        let url = DatabaseUrl::parse("postgres://lf:hunter2secret@db:5432/lf").map(|u| u.redacted());
        assert_eq!(url, Ok("postgres://lf:***@db:5432/lf".to_owned()));
    }
}
