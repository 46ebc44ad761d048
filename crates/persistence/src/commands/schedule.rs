//! Scheduled publishing, one post per transaction: a post that cannot be
//! published (a failing trigger, a constraint) rolls back alone and never
//! holds up the others.

use diesel::Connection;
use longform_domain::{Move, PostId};

use super::posts::apply_move;
use crate::db::AnyConnection;
use crate::error::StoreError;
use crate::read;

/// What one step of a sweep did.
#[derive(Debug)]
pub(crate) enum Step {
    Published(PostId),
    /// Publishing this post failed; nothing of the attempt remains.
    Failed(PostId, StoreError),
    /// Nothing (else) is due.
    Idle,
}

/// Publish the scheduled post that has been due longest, leaving out
/// `skip`. The attempt runs in a savepoint, so its failure is reported
/// with the post's id and the transaction still commits (releasing the
/// post's lock for another try later).
pub(crate) fn publish_next(conn: &mut AnyConnection, skip: &[PostId]) -> Result<Step, StoreError> {
    let Some(id) = read::schedule::next_due(conn, skip)? else { return Ok(Step::Idle) };
    Ok(match conn.transaction(|c| apply_move(c, id, Move::Publish, None, None)) {
        Ok((_, _)) => Step::Published(id),
        Err(error) => Step::Failed(id, error),
    })
}
