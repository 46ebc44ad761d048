//! The editor's JSON shapes: what the public sees, plus the Markdown
//! source, status, version, ownership and trash state.

use chrono::{DateTime, Utc};
use longform_domain::{Author, Category, Post, Revision, Tag, TocEntry, User, is_public};
use longform_persistence::Counted;
use serde::Serialize;

use crate::rest::wire::{AuthorJson, CardJson, TermJson};
use crate::site::Site;

/// A tag, category or author profile as the editor sees it: the public
/// shape, plus its id, its version, whether an editor made it `public`,
/// and whether the public site `listed` it now (it has a published post,
/// or was made public).
#[derive(Debug, Serialize)]
pub struct AdminTermJson<T: Serialize> {
    pub id: String,
    #[serde(flatten)]
    pub term: T,
    pub public: bool,
    pub listed: bool,
    pub version: i64,
}

impl AdminTermJson<TermJson> {
    pub fn tag(counted: &Counted<Tag>, site: &Site) -> Self {
        let tag = &counted.item;
        Self::of(tag.id.to_string(), TermJson::tag(counted, site), tag.public, tag.version, counted.published_posts)
    }

    pub fn category(counted: &Counted<Category>, site: &Site) -> Self {
        let category = &counted.item;
        let (public, version) = (category.public, category.version);
        Self::of(category.id.to_string(), TermJson::category(counted, site), public, version, counted.published_posts)
    }
}

impl AdminTermJson<AuthorJson> {
    pub fn author(counted: &Counted<Author>, site: &Site) -> Self {
        let author = &counted.item;
        let (public, version) = (author.public, author.version);
        Self::of(author.id.to_string(), AuthorJson::new(counted, site), public, version, counted.published_posts)
    }
}

impl<T: Serialize> AdminTermJson<T> {
    fn of(id: String, term: T, public: bool, version: i64, published_posts: i64) -> Self {
        Self { id, term, public, listed: is_public(public, published_posts), version }
    }
}

#[derive(Debug, Serialize)]
pub struct AdminPostJson {
    #[serde(flatten)]
    pub card: CardJson,
    pub status: &'static str,
    pub version: i64,
    pub markdown: String,
    pub html: String,
    pub toc: Vec<TocEntry>,
    pub custom_summary: bool,
    pub canonical_url: Option<String>,
    pub meta_title: Option<String>,
    pub meta_description: Option<String>,
    pub owner_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    /// The images shown without alt text, by address: the body's, then the
    /// feature image's. Allowed, but worth describing.
    pub missing_alt: Vec<String>,
}

impl AdminPostJson {
    pub fn new(post: &Post, site: &Site) -> Self {
        let body = &post.body;
        let html = crate::media::absolute_media(&body.html, &site.api_url).into_owned();
        let mut missing_alt = longform_domain::media::missing_alt(&html);
        if let Some(image) = post.card.feature_image.as_ref().filter(|image| image.alt.is_none()) {
            missing_alt.push(image.address(&site.api_url));
        }
        Self {
            missing_alt,
            card: CardJson::new(&post.card, site),
            status: post.card.status.as_str(),
            version: post.card.version,
            markdown: body.markdown.clone(),
            html,
            toc: body.toc.clone(),
            custom_summary: post.card.custom_summary,
            canonical_url: body.canonical_url.as_ref().map(|u| u.as_str().to_owned()),
            meta_title: body.meta_title.as_ref().map(ToString::to_string),
            meta_description: body.meta_description.as_ref().map(ToString::to_string),
            owner_id: post.card.owner.map(|o| o.to_string()),
            created_at: post.card.created_at,
            deleted_at: post.card.deleted_at,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct RevisionJson {
    pub number: u32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub user_id: Option<String>,
    /// The writer's name (null when the account is gone).
    pub user_name: Option<String>,
    pub title: String,
    pub markdown: String,
    pub metadata: longform_domain::RevisionMetadata,
}

impl From<&Revision> for RevisionJson {
    fn from(revision: &Revision) -> Self {
        Self {
            number: revision.number,
            created_at: revision.created_at,
            updated_at: revision.updated_at,
            user_id: revision.user_id.map(|u| u.to_string()),
            user_name: None,
            title: revision.title.to_string(),
            markdown: revision.markdown.clone(),
            metadata: revision.metadata.clone(),
        }
    }
}

/// An account as admins see it: never its password hash.
#[derive(Debug, Serialize)]
pub struct UserJson {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: String,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The account's ETag: `If-Match` on a change names it.
    pub version: i64,
}

impl From<&User> for UserJson {
    fn from(user: &User) -> Self {
        Self {
            id: user.id.to_string(),
            email: user.email.as_str().to_owned(),
            name: user.name.to_string(),
            role: user.role.to_string(),
            disabled: user.disabled,
            created_at: user.created_at,
            updated_at: user.updated_at,
            version: user.version,
        }
    }
}
