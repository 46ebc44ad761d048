//! Draft previews: an editor mints a signed token for one post that lets
//! anyone holding it read that post, whatever its status, until it
//! expires. Never cached, and never served by the public endpoints. And the
//! editor app's live preview: unsaved Markdown rendered as a save would.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Duration;
use serde_json::json;

use longform_domain::Markdown;

use super::private;
use super::wire::AdminPostJson;
use crate::AppState;
use crate::auth::Caller;
use crate::body::{Fields, JsonBody};
use crate::error::ApiError;
use crate::params::Params;

/// How long a preview link works.
pub const PREVIEW_TTL: Duration = Duration::hours(24);

pub async fn mint(state: web::Data<AppState>, caller: Caller, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let id = id.parse().map_err(|_| ApiError::NotFound)?;
    let post = state.store.posts().get(id).await?;
    if !caller.actor.can_read(post.card.facts()) {
        return Err(ApiError::NotFound);
    }
    caller.require(caller.actor.can_edit(post.card.facts()) || caller.actor.can_publish(post.card.facts()))?;
    let now = longform_persistence::now();
    let token = state.auth.keys.preview_token(post.card.id, PREVIEW_TTL, now);
    Ok(private(
        StatusCode::CREATED,
        &json!({ "token": token, "url": format!("/api/v1/preview/{token}"), "expires_at": now + PREVIEW_TTL }),
    ))
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Params::public(req.query_string(), &[])?;
    let id = state.auth.keys.verify_preview(&token).ok_or(ApiError::NotFound)?;
    let post = state.store.posts().get(id).await?;
    if post.card.deleted_at.is_some() {
        return Err(ApiError::NotFound);
    }
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "private, no-store"))
        .insert_header(("X-Robots-Tag", "noindex"))
        .json(json!({ "post": AdminPostJson::new(&post, &state.site) })))
}

/// `POST /api/v1/admin/render`: Markdown as a save would render it (the
/// HTML the public API would serve, its table of contents, word count,
/// reading time and derived summary), stored nowhere. Bounded like a save:
/// 1 MiB, the markup budget, and one render per core at a time.
pub async fn render(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<JsonBody>,
) -> Result<HttpResponse, ApiError> {
    caller.require(caller.actor.can_read_drafts())?;
    let mut fields = Fields::new(body.into_inner().into_value(), &["markdown"])?;
    let markdown = fields.required("markdown", |raw: &str| Markdown::parse(raw).map_err(|e| e.kind));
    fields.finish()?;
    let content = state.store.posts().preview(markdown.ok_or(ApiError::Internal)?).await?;
    Ok(private(
        StatusCode::OK,
        &json!({
            "html": crate::media::absolute_media(&content.html, &state.site.api_url),
            "toc": content.toc,
            "word_count": content.word_count,
            "reading_time_minutes": content.reading_time_minutes,
            "summary": content.summary,
        }),
    ))
}
