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
    /// Public before it has a published post, by an editor's choice.
    pub public: bool,
    pub version: i64,
}

impl From<Tag> for Term {
    fn from(t: Tag) -> Self {
        let (public, version) = (t.public, t.version);
        Self { id: t.id.to_string(), slug: t.slug, name: t.name, description: t.description, public, version }
    }
}

impl From<Category> for Term {
    fn from(c: Category) -> Self {
        let (public, version) = (c.public, c.version);
        Self { id: c.id.to_string(), slug: c.slug, name: c.name, description: c.description, public, version }
    }
}

/// Changes to a tag or category; `None` keeps a field, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct TermChanges {
    pub slug: Option<Slug>,
    pub name: Option<Name>,
    pub description: Option<Option<Description>>,
    pub public: Option<bool>,
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
    pub public: Option<bool>,
}
