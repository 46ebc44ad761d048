//! The editor's side of posts: revisions, the trash, and the admin listing
//! of every post whatever its status.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use longform_domain::{Post, PostCard, PostId, PostStatus, Revision, RevisionMetadata, Slug, Title, UserId};
use uuid::Uuid;

use crate::db::AnyConnection;
use crate::error::StoreError;
use crate::listing::refresh_listings;
use crate::posts::{CardRow, cards, check_version, current_version, get, update};
use crate::rows::{parse_id, parse_value};
use crate::schema::{idempotency_keys, post_authors, post_tags, posts, revisions};
use crate::store::{Store, from_db, now, to_db};
use crate::taxonomy::{Missing, author_repo, category_repo, tag_repo};

/// Keep the post's current state as its next revision.
pub fn record_revision(conn: &mut AnyConnection, post: &Post, by: Option<UserId>) -> Result<u32, StoreError> {
    let key = post.card.id.to_string();
    let last: Option<i32> =
        revisions::table.filter(revisions::post_id.eq(&key)).select(diesel::dsl::max(revisions::number)).first(conn)?;
    let number = last.unwrap_or(0) + 1;
    let metadata =
        serde_json::to_string(&RevisionMetadata::of(post)).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    diesel::insert_into(revisions::table)
        .values((
            revisions::id.eq(Uuid::now_v7().to_string()),
            revisions::post_id.eq(&key),
            revisions::number.eq(number),
            revisions::user_id.eq(by.map(|u| u.to_string())),
            revisions::created_at.eq(to_db(now())),
            revisions::title.eq(post.card.title.as_str()),
            revisions::markdown.eq(&post.body.markdown),
            revisions::metadata.eq(metadata),
        ))
        .execute(conn)?;
    Ok(u32::try_from(number).unwrap_or(0))
}

type RevisionRow = (i32, Option<String>, NaiveDateTime, String, String, String);
const REVISION_COLUMNS: (
    revisions::number,
    revisions::user_id,
    revisions::created_at,
    revisions::title,
    revisions::markdown,
    revisions::metadata,
) = (
    revisions::number,
    revisions::user_id,
    revisions::created_at,
    revisions::title,
    revisions::markdown,
    revisions::metadata,
);

fn revision_from_row(row: RevisionRow) -> Result<Revision, StoreError> {
    Ok(Revision {
        number: u32::try_from(row.0).unwrap_or(0),
        user_id: row.1.as_deref().map(parse_id).transpose()?,
        created_at: from_db(row.2),
        title: parse_value(Title::parse(&row.3))?,
        markdown: row.4,
        metadata: serde_json::from_str(&row.5).map_err(|e| StoreError::Corrupt(format!("revision metadata: {e}")))?,
    })
}

/// A post's revisions, newest first; `NotFound` when the post does not exist.
pub fn list_revisions(conn: &mut AnyConnection, id: PostId) -> Result<Vec<Revision>, StoreError> {
    current_version(conn, &id.to_string())?;
    revisions::table
        .filter(revisions::post_id.eq(id.to_string()))
        .order(revisions::number.desc())
        .select(REVISION_COLUMNS)
        .load::<RevisionRow>(conn)?
        .into_iter()
        .map(revision_from_row)
        .collect()
}

/// Put revision `number`'s content back (as a new change with its own revision).
pub fn restore_revision(
    conn: &mut AnyConnection,
    id: PostId,
    number: u32,
    expected_version: Option<i64>,
    missing: Missing,
    by: Option<UserId>,
) -> Result<Post, StoreError> {
    let row: RevisionRow = revisions::table
        .filter(revisions::post_id.eq(id.to_string()))
        .filter(revisions::number.eq(i32::try_from(number).unwrap_or(i32::MAX)))
        .select(REVISION_COLUMNS)
        .first(conn)?;
    let draft = revision_from_row(row)?.to_draft().map_err(|e| StoreError::Domain(e.into()))?;
    update(conn, id, draft, expected_version, missing, by)
}

/// Move a post to the trash: gone from every listing and public page, kept
/// for an admin to restore or purge.
pub fn trash(conn: &mut AnyConnection, id: PostId, expected_version: Option<i64>) -> Result<(), StoreError> {
    let key = id.to_string();
    let version = current_version(conn, &key)?;
    check_version(version, expected_version)?;
    diesel::update(posts::table.find(&key).filter(posts::version.eq(version)))
        .set((posts::deleted_at.eq(to_db(now())), posts::version.eq(version + 1), posts::updated_at.eq(to_db(now()))))
        .execute(conn)?;
    refresh_listings(conn, id)?;
    crate::changelog::record(conn, id, crate::changelog::ChangeKind::Deleted)
}

/// Take a post out of the trash, as it was.
pub fn restore(conn: &mut AnyConnection, id: PostId) -> Result<Post, StoreError> {
    let key = id.to_string();
    let changed = diesel::update(posts::table.find(&key).filter(posts::deleted_at.is_not_null()))
        .set((posts::deleted_at.eq(None::<NaiveDateTime>), posts::version.eq(posts::version + 1)))
        .execute(conn)?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    refresh_listings(conn, id)?;
    crate::changelog::record(conn, id, crate::changelog::ChangeKind::Restored)?;
    get(conn, id)
}

/// Delete a trashed post for good (its revisions go with it).
pub fn purge(conn: &mut AnyConnection, id: PostId) -> Result<(), StoreError> {
    crate::changelog::record_purge(conn, id)?;
    let deleted =
        diesel::delete(posts::table.find(id.to_string()).filter(posts::deleted_at.is_not_null())).execute(conn)?;
    if deleted == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

/// Which posts the editor's list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AdminFilter {
    pub status: Option<PostStatus>,
    pub tag: Option<Slug>,
    pub category: Option<Slug>,
    pub author: Option<Slug>,
    pub featured: Option<bool>,
    /// The trash instead of live posts.
    pub trashed: bool,
}

/// Where an admin page starts: after the post created at this time with this id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CreatedKeyset {
    pub created_at: DateTime<Utc>,
    pub id: PostId,
}

/// Every post matching `filter`, newest created first, keyset-paginated.
pub fn list_admin(
    conn: &mut AnyConnection,
    filter: &AdminFilter,
    after: Option<CreatedKeyset>,
    limit: u32,
) -> Result<(Vec<PostCard>, Option<CreatedKeyset>), StoreError> {
    let limit = limit.clamp(1, crate::MAX_PAGE_SIZE);
    let mut query = posts::table.select(CardRow::as_select()).into_boxed();
    query = if filter.trashed {
        query.filter(posts::deleted_at.is_not_null())
    } else {
        query.filter(posts::deleted_at.is_null())
    };
    if let Some(status) = filter.status {
        query = query.filter(posts::status.eq(status.as_str()));
    }
    if let Some(featured) = filter.featured {
        query = query.filter(posts::featured.eq(featured));
    }
    if let Some(slug) = &filter.tag {
        let id = tag_repo::find_by_slug(conn, slug)?.map(|t| t.id.to_string()).unwrap_or_default();
        query = query
            .filter(posts::id.eq_any(post_tags::table.filter(post_tags::tag_id.eq(id)).select(post_tags::post_id)));
    }
    if let Some(slug) = &filter.author {
        let id = author_repo::find_by_slug(conn, slug)?.map(|a| a.id.to_string()).unwrap_or_default();
        query = query.filter(
            posts::id.eq_any(post_authors::table.filter(post_authors::author_id.eq(id)).select(post_authors::post_id)),
        );
    }
    if let Some(slug) = &filter.category {
        let id = category_repo::find_by_slug(conn, slug)?.map(|c| c.id.to_string()).unwrap_or_default();
        query = query.filter(posts::category_id.eq(id));
    }
    if let Some(cursor) = after {
        let (at, id) = (to_db(cursor.created_at), cursor.id.to_string());
        query = query.filter(posts::created_at.lt(at).or(posts::created_at.eq(at).and(posts::id.lt(id))));
    }
    let mut rows: Vec<CardRow> =
        query.order((posts::created_at.desc(), posts::id.desc())).limit(i64::from(limit) + 1).load(conn)?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let cards = cards(conn, rows)?;
    let next = if more { cards.last().map(|c| CreatedKeyset { created_at: c.created_at, id: c.id }) } else { None };
    Ok((cards, next))
}

/// Create a post once per (`principal`, `key`): a retry with the same key
/// and the same request gets the first post back (`true`: replayed); the
/// same key with a different request is a conflict on `Idempotency-Key`.
pub fn create_once(
    conn: &mut AnyConnection,
    principal: &str,
    key: &str,
    request_hash: &str,
    draft: longform_domain::PostDraft,
    missing: Missing,
    owner: Option<UserId>,
) -> Result<(Post, bool), StoreError> {
    let stored: Option<(String, String)> = idempotency_keys::table
        .find((principal, key))
        .select((idempotency_keys::request_hash, idempotency_keys::body))
        .first(conn)
        .optional()?;
    if let Some((hash, post_id)) = stored {
        if hash != request_hash {
            return Err(StoreError::Conflict { field: "Idempotency-Key".into() });
        }
        return Ok((get(conn, parse_id(&post_id)?)?, true));
    }
    let post = crate::posts::create(conn, draft, missing, owner)?;
    diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::owner.eq(principal),
            idempotency_keys::key.eq(key),
            idempotency_keys::request_hash.eq(request_hash),
            idempotency_keys::status.eq(201),
            idempotency_keys::body.eq(post.card.id.to_string()),
            idempotency_keys::created_at.eq(to_db(now())),
        ))
        .execute(conn)?;
    Ok((post, false))
}

/// The async repository.
pub struct Editorial<'a>(&'a Store);

impl Store {
    pub fn editorial(&self) -> Editorial<'_> {
        Editorial(self)
    }
}

impl Editorial<'_> {
    pub async fn create(
        &self,
        draft: longform_domain::PostDraft,
        missing: Missing,
        owner: Option<UserId>,
    ) -> Result<Post, StoreError> {
        self.0.write(move |c| crate::posts::create(c, draft, missing, owner)).await
    }

    pub async fn update(
        &self,
        id: PostId,
        draft: longform_domain::PostDraft,
        expected_version: Option<i64>,
        missing: Missing,
        by: Option<UserId>,
    ) -> Result<Post, StoreError> {
        self.0.write(move |c| update(c, id, draft, expected_version, missing, by)).await
    }

    pub async fn apply_move(
        &self,
        id: PostId,
        action: longform_domain::Move,
        expected_version: Option<i64>,
        by: Option<UserId>,
    ) -> Result<Post, StoreError> {
        self.0.write(move |c| crate::posts::apply_move(c, id, action, expected_version, by)).await
    }

    pub async fn create_once(
        &self,
        principal: String,
        key: String,
        request_hash: String,
        draft: longform_domain::PostDraft,
        missing: Missing,
        owner: Option<UserId>,
    ) -> Result<(Post, bool), StoreError> {
        self.0.write(move |c| create_once(c, &principal, &key, &request_hash, draft, missing, owner)).await
    }

    /// The post whatever its status, trash included.
    pub async fn get(&self, id: PostId) -> Result<Post, StoreError> {
        self.0.read(move |c| get(c, id)).await
    }

    pub async fn list(
        &self,
        filter: AdminFilter,
        after: Option<CreatedKeyset>,
        limit: u32,
    ) -> Result<(Vec<PostCard>, Option<CreatedKeyset>), StoreError> {
        self.0.read(move |c| list_admin(c, &filter, after, limit)).await
    }

    pub async fn revisions(&self, id: PostId) -> Result<Vec<Revision>, StoreError> {
        self.0.read(move |c| list_revisions(c, id)).await
    }

    pub async fn restore_revision(
        &self,
        id: PostId,
        number: u32,
        expected_version: Option<i64>,
        missing: Missing,
        by: Option<UserId>,
    ) -> Result<Post, StoreError> {
        self.0.write(move |c| restore_revision(c, id, number, expected_version, missing, by)).await
    }

    pub async fn trash(&self, id: PostId, expected_version: Option<i64>) -> Result<(), StoreError> {
        self.0.write(move |c| trash(c, id, expected_version)).await
    }

    pub async fn restore(&self, id: PostId) -> Result<Post, StoreError> {
        self.0.write(move |c| restore(c, id)).await
    }

    pub async fn purge(&self, id: PostId) -> Result<(), StoreError> {
        self.0.write(move |c| purge(c, id)).await
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn statuses_round_trip_through_revision_metadata() {
        for status in longform_domain::PostStatus::ALL {
            assert_eq!(status.as_str().parse::<longform_domain::PostStatus>().unwrap(), status);
        }
    }
}
