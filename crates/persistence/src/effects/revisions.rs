//! Revisions: each change to a post's content or life cycle keeps its
//! state, numbered per post, so any earlier state can be restored.

use longform_domain::{Post, RevisionMetadata, UserId};
use uuid::Uuid;

use crate::db::AnyConnection;
use crate::error::StoreError;
use crate::rows::to_json;
use crate::sql::{Param, Statement};
use crate::time::{now, to_db};

/// Keep the post's state as its next revision, in one statement (the
/// number is the post's highest plus one; the unique key on (post,
/// number) turns a race into an error, never two revisions with one number).
pub(crate) fn record(conn: &mut AnyConnection, post: &Post, by: Option<UserId>) -> Result<(), StoreError> {
    let metadata = to_json(&RevisionMetadata::of(post))?;
    let mut insert = Statement::new(conn);
    insert.push("INSERT INTO revisions (id, post_id, number, user_id, created_at, title, markdown, metadata) SELECT ");
    insert.bind(Param::Text(Uuid::now_v7().to_string())).push(", ");
    insert.bind(Param::Text(post.card.id.to_string()));
    insert.push(", COALESCE(MAX(number), 0) + 1, ");
    insert.bind(Param::NullableText(by.map(|u| u.to_string()))).push(", ");
    insert.bind(Param::Time(to_db(now()))).push(", ");
    insert.bind(Param::Text(post.card.title.to_string())).push(", ");
    insert.bind(Param::Text(post.body.markdown.clone())).push(", ");
    insert.bind(Param::Text(metadata));
    insert.push(" FROM revisions WHERE post_id = ").bind(Param::Text(post.card.id.to_string()));
    insert.execute(conn)?;
    Ok(())
}
