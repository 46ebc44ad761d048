//! Rebuilding search entries whose text changed without their post
//! changing (a renamed or deleted tag), and the whole index when the
//! search migration meets a database that already has posts.

use diesel::prelude::*;
use longform_domain::{PostId, PostStatus};

use crate::db::AnyConnection;
use crate::effects::search;
use crate::error::StoreError;
use crate::read;
use crate::schema::posts;

/// Bring each post's search entry in line with it (each loaded once).
pub(crate) fn reindex(conn: &mut AnyConnection, ids: &[PostId]) -> Result<(), StoreError> {
    for id in ids {
        let post = read::posts::get(conn, *id)?;
        search::refresh(conn, &post)?;
    }
    Ok(())
}

/// Index every published post from scratch; returns how many.
pub(crate) fn rebuild(conn: &mut AnyConnection) -> Result<usize, StoreError> {
    let ids: Vec<PostId> = posts::table
        .filter(posts::status.eq(PostStatus::Published.as_str()))
        .filter(posts::deleted_at.is_null())
        .select(posts::id)
        .load(conn)?;
    reindex(conn, &ids)?;
    Ok(ids.len())
}
