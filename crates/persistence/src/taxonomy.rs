//! Tags, categories and author profiles: lookups by slug, creation, and
//! the batched loads that resolve the taxonomy of a page of posts in one
//! statement each.

use std::collections::HashMap;

use diesel::prelude::*;
use longform_domain::{
    Author, AuthorId, Category, Description, FieldError, InvalidKind, Name, NewAuthor, NewTerm, ProfileLink, Slug, Tag,
    WebUrl,
};

use crate::db::AnyConnection;
use crate::error::StoreError;
use crate::rows::{parse_id, parse_optional, parse_value};
use crate::schema::{authors, categories, post_authors, post_tags, tags};
use crate::store::{Store, from_db, now, to_db};

/// Whether slugs that name no existing tag, category or author create one
/// (editors) or are refused (contributors).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    Create,
    Refuse,
}

/// A name for a term created from a bare slug: "memory-models" -> "memory models".
fn name_from_slug(slug: &Slug) -> Result<Name, StoreError> {
    // Slugs may be longer than names: keep the first words that fit.
    let words = slug.as_str().replace('-', " ");
    let cut: String = words.chars().take(Name::MAX_CHARS).collect();
    parse_value(Name::parse(&cut))
}

/// Tags and categories have the same shape; one macro writes both repositories.
macro_rules! term_repository {
    ($module:ident, $table:ident, $ty:ident, $id:ty, $field:literal, $event:literal) => {
        pub mod $module {
            use super::*;

            #[derive(Queryable, Selectable)]
            #[diesel(table_name = $table, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
            pub(crate) struct Row {
                id: String,
                slug: String,
                name: String,
                description: Option<String>,
                created_at: chrono::NaiveDateTime,
                updated_at: chrono::NaiveDateTime,
            }

            impl TryFrom<Row> for $ty {
                type Error = StoreError;
                fn try_from(row: Row) -> Result<Self, StoreError> {
                    Ok($ty {
                        id: parse_id(&row.id)?,
                        slug: parse_value(Slug::parse(&row.slug))?,
                        name: parse_value(Name::parse(&row.name))?,
                        description: parse_optional(row.description, Description::parse)?,
                        created_at: from_db(row.created_at),
                        updated_at: from_db(row.updated_at),
                    })
                }
            }

            /// Insert; a taken slug is a conflict on `slug`.
            pub fn insert(conn: &mut AnyConnection, new: &NewTerm) -> Result<$ty, StoreError> {
                let at = to_db(now());
                let id: String = diesel::insert_into($table::table)
                    .values((
                        $table::id.eq(<$id>::new().to_string()),
                        $table::slug.eq(new.slug.as_str()),
                        $table::name.eq(new.name.as_str()),
                        $table::description.eq(new.description.as_ref().map(Description::as_str)),
                        $table::created_at.eq(at),
                        $table::updated_at.eq(at),
                    ))
                    .returning($table::id)
                    .get_result(conn)?;
                let term: $ty = $table::table.find(id).select(Row::as_select()).first(conn)?.try_into()?;
                let state = Term::from(term.clone()).state();
                crate::outbox::enqueue(conn, concat!($event, ".created"), || serde_json::json!({ $event: state }))?;
                Ok(term)
            }

            pub fn find_by_slug(conn: &mut AnyConnection, slug: &Slug) -> Result<Option<$ty>, StoreError> {
                $table::table
                    .filter($table::slug.eq(slug.as_str()))
                    .select(Row::as_select())
                    .first(conn)
                    .optional()?
                    .map($ty::try_from)
                    .transpose()
            }

            pub fn list(conn: &mut AnyConnection) -> Result<Vec<$ty>, StoreError> {
                $table::table
                    .order($table::slug.asc())
                    .select(Row::as_select())
                    .load(conn)?
                    .into_iter()
                    .map($ty::try_from)
                    .collect()
            }

            pub fn by_ids(conn: &mut AnyConnection, ids: &[String]) -> Result<HashMap<String, $ty>, StoreError> {
                $table::table
                    .filter($table::id.eq_any(ids))
                    .select(Row::as_select())
                    .load(conn)?
                    .into_iter()
                    .map(|row| $ty::try_from(row).map(|t| (t.id.to_string(), t)))
                    .collect()
            }

            /// The terms named by `slugs`, in that order, creating missing ones
            /// or refusing them per `missing`.
            pub fn ensure(conn: &mut AnyConnection, slugs: &[Slug], missing: Missing) -> Result<Vec<$ty>, StoreError> {
                let names: Vec<&str> = slugs.iter().map(Slug::as_str).collect();
                let mut found: HashMap<String, $ty> = $table::table
                    .filter($table::slug.eq_any(&names))
                    .select(Row::as_select())
                    .load(conn)?
                    .into_iter()
                    .map(|row| $ty::try_from(row).map(|t| (t.slug.to_string(), t)))
                    .collect::<Result<_, _>>()?;
                let mut out = Vec::with_capacity(slugs.len());
                for slug in slugs {
                    if let Some(term) = found.remove(slug.as_str()) {
                        out.push(term);
                        continue;
                    }
                    if missing == Missing::Refuse {
                        let unknown = InvalidKind::Unknown(slug.to_string());
                        return Err(StoreError::Domain(FieldError::new($field, unknown).into()));
                    }
                    let new = NewTerm { slug: slug.clone(), name: name_from_slug(slug)?, description: None };
                    out.push(insert_or_get(conn, &new)?);
                }
                Ok(out)
            }

            /// Insert in a savepoint so that a concurrent writer creating the
            /// same slug first (PostgreSQL) costs a re-read, not the transaction.
            fn insert_or_get(conn: &mut AnyConnection, new: &NewTerm) -> Result<$ty, StoreError> {
                match conn.transaction(|c| insert(c, new)) {
                    Err(StoreError::Conflict { .. }) => find_by_slug(conn, &new.slug)?.ok_or(StoreError::NotFound),
                    other => other,
                }
            }
        }
    };
}

term_repository!(tag_repo, tags, Tag, longform_domain::TagId, "tags", "tag");
term_repository!(category_repo, categories, Category, longform_domain::CategoryId, "category", "category");

/// Tags of each post in `post_ids`, in each post's order.
pub(crate) fn tags_of(conn: &mut AnyConnection, post_ids: &[String]) -> Result<HashMap<String, Vec<Tag>>, StoreError> {
    let rows: Vec<(String, tag_repo::Row)> = post_tags::table
        .inner_join(tags::table)
        .filter(post_tags::post_id.eq_any(post_ids))
        .order((post_tags::post_id, post_tags::position))
        .select((post_tags::post_id, tag_repo::Row::as_select()))
        .load(conn)?;
    let mut out: HashMap<String, Vec<Tag>> = HashMap::new();
    for (post_id, row) in rows {
        out.entry(post_id).or_default().push(row.try_into()?);
    }
    Ok(out)
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = authors, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub(crate) struct AuthorRow {
    id: String,
    slug: String,
    name: String,
    bio: Option<String>,
    avatar_url: Option<String>,
    website: Option<String>,
    links: String,
    user_id: Option<String>,
    created_at: chrono::NaiveDateTime,
    updated_at: chrono::NaiveDateTime,
}

impl TryFrom<AuthorRow> for Author {
    type Error = StoreError;
    fn try_from(row: AuthorRow) -> Result<Self, StoreError> {
        let links: Vec<ProfileLink> =
            serde_json::from_str(&row.links).map_err(|e| StoreError::Corrupt(format!("author links: {e}")))?;
        Ok(Author {
            id: parse_id(&row.id)?,
            slug: parse_value(Slug::parse(&row.slug))?,
            name: parse_value(Name::parse(&row.name))?,
            bio: parse_optional(row.bio, Description::parse)?,
            avatar_url: parse_optional(row.avatar_url, |s| WebUrl::parse_field("avatar_url", s))?,
            website: parse_optional(row.website, |s| WebUrl::parse_field("website", s))?,
            links,
            user_id: row.user_id.as_deref().map(parse_id).transpose()?,
            created_at: from_db(row.created_at),
            updated_at: from_db(row.updated_at),
        })
    }
}

pub mod author_repo {
    use super::*;

    /// Insert; a taken slug is a conflict on `slug`, a user with a profile already on `user_id`.
    pub fn insert(conn: &mut AnyConnection, new: &NewAuthor) -> Result<Author, StoreError> {
        let at = to_db(now());
        let links = serde_json::to_string(&new.links).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let id: String = diesel::insert_into(authors::table)
            .values((
                authors::id.eq(AuthorId::new().to_string()),
                authors::slug.eq(new.slug.as_str()),
                authors::name.eq(new.name.as_str()),
                authors::bio.eq(new.bio.as_ref().map(Description::as_str)),
                authors::avatar_url.eq(new.avatar_url.as_ref().map(WebUrl::as_str)),
                authors::website.eq(new.website.as_ref().map(WebUrl::as_str)),
                authors::links.eq(links),
                authors::user_id.eq(new.user_id.map(|id| id.to_string())),
                authors::created_at.eq(at),
                authors::updated_at.eq(at),
            ))
            .returning(authors::id)
            .get_result(conn)?;
        let author: Author = authors::table.find(id).select(AuthorRow::as_select()).first(conn)?.try_into()?;
        crate::outbox::enqueue(conn, "author.created", || serde_json::json!({ "author": author_state(&author) }))?;
        Ok(author)
    }

    pub fn find_by_slug(conn: &mut AnyConnection, slug: &Slug) -> Result<Option<Author>, StoreError> {
        authors::table
            .filter(authors::slug.eq(slug.as_str()))
            .select(AuthorRow::as_select())
            .first(conn)
            .optional()?
            .map(Author::try_from)
            .transpose()
    }

    pub fn list(conn: &mut AnyConnection) -> Result<Vec<Author>, StoreError> {
        authors::table
            .order(authors::slug.asc())
            .select(AuthorRow::as_select())
            .load(conn)?
            .into_iter()
            .map(Author::try_from)
            .collect()
    }

    /// The authors named by `slugs`, in order, creating missing ones (as
    /// guest profiles) or refusing them per `missing`.
    pub fn ensure(conn: &mut AnyConnection, slugs: &[Slug], missing: Missing) -> Result<Vec<Author>, StoreError> {
        let mut out = Vec::with_capacity(slugs.len());
        for slug in slugs {
            if let Some(author) = find_by_slug(conn, slug)? {
                out.push(author);
                continue;
            }
            if missing == Missing::Refuse {
                let unknown = InvalidKind::Unknown(slug.to_string());
                return Err(StoreError::Domain(FieldError::new("authors", unknown).into()));
            }
            let new = NewAuthor {
                slug: slug.clone(),
                name: name_from_slug(slug)?,
                bio: None,
                avatar_url: None,
                website: None,
                links: Vec::new(),
                user_id: None,
            };
            out.push(match conn.transaction(|c| insert(c, &new)) {
                Err(StoreError::Conflict { .. }) => find_by_slug(conn, slug)?.ok_or(StoreError::NotFound)?,
                other => other?,
            });
        }
        Ok(out)
    }
}

/// Authors of each post in `post_ids`, in each post's order.
pub(crate) fn authors_of(
    conn: &mut AnyConnection,
    post_ids: &[String],
) -> Result<HashMap<String, Vec<Author>>, StoreError> {
    let rows: Vec<(String, AuthorRow)> = post_authors::table
        .inner_join(authors::table)
        .filter(post_authors::post_id.eq_any(post_ids))
        .order((post_authors::post_id, post_authors::position))
        .select((post_authors::post_id, AuthorRow::as_select()))
        .load(conn)?;
    let mut out: HashMap<String, Vec<Author>> = HashMap::new();
    for (post_id, row) in rows {
        out.entry(post_id).or_default().push(row.try_into()?);
    }
    Ok(out)
}

/// A tag, category or author with its number of published posts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counted<T> {
    pub item: T,
    pub published_posts: i64,
}

macro_rules! counted_reads {
    ($list:ident, $one:ident, $repo:ident, $ty:ty, $kind:literal) => {
        /// Every one, by slug, with its published post count (two statements).
        pub async fn $list(&self) -> Result<Vec<Counted<$ty>>, StoreError> {
            self.0
                .read(|c| {
                    let counts = crate::listing::published_counts(c, $kind)?;
                    Ok($repo::list(c)?
                        .into_iter()
                        .map(|item| {
                            let published_posts = counts.get(&item.id.to_string()).copied().unwrap_or(0);
                            Counted { item, published_posts }
                        })
                        .collect())
                })
                .await
        }

        /// One by slug, with its published post count.
        pub async fn $one(&self, slug: Slug) -> Result<Option<Counted<$ty>>, StoreError> {
            self.0
                .read(move |c| {
                    let Some(item) = $repo::find_by_slug(c, &slug)? else { return Ok(None) };
                    let published_posts = crate::listing::published_count(c, $kind, &item.id.to_string())?;
                    Ok(Some(Counted { item, published_posts }))
                })
                .await
        }
    };
}

/// The async repositories.
pub struct Taxonomy<'a>(&'a Store);

impl Taxonomy<'_> {
    counted_reads!(tags_counted, tag_counted, tag_repo, Tag, "tag");
    counted_reads!(categories_counted, category_counted, category_repo, Category, "category");
    counted_reads!(authors_counted, author_counted, author_repo, Author, "author");
}

impl Store {
    pub fn taxonomy(&self) -> Taxonomy<'_> {
        Taxonomy(self)
    }
}

impl Taxonomy<'_> {
    pub async fn create_tag(&self, new: NewTerm) -> Result<Tag, StoreError> {
        self.0.write(move |c| tag_repo::insert(c, &new)).await
    }

    pub async fn tags(&self) -> Result<Vec<Tag>, StoreError> {
        self.0.read(tag_repo::list).await
    }

    pub async fn create_category(&self, new: NewTerm) -> Result<Category, StoreError> {
        self.0.write(move |c| category_repo::insert(c, &new)).await
    }

    pub async fn categories(&self) -> Result<Vec<Category>, StoreError> {
        self.0.read(category_repo::list).await
    }

    pub async fn create_author(&self, new: NewAuthor) -> Result<Author, StoreError> {
        self.0.write(move |c| author_repo::insert(c, &new)).await
    }

    pub async fn authors(&self) -> Result<Vec<Author>, StoreError> {
        self.0.read(author_repo::list).await
    }
}

/// Tags and categories, for code that handles either.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TermKind {
    Tag,
    Category,
}

impl TermKind {
    pub fn singular(self) -> &'static str {
        match self {
            Self::Tag => "tag",
            Self::Category => "category",
        }
    }
}

/// A tag or a category, as the editor API shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub id: String,
    pub slug: Slug,
    pub name: Name,
    pub description: Option<Description>,
}

impl Term {
    /// What a webhook event says of it.
    fn state(&self) -> serde_json::Value {
        serde_json::json!({
            "id": self.id,
            "slug": self.slug.as_str(),
            "name": self.name.as_str(),
            "description": self.description.as_ref().map(Description::as_str),
        })
    }
}

impl From<Tag> for Term {
    fn from(t: Tag) -> Self {
        Self { id: t.id.to_string(), slug: t.slug, name: t.name, description: t.description }
    }
}

impl From<Category> for Term {
    fn from(c: Category) -> Self {
        Self { id: c.id.to_string(), slug: c.slug, name: c.name, description: c.description }
    }
}

/// Changes to an author profile; `None` keeps a field, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct AuthorChanges {
    pub slug: Option<Slug>,
    pub name: Option<Name>,
    pub bio: Option<Option<Description>>,
    pub avatar_url: Option<Option<WebUrl>>,
    pub website: Option<Option<WebUrl>>,
    pub links: Option<Vec<ProfileLink>>,
}

/// Run `$body` with `$table` naming the kind's table (tags and categories
/// have the same columns, but are distinct types to Diesel).
macro_rules! with_term_table {
    ($kind:expr, |$table:ident| $body:block) => {
        match $kind {
            TermKind::Tag => {
                use crate::schema::tags as $table;
                $body
            }
            TermKind::Category => {
                use crate::schema::categories as $table;
                $body
            }
        }
    };
}

fn term_by_slug(conn: &mut AnyConnection, kind: TermKind, slug: &Slug) -> Result<Term, StoreError> {
    let found = match kind {
        TermKind::Tag => tag_repo::find_by_slug(conn, slug)?.map(Term::from),
        TermKind::Category => category_repo::find_by_slug(conn, slug)?.map(Term::from),
    };
    found.ok_or(StoreError::NotFound)
}

pub fn update_term(
    conn: &mut AnyConnection,
    kind: TermKind,
    current: &Slug,
    slug: Option<Slug>,
    name: Option<Name>,
    description: Option<Option<Description>>,
) -> Result<Term, StoreError> {
    let term = term_by_slug(conn, kind, current)?;
    let new_slug = slug.unwrap_or_else(|| term.slug.clone());
    let new_name = name.unwrap_or_else(|| term.name.clone());
    let new_description = description.unwrap_or_else(|| term.description.clone());
    with_term_table!(kind, |table| {
        diesel::update(table::table.find(&term.id))
            .set((
                table::slug.eq(new_slug.as_str()),
                table::name.eq(new_name.as_str()),
                table::description.eq(new_description.as_ref().map(Description::as_str)),
                table::updated_at.eq(to_db(now())),
            ))
            .execute(conn)?;
    });
    if kind == TermKind::Tag && new_name != term.name {
        let tagged = crate::search::tagged_posts(conn, &term.id)?;
        crate::search::reindex(conn, &tagged)?;
    }
    let updated = term_by_slug(conn, kind, &new_slug)?;
    let event = format!("{}.updated", kind.singular());
    let data = || serde_json::json!({ kind.singular(): updated.state(), "previous": term.state() });
    crate::outbox::enqueue(conn, &event, data)?;
    Ok(updated)
}

/// Delete a tag or category; its posts lose it and leave its listing.
pub fn delete_term(conn: &mut AnyConnection, kind: TermKind, slug: &Slug) -> Result<(), StoreError> {
    let term = term_by_slug(conn, kind, slug)?;
    let tagged = if kind == TermKind::Tag { crate::search::tagged_posts(conn, &term.id)? } else { Vec::new() };
    with_term_table!(kind, |table| {
        diesel::delete(table::table.find(&term.id)).execute(conn)?;
    });
    crate::listing::drop_listing(conn, kind.singular(), &term.id)?;
    crate::search::reindex(conn, &tagged)?;
    let event = format!("{}.deleted", kind.singular());
    crate::outbox::enqueue(conn, &event, || serde_json::json!({ kind.singular(): term.state() }))
}

pub fn update_author(conn: &mut AnyConnection, current: &Slug, changes: &AuthorChanges) -> Result<Author, StoreError> {
    let author = author_repo::find_by_slug(conn, current)?.ok_or(StoreError::NotFound)?;
    let previous = author_state(&author);
    let slug = changes.slug.clone().unwrap_or(author.slug);
    let links = changes.links.clone().unwrap_or(author.links);
    let links = serde_json::to_string(&links).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    diesel::update(authors::table.find(author.id.to_string()))
        .set((
            authors::slug.eq(slug.as_str()),
            authors::name.eq(changes.name.as_ref().unwrap_or(&author.name).as_str()),
            authors::bio.eq(changes.bio.clone().unwrap_or(author.bio).as_ref().map(Description::as_str)),
            authors::avatar_url.eq(changes
                .avatar_url
                .clone()
                .unwrap_or(author.avatar_url)
                .as_ref()
                .map(WebUrl::as_str)),
            authors::website.eq(changes.website.clone().unwrap_or(author.website).as_ref().map(WebUrl::as_str)),
            authors::links.eq(links),
            authors::updated_at.eq(to_db(now())),
        ))
        .execute(conn)?;
    let updated = author_repo::find_by_slug(conn, &slug)?.ok_or(StoreError::NotFound)?;
    let data = || serde_json::json!({ "author": author_state(&updated), "previous": previous });
    crate::outbox::enqueue(conn, "author.updated", data)?;
    Ok(updated)
}

/// What a webhook event says of an author profile.
fn author_state(author: &Author) -> serde_json::Value {
    serde_json::json!({
        "id": author.id,
        "slug": author.slug.as_str(),
        "name": author.name.as_str(),
        "bio": author.bio.as_ref().map(Description::as_str),
        "avatar_url": author.avatar_url.as_ref().map(WebUrl::as_str),
        "website": author.website.as_ref().map(WebUrl::as_str),
    })
}

pub fn delete_author(conn: &mut AnyConnection, slug: &Slug) -> Result<(), StoreError> {
    let author = author_repo::find_by_slug(conn, slug)?.ok_or(StoreError::NotFound)?;
    diesel::delete(authors::table.find(author.id.to_string())).execute(conn)?;
    crate::listing::drop_listing(conn, "author", &author.id.to_string())?;
    crate::outbox::enqueue(conn, "author.deleted", || serde_json::json!({ "author": author_state(&author) }))
}

impl Taxonomy<'_> {
    pub async fn create_term(&self, kind: TermKind, new: NewTerm) -> Result<Term, StoreError> {
        self.0
            .write(move |c| match kind {
                TermKind::Tag => tag_repo::insert(c, &new).map(Term::from),
                TermKind::Category => category_repo::insert(c, &new).map(Term::from),
            })
            .await
    }

    pub async fn update_term(
        &self,
        kind: TermKind,
        current: Slug,
        slug: Option<Slug>,
        name: Option<Name>,
        description: Option<Option<Description>>,
    ) -> Result<Term, StoreError> {
        self.0.write(move |c| update_term(c, kind, &current, slug, name, description)).await
    }

    pub async fn delete_term(&self, kind: TermKind, slug: Slug) -> Result<(), StoreError> {
        self.0.write(move |c| delete_term(c, kind, &slug)).await
    }

    pub async fn update_author(&self, current: Slug, changes: AuthorChanges) -> Result<Author, StoreError> {
        self.0.write(move |c| update_author(c, &current, &changes)).await
    }

    pub async fn delete_author(&self, slug: Slug) -> Result<(), StoreError> {
        self.0.write(move |c| delete_author(c, &slug)).await
    }
}
