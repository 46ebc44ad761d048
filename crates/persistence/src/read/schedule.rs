//! Scheduled posts whose time has come.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use longform_domain::{PostId, PostStatus};

use crate::db::{AnyConnection, MultiBackend};
use crate::error::StoreError;
use crate::schema::posts;
use crate::sql::{Param, Statement};
use crate::time::{now, to_db};

#[derive(QueryableByName)]
struct DueId {
    #[diesel(sql_type = diesel::sql_types::Text)]
    id: String,
}

/// The scheduled post that has been due longest, leaving out `skip` (posts
/// that failed to publish in this sweep). On PostgreSQL it is locked for
/// the transaction, skipping posts another replica is publishing at this
/// moment: every replica sweeps, each post goes live once, and none waits
/// for another.
pub(crate) fn next_due(conn: &mut AnyConnection, skip: &[PostId]) -> Result<Option<PostId>, StoreError> {
    let mut statement = Statement::new(conn);
    statement.push("SELECT id FROM posts WHERE status = 'scheduled' AND deleted_at IS NULL AND published_at <= ");
    statement.bind(Param::Time(to_db(now())));
    for id in skip {
        statement.push(" AND id <> ").bind(Param::Text(id.to_string()));
    }
    statement.push(" ORDER BY published_at, id LIMIT 1");
    if matches!(conn, AnyConnection::Postgresql(_)) {
        statement.push(" FOR UPDATE SKIP LOCKED");
    }
    let found: Vec<DueId> = statement.load(conn)?;
    found.first().map(|d| d.id.parse().map_err(|_| StoreError::Corrupt(format!("bad id {:?}", d.id)))).transpose()
}

fn due(at: NaiveDateTime) -> posts::BoxedQuery<'static, MultiBackend, diesel::sql_types::Text> {
    posts::table
        .filter(posts::status.eq(PostStatus::Scheduled.as_str()))
        .filter(posts::published_at.le(at))
        .filter(posts::deleted_at.is_null())
        .select(posts::id)
        .into_boxed()
}

/// Whether any scheduled post is due now (the sweep's cheap, frequent question).
pub(crate) fn anything_due(conn: &mut AnyConnection) -> Result<bool, StoreError> {
    let first: Option<PostId> = due(to_db(now())).first(conn).optional()?;
    Ok(first.is_some())
}
