//! Tags, categories and author profiles, as the editor changes them.

use longform_domain::{Category, Description, Name, ProfileLink, Slug, Tag, WebUrl};

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
