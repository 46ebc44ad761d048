//! The schema's object types: posts, pages of posts, tags, categories and
//! authors. They refer to each other (a post has tags, a tag has posts),
//! so they live in one module; the values they share are in `values`, the
//! arguments they check in `args`. Public fields only: an author is a
//! public profile, and the account behind it (email, role, login) is not
//! part of this schema at all, so no query can reach it.

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use longform_domain::{PostBody, PostCard, WebUrl};
use longform_persistence::{Counted, Keyset, ListingFilter, MAX_PAGE_SIZE, Page};

use super::args::{MAX_RELATED, PER_POST, READ, checked_first, paged};
use super::error::GqlError;
use super::ids::{NodeKind, encode};
use super::loaders::{BodyLoader, CountKey, CountKind, CountLoader, RelatedKey, RelatedLoader, loader, state};
use super::values::{FeatureImage, PageInfo, ProfileLink, TocEntry};
use crate::params::{decode_cursor, encode_cursor};

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

    async fn feature_image(&self, ctx: &Context<'_>) -> Result<Option<FeatureImage>, GqlError> {
        let api_url = &state(ctx)?.site.api_url;
        Ok(self.card.feature_image.clone().map(|image| FeatureImage::new(image, api_url)))
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
        let api_url = &state(ctx)?.site.api_url;
        Ok(crate::media::absolute_media(&self.body(ctx).await?.html, api_url).into_owned())
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

/// One page of the listing `filter` names, after the cursor `after`.
pub async fn list_posts(
    ctx: &Context<'_>,
    filter: ListingFilter,
    first: i32,
    after: Option<String>,
) -> Result<PostConnection, GqlError> {
    let first = checked_first(first, MAX_PAGE_SIZE)?;
    let after = match after {
        Some(raw) => Some(decode_cursor(&raw).ok().ok_or_else(|| GqlError::invalid("after", "is not a valid cursor"))?),
        None => None,
    };
    let page = state(ctx)?.store.posts().list_published(filter.clone(), after, first).await?;
    Ok(PostConnection { page, filter, after: after.is_some() })
}

pub struct PostConnection {
    page: Page,
    filter: ListingFilter,
    after: bool,
}

fn cursor_of(post: &longform_domain::PostCard) -> Option<String> {
    Keyset::of(post).as_ref().map(encode_cursor)
}

/// A page of published posts, newest first.
#[Object]
impl PostConnection {
    async fn edges(&self) -> Vec<PostEdge> {
        let cards = self.page.cards.iter();
        cards.map(|c| PostEdge { cursor: cursor_of(c).unwrap_or_default(), node: Post::from_card(c.clone()) }).collect()
    }

    /// The posts of `edges`, without cursors.
    async fn nodes(&self) -> Vec<Post> {
        self.page.cards.iter().cloned().map(Post::from_card).collect()
    }

    async fn page_info(&self) -> PageInfo {
        PageInfo {
            has_next_page: self.page.next.is_some(),
            has_previous_page: self.after,
            start_cursor: self.page.cards.first().and_then(cursor_of),
            end_cursor: self.page.cards.last().and_then(cursor_of),
        }
    }

    /// Published posts the filter matches, on all pages together.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<i32, GqlError> {
        let count = state(ctx)?.store.posts().count_published(self.filter.clone()).await?;
        Ok(i32::try_from(count).unwrap_or(i32::MAX))
    }
}

/// The site itself, as its header and `<head>` show it.
#[derive(SimpleObject)]
pub struct Site {
    pub title: String,
    pub description: String,
    /// A BCP 47 tag, e.g. `en`.
    pub language: String,
    /// The frontend's base URL, without a trailing slash.
    pub url: String,
}

impl Site {
    pub fn new(site: &crate::site::Site) -> Self {
        Self {
            title: site.title.clone(),
            description: site.description.clone(),
            language: site.language.clone(),
            url: site.base_url.clone(),
        }
    }
}

#[derive(SimpleObject)]
pub struct PostEdge {
    /// Pass it as `after` to get the posts that follow this one.
    cursor: String,
    node: Post,
}

/// The published post count: known when the term was read counted, else
/// loaded in one batch for every term of the response.
async fn post_count(ctx: &Context<'_>, known: Option<i64>, kind: CountKind, id: String) -> Result<i32, GqlError> {
    let count = match known {
        Some(count) => count,
        None => loader::<CountLoader>(ctx)?.load_one(CountKey { kind, id }).await?.unwrap_or(0),
    };
    Ok(i32::try_from(count).unwrap_or(i32::MAX))
}

/// Tags and categories have the same shape; one macro writes both.
macro_rules! term_object {
    ($name:ident, $domain:ty, $kind:ident, $url:ident, $facet:ident, $doc:literal) => {
        #[doc = $doc]
        pub struct $name {
            term: $domain,
            post_count: Option<i64>,
        }

        impl $name {
            pub fn new(term: $domain) -> Self {
                Self { term, post_count: None }
            }

            pub fn counted(counted: Counted<$domain>) -> Self {
                Self { term: counted.item, post_count: Some(counted.published_posts) }
            }
        }

        #[doc = $doc]
        #[Object]
        impl $name {
            pub async fn id(&self) -> ID {
                encode(NodeKind::$kind, self.term.id.as_uuid())
            }

            async fn slug(&self) -> &str {
                self.term.slug.as_str()
            }

            async fn name(&self) -> &str {
                self.term.name.as_str()
            }

            async fn description(&self) -> Option<&str> {
                self.term.description.as_ref().map(|d| d.as_str())
            }

            /// How many published posts it has.
            async fn post_count(&self, ctx: &Context<'_>) -> Result<i32, GqlError> {
                post_count(ctx, self.post_count, CountKind::$kind, self.term.id.to_string()).await
            }

            /// Its page on the site.
            async fn url(&self, ctx: &Context<'_>) -> Result<String, GqlError> {
                Ok(state(ctx)?.site.$url(self.term.slug.as_str()))
            }

            /// Its published posts, newest first.
            #[graphql(complexity = "READ + paged(first, child_complexity)")]
            async fn posts(
                &self,
                ctx: &Context<'_>,
                #[graphql(default = 20)] first: i32,
                after: Option<String>,
            ) -> Result<PostConnection, GqlError> {
                let filter = ListingFilter { $facet: Some(self.term.slug.clone()), ..ListingFilter::default() };
                list_posts(ctx, filter, first, after).await
            }
        }
    };
}

term_object!(Tag, longform_domain::Tag, Tag, tag_url, tag, "A tag: what a post is about.");
term_object!(
    Category,
    longform_domain::Category,
    Category,
    category_url,
    category,
    "A category: a section of the blog."
);

/// An author's public profile.
pub struct Author {
    author: longform_domain::Author,
    post_count: Option<i64>,
}

impl Author {
    pub fn new(author: longform_domain::Author) -> Self {
        Self { author, post_count: None }
    }

    pub fn counted(counted: Counted<longform_domain::Author>) -> Self {
        Self { author: counted.item, post_count: Some(counted.published_posts) }
    }
}

/// An author's public profile.
#[Object]
impl Author {
    pub async fn id(&self) -> ID {
        encode(NodeKind::Author, self.author.id.as_uuid())
    }

    async fn slug(&self) -> &str {
        self.author.slug.as_str()
    }

    async fn name(&self) -> &str {
        self.author.name.as_str()
    }

    async fn bio(&self) -> Option<&str> {
        self.author.bio.as_ref().map(|b| b.as_str())
    }

    async fn avatar_url(&self) -> Option<&str> {
        self.author.avatar_url.as_ref().map(|u| u.as_str())
    }

    async fn website(&self) -> Option<&str> {
        self.author.website.as_ref().map(|u| u.as_str())
    }

    /// Labelled profile links ("GitHub", "Mastodon", ...).
    async fn links(&self) -> Vec<ProfileLink> {
        let links = self.author.links.iter();
        links.map(|l| ProfileLink { label: l.label.as_str().to_owned(), url: l.url.as_str().to_owned() }).collect()
    }

    /// How many published posts they wrote.
    async fn post_count(&self, ctx: &Context<'_>) -> Result<i32, GqlError> {
        post_count(ctx, self.post_count, CountKind::Author, self.author.id.to_string()).await
    }

    /// Their page on the site.
    async fn url(&self, ctx: &Context<'_>) -> Result<String, GqlError> {
        Ok(state(ctx)?.site.author_url(self.author.slug.as_str()))
    }

    /// Their published posts, newest first.
    #[graphql(complexity = "READ + paged(first, child_complexity)")]
    async fn posts(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20)] first: i32,
        after: Option<String>,
    ) -> Result<PostConnection, GqlError> {
        let filter = ListingFilter { author: Some(self.author.slug.clone()), ..ListingFilter::default() };
        list_posts(ctx, filter, first, after).await
    }
}
