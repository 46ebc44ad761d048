//! The media repository: items for the editor API, and what a public
//! media address serves. Nothing here changes a public read (media are
//! never listed publicly), so no write empties a cache.

use longform_domain::MediaId;
use tracing::instrument;

use crate::commands::media as command;
use crate::error::StoreError;
use crate::model::{Media, MediaBytes, MediaChanges, MediaDeletion, MediaFilter, MediaUse, NewMedia};
use crate::read;
use crate::store::Store;

pub struct MediaItems<'a>(&'a Store);

impl Store {
    pub fn media(&self) -> MediaItems<'_> {
        MediaItems(self)
    }
}

impl MediaItems<'_> {
    #[instrument(level = "debug", skip_all)]
    pub async fn create(&self, new: NewMedia) -> Result<Media, StoreError> {
        self.0.write_unseen(move |c| command::create(c, &new)).await
    }

    /// Whether an earlier upload stored these bytes (and made their renditions).
    pub async fn blob_exists(&self, sha256: String) -> Result<bool, StoreError> {
        self.0.read(move |c| read::media::blob_exists(c, &sha256)).await
    }

    #[instrument(level = "debug", skip_all, fields(media.id = %id))]
    pub async fn get(&self, id: MediaId) -> Result<Media, StoreError> {
        self.0.read(move |c| read::media::get(c, id)).await
    }

    pub async fn list(&self, filter: MediaFilter) -> Result<Vec<Media>, StoreError> {
        self.0.read(move |c| read::media::list(c, &filter)).await
    }

    /// The posts that use the item.
    pub async fn uses(&self, id: MediaId) -> Result<Vec<MediaUse>, StoreError> {
        self.0.read(move |c| read::media::uses(c, id)).await
    }

    #[instrument(level = "debug", skip_all, fields(media.id = %id))]
    pub async fn update(&self, id: MediaId, expected: i64, changes: MediaChanges) -> Result<Media, StoreError> {
        self.0.write_unseen(move |c| command::update(c, id, expected, &changes)).await
    }

    #[instrument(level = "debug", skip_all, fields(media.id = %id))]
    pub async fn delete(&self, id: MediaId, expected: i64, force: bool) -> Result<MediaDeletion, StoreError> {
        self.0.write_unseen(move |c| command::delete(c, id, expected, force)).await
    }

    /// What `/media/{id}/...` serves.
    pub async fn bytes(&self, id: MediaId) -> Result<MediaBytes, StoreError> {
        self.0.read(move |c| read::media::bytes(c, id)).await
    }
}
