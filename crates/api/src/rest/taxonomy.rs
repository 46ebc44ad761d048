//! Tags, categories and authors with their published post counts.

use actix_web::{HttpRequest, HttpResponse, web};
use longform_domain::Slug;
use serde_json::json;

use super::public_json;
use super::wire::{AuthorJson, TermJson};
use crate::AppState;
use crate::error::ApiError;
use crate::params::Params;

fn slug_or_404(raw: &str) -> Result<Slug, ApiError> {
    Slug::parse(raw).map_err(|_| ApiError::NotFound)
}

pub async fn tags(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    Params::public(req.query_string(), &[])?;
    public_json(&req, &state, || async {
        let tags = state.store.taxonomy().public_tags().await?;
        Ok(json!({ "tags": tags.iter().map(|t| TermJson::tag(t, &state.site)).collect::<Vec<_>>() }))
    })
    .await
}

pub async fn tag(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Params::public(req.query_string(), &[])?;
    let slug = slug_or_404(&slug)?;
    public_json(&req, &state, || async {
        let tag = state.store.taxonomy().public_tag(slug).await?.ok_or(ApiError::NotFound)?;
        Ok(json!({ "tag": TermJson::tag(&tag, &state.site) }))
    })
    .await
}

pub async fn categories(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    Params::public(req.query_string(), &[])?;
    public_json(&req, &state, || async {
        let categories = state.store.taxonomy().public_categories().await?;
        Ok(json!({ "categories": categories.iter().map(|c| TermJson::category(c, &state.site)).collect::<Vec<_>>() }))
    })
    .await
}

pub async fn category(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Params::public(req.query_string(), &[])?;
    let slug = slug_or_404(&slug)?;
    public_json(&req, &state, || async {
        let category = state.store.taxonomy().public_category(slug).await?.ok_or(ApiError::NotFound)?;
        Ok(json!({ "category": TermJson::category(&category, &state.site) }))
    })
    .await
}

pub async fn authors(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    Params::public(req.query_string(), &[])?;
    public_json(&req, &state, || async {
        let authors = state.store.taxonomy().public_authors().await?;
        Ok(json!({ "authors": authors.iter().map(|a| AuthorJson::new(a, &state.site)).collect::<Vec<_>>() }))
    })
    .await
}

pub async fn author(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Params::public(req.query_string(), &[])?;
    let slug = slug_or_404(&slug)?;
    public_json(&req, &state, || async {
        let author = state.store.taxonomy().public_author(slug).await?.ok_or(ApiError::NotFound)?;
        Ok(json!({ "author": AuthorJson::new(&author, &state.site) }))
    })
    .await
}
