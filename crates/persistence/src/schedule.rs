//! Scheduled publishing: posts whose time has come go live without any
//! request arriving. Every server runs the same sweep; on PostgreSQL the
//! due rows are claimed with `FOR UPDATE SKIP LOCKED`, so with several
//! replicas each post is published exactly once. SQLite has one writer.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{Text, Timestamp};
use longform_domain::{Move, PostId, PostStatus};

use crate::db::AnyConnection;
use crate::error::StoreError;
use crate::rows::parse_id;
use crate::schema::posts;
use crate::store::{Probe, Store, now, to_db};

/// Posts published per sweep at most; the next sweep takes the rest.
const BATCH: i64 = 100;

#[derive(QueryableByName)]
struct Due {
    #[diesel(sql_type = Text)]
    id: String,
}

fn due(conn: &mut AnyConnection, at: NaiveDateTime) -> Result<Vec<String>, StoreError> {
    Ok(match conn {
        AnyConnection::Postgresql(pg) => diesel::sql_query(
            "SELECT id FROM posts WHERE status = 'scheduled' AND published_at <= $1 AND deleted_at IS NULL \
             ORDER BY published_at LIMIT $2 FOR UPDATE SKIP LOCKED",
        )
        .bind::<Timestamp, _>(at)
        .bind::<diesel::sql_types::BigInt, _>(BATCH)
        .load::<Due>(pg)?
        .into_iter()
        .map(|d| d.id)
        .collect(),
        AnyConnection::Sqlite(_) => posts::table
            .filter(posts::status.eq(PostStatus::Scheduled.as_str()))
            .filter(posts::published_at.le(at))
            .filter(posts::deleted_at.is_null())
            .order(posts::published_at)
            .limit(BATCH)
            .select(posts::id)
            .load(conn)?,
    })
}

/// Publish every scheduled post whose time has come; returns their ids.
pub fn publish_due(conn: &mut AnyConnection) -> Result<Vec<PostId>, StoreError> {
    let ids = due(conn, to_db(now()))?;
    let mut published = Vec::with_capacity(ids.len());
    for id in ids {
        let id: PostId = parse_id(&id)?;
        crate::posts::apply_move(conn, id, Move::Publish, None, None)?;
        published.push(id);
    }
    Ok(published)
}

impl Store {
    /// One sweep of [`publish_due`], in one transaction.
    pub async fn publish_due(&self) -> Result<Vec<PostId>, StoreError> {
        let published = self.write_unseen(publish_due).await?;
        if !published.is_empty() {
            self.bump_generation();
        }
        Ok(published)
    }
}

/// Runs the sweep for a server: it looks for due posts on a connection of
/// its own (outside the pools, so an idle server's statement count stays
/// still) and publishes through the store only when something is due.
pub struct Scheduler {
    store: Store,
    probe: Probe,
}

fn anything_due(conn: &mut AnyConnection) -> Result<bool, StoreError> {
    let first: Option<String> = posts::table
        .filter(posts::status.eq(PostStatus::Scheduled.as_str()))
        .filter(posts::published_at.le(to_db(now())))
        .filter(posts::deleted_at.is_null())
        .select(posts::id)
        .first(conn)
        .optional()?;
    Ok(first.is_some())
}

impl Scheduler {
    pub fn new(store: Store) -> Self {
        Self { probe: Probe::new(&store), store }
    }

    /// Publish what is due now; the ids published.
    pub async fn sweep(&mut self) -> Result<Vec<PostId>, StoreError> {
        if self.probe.check(anything_due).await? { self.store.publish_due().await } else { Ok(Vec::new()) }
    }
}
