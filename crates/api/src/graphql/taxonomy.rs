//! `Tag`, `Category` and `Author`: public fields only. An author is a
//! public profile; the account behind it (email, role, login) is not part
//! of this schema at all, so no query can reach it.

use async_graphql::{Context, ID, Object, SimpleObject};
use longform_persistence::{Counted, ListingFilter};

use super::connection::{PostConnection, list_posts, paged};
use super::error::GqlError;
use super::ids::{NodeKind, encode};
use super::loaders::{CountKey, CountKind, CountLoader, loader, state};

/// Complexity multiplier of a post's `tags` and `authors`: a post has a
/// handful of each.
pub const PER_POST: usize = 5;

/// Complexity multiplier of the root `tags`, `categories` and `authors`
/// lists: a blog has dozens of each.
pub const PER_SITE: usize = 50;

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
            #[graphql(complexity = "paged(first, child_complexity)")]
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
    #[graphql(complexity = "paged(first, child_complexity)")]
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

#[derive(SimpleObject)]
pub struct ProfileLink {
    label: String,
    url: String,
}
