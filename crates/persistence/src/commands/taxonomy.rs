//! Writing tags, categories and author profiles, and resolving the ones a
//! post names (creating missing ones for editors, refusing them for
//! contributors). Each write announces itself to webhooks.

use std::collections::HashMap;

use diesel::prelude::*;
use longform_domain::{
    Author, Category, Description, FieldError, InvalidKind, Name, NewAuthor, NewTerm, PostDraft, Slug, Tag,
};

use super::check_version;
use super::reindex::reindex;
use crate::db::AnyConnection;
use crate::effects::listing::drop_listing;
use crate::effects::outbox::{author_state, enqueue, term_state};
use crate::error::StoreError;
use crate::model::{AuthorChanges, Missing, Term, TermChanges, TermKind};
use crate::read;
use crate::rows::parse_value;
use crate::rows::posts::Terms;
use crate::rows::taxonomy::{AuthorRow, CategoryRow, TagRow};
use crate::schema::{authors, categories, tags};
use crate::time::{now, to_db};

/// A name for a term created from a bare slug: "memory-models" -> "memory models".
fn name_from_slug(slug: &Slug) -> Result<Name, StoreError> {
    // Slugs may be longer than names: keep the first words that fit.
    let words = slug.as_str().replace('-', " ");
    let cut: String = words.chars().take(Name::MAX_CHARS).collect();
    parse_value(Name::parse(&cut))
}

pub(crate) fn insert_tag(conn: &mut AnyConnection, new: &NewTerm) -> Result<Tag, StoreError> {
    let row = TagRow::new(new, now());
    diesel::insert_into(tags::table).values(&row).execute(conn)?;
    let tag = Tag::try_from(row)?;
    let state = term_state(&Term::from(tag.clone()));
    enqueue(conn, "tag.created", || serde_json::json!({ "tag": state }))?;
    Ok(tag)
}

pub(crate) fn insert_category(conn: &mut AnyConnection, new: &NewTerm) -> Result<Category, StoreError> {
    let row = CategoryRow::new(new, now());
    diesel::insert_into(categories::table).values(&row).execute(conn)?;
    let category = Category::try_from(row)?;
    let state = term_state(&Term::from(category.clone()));
    enqueue(conn, "category.created", || serde_json::json!({ "category": state }))?;
    Ok(category)
}

/// Insert; a taken slug is a conflict on `slug`, a user with a profile already on `user_id`.
pub(crate) fn insert_author(conn: &mut AnyConnection, new: &NewAuthor) -> Result<Author, StoreError> {
    let row = AuthorRow::new(new, now())?;
    diesel::insert_into(authors::table).values(&row).execute(conn)?;
    let author = Author::try_from(row)?;
    enqueue(conn, "author.created", || serde_json::json!({ "author": author_state(&author) }))?;
    Ok(author)
}

/// The terms named by `slugs`, in order: found, created (in a savepoint,
/// so that a concurrent writer creating the same slug first costs a
/// re-read, not the transaction), or refused, per `missing`.
fn ensure<T>(
    conn: &mut AnyConnection,
    slugs: &[Slug],
    missing: Missing,
    field: &'static str,
    mut found: HashMap<String, T>,
    create: impl Fn(&mut AnyConnection, &Slug) -> Result<T, StoreError>,
    find: impl Fn(&mut AnyConnection, &Slug) -> Result<Option<T>, StoreError>,
) -> Result<Vec<T>, StoreError> {
    let mut out = Vec::with_capacity(slugs.len());
    for slug in slugs {
        if let Some(term) = found.remove(slug.as_str()) {
            out.push(term);
            continue;
        }
        if missing == Missing::Refuse {
            let unknown = InvalidKind::Unknown(slug.to_string());
            return Err(StoreError::Domain(FieldError::new(field, unknown).into()));
        }
        out.push(match conn.transaction(|c| create(c, slug)) {
            Err(StoreError::Conflict { .. }) => find(conn, slug)?.ok_or(StoreError::NotFound)?,
            other => other?,
        });
    }
    Ok(out)
}

fn new_term(slug: &Slug) -> Result<NewTerm, StoreError> {
    Ok(NewTerm { slug: slug.clone(), name: name_from_slug(slug)?, description: None, public: false })
}

/// The category, tags and authors a draft names.
pub(crate) fn ensure_terms(conn: &mut AnyConnection, draft: &PostDraft, missing: Missing) -> Result<Terms, StoreError> {
    let categories = std::slice::from_ref(&draft.category).iter().flatten().cloned().collect::<Vec<_>>();
    let found = read::taxonomy::categories_by_slugs(conn, &categories)?;
    let category = ensure(
        conn,
        &categories,
        missing,
        "category",
        found,
        |c, slug| insert_category(c, &new_term(slug)?),
        read::taxonomy::category_by_slug,
    )?
    .pop();
    let found = read::taxonomy::tags_by_slugs(conn, &draft.tags)?;
    let tags = ensure(
        conn,
        &draft.tags,
        missing,
        "tags",
        found,
        |c, slug| insert_tag(c, &new_term(slug)?),
        read::taxonomy::tag_by_slug,
    )?;
    let found = read::taxonomy::authors_by_slugs(conn, &draft.authors)?;
    let guest = |slug: &Slug| -> Result<NewAuthor, StoreError> {
        Ok(NewAuthor {
            slug: slug.clone(),
            name: name_from_slug(slug)?,
            bio: None,
            avatar_url: None,
            website: None,
            links: Vec::new(),
            user_id: None,
            public: false,
        })
    };
    let authors = ensure(
        conn,
        &draft.authors,
        missing,
        "authors",
        found,
        |c, slug| insert_author(c, &guest(slug)?),
        read::taxonomy::author_by_slug,
    )?;
    Ok(Terms { category, tags, authors })
}

/// Create a tag or category.
pub(crate) fn create_term(conn: &mut AnyConnection, kind: TermKind, new: &NewTerm) -> Result<Term, StoreError> {
    match kind {
        TermKind::Tag => insert_tag(conn, new).map(Term::from),
        TermKind::Category => insert_category(conn, new).map(Term::from),
    }
}

fn term_by_slug(conn: &mut AnyConnection, kind: TermKind, slug: &Slug) -> Result<Term, StoreError> {
    let found = match kind {
        TermKind::Tag => read::taxonomy::tag_by_slug(conn, slug)?.map(Term::from),
        TermKind::Category => read::taxonomy::category_by_slug(conn, slug)?.map(Term::from),
    };
    found.ok_or(StoreError::NotFound)
}

/// The published posts a tag's name is part of the search text of.
fn tagged(conn: &mut AnyConnection, kind: TermKind, term: &Term) -> Result<Vec<longform_domain::PostId>, StoreError> {
    match kind {
        TermKind::Tag => read::listings::listed_under(conn, "tag", &term.id),
        TermKind::Category => Ok(Vec::new()),
    }
}

/// A guarded write changed nothing: a concurrent writer moved the version
/// on after it was read (PostgreSQL re-checks the guard under the row lock).
fn raced(conn: &mut AnyConnection, kind: &str, slug: &Slug, expected: i64) -> StoreError {
    let current = match kind {
        "tag" => read::taxonomy::tag_by_slug(conn, slug).map(|t| t.map(|t| t.version)),
        "category" => read::taxonomy::category_by_slug(conn, slug).map(|t| t.map(|t| t.version)),
        _ => read::taxonomy::author_by_slug(conn, slug).map(|t| t.map(|t| t.version)),
    };
    match current {
        Ok(Some(current)) => StoreError::VersionMismatch { expected, current },
        Ok(None) => StoreError::NotFound,
        Err(e) => e,
    }
}

pub(crate) fn update_term(
    conn: &mut AnyConnection,
    kind: TermKind,
    current: &Slug,
    changes: &TermChanges,
    expected: Option<i64>,
) -> Result<Term, StoreError> {
    let term = term_by_slug(conn, kind, current)?;
    check_version(term.version, expected)?;
    let updated = Term {
        id: term.id.clone(),
        slug: changes.slug.clone().unwrap_or_else(|| term.slug.clone()),
        name: changes.name.clone().unwrap_or_else(|| term.name.clone()),
        description: changes.description.clone().unwrap_or_else(|| term.description.clone()),
        public: changes.public.unwrap_or(term.public),
        version: term.version + 1,
    };
    let (slug, name, public) = (updated.slug.as_str(), updated.name.as_str(), updated.public);
    let description = updated.description.as_ref().map(Description::as_str);
    let at = to_db(now());
    let changed = match kind {
        TermKind::Tag => {
            diesel::update(tags::table.filter(tags::id.eq(&term.id)).filter(tags::version.eq(term.version)))
                .set((
                    tags::slug.eq(slug),
                    tags::name.eq(name),
                    tags::description.eq(description),
                    tags::public.eq(public),
                    tags::version.eq(updated.version),
                    tags::updated_at.eq(at),
                ))
                .execute(conn)?
        }
        TermKind::Category => diesel::update(
            categories::table.filter(categories::id.eq(&term.id)).filter(categories::version.eq(term.version)),
        )
        .set((
            categories::slug.eq(slug),
            categories::name.eq(name),
            categories::description.eq(description),
            categories::public.eq(public),
            categories::version.eq(updated.version),
            categories::updated_at.eq(at),
        ))
        .execute(conn)?,
    };
    if changed == 0 {
        return Err(raced(conn, kind.singular(), current, term.version));
    }
    if updated.name != term.name {
        let posts = tagged(conn, kind, &term)?;
        reindex(conn, &posts)?;
    }
    let event = format!("{}.updated", kind.singular());
    enqueue(
        conn,
        &event,
        || serde_json::json!({ kind.singular(): term_state(&updated), "previous": term_state(&term) }),
    )?;
    Ok(updated)
}

/// Delete a tag or category; its posts lose it and leave its listing.
pub(crate) fn delete_term(
    conn: &mut AnyConnection,
    kind: TermKind,
    slug: &Slug,
    expected: Option<i64>,
) -> Result<(), StoreError> {
    let term = term_by_slug(conn, kind, slug)?;
    check_version(term.version, expected)?;
    let posts = tagged(conn, kind, &term)?;
    let deleted = match kind {
        TermKind::Tag => {
            diesel::delete(tags::table.filter(tags::id.eq(&term.id)).filter(tags::version.eq(term.version)))
                .execute(conn)?
        }
        TermKind::Category => diesel::delete(
            categories::table.filter(categories::id.eq(&term.id)).filter(categories::version.eq(term.version)),
        )
        .execute(conn)?,
    };
    if deleted == 0 {
        return Err(raced(conn, kind.singular(), slug, term.version));
    }
    drop_listing(conn, kind.singular(), &term.id)?;
    reindex(conn, &posts)?;
    let event = format!("{}.deleted", kind.singular());
    enqueue(conn, &event, || serde_json::json!({ kind.singular(): term_state(&term) }))
}

pub(crate) fn update_author(
    conn: &mut AnyConnection,
    current: &Slug,
    changes: &AuthorChanges,
    expected: Option<i64>,
) -> Result<Author, StoreError> {
    let author = read::taxonomy::author_by_slug(conn, current)?.ok_or(StoreError::NotFound)?;
    check_version(author.version, expected)?;
    let previous = author_state(&author);
    let mut updated = author.clone();
    if let Some(slug) = &changes.slug {
        updated.slug = slug.clone();
    }
    if let Some(name) = &changes.name {
        updated.name = name.clone();
    }
    if let Some(bio) = &changes.bio {
        updated.bio = bio.clone();
    }
    if let Some(avatar_url) = &changes.avatar_url {
        updated.avatar_url = avatar_url.clone();
    }
    if let Some(website) = &changes.website {
        updated.website = website.clone();
    }
    if let Some(links) = &changes.links {
        updated.links = links.clone();
    }
    if let Some(public) = changes.public {
        updated.public = public;
    }
    updated.updated_at = now();
    updated.version = author.version + 1;
    let guarded = authors::table.find(author.id).filter(authors::version.eq(author.version));
    if diesel::update(guarded).set(&AuthorRow::of(&updated)?).execute(conn)? == 0 {
        return Err(raced(conn, "author", current, author.version));
    }
    enqueue(conn, "author.updated", || serde_json::json!({ "author": author_state(&updated), "previous": previous }))?;
    Ok(updated)
}

pub(crate) fn delete_author(conn: &mut AnyConnection, slug: &Slug, expected: Option<i64>) -> Result<(), StoreError> {
    let author = read::taxonomy::author_by_slug(conn, slug)?.ok_or(StoreError::NotFound)?;
    check_version(author.version, expected)?;
    if diesel::delete(authors::table.find(author.id).filter(authors::version.eq(author.version))).execute(conn)? == 0 {
        return Err(raced(conn, "author", slug, author.version));
    }
    drop_listing(conn, "author", &author.id.to_string())?;
    enqueue(conn, "author.deleted", || serde_json::json!({ "author": author_state(&author) }))
}
