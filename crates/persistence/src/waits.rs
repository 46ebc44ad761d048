//! How long work waits for a pooled connection: counted where the store
//! checks one out, reported by `/metrics`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use crate::db::{Manager, Pool};
use crate::error::StoreError;

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
