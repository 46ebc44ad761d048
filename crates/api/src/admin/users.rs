//! `/api/v1/admin/users`: accounts, for admins only.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use longform_domain::{Email, Name, NewUser, Password, Role, User, UserId};
use longform_persistence::UserChanges;
use serde_json::json;

use super::wire::UserJson;
use super::{if_match, private, versioned};
use crate::AppState;
use crate::auth::Caller;
use crate::body::{Fields, JsonBody};
use crate::error::ApiError;
use crate::params::Params;

fn user_id(raw: &str) -> Result<UserId, ApiError> {
    raw.parse().map_err(|_| ApiError::NotFound)
}

pub async fn list(req: HttpRequest, state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    Params::parse(req.query_string(), &[])?;
    caller.require(caller.actor.can_administer())?;
    let users = state.store.users().list().await?;
    Ok(private(StatusCode::OK, &json!({ "users": users.iter().map(UserJson::from).collect::<Vec<_>>() })))
}

pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<JsonBody>,
) -> Result<HttpResponse, ApiError> {
    caller.require(caller.actor.can_administer())?;
    let mut fields = Fields::new(body.into_inner().into_value(), &["email", "name", "role", "password"])?;
    let email = fields.required("email", Email::parse);
    let name = fields.required("name", Name::parse);
    let role = fields.required("role", Role::parse);
    let password = fields.required("password", Password::parse);
    fields.finish()?;
    let (Some(email), Some(name), Some(role), Some(password)) = (email, name, role, password) else {
        return Err(ApiError::Internal);
    };
    let password_hash = state.auth.hash_password(password).await?;
    let user = state.store.users().create(NewUser { email, name, role, password_hash }).await?;
    Ok(answer(StatusCode::CREATED, &user))
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Params::parse(req.query_string(), &[])?;
    caller.require(caller.actor.can_administer())?;
    let user = state.store.users().get(user_id(&id)?).await?;
    Ok(answer(StatusCode::OK, &user))
}

/// Rename, change the role, disable or enable (disabling ends every
/// session at once), as of the version `If-Match` names. A change that
/// would leave no active admin is a 409 on `role`.
pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: web::Json<JsonBody>,
) -> Result<HttpResponse, ApiError> {
    caller.require(caller.actor.can_administer())?;
    let id = user_id(&id)?;
    let mut fields = Fields::new(body.into_inner().into_value(), &["name", "role", "disabled"])?;
    let changes = UserChanges {
        name: fields.parse("name", Name::parse),
        role: fields.parse("role", Role::parse),
        disabled: fields.bool("disabled"),
    };
    fields.finish()?;
    if caller.actor.user_id() == Some(id)
        && (changes.disabled == Some(true) || changes.role.is_some_and(|r| r != Role::Admin))
    {
        return Err(ApiError::invalid("role", "admins cannot disable or demote themselves"));
    }
    let user = state.store.users().update(id, if_match(&req)?, changes).await?;
    Ok(answer(StatusCode::OK, &user))
}

/// Delete an account as of the version `If-Match` names; deleting the last
/// active admin is a 409 on `role`.
pub async fn remove(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.require(caller.actor.can_administer())?;
    let id = user_id(&id)?;
    if caller.actor.user_id() == Some(id) {
        return Err(ApiError::invalid("id", "admins cannot delete themselves"));
    }
    state.store.users().delete(id, if_match(&req)?).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// One account, with its version as the ETag.
fn answer(status: StatusCode, user: &User) -> HttpResponse {
    versioned(status, user.version, &json!({ "user": UserJson::from(user) }))
}
