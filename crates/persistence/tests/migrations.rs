//! The two migration sets stay in step: same names, same schema (tables,
//! columns, nullability, unique keys), and each goes up, down and up again.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::collections::BTreeSet;
use std::path::Path;

use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use longform_persistence::migrations::{revert_all, run_pending};
use longform_persistence::testing::{TestSqlite, postgres_database};
use longform_persistence::{AnyConnection, Store};

fn migration_names(backend: &str) -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations").join(backend);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn both_backends_have_the_same_migration_names() {
    let sqlite = migration_names("sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, migration_names("postgres"));
    for name in &sqlite {
        for backend in ["sqlite", "postgres"] {
            for file in ["up.sql", "down.sql"] {
                let path =
                    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations").join(backend).join(name).join(file);
                assert!(path.is_file(), "{} is missing", path.display());
            }
        }
    }
}

/// (table, column, nullable) and (table, sorted unique-key columns).
#[derive(Debug, PartialEq, Eq)]
struct Shape {
    columns: BTreeSet<(String, String, bool)>,
    unique_keys: BTreeSet<(String, String)>,
}

impl Shape {
    /// The shape without the full-text search tables, which differ by design
    /// (FTS5 and its shadow tables; a tsvector column), and their names.
    fn without_search(self) -> (Self, Vec<String>) {
        let search = |table: &String| table.starts_with("search_");
        let mut tables: Vec<String> = self.columns.iter().map(|c| c.0.clone()).filter(search).collect();
        tables.dedup();
        let shape = Self {
            columns: self.columns.into_iter().filter(|c| !search(&c.0)).collect(),
            unique_keys: self.unique_keys.into_iter().filter(|k| !search(&k.0)).collect(),
        };
        (shape, tables)
    }
}

#[derive(QueryableByName)]
struct ColumnRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Bool)]
    nullable: bool,
}

#[derive(QueryableByName)]
struct UniqueRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    index_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
}

const SQLITE_COLUMNS: &str = "SELECT m.name AS table_name, p.name AS column_name, \
     (p.\"notnull\" = 0 AND p.pk = 0) AS nullable \
     FROM sqlite_master m JOIN pragma_table_info(m.name) p \
     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '__diesel%'";
/// Unique indexes, plus `INTEGER PRIMARY KEY` columns: SQLite makes those
/// the rowid, unique without any index to list.
const SQLITE_UNIQUE: &str = "SELECT m.name AS table_name, il.name AS index_name, ii.name AS column_name \
     FROM sqlite_master m JOIN pragma_index_list(m.name) il JOIN pragma_index_info(il.name) ii \
     WHERE m.type = 'table' AND il.\"unique\" = 1 AND m.name NOT LIKE '__diesel%' \
     UNION ALL \
     SELECT m.name AS table_name, 'rowid' AS index_name, p.name AS column_name \
     FROM sqlite_master m JOIN pragma_table_info(m.name) p \
     WHERE m.type = 'table' AND p.pk = 1 AND upper(p.type) = 'INTEGER' AND m.name NOT LIKE '__diesel%' \
     AND m.name NOT LIKE 'sqlite_%' \
     AND (SELECT count(*) FROM pragma_table_info(m.name) WHERE pk > 0) = 1";
const PG_COLUMNS: &str = "SELECT table_name::text AS table_name, column_name::text AS column_name, \
     (is_nullable = 'YES') AS nullable FROM information_schema.columns \
     WHERE table_schema = 'public' AND table_name NOT LIKE '__diesel%'";
const PG_UNIQUE: &str = "SELECT t.relname::text AS table_name, i.relname::text AS index_name, a.attname::text AS column_name \
     FROM pg_index x JOIN pg_class t ON t.oid = x.indrelid JOIN pg_class i ON i.oid = x.indexrelid \
     JOIN pg_namespace n ON n.oid = t.relnamespace JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY(x.indkey) \
     WHERE n.nspname = 'public' AND x.indisunique AND t.relname NOT LIKE '__diesel%'";

fn shape(conn: &mut AnyConnection) -> Shape {
    let (columns_sql, unique_sql) = match conn {
        AnyConnection::Sqlite(_) => (SQLITE_COLUMNS, SQLITE_UNIQUE),
        AnyConnection::Postgresql(_) => (PG_COLUMNS, PG_UNIQUE),
    };
    let columns = diesel::sql_query(columns_sql)
        .load::<ColumnRow>(conn)
        .unwrap()
        .into_iter()
        .map(|r| (r.table_name, r.column_name, r.nullable))
        .collect();
    let mut keys = std::collections::BTreeMap::<(String, String), Vec<String>>::new();
    for row in diesel::sql_query(unique_sql).load::<UniqueRow>(conn).unwrap() {
        keys.entry((row.table_name, row.index_name)).or_default().push(row.column_name);
    }
    let unique_keys = keys
        .into_iter()
        .map(|((table, _), mut cols)| {
            cols.sort();
            (table, cols.join(","))
        })
        .collect();
    Shape { columns, unique_keys }
}

async fn migrated_shape(url: &str) -> Shape {
    let store = Store::open(url, &Default::default()).unwrap();
    store.migrate().await.unwrap();
    store.with_connection(|conn| Ok(shape(conn))).await.unwrap()
}

#[tokio::test]
async fn both_backends_build_the_same_schema() {
    let sqlite = TestSqlite::new().unwrap();
    let sqlite_shape = migrated_shape(sqlite.url()).await;
    assert!(sqlite_shape.columns.contains(&("posts".into(), "published_at".into(), true)));
    assert!(sqlite_shape.unique_keys.contains(&("posts".into(), "slug".into())));
    let Some(pg) = postgres_database() else { return };
    let pg_shape = migrated_shape(pg.url()).await;
    let (sqlite_shape, sqlite_search) = sqlite_shape.without_search();
    let (pg_shape, pg_search) = pg_shape.without_search();
    assert_eq!(sqlite_shape.columns, pg_shape.columns);
    assert_eq!(sqlite_shape.unique_keys, pg_shape.unique_keys);
    assert!(sqlite_search.contains(&"search_index".to_owned()), "{sqlite_search:?}");
    assert_eq!(pg_search, ["search_documents"]);
}

async fn up_down_up(url: &str) {
    let store = Store::open(url, &Default::default()).unwrap();
    let applied = store.migrate().await.unwrap();
    assert_eq!(applied.len(), migration_names("sqlite").len());
    let (before, reverted, empty, reapplied, after) = store
        .with_connection(|conn| {
            let before = shape(conn);
            let reverted = revert_all(conn)?;
            let empty = shape(conn);
            let reapplied = run_pending(conn)?;
            Ok((before, reverted, empty, reapplied, shape(conn)))
        })
        .await
        .unwrap();
    assert_eq!(reverted.len(), applied.len());
    assert!(empty.columns.is_empty(), "down leaves tables behind: {:?}", empty.columns);
    assert_eq!(reapplied, applied);
    assert_eq!(before, after);
    assert!(store.migrate().await.unwrap().is_empty(), "a second run applies nothing");
}

#[tokio::test]
async fn sqlite_migrations_go_up_down_and_up_again() {
    let db = TestSqlite::new().unwrap();
    up_down_up(db.url()).await;
}

#[tokio::test]
async fn postgres_migrations_go_up_down_and_up_again() {
    let Some(db) = postgres_database() else { return };
    up_down_up(db.url()).await;
}
