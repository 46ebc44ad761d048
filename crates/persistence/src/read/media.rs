//! Media items, their blobs and renditions, and the posts that use them.

use diesel::prelude::*;
use longform_domain::media::{Catalog, MediaRef, RenditionFormat};
use longform_domain::{MediaId, PostStatus, Slug, Title};

use super::{escape_like, lower};
use crate::db::AnyConnection;
use crate::error::StoreError;
use crate::model::{Media, MediaBytes, MediaFilter, MediaUse, RenditionInfo};
use crate::rows::media::{BlobRow, MediaRow, RenditionRow, kind_from_db, sorted};
use crate::rows::parse_value;
use crate::schema::{media, media_blobs, media_renditions, post_media, posts};
use crate::time::to_db;

pub(crate) fn get(conn: &mut AnyConnection, id: MediaId) -> Result<Media, StoreError> {
    let (row, blob) = media::table
        .find(id)
        .inner_join(media_blobs::table)
        .select((MediaRow::as_select(), BlobRow::as_select()))
        .first::<(MediaRow, BlobRow)>(conn)?;
    let renditions = renditions(conn, std::slice::from_ref(&row.sha256))?;
    row.into_media(blob, renditions.into_iter().map(|(_, r)| r).collect())
}

/// The renditions of `blobs`, each with its blob's sha256.
fn renditions(conn: &mut AnyConnection, blobs: &[String]) -> Result<Vec<(String, RenditionInfo)>, StoreError> {
    let rows = media_renditions::table
        .filter(media_renditions::sha256.eq_any(blobs))
        .select(RenditionRow::as_select())
        .load::<RenditionRow>(conn)?;
    rows.into_iter().map(|row| Ok((row.sha256.clone(), RenditionInfo::try_from(row)?))).collect()
}

/// An item an import made (no uploader) of these bytes under this name.
pub(crate) fn imported(conn: &mut AnyConnection, sha256: &str, filename: &str) -> Result<Option<Media>, StoreError> {
    let id: Option<MediaId> = media::table
        .filter(media::sha256.eq(sha256))
        .filter(media::filename.eq(filename))
        .filter(media::uploaded_by.is_null())
        .order(media::created_at)
        .select(media::id)
        .first(conn)
        .optional()?;
    id.map(|id| get(conn, id)).transpose()
}

pub(crate) fn version(conn: &mut AnyConnection, id: MediaId) -> Result<i64, StoreError> {
    Ok(media::table.find(id).select(media::version).first(conn)?)
}

pub(crate) fn blob_exists(conn: &mut AnyConnection, sha256: &str) -> Result<bool, StoreError> {
    let found: Option<String> = media_blobs::table.find(sha256).select(media_blobs::sha256).first(conn).optional()?;
    Ok(found.is_some())
}

/// A page of media items, newest first: two statements, whatever the page.
pub(crate) fn list(conn: &mut AnyConnection, filter: &MediaFilter) -> Result<Vec<Media>, StoreError> {
    let mut query = media::table
        .inner_join(media_blobs::table)
        .select((MediaRow::as_select(), BlobRow::as_select()))
        .order((media::created_at.desc(), media::id.desc()))
        .limit(i64::from(filter.limit))
        .into_boxed();
    if let Some(owner) = filter.uploaded_by {
        query = query.filter(media::uploaded_by.eq(owner));
    }
    if let Some(kinds) = &filter.kinds {
        let types: Vec<&str> = kinds.iter().map(|k| k.content_type()).collect();
        query = query.filter(media_blobs::content_type.eq_any(types));
    }
    if let Some(search) = &filter.search {
        let pattern = format!("%{}%", escape_like(&search.to_lowercase()));
        query = query.filter(
            lower(media::filename)
                .like(pattern.clone())
                .escape('\\')
                .or(lower(media::alt.assume_not_null()).like(pattern).escape('\\')),
        );
    }
    if let Some((created_at, id)) = filter.before {
        let at = to_db(created_at);
        query = query.filter(media::created_at.lt(at).or(media::created_at.eq(at).and(media::id.lt(id))));
    }
    let rows: Vec<(MediaRow, BlobRow)> = query.load(conn)?;
    let blobs: Vec<String> = rows.iter().map(|(row, _)| row.sha256.clone()).collect();
    let all = renditions(conn, &blobs)?;
    rows.into_iter()
        .map(|(row, blob)| {
            let mine = all.iter().filter(|(sha, _)| *sha == row.sha256).map(|(_, r)| *r).collect();
            row.into_media(blob, mine)
        })
        .collect()
}

/// What the public address of `id` serves: its blob and renditions.
pub(crate) fn bytes(conn: &mut AnyConnection, id: MediaId) -> Result<MediaBytes, StoreError> {
    let (sha256, filename, content_type, bytes): (String, String, String, i64) = media::table
        .find(id)
        .inner_join(media_blobs::table)
        .select((media::sha256, media::filename, media_blobs::content_type, media_blobs::bytes))
        .first(conn)?;
    let renditions = renditions(conn, std::slice::from_ref(&sha256))?;
    Ok(MediaBytes {
        kind: kind_from_db(&content_type)?,
        bytes: parse_value(u64::try_from(bytes))?,
        renditions: sorted(renditions.into_iter().map(|(_, r)| r).collect()),
        sha256,
        filename,
    })
}

/// What a post's HTML needs of the media items `ids` that exist: their
/// size and the widths of their WebP renditions.
pub(crate) fn catalog(conn: &mut AnyConnection, ids: &[MediaId]) -> Result<Catalog, StoreError> {
    /// Id, blob, width, height, type, length.
    type Row = (MediaId, String, Option<i32>, Option<i32>, String, i64);
    let rows: Vec<Row> = media::table
        .filter(media::id.eq_any(ids))
        .inner_join(media_blobs::table)
        .select((
            media::id,
            media::sha256,
            media_blobs::width,
            media_blobs::height,
            media_blobs::content_type,
            media_blobs::bytes,
        ))
        .load(conn)?;
    let blobs: Vec<String> = rows.iter().map(|(_, sha, ..)| sha.clone()).collect();
    let renditions = renditions(conn, &blobs)?;
    rows.into_iter()
        .map(|(id, sha, width, height, content_type, bytes)| {
            let mut webp_widths: Vec<u32> = renditions
                .iter()
                .filter(|(blob, r)| *blob == sha && r.format == RenditionFormat::Webp)
                .map(|(_, r)| r.width)
                .collect();
            webp_widths.sort_unstable_by(|a, b| b.cmp(a));
            let dimension = |n: Option<i32>| n.and_then(|n| u32::try_from(n).ok());
            let (width, height, bytes) = (dimension(width), dimension(height), u64::try_from(bytes).unwrap_or(0));
            Ok((id, MediaRef { width, height, webp_widths, content_type, bytes }))
        })
        .collect()
}

/// At most this many of an item's uses are read (a logo on every post).
const MAX_USES: i64 = 1000;

/// The posts that use `id`, trash included, oldest first: at most
/// [`MAX_USES`] of them.
pub(crate) fn uses(conn: &mut AnyConnection, id: MediaId) -> Result<Vec<MediaUse>, StoreError> {
    let rows: Vec<(longform_domain::PostId, String, String, String, Option<longform_domain::UserId>)> =
        post_media::table
            .filter(post_media::media_id.eq(id))
            .inner_join(posts::table)
            .select((posts::id, posts::title, posts::slug, posts::status, posts::owner_id))
            .order(posts::created_at)
            .limit(MAX_USES)
            .load(conn)?;
    rows.into_iter()
        .map(|(post_id, title, slug, status, owner)| {
            Ok(MediaUse {
                post_id,
                title: parse_value(Title::parse(&title))?,
                slug: parse_value(Slug::parse(&slug))?,
                status: parse_value(status.parse::<PostStatus>())?,
                owner,
            })
        })
        .collect()
}

/// Every blob's sha256.
pub(crate) fn blob_shas(conn: &mut AnyConnection) -> Result<Vec<String>, StoreError> {
    Ok(media_blobs::table.select(media_blobs::sha256).load(conn)?)
}

/// Every blob (sha256 and size) and every rendition, for `media verify`.
pub(crate) type AllBlobs = (Vec<(String, u64)>, Vec<(String, RenditionInfo)>);

pub(crate) fn all_blobs(conn: &mut AnyConnection) -> Result<AllBlobs, StoreError> {
    let blobs: Vec<(String, i64)> =
        media_blobs::table.select((media_blobs::sha256, media_blobs::bytes)).order(media_blobs::sha256).load(conn)?;
    let blobs = blobs
        .into_iter()
        .map(|(sha, n)| Ok((sha, parse_value(u64::try_from(n))?)))
        .collect::<Result<_, StoreError>>()?;
    let rows = media_renditions::table.select(RenditionRow::as_select()).load::<RenditionRow>(conn)?;
    let renditions = rows
        .into_iter()
        .map(|row| Ok((row.sha256.clone(), RenditionInfo::try_from(row)?)))
        .collect::<Result<_, StoreError>>()?;
    Ok((blobs, renditions))
}
