//! Tag, category and author-profile rows.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use longform_domain::{
    Author, AuthorId, Category, CategoryId, Description, Name, NewAuthor, NewTerm, ProfileLink, Slug, Tag, TagId,
    UserId, WebUrl,
};

use super::{from_json, parse_optional, parse_value, to_json};
use crate::error::StoreError;
use crate::schema::{authors, categories, tags};
use crate::time::{from_db, to_db};

/// Tags and categories have the same columns; one macro writes both rows.
macro_rules! term_row {
    ($row:ident, $table:ident, $ty:ident, $id:ty) => {
        #[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
        #[diesel(table_name = $table, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite), treat_none_as_null = true)]
        pub(crate) struct $row {
            pub(crate) id: $id,
            pub(crate) slug: String,
            pub(crate) name: String,
            pub(crate) description: Option<String>,
            pub(crate) created_at: NaiveDateTime,
            pub(crate) updated_at: NaiveDateTime,
            pub(crate) public: bool,
            pub(crate) version: i64,
        }

        impl $row {
            pub(crate) fn new(new: &NewTerm, at: DateTime<Utc>) -> Self {
                Self {
                    id: <$id>::new(),
                    slug: new.slug.to_string(),
                    name: new.name.to_string(),
                    description: new.description.as_ref().map(|d| d.as_str().to_owned()),
                    created_at: to_db(at),
                    updated_at: to_db(at),
                    public: new.public,
                    version: 1,
                }
            }
        }

        impl TryFrom<$row> for $ty {
            type Error = StoreError;
            fn try_from(row: $row) -> Result<Self, StoreError> {
                Ok($ty {
                    id: row.id,
                    slug: parse_value(Slug::parse(&row.slug))?,
                    name: parse_value(Name::parse(&row.name))?,
                    description: parse_optional(row.description, Description::parse)?,
                    public: row.public,
                    version: row.version,
                    created_at: from_db(row.created_at),
                    updated_at: from_db(row.updated_at),
                })
            }
        }

        impl From<&$ty> for $row {
            fn from(term: &$ty) -> Self {
                Self {
                    id: term.id,
                    slug: term.slug.to_string(),
                    name: term.name.to_string(),
                    description: term.description.as_ref().map(|d| d.as_str().to_owned()),
                    created_at: to_db(term.created_at),
                    updated_at: to_db(term.updated_at),
                    public: term.public,
                    version: term.version,
                }
            }
        }
    };
}

term_row!(TagRow, tags, Tag, TagId);
term_row!(CategoryRow, categories, Category, CategoryId);

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = authors, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite), treat_none_as_null = true)]
pub(crate) struct AuthorRow {
    pub(crate) id: AuthorId,
    pub(crate) slug: String,
    pub(crate) name: String,
    pub(crate) bio: Option<String>,
    pub(crate) avatar_url: Option<String>,
    pub(crate) website: Option<String>,
    pub(crate) links: String,
    pub(crate) user_id: Option<UserId>,
    pub(crate) created_at: NaiveDateTime,
    pub(crate) updated_at: NaiveDateTime,
    pub(crate) public: bool,
    pub(crate) version: i64,
}

impl AuthorRow {
    pub(crate) fn new(new: &NewAuthor, at: DateTime<Utc>) -> Result<Self, StoreError> {
        Ok(Self {
            id: AuthorId::new(),
            slug: new.slug.to_string(),
            name: new.name.to_string(),
            bio: new.bio.as_ref().map(|d| d.as_str().to_owned()),
            avatar_url: new.avatar_url.as_ref().map(|u| u.as_str().to_owned()),
            website: new.website.as_ref().map(|u| u.as_str().to_owned()),
            links: to_json(&new.links)?,
            user_id: new.user_id,
            created_at: to_db(at),
            updated_at: to_db(at),
            public: new.public,
            version: 1,
        })
    }

    pub(crate) fn of(author: &Author) -> Result<Self, StoreError> {
        Ok(Self {
            id: author.id,
            slug: author.slug.to_string(),
            name: author.name.to_string(),
            bio: author.bio.as_ref().map(|d| d.as_str().to_owned()),
            avatar_url: author.avatar_url.as_ref().map(|u| u.as_str().to_owned()),
            website: author.website.as_ref().map(|u| u.as_str().to_owned()),
            links: to_json(&author.links)?,
            user_id: author.user_id,
            created_at: to_db(author.created_at),
            updated_at: to_db(author.updated_at),
            public: author.public,
            version: author.version,
        })
    }
}

impl TryFrom<AuthorRow> for Author {
    type Error = StoreError;
    fn try_from(row: AuthorRow) -> Result<Self, StoreError> {
        let links: Vec<ProfileLink> = from_json("author links", &row.links)?;
        Ok(Author {
            id: row.id,
            slug: parse_value(Slug::parse(&row.slug))?,
            name: parse_value(Name::parse(&row.name))?,
            bio: parse_optional(row.bio, Description::parse)?,
            avatar_url: parse_optional(row.avatar_url, |s| WebUrl::parse_field("avatar_url", s))?,
            website: parse_optional(row.website, |s| WebUrl::parse_field("website", s))?,
            links,
            user_id: row.user_id,
            public: row.public,
            version: row.version,
            created_at: from_db(row.created_at),
            updated_at: from_db(row.updated_at),
        })
    }
}
