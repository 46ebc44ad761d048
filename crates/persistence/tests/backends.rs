//! What each backend must do beyond running queries: index-only listings,
//! SQLite's pragmas, errors as values, and a PostgreSQL pool that survives a
//! server restart.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::time::{Duration, Instant};

use diesel::prelude::*;
use diesel::sql_types::Text;
use longform_domain::{Email, Markdown, Move, PostDraft, PostStatus, SearchQuery, Slug, Title};
use longform_persistence::testing::{TestSqlite, TestStore, postgres_cluster};
use longform_persistence::{
    AnyConnection, Backend, ListingFilter, Missing, PoolOptions, SearchFilter, Store, StoreError,
};

async fn seed(store: &Store, n: usize) {
    for i in 0..n {
        let mut draft = PostDraft::new(Title::parse(&format!("Post {i}")).unwrap(), Markdown::parse("Words.").unwrap());
        draft.tags = vec![Slug::parse("ebpf").unwrap()];
        let post = store.posts().create(draft, Missing::Create, None).await.unwrap();
        store.posts().apply_move(post.card.id, Move::Publish, None, None).await.unwrap();
    }
}

/// The shape of every listing query: one index range of post_listings,
/// joined to posts by primary key, keyset-paginated.
const LISTING: &str = "SELECT p.id, p.title FROM post_listings l JOIN posts p ON p.id = l.post_id \
     WHERE l.kind = 'tag' AND l.key = 'k' AND p.status = 'published' \
     AND (l.published_at < '2030-01-01 00:00:00' OR (l.published_at = '2030-01-01 00:00:00' AND l.post_id < 'z')) \
     ORDER BY l.published_at DESC, l.post_id DESC LIMIT 20";

#[derive(QueryableByName)]
struct SqlitePlan {
    #[diesel(sql_type = Text)]
    detail: String,
}

#[derive(QueryableByName)]
struct PgPlan {
    #[diesel(sql_type = Text, column_name = "QUERY PLAN")]
    line: String,
}

fn plan(conn: &mut AnyConnection) -> String {
    match conn {
        AnyConnection::Sqlite(c) => diesel::sql_query(format!("EXPLAIN QUERY PLAN {LISTING}"))
            .load::<SqlitePlan>(c)
            .unwrap()
            .into_iter()
            .map(|r| r.detail)
            .collect::<Vec<_>>()
            .join("\n"),
        AnyConnection::Postgresql(c) => {
            // Tiny test tables would make a sequential scan cheapest; what
            // matters is that the index can serve the query without a sort.
            diesel::sql_query("SET enable_seqscan = off").execute(c).unwrap();
            diesel::sql_query(format!("EXPLAIN {LISTING}"))
                .load::<PgPlan>(c)
                .unwrap()
                .into_iter()
                .map(|r| r.line)
                .collect::<Vec<_>>()
                .join("\n")
        }
    }
}

async fn listings_walk_an_index_without_sorting(store: &Store) {
    seed(store, 30).await;
    let plan = store.with_connection(|conn| Ok(plan(conn))).await.unwrap();
    assert!(plan.contains("post_listings_order_idx"), "{plan}");
    match store.backend() {
        Backend::Sqlite => assert!(!plan.contains("TEMP B-TREE"), "{plan}"),
        Backend::Postgres => assert!(!plan.contains("Sort"), "{plan}"),
    }
}

#[tokio::test]
async fn sqlite_listings_walk_an_index_without_sorting() {
    let db = TestStore::sqlite().await;
    listings_walk_an_index_without_sorting(&db.store).await;
}

#[tokio::test]
async fn postgres_listings_walk_an_index_without_sorting() {
    let Some(db) = TestStore::postgres().await else { return };
    listings_walk_an_index_without_sorting(&db.store).await;
}

/// A query against a database without the schema fails loudly instead of
/// reading as "no such user" (the bug that locked every user out of a
/// server moved to PostgreSQL elsewhere).
async fn unmigrated_lookup_is_an_error(url: &str) {
    let store = Store::open(url, &PoolOptions::default()).unwrap();
    let result = store.users().find_by_email(Email::parse("jane@example.com").unwrap()).await;
    assert!(matches!(result, Err(StoreError::Database(_))), "{result:?}");
}

#[tokio::test]
async fn sqlite_database_errors_are_values_not_absence() {
    let db = TestSqlite::new().unwrap();
    unmigrated_lookup_is_an_error(db.url()).await;
}

#[tokio::test]
async fn postgres_database_errors_are_values_not_absence() {
    let Some(db) = longform_persistence::testing::postgres_database() else { return };
    unmigrated_lookup_is_an_error(db.url()).await;
}

#[derive(QueryableByName)]
struct Pragma {
    #[diesel(sql_type = Text)]
    value: String,
}

#[tokio::test]
async fn sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout() {
    let db = TestStore::sqlite().await;
    let values = db
        .store
        .with_connection(|conn| {
            let AnyConnection::Sqlite(c) = conn else { unreachable!() };
            let mut out = Vec::new();
            for (pragma, column) in
                [("journal_mode", "journal_mode"), ("foreign_keys", "foreign_keys"), ("busy_timeout", "timeout")]
            {
                let sql = format!("SELECT CAST({column} AS TEXT) AS value FROM pragma_{pragma}");
                out.push(diesel::sql_query(sql).get_result::<Pragma>(c)?.value);
            }
            Ok(out)
        })
        .await
        .unwrap();
    assert_eq!(values, ["wal", "1", "5000"]);
}

#[tokio::test]
async fn unknown_url_schemes_are_refused() {
    for url in ["mysql://localhost/db", "postgress://localhost/db", "data/longform.db"] {
        match Store::open(url, &PoolOptions::default()) {
            Err(StoreError::InvalidUrl(message)) => assert!(message.contains("sqlite://"), "{message}"),
            Err(other) => panic!("{url}: unexpected error {other}"),
            Ok(_) => panic!("{url}: accepted"),
        }
    }
}

/// Ping until the store answers; the last error after `limit`.
async fn ping_within(store: &Store, limit: Duration) -> Result<(), StoreError> {
    let deadline = Instant::now() + limit;
    loop {
        let last = store.ping().await;
        if last.is_ok() || Instant::now() > deadline {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_pool_recovers_after_the_server_restarts() {
    let Some(cluster) = postgres_cluster() else { return };
    let options = PoolOptions { max_connections: 4, acquire_timeout: Duration::from_secs(1) };
    let store = Store::open(&cluster.url("postgres"), &options).unwrap();
    store.migrate().await.unwrap();
    store.ping().await.unwrap();

    cluster.stop().unwrap();
    let down = store.ping().await;
    assert!(matches!(down, Err(StoreError::Unavailable(_) | StoreError::Database(_))), "{down:?}");

    cluster.restart().unwrap();
    ping_within(&store, Duration::from_secs(30)).await.expect("the pool reconnects without a restart of its own");
    assert!(store.users().list().await.unwrap().is_empty());
}

const WRITERS: usize = 4;
const WRITES: usize = 10;

/// Writer `w` creates and publishes `W{w} P0`, `W{w} P1`, ... in order: two
/// commits per post, the next post only after the previous one's publish.
async fn write_in_order(store: &Store, w: usize) {
    for i in 0..WRITES {
        let title = Title::parse(&format!("W{w} P{i}")).unwrap();
        let draft = PostDraft::new(title, Markdown::parse("Words.").unwrap());
        let post = store.posts().create(draft, Missing::Create, None).await.unwrap();
        store.posts().apply_move(post.card.id, Move::Publish, None, None).await.unwrap();
    }
}

/// Writer `w`'s posts as the copy has them, in the order they were written.
async fn writes_in(copy: &Store, w: usize) -> Vec<Option<PostStatus>> {
    let mut states = Vec::new();
    for i in 0..WRITES {
        let found = copy.posts().find_by_slug(Slug::parse(&format!("w{w}-p{i}")).unwrap()).await.unwrap();
        states.push(found.map(|post| post.card.status));
    }
    states
}

/// Every published post the listing index walks to, page by page.
async fn listed(store: &Store) -> usize {
    let (mut listed, mut after) = (0, None);
    loop {
        let page = store.posts().list_published(ListingFilter::default(), after, 100).await.unwrap();
        listed += page.cards.len();
        match page.next {
            Some(next) => after = Some(next),
            None => return listed,
        }
    }
}

/// A backup taken while writers go on is one moment of the database: it
/// holds every post committed before it started; of each writer's later
/// posts, a prefix in the order written (all published but perhaps the
/// last, which may still be a draft), never a later post without an earlier
/// one; and the listing index, its count row and the search index, written
/// in the same transactions as the posts, agree with the posts table.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_backup_during_concurrent_writes_is_a_consistent_snapshot() {
    let db = TestStore::sqlite().await;
    seed(&db.store, 20).await;
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let store = db.store.clone();
            tokio::spawn(async move { write_in_order(&store, w).await })
        })
        .collect();
    // Start the backup in the middle of the writes, not before them.
    let deadline = Instant::now() + Duration::from_secs(60);
    while db.store.posts().count_published(ListingFilter::default()).await.unwrap() == 20 {
        assert!(Instant::now() < deadline, "no writer committed within a minute");
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let committed = db.store.posts().count_published(ListingFilter::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("backup.db");
    db.store.backup_to(target.clone()).await.unwrap();
    for writer in writers {
        writer.await.unwrap();
    }

    let copy = Store::open(&format!("sqlite://{}", target.display()), &PoolOptions::default()).unwrap();
    let mut published = 0;
    for i in 0..20 {
        let post = copy.posts().find_by_slug(Slug::parse(&format!("post-{i}")).unwrap()).await.unwrap();
        assert_eq!(post.map(|p| p.card.status), Some(PostStatus::Published), "post-{i}, committed before");
        published += 1;
    }
    for w in 0..WRITERS {
        let states = writes_in(&copy, w).await;
        let present = states.iter().take_while(|s| s.is_some()).count();
        assert!(states[present..].iter().all(Option::is_none), "writer {w}: not a prefix of its writes: {states:?}");
        let before_last = &states[..present.saturating_sub(1)];
        assert!(before_last.iter().all(|s| *s == Some(PostStatus::Published)), "writer {w}: {states:?}");
        published += states.iter().filter(|s| **s == Some(PostStatus::Published)).count();
    }
    assert!(published as i64 >= committed, "{published} published in the copy, {committed} before the backup");
    assert_eq!(copy.posts().count_published(ListingFilter::default()).await.unwrap(), published as i64, "count row");
    assert_eq!(listed(&copy).await, published, "the listing index");
    let words = SearchQuery::parse("words").unwrap();
    let hits = copy.posts().search(words, SearchFilter::default(), None, 100).await.unwrap().hits.len();
    assert_eq!(hits, published, "the search index");

    let mut conn = SqliteConnection::establish(target.to_str().unwrap()).unwrap();
    let check = diesel::sql_query("PRAGMA integrity_check").get_result::<Check>(&mut conn).unwrap();
    assert_eq!(check.integrity_check, "ok");
    assert!(matches!(db.store.backup_to(target).await, Err(StoreError::Unsupported(_))), "never overwrites");
}

#[derive(QueryableByName)]
struct Check {
    #[diesel(sql_type = Text)]
    integrity_check: String,
}

#[tokio::test]
async fn postgres_backup_points_to_pg_dump() {
    let store = Store::open("postgres://nobody@127.0.0.1:1/none", &PoolOptions::default()).unwrap();
    match store.backup_to("/tmp/never-written.db".into()).await {
        Err(StoreError::Unsupported(message)) => assert!(message.contains("pg_dump"), "{message}"),
        other => panic!("expected an answer naming pg_dump, got {other:?}"),
    }
}
