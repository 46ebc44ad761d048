//! The browse repository: public posts, tags and authors by a checked
//! filter and an allowlisted order, a page at a time (Ghost's Content API).

use longform_domain::nql::{PostField, TermField};
use longform_domain::{Author, Tag};
use tracing::instrument;

use crate::error::StoreError;
use crate::model::{BodiesTooLarge, Browse, Browsed, BrowsedPost, Counted};
use crate::read;
use crate::store::Store;

pub struct Browser<'a>(&'a Store);

impl Store {
    pub fn browse(&self) -> Browser<'_> {
        Browser(self)
    }
}

impl Browser<'_> {
    /// A page of published posts and how many match; with bodies when
    /// `bodies_up_to` is given, unless the page's HTML is larger than it
    /// (which bounds what one request loads: a page holds up to
    /// [`MAX_BROWSE_PAGE`](crate::model::MAX_BROWSE_PAGE) posts).
    #[instrument(level = "debug", skip_all, fields(page = browse.page, limit = browse.limit))]
    pub async fn posts(
        &self,
        browse: Browse<PostField>,
        bodies_up_to: Option<i64>,
    ) -> Result<Result<Browsed<BrowsedPost>, BodiesTooLarge>, StoreError> {
        self.0.read(move |c| read::browse::browse_posts(c, &browse, bodies_up_to)).await
    }

    /// A page of public tags, each with its published post count.
    #[instrument(level = "debug", skip_all, fields(page = browse.page, limit = browse.limit))]
    pub async fn tags(&self, browse: Browse<TermField>) -> Result<Browsed<Counted<Tag>>, StoreError> {
        self.0.read(move |c| read::browse::browse_tags(c, &browse)).await
    }

    /// A page of public author profiles, each with its published post count.
    #[instrument(level = "debug", skip_all, fields(page = browse.page, limit = browse.limit))]
    pub async fn authors(&self, browse: Browse<TermField>) -> Result<Browsed<Counted<Author>>, StoreError> {
        self.0.read(move |c| read::browse::browse_authors(c, &browse)).await
    }
}
