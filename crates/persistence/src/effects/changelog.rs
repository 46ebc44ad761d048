//! The change feed: every create, update, publish, unpublish and delete of
//! a post, in commit order, written in the same transaction as the change.
//! A mirror (a search indexer, a static-site builder) reads it from any
//! sequence number on and ends up with exactly the live posts, deletions
//! included.

use diesel::prelude::*;
use longform_domain::PostCard;

use crate::db::AnyConnection;
use crate::error::StoreError;
use crate::model::ChangeKind;
use crate::schema::changes;
use crate::time::{now, to_db};

/// Record a change to `card` as it now stands. On PostgreSQL the writers of
/// changes take turns (a transaction-scoped advisory lock), so sequence
/// numbers are handed out in commit order and a reader resuming after `seq`
/// can never miss one that commits later with a smaller number. SQLite has
/// one writer.
pub(crate) fn record(conn: &mut AnyConnection, card: &PostCard, kind: ChangeKind) -> Result<(), StoreError> {
    crate::locks::transaction_lock(conn, crate::locks::CHANGES)?;
    diesel::insert_into(changes::table)
        .values((
            changes::post_id.eq(card.id),
            changes::kind.eq(kind.as_str()),
            changes::slug.eq(card.slug.as_str()),
            changes::status.eq(card.status.as_str()),
            changes::at.eq(to_db(now())),
        ))
        .execute(conn)?;
    Ok(())
}
