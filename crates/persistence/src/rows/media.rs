//! Media blob, rendition and item rows.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use longform_domain::media::{MediaKind, RenditionFormat};
use longform_domain::{Caption, MediaAlt, MediaId, UserId};

use super::{parse_optional, parse_value, saturating_i32};
use crate::error::StoreError;
use crate::model::{Media, NewMedia, RenditionInfo};
use crate::schema::{media, media_blobs, media_renditions};
use crate::time::{from_db, to_db};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = media_blobs, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub(crate) struct BlobRow {
    pub(crate) sha256: String,
    pub(crate) content_type: String,
    pub(crate) bytes: i64,
    pub(crate) width: Option<i32>,
    pub(crate) height: Option<i32>,
    pub(crate) has_location: bool,
    pub(crate) created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = media_renditions, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub(crate) struct RenditionRow {
    pub(crate) sha256: String,
    pub(crate) width: i32,
    pub(crate) format: String,
    pub(crate) height: i32,
    pub(crate) bytes: i64,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = media, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite), treat_none_as_null = true)]
pub(crate) struct MediaRow {
    pub(crate) id: MediaId,
    pub(crate) sha256: String,
    pub(crate) filename: String,
    pub(crate) alt: Option<String>,
    pub(crate) caption: Option<String>,
    pub(crate) uploaded_by: Option<UserId>,
    pub(crate) created_at: NaiveDateTime,
    pub(crate) updated_at: NaiveDateTime,
    pub(crate) version: i64,
}

fn size(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn unsigned(n: i64) -> Result<u64, StoreError> {
    parse_value(u64::try_from(n))
}

fn dimension(n: Option<i32>) -> Result<Option<u32>, StoreError> {
    n.map(|n| parse_value(u32::try_from(n))).transpose()
}

pub(crate) fn kind_from_db(content_type: &str) -> Result<MediaKind, StoreError> {
    MediaKind::from_content_type(content_type)
        .ok_or_else(|| StoreError::Corrupt(format!("media of unknown type {content_type:?}")))
}

impl BlobRow {
    pub(crate) fn new(new: &NewMedia, at: NaiveDateTime) -> Self {
        Self {
            sha256: new.sha256.clone(),
            content_type: new.kind.content_type().to_owned(),
            bytes: size(new.bytes),
            width: new.width.map(saturating_i32),
            height: new.height.map(saturating_i32),
            has_location: new.has_location,
            created_at: at,
        }
    }
}

impl RenditionRow {
    pub(crate) fn new(sha256: &str, rendition: &RenditionInfo) -> Self {
        Self {
            sha256: sha256.to_owned(),
            width: saturating_i32(rendition.width),
            format: rendition.format.as_str().to_owned(),
            height: saturating_i32(rendition.height),
            bytes: size(rendition.bytes),
        }
    }
}

impl TryFrom<RenditionRow> for RenditionInfo {
    type Error = StoreError;
    fn try_from(row: RenditionRow) -> Result<Self, StoreError> {
        Ok(Self {
            width: parse_value(u32::try_from(row.width))?,
            height: parse_value(u32::try_from(row.height))?,
            format: row.format.parse::<RenditionFormat>().map_err(|()| StoreError::Corrupt(row.format.clone()))?,
            bytes: unsigned(row.bytes)?,
        })
    }
}

/// Widest first, WebP first at each width.
pub(crate) fn sorted(mut renditions: Vec<RenditionInfo>) -> Vec<RenditionInfo> {
    renditions.sort_by(|a, b| b.width.cmp(&a.width).then(a.format.cmp(&b.format)));
    renditions
}

impl MediaRow {
    pub(crate) fn new(id: MediaId, new: &NewMedia, at: NaiveDateTime) -> Self {
        Self {
            id,
            sha256: new.sha256.clone(),
            filename: new.filename.clone(),
            alt: new.alt.as_ref().map(|a| a.as_str().to_owned()),
            caption: new.caption.as_ref().map(|c| c.as_str().to_owned()),
            uploaded_by: new.uploaded_by,
            created_at: at,
            updated_at: at,
            version: 1,
        }
    }

    pub(crate) fn of(item: &Media) -> Self {
        Self {
            id: item.id,
            sha256: item.sha256.clone(),
            filename: item.filename.clone(),
            alt: item.alt.as_ref().map(|a| a.as_str().to_owned()),
            caption: item.caption.as_ref().map(|c| c.as_str().to_owned()),
            uploaded_by: item.uploaded_by,
            created_at: to_db(item.created_at),
            updated_at: to_db(item.updated_at),
            version: item.version,
        }
    }

    pub(crate) fn into_media(self, blob: BlobRow, renditions: Vec<RenditionInfo>) -> Result<Media, StoreError> {
        Ok(Media {
            id: self.id,
            filename: self.filename,
            kind: kind_from_db(&blob.content_type)?,
            bytes: unsigned(blob.bytes)?,
            width: dimension(blob.width)?,
            height: dimension(blob.height)?,
            has_location: blob.has_location,
            sha256: self.sha256,
            alt: parse_optional(self.alt, MediaAlt::parse)?,
            caption: parse_optional(self.caption, Caption::parse)?,
            uploaded_by: self.uploaded_by,
            created_at: from_db(self.created_at),
            updated_at: from_db(self.updated_at),
            version: self.version,
            renditions: sorted(renditions),
        })
    }
}
