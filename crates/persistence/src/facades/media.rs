//! The media repository: items for the editor API, and what a public
//! media address serves. Nothing here changes a public read (media are
//! never listed publicly), so no write empties a cache.

use std::collections::HashSet;

use longform_domain::MediaId;
use tracing::instrument;

use crate::commands::media as command;
use crate::error::StoreError;
use crate::media_store::{BlobKey, MediaStore};
use crate::model::{Media, MediaBytes, MediaChanges, MediaDeletion, MediaFilter, MediaUse, NewMedia};
use crate::read;
use crate::store::Store;

/// How old a file under no blob's name must be before `gc` removes it: an
/// upload writes its files a moment before its row.
pub const STRAY_GRACE: std::time::Duration = std::time::Duration::from_secs(3600);

/// What `gc` removed (or, dry, would remove).
#[derive(Debug, Clone, Default)]
pub struct Garbage {
    /// Blobs no item used: sha256 and size.
    pub blobs: Vec<(String, u64)>,
    /// Files under no blob's name, and temporary files an interrupted
    /// write left, by path.
    pub stray: Vec<String>,
}

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

    /// The item an earlier import made of these bytes under this name:
    /// importing a folder again reuses it.
    pub async fn imported(&self, sha256: String, filename: String) -> Result<Option<Media>, StoreError> {
        self.0.read(move |c| read::media::imported(c, &sha256, &filename)).await
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

    /// `longform media gc`: blobs no item uses go, rows and files; then
    /// files under no blob's name that are older than [`STRAY_GRACE`] (an
    /// upload writes its files before its row).
    pub async fn collect_garbage(&self, files: &MediaStore, dry_run: bool) -> Result<Garbage, StoreError> {
        let store = files.clone();
        let blobs = self.0.write_unseen(move |c| command::collect(c, &store, dry_run)).await?;
        let known: HashSet<String> = self.0.read(read::media::blob_shas).await?.into_iter().collect();
        let mut stray = Vec::new();
        for file in files.list().await? {
            let removed_now = blobs.iter().any(|(sha, _)| sha == file.key.sha256());
            if !known.contains(file.key.sha256()) && !removed_now && file.age >= STRAY_GRACE {
                if !dry_run {
                    files.delete(&file.key).await?;
                }
                stray.push(file.key.path());
            }
        }
        stray.extend(files.sweep_temporary(STRAY_GRACE, dry_run).await?);
        Ok(Garbage { blobs, stray })
    }

    /// `longform media verify`: every blob's file hashed again, every
    /// rendition's file measured; what does not match, one line each.
    pub async fn verify(&self, files: &MediaStore) -> Result<Vec<String>, StoreError> {
        let (blobs, renditions) = self.0.read_bulk(read::media::all_blobs).await?;
        let mut problems = Vec::new();
        for (sha, bytes) in blobs {
            let key = BlobKey::original(&sha)?;
            match files.hash(&key).await {
                Ok(found) if found == sha => {}
                Ok(found) => problems.push(format!("{}: its bytes hash to {found}", key.path())),
                Err(StoreError::NotFound) => problems.push(format!("{}: missing ({bytes} bytes expected)", key.path())),
                Err(other) => return Err(other),
            }
        }
        for (sha, rendition) in renditions {
            let key = BlobKey::rendition(&sha, rendition.width, rendition.format)?;
            match files.len(&key).await? {
                Some(len) if len == rendition.bytes => {}
                Some(len) => problems.push(format!("{}: {len} bytes, {} expected", key.path(), rendition.bytes)),
                None => problems.push(format!("{}: missing", key.path())),
            }
        }
        Ok(problems)
    }

    /// What `/media/{id}/...` serves.
    pub async fn bytes(&self, id: MediaId) -> Result<MediaBytes, StoreError> {
        self.0.read(move |c| read::media::bytes(c, id)).await
    }
}
