//! Media: the limits and threads uploads go through, and the public
//! addresses that serve their bytes.
//!
//! `GET /media/{id}/{filename}` serves the original; `{stem}-{width}w.{ext}`
//! beside it serves a rendition (`diagram-960w.webp`). Both are immutable:
//! a strong ETag made from the bytes' sha256, a year of caching, `Range`
//! and `HEAD`, and the type sniffed at upload. SVG gets a policy that runs
//! nothing; a PDF one that loads nothing beyond itself.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, web};
use longform_domain::media::{self, MediaKind, RenditionFormat, UploadError};
use longform_domain::{Caption, MediaAlt, MediaId, UserId};
use longform_persistence::media_store::{BlobKey, MediaStore};
use longform_persistence::{Media as StoredMedia, MediaBytes, NewMedia, RenditionInfo, Store};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

use crate::AppState;
use crate::error::ApiError;

/// What uploads may be, and where they go.
pub struct Media {
    pub store: MediaStore,
    /// The largest upload, in bytes.
    pub max_bytes: usize,
    /// The most pixels an image's header may claim.
    pub max_pixels: u64,
    /// The widths renditions are made at (never wider than the original).
    pub widths: Vec<u32>,
    /// One decode per core at once: decoding a 50-megapixel image holds
    /// 200 MB, so a burst of uploads queues here.
    decoders: Arc<Semaphore>,
    /// What each public address was found to serve, for [`LOOKUP_TTL`]:
    /// an image on a busy page is asked for again and again, and its row
    /// never changes (a deletion removes it here at once; another replica
    /// sees the deletion within the TTL).
    lookups: std::sync::Mutex<HashMap<MediaId, (Instant, Arc<MediaBytes>)>>,
    /// Small files' bytes, by key: a key's bytes never change (it is their
    /// hash), so they need no invalidation, only a bound ([`HELD_BYTES`]).
    held: std::sync::Mutex<Held>,
}

/// Files held in memory are at most this large, and all of them together
/// at most [`HELD_BYTES`]: the images of the pages being read now.
const HELD_FILE: u64 = 512 * 1024;
const HELD_BYTES: usize = 8 * 1024 * 1024;

#[derive(Default)]
struct Held {
    files: HashMap<BlobKey, Bytes>,
    total: usize,
}

/// How long a media lookup is trusted.
const LOOKUP_TTL: Duration = Duration::from_secs(10);
/// Most lookups remembered (about 200 bytes each); past it they are all
/// dropped and found again.
const MAX_LOOKUPS: usize = 10_000;

/// How long an upload waits for a free core before a 503.
const DECODE_WAIT: Duration = Duration::from_secs(30);

/// Bodies read from storage at once for a large file.
const CHUNK: usize = 256 * 1024;

impl Media {
    pub fn new(store: MediaStore, max_bytes: usize, max_pixels: u64) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Self {
            store,
            max_bytes,
            max_pixels,
            widths: longform_domain::media::DEFAULT_WIDTHS.to_vec(),
            decoders: Arc::new(Semaphore::new(cores)),
            lookups: std::sync::Mutex::new(HashMap::new()),
            held: std::sync::Mutex::new(Held::default()),
        }
    }

    /// A small file's bytes, read once and then held (while the budget
    /// lasts; past it, everything held is let go and read again).
    async fn small_file(&self, key: &BlobKey, len: u64) -> Result<Bytes, ApiError> {
        if let Some(bytes) = self.holding().files.get(key) {
            return Ok(bytes.clone());
        }
        let bytes = Bytes::from(self.store.read(key, 0, len as usize).await?);
        let mut held = self.holding();
        if held.total + bytes.len() > HELD_BYTES {
            *held = Held::default();
        }
        held.total += bytes.len();
        held.files.insert(key.clone(), bytes.clone());
        Ok(bytes)
    }

    fn holding(&self) -> std::sync::MutexGuard<'_, Held> {
        self.held.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// What the public address of `id` serves: remembered for a moment.
    async fn lookup(&self, store: &Store, id: MediaId) -> Result<Arc<MediaBytes>, ApiError> {
        let now = Instant::now();
        if let Some((at, found)) = self.remembered().get(&id)
            && now.duration_since(*at) < LOOKUP_TTL
        {
            return Ok(Arc::clone(found));
        }
        let found = Arc::new(store.media().bytes(id).await?);
        let mut lookups = self.remembered();
        if lookups.len() >= MAX_LOOKUPS {
            lookups.clear();
        }
        lookups.insert(id, (now, Arc::clone(&found)));
        Ok(found)
    }

    /// Forget `id` (it was deleted): its address answers 404 from now on.
    pub fn forget(&self, id: MediaId) {
        self.remembered().remove(&id);
    }

    fn remembered(&self) -> std::sync::MutexGuard<'_, HashMap<MediaId, (Instant, Arc<MediaBytes>)>> {
        self.lookups.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Run CPU-heavy `work` (inspecting, decoding, scaling, encoding) on a
    /// blocking thread, one per core at once.
    pub async fn decode<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, ApiError> {
        let permit = tokio::time::timeout(DECODE_WAIT, Arc::clone(&self.decoders).acquire_owned())
            .await
            .map_err(|_| ApiError::Unavailable)?
            .map_err(|_| ApiError::Unavailable)?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            work()
        })
        .await
        .map_err(|_| ApiError::Internal)
    }
}

/// A file to keep as a media item, as it arrived.
pub struct Upload {
    pub bytes: Arc<[u8]>,
    /// The name it came with; cleaned before it is kept.
    pub filename: String,
    pub alt: Option<MediaAlt>,
    pub caption: Option<Caption>,
    pub uploaded_by: Option<UserId>,
    /// An import: an item an earlier import made of the same bytes under
    /// the same name is the answer, so importing a folder again adds none.
    pub reuse_imported: bool,
}

impl Media {
    /// Keep `upload` as a new media item: its type sniffed and its size
    /// checked (one decode per core at once), its renditions made unless
    /// these bytes were stored before, its bytes stored, its row written.
    /// A refused file is a 415 or a 400 naming `file`.
    pub async fn ingest(&self, store: &Store, upload: Upload) -> Result<StoredMedia, ApiError> {
        let Upload { bytes, filename, alt, caption, uploaded_by, reuse_imported } = upload;
        let (inspected, sha256) = self.inspect(&bytes).await?;
        let filename = media::clean_filename(&filename, inspected.kind);
        if reuse_imported && let Some(earlier) = store.media().imported(sha256.clone(), filename.clone()).await? {
            return Ok(earlier);
        }
        let renditions = if store.media().blob_exists(sha256.clone()).await? {
            Vec::new() // made at the first upload of these bytes
        } else {
            self.make_renditions(&bytes, inspected.kind, &sha256).await?
        };
        self.store.put(BlobKey::original(&sha256)?, Arc::clone(&bytes)).await?;
        let new = NewMedia {
            filename,
            kind: inspected.kind,
            bytes: bytes.len() as u64,
            width: inspected.width,
            height: inspected.height,
            has_location: inspected.has_location,
            renditions,
            alt,
            caption,
            uploaded_by,
            sha256,
        };
        let item = store.media().create(new).await?;
        // `longform media gc` may have removed these bytes between the
        // write above and the row (their blob was unused until this
        // upload): put them back now that the row holds them.
        let original = BlobKey::original(&item.sha256)?;
        if !self.store.exists(&original).await? {
            self.store.put(original, bytes).await?;
        }
        Ok(item)
    }

    /// What a dry run of an import learns of a file: refused (the error),
    /// or kept by an earlier import (that item), or new (`None`).
    pub async fn earlier_import(
        &self,
        store: &Store,
        bytes: &Arc<[u8]>,
        filename: &str,
    ) -> Result<Option<StoredMedia>, ApiError> {
        let (inspected, sha256) = self.inspect(bytes).await?;
        let filename = media::clean_filename(filename, inspected.kind);
        Ok(store.media().imported(sha256, filename).await?)
    }

    /// The file's type and size, checked, and its sha256.
    async fn inspect(&self, bytes: &Arc<[u8]>) -> Result<(media::Inspected, String), ApiError> {
        let (bytes, max_pixels) = (Arc::clone(bytes), self.max_pixels);
        let (inspected, sha256) =
            self.decode(move || (media::inspect(&bytes, max_pixels), format!("{:x}", Sha256::digest(&bytes)))).await?;
        Ok((inspected.map_err(refused)?, sha256))
    }

    /// Decode, scale and encode the renditions (one decode per core at
    /// once), and write each to the media store.
    async fn make_renditions(
        &self,
        bytes: &Arc<[u8]>,
        kind: MediaKind,
        sha256: &str,
    ) -> Result<Vec<RenditionInfo>, ApiError> {
        if !kind.has_renditions() {
            return Ok(Vec::new());
        }
        let (bytes, widths, max_pixels) = (Arc::clone(bytes), self.widths.clone(), self.max_pixels);
        let made = self.decode(move || media::raster::renditions(&bytes, kind, max_pixels, &widths)).await?;
        let mut stored = Vec::new();
        for rendition in made.map_err(refused)? {
            let info = RenditionInfo {
                width: rendition.width,
                height: rendition.height,
                format: rendition.format,
                bytes: rendition.bytes.len() as u64,
            };
            let key = BlobKey::rendition(sha256, rendition.width, rendition.format)?;
            self.store.put(key, rendition.bytes.into()).await?;
            stored.push(info);
        }
        Ok(stored)
    }
}

/// A file the media rules refuse: an unknown type is a 415, the rest 400s.
fn refused(error: UploadError) -> ApiError {
    match error {
        UploadError::UnsupportedType => ApiError::UnsupportedMediaType { field: "file", reason: error.to_string() },
        other => ApiError::invalid("file", other.to_string()),
    }
}

/// Characters a path segment may not hold as they are.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// The public address of a media item's original.
pub fn original_url(api_url: &str, id: MediaId, filename: &str) -> String {
    format!("{api_url}/media/{id}/{}", utf8_percent_encode(filename, SEGMENT))
}

/// The name a rendition is served under: `diagram-960w.webp`.
pub fn rendition_name(filename: &str, width: u32, format: RenditionFormat) -> String {
    let stem = filename.rsplit_once('.').map_or(filename, |(stem, _)| stem);
    format!("{stem}-{width}w.{}", format.kind().extension())
}

pub fn rendition_url(api_url: &str, id: MediaId, filename: &str, rendition: &RenditionInfo) -> String {
    let name = rendition_name(filename, rendition.width, rendition.format);
    format!("{api_url}/media/{id}/{}", utf8_percent_encode(&name, SEGMENT))
}

/// A post's HTML with the media addresses it holds as paths (`/media/…`,
/// as the writer wrote them and the renderer sized them) made absolute
/// under `api_url`, where Longform serves them, whatever the frontend's
/// origin. Bodies without media are returned as they are.
pub fn absolute_media<'a>(html: &'a str, api_url: &str) -> std::borrow::Cow<'a, str> {
    if !html.contains("/media/") {
        return std::borrow::Cow::Borrowed(html);
    }
    let mut out = html.to_owned();
    // In `src`, `href` and `srcset` (whose later candidates follow ", ").
    for (before, after) in [
        (" src=\"/media/", format!(" src=\"{api_url}/media/")),
        (" href=\"/media/", format!(" href=\"{api_url}/media/")),
        (" srcset=\"/media/", format!(" srcset=\"{api_url}/media/")),
        ("w, /media/", format!("w, {api_url}/media/")),
    ] {
        if out.contains(before) {
            out = out.replace(before, &after);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// What one public address serves.
struct Served {
    key: BlobKey,
    kind: MediaKind,
    len: u64,
    etag: String,
    filename: String,
}

/// The original or the rendition `name` asks for.
fn pick(item: &MediaBytes, name: &str) -> Result<Served, ApiError> {
    if name == item.filename {
        return Ok(Served {
            key: BlobKey::original(&item.sha256)?,
            kind: item.kind,
            len: item.bytes,
            etag: format!("\"{}\"", &item.sha256[..32]),
            filename: item.filename.clone(),
        });
    }
    let rendition = item
        .renditions
        .iter()
        .find(|r| rendition_name(&item.filename, r.width, r.format) == name)
        .ok_or(ApiError::NotFound)?;
    Ok(Served {
        key: BlobKey::rendition(&item.sha256, rendition.width, rendition.format)?,
        kind: rendition.format.kind(),
        len: rendition.bytes,
        etag: format!("\"{}-{}-{}\"", &item.sha256[..24], rendition.width, rendition.format.as_str()),
        filename: name.to_owned(),
    })
}

/// `GET` and `HEAD /media/{id}/{name}`.
pub async fn serve(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, name) = path.into_inner();
    let id: MediaId = id.parse().map_err(|_| ApiError::NotFound)?;
    let item = state.media.lookup(&state.store, id).await?;
    let served = pick(&item, &name)?;
    let mut response = HttpResponse::Ok();
    response
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .insert_header((header::ETAG, served.etag.as_str()))
        .insert_header((header::ACCEPT_RANGES, "bytes"));
    if let Some(policy) = policy(served.kind) {
        response.insert_header((header::CONTENT_SECURITY_POLICY, policy));
    }
    if matches_etag(req.headers().get(header::IF_NONE_MATCH), &served.etag) {
        return Ok(response.status(StatusCode::NOT_MODIFIED).finish());
    }
    response.insert_header((header::CONTENT_TYPE, served.kind.content_type()));
    response.insert_header((header::CONTENT_DISPOSITION, disposition(&served.filename)));
    let (start, len) = match requested_range(&req, &served)? {
        Some((start, end)) => {
            response.status(StatusCode::PARTIAL_CONTENT);
            response.insert_header((header::CONTENT_RANGE, format!("bytes {start}-{end}/{}", served.len)));
            (start, end - start + 1)
        }
        None => (0, served.len),
    };
    if req.method() == Method::HEAD {
        // The length the GET would send; actix never reads a HEAD's body.
        let nothing = futures_util::stream::empty::<Result<Bytes, std::io::Error>>();
        return Ok(response.body(actix_web::body::SizedStream::new(len, nothing)));
    }
    if served.len <= HELD_FILE {
        let whole = state.media.small_file(&served.key, served.len).await?;
        return Ok(response.body(whole.slice(start as usize..(start + len) as usize)));
    }
    if len <= CHUNK as u64 {
        let bytes = state.media.store.read(&served.key, start, len as usize).await?;
        return Ok(response.body(bytes));
    }
    let store = state.media.store.clone();
    let end = start + len;
    let chunks = futures_util::stream::unfold(start, move |at| {
        let (store, key) = (store.clone(), served.key.clone());
        async move {
            if at >= end {
                return None;
            }
            let want = (end - at).min(CHUNK as u64) as usize;
            match store.read(&key, at, want).await {
                Ok(bytes) if !bytes.is_empty() => Some((Ok(Bytes::from(bytes)), at + want as u64)),
                Ok(_) => Some((Err(std::io::Error::other("the media file is shorter than recorded")), end)),
                Err(e) => Some((Err(std::io::Error::other(e.to_string())), end)),
            }
        }
    });
    Ok(response.body(actix_web::body::SizedStream::new(len, chunks)))
}

/// What a drawing or a document may do when opened on its own.
fn policy(kind: MediaKind) -> Option<&'static str> {
    match kind {
        // Styles inside the drawing, nothing else, and no script at all.
        MediaKind::Svg => Some("default-src 'none'; style-src 'unsafe-inline'; sandbox"),
        // Chromium's viewer refuses a sandboxed document; it may be framed.
        MediaKind::Pdf => Some("default-src 'none'; style-src 'unsafe-inline'; img-src data:"),
        _ => None,
    }
}

/// `inline`, with the name a browser saves it under (RFC 6266).
fn disposition(filename: &str) -> HeaderValue {
    let ascii: String =
        filename.chars().map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' { c } else { '_' }).collect();
    let encoded = utf8_percent_encode(filename, SEGMENT);
    HeaderValue::from_str(&format!("inline; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"))
        .unwrap_or(HeaderValue::from_static("inline"))
}

/// Whether `If-None-Match` names `etag` (or is `*`).
fn matches_etag(header: Option<&HeaderValue>, etag: &str) -> bool {
    let Some(value) = header.and_then(|v| v.to_str().ok()) else { return false };
    value.split(',').map(str::trim).any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag)
}

/// The one byte range asked for, as first and last byte, when the request
/// has a `Range` this answer honours: a single range (several are answered
/// whole, as RFC 9110 allows), with an `If-Range` naming this ETag if any.
/// A range that starts past the end is a 416.
fn requested_range(req: &HttpRequest, served: &Served) -> Result<Option<(u64, u64)>, ApiError> {
    let Some(raw) = req.headers().get(header::RANGE).and_then(|v| v.to_str().ok()) else { return Ok(None) };
    if let Some(if_range) = req.headers().get(header::IF_RANGE)
        && if_range.to_str().ok().map(str::trim) != Some(served.etag.as_str())
    {
        return Ok(None);
    }
    let Some(spec) = raw.trim().strip_prefix("bytes=") else { return Ok(None) };
    if spec.contains(',') {
        return Ok(None);
    }
    let Some((first, last)) = spec.split_once('-') else { return Ok(None) };
    let (first, last) = (first.trim(), last.trim());
    let len = served.len;
    let range = match (first.parse::<u64>(), last.parse::<u64>()) {
        // bytes=-N: the last N bytes.
        _ if first.is_empty() => match last.parse::<u64>() {
            Ok(0) | Err(_) => None,
            Ok(n) => Some((len.saturating_sub(n), len.checked_sub(1))),
        },
        (Ok(start), _) if last.is_empty() => Some((start, len.checked_sub(1))),
        (Ok(start), Ok(end)) if start <= end => Some((start, Some(end.min(len.saturating_sub(1))))),
        _ => return Ok(None),
    };
    match range {
        Some((start, Some(end))) if start < len && start <= end => Ok(Some((start, end))),
        _ => Err(ApiError::RangeNotSatisfiable { len }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn served(len: u64) -> Served {
        Served {
            key: BlobKey::original(&"a".repeat(64)).unwrap(),
            kind: MediaKind::Png,
            len,
            etag: "\"abc\"".to_owned(),
            filename: "a.png".to_owned(),
        }
    }

    fn range(value: &str, len: u64) -> Result<Option<(u64, u64)>, u64> {
        let req = TestRequest::default().insert_header((header::RANGE, value)).to_http_request();
        requested_range(&req, &served(len)).map_err(|e| match e {
            ApiError::RangeNotSatisfiable { len } => len,
            _ => u64::MAX,
        })
    }

    #[test]
    fn byte_ranges_as_rfc_9110_reads_them() {
        assert_eq!(range("bytes=0-99", 1000), Ok(Some((0, 99))));
        assert_eq!(range("bytes=900-", 1000), Ok(Some((900, 999))));
        assert_eq!(range("bytes=-100", 1000), Ok(Some((900, 999))));
        assert_eq!(range("bytes=-5000", 1000), Ok(Some((0, 999))));
        assert_eq!(range("bytes=990-5000", 1000), Ok(Some((990, 999))));
        assert_eq!(range("bytes=1000-", 1000), Err(1000), "starts past the end");
        assert_eq!(range("bytes=-0", 1000), Err(1000));
        assert_eq!(range("bytes=0-1,5-9", 1000), Ok(None), "several ranges: the whole file");
        assert_eq!(range("bytes=9-1", 1000), Ok(None), "malformed: ignored");
        assert_eq!(range("items=0-1", 1000), Ok(None));
        let stale = TestRequest::default()
            .insert_header((header::RANGE, "bytes=0-1"))
            .insert_header((header::IF_RANGE, "\"other\""))
            .to_http_request();
        assert_eq!(requested_range(&stale, &served(10)).ok(), Some(None), "If-Range of another version");
    }

    #[test]
    fn media_paths_in_bodies_become_absolute() {
        let html = r#"<p><img src="/media/a/x.png" srcset="/media/a/x-480w.webp 480w, /media/a/x.png 900w" alt="/media/"> <a href="/media/b/p.pdf">p</a> <a href="/about">a</a> <code>/media/c</code></p>"#;
        let out = absolute_media(html, "https://api.example");
        assert_eq!(
            out,
            r#"<p><img src="https://api.example/media/a/x.png" srcset="https://api.example/media/a/x-480w.webp 480w, https://api.example/media/a/x.png 900w" alt="/media/"> <a href="https://api.example/media/b/p.pdf">p</a> <a href="/about">a</a> <code>/media/c</code></p>"#
        );
        assert!(matches!(absolute_media("<p>no media</p>", "x"), std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn rendition_names_keep_the_stem() {
        assert_eq!(rendition_name("diagram.png", 960, RenditionFormat::Webp), "diagram-960w.webp");
        assert_eq!(rendition_name("photo.final.JPG", 480, RenditionFormat::Jpeg), "photo.final-480w.jpg");
        let url = original_url("http://api", MediaId::new(), "a b/ü.png");
        assert!(url.ends_with("/a%20b%2F%C3%BC.png"), "{url}");
    }
}
