//! Keeping the database itself: migrations and backups.

use diesel::Connection;
use diesel::connection::SimpleConnection;

use crate::commands::reindex::rebuild;
use crate::db::DatabaseUrl;
use crate::error::StoreError;
use crate::locks::{MIGRATIONS, with_session_lock};
use crate::migrations::{SEARCH_MIGRATION, run_pending};
use crate::store::Store;

impl Store {
    /// Bring the schema up to date. Runs on the write connection, outside
    /// a wrapping transaction (each migration has its own). Applying the
    /// search migration indexes the posts already published. On PostgreSQL
    /// one process migrates at a time (replicas starting together would
    /// otherwise create the same tables at once, and one would fail); the
    /// others wait, then find nothing left to do.
    pub async fn migrate(&self) -> Result<Vec<String>, StoreError> {
        self.with_write_connection(|conn| {
            with_session_lock(conn, MIGRATIONS, |conn| {
                let applied = run_pending(conn)?;
                if applied.iter().any(|version| version == SEARCH_MIGRATION) {
                    let indexed = conn.transaction(rebuild)?;
                    tracing::info!(posts = indexed, "search index built");
                }
                Ok(applied)
            })
        })
        .await
    }

    /// A consistent online copy of a SQLite database at `target` (`VACUUM
    /// INTO`: a snapshot read while writers go on), which must not exist yet.
    /// PostgreSQL has its own tools for this; asking here is an error that
    /// says so.
    pub async fn backup_to(&self, target: std::path::PathBuf) -> Result<(), StoreError> {
        if matches!(self.database_url(), DatabaseUrl::Postgres(_)) {
            return Err(StoreError::Unsupported(
                "back up PostgreSQL with pg_dump (or your provider's snapshots)".into(),
            ));
        }
        if target.exists() {
            return Err(StoreError::Unsupported(format!("{} already exists; choose a new file", target.display())));
        }
        let path = target.to_string_lossy().replace('\'', "''");
        self.read(move |conn| Ok(conn.batch_execute(&format!("VACUUM INTO '{path}'"))?)).await
    }
}
