//! `/api/v1/admin/media`: uploading images and files, listing, describing
//! and deleting them. Contributors and authors see and manage their own
//! uploads; editors and admins every one.
//!
//! An upload is checked before anything is stored: its type sniffed from
//! its bytes (415 for anything else), its size against `media_max_bytes`
//! (413, counted as it arrives), an image's pixels against
//! `media_max_pixels` from its header alone, an SVG for script. Then its
//! bytes and renditions are written to the media store, each file whole,
//! and only then its row: a failure at any point leaves no row naming a
//! missing file. Identical bytes are stored once and their renditions
//! made once; each upload is still its own item.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use longform_domain::media::MediaKind;
use longform_domain::{Caption, MediaAlt, MediaId, PostFacts};
use longform_persistence::{Media, MediaChanges, MediaDeletion, MediaFilter, MediaUse};
use serde_json::{Value, json};

use super::{if_match, private, versioned};
use crate::AppState;
use crate::auth::Caller;
use crate::body::{Fields, JsonBody};
use crate::error::{ApiError, UsedBy};
use crate::media::{Upload, original_url, rendition_url};
use crate::params::Params;

/// Room for the form around the file: part headers, alt text, caption.
const FORM_OVERHEAD: usize = 64 * 1024;
/// The longest alt text or caption part accepted, in bytes.
const TEXT_PART: usize = 16 * 1024;
/// Items per page of the list, unless `limit` says otherwise.
const PAGE: u32 = 30;

pub fn media_json(api_url: &str, item: &Media) -> Value {
    let renditions: Vec<Value> = item
        .renditions
        .iter()
        .map(|r| {
            json!({
                "width": r.width,
                "height": r.height,
                "format": r.format.as_str(),
                "content_type": r.format.kind().content_type(),
                "bytes": r.bytes,
                "url": rendition_url(api_url, item.id, &item.filename, r),
            })
        })
        .collect();
    let mut json = item.facts();
    json["url"] = json!(original_url(api_url, item.id, &item.filename));
    json["renditions"] = json!(renditions);
    json
}

fn media_id(raw: &str) -> Result<MediaId, ApiError> {
    raw.parse().map_err(|_| ApiError::NotFound)
}

/// The form as it arrived: the file's bytes and name, and the text parts.
#[derive(Default)]
struct Form {
    file: Option<(Vec<u8>, String)>,
    alt: Option<String>,
    caption: Option<String>,
}

/// Read the parts, refusing past `max_bytes` of file as soon as it is
/// passed, and any part the form does not have.
async fn read_form(mut parts: Multipart, max_bytes: usize) -> Result<Form, ApiError> {
    let broken = |e: actix_multipart::MultipartError| ApiError::invalid("body", format!("is not a valid form: {e}"));
    let mut form = Form::default();
    while let Some(part) = parts.next().await {
        let mut part = part.map_err(broken)?;
        let name = part.name().unwrap_or_default().to_owned();
        let limit = match name.as_str() {
            "file" if form.file.is_none() => max_bytes,
            "alt" | "caption" => TEXT_PART,
            "file" => return Err(ApiError::invalid("file", "must be given once")),
            _ => return Err(ApiError::invalid(name, "is not a known field (file, alt, caption)")),
        };
        let filename = part.content_disposition().and_then(|d| d.get_filename()).unwrap_or_default().to_owned();
        let mut bytes = Vec::new();
        while let Some(chunk) = part.next().await {
            let chunk = chunk.map_err(broken)?;
            if bytes.len() + chunk.len() > limit {
                return Err(match name.as_str() {
                    "file" => ApiError::PayloadTooLarge { limit },
                    _ => ApiError::invalid(name, format!("must be at most {limit} bytes")),
                });
            }
            bytes.extend_from_slice(&chunk);
        }
        let text = |bytes: Vec<u8>| {
            String::from_utf8(bytes).map_err(|_| ApiError::invalid(name.clone(), "must be UTF-8 text"))
        };
        match name.as_str() {
            "file" => form.file = Some((bytes, filename)),
            "alt" => form.alt = Some(text(bytes)?),
            _ => form.caption = Some(text(bytes)?),
        }
    }
    Ok(form)
}

/// An optional text part: empty means none.
fn text_part<T>(
    raw: Option<String>,
    parse: impl FnOnce(&str) -> Result<T, longform_domain::FieldError>,
) -> Result<Option<T>, ApiError> {
    match raw {
        Some(raw) if !raw.trim().is_empty() => parse(&raw).map(Some).map_err(|e| ApiError::Invalid(vec![e.into()])),
        _ => Ok(None),
    }
}

pub async fn upload(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    Params::parse(req.query_string(), &[])?;
    caller.require(caller.actor.can_upload_media())?;
    let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    if !content_type.to_ascii_lowercase().starts_with("multipart/form-data") {
        return Err(ApiError::UnsupportedMediaType {
            field: "Content-Type",
            reason: "must be multipart/form-data, with the file in a part named file".to_owned(),
        });
    }
    let limit = state.media.max_bytes;
    let declared = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit.saturating_add(FORM_OVERHEAD)) {
        return Err(ApiError::PayloadTooLarge { limit });
    }
    let form = read_form(Multipart::new(req.headers(), payload), limit).await?;
    let alt = text_part(form.alt, MediaAlt::parse)?;
    let caption = text_part(form.caption, Caption::parse)?;
    let Some((bytes, client_name)) = form.file else {
        return Err(ApiError::invalid("file", "is required: the form part holding the file"));
    };
    let uploaded_by = caller.actor.user_id();
    let upload =
        Upload { bytes: bytes.into(), filename: client_name, alt, caption, uploaded_by, reuse_imported: false };
    let item = state.media.ingest(&state.store, upload).await?;
    let mut response =
        versioned(StatusCode::CREATED, item.version, &json!({ "media": media_json(&state.site.api_url, &item) }));
    if let Ok(location) = header::HeaderValue::from_str(&format!("/api/v1/admin/media/{}", item.id)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// A page cursor: base64url of `<created_at µs>.<id>`.
fn encode_cursor(item: &Media) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}.{}", item.created_at.timestamp_micros(), item.id))
}

fn decode_cursor(raw: &str) -> Option<(DateTime<Utc>, MediaId)> {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(raw).ok()?).ok()?;
    let (micros, id) = text.split_once('.')?;
    Some((DateTime::from_timestamp_micros(micros.parse().ok()?)?, id.parse().ok()?))
}

/// What the `type` filter names: `image`, `file`, or one content type.
fn kinds(raw: &str) -> Option<Vec<MediaKind>> {
    match raw {
        "image" => Some(MediaKind::ALL.into_iter().filter(|k| k.is_image()).collect()),
        "file" => Some(MediaKind::ALL.into_iter().filter(|k| !k.is_image()).collect()),
        other => MediaKind::from_content_type(other).map(|kind| vec![kind]),
    }
}

/// Newest first: `limit` (1 to 100), `before` (the previous page's
/// `next_before`), `type` and `q` (in the file name or alt text).
pub async fn list(req: HttpRequest, state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    let params = Params::parse(req.query_string(), &["limit", "before", "type", "q"])?;
    let limit = if params.get("limit").is_some() { params.limit()? } else { PAGE };
    let before = params
        .get("before")
        .map(|raw| decode_cursor(raw).ok_or_else(|| ApiError::invalid("before", "is not a valid cursor")))
        .transpose()?;
    let kinds = params
        .get("type")
        .map(|raw| {
            kinds(raw)
                .ok_or_else(|| ApiError::invalid("type", "must be image, file or a content type such as image/png"))
        })
        .transpose()?;
    let search = params.get("q").map(str::trim).filter(|q| !q.is_empty()).map(str::to_owned);
    if search.as_ref().is_some_and(|q| q.chars().count() > 200) {
        return Err(ApiError::invalid("q", "must be at most 200 characters"));
    }
    let uploaded_by = if caller.actor.reads_only_own() { caller.actor.user_id() } else { None };
    let filter = MediaFilter { uploaded_by, kinds, search, before, limit };
    let page = state.store.media().list(filter).await?;
    let next = (page.len() == limit as usize).then(|| page.last().map(encode_cursor)).flatten();
    let items: Vec<Value> = page.iter().map(|item| media_json(&state.site.api_url, item)).collect();
    Ok(private(
        StatusCode::OK,
        &json!({ "media": items, "meta": { "pagination": { "limit": limit, "next_before": next } } }),
    ))
}

/// The item, if the caller may see it: another's upload is a 404 to a
/// contributor, as if it did not exist.
async fn visible(state: &AppState, caller: &Caller, id: &str) -> Result<Media, ApiError> {
    let item = state.store.media().get(media_id(id)?).await?;
    if caller.actor.can_see_media(item.uploaded_by) { Ok(item) } else { Err(ApiError::NotFound) }
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Params::parse(req.query_string(), &[])?;
    let item = visible(&state, &caller, &id).await?;
    let used_by = seen_uses(&caller, state.store.media().uses(item.id).await?);
    let mut media = media_json(&state.site.api_url, &item);
    media["used_by"] = json!(used_by);
    Ok(versioned(StatusCode::OK, item.version, &json!({ "media": media })))
}

/// The posts using an item that the caller may see.
fn seen_uses(caller: &Caller, uses: Vec<MediaUse>) -> Vec<UsedBy> {
    uses.into_iter()
        .filter(|u| caller.actor.can_read(PostFacts { owner: u.owner, status: u.status }))
        .map(|u| UsedBy {
            id: u.post_id.to_string(),
            title: u.title.as_str().to_owned(),
            slug: u.slug.as_str().to_owned(),
            status: u.status.as_str(),
        })
        .collect()
}

/// Change `alt` and `caption` (null clears one), at the version `If-Match` names.
pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: web::Json<JsonBody>,
) -> Result<HttpResponse, ApiError> {
    let item = visible(&state, &caller, &id).await?;
    caller.require(caller.actor.can_manage_media(item.uploaded_by))?;
    let mut fields = Fields::new(body.into_inner().into_value(), &["alt", "caption"])?;
    let alt = fields.has("alt").then(|| fields.parse("alt", MediaAlt::parse));
    let caption = fields.has("caption").then(|| fields.parse("caption", Caption::parse));
    fields.finish()?;
    let expected = if_match(&req)?;
    let changed = state.store.media().update(item.id, expected, MediaChanges { alt, caption }).await?;
    Ok(versioned(StatusCode::OK, changed.version, &json!({ "media": media_json(&state.site.api_url, &changed) })))
}

/// Delete, unless posts use it: a 409 names those the caller may see.
/// `?force=true` (editors and admins) deletes it anyway. Its bytes stay
/// until `longform media gc` finds no item using them.
pub async fn remove(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let params = Params::parse(req.query_string(), &["force"])?;
    let item = visible(&state, &caller, &id).await?;
    caller.require(caller.actor.can_manage_media(item.uploaded_by))?;
    let force = params.bool("force")?.unwrap_or(false);
    if force {
        caller.require(caller.actor.can_force_media_delete())?;
    }
    match state.store.media().delete(item.id, if_match(&req)?, force).await? {
        MediaDeletion::Deleted => {
            state.media.forget(item.id);
            Ok(HttpResponse::NoContent().finish())
        }
        MediaDeletion::InUse(uses) => Err(ApiError::MediaInUse(seen_uses(&caller, uses))),
    }
}
