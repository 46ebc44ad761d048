//! The async face of the database: a cheap-to-clone handle whose methods
//! run blocking Diesel work on tokio's blocking pool, each write in one
//! transaction.

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};
use diesel::Connection;
use diesel::connection::SimpleConnection;

use crate::db::{AnyConnection, Backend, DatabaseUrl, PoolOptions, Pools};
use crate::error::StoreError;

#[derive(Clone)]
pub struct Store {
    url: DatabaseUrl,
    pools: Pools,
}

impl Store {
    /// Open pools for `url` without connecting yet: a server can start
    /// (and report not-ready) while its database is down.
    pub fn open(url: &str, options: &PoolOptions) -> Result<Self, StoreError> {
        let url = DatabaseUrl::parse(url).map_err(|e| StoreError::InvalidUrl(e.to_string()))?;
        let pools = Pools::open(&url, options)?;
        Ok(Self { url, pools })
    }

    pub fn backend(&self) -> Backend {
        self.url.backend()
    }

    /// The database URL with any password masked.
    pub fn redacted_url(&self) -> String {
        self.url.redacted()
    }

    /// Answers while the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.read(|conn| conn.batch_execute("SELECT 1").map_err(StoreError::from)).await
    }

    /// Run `work` on a pooled connection, off the async executor.
    pub async fn read<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pools.read.clone();
        blocking(move || work(&mut *pool.get()?)).await
    }

    /// Run `work` in one transaction on the write pool, off the async
    /// executor: it commits when `work` returns `Ok`, and nothing of it
    /// remains when it returns `Err`.
    pub async fn write<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pools.write.clone();
        blocking(move || {
            let mut conn = pool.get()?;
            AnyConnection::transaction(&mut conn, work)
        })
        .await
    }
}

impl Store {
    /// Run `work` on the write connection without a wrapping transaction
    /// (migrations manage their own).
    pub(crate) async fn with_write_connection<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pools.write.clone();
        blocking(move || work(&mut *pool.get()?)).await
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

/// The current time at the precision both backends store (microseconds),
/// so a value reads back exactly as written.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

pub(crate) fn to_db(at: DateTime<Utc>) -> NaiveDateTime {
    at.trunc_subsecs(6).naive_utc()
}

pub(crate) fn from_db(at: NaiveDateTime) -> DateTime<Utc> {
    at.and_utc()
}
