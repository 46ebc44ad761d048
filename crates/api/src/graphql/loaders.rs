//! Per-request batch loaders: however many posts a query lists, their
//! bodies, related posts and taxonomy counts cost one batch each. A loader
//! lives for one request only, so it never serves data older than the
//! request.

use std::collections::HashMap;

use actix_web::web;
use async_graphql::Context;
use async_graphql::dataloader::{DataLoader, Loader};
use longform_domain::{PostBody, PostCard, PostId};
use longform_persistence::Store;

use super::error::GqlError;
use crate::AppState;

/// The shared state, from a resolver.
pub fn state<'a>(ctx: &Context<'a>) -> Result<&'a AppState, GqlError> {
    match ctx.data::<web::Data<AppState>>() {
        Ok(state) => Ok(state.get_ref()),
        Err(_) => {
            tracing::error!("graphql request without application state");
            Err(GqlError::Internal)
        }
    }
}

/// A loader installed by [`with_loaders`], from a resolver.
pub fn loader<'a, T: Send + Sync + 'static>(ctx: &Context<'a>) -> Result<&'a DataLoader<T>, GqlError> {
    ctx.data::<DataLoader<T>>().map_err(|_| {
        tracing::error!(loader = std::any::type_name::<T>(), "graphql request without its loader");
        GqlError::Internal
    })
}

/// The request with the state and a fresh set of loaders.
pub fn with_loaders(request: async_graphql::Request, state: web::Data<AppState>) -> async_graphql::Request {
    let store = state.store.clone();
    request
        .data(DataLoader::new(BodyLoader(store.clone()), tokio::spawn))
        .data(DataLoader::new(RelatedLoader(store.clone()), tokio::spawn))
        .data(DataLoader::new(CountLoader(store), tokio::spawn))
        .data(state)
}

/// Bodies (html, toc, canonical URL, meta) of posts, by id.
pub struct BodyLoader(Store);

impl Loader<PostId> for BodyLoader {
    type Value = PostBody;
    type Error = GqlError;

    async fn load(&self, keys: &[PostId]) -> Result<HashMap<PostId, PostBody>, GqlError> {
        Ok(self.0.posts().bodies(keys.to_vec()).await?)
    }
}

/// Up to `limit` published posts related to `post`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RelatedKey {
    pub post: PostId,
    pub limit: usize,
}

pub struct RelatedLoader(Store);

impl Loader<RelatedKey> for RelatedLoader {
    type Value = Vec<PostCard>;
    type Error = GqlError;

    /// One batch per distinct `limit` (a query names one or two).
    async fn load(&self, keys: &[RelatedKey]) -> Result<HashMap<RelatedKey, Vec<PostCard>>, GqlError> {
        let mut by_limit: HashMap<usize, Vec<PostId>> = HashMap::new();
        for key in keys {
            by_limit.entry(key.limit).or_default().push(key.post);
        }
        let mut out = HashMap::with_capacity(keys.len());
        for (limit, posts) in by_limit {
            for (post, cards) in self.0.posts().related(posts, limit).await? {
                let published = cards.into_iter().filter(|c| c.is_public()).collect();
                out.insert(RelatedKey { post, limit }, published);
            }
        }
        Ok(out)
    }
}

/// Which taxonomy a published-post count is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CountKind {
    Tag,
    Category,
    Author,
}

impl CountKind {
    fn listing(self) -> &'static str {
        match self {
            Self::Tag => "tag",
            Self::Category => "category",
            Self::Author => "author",
        }
    }
}

/// Published posts of a tag, category or author (by id): one statement
/// per kind, whatever the number of terms asked about.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CountKey {
    pub kind: CountKind,
    pub id: String,
}

pub struct CountLoader(Store);

impl Loader<CountKey> for CountLoader {
    type Value = i64;
    type Error = GqlError;

    async fn load(&self, keys: &[CountKey]) -> Result<HashMap<CountKey, i64>, GqlError> {
        let mut kinds: Vec<CountKind> = keys.iter().map(|k| k.kind).collect();
        kinds.sort_by_key(|k| k.listing());
        kinds.dedup();
        let mut out = HashMap::with_capacity(keys.len());
        for kind in kinds {
            let counts = self.0.taxonomy().published_counts(kind.listing()).await?;
            for key in keys.iter().filter(|k| k.kind == kind) {
                out.insert(key.clone(), counts.get(&key.id).copied().unwrap_or(0));
            }
        }
        Ok(out)
    }
}
