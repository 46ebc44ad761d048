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
    parse_value(Name::parse(&slug.as_str().replace('-', " ")))
}

/// Tags and categories have the same shape; one macro writes both repositories.
macro_rules! term_repository {
    ($module:ident, $table:ident, $ty:ident, $id:ty, $field:literal) => {
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
                $table::table.find(id).select(Row::as_select()).first(conn)?.try_into()
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

term_repository!(tag_repo, tags, Tag, longform_domain::TagId, "tags");
term_repository!(category_repo, categories, Category, longform_domain::CategoryId, "category");

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
        authors::table.find(id).select(AuthorRow::as_select()).first(conn)?.try_into()
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
                    let counts = crate::posts::published_counts(c, $kind)?;
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
                    let published_posts = crate::posts::published_count(c, $kind, &item.id.to_string())?;
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
