//! `/api/v1/admin/tags`, `/categories`, `/authors`: every one, public or
//! not, to any signed-in caller (a contributor picks from existing tags);
//! create, change and delete for editors and admins, changes and deletes
//! with `If-Match` like posts. `public: true` makes one public before it
//! has a published post.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use longform_domain::{Description, Name, NewAuthor, NewTerm, ProfileLink, Slug, WebUrl};
use longform_persistence::{AuthorChanges, TermChanges, TermKind};
use serde_json::{Value, json};

use super::wire::AdminTermJson;
use super::{if_match, private, versioned};
use crate::AppState;
use crate::auth::Caller;
use crate::body::{Fields, JsonBody};
use crate::error::ApiError;
use crate::params::Params;
use crate::routes::Routes;

/// Tags and categories share their handlers, told apart by kind.
pub fn routes(r: &mut Routes<'_>) {
    for (path, kind) in [("/tags", TermKind::Tag), ("/categories", TermKind::Category)] {
        let one = format!("{path}/{{slug}}");
        r.get(path, move |q, s, c| list_terms(kind, q, s, c)).post(path, move |s, c, b| create_term(kind, s, c, b));
        r.get(&one, move |q, s, c, p| show_term(kind, q, s, c, p))
            .patch(&one, move |q, s, c, p, b| update_term(kind, q, s, c, p, b))
            .delete(&one, move |q, s, c, p| delete_term(kind, q, s, c, p));
    }
    r.get("/authors", list_authors).post("/authors", create_author);
    r.get("/authors/{slug}", show_author)
        .patch("/authors/{slug}", update_author)
        .delete("/authors/{slug}", delete_author);
}

fn path_slug(raw: &str) -> Result<Slug, ApiError> {
    Slug::parse(raw).map_err(|_| ApiError::NotFound)
}

fn term_fields(body: Value, creating: bool) -> Result<TermChanges, ApiError> {
    let mut fields = Fields::new(body, &["slug", "name", "description", "public"])?;
    let name = if creating { fields.required("name", Name::parse) } else { fields.parse("name", Name::parse) };
    let slug = fields.parse("slug", Slug::parse);
    let description = match fields.value("description") {
        None => None,
        Some(Value::Null) => Some(None),
        Some(_) => fields.parse("description", Description::parse).map(Some),
    };
    let public = fields.bool("public");
    fields.finish()?;
    Ok(TermChanges { slug, name, description, public })
}

/// One tag or category as the editor sees it, with its ETag; 404 when there is none.
async fn term_answer(
    state: &AppState,
    kind: TermKind,
    slug: Slug,
    status: StatusCode,
) -> Result<HttpResponse, ApiError> {
    let taxonomy = state.store.taxonomy();
    let (json, version) = match kind {
        TermKind::Tag => {
            let tag = taxonomy.tag_counted(slug).await?.ok_or(ApiError::NotFound)?;
            (json!({ "tag": AdminTermJson::tag(&tag, &state.site) }), tag.item.version)
        }
        TermKind::Category => {
            let category = taxonomy.category_counted(slug).await?.ok_or(ApiError::NotFound)?;
            (json!({ "category": AdminTermJson::category(&category, &state.site) }), category.item.version)
        }
    };
    Ok(versioned(status, version, &json))
}

async fn list_terms(
    kind: TermKind,
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    Params::parse(req.query_string(), &[])?;
    caller.require(caller.actor.can_read_drafts())?;
    let taxonomy = state.store.taxonomy();
    let body = match kind {
        TermKind::Tag => {
            let tags = taxonomy.tags_counted().await?;
            json!({ "tags": tags.iter().map(|t| AdminTermJson::tag(t, &state.site)).collect::<Vec<_>>() })
        }
        TermKind::Category => {
            let all = taxonomy.categories_counted().await?;
            json!({ "categories": all.iter().map(|c| AdminTermJson::category(c, &state.site)).collect::<Vec<_>>() })
        }
    };
    Ok(private(StatusCode::OK, &body))
}

async fn show_term(
    kind: TermKind,
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Params::parse(req.query_string(), &[])?;
    caller.require(caller.actor.can_read_drafts())?;
    term_answer(&state, kind, path_slug(&slug)?, StatusCode::OK).await
}

async fn create_term(
    kind: TermKind,
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<JsonBody>,
) -> Result<HttpResponse, ApiError> {
    caller.require(caller.actor.can_manage_taxonomy())?;
    let TermChanges { slug, name, description, public } = term_fields(body.into_inner().into_value(), true)?;
    let name = name.ok_or(ApiError::Internal)?;
    let slug = slug.or_else(|| Slug::from_text(name.as_str())).unwrap_or_else(Slug::fallback);
    let new = NewTerm { slug, name, description: description.flatten(), public: public.unwrap_or(false) };
    let term = state.store.taxonomy().create_term(kind, new).await?;
    term_answer(&state, kind, term.slug, StatusCode::CREATED).await
}

async fn update_term(
    kind: TermKind,
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    slug: web::Path<String>,
    body: web::Json<JsonBody>,
) -> Result<HttpResponse, ApiError> {
    caller.require(caller.actor.can_manage_taxonomy())?;
    let current = path_slug(&slug)?;
    let changes = term_fields(body.into_inner().into_value(), false)?;
    let expected = if_match(&req)?;
    let term = state.store.taxonomy().update_term(kind, current, changes, Some(expected)).await?;
    term_answer(&state, kind, term.slug, StatusCode::OK).await
}

async fn delete_term(
    kind: TermKind,
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.require(caller.actor.can_manage_taxonomy())?;
    let slug = path_slug(&slug)?;
    let expected = if_match(&req)?;
    state.store.taxonomy().delete_term(kind, slug, Some(expected)).await?;
    Ok(HttpResponse::NoContent().finish())
}

fn author_fields(body: Value, creating: bool) -> Result<AuthorChanges, ApiError> {
    let mut fields = Fields::new(body, &["slug", "name", "bio", "avatar_url", "website", "links", "public"])?;
    let name = if creating { fields.required("name", Name::parse) } else { fields.parse("name", Name::parse) };
    let slug = fields.parse("slug", Slug::parse);
    let mut changes = AuthorChanges { slug, name, public: fields.bool("public"), ..Default::default() };
    if fields.has("bio") {
        changes.bio = Some(fields.parse("bio", Description::parse));
    }
    if fields.has("avatar_url") {
        changes.avatar_url = Some(fields.parse("avatar_url", |u| WebUrl::parse_field("avatar_url", u)));
    }
    if fields.has("website") {
        changes.website = Some(fields.parse("website", |u| WebUrl::parse_field("website", u)));
    }
    if let Some(links) = fields.value("links").cloned() {
        match serde_json::from_value::<Vec<ProfileLink>>(links) {
            Ok(links) => changes.links = Some(links),
            Err(_) => fields.fail("links", "must be a list of {label, url} with http(s) URLs"),
        }
    }
    fields.finish()?;
    Ok(changes)
}

/// One author profile as the editor sees it, with its ETag.
async fn author_answer(state: &AppState, slug: Slug, status: StatusCode) -> Result<HttpResponse, ApiError> {
    let author = state.store.taxonomy().author_counted(slug).await?.ok_or(ApiError::NotFound)?;
    Ok(versioned(status, author.item.version, &json!({ "author": AdminTermJson::author(&author, &state.site) })))
}

pub async fn list_authors(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    Params::parse(req.query_string(), &[])?;
    caller.require(caller.actor.can_read_drafts())?;
    let authors = state.store.taxonomy().authors_counted().await?;
    let authors: Vec<_> = authors.iter().map(|a| AdminTermJson::author(a, &state.site)).collect();
    Ok(private(StatusCode::OK, &json!({ "authors": authors })))
}

pub async fn show_author(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Params::parse(req.query_string(), &[])?;
    caller.require(caller.actor.can_read_drafts())?;
    author_answer(&state, path_slug(&slug)?, StatusCode::OK).await
}

pub async fn create_author(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<JsonBody>,
) -> Result<HttpResponse, ApiError> {
    caller.require(caller.actor.can_manage_taxonomy())?;
    let changes = author_fields(body.into_inner().into_value(), true)?;
    let name = changes.name.clone().ok_or(ApiError::Internal)?;
    let new = NewAuthor {
        slug: changes.slug.clone().or_else(|| Slug::from_text(name.as_str())).unwrap_or_else(Slug::fallback),
        name,
        bio: changes.bio.clone().flatten(),
        avatar_url: changes.avatar_url.clone().flatten(),
        website: changes.website.clone().flatten(),
        links: changes.links.clone().unwrap_or_default(),
        user_id: None,
        public: changes.public.unwrap_or(false),
    };
    let author = state.store.taxonomy().create_author(new).await?;
    author_answer(&state, author.slug, StatusCode::CREATED).await
}

pub async fn update_author(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    slug: web::Path<String>,
    body: web::Json<JsonBody>,
) -> Result<HttpResponse, ApiError> {
    caller.require(caller.actor.can_manage_taxonomy())?;
    let current = path_slug(&slug)?;
    let changes = author_fields(body.into_inner().into_value(), false)?;
    let expected = if_match(&req)?;
    let author = state.store.taxonomy().update_author(current, changes, Some(expected)).await?;
    author_answer(&state, author.slug, StatusCode::OK).await
}

pub async fn delete_author(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.require(caller.actor.can_manage_taxonomy())?;
    let slug = path_slug(&slug)?;
    let expected = if_match(&req)?;
    state.store.taxonomy().delete_author(slug, Some(expected)).await?;
    Ok(HttpResponse::NoContent().finish())
}
