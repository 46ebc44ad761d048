//! Revisions: each change to a post's content or life cycle keeps its
//! state, numbered per post, so any earlier state can be restored. A
//! writer's edits in quick succession (an editor autosaving every few
//! seconds) fold into one revision instead of making thousands.

use chrono::Duration;
use diesel::prelude::*;
use longform_domain::{Post, RevisionMetadata, UserId};
use uuid::Uuid;

use crate::db::AnyConnection;
use crate::error::StoreError;
use crate::rows::{from_json, to_json};
use crate::schema::revisions;
use crate::sql::{Param, Statement};
use crate::time::{from_db, now, to_db};

/// How long after an edit's revision was made the same writer's next edits
/// still fold into it.
pub(crate) const FOLD_WINDOW: Duration = Duration::minutes(10);

/// Whether a change may go into the post's latest revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Revise {
    /// Always a revision of its own: creation, a life-cycle move, a
    /// restore, an import.
    New,
    /// An edit: folded into the latest revision when that one was made by
    /// an edit of the same writer within [`FOLD_WINDOW`] and the status has
    /// not changed since; else a new revision, which later edits may join.
    Fold,
}

/// Keep the post's state as a revision: folded into the latest one (see
/// [`Revise::Fold`]), or as the next, in one statement (the number is the
/// post's highest plus one; the unique key on (post, number) turns a race
/// into an error, never two revisions with one number).
pub(crate) fn record(
    conn: &mut AnyConnection,
    post: &Post,
    by: Option<UserId>,
    revise: Revise,
) -> Result<(), StoreError> {
    let metadata = to_json(&RevisionMetadata::of(post))?;
    if revise == Revise::Fold
        && let Some(number) = foldable(conn, post, by)?
    {
        diesel::update(
            revisions::table.filter(revisions::post_id.eq(post.card.id)).filter(revisions::number.eq(number)),
        )
        .set((
            revisions::title.eq(post.card.title.to_string()),
            revisions::markdown.eq(&post.body.markdown),
            revisions::metadata.eq(&metadata),
            revisions::updated_at.eq(Some(to_db(now()))),
        ))
        .execute(conn)?;
        return Ok(());
    }
    let at = to_db(now());
    let mut insert = Statement::new(conn);
    insert.push(
        "INSERT INTO revisions (id, post_id, number, user_id, created_at, title, markdown, metadata, updated_at) SELECT ",
    );
    insert.bind(Param::Text(Uuid::now_v7().to_string())).push(", ");
    insert.bind(Param::Text(post.card.id.to_string()));
    insert.push(", COALESCE(MAX(number), 0) + 1, ");
    insert.bind(Param::NullableText(by.map(|u| u.to_string()))).push(", ");
    insert.bind(Param::Time(at)).push(", ");
    insert.bind(Param::Text(post.card.title.to_string())).push(", ");
    insert.bind(Param::Text(post.body.markdown.clone())).push(", ");
    insert.bind(Param::Text(metadata)).push(", ");
    // An edit's revision is marked by its `updated_at`: only those take folds.
    match revise {
        Revise::Fold => insert.bind(Param::Time(at)),
        Revise::New => insert.push("NULL"),
    };
    insert.push(" FROM revisions WHERE post_id = ").bind(Param::Text(post.card.id.to_string()));
    insert.execute(conn)?;
    Ok(())
}

/// A revision as folding looks at it: number, writer, created, last
/// folded into, metadata.
type Latest = (i32, Option<UserId>, chrono::NaiveDateTime, Option<chrono::NaiveDateTime>, String);

/// The number of the post's latest revision when an edit by `by` may fold
/// into it.
fn foldable(conn: &mut AnyConnection, post: &Post, by: Option<UserId>) -> Result<Option<i32>, StoreError> {
    let Some(by) = by else { return Ok(None) };
    let latest: Option<Latest> = revisions::table
        .filter(revisions::post_id.eq(post.card.id))
        .order(revisions::number.desc())
        .select((
            revisions::number,
            revisions::user_id,
            revisions::created_at,
            revisions::updated_at,
            revisions::metadata,
        ))
        .first(conn)
        .optional()?;
    let Some((number, user, created_at, updated_at, metadata)) = latest else { return Ok(None) };
    let metadata: RevisionMetadata = from_json("revision metadata", &metadata)?;
    let fold = updated_at.is_some()
        && user == Some(by)
        && now() - from_db(created_at) < FOLD_WINDOW
        && metadata.status == post.card.status.as_str();
    Ok(fold.then_some(number))
}
