//! Writing media items. Their bytes are in the media store before any of
//! these runs; a row never names a blob that is not there.

use diesel::prelude::*;
use longform_domain::MediaId;

use crate::db::AnyConnection;
use crate::effects::outbox::enqueue;
use crate::error::StoreError;
use crate::media_store::{BlobKey, MediaStore};
use crate::model::{Media, MediaChanges, MediaDeletion, NewMedia};
use crate::read;
use crate::rows::media::{BlobRow, MediaRow, RenditionRow};
use crate::schema::{media, media_blobs, media_renditions};
use crate::time::{now, to_db};

/// A new media item; its blob and renditions are recorded unless an
/// earlier upload of the same bytes recorded them.
pub(crate) fn create(conn: &mut AnyConnection, new: &NewMedia) -> Result<Media, StoreError> {
    let at = to_db(now());
    let blob = BlobRow::new(new, at);
    let renditions: Vec<RenditionRow> = new.renditions.iter().map(|r| RenditionRow::new(&new.sha256, r)).collect();
    // Each backend's own ON CONFLICT: two uploads of the same bytes may race.
    macro_rules! unless_there {
        ($c:expr) => {{
            diesel::insert_into(media_blobs::table).values(&blob).on_conflict_do_nothing().execute($c)?;
            for rendition in &renditions {
                diesel::insert_into(media_renditions::table).values(rendition).on_conflict_do_nothing().execute($c)?;
            }
        }};
    }
    match conn {
        AnyConnection::Sqlite(c) => unless_there!(c),
        AnyConnection::Postgresql(c) => unless_there!(c),
    }
    let id = MediaId::new();
    diesel::insert_into(media::table).values(MediaRow::new(id, new, at)).execute(conn)?;
    let item = read::media::get(conn, id)?;
    enqueue(conn, "media.uploaded", || serde_json::json!({ "media": item.facts() }))?;
    Ok(item)
}

/// Change a media item still at version `expected`.
pub(crate) fn update(
    conn: &mut AnyConnection,
    id: MediaId,
    expected: i64,
    changes: &MediaChanges,
) -> Result<Media, StoreError> {
    let mut item = read::media::get(conn, id)?;
    if item.version != expected {
        return Err(StoreError::VersionMismatch { expected, current: item.version });
    }
    if let Some(alt) = &changes.alt {
        item.alt = alt.clone();
    }
    if let Some(caption) = &changes.caption {
        item.caption = caption.clone();
    }
    item.updated_at = now();
    item.version = expected + 1;
    let changed = diesel::update(media::table.find(id).filter(media::version.eq(expected)))
        .set(&MediaRow::of(&item))
        .execute(conn)?;
    if changed == 0 {
        return Err(mismatch(conn, id, expected));
    }
    enqueue(conn, "media.updated", || serde_json::json!({ "media": item.facts() }))?;
    Ok(item)
}

/// Delete a media item still at version `expected`, unless posts use it
/// and `force` is off. Its blob stays until `longform media gc` finds no
/// item using it.
pub(crate) fn delete(
    conn: &mut AnyConnection,
    id: MediaId,
    expected: i64,
    force: bool,
) -> Result<MediaDeletion, StoreError> {
    let item = read::media::get(conn, id)?;
    if item.version != expected {
        return Err(StoreError::VersionMismatch { expected, current: item.version });
    }
    if !force {
        let uses = read::media::uses(conn, id)?;
        if !uses.is_empty() {
            return Ok(MediaDeletion::InUse(uses));
        }
    }
    let deleted = diesel::delete(media::table.find(id).filter(media::version.eq(expected))).execute(conn)?;
    if deleted == 0 {
        return Err(mismatch(conn, id, expected));
    }
    enqueue(conn, "media.deleted", || serde_json::json!({ "media": item.facts() }))?;
    Ok(MediaDeletion::Deleted)
}

fn mismatch(conn: &mut AnyConnection, id: MediaId, expected: i64) -> StoreError {
    match read::media::version(conn, id) {
        Ok(current) => StoreError::VersionMismatch { expected, current },
        Err(error) => error,
    }
}

/// Blobs no media item uses, removed: their files first, then their rows,
/// in one transaction that holds the rows (SQLite's write lock; on
/// PostgreSQL `FOR UPDATE`). An upload of the same bytes meanwhile waits on
/// its blob row and, after it commits, writes any file that is missing
/// again. With `dry_run`, only what would go. Each blob's sha256 and size.
pub(crate) fn collect(
    conn: &mut AnyConnection,
    files: &MediaStore,
    dry_run: bool,
) -> Result<Vec<(String, u64)>, StoreError> {
    let unused = media_blobs::table
        .filter(diesel::dsl::not(diesel::dsl::exists(media::table.filter(media::sha256.eq(media_blobs::sha256)))))
        .select((media_blobs::sha256, media_blobs::bytes));
    let blobs: Vec<(String, i64)> = match conn {
        AnyConnection::Sqlite(c) => unused.load(c)?,
        AnyConnection::Postgresql(c) => unused.for_update().load(c)?,
    };
    if dry_run || blobs.is_empty() {
        return Ok(blobs.into_iter().map(|(sha, bytes)| (sha, u64::try_from(bytes).unwrap_or(0))).collect());
    }
    let shas: Vec<String> = blobs.iter().map(|(sha, _)| sha.clone()).collect();
    let renditions: Vec<(String, i32, String)> = media_renditions::table
        .filter(media_renditions::sha256.eq_any(&shas))
        .select((media_renditions::sha256, media_renditions::width, media_renditions::format))
        .load(conn)?;
    for (sha, width, format) in &renditions {
        let format = format.parse().map_err(|()| StoreError::Corrupt(format!("rendition format {format:?}")))?;
        files.remove_now(&BlobKey::rendition(sha, u32::try_from(*width).unwrap_or(0), format)?)?;
    }
    for sha in &shas {
        files.remove_now(&BlobKey::original(sha)?)?;
    }
    diesel::delete(media_renditions::table.filter(media_renditions::sha256.eq_any(&shas))).execute(conn)?;
    diesel::delete(media_blobs::table.filter(media_blobs::sha256.eq_any(&shas))).execute(conn)?;
    Ok(blobs.into_iter().map(|(sha, bytes)| (sha, u64::try_from(bytes).unwrap_or(0))).collect())
}
