//! The change feed, read in commit order.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use longform_domain::PostId;

use crate::db::AnyConnection;
use crate::error::StoreError;
use crate::model::Change;
use crate::schema::changes;
use crate::time::from_db;

/// Changes after `since`, oldest first, at most `limit`.
pub(crate) fn since(conn: &mut AnyConnection, since: i64, limit: i64) -> Result<Vec<Change>, StoreError> {
    changes::table
        .filter(changes::seq.gt(since))
        .order(changes::seq)
        .limit(limit)
        .select((changes::seq, changes::post_id, changes::kind, changes::slug, changes::status, changes::at))
        .load::<(i64, PostId, String, String, String, NaiveDateTime)>(conn)?
        .into_iter()
        .map(|(seq, post_id, kind, slug, status, at)| Ok(Change { seq, post_id, kind, slug, status, at: from_db(at) }))
        .collect()
}
