//! Numbers about the database for `/metrics`: how long requests wait for a
//! pooled connection (counted where the store checks one out), and gauges
//! read on a connection of their own, outside the pools and the statement
//! count, so a scrape never shows up as the cost of a request.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use chrono::{DateTime, Utc};
use diesel::dsl::{count_star, min};
use diesel::prelude::*;
use longform_domain::PostStatus;

use crate::db::{AnyConnection, DatabaseUrl, Pool};
use crate::error::StoreError;
use crate::schema::{posts, webhook_deliveries};
use crate::store::{Store, from_db, to_db};
use crate::webhooks::DeliveryStatus;

/// How late a scheduled post may be before it counts as overdue: the
/// scheduler looks every second, and a publish takes a moment.
pub const OVERDUE_AFTER: chrono::Duration = chrono::Duration::seconds(5);

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
    pub(crate) fn checkout(&self, pool: &Pool) -> Result<r2d2::PooledConnection<crate::db::Manager>, StoreError> {
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

/// Work waiting in the database.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Gauges {
    /// Webhook deliveries not yet delivered nor given up.
    pub pending_deliveries: i64,
    /// Age of the oldest of them, in seconds.
    pub oldest_pending_seconds: Option<f64>,
    /// Scheduled posts more than [`OVERDUE_AFTER`] past their time.
    pub overdue_scheduled_posts: i64,
}

impl Gauges {
    fn read(conn: &mut AnyConnection, at: DateTime<Utc>) -> Result<Self, StoreError> {
        let (pending_deliveries, oldest) = webhook_deliveries::table
            .filter(webhook_deliveries::status.eq(DeliveryStatus::Pending.as_str()))
            .select((count_star(), min(webhook_deliveries::created_at)))
            .first::<(i64, Option<chrono::NaiveDateTime>)>(conn)?;
        let overdue_scheduled_posts = posts::table
            .filter(posts::status.eq(PostStatus::Scheduled.as_str()))
            .filter(posts::published_at.lt(to_db(at - OVERDUE_AFTER)))
            .filter(posts::deleted_at.is_null())
            .select(count_star())
            .first::<i64>(conn)?;
        let age = |created| (at - from_db(created)).num_milliseconds().max(0) as f64 / 1000.0;
        Ok(Self { pending_deliveries, oldest_pending_seconds: oldest.map(age), overdue_scheduled_posts })
    }
}

/// Reads [`Gauges`] on an uncounted connection of its own, kept between
/// reads (dropped after a failure; the next read opens a new one).
pub struct GaugeReader {
    url: DatabaseUrl,
    idle: Mutex<Option<AnyConnection>>,
}

impl GaugeReader {
    pub fn new(store: &Store) -> Self {
        Self { url: store.database_url().clone(), idle: Mutex::new(None) }
    }

    pub async fn read(&self) -> Result<Gauges, StoreError> {
        self.read_at(crate::now()).await
    }

    /// The gauges as they stand at `at` (tests look into the future).
    pub async fn read_at(&self, at: DateTime<Utc>) -> Result<Gauges, StoreError> {
        let idle = self.idle.lock().ok().and_then(|mut idle| idle.take());
        let url = self.url.clone();
        let (conn, gauges) = tokio::task::spawn_blocking(move || {
            let mut conn = match idle {
                Some(conn) => conn,
                None => match url.establish_uncounted() {
                    Ok(conn) => conn,
                    Err(e) => return (None, Err(e)),
                },
            };
            let gauges = Gauges::read(&mut conn, at);
            (gauges.is_ok().then_some(conn), gauges)
        })
        .await
        .map_err(|e| StoreError::Unavailable(format!("database task failed: {e}")))?;
        if let (Some(conn), Ok(mut idle)) = (conn, self.idle.lock()) {
            *idle = Some(conn);
        }
        gauges
    }
}
