//! The embedded migrations of both backends, run at start. The two folders
//! hold the same migration names (a test checks it and compares the schemas
//! they build).

use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::db::AnyConnection;
use crate::error::StoreError;
use crate::store::Store;

pub const SQLITE: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");
pub const POSTGRES: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");

/// Apply every pending migration; returns the names applied.
pub fn run_pending(conn: &mut AnyConnection) -> Result<Vec<String>, StoreError> {
    let applied = match conn {
        AnyConnection::Sqlite(c) => c.run_pending_migrations(SQLITE),
        AnyConnection::Postgresql(c) => c.run_pending_migrations(POSTGRES),
    }
    .map_err(|e| StoreError::Migration(e.to_string()))?;
    Ok(applied.iter().map(ToString::to_string).collect())
}

/// Revert every applied migration, newest first; returns the names reverted.
pub fn revert_all(conn: &mut AnyConnection) -> Result<Vec<String>, StoreError> {
    let reverted = match conn {
        AnyConnection::Sqlite(c) => c.revert_all_migrations(SQLITE),
        AnyConnection::Postgresql(c) => c.revert_all_migrations(POSTGRES),
    }
    .map_err(|e| StoreError::Migration(e.to_string()))?;
    Ok(reverted.iter().map(ToString::to_string).collect())
}

impl Store {
    /// Bring the schema up to date. Runs on the write connection, outside
    /// a wrapping transaction (each migration has its own).
    pub async fn migrate(&self) -> Result<Vec<String>, StoreError> {
        self.with_write_connection(run_pending).await
    }
}
