//! The locks that make a check-then-write safe when writers race: write
//! transactions that hold SQLite's write lock from their first statement,
//! and PostgreSQL's advisory locks, each on a key of its own listed here.

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use crate::db::AnyConnection;
use crate::error::StoreError;

/// Writers of the change feed take turns: sequence order is commit order.
pub(crate) const CHANGES: i64 = 708_100;
/// One process at a time migrates the schema.
pub(crate) const MIGRATIONS: i64 = 708_101;
/// Writes to accounts take turns: "at least one active admin" is checked
/// against the accounts as the previous writer left them.
pub(crate) const ACCOUNTS: i64 = 708_102;

/// Run `work` in one transaction that commits when it returns `Ok`. On
/// SQLite the transaction is `BEGIN IMMEDIATE`: it takes the database's
/// write lock before its first read, so what it reads stays true until it
/// commits, even against another process (the CLI beside the server),
/// which waits its busy timeout instead of failing to upgrade a read.
pub(crate) fn write_transaction<T, F>(conn: &mut AnyConnection, work: F) -> Result<T, StoreError>
where
    F: FnOnce(&mut AnyConnection) -> Result<T, StoreError>,
{
    match conn {
        AnyConnection::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?,
        AnyConnection::Postgresql(c) => AnsiTransactionManager::begin_transaction(c)?,
    }
    match work(conn) {
        Ok(value) => {
            AnyConnection::commit_transaction(conn)?;
            Ok(value)
        }
        // As Diesel's own `transaction`: a rollback that fails reports itself.
        Err(error) => match AnyConnection::rollback_transaction(conn) {
            Ok(()) | Err(diesel::result::Error::BrokenTransactionManager) => Err(error),
            Err(rollback) => Err(rollback.into()),
        },
    }
}

/// Wait for the transaction-scoped lock `key` (PostgreSQL; released at
/// commit or rollback). SQLite needs none: its write transactions are
/// serialised whole ([`write_transaction`]).
pub(crate) fn transaction_lock(conn: &mut AnyConnection, key: i64) -> Result<(), StoreError> {
    if let AnyConnection::Postgresql(pg) = conn {
        diesel::sql_query("SELECT pg_advisory_xact_lock($1)").bind::<BigInt, _>(key).execute(pg)?;
    }
    Ok(())
}

/// Run `work` holding the session lock `key` on this connection
/// (PostgreSQL), released afterwards however `work` ended.
pub(crate) fn with_session_lock<T, F>(conn: &mut AnyConnection, key: i64, work: F) -> Result<T, StoreError>
where
    F: FnOnce(&mut AnyConnection) -> Result<T, StoreError>,
{
    let AnyConnection::Postgresql(pg) = conn else { return work(conn) };
    diesel::sql_query("SELECT pg_advisory_lock($1)").bind::<BigInt, _>(key).execute(pg)?;
    let result = work(conn);
    let AnyConnection::Postgresql(pg) = conn else { return result };
    let unlocked = diesel::sql_query("SELECT pg_advisory_unlock($1)").bind::<BigInt, _>(key).execute(pg);
    match (result, unlocked) {
        (Ok(value), Ok(_)) => Ok(value),
        (Err(error), _) => Err(error),
        (Ok(_), Err(error)) => Err(error.into()),
    }
}
