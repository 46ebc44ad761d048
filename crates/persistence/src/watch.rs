//! Writes made elsewhere: by another replica, or by the CLI next to a
//! running server. A watcher thread moves the store's generation when one
//! that the public can see lands (it moves the `public_changes` row:
//! [`crate::effects::public`]), so caches built on this store go stale
//! within a poll interval. PostgreSQL: `LISTEN longform_changes` (the row's
//! trigger NOTIFYs). SQLite: the row, polled. Writes no reader sees (a
//! draft's autosave, a sign-in, a webhook delivery) leave caches alone.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use diesel::prelude::*;
use diesel::{PgConnection, SqliteConnection};

use crate::db::DatabaseUrl;
use crate::schema::public_changes;
use crate::store::Store;

/// How often the watcher looks for other writers' commits.
pub const POLL_INTERVAL: Duration = Duration::from_millis(200);
/// How long it waits before reconnecting after losing its connection.
const RECONNECT_DELAY: Duration = Duration::from_secs(1);

/// Stops the watcher thread when dropped.
pub struct Watcher {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for Watcher {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Store {
    /// Start watching for writes made outside this store.
    pub fn watch_external_writes(&self) -> std::io::Result<Watcher> {
        let stop = Arc::new(AtomicBool::new(false));
        let (store, flag) = (self.clone(), Arc::clone(&stop));
        let thread = std::thread::Builder::new().name("longform-changes".into()).spawn(move || {
            match store.database_url().clone() {
                DatabaseUrl::Sqlite(path) => watch_sqlite(&store, &path.to_string_lossy(), &flag),
                DatabaseUrl::Postgres(url) => watch_postgres(&store, &url, &flag),
            }
        })?;
        Ok(Watcher { stop, thread: Some(thread) })
    }
}

fn watch_sqlite(store: &Store, path: &str, stop: &AtomicBool) {
    let mut seen = None;
    let mut conn = None;
    while !stop.load(Ordering::Acquire) {
        let c = match conn.as_mut() {
            Some(c) => c,
            None => match SqliteConnection::establish(path) {
                Ok(c) => conn.insert(c),
                Err(error) => {
                    tracing::warn!(%error, "change watcher cannot open the database");
                    std::thread::sleep(RECONNECT_DELAY);
                    continue;
                }
            },
        };
        match public_changes::table.find(1_i64).select(public_changes::generation).first::<i64>(c) {
            Ok(generation) => {
                if seen.is_some_and(|v| v != generation) {
                    store.bump_generation();
                }
                seen = Some(generation);
            }
            Err(error) => {
                tracing::warn!(%error, "change watcher lost the database");
                conn = None;
                store.bump_generation();
            }
        }
        std::thread::sleep(POLL_INTERVAL);
    }
}

fn listen(url: &str) -> Result<PgConnection, String> {
    let mut conn = PgConnection::establish(&crate::db::with_connect_timeout(url)).map_err(|e| e.to_string())?;
    diesel::sql_query("LISTEN longform_changes").execute(&mut conn).map_err(|e| e.to_string())?;
    Ok(conn)
}

fn watch_postgres(store: &Store, url: &str, stop: &AtomicBool) {
    let mut conn: Option<PgConnection> = None;
    while !stop.load(Ordering::Acquire) {
        let c = match conn.as_mut() {
            Some(c) => c,
            None => match listen(url) {
                Ok(c) => {
                    // Anything may have changed while we were not listening.
                    store.bump_generation();
                    conn.insert(c)
                }
                Err(error) => {
                    tracing::debug!(%error, "change watcher cannot reach the database");
                    std::thread::sleep(RECONNECT_DELAY);
                    continue;
                }
            },
        };
        let mut changed = false;
        let mut broken = false;
        for notification in c.notifications_iter() {
            match notification {
                Ok(_) => changed = true,
                Err(_) => {
                    broken = true;
                    break;
                }
            }
        }
        if changed {
            store.bump_generation();
        }
        if broken {
            tracing::warn!("change watcher lost the database; reconnecting");
            conn = None;
            continue;
        }
        std::thread::sleep(POLL_INTERVAL);
    }
}
