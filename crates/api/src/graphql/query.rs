//! The root `Query`: published posts, the taxonomy, and `node(id:)`.
//! Anything not published (drafts, scheduled, archived) is unreachable:
//! lookups answer `null` for it, listings never hold it.

use async_graphql::{Context, ID, Interface, Object};
use longform_domain::{AuthorId, CategoryId, PostId, Slug, TagId};
use longform_persistence::StoreError;

use super::args::PostFilter;
use super::args::paged;
use super::args::{PER_SITE, READ, SEARCH};
use super::error::GqlError;
use super::ids::{NodeKind, decode};
use super::loaders::state;
use super::objects::Post;
use super::objects::{Author, Category, Site, Tag};
use super::objects::{PostConnection, list_posts};
use super::search::{SearchConnection, SearchPostFilter};

/// Anything with a global id.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "The global id: pass it to `node(id:)`."))]
pub enum Node {
    Post(Box<Post>),
    Tag(Tag),
    Category(Category),
    Author(Author),
}

pub struct Query;

/// A slug lookup for a malformed slug finds nothing, like an unknown one.
fn lookup_slug(raw: &str) -> Option<Slug> {
    Slug::parse(raw).ok()
}

#[Object]
impl Query {
    /// The site's title, description, language and frontend address.
    async fn site(&self, ctx: &Context<'_>) -> Result<Site, GqlError> {
        Ok(Site::new(&state(ctx)?.site))
    }

    /// Published posts, newest first. `first`: 1 to 100; `after`: the
    /// `endCursor` of the previous page.
    #[graphql(complexity = "READ + paged(first, child_complexity)")]
    async fn posts(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20)] first: i32,
        after: Option<String>,
        filter: Option<PostFilter>,
    ) -> Result<PostConnection, GqlError> {
        list_posts(ctx, filter.unwrap_or_default().try_into()?, first, after).await
    }

    /// Published posts matching `query`, most relevant first: words,
    /// "quoted phrases", `prefix*`, and code tokens like `sync.Mutex`; all
    /// must match. `first`: 1 to 100; `after`: the `endCursor` of the
    /// previous page.
    #[graphql(complexity = "SEARCH + paged(first, child_complexity)")]
    async fn search(
        &self,
        ctx: &Context<'_>,
        query: String,
        #[graphql(default = 10)] first: i32,
        after: Option<String>,
        filter: Option<SearchPostFilter>,
    ) -> Result<SearchConnection, GqlError> {
        super::search::search(ctx, &query, first, after, filter.unwrap_or_default().try_into()?).await
    }

    /// A published post by slug; `null` for an unknown or unpublished one.
    #[graphql(complexity = "READ + child_complexity")]
    async fn post(&self, ctx: &Context<'_>, slug: String) -> Result<Option<Post>, GqlError> {
        let Some(slug) = lookup_slug(&slug) else { return Ok(None) };
        let post = state(ctx)?.store.posts().find_by_slug(slug).await?;
        Ok(post.filter(|p| p.card.is_public()).map(Post::whole))
    }

    /// Every public tag (with a published post, or made public), by slug.
    #[graphql(complexity = "READ + PER_SITE * child_complexity")]
    async fn tags(&self, ctx: &Context<'_>) -> Result<Vec<Tag>, GqlError> {
        Ok(state(ctx)?.store.taxonomy().public_tags().await?.into_iter().map(Tag::counted).collect())
    }

    #[graphql(complexity = "READ + child_complexity")]
    async fn tag(&self, ctx: &Context<'_>, slug: String) -> Result<Option<Tag>, GqlError> {
        let Some(slug) = lookup_slug(&slug) else { return Ok(None) };
        Ok(state(ctx)?.store.taxonomy().public_tag(slug).await?.map(Tag::counted))
    }

    /// Every public category (with a published post, or made public), by slug.
    #[graphql(complexity = "READ + PER_SITE * child_complexity")]
    async fn categories(&self, ctx: &Context<'_>) -> Result<Vec<Category>, GqlError> {
        Ok(state(ctx)?.store.taxonomy().public_categories().await?.into_iter().map(Category::counted).collect())
    }

    #[graphql(complexity = "READ + child_complexity")]
    async fn category(&self, ctx: &Context<'_>, slug: String) -> Result<Option<Category>, GqlError> {
        let Some(slug) = lookup_slug(&slug) else { return Ok(None) };
        Ok(state(ctx)?.store.taxonomy().public_category(slug).await?.map(Category::counted))
    }

    /// Every public author profile (with a published post, or made public), by slug.
    #[graphql(complexity = "READ + PER_SITE * child_complexity")]
    async fn authors(&self, ctx: &Context<'_>) -> Result<Vec<Author>, GqlError> {
        Ok(state(ctx)?.store.taxonomy().public_authors().await?.into_iter().map(Author::counted).collect())
    }

    #[graphql(complexity = "READ + child_complexity")]
    async fn author(&self, ctx: &Context<'_>, slug: String) -> Result<Option<Author>, GqlError> {
        let Some(slug) = lookup_slug(&slug) else { return Ok(None) };
        Ok(state(ctx)?.store.taxonomy().public_author(slug).await?.map(Author::counted))
    }

    /// Any object by its global id; `null` for an unknown id or an
    /// unpublished post.
    #[graphql(complexity = "READ + child_complexity")]
    async fn node(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Node>, GqlError> {
        let Some((kind, uuid)) = decode(&id) else { return Ok(None) };
        match kind {
            NodeKind::Post => Ok(published_post(ctx, PostId::from_uuid(uuid)).await?.map(|p| Node::Post(Box::new(p)))),
            NodeKind::Tag => Ok(tag_by_id(ctx, TagId::from_uuid(uuid)).await?.map(Node::Tag)),
            NodeKind::Category => Ok(category_by_id(ctx, CategoryId::from_uuid(uuid)).await?.map(Node::Category)),
            NodeKind::Author => Ok(author_by_id(ctx, AuthorId::from_uuid(uuid)).await?.map(Node::Author)),
        }
    }
}

async fn published_post(ctx: &Context<'_>, id: PostId) -> Result<Option<Post>, GqlError> {
    match state(ctx)?.store.posts().get(id).await {
        Ok(post) if post.card.is_public() => Ok(Some(Post::whole(post))),
        Ok(_) | Err(StoreError::NotFound) => Ok(None),
        Err(other) => Err(other.into()),
    }
}

// By id, then by slug through the public read: a term that is not public
// is no node either.
async fn tag_by_id(ctx: &Context<'_>, id: TagId) -> Result<Option<Tag>, GqlError> {
    let taxonomy = state(ctx)?.store.taxonomy();
    let Some(tag) = taxonomy.tag_by_id(id).await? else { return Ok(None) };
    Ok(taxonomy.public_tag(tag.slug).await?.map(Tag::counted))
}

async fn category_by_id(ctx: &Context<'_>, id: CategoryId) -> Result<Option<Category>, GqlError> {
    let taxonomy = state(ctx)?.store.taxonomy();
    let Some(category) = taxonomy.category_by_id(id).await? else { return Ok(None) };
    Ok(taxonomy.public_category(category.slug).await?.map(Category::counted))
}

async fn author_by_id(ctx: &Context<'_>, id: AuthorId) -> Result<Option<Author>, GqlError> {
    let taxonomy = state(ctx)?.store.taxonomy();
    let Some(author) = taxonomy.author_by_id(id).await? else { return Ok(None) };
    Ok(taxonomy.public_author(author.slug).await?.map(Author::counted))
}
