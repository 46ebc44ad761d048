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
    /// The copy holds every secret the database does (the generated JWT
    /// secret, webhook signing secrets, password and token hashes), so it is
    /// created readable by its owner alone before anything is written to it.
    /// PostgreSQL has its own tools for this; asking here is an error that
    /// says so.
    pub async fn backup_to(&self, target: std::path::PathBuf) -> Result<(), StoreError> {
        if matches!(self.database_url(), DatabaseUrl::Postgres(_)) {
            return Err(StoreError::Unsupported(
                "back up PostgreSQL with pg_dump (or your provider's snapshots)".into(),
            ));
        }
        create_private(&target)?;
        let path = target.to_string_lossy().replace('\'', "''");
        let copied = self.read(move |conn| Ok(conn.batch_execute(&format!("VACUUM INTO '{path}'"))?)).await;
        if copied.is_err() {
            // Leave no empty or partial copy behind to be taken for a backup.
            let _ = std::fs::remove_file(&target);
        }
        copied
    }
}

/// Create `target` empty, mode 0600 (`VACUUM INTO` fills an empty file and
/// keeps its mode), refusing one that exists.
fn create_private(target: &std::path::Path) -> Result<(), StoreError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(target) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            Err(StoreError::Unsupported(format!("{} already exists; choose a new file", target.display())))
        }
        Err(e) => Err(StoreError::Unsupported(format!("cannot create {}: {e}", target.display()))),
    }
}
