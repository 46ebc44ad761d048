//! Writing posts: create (idempotently when asked), edit, move through the
//! life cycle, the trash. Drafts arrive rendered: the Markdown was turned
//! into HTML before the transaction opened.

use diesel::prelude::*;
use longform_domain::media::Catalog;
use longform_domain::{FieldError, MediaId, Move, Post, PostContent, PostDraft, PostId, UserId};

use super::check_version;
use super::taxonomy::ensure_terms;
use crate::db::AnyConnection;
use crate::effects::public::Reach;
use crate::effects::{post_changed, post_edited};
use crate::error::StoreError;
use crate::model::{ChangeKind, Missing};
use crate::read;
use crate::rows::posts::{LifecycleChange, PostRow, Terms};
use crate::schema::{idempotency_keys, post_media, posts};
use crate::sql::{Param, Statement};
use crate::time::{now, to_db};

/// A draft and what its Markdown renders to.
#[derive(Debug, Clone)]
pub(crate) struct Rendered {
    pub(crate) draft: PostDraft,
    pub(crate) content: PostContent,
    /// The media items the post uses (those of its mentions that exist).
    pub(crate) media: Vec<MediaId>,
}

impl Rendered {
    /// Render `draft` (the slow part of a write: run it before the
    /// transaction), with the media items it mentions as
    /// [`crate::read::media::catalog`] found them; fails on `markdown` when
    /// it is over the markup budget.
    pub(crate) fn with(mut draft: PostDraft, catalog: &Catalog) -> Result<Self, FieldError> {
        draft.dedup_taxonomy();
        draft.feature_image = draft.feature_image.map(|image| image.matched(catalog));
        let content = draft.render_with(catalog)?;
        let media = draft.mentioned_media().into_iter().filter(|id| catalog.contains_key(id)).collect();
        Ok(Self { draft, content, media })
    }
}

/// Each round of colliding writers lets at least one through, so this
/// bounds the writers deriving the same slug in the same instant.
const MAX_SLUG_ATTEMPTS: u32 = 64;

/// Insert a new post's row, shaped by `shape` (an import sets its status
/// and dates), with its taxonomy. An explicit slug that is taken is a
/// conflict on `slug`; a derived one gets a -2, -3 suffix. Two writers
/// deriving the same slug at once (PostgreSQL) collide on the unique key:
/// the loser retries with the next free suffix.
pub(crate) fn insert_new(
    conn: &mut AnyConnection,
    rendered: &Rendered,
    missing: Missing,
    owner: Option<UserId>,
    shape: impl Fn(&mut PostRow),
) -> Result<Post, StoreError> {
    let Rendered { draft, content, media } = rendered;
    let terms = ensure_terms(conn, draft, missing)?;
    let category = terms.category.as_ref().map(|c| c.id);
    let row = match &draft.slug {
        Some(explicit) => {
            let mut row = PostRow::new(PostId::new(), draft, content, explicit, owner, category, now())?;
            shape(&mut row);
            diesel::insert_into(posts::table).values(&row).execute(conn)?;
            row
        }
        None => {
            let base = draft.base_slug();
            let mut attempt = 0;
            loop {
                let slug = read::posts::free_slug(conn, &base)?;
                let mut row = PostRow::new(PostId::new(), draft, content, &slug, owner, category, now())?;
                shape(&mut row);
                match conn.transaction(|c| diesel::insert_into(posts::table).values(&row).execute(c)) {
                    Ok(_) => break row,
                    Err(error) => match StoreError::from(error) {
                        StoreError::Conflict { field } if field == "slug" && attempt < MAX_SLUG_ATTEMPTS => {
                            attempt += 1
                        }
                        other => return Err(other),
                    },
                }
            }
        }
    };
    link_terms(conn, row.card.id, &terms, None)?;
    link_media(conn, row.card.id, media, None)?;
    row.into_post(terms)
}

/// Replace `current`'s editable fields with `rendered`, shaped by `shape`,
/// as its next version; a writer that got in since `current` was read
/// makes this a version mismatch.
pub(crate) fn write_edit(
    conn: &mut AnyConnection,
    current: &Post,
    rendered: &Rendered,
    missing: Missing,
    shape: impl FnOnce(&mut PostRow),
) -> Result<Post, StoreError> {
    let Rendered { draft, content, media } = rendered;
    let terms = ensure_terms(conn, draft, missing)?;
    let mut row = PostRow::try_from(current)?;
    let slug = draft.slug.clone().unwrap_or_else(|| current.card.slug.clone());
    row.set_fields(draft, content, &slug, terms.category.as_ref().map(|c| c.id))?;
    row.card.touch(now());
    shape(&mut row);
    let changed = diesel::update(posts::table.find(current.card.id).filter(posts::version.eq(current.card.version)))
        .set(&row)
        .execute(conn)?;
    if changed == 0 {
        let stored = read::posts::version(conn, current.card.id)?;
        return Err(StoreError::VersionMismatch { expected: current.card.version, current: stored });
    }
    link_terms(conn, current.card.id, &terms, Some(current))?;
    link_media(conn, current.card.id, media, Some(current))?;
    row.into_post(terms)
}

/// Record which media items the post uses. An edit that mentions the same
/// ids as before (most do: no media, or the same) writes nothing.
pub(crate) fn link_media(
    conn: &mut AnyConnection,
    id: PostId,
    media: &[MediaId],
    before: Option<&Post>,
) -> Result<(), StoreError> {
    if let Some(post) = before {
        let mut mentioned = longform_domain::media::mentioned(&post.body.markdown);
        if let Some(image) = &post.card.feature_image {
            mentioned.extend(longform_domain::media::mentioned(image.url.as_str()));
        }
        if mentioned.is_empty() && media.is_empty() {
            return Ok(());
        }
        diesel::delete(post_media::table.filter(post_media::post_id.eq(id))).execute(conn)?;
    }
    if media.is_empty() {
        return Ok(());
    }
    let mut insert = Statement::new(conn);
    insert.push("INSERT INTO post_media (post_id, media_id) VALUES ");
    for (i, item) in media.iter().enumerate() {
        insert.push(if i == 0 { "" } else { ", " });
        insert.row([Param::Text(id.to_string()), Param::Text(item.to_string())]);
    }
    insert.execute(conn)?;
    Ok(())
}

/// Point the post at its tags and authors, in order, unless it already
/// points at exactly those.
fn link_terms(conn: &mut AnyConnection, id: PostId, terms: &Terms, before: Option<&Post>) -> Result<(), StoreError> {
    let tags: Vec<String> = terms.tags.iter().map(|t| t.id.to_string()).collect();
    let authors: Vec<String> = terms.authors.iter().map(|a| a.id.to_string()).collect();
    let (old_tags, old_authors): (Vec<String>, Vec<String>) = match before {
        Some(post) => (
            post.card.tags.iter().map(|t| t.id.to_string()).collect(),
            post.card.authors.iter().map(|a| a.id.to_string()).collect(),
        ),
        None => (Vec::new(), Vec::new()),
    };
    for (table, column, new, old) in
        [("post_tags", "tag_id", tags, old_tags), ("post_authors", "author_id", authors, old_authors)]
    {
        if new == old {
            continue;
        }
        if before.is_some() {
            let mut delete = Statement::new(conn);
            delete.push(&format!("DELETE FROM {table} WHERE post_id = ")).bind(Param::Text(id.to_string()));
            delete.execute(conn)?;
        }
        if new.is_empty() {
            continue;
        }
        let mut insert = Statement::new(conn);
        insert.push(&format!("INSERT INTO {table} (post_id, {column}, position) VALUES "));
        for (position, term) in (0_i64..).zip(new) {
            insert.push(if position == 0 { "" } else { ", " });
            insert.row([Param::Text(id.to_string()), Param::Text(term), Param::Int(position)]);
        }
        insert.execute(conn)?;
    }
    Ok(())
}

/// Create a draft: nothing the public sees.
pub(crate) fn create(
    conn: &mut AnyConnection,
    rendered: &Rendered,
    missing: Missing,
    owner: Option<UserId>,
) -> Result<(Post, Reach), StoreError> {
    let post = insert_new(conn, rendered, missing, owner, |_| {})?;
    post_changed(conn, &post, ChangeKind::Created, owner)?;
    let reach = Reach::of_post(false, &post);
    Ok((post, reach))
}

/// Replace a post's editable fields. `expected_version`, when given, must
/// match the stored one (else `VersionMismatch`, and nothing is written).
/// The slug changes only when the draft names one: a URL stays put when a
/// title is edited. An edit's revision may fold into the writer's latest
/// (see `effects::revisions`); a restore of a revision (`restoring`) is
/// always one of its own.
pub(crate) fn update(
    conn: &mut AnyConnection,
    id: PostId,
    rendered: &Rendered,
    expected_version: Option<i64>,
    missing: Missing,
    by: Option<UserId>,
    restoring: bool,
) -> Result<(Post, Reach), StoreError> {
    let current = read::posts::get(conn, id)?;
    check_version(current.card.version, expected_version)?;
    let post = write_edit(conn, &current, rendered, missing, |_| {})?;
    if restoring {
        post_changed(conn, &post, ChangeKind::Updated, by)?;
    } else {
        post_edited(conn, &post, by)?;
    }
    let reach = Reach::of_post(current.card.is_public(), &post);
    Ok((post, reach))
}

/// Write a life-cycle change made to `post` (loaded as version
/// `version`), as its next version.
fn write_lifecycle(conn: &mut AnyConnection, post: &mut Post, version: i64) -> Result<(), StoreError> {
    post.card.version = version + 1;
    let changed = diesel::update(posts::table.find(post.card.id).filter(posts::version.eq(version)))
        .set(&LifecycleChange::of(&post.card))
        .execute(conn)?;
    if changed == 0 {
        let stored = read::posts::version(conn, post.card.id)?;
        return Err(StoreError::VersionMismatch { expected: version, current: stored });
    }
    Ok(())
}

/// Publish, schedule, unpublish or archive a post, per the domain's rules.
pub(crate) fn apply_move(
    conn: &mut AnyConnection,
    id: PostId,
    action: Move,
    expected_version: Option<i64>,
    by: Option<UserId>,
) -> Result<(Post, Reach), StoreError> {
    let mut post = read::posts::get(conn, id)?;
    let (version, was_public) = (post.card.version, post.card.is_public());
    check_version(version, expected_version)?;
    let lifecycle = longform_domain::Lifecycle { status: post.card.status, published_at: post.card.published_at };
    let next = lifecycle.apply(action, now())?;
    post.card.status = next.status;
    post.card.published_at = next.published_at;
    post.card.updated_at = now();
    write_lifecycle(conn, &mut post, version)?;
    post_changed(conn, &post, ChangeKind::of_status(next.status), by)?;
    let reach = Reach::of_post(was_public, &post);
    Ok((post, reach))
}

/// Move a post to the trash: gone from every listing and public page, kept
/// for an admin to restore or purge.
pub(crate) fn trash(
    conn: &mut AnyConnection,
    id: PostId,
    expected_version: Option<i64>,
    by: Option<UserId>,
) -> Result<((), Reach), StoreError> {
    let mut post = read::posts::get(conn, id)?;
    let (version, was_public) = (post.card.version, post.card.is_public());
    check_version(version, expected_version)?;
    let at = now();
    post.card.deleted_at = Some(at);
    post.card.updated_at = at;
    write_lifecycle(conn, &mut post, version)?;
    post_changed(conn, &post, ChangeKind::Deleted, by)?;
    Ok(((), Reach::of_post(was_public, &post)))
}

/// Take a post out of the trash, as it was.
pub(crate) fn restore(conn: &mut AnyConnection, id: PostId, by: Option<UserId>) -> Result<(Post, Reach), StoreError> {
    let mut post = read::posts::get(conn, id)?;
    if post.card.deleted_at.is_none() {
        return Err(StoreError::NotFound);
    }
    post.card.deleted_at = None;
    let version = post.card.version;
    write_lifecycle(conn, &mut post, version)?;
    post_changed(conn, &post, ChangeKind::Restored, by)?;
    let reach = Reach::of_post(false, &post);
    Ok((post, reach))
}

/// Delete a trashed post for good (its revisions go with it): it left the
/// public when it went to the trash.
pub(crate) fn purge(conn: &mut AnyConnection, id: PostId, by: Option<UserId>) -> Result<((), Reach), StoreError> {
    let post = read::posts::get(conn, id)?;
    if post.card.deleted_at.is_none() {
        return Err(StoreError::NotFound);
    }
    post_changed(conn, &post, ChangeKind::Purged, by)?;
    diesel::delete(posts::table.find(id)).execute(conn)?;
    Ok(((), Reach::Private))
}

/// Create a post once per (`principal`, `key`): a retry with the same key
/// and the same request gets the first post back (`true`: replayed); the
/// same key with a different request is a conflict on `Idempotency-Key`.
pub(crate) fn create_once(
    conn: &mut AnyConnection,
    principal: &str,
    key: &str,
    request_hash: &str,
    rendered: &Rendered,
    missing: Missing,
    owner: Option<UserId>,
) -> Result<((Post, bool), Reach), StoreError> {
    let stored: Option<(String, PostId)> = idempotency_keys::table
        .find((principal, key))
        .select((idempotency_keys::request_hash, idempotency_keys::body))
        .first(conn)
        .optional()?;
    if let Some((hash, post)) = stored {
        if hash != request_hash {
            return Err(StoreError::Conflict { field: "Idempotency-Key".into() });
        }
        return Ok(((read::posts::get(conn, post)?, true), Reach::Private));
    }
    let (post, reach) = create(conn, rendered, missing, owner)?;
    diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::owner.eq(principal),
            idempotency_keys::key.eq(key),
            idempotency_keys::request_hash.eq(request_hash),
            idempotency_keys::status.eq(201),
            idempotency_keys::body.eq(post.card.id),
            idempotency_keys::created_at.eq(to_db(now())),
        ))
        .execute(conn)?;
    Ok(((post, false), reach))
}
