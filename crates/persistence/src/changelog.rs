//! The change feed: every create, update, publish, unpublish and delete of
//! a post, in commit order, written in the same transaction as the change.
//! A mirror (a search indexer, a static-site builder) reads it from any
//! sequence number on and ends up with exactly the live posts, deletions
//! included.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use longform_domain::{PostId, PostStatus};

use crate::db::AnyConnection;
use crate::error::StoreError;
use crate::rows::parse_id;
use crate::schema::{changes, posts};
use crate::store::{Store, from_db, now, to_db};

/// What happened to a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Created,
    Updated,
    Published,
    Unpublished,
    Scheduled,
    Archived,
    Deleted,
    Restored,
    Purged,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Updated => "updated",
            Self::Published => "published",
            Self::Unpublished => "unpublished",
            Self::Scheduled => "scheduled",
            Self::Archived => "archived",
            Self::Deleted => "deleted",
            Self::Restored => "restored",
            Self::Purged => "purged",
        }
    }

    /// The change a move to `status` is.
    pub fn of_status(status: PostStatus) -> Self {
        match status {
            PostStatus::Draft => Self::Unpublished,
            PostStatus::Scheduled => Self::Scheduled,
            PostStatus::Published => Self::Published,
            PostStatus::Archived => Self::Archived,
        }
    }
}

/// One entry of the feed: the post's state right after the change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub seq: i64,
    pub post_id: PostId,
    pub kind: String,
    pub slug: String,
    pub status: String,
    pub at: DateTime<Utc>,
}

impl Change {
    /// Whether the post is public after this change (a tombstone is not).
    pub fn is_live(&self) -> bool {
        self.status == PostStatus::Published.as_str() && !matches!(self.kind.as_str(), "deleted" | "purged")
    }
}

/// Record a change to `post_id` as it now stands, and announce it to the
/// webhooks that listen, in the same transaction (see [`crate::outbox`]).
/// On PostgreSQL the transaction first takes an advisory lock held until it
/// commits, so changes are numbered in commit order and a reader resuming
/// after `seq` can never miss one that commits later with a smaller number.
pub fn record(conn: &mut AnyConnection, post_id: PostId, kind: ChangeKind) -> Result<(), StoreError> {
    if let AnyConnection::Postgresql(pg) = conn {
        diesel::sql_query("SELECT pg_advisory_xact_lock(708100)").execute(pg)?;
    }
    let row: Option<(String, String)> =
        posts::table.find(post_id.to_string()).select((posts::slug, posts::status)).first(conn).optional()?;
    let (slug, status) = row.unwrap_or_else(|| (String::new(), PostStatus::Draft.as_str().to_owned()));
    diesel::insert_into(changes::table)
        .values((
            changes::post_id.eq(post_id.to_string()),
            changes::kind.eq(kind.as_str()),
            changes::slug.eq(slug),
            changes::status.eq(status),
            changes::at.eq(to_db(now())),
        ))
        .execute(conn)?;
    crate::outbox::post_changed(conn, post_id, kind)
}

/// Like [`record`] for a post about to be deleted for good: its slug and
/// status are read before it goes.
pub fn record_purge(conn: &mut AnyConnection, post_id: PostId) -> Result<(), StoreError> {
    record(conn, post_id, ChangeKind::Purged)
}

/// Changes after `since`, oldest first, at most `limit`.
pub fn since(conn: &mut AnyConnection, since: i64, limit: i64) -> Result<Vec<Change>, StoreError> {
    changes::table
        .filter(changes::seq.gt(since))
        .order(changes::seq)
        .limit(limit)
        .select((changes::seq, changes::post_id, changes::kind, changes::slug, changes::status, changes::at))
        .load::<(i64, String, String, String, String, NaiveDateTime)>(conn)?
        .into_iter()
        .map(|(seq, post_id, kind, slug, status, at)| {
            Ok(Change { seq, post_id: parse_id(&post_id)?, kind, slug, status, at: from_db(at) })
        })
        .collect()
}

impl Store {
    pub async fn changes_since(&self, after: i64, limit: i64) -> Result<Vec<Change>, StoreError> {
        self.read(move |c| since(c, after, limit)).await
    }
}
