//! The media store in a bucket of an S3-compatible service, through the
//! `object_store` crate (the Apache Arrow project's, used by DataFusion and
//! delta-rs: path-style requests, retries and ranged reads done right, and
//! no AWS SDK with its own runtime and crypto to build).
//!
//! Its requests run on a small runtime of its own, so a store opened on one
//! runtime (actix's, a test's) works from any other, and a transaction on
//! a blocking thread can wait for a deletion ([`S3::remove_now`]). A PUT
//! is whole by nature: there is no `tmp/` to sweep.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path as ObjectPath;
use object_store::{ClientOptions, ObjectStore, ObjectStoreExt, PutPayload, RetryConfig};

use super::location::{S3Credentials, S3Location};
use super::{BlobKey, StoredFile};
use crate::error::StoreError;

/// A request failing to connect or answering 5xx is tried this many more
/// times, within [`RETRY_WITHIN`]: enough for a blip, short enough that a
/// wrong endpoint fails `serve` in seconds.
const RETRIES: usize = 3;
const RETRY_WITHIN: Duration = Duration::from_secs(15);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// One request, body included (an upload is at most `media_max_bytes`).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);

#[derive(Clone)]
pub(super) struct S3 {
    client: Arc<AmazonS3>,
    /// `prefix/` or empty.
    prefix: String,
    location: Arc<S3Location>,
    credentials: Arc<S3Credentials>,
    runtime: Arc<OwnRuntime>,
}

impl std::fmt::Debug for S3 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3").field("location", &self.location.to_string()).finish_non_exhaustive()
    }
}

impl S3 {
    pub(super) fn open(location: &S3Location, credentials: S3Credentials) -> Result<Self, StoreError> {
        // reqwest is built with rustls and no provider of its own: ring's,
        // which ureq brings already, unless the process chose one.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(location.bucket())
            .with_region(location.region())
            .with_virtual_hosted_style_request(false)
            .with_allow_http(location.allows_http())
            .with_access_key_id(credentials.access_key_id())
            .with_secret_access_key(credentials.secret_access_key())
            .with_retry(RetryConfig { max_retries: RETRIES, retry_timeout: RETRY_WITHIN, ..RetryConfig::default() })
            .with_client_options(
                ClientOptions::new()
                    .with_allow_http(location.allows_http())
                    .with_connect_timeout(CONNECT_TIMEOUT)
                    .with_timeout(REQUEST_TIMEOUT),
            );
        if let Some(endpoint) = location.endpoint() {
            builder = builder.with_endpoint(endpoint);
        }
        if let Some(token) = credentials.session_token() {
            builder = builder.with_token(token);
        }
        let client = builder.build().map_err(|e| StoreError::InvalidUrl(credentials.redact(&e.to_string())))?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("media-s3")
            .enable_all()
            .build()
            .map_err(|e| StoreError::Unavailable(format!("media store: cannot start its runtime: {e}")))?;
        let prefix = if location.prefix().is_empty() { String::new() } else { format!("{}/", location.prefix()) };
        Ok(Self {
            client: Arc::new(client),
            prefix,
            location: Arc::new(location.clone()),
            credentials: Arc::new(credentials),
            runtime: Arc::new(OwnRuntime::new(runtime)),
        })
    }

    pub(super) fn describe(&self) -> String {
        self.location.to_string()
    }

    fn path(&self, key: &BlobKey) -> ObjectPath {
        ObjectPath::from(format!("{}{}", self.prefix, key.path()))
    }

    /// `work` on the store's runtime, awaited from wherever we are.
    async fn run<T: Send + 'static>(
        &self,
        work: impl Future<Output = Result<T, object_store::Error>> + Send + 'static,
    ) -> Result<T, StoreError> {
        match self.runtime.handle().spawn(work).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(error)) => Err(self.error(error)),
            Err(e) => Err(StoreError::Unavailable(format!("media store task failed: {e}"))),
        }
    }

    fn error(&self, error: object_store::Error) -> StoreError {
        match error {
            object_store::Error::NotFound { .. } => StoreError::NotFound,
            other => StoreError::Unavailable(format!(
                "media store {}: {}",
                self.location,
                self.credentials.redact(&one_line(&other.to_string()))
            )),
        }
    }

    /// The bucket answers a listing with these credentials: a wrong
    /// endpoint, bucket or key fails here rather than at the first upload.
    pub(super) async fn check(&self) -> Result<(), StoreError> {
        let client = Arc::clone(&self.client);
        let prefix = (!self.prefix.is_empty()).then(|| ObjectPath::from(self.prefix.as_str()));
        match self.run(async move { client.list_with_delimiter(prefix.as_ref()).await }).await {
            Ok(_) => Ok(()),
            // Should a service answer a listing with a bare 404, it is the bucket's.
            Err(StoreError::NotFound) => {
                Err(StoreError::Unavailable(format!("media store {}: NoSuchBucket", self.location)))
            }
            Err(other) => Err(other),
        }
    }

    /// Always a PUT, even over an object already there: a key names its
    /// bytes, and asking first would cost a request as well.
    pub(super) async fn put(&self, key: &BlobKey, bytes: Arc<[u8]>) -> Result<(), StoreError> {
        let (client, path) = (Arc::clone(&self.client), self.path(key));
        let payload = PutPayload::from(bytes::Bytes::from_owner(bytes));
        self.run(async move { client.put(&path, payload).await.map(drop) }).await
    }

    /// One ranged GET.
    pub(super) async fn read(&self, key: &BlobKey, start: u64, len: usize) -> Result<Vec<u8>, StoreError> {
        if len == 0 {
            return Ok(Vec::new());
        }
        let (client, path) = (Arc::clone(&self.client), self.path(key));
        let range = start..start.saturating_add(len as u64);
        self.run(async move { client.get_range(&path, range).await.map(|bytes| bytes.to_vec()) }).await
    }

    pub(super) async fn exists(&self, key: &BlobKey) -> Result<bool, StoreError> {
        Ok(self.len(key).await?.is_some())
    }

    pub(super) async fn len(&self, key: &BlobKey) -> Result<Option<u64>, StoreError> {
        let (client, path) = (Arc::clone(&self.client), self.path(key));
        match self.run(async move { client.head(&path).await }).await {
            Ok(meta) => Ok(Some(meta.size)),
            Err(StoreError::NotFound) => Ok(None),
            Err(other) => Err(other),
        }
    }

    pub(super) async fn delete(&self, key: &BlobKey) -> Result<(), StoreError> {
        let (client, path) = (Arc::clone(&self.client), self.path(key));
        match self.run(async move { client.delete(&path).await }).await {
            Err(StoreError::NotFound) => Ok(()),
            other => other,
        }
    }

    /// [`S3::delete`], waited for on this (blocking, not async) thread.
    pub(super) fn remove_now(&self, key: &BlobKey) -> Result<(), StoreError> {
        let (done, outcome) = std::sync::mpsc::sync_channel(1);
        let (this, key) = (self.clone(), key.clone());
        self.runtime.handle().spawn(async move {
            let _ = done.send(this.delete(&key).await);
        });
        outcome.recv().map_err(|_| StoreError::Unavailable("media store task failed".to_owned()))?
    }

    pub(super) async fn list(&self) -> Result<Vec<StoredFile>, StoreError> {
        let client = Arc::clone(&self.client);
        let prefix = self.prefix.clone();
        self.run(async move {
            let mut found = Vec::new();
            for kind in ["originals", "renditions"] {
                let mut objects = client.list(Some(&ObjectPath::from(format!("{prefix}{kind}"))));
                while let Some(meta) = objects.next().await {
                    let meta = meta?;
                    let name = meta.location.as_ref();
                    let Some(key) = name.strip_prefix(prefix.as_str()).and_then(BlobKey::from_path) else { continue };
                    let age = (chrono::Utc::now() - meta.last_modified).to_std().unwrap_or_default();
                    found.push(StoredFile { key, len: meta.size, age });
                }
            }
            Ok(found)
        })
        .await
    }

    /// The SHA-256 of the object, read as it streams in.
    pub(super) async fn hash(&self, key: &BlobKey) -> Result<String, StoreError> {
        use sha2::Digest;
        let (client, path) = (Arc::clone(&self.client), self.path(key));
        self.run(async move {
            let mut body = client.get(&path).await?.into_stream();
            let mut hasher = sha2::Sha256::new();
            while let Some(piece) = body.next().await {
                hasher.update(&piece?);
            }
            Ok(format!("{:x}", hasher.finalize()))
        })
        .await
    }
}

/// The store's runtime, shut down without waiting when the last clone
/// goes: dropping a runtime the usual way panics inside another runtime.
struct OwnRuntime {
    runtime: Option<tokio::runtime::Runtime>,
    handle: tokio::runtime::Handle,
}

impl OwnRuntime {
    fn new(runtime: tokio::runtime::Runtime) -> Self {
        Self { handle: runtime.handle().clone(), runtime: Some(runtime) }
    }

    fn handle(&self) -> &tokio::runtime::Handle {
        &self.handle
    }
}

impl Drop for OwnRuntime {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// Whitespace collapsed and the length capped: a server's XML answer as one line.
fn one_line(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(400) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line,
    }
}
