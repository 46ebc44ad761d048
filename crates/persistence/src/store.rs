//! The handle every repository runs on: a cheap-to-clone store whose
//! runners take blocking Diesel work to tokio's blocking pool, each write
//! in one transaction. Only this crate runs SQL on it; other crates call
//! the repositories in [`crate::facades`].

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use diesel::connection::SimpleConnection;
use tokio::sync::Semaphore;

use crate::db::{AnyConnection, Backend, DatabaseUrl, PoolOptions, Pools};
use crate::effects::public::{self, Reach};
use crate::error::StoreError;
use crate::workers::{WorkError, Workers};

#[derive(Clone)]
pub struct Store {
    url: DatabaseUrl,
    pub(crate) pools: Pools,
    /// Bumped after every committed write through this store: caches of
    /// anything read from it are stale once it moves.
    generation: Arc<AtomicU64>,
    /// Database calls running at once, each on a blocking thread. A call
    /// that passes its deadline keeps its slot (and its thread) until the
    /// database answers, so a frozen database ties up at most this many
    /// threads, and once they are all taken every request fails fast.
    slots: Arc<Semaphore>,
    /// Threads that render, one per core: rendering 1 MiB of dense Markdown
    /// takes a quarter of a second of CPU and tens of MB, so a burst of large
    /// writes queues, and cannot take every core or leave its memory behind
    /// in many threads' arenas.
    renderers: Arc<Workers>,
}

/// How long a request's database call may take, from asking for a slot to
/// the answer, before the request gets 503 with `Retry-After`. PostgreSQL
/// that stops answering without closing its connections (a stalled disk, a
/// partition) would otherwise hold a request for as long as it is away:
/// the kernel still acknowledges, so neither keepalives nor
/// `statement_timeout` end it.
pub const CALL_DEADLINE: Duration = Duration::from_secs(5);

/// The same for whole-site work (import, export, restore, migrations, the
/// sitemap), which reads or writes every post.
pub const BULK_DEADLINE: Duration = Duration::from_secs(600);

/// Slots per pooled connection: room to queue for a connection, not more.
const SLOTS_PER_CONNECTION: usize = 4;

/// How long a call waits for a slot when all are taken.
const SLOT_WAIT: Duration = Duration::from_secs(1);

/// How long a render waits for a core when all are rendering.
const RENDER_WAIT: Duration = Duration::from_secs(2);

impl Store {
    /// Open pools for `url` without connecting yet: a server can start
    /// (and report not-ready) while its database is down.
    pub fn open(url: &str, options: &PoolOptions) -> Result<Self, StoreError> {
        let url = DatabaseUrl::parse(url).map_err(|e| StoreError::InvalidUrl(e.to_string()))?;
        let pools = Pools::open(&url, options)?;
        let slots = Arc::new(Semaphore::new(options.max_connections as usize * SLOTS_PER_CONNECTION));
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let renderers = Workers::start("render", cores)
            .map_err(|e| StoreError::Unavailable(format!("cannot start the render threads: {e}")))?;
        Ok(Self { url, pools, generation: Arc::new(AtomicU64::new(0)), slots, renderers: Arc::new(renderers) })
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

    /// Moves after every write through this store that may change a public
    /// read (committed or not: a spurious move only costs a cache refill),
    /// and when the watcher hears of one made elsewhere.
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

    /// Run `work` on a pooled connection, off the async executor, within
    /// [`CALL_DEADLINE`].
    pub(crate) async fn read<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        self.read_within(CALL_DEADLINE, work).await
    }

    /// [`Store::read`] for whole-site reads, within [`BULK_DEADLINE`].
    pub(crate) async fn read_bulk<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        self.read_within(BULK_DEADLINE, work).await
    }

    async fn read_within<T, F>(&self, deadline: Duration, work: F) -> Result<T, StoreError>
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        let (pool, waits) = (self.pools.read.clone(), Arc::clone(&self.pools.waits));
        self.call(deadline, move || work(&mut *waits.checkout(&pool)?)).await
    }

    /// Run `work` in one transaction on the write pool, off the async
    /// executor: it commits when `work` returns `Ok`, and nothing of it
    /// remains when it returns `Err`. On SQLite it holds the write lock
    /// from its first statement ([`crate::locks::write_transaction`]). Content writes: cached reads are
    /// stale afterwards, here and on every server sharing the database.
    pub(crate) async fn write<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        self.write_reaching(move |c| Ok((work(c)?, Reach::Public))).await
    }

    /// [`Store::write`] for a write that says whether the public can see
    /// what it changed: a [`Reach::Private`] one (a draft's autosave) leaves
    /// every cached read alone.
    pub(crate) async fn write_reaching<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        F: FnOnce(&mut AnyConnection) -> Result<(T, Reach), StoreError> + Send + 'static,
        T: Send + 'static,
    {
        let result = self.write_within(CALL_DEADLINE, announced(work)).await;
        // A failed write may still commit (past its deadline): treat it as seen.
        if !matches!(result, Ok((_, Reach::Private))) {
            self.bump_generation();
        }
        result.map(|(value, _)| value)
    }

    /// [`Store::write`] for whole-site writes (a restore), within [`BULK_DEADLINE`].
    pub(crate) async fn write_bulk<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        let result = self.write_within(BULK_DEADLINE, announced(move |c| Ok((work(c)?, Reach::Public)))).await;
        self.bump_generation();
        result.map(|(value, _)| value)
    }

    /// Like [`Store::write`], for writes no public read shows (sessions,
    /// tokens, settings): cached reads stay valid.
    pub(crate) async fn write_unseen<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        self.write_within(CALL_DEADLINE, work).await
    }

    /// A write that passes its deadline is answered 503 but may still
    /// commit when the database comes back: whole, never in part.
    async fn write_within<T, F>(&self, deadline: Duration, work: F) -> Result<T, StoreError>
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        let (pool, waits) = (self.pools.write.clone(), Arc::clone(&self.pools.waits));
        self.call(deadline, move || {
            let mut conn = waits.checkout(&pool)?;
            crate::locks::write_transaction(&mut conn, work)
        })
        .await
    }

    /// Run blocking database `work` in a slot, or fail within `deadline`
    /// (and within [`SLOT_WAIT`] when every slot is taken).
    async fn call<T, F>(&self, deadline: Duration, work: F) -> Result<T, StoreError>
    where
        F: FnOnce() -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        let started = tokio::time::Instant::now();
        let slot = match tokio::time::timeout(SLOT_WAIT.min(deadline), Arc::clone(&self.slots).acquire_owned()).await {
            Ok(Ok(slot)) => slot,
            Ok(Err(_)) => return Err(StoreError::Unavailable("the store is closed".to_owned())),
            Err(_) => {
                return Err(StoreError::Unavailable(format!(
                    "every database call slot is taken (the database is slow or away): none came free within \
                     {SLOT_WAIT:?}"
                )));
            }
        };
        let task = tokio::task::spawn_blocking(move || {
            let _slot = slot; // given back when the database answers, however late
            work()
        });
        match tokio::time::timeout(deadline.saturating_sub(started.elapsed()), task).await {
            Ok(joined) => joined.map_err(|e| StoreError::Unavailable(format!("database task failed: {e}")))?,
            Err(_) => Err(StoreError::Unavailable(format!("the database did not answer within {deadline:?}"))),
        }
    }
}

/// `work`, then, when it reached the public, the announcement of it in the
/// same transaction.
fn announced<T, F>(work: F) -> impl FnOnce(&mut AnyConnection) -> Result<(T, Reach), StoreError>
where
    F: FnOnce(&mut AnyConnection) -> Result<(T, Reach), StoreError>,
{
    move |c| {
        let (value, reach) = work(c)?;
        if reach == Reach::Public {
            public::advance(c)?;
        }
        Ok((value, reach))
    }
}

impl Store {
    /// Run CPU-bound `work` (rendering Markdown) off the async executor,
    /// holding no connection: a write renders before its transaction opens.
    /// One per core at once; `Unavailable` when none frees up within
    /// [`RENDER_WAIT`].
    pub(crate) async fn compute<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        self.renderers.run(RENDER_WAIT, work).await.map_err(|e| match e {
            WorkError::Saturated(wait) => {
                StoreError::Unavailable(format!("every core is rendering: none came free within {wait:?}"))
            }
            WorkError::Gone => StoreError::Unavailable("the render threads are gone".to_owned()),
        })
    }

    /// Run `work` on the write connection without a wrapping transaction
    /// (migrations manage their own).
    pub(crate) async fn with_write_connection<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        let (pool, waits) = (self.pools.write.clone(), Arc::clone(&self.pools.waits));
        self.call(BULK_DEADLINE, move || work(&mut *waits.checkout(&pool)?)).await
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn renders_run_one_per_core_and_wait_no_longer_than_asked() {
        let store = Arc::new(Store::open("sqlite://:memory:", &PoolOptions::default()).unwrap());
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let busy = RENDER_WAIT + Duration::from_millis(500);
        let running: Vec<_> = (0..cores)
            .map(|_| {
                let store = Arc::clone(&store);
                tokio::spawn(async move { store.compute(move || std::thread::sleep(busy)).await })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(200)).await;
        let started = std::time::Instant::now();
        let turned_away = store.compute(|| ()).await;
        assert!(matches!(turned_away, Err(StoreError::Unavailable(_))), "{turned_away:?}");
        assert!(started.elapsed() >= RENDER_WAIT, "it waited {:?}", started.elapsed());
        for task in running {
            assert!(task.await.unwrap().is_ok());
        }
        assert!(store.compute(|| ()).await.is_ok(), "the cores are free again");
    }
}
