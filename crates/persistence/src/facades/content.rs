//! The site's content as a whole: the change feed, imports, the lossless
//! export and its restore.

use longform_domain::NewAuthor;
use longform_domain::frontmatter::ImportedPost;
use tracing::instrument;

use crate::commands::import::import_batch;
use crate::commands::posts::Rendered;
use crate::commands::restore::restore;
use crate::error::StoreError;
use crate::model::{BatchOutcome, Change};
use crate::read;
use crate::rows::export::Export;
use crate::store::Store;

pub struct Content<'a>(&'a Store);

impl Store {
    pub fn content(&self) -> Content<'_> {
        Content(self)
    }
}

impl Content<'_> {
    /// Changes after `after`, oldest first, at most `limit`.
    #[instrument(level = "debug", skip_all, fields(after))]
    pub async fn changes_since(&self, after: i64, limit: i64) -> Result<Vec<Change>, StoreError> {
        self.0.read(move |c| read::changes::since(c, after, limit)).await
    }

    /// Import `authors`, then `posts`, in one transaction, each item in its
    /// own savepoint (an item that fails leaves nothing behind and the
    /// others still land). The posts are rendered before the transaction
    /// opens. With `dry_run` nothing is written and the outcomes are exact.
    #[instrument(level = "debug", skip_all, fields(posts = posts.len(), dry_run))]
    pub async fn import(
        &self,
        authors: Vec<NewAuthor>,
        posts: Vec<ImportedPost>,
        dry_run: bool,
    ) -> Result<BatchOutcome, StoreError> {
        // The media the batch mentions, looked up once (none for most).
        let mut mentioned: Vec<_> = posts.iter().flat_map(|post| post.draft.mentioned_media()).collect();
        mentioned.sort_unstable();
        mentioned.dedup();
        let catalog = if mentioned.is_empty() {
            Default::default()
        } else {
            self.0.read(move |c| crate::read::media::catalog(c, &mentioned)).await?
        };
        let posts = self
            .0
            .compute(move || {
                posts
                    .into_iter()
                    .map(|mut post| {
                        post.published_at = post.published_at.map(crate::time::truncate);
                        post.updated_at = post.updated_at.map(crate::time::truncate);
                        let rendered = Rendered::with(post.draft.clone(), &catalog);
                        (post, rendered)
                    })
                    .collect::<Vec<_>>()
            })
            .await?;
        let result = self.0.with_write_connection(move |c| import_batch(c, &authors, &posts, dry_run)).await;
        if !dry_run {
            self.0.bump_generation();
        }
        result
    }

    /// The whole site as one lossless document.
    pub async fn export(&self) -> Result<Export, StoreError> {
        self.0.read_bulk(read::export::export).await
    }

    /// Restore a document into this (empty) database; returns the posts restored.
    pub async fn restore(&self, doc: Export) -> Result<usize, StoreError> {
        self.0.write_bulk(move |c| restore(c, &doc)).await
    }
}
