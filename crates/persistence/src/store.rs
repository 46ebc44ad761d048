//! The handle every repository runs on: a cheap-to-clone store whose
//! runners take blocking Diesel work to tokio's blocking pool, each write
//! in one transaction. Only this crate runs SQL on it; other crates call
//! the repositories in [`crate::facades`].

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use diesel::Connection;
use diesel::connection::SimpleConnection;

use crate::db::{AnyConnection, Backend, DatabaseUrl, PoolOptions, Pools};
use crate::error::StoreError;

#[derive(Clone)]
pub struct Store {
    url: DatabaseUrl,
    pub(crate) pools: Pools,
    /// Bumped after every committed write through this store: caches of
    /// anything read from it are stale once it moves.
    generation: Arc<AtomicU64>,
}

impl Store {
    /// Open pools for `url` without connecting yet: a server can start
    /// (and report not-ready) while its database is down.
    pub fn open(url: &str, options: &PoolOptions) -> Result<Self, StoreError> {
        let url = DatabaseUrl::parse(url).map_err(|e| StoreError::InvalidUrl(e.to_string()))?;
        let pools = Pools::open(&url, options)?;
        Ok(Self { url, pools, generation: Arc::new(AtomicU64::new(0)) })
    }

    pub(crate) fn database_url(&self) -> &DatabaseUrl {
        &self.url
    }

    pub fn backend(&self) -> Backend {
        self.url.backend()
    }

    /// The database URL with any password masked.
    pub fn redacted_url(&self) -> String {
        self.url.redacted()
    }

    /// Statements run by this store's connections since it opened.
    pub fn statements_executed(&self) -> u64 {
        self.pools.statements.count.load(Ordering::Relaxed)
    }

    /// Pooled connections checked out so far, and the time spent waiting.
    pub fn pool_waits(&self) -> crate::db::PoolWaitTotals {
        self.pools.waits.totals()
    }

    /// Moves after every write through this store (committed or not: a
    /// spurious move only costs a cache refill).
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Mark everything read so far as possibly stale (a write elsewhere,
    /// announced by another replica).
    pub fn bump_generation(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// Answers while the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.read(|conn| conn.batch_execute("SELECT 1").map_err(StoreError::from)).await
    }

    /// Run `work` on a pooled connection, off the async executor.
    pub(crate) async fn read<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        let (pool, waits) = (self.pools.read.clone(), Arc::clone(&self.pools.waits));
        blocking(move || work(&mut *waits.checkout(&pool)?)).await
    }

    /// Run `work` in one transaction on the write pool, off the async
    /// executor: it commits when `work` returns `Ok`, and nothing of it
    /// remains when it returns `Err`. Content writes: cached reads are
    /// stale afterwards.
    pub(crate) async fn write<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        let result = self.write_unseen(work).await;
        self.bump_generation();
        result
    }

    /// Like [`Store::write`], for writes no public read shows (sessions,
    /// tokens, settings): cached reads stay valid.
    pub(crate) async fn write_unseen<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        let (pool, waits) = (self.pools.write.clone(), Arc::clone(&self.pools.waits));
        blocking(move || {
            let mut conn = waits.checkout(&pool)?;
            AnyConnection::transaction(&mut conn, work)
        })
        .await
    }
}

impl Store {
    /// Run CPU-bound `work` (rendering Markdown) off the async executor,
    /// holding no connection: a write renders before its transaction opens.
    pub(crate) async fn compute<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        blocking(move || Ok(work())).await
    }

    /// Run `work` on the write connection without a wrapping transaction
    /// (migrations manage their own).
    pub(crate) async fn with_write_connection<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        let (pool, waits) = (self.pools.write.clone(), Arc::clone(&self.pools.waits));
        blocking(move || work(&mut *waits.checkout(&pool)?)).await
    }
}

/// A connection of its own, outside the pools, for a background loop's
/// frequent "anything to do?" question: an idle server's statement count
/// stays still, and the pools stay free for requests. A failed check drops
/// the connection; the next one opens a new one.
pub(crate) struct Probe {
    url: DatabaseUrl,
    conn: Option<AnyConnection>,
}

impl Probe {
    pub(crate) fn new(store: &Store) -> Self {
        Self { url: store.database_url().clone(), conn: None }
    }

    pub(crate) async fn check<F>(&mut self, question: F) -> Result<bool, StoreError>
    where
        F: FnOnce(&mut AnyConnection) -> Result<bool, StoreError> + Send + 'static,
    {
        let url = self.url.clone();
        let conn = self.conn.take();
        let (conn, answer) = tokio::task::spawn_blocking(move || {
            let mut conn = match conn {
                Some(conn) => conn,
                None => match url.establish_uncounted() {
                    Ok(conn) => conn,
                    Err(e) => return (None, Err(e)),
                },
            };
            let answer = question(&mut conn);
            (answer.is_ok().then_some(conn), answer)
        })
        .await
        .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        self.conn = conn;
        answer
    }
}

async fn blocking<T, F>(work: F) -> Result<T, StoreError>
where
    F: FnOnce() -> Result<T, StoreError> + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| StoreError::Unavailable(format!("database task failed: {e}")))?
}
