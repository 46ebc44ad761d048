//! Importing posts from Markdown front matter: upsert by slug, so that the
//! same folder imported twice changes nothing the second time, and a
//! changed file updates its post (recording a revision). An import carries
//! history: the status and dates a file states are applied as they are.

use chrono::{DateTime, Utc};
use diesel::Connection;
use longform_domain::frontmatter::ImportedPost;
use longform_domain::{FieldError, InvalidKind, NewAuthor, NewTerm, Post, PostStatus, RevisionMetadata};

use super::posts::{Rendered, insert_new, write_edit};
use super::taxonomy::{insert_author, insert_category, insert_tag, update_author};
use crate::db::AnyConnection;
use crate::effects::post_changed;
use crate::error::StoreError;
use crate::model::{AuthorChanges, BatchOutcome, ChangeKind, ImportOutcome, Missing};
use crate::read;
use crate::rows::posts::PostRow;
use crate::time::{now, to_db};

/// Tags and categories under the names the file gives them ("Go
/// Concurrency" rather than "go concurrency").
fn ensure_named_terms(conn: &mut AnyConnection, post: &ImportedPost) -> Result<(), StoreError> {
    let existing = read::taxonomy::tags_by_slugs(conn, &post.draft.tags)?;
    for (slug, name) in post.draft.tags.iter().zip(&post.tags) {
        if !existing.contains_key(slug.as_str()) {
            insert_tag(conn, &NewTerm { slug: slug.clone(), name: name.clone(), description: None, public: false })?;
        }
    }
    if let (Some(slug), Some(name)) = (&post.draft.category, &post.category)
        && read::taxonomy::category_by_slug(conn, slug)?.is_none()
    {
        insert_category(conn, &NewTerm { slug: slug.clone(), name: name.clone(), description: None, public: false })?;
    }
    Ok(())
}

/// The status and dates a file states: status, published_at, updated_at.
type FileLifecycle = (PostStatus, Option<DateTime<Utc>>, DateTime<Utc>);

fn file_lifecycle(post: &ImportedPost) -> Result<FileLifecycle, StoreError> {
    let published_at = match (post.status, post.published_at) {
        (PostStatus::Scheduled, None) => {
            return Err(StoreError::Domain(FieldError::new("published_at", InvalidKind::Empty).into()));
        }
        (PostStatus::Published, None) => Some(now()),
        (_, at) => at,
    };
    Ok((post.status, published_at, post.updated_at.or(published_at).unwrap_or_else(now)))
}

fn apply_lifecycle(row: &mut PostRow, (status, published_at, updated_at): FileLifecycle) {
    row.card.status = status.as_str().to_owned();
    row.card.published_at = published_at.map(to_db);
    row.card.updated_at = to_db(updated_at);
    row.card.deleted_at = None;
}

/// Whether the stored post already says everything the file says.
fn unchanged(current: &Post, post: &ImportedPost) -> bool {
    let mut wanted = RevisionMetadata::of(current);
    let draft = &post.draft;
    wanted.slug = draft.slug.clone().unwrap_or_else(|| current.card.slug.clone());
    wanted.summary = draft.summary.clone();
    wanted.category = draft.category.clone();
    wanted.tags = draft.tags.clone();
    wanted.authors = draft.authors.clone();
    wanted.feature_image_url = draft.feature_image.as_ref().map(|f| f.url.clone());
    wanted.feature_image_alt = draft.feature_image.as_ref().and_then(|f| f.alt.clone());
    wanted.featured = draft.featured;
    wanted.canonical_url = draft.canonical_url.clone();
    wanted.status = post.status.as_str().to_owned();
    let same_dates = post.published_at.is_none_or(|at| Some(at) == current.card.published_at)
        && post.updated_at.is_none_or(|at| at == current.card.updated_at);
    current.card.title == draft.title
        && current.body.markdown == draft.markdown.as_str()
        && RevisionMetadata::of(current) == wanted
        && same_dates
        && current.card.deleted_at.is_none()
}

/// Create or update the post with the file's slug (`rendered` is its draft, rendered).
pub(crate) fn import_post(
    conn: &mut AnyConnection,
    post: &ImportedPost,
    rendered: &Rendered,
) -> Result<ImportOutcome, StoreError> {
    ensure_named_terms(conn, post)?;
    let slug = post.draft.slug.clone().unwrap_or_else(|| post.draft.base_slug());
    let lifecycle = file_lifecycle(post)?;
    let Some(id) = read::posts::id_by_slug(conn, &slug)? else {
        let created = insert_new(conn, rendered, Missing::Create, None, |row| apply_lifecycle(row, lifecycle))?;
        post_changed(conn, &created, ChangeKind::Created, None)?;
        return Ok(ImportOutcome::Created);
    };
    let current = read::posts::get(conn, id)?;
    if unchanged(&current, post) {
        return Ok(ImportOutcome::Unchanged);
    }
    let updated = write_edit(conn, &current, rendered, Missing::Create, |row| apply_lifecycle(row, lifecycle))?;
    let kind = if updated.card.status == current.card.status {
        ChangeKind::Updated
    } else {
        ChangeKind::of_status(updated.card.status)
    };
    post_changed(conn, &updated, kind, None)?;
    Ok(ImportOutcome::Updated)
}

/// Create or update an author profile by slug.
pub(crate) fn import_author(conn: &mut AnyConnection, author: &NewAuthor) -> Result<ImportOutcome, StoreError> {
    match read::taxonomy::author_by_slug(conn, &author.slug)? {
        None => insert_author(conn, author).map(|_| ImportOutcome::Created),
        Some(current)
            if current.name == author.name
                && current.bio == author.bio
                && current.website == author.website
                && current.avatar_url == author.avatar_url =>
        {
            Ok(ImportOutcome::Unchanged)
        }
        Some(_) => {
            let changes = AuthorChanges {
                name: Some(author.name.clone()),
                bio: Some(author.bio.clone()),
                website: Some(author.website.clone()),
                avatar_url: Some(author.avatar_url.clone()),
                ..Default::default()
            };
            update_author(conn, &author.slug, &changes, None).map(|_| ImportOutcome::Updated)
        }
    }
}

/// Import `authors`, then `posts`, in one transaction, each in its own
/// savepoint: an item that fails leaves nothing behind and the others
/// still land. With `dry_run` the whole transaction is rolled back, so the
/// outcomes are exact and nothing is written.
pub(crate) fn import_batch(
    conn: &mut AnyConnection,
    authors: &[NewAuthor],
    posts: &[(ImportedPost, Result<Rendered, FieldError>)],
    dry_run: bool,
) -> Result<BatchOutcome, StoreError> {
    enum Abort {
        Rehearsed(BatchOutcome),
        Failed(StoreError),
    }
    impl From<diesel::result::Error> for Abort {
        fn from(e: diesel::result::Error) -> Self {
            Self::Failed(e.into())
        }
    }
    let result = conn.transaction(|c| {
        let outcome = BatchOutcome {
            authors: authors.iter().map(|a| c.transaction(|c| import_author(c, a))).collect(),
            posts: posts
                .iter()
                .map(|(p, rendered)| match rendered {
                    Ok(rendered) => c.transaction(|c| import_post(c, p, rendered)),
                    Err(e) => Err(StoreError::Domain(e.clone().into())),
                })
                .collect(),
        };
        if dry_run {
            return Err(Abort::Rehearsed(outcome));
        }
        crate::effects::public::advance(c).map_err(Abort::Failed)?;
        Ok(outcome)
    });
    match result {
        Ok(outcome) | Err(Abort::Rehearsed(outcome)) => Ok(outcome),
        Err(Abort::Failed(e)) => Err(e),
    }
}
