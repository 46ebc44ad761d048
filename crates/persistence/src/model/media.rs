//! Media items as the repositories give and take them.

use chrono::{DateTime, Utc};
use longform_domain::media::{MediaKind, RenditionFormat};
use longform_domain::{Caption, MediaAlt, MediaId, PostId, PostStatus, Slug, Title, UserId};

/// One smaller size of a raster image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenditionInfo {
    pub width: u32,
    pub height: u32,
    pub format: RenditionFormat,
    pub bytes: u64,
}

/// An uploaded file: the item (its name, text and owner) and its blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Media {
    pub id: MediaId,
    pub sha256: String,
    pub filename: String,
    pub kind: MediaKind,
    pub bytes: u64,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub has_location: bool,
    pub alt: Option<MediaAlt>,
    pub caption: Option<Caption>,
    pub uploaded_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
    /// Widest first, WebP before the original's format at each width.
    pub renditions: Vec<RenditionInfo>,
}

impl Media {
    /// What it is, as JSON, without addresses (they need the server's
    /// `api_url`: `{api_url}/media/{id}/{filename}`, the filename
    /// percent-encoded): what webhooks carry, and the editor API adds to.
    pub fn facts(&self) -> serde_json::Value {
        serde_json::json!({
            "id": self.id,
            "filename": self.filename,
            "content_type": self.kind.content_type(),
            "bytes": self.bytes,
            "width": self.width,
            "height": self.height,
            "sha256": self.sha256,
            "alt": self.alt.as_ref().map(MediaAlt::as_str),
            "caption": self.caption.as_ref().map(Caption::as_str),
            "has_location": self.has_location,
            "uploaded_by": self.uploaded_by,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "version": self.version,
        })
    }
}

/// An upload whose bytes (and renditions) are already in the media store.
#[derive(Debug, Clone)]
pub struct NewMedia {
    pub sha256: String,
    pub filename: String,
    pub kind: MediaKind,
    pub bytes: u64,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub has_location: bool,
    pub renditions: Vec<RenditionInfo>,
    pub alt: Option<MediaAlt>,
    pub caption: Option<Caption>,
    pub uploaded_by: Option<UserId>,
}

/// What a change sets: `Some(None)` clears a field.
#[derive(Debug, Clone, Default)]
pub struct MediaChanges {
    pub alt: Option<Option<MediaAlt>>,
    pub caption: Option<Option<Caption>>,
}

/// Which media items a list shows.
#[derive(Debug, Clone, Default)]
pub struct MediaFilter {
    /// Only this user's uploads (contributors and authors see no others).
    pub uploaded_by: Option<UserId>,
    /// Only these kinds.
    pub kinds: Option<Vec<MediaKind>>,
    /// Only items whose file name or alt text contains this (any case).
    pub search: Option<String>,
    /// Items older than this one (the last of the previous page).
    pub before: Option<(DateTime<Utc>, MediaId)>,
    pub limit: u32,
}

/// A post that uses a media item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaUse {
    pub post_id: PostId,
    pub title: Title,
    pub slug: Slug,
    pub status: PostStatus,
    pub owner: Option<UserId>,
}

/// What a deletion did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaDeletion {
    Deleted,
    /// Not deleted: these posts use it.
    InUse(Vec<MediaUse>),
}

/// What the public address of a media item serves: the original or one
/// rendition, by the key of its bytes in the media store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaBytes {
    pub sha256: String,
    pub filename: String,
    pub kind: MediaKind,
    pub bytes: u64,
    pub renditions: Vec<RenditionInfo>,
}
