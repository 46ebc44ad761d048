//! What the public reads changes with few writes: publishing, editing or
//! withdrawing a published post, a change to a tag, category or author, an
//! import or a restore. Such a write adds one to the `public_changes` row in
//! its own transaction; every server on the database watches that row
//! ([`crate::watch`]) and drops its cached reads when it moves. A draft's
//! autosave, a sign-in or a webhook delivery leaves it, and every cache,
//! alone.

use diesel::prelude::*;
use longform_domain::Post;

use crate::db::AnyConnection;
use crate::error::StoreError;
use crate::schema::public_changes;

/// Whether a write may have changed what the public reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reach {
    Public,
    /// Only the editor API can tell: drafts, the trash, revisions.
    Private,
}

impl Reach {
    /// A post write reaches the public when the post was public before it
    /// or is public after it. A draft's new tags and authors are not public
    /// (they have no published post), and counts count published posts only.
    pub(crate) fn of_post(was_public: bool, after: &Post) -> Self {
        if was_public || after.card.is_public() { Self::Public } else { Self::Private }
    }
}

/// Announce a change to what the public reads, in the writer's transaction.
pub(crate) fn advance(conn: &mut AnyConnection) -> Result<(), StoreError> {
    diesel::update(public_changes::table.find(1_i64))
        .set(public_changes::generation.eq(public_changes::generation + 1))
        .execute(conn)?;
    Ok(())
}
