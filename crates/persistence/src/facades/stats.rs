//! The database's gauges for `/metrics`, read on a connection of their
//! own, outside the pools and the statement count, so a scrape never shows
//! up as the cost of a request.

use std::sync::Mutex;

use chrono::{DateTime, Utc};

use crate::db::{AnyConnection, DatabaseUrl};
use crate::error::StoreError;
use crate::model::Gauges;
use crate::read;
use crate::store::Store;

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
            let gauges = read::stats::gauges(&mut conn, at);
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
