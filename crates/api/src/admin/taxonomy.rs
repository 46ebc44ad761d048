//! `/api/v1/admin/tags`, `/categories`, `/authors`: create, rename and
//! delete; editors and admins only.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use longform_domain::{Description, Name, NewAuthor, NewTerm, ProfileLink, Slug, WebUrl};
use longform_persistence::{AuthorChanges, Term, TermKind};
use serde_json::{Value, json};

use super::private;
use crate::AppState;
use crate::auth::Caller;
use crate::body::Fields;
use crate::error::ApiError;
use crate::rest::wire::AuthorJson;
use crate::routes::Routes;

/// Tags and categories share their handlers, told apart by kind.
pub fn term_routes(r: &mut Routes<'_>) {
    for (path, kind) in [("/tags", TermKind::Tag), ("/categories", TermKind::Category)] {
        r.post(path, move |s, c, b| create_term(kind, s, c, b))
            .patch(&format!("{path}/{{slug}}"), move |s, c, p, b| update_term(kind, s, c, p, b))
            .delete(&format!("{path}/{{slug}}"), move |s, c, p| delete_term(kind, s, c, p));
    }
}

/// A tag's or category's fields from a body; `description: Some(None)` clears it.
struct TermFields {
    slug: Option<Slug>,
    name: Option<Name>,
    description: Option<Option<Description>>,
}

fn term_fields(body: Value, creating: bool) -> Result<TermFields, ApiError> {
    let mut fields = Fields::new(body, &["slug", "name", "description"])?;
    let name = if creating { fields.required("name", Name::parse) } else { fields.parse("name", Name::parse) };
    let slug = fields.parse("slug", Slug::parse);
    let description = match fields.value("description") {
        None => None,
        Some(Value::Null) => Some(None),
        Some(_) => fields.parse("description", Description::parse).map(Some),
    };
    fields.finish()?;
    Ok(TermFields { slug, name, description })
}

fn term_json(kind: TermKind, term: &Term, state: &AppState) -> Value {
    let url = match kind {
        TermKind::Tag => state.site.tag_url(term.slug.as_str()),
        TermKind::Category => state.site.category_url(term.slug.as_str()),
    };
    json!({ "id": term.id, "slug": term.slug, "name": term.name, "description": term.description, "url": url })
}

async fn create_term(
    kind: TermKind,
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    caller.require(caller.actor.can_manage_taxonomy())?;
    let TermFields { slug, name, description } = term_fields(body.into_inner(), true)?;
    let name = name.ok_or(ApiError::Internal)?;
    let slug = slug.or_else(|| Slug::from_text(name.as_str())).unwrap_or_else(Slug::fallback);
    let term =
        state.store.taxonomy().create_term(kind, NewTerm { slug, name, description: description.flatten() }).await?;
    Ok(private(StatusCode::CREATED, &json!({ kind.singular(): term_json(kind, &term, &state) })))
}

async fn update_term(
    kind: TermKind,
    state: web::Data<AppState>,
    caller: Caller,
    slug: web::Path<String>,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    caller.require(caller.actor.can_manage_taxonomy())?;
    let current = Slug::parse(&slug).map_err(|_| ApiError::NotFound)?;
    let TermFields { slug, name, description } = term_fields(body.into_inner(), false)?;
    let term = state.store.taxonomy().update_term(kind, current, slug, name, description).await?;
    Ok(private(StatusCode::OK, &json!({ kind.singular(): term_json(kind, &term, &state) })))
}

async fn delete_term(
    kind: TermKind,
    state: web::Data<AppState>,
    caller: Caller,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.require(caller.actor.can_manage_taxonomy())?;
    let slug = Slug::parse(&slug).map_err(|_| ApiError::NotFound)?;
    state.store.taxonomy().delete_term(kind, slug).await?;
    Ok(HttpResponse::NoContent().finish())
}

fn author_fields(body: Value, creating: bool) -> Result<AuthorChanges, ApiError> {
    let mut fields = Fields::new(body, &["slug", "name", "bio", "avatar_url", "website", "links"])?;
    let name = if creating { fields.required("name", Name::parse) } else { fields.parse("name", Name::parse) };
    let slug = fields.parse("slug", Slug::parse);
    let mut changes = AuthorChanges { slug, name, ..Default::default() };
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

pub async fn create_author(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    caller.require(caller.actor.can_manage_taxonomy())?;
    let changes = author_fields(body.into_inner(), true)?;
    let name = changes.name.clone().ok_or(ApiError::Internal)?;
    let new = NewAuthor {
        slug: changes.slug.clone().or_else(|| Slug::from_text(name.as_str())).unwrap_or_else(Slug::fallback),
        name,
        bio: changes.bio.clone().flatten(),
        avatar_url: changes.avatar_url.clone().flatten(),
        website: changes.website.clone().flatten(),
        links: changes.links.clone().unwrap_or_default(),
        user_id: None,
    };
    let author = state.store.taxonomy().create_author(new).await?;
    let counted = longform_persistence::Counted { item: author, published_posts: 0 };
    Ok(private(StatusCode::CREATED, &json!({ "author": AuthorJson::new(&counted, &state.site) })))
}

pub async fn update_author(
    state: web::Data<AppState>,
    caller: Caller,
    slug: web::Path<String>,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    caller.require(caller.actor.can_manage_taxonomy())?;
    let current = Slug::parse(&slug).map_err(|_| ApiError::NotFound)?;
    let changes = author_fields(body.into_inner(), false)?;
    let author = state.store.taxonomy().update_author(current, changes).await?;
    let counted = state.store.taxonomy().author_counted(author.slug).await?.ok_or(ApiError::NotFound)?;
    Ok(private(StatusCode::OK, &json!({ "author": AuthorJson::new(&counted, &state.site) })))
}

pub async fn delete_author(
    state: web::Data<AppState>,
    caller: Caller,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.require(caller.actor.can_manage_taxonomy())?;
    let slug = Slug::parse(&slug).map_err(|_| ApiError::NotFound)?;
    state.store.taxonomy().delete_author(slug).await?;
    Ok(HttpResponse::NoContent().finish())
}
