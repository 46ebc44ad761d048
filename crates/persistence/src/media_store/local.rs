//! The media store in a directory on the local disk.
//!
//! A file is written whole or not at all: into `tmp/` first, flushed to
//! disk, then renamed under its key and the directory flushed, so a crash
//! (kill -9, power loss) leaves at most a stray file in `tmp/`, never a
//! half file under a real key. `longform media gc` removes what a crash
//! left in `tmp/` once it is an hour old (other processes may be writing
//! there meanwhile).

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{BlobKey, StoredFile};
use crate::error::StoreError;

#[derive(Debug, Clone)]
pub(super) struct Local {
    root: PathBuf,
}

impl Local {
    pub(super) fn open(root: PathBuf) -> Result<Self, StoreError> {
        let tmp = root.join("tmp");
        std::fs::create_dir_all(&tmp).map_err(|e| io_error(&tmp, e))?;
        Ok(Self { root })
    }

    pub(super) fn root(&self) -> &Path {
        &self.root
    }

    fn file(&self, key: &BlobKey) -> PathBuf {
        self.root.join(key.path())
    }

    pub(super) async fn put(&self, key: &BlobKey, bytes: std::sync::Arc<[u8]>) -> Result<(), StoreError> {
        let (root, file) = (self.root.clone(), self.file(key));
        blocking(move || put_file(&root, &file, &bytes)).await
    }

    pub(super) async fn read(&self, key: &BlobKey, start: u64, len: usize) -> Result<Vec<u8>, StoreError> {
        let file = self.file(key);
        blocking(move || {
            let mut handle = std::fs::File::open(&file).map_err(|e| io_error(&file, e))?;
            handle.seek(SeekFrom::Start(start)).map_err(|e| io_error(&file, e))?;
            // What the file holds, not what the caller asked for (a
            // restored document may claim any length).
            let there = handle.metadata().map_err(|e| io_error(&file, e))?.len().saturating_sub(start);
            let mut out = Vec::with_capacity(len.min(usize::try_from(there).unwrap_or(usize::MAX)));
            handle.take(len as u64).read_to_end(&mut out).map_err(|e| io_error(&file, e))?;
            Ok(out)
        })
        .await
    }

    pub(super) async fn exists(&self, key: &BlobKey) -> Result<bool, StoreError> {
        let file = self.file(key);
        blocking(move || Ok(file.is_file())).await
    }

    pub(super) async fn delete(&self, key: &BlobKey) -> Result<(), StoreError> {
        let this = self.clone();
        let key = key.clone();
        blocking(move || this.remove_now(&key)).await
    }

    pub(super) fn remove_now(&self, key: &BlobKey) -> Result<(), StoreError> {
        let file = self.file(key);
        match std::fs::remove_file(&file) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io_error(&file, e)),
            _ => Ok(()),
        }
    }

    pub(super) async fn list(&self) -> Result<Vec<StoredFile>, StoreError> {
        let root = self.root.clone();
        blocking(move || {
            let mut found = Vec::new();
            for kind in ["originals", "renditions"] {
                let top = root.join(kind);
                let Ok(shards) = std::fs::read_dir(&top) else { continue };
                for shard in shards.flatten() {
                    let dir = shard.path();
                    for entry in std::fs::read_dir(&dir).map_err(|e| io_error(&dir, e))?.flatten() {
                        let name = entry.file_name().to_string_lossy().into_owned();
                        let shard_name = shard.file_name().to_string_lossy().into_owned();
                        let Some(key) = BlobKey::from_path(&format!("{kind}/{shard_name}/{name}")) else { continue };
                        let meta = entry.metadata().map_err(|e| io_error(&entry.path(), e))?;
                        let age = meta.modified().ok().and_then(|m| m.elapsed().ok()).unwrap_or_default();
                        found.push(StoredFile { key, len: meta.len(), age });
                    }
                }
            }
            Ok(found)
        })
        .await
    }

    pub(super) async fn sweep_temporary(&self, grace: Duration, dry_run: bool) -> Result<Vec<String>, StoreError> {
        let root = self.root.clone();
        blocking(move || {
            let mut swept = Vec::new();
            let Ok(entries) = std::fs::read_dir(root.join("tmp")) else { return Ok(swept) };
            for entry in entries.flatten() {
                let old = entry.metadata().ok().and_then(|m| m.modified().ok()).and_then(|m| m.elapsed().ok());
                if old.is_some_and(|age| age >= grace) {
                    if !dry_run {
                        std::fs::remove_file(entry.path()).map_err(|e| io_error(&entry.path(), e))?;
                    }
                    swept.push(format!("tmp/{}", entry.file_name().to_string_lossy()));
                }
            }
            Ok(swept)
        })
        .await
    }

    pub(super) async fn hash(&self, key: &BlobKey) -> Result<String, StoreError> {
        use sha2::Digest;
        let file = self.file(key);
        blocking(move || {
            let mut handle = std::fs::File::open(&file).map_err(|e| io_error(&file, e))?;
            let mut hasher = sha2::Sha256::new();
            let mut buffer = vec![0; 1 << 16];
            loop {
                let n = handle.read(&mut buffer).map_err(|e| io_error(&file, e))?;
                if n == 0 {
                    break;
                }
                hasher.update(&buffer[..n]);
            }
            Ok(format!("{:x}", hasher.finalize()))
        })
        .await
    }

    pub(super) async fn len(&self, key: &BlobKey) -> Result<Option<u64>, StoreError> {
        let file = self.file(key);
        blocking(move || Ok(std::fs::metadata(&file).ok().map(|m| m.len()))).await
    }
}

/// A key already holding a file of this length is left alone (same key,
/// same bytes).
fn put_file(root: &Path, file: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    if std::fs::metadata(file).is_ok_and(|m| m.len() == bytes.len() as u64) {
        return Ok(());
    }
    let dir = file.parent().unwrap_or(root);
    std::fs::create_dir_all(dir).map_err(|e| io_error(dir, e))?;
    let tmp = root.join("tmp").join(uuid::Uuid::new_v4().simple().to_string());
    let written = (|| {
        let mut out = std::fs::File::create_new(&tmp)?;
        out.write_all(bytes)?;
        out.sync_all()?;
        std::fs::rename(&tmp, file)?;
        std::fs::File::open(dir)?.sync_all()
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written.map_err(|e| io_error(file, e))
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| StoreError::Unavailable(format!("media store task failed: {e}")))?
}

fn io_error(path: &Path, error: std::io::Error) -> StoreError {
    match error.kind() {
        std::io::ErrorKind::NotFound => StoreError::NotFound,
        std::io::ErrorKind::StorageFull => StoreError::Full(format!("media store at {}", path.display())),
        _ => StoreError::Unavailable(format!("media store: {}: {error}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::super::MediaStore;
    use super::*;
    use longform_domain::media::RenditionFormat;

    const SHA: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    #[tokio::test]
    async fn files_are_written_whole_under_their_key_and_read_in_ranges() {
        let dir = tempfile::tempdir().unwrap();
        let store = MediaStore::local(dir.path()).unwrap();
        let key = BlobKey::original(SHA).unwrap();
        store.put(key.clone(), b"hello world".to_vec().into()).await.unwrap();
        assert_eq!(store.read(&key, 6, 100).await.unwrap(), b"world");
        assert_eq!(store.read(&key, 0, 5).await.unwrap(), b"hello");
        let rendition = BlobKey::rendition(SHA, 960, RenditionFormat::Webp).unwrap();
        assert_eq!(rendition.path(), format!("renditions/9f/{SHA}-960.webp"));
        assert!(matches!(store.read(&rendition, 0, 1).await, Err(StoreError::NotFound)));
        store.delete(&key).await.unwrap();
        assert!(!store.exists(&key).await.unwrap());
        assert!(BlobKey::original("../../etc/passwd").is_err(), "keys are hashes, never paths");
        assert_eq!(std::fs::read_dir(dir.path().join("tmp")).unwrap().count(), 0, "nothing left in tmp/");
    }
}
