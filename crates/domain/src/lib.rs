//! Longform's blog domain: posts, tags, categories, authors and users, with
//! the values that validate when built and the rules that govern them. It
//! knows nothing of HTTP or SQL.

pub mod content;
pub mod error;
pub mod frontmatter;
pub mod ids;
pub mod markdown;
pub mod media;
pub mod nql;
pub mod policy;
pub mod post;
pub mod revision;
pub mod search;
pub mod secret;
pub mod slug;
pub mod status;
pub mod taxonomy;
pub mod text;
pub mod user;
pub mod values;
pub mod webhook;

pub use content::PostContent;
pub use error::{DomainError, FieldError, InvalidKind};
pub use ids::{AuthorId, CategoryId, DeliveryId, MediaId, PostId, TagId, UserId, WebhookId};
pub use markdown::TocEntry;
pub use policy::{Actor, PostFacts, TokenScope};
pub use post::{FeatureImage, FeatureMedia, Markdown, Post, PostBody, PostCard, PostDraft};
pub use revision::{Revision, RevisionMetadata};
pub use search::{SearchQuery, SearchQueryError};
pub use secret::Secret;
pub use slug::{Slug, SlugError};
pub use status::{Lifecycle, Move, PostStatus};
pub use taxonomy::{Author, Category, NewAuthor, NewTerm, ProfileLink, Tag, is_public};
pub use user::{NewUser, Password, PasswordHash, Role, User};
pub use values::{
    AltText, Caption, Description, Email, MediaAlt, MetaDescription, MetaTitle, Name, Summary, Title, WebUrl,
};
