//! The posts repository: every read and write of posts, for the public
//! site and the editor alike.

use std::collections::HashMap;

use longform_domain::{
    Markdown, Move, Post, PostBody, PostCard, PostContent, PostDraft, PostId, Revision, SearchQuery, Slug, UserId,
};
use tracing::instrument;

use longform_domain::media::Catalog;

use crate::commands::posts::{self as command, Rendered};
use crate::error::StoreError;
use crate::model::{
    AdminFilter, CreatedKeyset, Keyset, ListingFilter, Missing, Page, SearchCursor, SearchFilter, SearchPage,
    SitemapEntry,
};
use crate::read;
use crate::store::Store;

pub struct Posts<'a>(&'a Store);

impl Store {
    pub fn posts(&self) -> Posts<'_> {
        Posts(self)
    }
}

impl Posts<'_> {
    /// The media items among `mentioned`, sized (two statements; none when
    /// nothing is mentioned).
    async fn catalog(&self, mentioned: Vec<longform_domain::MediaId>) -> Result<Catalog, StoreError> {
        if mentioned.is_empty() {
            return Ok(Catalog::default());
        }
        self.0.read(move |c| read::media::catalog(c, &mentioned)).await
    }

    /// Render before the write's transaction, the media the draft mentions
    /// looked up first.
    async fn render(&self, draft: PostDraft) -> Result<Rendered, StoreError> {
        let catalog = self.catalog(draft.mentioned_media()).await?;
        self.0.compute(move || Rendered::with(draft, &catalog)).await?.map_err(|e| StoreError::Domain(e.into()))
    }

    /// What `markdown` would render to if saved now, with the media it
    /// mentions sized as a save would size them. Writes nothing.
    #[instrument(level = "debug", skip_all)]
    pub async fn preview(&self, markdown: Markdown) -> Result<PostContent, StoreError> {
        let catalog = self.catalog(longform_domain::media::mentioned(markdown.as_str())).await?;
        self.0
            .compute(move || PostContent::render_with(markdown.as_str(), None, &catalog))
            .await?
            .map_err(|e| StoreError::Domain(e.into()))
    }

    /// Create a draft owned by `owner`.
    #[instrument(level = "debug", skip_all)]
    pub async fn create(&self, draft: PostDraft, missing: Missing, owner: Option<UserId>) -> Result<Post, StoreError> {
        let rendered = self.render(draft).await?;
        self.0.write_reaching(move |c| command::create(c, &rendered, missing, owner)).await
    }

    /// Create a draft once per (`principal`, `key`); `true` when the answer
    /// is the post an earlier request with this key created.
    #[instrument(level = "debug", skip_all)]
    pub async fn create_once(
        &self,
        principal: String,
        key: String,
        request_hash: String,
        draft: PostDraft,
        missing: Missing,
        owner: Option<UserId>,
    ) -> Result<(Post, bool), StoreError> {
        let rendered = self.render(draft).await?;
        self.0
            .write_reaching(move |c| {
                command::create_once(c, &principal, &key, &request_hash, &rendered, missing, owner)
            })
            .await
    }

    /// Edit a post's fields; the same writer's edits within ten minutes
    /// share a revision (an editor autosaves every few seconds).
    #[instrument(level = "debug", skip_all, fields(post.id = %id))]
    pub async fn update(
        &self,
        id: PostId,
        draft: PostDraft,
        expected_version: Option<i64>,
        missing: Missing,
        by: Option<UserId>,
    ) -> Result<Post, StoreError> {
        let rendered = self.render(draft).await?;
        self.0.write_reaching(move |c| command::update(c, id, &rendered, expected_version, missing, by, false)).await
    }

    /// Publish, schedule, unpublish or archive.
    #[instrument(level = "debug", skip_all, fields(post.id = %id))]
    pub async fn apply_move(
        &self,
        id: PostId,
        action: Move,
        expected_version: Option<i64>,
        by: Option<UserId>,
    ) -> Result<Post, StoreError> {
        self.0.write_reaching(move |c| command::apply_move(c, id, action, expected_version, by)).await
    }

    #[instrument(level = "debug", skip_all, fields(post.id = %id))]
    pub async fn trash(&self, id: PostId, expected_version: Option<i64>, by: Option<UserId>) -> Result<(), StoreError> {
        self.0.write_reaching(move |c| command::trash(c, id, expected_version, by)).await
    }

    #[instrument(level = "debug", skip_all, fields(post.id = %id))]
    pub async fn restore(&self, id: PostId, by: Option<UserId>) -> Result<Post, StoreError> {
        self.0.write_reaching(move |c| command::restore(c, id, by)).await
    }

    #[instrument(level = "debug", skip_all, fields(post.id = %id))]
    pub async fn purge(&self, id: PostId, by: Option<UserId>) -> Result<(), StoreError> {
        self.0.write_reaching(move |c| command::purge(c, id, by)).await
    }

    /// A page of the post's revisions, newest first, older than number
    /// `before` when given, and whether older ones remain; `NotFound` for
    /// an unknown post.
    #[instrument(level = "debug", skip_all, fields(post.id = %id))]
    pub async fn revision_page(
        &self,
        id: PostId,
        before: Option<u32>,
        limit: u32,
    ) -> Result<(Vec<Revision>, bool), StoreError> {
        self.0
            .read(move |c| {
                read::posts::version(c, id)?;
                read::revisions::page(c, id, before, limit)
            })
            .await
    }

    /// The post's revisions, newest first; `NotFound` for an unknown post.
    #[instrument(level = "debug", skip_all, fields(post.id = %id))]
    pub async fn revisions(&self, id: PostId) -> Result<Vec<Revision>, StoreError> {
        self.0
            .read(move |c| {
                read::posts::version(c, id)?;
                read::revisions::list(c, id)
            })
            .await
    }

    /// Put revision `number`'s content back, as a new change with its own
    /// revision (the life cycle stays as it is).
    #[instrument(level = "debug", skip_all, fields(post.id = %id, revision = number))]
    pub async fn restore_revision(
        &self,
        id: PostId,
        number: u32,
        expected_version: Option<i64>,
        missing: Missing,
        by: Option<UserId>,
    ) -> Result<Post, StoreError> {
        let revision = self.0.read(move |c| read::revisions::get(c, id, number)).await?;
        let draft = revision.to_draft().map_err(|e| StoreError::Domain(e.into()))?;
        let rendered = self.render(draft).await?;
        self.0.write_reaching(move |c| command::update(c, id, &rendered, expected_version, missing, by, true)).await
    }

    /// The post whatever its status, trash included.
    #[instrument(level = "debug", skip_all, fields(post.id = %id))]
    pub async fn get(&self, id: PostId) -> Result<Post, StoreError> {
        self.0.read(move |c| read::posts::get(c, id)).await
    }

    /// The live (not trashed) post with this slug, whatever its status.
    #[instrument(level = "debug", skip_all, fields(post.slug = %slug))]
    pub async fn find_by_slug(&self, slug: Slug) -> Result<Option<Post>, StoreError> {
        self.0.read(move |c| read::posts::find_by_slug(c, &slug)).await
    }

    /// Every post matching `filter`, newest created first, keyset-paginated.
    #[instrument(level = "debug", skip_all)]
    pub async fn list_admin(
        &self,
        filter: AdminFilter,
        after: Option<CreatedKeyset>,
        limit: u32,
    ) -> Result<(Vec<PostCard>, Option<CreatedKeyset>), StoreError> {
        self.0.read(move |c| read::admin::list_admin(c, &filter, after, limit)).await
    }

    /// Published posts, newest first, after `after`, at most `limit` (capped).
    #[instrument(level = "debug", skip_all)]
    pub async fn list_published(
        &self,
        filter: ListingFilter,
        after: Option<Keyset>,
        limit: u32,
    ) -> Result<Page, StoreError> {
        self.0.read(move |c| read::listings::list_published(c, &filter, after, limit)).await
    }

    /// A page of the listing and the listing's total, on one connection.
    #[instrument(level = "debug", skip_all)]
    pub async fn list_published_counted(
        &self,
        filter: ListingFilter,
        after: Option<Keyset>,
        limit: u32,
    ) -> Result<(Page, i64), StoreError> {
        self.0
            .read(move |c| {
                let page = read::listings::list_published(c, &filter, after, limit)?;
                Ok((page, read::listings::count_published(c, &filter)?))
            })
            .await
    }

    /// How many published posts the filter matches.
    #[instrument(level = "debug", skip_all)]
    pub async fn count_published(&self, filter: ListingFilter) -> Result<i64, StoreError> {
        self.0.read(move |c| read::listings::count_published(c, &filter)).await
    }

    /// Up to `limit` published posts sharing the most tags with each of `ids`.
    #[instrument(level = "debug", skip_all)]
    pub async fn related(&self, ids: Vec<PostId>, limit: usize) -> Result<HashMap<PostId, Vec<PostCard>>, StoreError> {
        self.0.read(move |c| read::listings::related(c, &ids, limit)).await
    }

    /// The bodies of several posts in one statement.
    #[instrument(level = "debug", skip_all)]
    pub async fn bodies(&self, ids: Vec<PostId>) -> Result<HashMap<PostId, PostBody>, StoreError> {
        self.0.read(move |c| read::posts::bodies(c, &ids)).await
    }

    #[instrument(level = "debug", skip_all)]
    pub async fn sitemap(&self) -> Result<Vec<SitemapEntry>, StoreError> {
        self.0.read_bulk(read::sitemap::sitemap).await
    }

    /// Whether the database holds no post at all.
    pub async fn none_exist(&self) -> Result<bool, StoreError> {
        self.0.read(read::posts::none_exist).await
    }

    /// Published posts matching `query`, best first.
    #[instrument(level = "debug", skip_all)]
    pub async fn search(
        &self,
        query: SearchQuery,
        filter: SearchFilter,
        after: Option<SearchCursor>,
        limit: u32,
    ) -> Result<SearchPage, StoreError> {
        self.0.read(move |c| read::search::search(c, &query, &filter, after, limit)).await
    }

    /// [`Posts::search`], ranking at most `candidates` newest matches of
    /// each SQLite index (for tests of the bound; PostgreSQL ranks all).
    #[cfg(feature = "testing")]
    pub async fn search_ranking_at_most(
        &self,
        query: SearchQuery,
        limit: u32,
        candidates: i64,
    ) -> Result<SearchPage, StoreError> {
        self.0
            .read(move |c| read::search::search_within(c, &query, &SearchFilter::default(), None, limit, candidates))
            .await
    }
}
