//! Errors in Ghost's shape (`{"errors": [{message, type, ...}]}`), which
//! Ghost's client reads: it throws with `errors[0].message` as the message
//! and `errors[0].type` as the error's name.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use crate::error::{ApiError, RETRY_UNAVAILABLE_SECS};

/// An [`ApiError`] answered the way Ghost answers it.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct GhostError(pub ApiError);

impl From<ApiError> for GhostError {
    fn from(error: ApiError) -> Self {
        Self(error)
    }
}

impl From<longform_persistence::StoreError> for GhostError {
    fn from(error: longform_persistence::StoreError) -> Self {
        Self(ApiError::from(error))
    }
}

#[derive(Serialize)]
struct Item<'a> {
    message: String,
    context: Option<String>,
    #[serde(rename = "type")]
    kind: &'a str,
    details: Option<()>,
    property: Option<String>,
    help: Option<String>,
    code: Option<String>,
    id: String,
    #[serde(rename = "ghostErrorCode")]
    ghost_error_code: Option<()>,
}

#[derive(Serialize)]
struct Errors<'a> {
    errors: [Item<'a>; 1],
}

impl ResponseError for GhostError {
    fn status_code(&self) -> StatusCode {
        self.0.status_code()
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let (kind, message, context, property) = match &self.0 {
            ApiError::Invalid(params) => {
                let first = params.first();
                let kind =
                    if first.is_some_and(|p| p.name == "filter") { "BadRequestError" } else { "ValidationError" };
                let message = match first {
                    Some(p) if p.name == "filter" => "Error parsing filter".to_owned(),
                    Some(p) => format!("Validation error, cannot read {}.", p.name),
                    None => "Validation error.".to_owned(),
                };
                (kind, message, first.map(|p| p.reason.clone()), first.map(|p| p.name.clone()))
            }
            ApiError::Unauthorized(_) => ("UnauthorizedError", "Unknown Content API Key".to_owned(), None, None),
            ApiError::NotFound => ("NotFoundError", "Resource not found".to_owned(), None, None),
            ApiError::TooManyRequests { .. } => ("TooManyRequestsError", self.0.detail(), None, None),
            ApiError::MethodNotAllowed { .. } => ("MethodNotAllowedError", self.0.detail(), None, None),
            _ if status == StatusCode::SERVICE_UNAVAILABLE => {
                ("ServiceUnavailableError", "The service is unavailable".to_owned(), None, None)
            }
            _ if status.is_server_error() => {
                ("InternalServerError", "An unexpected error occurred".to_owned(), None, None)
            }
            _ => ("BadRequestError", self.0.detail(), None, None),
        };
        let mut builder = HttpResponse::build(status);
        if status == StatusCode::SERVICE_UNAVAILABLE {
            builder.insert_header(("Retry-After", RETRY_UNAVAILABLE_SECS.to_string()));
        }
        match &self.0 {
            ApiError::TooManyRequests { retry_after_secs } => {
                builder.insert_header(("Retry-After", retry_after_secs.to_string()));
            }
            ApiError::MethodNotAllowed { allow } => {
                builder.insert_header(("Allow", *allow));
            }
            _ => {}
        }
        if status.is_server_error() {
            builder.extensions_mut().insert(crate::telemetry::Cause(self.0.cause()));
        }
        let id = crate::telemetry::current_request_id()
            .map_or_else(|| uuid::Uuid::new_v4().to_string(), |id| id.to_string());
        builder.json(Errors {
            errors: [Item {
                message,
                context,
                kind,
                details: None,
                property,
                help: None,
                code: None,
                id,
                ghost_error_code: None,
            }],
        })
    }
}
