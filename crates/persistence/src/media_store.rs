//! Where media bytes live: a directory on the local disk (by default next
//! to the SQLite database), or a bucket of an S3-compatible service, which
//! replicas on several machines can share. Keys are made from a blob's
//! sha256 (and a rendition's width and format), never from anything a user
//! typed. Either way a stored file is whole or absent, never half written.

mod local;
mod location;
mod s3;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use longform_domain::media::RenditionFormat;

pub use location::{MediaLocation, S3Credentials, S3Location};

use crate::error::StoreError;

/// The name of one stored file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum BlobKey {
    Original { sha256: String },
    Rendition { sha256: String, width: u32, format: RenditionFormat },
}

impl BlobKey {
    /// The key a stored file's path names, if it is one of ours.
    pub fn from_path(path: &str) -> Option<Self> {
        let (kind, rest) = path.split_once('/')?;
        let (_, name) = rest.split_once('/')?;
        match kind {
            "originals" => Self::original(name).ok(),
            "renditions" => {
                let (stem, format) = name.rsplit_once('.')?;
                let (sha256, width) = stem.rsplit_once('-')?;
                Self::rendition(sha256, width.parse().ok()?, format.parse().ok()?).ok()
            }
            _ => None,
        }
    }

    pub fn sha256(&self) -> &str {
        match self {
            Self::Original { sha256 } | Self::Rendition { sha256, .. } => sha256,
        }
    }

    /// `originals/ab/abcdef…` or `renditions/ab/abcdef…-960.webp`. The
    /// sha256 is checked to be 64 hex digits by [`BlobKey::original`].
    pub fn path(&self) -> String {
        match self {
            Self::Original { sha256 } => format!("originals/{}/{sha256}", &sha256[..2]),
            Self::Rendition { sha256, width, format } => {
                format!("renditions/{}/{sha256}-{width}.{}", &sha256[..2], format.as_str())
            }
        }
    }

    /// The key of the original with this sha256 (lowercase hex).
    pub fn original(sha256: &str) -> Result<Self, StoreError> {
        check_sha(sha256)?;
        Ok(Self::Original { sha256: sha256.to_owned() })
    }

    pub fn rendition(sha256: &str, width: u32, format: RenditionFormat) -> Result<Self, StoreError> {
        check_sha(sha256)?;
        Ok(Self::Rendition { sha256: sha256.to_owned(), width, format })
    }
}

fn check_sha(sha256: &str) -> Result<(), StoreError> {
    if sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        Ok(())
    } else {
        Err(StoreError::Corrupt(format!("{sha256:?} is not a sha256")))
    }
}

/// The media store: cheap to clone, each clone the same store.
#[derive(Debug, Clone)]
pub struct MediaStore {
    backend: Backend,
}

#[derive(Debug, Clone)]
enum Backend {
    Local(local::Local),
    S3(s3::S3),
}

/// A stored file, as [`MediaStore::list`] finds it.
#[derive(Debug, Clone)]
pub struct StoredFile {
    pub key: BlobKey,
    pub len: u64,
    /// How long ago it was last written.
    pub age: Duration,
}

impl MediaStore {
    /// A store in the directory `root`, created if missing.
    pub fn local(root: impl Into<PathBuf>) -> Result<Self, StoreError> {
        Ok(Self { backend: Backend::Local(local::Local::open(root.into())?) })
    }

    /// A store in a bucket. Nothing is asked of the service yet: see
    /// [`MediaStore::check`].
    pub fn s3(location: &S3Location, credentials: S3Credentials) -> Result<Self, StoreError> {
        Ok(Self { backend: Backend::S3(s3::S3::open(location, credentials)?) })
    }

    /// Where a SQLite database at `database` keeps its media: `media/`
    /// beside the file.
    pub fn beside(database: &Path) -> PathBuf {
        database.parent().unwrap_or(Path::new(".")).join("media")
    }

    /// Where the store is, for people: a directory, or the bucket and its
    /// endpoint (never a credential).
    pub fn describe(&self) -> String {
        match &self.backend {
            Backend::Local(local) => local.root().display().to_string(),
            Backend::S3(s3) => s3.describe(),
        }
    }

    /// Whether the store answers: for a bucket, a listing with the
    /// credentials given, so that a wrong endpoint, bucket or key fails at
    /// startup rather than at the first upload. A directory was created
    /// when the store was opened.
    pub async fn check(&self) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Local(_) => Ok(()),
            Backend::S3(s3) => s3.check().await,
        }
    }

    /// Store `bytes` under `key`, whole or not at all (same key, same bytes).
    pub async fn put(&self, key: BlobKey, bytes: Arc<[u8]>) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Local(local) => local.put(&key, bytes).await,
            Backend::S3(s3) => s3.put(&key, bytes).await,
        }
    }

    /// `len` bytes of `key` from `start` (fewer at the end of the file).
    pub async fn read(&self, key: &BlobKey, start: u64, len: usize) -> Result<Vec<u8>, StoreError> {
        match &self.backend {
            Backend::Local(local) => local.read(key, start, len).await,
            Backend::S3(s3) => s3.read(key, start, len).await,
        }
    }

    /// Whether `key` holds a file.
    pub async fn exists(&self, key: &BlobKey) -> Result<bool, StoreError> {
        match &self.backend {
            Backend::Local(local) => local.exists(key).await,
            Backend::S3(s3) => s3.exists(key).await,
        }
    }

    /// Remove `key`'s file, if there is one.
    pub async fn delete(&self, key: &BlobKey) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Local(local) => local.delete(key).await,
            Backend::S3(s3) => s3.delete(key).await,
        }
    }

    /// [`MediaStore::delete`] on this thread, for a transaction (which runs
    /// on a blocking thread already; never call it on an async one).
    pub(crate) fn remove_now(&self, key: &BlobKey) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Local(local) => local.remove_now(key),
            Backend::S3(s3) => s3.remove_now(key),
        }
    }

    /// Every file under a key, for `longform media gc` and `verify`.
    pub async fn list(&self) -> Result<Vec<StoredFile>, StoreError> {
        match &self.backend {
            Backend::Local(local) => local.list().await,
            Backend::S3(s3) => s3.list().await,
        }
    }

    /// Temporary files older than `grace` that an interrupted write left
    /// behind (a crash between creating one and renaming it), removed
    /// unless `dry_run`; their paths. A bucket has none: a PUT is whole.
    pub async fn sweep_temporary(&self, grace: Duration, dry_run: bool) -> Result<Vec<String>, StoreError> {
        match &self.backend {
            Backend::Local(local) => local.sweep_temporary(grace, dry_run).await,
            Backend::S3(_) => Ok(Vec::new()),
        }
    }

    /// The SHA-256 of `key`'s bytes, read in pieces.
    pub async fn hash(&self, key: &BlobKey) -> Result<String, StoreError> {
        match &self.backend {
            Backend::Local(local) => local.hash(key).await,
            Backend::S3(s3) => s3.hash(key).await,
        }
    }

    /// The length of `key`'s file, `None` when there is none.
    pub async fn len(&self, key: &BlobKey) -> Result<Option<u64>, StoreError> {
        match &self.backend {
            Backend::Local(local) => local.len(key).await,
            Backend::S3(s3) => s3.len(key).await,
        }
    }
}
