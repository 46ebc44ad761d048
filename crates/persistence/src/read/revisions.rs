//! A post's revisions, newest first.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use longform_domain::{PostId, Revision, Title, UserId};

use crate::db::AnyConnection;
use crate::error::StoreError;
use crate::rows::{from_json, parse_value};
use crate::schema::revisions;
use crate::time::from_db;

#[derive(Queryable, Selectable)]
#[diesel(table_name = revisions, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
struct RevisionRow {
    number: i32,
    user_id: Option<UserId>,
    created_at: NaiveDateTime,
    title: String,
    markdown: String,
    metadata: String,
    updated_at: Option<NaiveDateTime>,
}

impl TryFrom<RevisionRow> for Revision {
    type Error = StoreError;
    fn try_from(row: RevisionRow) -> Result<Self, StoreError> {
        Ok(Revision {
            number: u32::try_from(row.number).unwrap_or(0),
            user_id: row.user_id,
            created_at: from_db(row.created_at),
            updated_at: from_db(row.updated_at.unwrap_or(row.created_at)),
            title: parse_value(Title::parse(&row.title))?,
            markdown: row.markdown,
            metadata: from_json("revision metadata", &row.metadata)?,
        })
    }
}

/// A post's revisions, newest first (none for a post that does not exist).
pub(crate) fn list(conn: &mut AnyConnection, post: PostId) -> Result<Vec<Revision>, StoreError> {
    revisions::table
        .filter(revisions::post_id.eq(post))
        .order(revisions::number.desc())
        .select(RevisionRow::as_select())
        .load(conn)?
        .into_iter()
        .map(Revision::try_from)
        .collect()
}

/// A page of a post's revisions, newest first: at most `limit`, older
/// than number `before` when given, with whether there are older ones.
pub(crate) fn page(
    conn: &mut AnyConnection,
    post: PostId,
    before: Option<u32>,
    limit: u32,
) -> Result<(Vec<Revision>, bool), StoreError> {
    let mut query = revisions::table
        .filter(revisions::post_id.eq(post))
        .order(revisions::number.desc())
        .select(RevisionRow::as_select())
        .limit(i64::from(limit) + 1)
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(revisions::number.lt(i32::try_from(before).unwrap_or(i32::MAX)));
    }
    let mut rows = query.load(conn)?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    Ok((rows.into_iter().map(Revision::try_from).collect::<Result<_, _>>()?, more))
}

/// Revision `number` of a post.
pub(crate) fn get(conn: &mut AnyConnection, post: PostId, number: u32) -> Result<Revision, StoreError> {
    revisions::table
        .filter(revisions::post_id.eq(post))
        .filter(revisions::number.eq(i32::try_from(number).unwrap_or(i32::MAX)))
        .select(RevisionRow::as_select())
        .first(conn)?
        .try_into()
}
