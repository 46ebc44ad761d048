//! Tags, categories and author profiles: the sluggable things a post points
//! at. An author profile holds nothing private by construction: it has no
//! email, role or login; the account behind it is a `User`. Each one is
//! public only once it has a published post, or when an editor makes it
//! public on purpose ([`is_public`]): one created with a draft must not
//! tell the world what the draft is about.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{AuthorId, CategoryId, TagId, UserId};
use crate::slug::Slug;
use crate::values::{Description, Name, WebUrl};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    pub id: TagId,
    pub slug: Slug,
    pub name: Name,
    pub description: Option<Description>,
    /// Public before it has a published post, by an editor's choice.
    pub public: bool,
    /// Its ETag: each write adds one.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    pub id: CategoryId,
    pub slug: Slug,
    pub name: Name,
    pub description: Option<Description>,
    /// Public before it has a published post, by an editor's choice.
    pub public: bool,
    /// Its ETag: each write adds one.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A labelled link on an author's profile ("GitHub", "Mastodon", ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileLink {
    pub label: Name,
    pub url: WebUrl,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Author {
    pub id: AuthorId,
    pub slug: Slug,
    pub name: Name,
    pub bio: Option<Description>,
    pub avatar_url: Option<WebUrl>,
    pub website: Option<WebUrl>,
    pub links: Vec<ProfileLink>,
    /// The account that writes as this author, if any (guest authors have none).
    pub user_id: Option<UserId>,
    /// Public before it has a published post, by an editor's choice.
    pub public: bool,
    /// Its ETag: each write adds one.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Whether a tag, category or author profile is public: listed, with its
/// own page and feeds. `public` is the editor's choice; `published_posts`
/// how many published posts it has now.
pub fn is_public(public: bool, published_posts: i64) -> bool {
    public || published_posts > 0
}

/// A new tag or category: a name and a slug (derived from the name when not given).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTerm {
    pub slug: Slug,
    pub name: Name,
    pub description: Option<Description>,
    /// Public before it has a published post.
    pub public: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuthor {
    pub slug: Slug,
    pub name: Name,
    pub bio: Option<Description>,
    pub avatar_url: Option<WebUrl>,
    pub website: Option<WebUrl>,
    pub links: Vec<ProfileLink>,
    pub user_id: Option<UserId>,
    /// Public before it has a published post.
    pub public: bool,
}
