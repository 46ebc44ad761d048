//! Effects: everything a change to a post touches besides the post's own
//! row, run in the change's transaction by [`post_changed`]. Each effect
//! takes the post as the command loaded and changed it, and never reads a
//! post itself; a new write path calls `post_changed` and cannot forget one.

pub(crate) mod changelog;
pub(crate) mod listing;
pub(crate) mod outbox;
pub(crate) mod public;
pub(crate) mod revisions;
pub(crate) mod search;

use longform_domain::{Post, UserId};

use crate::db::AnyConnection;
use crate::error::StoreError;
use crate::model::ChangeKind;

/// Bring everything derived from `post` in line with it after a change of
/// `kind` by `by`: its listings and their counts, its search entry, a
/// revision (for changes to its content or life cycle, not the trash), the
/// change feed, and the webhook events. `post` is the post as it now
/// stands; for `Purged`, as it stood just before it went.
pub(crate) fn post_changed(
    conn: &mut AnyConnection,
    post: &Post,
    kind: ChangeKind,
    by: Option<UserId>,
) -> Result<(), StoreError> {
    changed(conn, post, kind, by, revisions::Revise::New)
}

/// [`post_changed`] for an edit of the post's fields (`Updated`), whose
/// revision may fold into the writer's latest ([`revisions::Revise::Fold`]).
pub(crate) fn post_edited(conn: &mut AnyConnection, post: &Post, by: Option<UserId>) -> Result<(), StoreError> {
    changed(conn, post, ChangeKind::Updated, by, revisions::Revise::Fold)
}

fn changed(
    conn: &mut AnyConnection,
    post: &Post,
    kind: ChangeKind,
    by: Option<UserId>,
    revise: revisions::Revise,
) -> Result<(), StoreError> {
    listing::refresh(conn, &post.card)?;
    search::refresh(conn, post)?;
    if !matches!(kind, ChangeKind::Deleted | ChangeKind::Restored | ChangeKind::Purged) {
        revisions::record(conn, post, by, revise)?;
    }
    changelog::record(conn, &post.card, kind)?;
    outbox::post_changed(conn, post, kind)
}

/// Rebuild what is derived from `post` alone (its listings and search
/// entry), for a post that was not changed but restored from a backup.
pub(crate) fn post_indexed(conn: &mut AnyConnection, post: &Post) -> Result<(), StoreError> {
    listing::refresh(conn, &post.card)?;
    search::refresh(conn, post)
}
