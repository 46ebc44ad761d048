//! `/api/v1/admin/posts`: list every post, create (idempotently), read,
//! patch, publish, unpublish, schedule, delete to the trash, revisions.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::DateTime;
use longform_domain::{
    AltText, FeatureImage, Markdown, MediaId, MetaDescription, MetaTitle, Move, Post, PostDraft, PostId, PostStatus,
    RevisionMetadata, Slug, Summary, Title, WebUrl,
};
use longform_persistence::{AdminFilter, CreatedKeyset, Keyset, Missing, StoreError};
use serde_json::{Value, json};

use super::wire::{AdminPostJson, RevisionJson};
use super::{if_match, private, versioned};
use crate::AppState;
use crate::auth::Caller;
use crate::body::{Fields, JsonBody};
use crate::error::ApiError;
use crate::params::{Params, encode_cursor};

const POST_FIELDS: &[&str] = &[
    "title",
    "slug",
    "summary",
    "markdown",
    "category",
    "tags",
    "authors",
    "feature_image",
    "featured",
    "canonical_url",
    "meta_title",
    "meta_description",
];

fn post_id(raw: &str) -> Result<PostId, ApiError> {
    raw.parse().map_err(|_| ApiError::NotFound)
}

fn missing_policy(caller: &Caller) -> Missing {
    if caller.actor.can_manage_taxonomy() { Missing::Create } else { Missing::Refuse }
}

/// The draft of a post as it stands, to patch fields onto.
fn current_draft(post: &Post) -> Result<PostDraft, ApiError> {
    let revision = longform_domain::Revision {
        number: 0,
        user_id: None,
        created_at: post.card.updated_at,
        updated_at: post.card.updated_at,
        title: post.card.title.clone(),
        markdown: post.body.markdown.clone(),
        metadata: RevisionMetadata::of(post),
    };
    revision.to_draft().map_err(|_| ApiError::Internal)
}

/// Set a nullable field: absent keeps it, null clears it, a value replaces it.
fn nullable<T, E: std::fmt::Display>(
    fields: &mut Fields,
    name: &str,
    slot: &mut Option<T>,
    parse: impl FnOnce(&str) -> Result<T, E>,
) {
    match fields.value(name) {
        None => {}
        Some(Value::Null) => *slot = None,
        Some(_) => {
            if let Some(value) = fields.parse(name, parse) {
                *slot = Some(value);
            }
        }
    }
}

/// A feature image given as an uploaded media item, to look up: its id,
/// and the alt text given with it (else the item's own).
struct FeatureMediaRequest {
    id: MediaId,
    alt: Option<String>,
}

/// `feature_image`: `{url, alt}` for an image anywhere, or `{media_id,
/// alt}` for an uploaded one (looked up afterwards, see [`with_feature_media`]).
fn feature_image(fields: &mut Fields, slot: &mut Option<FeatureImage>) -> Option<FeatureMediaRequest> {
    let map = match fields.value("feature_image").cloned() {
        None => return None,
        Some(Value::Null) => {
            *slot = None;
            return None;
        }
        Some(Value::Object(map)) => map,
        Some(_) => {
            fields.fail("feature_image", "must be an object {url, alt}, {media_id, alt}, or null");
            return None;
        }
    };
    for key in map.keys().filter(|k| !["url", "media_id", "alt"].contains(&k.as_str())) {
        fields.fail(&format!("feature_image.{key}"), "is not a known field");
    }
    let alt = match map.get("alt") {
        None | Some(Value::Null) => None,
        Some(Value::String(alt)) if longform_domain::text::without_forbidden(alt).trim().is_empty() => None,
        Some(Value::String(alt)) => match AltText::parse(alt) {
            Ok(alt) => Some(alt.into()),
            Err(e) => {
                fields.fail("feature_image.alt", e.kind.to_string());
                None
            }
        },
        Some(_) => {
            fields.fail("feature_image.alt", "must be a string or null");
            None
        }
    };
    match (map.get("url"), map.get("media_id")) {
        (Some(_), Some(_)) => fields.fail("feature_image", "takes url or media_id, not both"),
        (None, Some(id)) => match id.as_str().map(str::parse::<MediaId>) {
            Some(Ok(id)) => return Some(FeatureMediaRequest { id, alt }),
            _ => fields.fail("feature_image.media_id", "must be a media item's id"),
        },
        (url, None) => match url.and_then(Value::as_str).map(|u| WebUrl::parse_field("feature_image.url", u)) {
            Some(Ok(url)) => *slot = Some(FeatureImage::new(url, alt)),
            Some(Err(e)) => fields.fail("feature_image.url", e.kind.to_string()),
            None => fields.fail("feature_image.url", "is required (or media_id) and must be a string"),
        },
    }
    None
}

/// The draft with the feature image `request` names: the media item's
/// public address, and the alt text given or else the item's. An item the
/// caller may not see is as unknown as one that does not exist.
async fn with_feature_media(
    state: &AppState,
    caller: &Caller,
    mut draft: PostDraft,
    request: Option<FeatureMediaRequest>,
) -> Result<PostDraft, ApiError> {
    let Some(FeatureMediaRequest { id, alt }) = request else { return Ok(draft) };
    let unknown = || ApiError::invalid("feature_image.media_id", "names no media item you may use");
    let item = match state.store.media().get(id).await {
        Ok(item) if caller.actor.can_see_media(item.uploaded_by) => item,
        Ok(_) | Err(StoreError::NotFound) => return Err(unknown()),
        Err(other) => return Err(other.into()),
    };
    if !item.kind.is_image() {
        return Err(ApiError::invalid("feature_image.media_id", "names a file that is not an image"));
    }
    let url = crate::media::original_url(&state.site.api_url, item.id, &item.filename);
    let url = WebUrl::parse_field("feature_image.url", &url).map_err(|_| ApiError::Internal)?;
    let alt = alt.or_else(|| item.alt.as_ref().map(|alt| alt.as_str().to_owned()));
    draft.feature_image = Some(FeatureImage::new(url, alt));
    Ok(draft)
}

/// The body's fields applied onto `base` (the current post), or onto an
/// empty post when creating (then `title` is required).
fn draft_from(body: Value, base: Option<PostDraft>) -> Result<(PostDraft, Option<FeatureMediaRequest>), ApiError> {
    let mut fields = Fields::new(body, POST_FIELDS)?;
    let title = match &base {
        None => fields.required("title", Title::parse),
        Some(_) => fields.parse("title", Title::parse),
    };
    let markdown = fields.parse("markdown", Markdown::parse);
    let empty = Markdown::parse("").map_err(|_| ApiError::Internal)?;
    let mut draft = match (base, title.clone()) {
        (Some(base), _) => base,
        (None, Some(title)) => PostDraft::new(title, empty),
        (None, None) => PostDraft::new(Title::parse("untitled").map_err(|_| ApiError::Internal)?, empty),
    };
    if let Some(title) = title {
        draft.title = title;
    }
    if let Some(markdown) = markdown {
        draft.markdown = markdown;
    }
    if let Some(slug) = fields.parse("slug", Slug::parse) {
        draft.slug = Some(slug);
    }
    nullable(&mut fields, "summary", &mut draft.summary, Summary::parse);
    nullable(&mut fields, "category", &mut draft.category, Slug::parse);
    nullable(&mut fields, "canonical_url", &mut draft.canonical_url, |u| WebUrl::parse_field("canonical_url", u));
    nullable(&mut fields, "meta_title", &mut draft.meta_title, MetaTitle::parse);
    nullable(&mut fields, "meta_description", &mut draft.meta_description, MetaDescription::parse);
    if let Some(tags) = fields.list("tags", Slug::parse) {
        draft.tags = tags;
    }
    if let Some(authors) = fields.list("authors", Slug::parse) {
        draft.authors = authors;
    }
    if let Some(featured) = fields.bool("featured") {
        draft.featured = featured;
    }
    let feature_media = feature_image(&mut fields, &mut draft.feature_image);
    fields.finish()?;
    Ok((draft, feature_media))
}

fn answer(state: &AppState, status: StatusCode, post: &Post) -> HttpResponse {
    versioned(status, post.card.version, &json!({ "post": AdminPostJson::new(post, &state.site) }))
}

/// The live (not trashed) post, if the caller may see it.
async fn live_post(state: &AppState, caller: &Caller, id: PostId) -> Result<Post, ApiError> {
    let post = state.store.posts().get(id).await?;
    if post.card.deleted_at.is_some() {
        return Err(ApiError::NotFound);
    }
    readable(caller, &post)?;
    Ok(post)
}

/// A post the caller may not see does not exist for them: a 404, as for
/// an unknown id, so that ids of others' drafts reveal nothing.
fn readable(caller: &Caller, post: &Post) -> Result<(), ApiError> {
    if caller.actor.can_read(post.card.facts()) { Ok(()) } else { Err(ApiError::NotFound) }
}

/// The version the caller names, if it is the one whose facts were just
/// checked: the write then applies to exactly that version (the store
/// refuses any other), so a role check can never be made on one version
/// and the write land on the next.
fn checked_version(post: &Post, expected: i64) -> Result<i64, ApiError> {
    if post.card.version != expected {
        return Err(StoreError::VersionMismatch { expected, current: post.card.version }.into());
    }
    Ok(expected)
}

const LIST_PARAMS: &[&str] = &["limit", "after", "status", "tag", "category", "author", "featured", "trashed", "q"];
/// The longest `q` searched for.
const MAX_SEARCH_CHARS: usize = 200;

pub async fn list(req: HttpRequest, state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    caller.require(caller.actor.can_read_drafts())?;
    let params = Params::parse(req.query_string(), LIST_PARAMS)?;
    let status = params
        .get("status")
        .map(|raw| raw.parse::<PostStatus>().map_err(|e| ApiError::invalid("status", e.kind.to_string())))
        .transpose()?;
    if params.get("q").is_some_and(|q| q.chars().count() > MAX_SEARCH_CHARS) {
        return Err(ApiError::invalid("q", format!("must be at most {MAX_SEARCH_CHARS} characters")));
    }
    let filter = AdminFilter {
        status,
        tag: params.slug("tag")?,
        category: params.slug("category")?,
        author: params.slug("author")?,
        featured: params.bool("featured")?,
        search: params.get("q").map(str::trim).filter(|q| !q.is_empty()).map(str::to_owned),
        trashed: params.bool("trashed")?.unwrap_or(false),
        own_or_published: caller.actor.reads_only_own().then(|| caller.actor.user_id()).flatten(),
    };
    let limit = params.limit()?;
    let after = params.cursor("after")?.map(|k| CreatedKeyset { created_at: k.published_at, id: k.id });
    let (cards, next) = state.store.posts().list_admin(filter, after, limit).await?;
    let ids: Vec<PostId> = cards.iter().map(|c| c.id).collect();
    let mut bodies = state.store.posts().bodies(ids).await?;
    let posts: Vec<AdminPostJson> = cards
        .into_iter()
        .filter_map(|card| bodies.remove(&card.id).map(|body| Post { card, body }))
        .map(|post| AdminPostJson::new(&post, &state.site))
        .collect();
    let next_cursor = next.map(|k| encode_cursor(&Keyset { published_at: k.created_at, id: k.id }));
    Ok(private(
        StatusCode::OK,
        &json!({ "posts": posts, "meta": { "pagination": { "limit": limit, "next_cursor": next_cursor } } }),
    ))
}

pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<JsonBody>,
) -> Result<HttpResponse, ApiError> {
    caller.require(caller.actor.can_create_posts())?;
    let body = body.into_inner().into_value();
    let request_hash = longform_domain::secret::hash_hex(body.to_string().as_bytes());
    let (draft, feature_media) = draft_from(body, None)?;
    let draft = with_feature_media(&state, &caller, draft, feature_media).await?;
    let (missing, owner) = (missing_policy(&caller), caller.actor.user_id());
    let key = req.headers().get("Idempotency-Key").map(|v| v.to_str().map(str::to_owned));
    let editorial = state.store.posts();
    let (post, replayed) = match key {
        None => (editorial.create(draft, missing, owner).await?, false),
        Some(Err(_)) => return Err(ApiError::invalid("Idempotency-Key", "must be visible ASCII")),
        Some(Ok(key)) if key.is_empty() || key.len() > 255 => {
            return Err(ApiError::invalid("Idempotency-Key", "must be 1 to 255 characters"));
        }
        Some(Ok(key)) => {
            let attempt = editorial.create_once(
                caller.principal.clone(),
                key.clone(),
                request_hash.clone(),
                draft.clone(),
                missing,
                owner,
            );
            match attempt.await {
                // A concurrent retry with the same key committed first: its post is the answer.
                Err(StoreError::Conflict { field }) if field != "Idempotency-Key" && field != "slug" => {
                    editorial.create_once(caller.principal.clone(), key, request_hash, draft, missing, owner).await?
                }
                other => other?,
            }
        }
    };
    let mut response = answer(&state, StatusCode::CREATED, &post);
    if replayed {
        response.headers_mut().insert(
            actix_web::http::header::HeaderName::from_static("idempotent-replayed"),
            actix_web::http::header::HeaderValue::from_static("true"),
        );
    }
    Ok(response)
}

/// One post; a post in the trash is gone here too (the trash is listed
/// with `GET /posts?trashed=true`, and restored or purged by id).
pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Params::parse(req.query_string(), &[])?;
    caller.require(caller.actor.can_read_drafts())?;
    let post = live_post(&state, &caller, post_id(&id)?).await?;
    Ok(answer(&state, StatusCode::OK, &post))
}

pub async fn edit(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: web::Json<JsonBody>,
) -> Result<HttpResponse, ApiError> {
    let post = live_post(&state, &caller, post_id(&id)?).await?;
    caller.require(caller.actor.can_edit(post.card.facts()))?;
    // Bad input is reported as such, whatever the precondition says.
    let (draft, feature_media) = draft_from(body.into_inner().into_value(), Some(current_draft(&post)?))?;
    let expected = checked_version(&post, if_match(&req)?)?;
    let draft = with_feature_media(&state, &caller, draft, feature_media).await?;
    let updated = state
        .store
        .posts()
        .update(post.card.id, draft, Some(expected), missing_policy(&caller), caller.actor.user_id())
        .await?;
    Ok(answer(&state, StatusCode::OK, &updated))
}

pub async fn remove(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let post = live_post(&state, &caller, post_id(&id)?).await?;
    caller.require(caller.actor.can_delete(post.card.facts()))?;
    let expected = checked_version(&post, if_match(&req)?)?;
    state.store.posts().trash(post.card.id, Some(expected), caller.actor.user_id()).await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn move_post(
    req: &HttpRequest,
    state: &AppState,
    caller: &Caller,
    id: &str,
    action: Move,
) -> Result<HttpResponse, ApiError> {
    let post = live_post(state, caller, post_id(id)?).await?;
    caller.require(caller.actor.can_publish(post.card.facts()))?;
    let expected = checked_version(&post, if_match(req)?)?;
    let moved = state.store.posts().apply_move(post.card.id, action, Some(expected), caller.actor.user_id()).await?;
    Ok(answer(state, StatusCode::OK, &moved))
}

pub async fn publish(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    move_post(&req, &state, &caller, &id, Move::Publish).await
}

pub async fn unpublish(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    move_post(&req, &state, &caller, &id, Move::Unpublish).await
}

pub async fn schedule(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: web::Json<JsonBody>,
) -> Result<HttpResponse, ApiError> {
    let mut fields = Fields::new(body.into_inner().into_value(), &["published_at"])?;
    let at = fields.required("published_at", DateTime::parse_from_rfc3339);
    fields.finish()?;
    let at = at.ok_or(ApiError::Internal)?.to_utc();
    move_post(&req, &state, &caller, &id, Move::Schedule(at)).await
}

pub async fn revisions(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let params = Params::parse(req.query_string(), &["limit", "before"])?;
    let limit = params.limit()?;
    let before = params
        .get("before")
        .map(|raw| raw.parse::<u32>().map_err(|_| ApiError::invalid("before", "must be a revision number")))
        .transpose()?;
    caller.require(caller.actor.can_read_drafts())?;
    let post = state.store.posts().get(post_id(&id)?).await?;
    if !caller.actor.can_read_revisions(post.card.facts()) {
        return Err(ApiError::NotFound);
    }
    let (revisions, more) = state.store.posts().revision_page(post.card.id, before, limit).await?;
    let next_before = if more { revisions.last().map(|r| r.number) } else { None };
    let mut writers: Vec<_> = revisions.iter().filter_map(|r| r.user_id).collect();
    writers.sort_unstable();
    writers.dedup();
    let names = state.store.users().names(writers).await?;
    let revisions: Vec<RevisionJson> = revisions
        .iter()
        .map(|r| RevisionJson { user_name: r.user_id.and_then(|u| names.get(&u).cloned()), ..RevisionJson::from(r) })
        .collect();
    Ok(private(StatusCode::OK, &json!({ "revisions": revisions, "meta": { "next_before": next_before } })))
}

pub async fn restore_revision(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, number) = path.into_inner();
    let number: u32 = number.parse().map_err(|_| ApiError::NotFound)?;
    let post = live_post(&state, &caller, post_id(&id)?).await?;
    caller.require(caller.actor.can_edit(post.card.facts()))?;
    let expected = checked_version(&post, if_match(&req)?)?;
    let restored = state
        .store
        .posts()
        .restore_revision(post.card.id, number, Some(expected), missing_policy(&caller), caller.actor.user_id())
        .await?;
    Ok(answer(&state, StatusCode::OK, &restored))
}

pub async fn restore_from_trash(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.require(caller.actor.can_manage_trash())?;
    let post = state.store.posts().restore(post_id(&id)?, caller.actor.user_id()).await?;
    Ok(answer(&state, StatusCode::OK, &post))
}

pub async fn purge(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.require(caller.actor.can_manage_trash())?;
    state.store.posts().purge(post_id(&id)?, caller.actor.user_id()).await?;
    Ok(HttpResponse::NoContent().finish())
}
