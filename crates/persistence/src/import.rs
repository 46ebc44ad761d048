//! Importing posts from Markdown front matter: upsert by slug, so that the
//! same folder imported twice changes nothing the second time, and a
//! changed file updates its post (recording a revision).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use longform_domain::frontmatter::ImportedPost;
use longform_domain::{FieldError, InvalidKind, NewAuthor, NewTerm, Post, PostId, PostStatus, RevisionMetadata};

use crate::db::AnyConnection;
use crate::error::StoreError;
use crate::listing::refresh_listings;
use crate::posts::{create, get, update};
use crate::rows::parse_id;
use crate::schema::posts;
use crate::store::{now, to_db};
use crate::taxonomy::{Missing, author_repo, category_repo, tag_repo};

/// What importing one item did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Created,
    Updated,
    Unchanged,
}

/// Tags and categories under the names the file gives them ("Go
/// Concurrency" rather than "go concurrency").
fn ensure_named_terms(conn: &mut AnyConnection, post: &ImportedPost) -> Result<(), StoreError> {
    for (slug, name) in post.draft.tags.iter().zip(&post.tags) {
        if tag_repo::find_by_slug(conn, slug)?.is_none() {
            tag_repo::insert(conn, &NewTerm { slug: slug.clone(), name: name.clone(), description: None })?;
        }
    }
    if let (Some(slug), Some(name)) = (&post.draft.category, &post.category)
        && category_repo::find_by_slug(conn, slug)?.is_none()
    {
        category_repo::insert(conn, &NewTerm { slug: slug.clone(), name: name.clone(), description: None })?;
    }
    Ok(())
}

/// The status and dates a file states, applied as they are (an import
/// carries history: its published dates are facts, not a publish today).
fn set_lifecycle(conn: &mut AnyConnection, id: PostId, post: &ImportedPost) -> Result<(), StoreError> {
    let published_at = match (post.status, post.published_at) {
        (PostStatus::Scheduled, None) => {
            return Err(StoreError::Domain(FieldError::new("published_at", InvalidKind::Empty).into()));
        }
        (PostStatus::Published, None) => Some(now()),
        (_, at) => at,
    };
    diesel::update(posts::table.find(id.to_string()))
        .set((
            posts::status.eq(post.status.as_str()),
            posts::published_at.eq(published_at.map(to_db)),
            posts::updated_at.eq(to_db(post.updated_at.or(published_at).unwrap_or_else(now))),
        ))
        .execute(conn)?;
    refresh_listings(conn, id)?;
    crate::changelog::record(conn, id, crate::changelog::ChangeKind::of_status(post.status))
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

/// Create or update the post with the file's slug.
pub fn import_post(conn: &mut AnyConnection, post: &ImportedPost) -> Result<Outcome, StoreError> {
    let mut post = post.clone();
    post.published_at = post.published_at.map(crate::store::truncate);
    post.updated_at = post.updated_at.map(crate::store::truncate);
    ensure_named_terms(conn, &post)?;
    let slug = post.draft.slug.clone().unwrap_or_else(|| post.draft.base_slug());
    let existing: Option<String> =
        posts::table.filter(posts::slug.eq(slug.as_str())).select(posts::id).first(conn).optional()?;
    let Some(id) = existing else {
        let created = create(conn, post.draft.clone(), Missing::Create, None)?;
        set_lifecycle(conn, created.card.id, &post)?;
        return Ok(Outcome::Created);
    };
    let id: PostId = parse_id(&id)?;
    let current = get(conn, id)?;
    if unchanged(&current, &post) {
        return Ok(Outcome::Unchanged);
    }
    if current.card.deleted_at.is_some() {
        diesel::update(posts::table.find(id.to_string()))
            .set(posts::deleted_at.eq(None::<NaiveDateTime>))
            .execute(conn)?;
    }
    update(conn, id, post.draft.clone(), None, Missing::Create, None)?;
    set_lifecycle(conn, id, &post)?;
    Ok(Outcome::Updated)
}

/// Create or update an author profile by slug.
pub fn import_author(conn: &mut AnyConnection, author: &NewAuthor) -> Result<Outcome, StoreError> {
    match author_repo::find_by_slug(conn, &author.slug)? {
        None => author_repo::insert(conn, author).map(|_| Outcome::Created),
        Some(current)
            if current.name == author.name
                && current.bio == author.bio
                && current.website == author.website
                && current.avatar_url == author.avatar_url =>
        {
            Ok(Outcome::Unchanged)
        }
        Some(_) => {
            let changes = crate::taxonomy::AuthorChanges {
                name: Some(author.name.clone()),
                bio: Some(author.bio.clone()),
                website: Some(author.website.clone()),
                avatar_url: Some(author.avatar_url.clone()),
                ..Default::default()
            };
            crate::taxonomy::update_author(conn, &author.slug, &changes).map(|_| Outcome::Updated)
        }
    }
}

/// What a batch did: one outcome per author and per post, in order.
#[derive(Debug, Default)]
pub struct BatchOutcome {
    pub authors: Vec<Result<Outcome, StoreError>>,
    pub posts: Vec<Result<Outcome, StoreError>>,
}

/// Import `authors`, then `posts`, in one transaction, each in its own
/// savepoint: an item that fails leaves nothing behind and the others
/// still land. With `dry_run` the whole transaction is rolled back, so the
/// outcomes are exact and nothing is written.
pub fn import_batch(
    conn: &mut AnyConnection,
    authors: &[NewAuthor],
    posts: &[ImportedPost],
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
            posts: posts.iter().map(|p| c.transaction(|c| import_post(c, p))).collect(),
        };
        if dry_run { Err(Abort::Rehearsed(outcome)) } else { Ok(outcome) }
    });
    match result {
        Ok(outcome) | Err(Abort::Rehearsed(outcome)) => Ok(outcome),
        Err(Abort::Failed(e)) => Err(e),
    }
}

impl crate::Store {
    /// See [`import_batch`]. Runs on the write connection without the
    /// store's own wrapping transaction (the batch has its own).
    pub async fn import(
        &self,
        authors: Vec<NewAuthor>,
        posts: Vec<ImportedPost>,
        dry_run: bool,
    ) -> Result<BatchOutcome, StoreError> {
        let result = self.with_write_connection(move |c| import_batch(c, &authors, &posts, dry_run)).await;
        if !dry_run {
            self.bump_generation();
        }
        result
    }
}
