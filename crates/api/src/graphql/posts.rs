//! `Post`: a published post. Card fields come with the listing; the body
//! (`html`, `toc`, `canonicalUrl`, `meta*`) and `related` are loaded in one
//! batch for every post of a response that asks for them.

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use longform_domain::{PostBody, PostCard, WebUrl};

use super::connection::{checked_first, paged};
use super::error::GqlError;
use super::ids::{NodeKind, encode};
use super::loaders::{BodyLoader, RelatedKey, RelatedLoader, loader, state};
use super::taxonomy::{Author, Category, PER_POST, Tag};

/// The most related posts one post lists.
pub const MAX_RELATED: u32 = 10;

/// A published post. `body` is set when the post was read whole (by slug
/// or id); in a listing it is loaded on demand, in one batch.
pub struct Post {
    card: PostCard,
    body: Option<PostBody>,
}

impl Post {
    pub fn from_card(card: PostCard) -> Self {
        Self { card, body: None }
    }

    pub fn whole(post: longform_domain::Post) -> Self {
        Self { card: post.card, body: Some(post.body) }
    }

    async fn body<'a>(&'a self, ctx: &Context<'a>) -> Result<std::borrow::Cow<'a, PostBody>, GqlError> {
        if let Some(body) = &self.body {
            return Ok(std::borrow::Cow::Borrowed(body));
        }
        match loader::<BodyLoader>(ctx)?.load_one(self.card.id).await? {
            Some(body) => Ok(std::borrow::Cow::Owned(body)),
            None => {
                tracing::error!(post.id = %self.card.id, "a listed post has no body");
                Err(GqlError::Internal)
            }
        }
    }
}

/// A published post.
#[Object]
impl Post {
    pub async fn id(&self) -> ID {
        encode(NodeKind::Post, self.card.id.as_uuid())
    }

    async fn slug(&self) -> &str {
        self.card.slug.as_str()
    }

    async fn title(&self) -> &str {
        self.card.title.as_str()
    }

    /// The summary shown on cards: written by hand or taken from the body.
    async fn summary(&self) -> &str {
        &self.card.summary
    }

    async fn published_at(&self) -> DateTime<Utc> {
        self.card.published_at.unwrap_or(self.card.updated_at)
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.card.updated_at
    }

    async fn reading_time_minutes(&self) -> u32 {
        self.card.reading_time_minutes
    }

    async fn word_count(&self) -> u32 {
        self.card.word_count
    }

    async fn featured(&self) -> bool {
        self.card.featured
    }

    /// The article's page on the site.
    async fn url(&self, ctx: &Context<'_>) -> Result<String, GqlError> {
        Ok(state(ctx)?.site.post_url(self.card.slug.as_str()))
    }

    async fn feature_image(&self) -> Option<FeatureImage> {
        self.card
            .feature_image
            .as_ref()
            .map(|image| FeatureImage { url: image.url.as_str().to_owned(), alt: image.alt.clone() })
    }

    async fn category(&self) -> Option<Category> {
        self.card.category.clone().map(Category::new)
    }

    /// The first of `tags`.
    async fn primary_tag(&self) -> Option<Tag> {
        self.card.primary_tag().cloned().map(Tag::new)
    }

    /// In the order the editor gave them.
    #[graphql(complexity = "PER_POST * child_complexity + 1")]
    async fn tags(&self) -> Vec<Tag> {
        self.card.tags.iter().cloned().map(Tag::new).collect()
    }

    /// The first of `authors`.
    async fn primary_author(&self) -> Option<Author> {
        self.card.primary_author().cloned().map(Author::new)
    }

    #[graphql(complexity = "PER_POST * child_complexity + 1")]
    async fn authors(&self) -> Vec<Author> {
        self.card.authors.iter().cloned().map(Author::new).collect()
    }

    /// The body as sanitised HTML.
    async fn html(&self, ctx: &Context<'_>) -> Result<String, GqlError> {
        Ok(self.body(ctx).await?.html.clone())
    }

    /// The headings of `html`, in order; `id` is the anchor in `html`.
    async fn toc(&self, ctx: &Context<'_>) -> Result<Vec<TocEntry>, GqlError> {
        let body = self.body(ctx).await?;
        Ok(body
            .toc
            .iter()
            .map(|e| TocEntry { level: i32::from(e.level), text: e.text.clone(), id: e.id.clone() })
            .collect())
    }

    async fn canonical_url(&self, ctx: &Context<'_>) -> Result<Option<String>, GqlError> {
        Ok(self.body(ctx).await?.canonical_url.as_ref().map(WebUrl::as_str).map(str::to_owned))
    }

    async fn meta_title(&self, ctx: &Context<'_>) -> Result<Option<String>, GqlError> {
        Ok(self.body(ctx).await?.meta_title.as_ref().map(|t| t.as_str().to_owned()))
    }

    async fn meta_description(&self, ctx: &Context<'_>) -> Result<Option<String>, GqlError> {
        Ok(self.body(ctx).await?.meta_description.as_ref().map(|d| d.as_str().to_owned()))
    }

    /// Published posts sharing the most tags with this one, newest first
    /// among equals. `first`: 1 to 10.
    #[graphql(complexity = "paged(first, child_complexity)")]
    async fn related(&self, ctx: &Context<'_>, #[graphql(default = 3)] first: i32) -> Result<Vec<Post>, GqlError> {
        let limit = checked_first(first, MAX_RELATED)? as usize;
        let key = RelatedKey { post: self.card.id, limit };
        let cards = loader::<RelatedLoader>(ctx)?.load_one(key).await?.unwrap_or_default();
        Ok(cards.into_iter().map(Post::from_card).collect())
    }
}

#[derive(SimpleObject)]
pub struct FeatureImage {
    url: String,
    alt: Option<String>,
}

/// One heading of a post.
#[derive(SimpleObject)]
pub struct TocEntry {
    /// 1 to 6, as in `<h1>`..`<h6>`.
    level: i32,
    text: String,
    /// The heading's anchor in `html`.
    id: String,
}
