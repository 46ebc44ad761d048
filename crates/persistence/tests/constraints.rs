//! The table of unique keys that names the field of a conflict matches
//! the schema on both backends: every unique key a write can run into is
//! in it, and nothing in it is stale.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::collections::BTreeSet;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use longform_persistence::error::UNIQUE_KEYS;
use longform_persistence::testing::TestStore;
use longform_persistence::{AnyConnection, StoreError};

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Unique {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = BigInt)]
    unique: i64,
}

/// FTS5's shadow tables and the migration bookkeeping are not ours.
fn ours(table: &str) -> bool {
    !["search_index", "search_titles", "sqlite_", "__diesel"].iter().any(|p| table.starts_with(p))
}

#[tokio::test]
async fn every_sqlite_unique_key_names_its_field() {
    let db = TestStore::sqlite().await;
    let keys: BTreeSet<String> = db
        .store
        .with_connection(|conn| {
            let AnyConnection::Sqlite(c) = conn else { unreachable!() };
            let tables: Vec<Name> = diesel::sql_query("SELECT name FROM sqlite_master WHERE type = 'table'").load(c)?;
            let mut keys = BTreeSet::new();
            for table in tables.iter().map(|t| &t.name).filter(|t| ours(t)) {
                let indexes: Vec<Unique> =
                    diesel::sql_query(format!("SELECT name, \"unique\" FROM pragma_index_list('{table}')")).load(c)?;
                for index in indexes.iter().filter(|i| i.unique == 1) {
                    let columns: Vec<Name> =
                        diesel::sql_query(format!("SELECT name FROM pragma_index_info('{}')", index.name)).load(c)?;
                    let columns: Vec<String> = columns.iter().map(|col| format!("{table}.{}", col.name)).collect();
                    keys.insert(columns.join(", "));
                }
            }
            Ok::<_, StoreError>(keys)
        })
        .await
        .unwrap();
    assert!(keys.len() > 10, "{keys:?}");
    for key in &keys {
        assert!(UNIQUE_KEYS.iter().any(|(_, columns, _)| columns == key), "{key} is not in UNIQUE_KEYS");
    }
}

#[tokio::test]
async fn every_postgres_unique_key_names_its_field_and_the_table_has_no_other() {
    let Some(db) = TestStore::postgres().await else { return };
    let names: BTreeSet<String> = db
        .store
        .with_connection(|conn| {
            let sql = "SELECT conname::text AS name FROM pg_constraint \
                       WHERE contype IN ('u', 'p') AND connamespace = 'public'::regnamespace \
                       AND conrelid::regclass::text <> '__diesel_schema_migrations'";
            let rows: Vec<Name> = diesel::sql_query(sql).load(conn)?;
            Ok::<_, StoreError>(rows.into_iter().map(|r| r.name).collect())
        })
        .await
        .unwrap();
    let table: BTreeSet<String> = UNIQUE_KEYS.iter().map(|(name, _, _)| (*name).to_owned()).collect();
    assert_eq!(names, table, "UNIQUE_KEYS lists exactly the schema's unique keys");
}
