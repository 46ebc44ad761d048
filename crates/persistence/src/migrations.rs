//! The embedded migrations of both backends, run at start. The two folders
//! hold the same migration names (a test checks it and compares the schemas
//! they build).

use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::db::AnyConnection;
use crate::error::StoreError;

pub const SQLITE: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");
pub const POSTGRES: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");

/// The version of `*_search`, the migration that creates the search index:
/// applying it to a database with posts indexes them.
pub const SEARCH_MIGRATION: &str = "20261125000005";

/// Apply every pending migration; returns the names applied.
pub(crate) fn run_pending(conn: &mut AnyConnection) -> Result<Vec<String>, StoreError> {
    let applied = match conn {
        AnyConnection::Sqlite(c) => c.run_pending_migrations(SQLITE),
        AnyConnection::Postgresql(c) => c.run_pending_migrations(POSTGRES),
    }
    .map_err(|e| StoreError::Migration(e.to_string()))?;
    Ok(applied.iter().map(ToString::to_string).collect())
}

/// Revert migrations newest first, through `version`; returns the
/// versions reverted. For tests of what a migration
/// does to a database that already has data.
#[cfg(feature = "testing")]
fn revert_through(conn: &mut AnyConnection, version: &str) -> Result<Vec<String>, StoreError> {
    let mut reverted = Vec::new();
    loop {
        let name = match conn {
            AnyConnection::Sqlite(c) => c.revert_last_migration(SQLITE),
            AnyConnection::Postgresql(c) => c.revert_last_migration(POSTGRES),
        }
        .map_err(|e| StoreError::Migration(e.to_string()))?
        .to_string();
        let done = name == version;
        reverted.push(name);
        if done {
            return Ok(reverted);
        }
    }
}

#[cfg(feature = "testing")]
impl crate::store::Store {
    pub async fn revert_migrations_through(&self, version: &'static str) -> Result<Vec<String>, StoreError> {
        self.with_write_connection(move |c| revert_through(c, version)).await
    }
}
