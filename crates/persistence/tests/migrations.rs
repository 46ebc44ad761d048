//! The two migration sets stay in step: same names, same schema (tables,
//! columns with their portable types and nullability, unique keys, foreign
//! keys with their ON DELETE actions), and each goes up, down and up again.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Nullable, Text};
use diesel_migrations::MigrationHarness;
use longform_persistence::migrations::{POSTGRES, SQLITE};
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

/// One column: table, name, portable type family, nullable.
type Column = (String, String, String, bool);
/// One foreign key: table, its columns, the referenced table and columns,
/// the ON DELETE action (column lists comma-joined in key order).
type ForeignKey = (String, String, String, String, String);

#[derive(Debug, PartialEq, Eq)]
struct Shape {
    columns: BTreeSet<Column>,
    /// (table, sorted unique-key columns).
    unique_keys: BTreeSet<(String, String)>,
    foreign_keys: BTreeSet<ForeignKey>,
}

impl Shape {
    /// The shape without the full-text search tables, which differ by design
    /// (FTS5 and its shadow tables; a tsvector column), and their names.
    /// Their foreign keys are kept: both link a post's search row to it.
    fn without_search(self) -> (Self, Vec<String>) {
        let search = |table: &String| table.starts_with("search_");
        let mut tables: Vec<String> = self.columns.iter().map(|c| c.0.clone()).filter(search).collect();
        tables.dedup();
        let shape = Self {
            columns: self.columns.into_iter().filter(|c| !search(&c.0)).collect(),
            unique_keys: self.unique_keys.into_iter().filter(|k| !search(&k.0)).collect(),
            foreign_keys: self.foreign_keys,
        };
        (shape, tables)
    }
}

/// A SQLite declared type as a portable family. An `INTEGER` that is a
/// table's sole primary key is its 64-bit rowid: Diesel's `BigInt`, like
/// PostgreSQL's `BIGINT GENERATED ... AS IDENTITY`.
fn sqlite_family(declared: &str, rowid: bool) -> String {
    let base = declared.split('(').next().unwrap_or_default().trim().to_ascii_uppercase();
    let family = match base.as_str() {
        "INTEGER" if rowid => "bigint",
        "INTEGER" | "INT" => "integer",
        "SMALLINT" => "smallint",
        "BIGINT" => "bigint",
        "TEXT" | "VARCHAR" | "CHAR" | "CLOB" => "text",
        "BOOLEAN" | "BOOL" => "boolean",
        "TIMESTAMP" | "DATETIME" => "timestamp",
        "TIMESTAMPTZ" | "TIMESTAMP WITH TIME ZONE" => "timestamptz",
        "REAL" | "DOUBLE" | "DOUBLE PRECISION" | "FLOAT" => "double",
        "BLOB" => "binary",
        _ => return format!("unknown SQLite type {declared:?}"),
    };
    family.to_owned()
}

/// A PostgreSQL `information_schema.columns.data_type` as a portable family.
fn postgres_family(data_type: &str) -> String {
    let family = match data_type {
        "text" | "character varying" | "character" => "text",
        "integer" => "integer",
        "smallint" => "smallint",
        "bigint" => "bigint",
        "boolean" => "boolean",
        "timestamp without time zone" => "timestamp",
        "timestamp with time zone" => "timestamptz",
        "double precision" | "real" => "double",
        "bytea" => "binary",
        _ => return format!("unknown PostgreSQL type {data_type:?}"),
    };
    family.to_owned()
}

#[test]
fn types_fall_into_the_same_families_on_both_backends() {
    for (sqlite, rowid, postgres) in [
        ("TEXT", false, "text"),
        ("INTEGER", false, "integer"),
        ("INTEGER", true, "bigint"),
        ("BIGINT", false, "bigint"),
        ("BOOLEAN", false, "boolean"),
        ("TIMESTAMP", false, "timestamp without time zone"),
        ("timestamptz", false, "timestamp with time zone"),
        ("VARCHAR(20)", false, "character varying"),
    ] {
        assert_eq!(sqlite_family(sqlite, rowid), postgres_family(postgres), "{sqlite} / {postgres}");
    }
    assert_ne!(sqlite_family("TIMESTAMP", false), postgres_family("timestamp with time zone"));
    assert_ne!(sqlite_family("INTEGER", false), postgres_family("bigint"));
    assert_ne!(sqlite_family("", false), postgres_family("tsvector"), "unknown types never match");
}

#[derive(QueryableByName)]
struct ColumnRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = Bool)]
    rowid: bool,
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

#[derive(QueryableByName)]
struct ForeignKeyRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = BigInt)]
    position: i64,
    #[diesel(sql_type = Text)]
    from_column: String,
    #[diesel(sql_type = Text)]
    to_table: String,
    /// SQLite leaves it empty when the key names no column (the primary key).
    #[diesel(sql_type = Nullable<Text>)]
    to_column: Option<String>,
    #[diesel(sql_type = Text)]
    on_delete: String,
}

const SQLITE_COLUMNS: &str = "SELECT m.name AS table_name, p.name AS column_name, p.type AS data_type, \
     (p.pk > 0 AND (SELECT count(*) FROM pragma_table_info(m.name) WHERE pk > 0) = 1) AS rowid, \
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
const SQLITE_FOREIGN_KEYS: &str = "SELECT m.name AS table_name, CAST(f.id AS TEXT) AS key, f.seq AS position, \
     f.\"from\" AS from_column, f.\"table\" AS to_table, f.\"to\" AS to_column, f.on_delete AS on_delete \
     FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f \
     WHERE m.type = 'table' AND m.name NOT LIKE '__diesel%'";
const PG_COLUMNS: &str = "SELECT table_name::text AS table_name, column_name::text AS column_name, \
     data_type::text AS data_type, false AS rowid, (is_nullable = 'YES') AS nullable \
     FROM information_schema.columns WHERE table_schema = 'public' AND table_name NOT LIKE '__diesel%'";
const PG_UNIQUE: &str = "SELECT t.relname::text AS table_name, i.relname::text AS index_name, a.attname::text AS column_name \
     FROM pg_index x JOIN pg_class t ON t.oid = x.indrelid JOIN pg_class i ON i.oid = x.indexrelid \
     JOIN pg_namespace n ON n.oid = t.relnamespace JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY(x.indkey) \
     WHERE n.nspname = 'public' AND x.indisunique AND t.relname NOT LIKE '__diesel%'";
const PG_FOREIGN_KEYS: &str = "SELECT t.relname::text AS table_name, c.conname::text AS key, k.position, \
     a.attname::text AS from_column, rt.relname::text AS to_table, ra.attname::text AS to_column, \
     CASE c.confdeltype WHEN 'a' THEN 'NO ACTION' WHEN 'r' THEN 'RESTRICT' WHEN 'c' THEN 'CASCADE' \
     WHEN 'n' THEN 'SET NULL' WHEN 'd' THEN 'SET DEFAULT' END AS on_delete \
     FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace \
     JOIN pg_class rt ON rt.oid = c.confrelid \
     CROSS JOIN LATERAL unnest(c.conkey, c.confkey) WITH ORDINALITY AS k(attnum, ref_attnum, position) \
     JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum \
     JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = k.ref_attnum \
     WHERE c.contype = 'f' AND n.nspname = 'public'";

fn shape(conn: &mut AnyConnection) -> Shape {
    let sqlite = matches!(conn, AnyConnection::Sqlite(_));
    let (columns_sql, unique_sql, foreign_sql) = if sqlite {
        (SQLITE_COLUMNS, SQLITE_UNIQUE, SQLITE_FOREIGN_KEYS)
    } else {
        (PG_COLUMNS, PG_UNIQUE, PG_FOREIGN_KEYS)
    };
    let columns = diesel::sql_query(columns_sql)
        .load::<ColumnRow>(conn)
        .unwrap()
        .into_iter()
        .map(|r| {
            let family = if sqlite { sqlite_family(&r.data_type, r.rowid) } else { postgres_family(&r.data_type) };
            (r.table_name, r.column_name, family, r.nullable)
        })
        .collect();
    let mut keys = BTreeMap::<(String, String), Vec<String>>::new();
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
    let foreign_keys = foreign_keys(diesel::sql_query(foreign_sql).load::<ForeignKeyRow>(conn).unwrap());
    Shape { columns, unique_keys, foreign_keys }
}

/// The rows of each key, in key order, as one [`ForeignKey`].
fn foreign_keys(mut rows: Vec<ForeignKeyRow>) -> BTreeSet<ForeignKey> {
    rows.sort_by_key(|r| (r.table_name.clone(), r.key.clone(), r.position));
    let mut keys = BTreeMap::<(String, String), Vec<ForeignKeyRow>>::new();
    for row in rows {
        keys.entry((row.table_name.clone(), row.key.clone())).or_default().push(row);
    }
    keys.into_values()
        .map(|rows| {
            let join = |f: fn(&ForeignKeyRow) -> String| rows.iter().map(f).collect::<Vec<_>>().join(",");
            let from = join(|r| r.from_column.clone());
            let to = join(|r| r.to_column.clone().unwrap_or_else(|| "(primary key)".into()));
            (rows[0].table_name.clone(), from, rows[0].to_table.clone(), to, rows[0].on_delete.clone())
        })
        .collect()
}

/// A connection of the test's own, not the store's pool.
fn connect(url: &str) -> AnyConnection {
    match url.strip_prefix("sqlite://") {
        Some(path) => AnyConnection::Sqlite(SqliteConnection::establish(path).unwrap()),
        None => AnyConnection::Postgresql(PgConnection::establish(url).unwrap()),
    }
}

/// Migrate as the server does, then look at the schema.
async fn migrated_shape(url: &str) -> Shape {
    let store = Store::open(url, &Default::default()).unwrap();
    store.migrate().await.unwrap();
    shape(&mut connect(url))
}

/// Equal sets, or a failure naming only what differs.
fn same<T: Ord + std::fmt::Debug>(what: &str, sqlite: &BTreeSet<T>, postgres: &BTreeSet<T>) {
    let only_sqlite: Vec<&T> = sqlite.difference(postgres).collect();
    let only_postgres: Vec<&T> = postgres.difference(sqlite).collect();
    assert!(
        only_sqlite.is_empty() && only_postgres.is_empty(),
        "{what} differ\n only in SQLite:     {only_sqlite:?}\n only in PostgreSQL: {only_postgres:?}"
    );
}

#[tokio::test]
async fn both_backends_build_the_same_schema() {
    let sqlite = TestSqlite::new().unwrap();
    let sqlite_shape = migrated_shape(sqlite.url()).await;
    let published_at = ("posts".into(), "published_at".into(), "timestamp".into(), true);
    assert!(sqlite_shape.columns.contains(&published_at));
    assert!(sqlite_shape.unique_keys.contains(&("posts".into(), "slug".into())));
    let tags = ("post_tags".into(), "post_id".into(), "posts".into(), "id".into(), "CASCADE".into());
    assert!(sqlite_shape.foreign_keys.contains(&tags), "{:?}", sqlite_shape.foreign_keys);
    let Some(pg) = postgres_database() else { return };
    let pg_shape = migrated_shape(pg.url()).await;
    let (sqlite_shape, sqlite_search) = sqlite_shape.without_search();
    let (pg_shape, pg_search) = pg_shape.without_search();
    same("columns", &sqlite_shape.columns, &pg_shape.columns);
    same("unique keys", &sqlite_shape.unique_keys, &pg_shape.unique_keys);
    same("foreign keys", &sqlite_shape.foreign_keys, &pg_shape.foreign_keys);
    assert!(sqlite_search.contains(&"search_index".to_owned()), "{sqlite_search:?}");
    assert_eq!(pg_search, ["search_documents"]);
}

fn versions(versions: Vec<diesel::migration::MigrationVersion<'_>>) -> Vec<String> {
    versions.iter().map(ToString::to_string).collect()
}

/// Revert every migration with the embedded sets, on the test's connection.
fn revert_all(conn: &mut AnyConnection) -> Vec<String> {
    versions(match conn {
        AnyConnection::Sqlite(c) => c.revert_all_migrations(SQLITE).unwrap(),
        AnyConnection::Postgresql(c) => c.revert_all_migrations(POSTGRES).unwrap(),
    })
}

fn run_pending(conn: &mut AnyConnection) -> Vec<String> {
    versions(match conn {
        AnyConnection::Sqlite(c) => c.run_pending_migrations(SQLITE).unwrap(),
        AnyConnection::Postgresql(c) => c.run_pending_migrations(POSTGRES).unwrap(),
    })
}

async fn up_down_up(url: &str) {
    let store = Store::open(url, &Default::default()).unwrap();
    let applied = store.migrate().await.unwrap();
    assert_eq!(applied.len(), migration_names("sqlite").len());
    let mut conn = connect(url);
    let before = shape(&mut conn);
    assert_eq!(revert_all(&mut conn).len(), applied.len());
    let empty = shape(&mut conn);
    assert!(empty.columns.is_empty(), "down leaves tables behind: {:?}", empty.columns);
    assert_eq!(run_pending(&mut conn), applied);
    assert_eq!(before, shape(&mut conn));
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

/// Replicas started together on an empty PostgreSQL database each migrate
/// at start. They take turns (an advisory lock): all of them start, the
/// first applies every migration and the others find nothing left to do.
/// Without the lock one died in nearly every round ("duplicate key value
/// violates unique constraint pg_type_typname_nsp_index").
#[test]
fn replicas_migrating_one_empty_postgres_database_at_once_all_start() {
    const REPLICAS: usize = 4;
    const ROUNDS: usize = 5;
    for round in 0..ROUNDS {
        let Some(db) = postgres_database() else { return };
        let barrier = std::sync::Barrier::new(REPLICAS);
        let results: Vec<Result<Vec<String>, String>> = std::thread::scope(|scope| {
            let replicas: Vec<_> = (0..REPLICAS)
                .map(|_| {
                    scope.spawn(|| {
                        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                        // Connected before the start line; a failure still meets the others there.
                        let store = Store::open(db.url(), &Default::default());
                        let ready = store.map(|store| runtime.block_on(store.ping()).map(|()| store));
                        barrier.wait();
                        let store = ready.and_then(|ready| ready).map_err(|e| e.to_string())?;
                        runtime.block_on(store.migrate()).map_err(|e| e.to_string())
                    })
                })
                .collect();
            replicas.into_iter().map(|replica| replica.join().unwrap()).collect()
        });
        let failed: Vec<&String> = results.iter().filter_map(|r| r.as_ref().err()).collect();
        assert!(failed.is_empty(), "round {round}: {} of {REPLICAS} replicas failed: {failed:?}", failed.len());
        let mut applied: Vec<usize> = results.iter().flatten().map(Vec::len).collect();
        applied.sort_unstable();
        let mut expected = vec![0; REPLICAS - 1];
        expected.push(migration_names("postgres").len());
        assert_eq!(applied, expected, "round {round}: one replica applies everything, the others nothing");
    }
}
