//! The one place errors become HTTP: every failure is an RFC 9457
//! `application/problem+json` body carrying the request's id. Client
//! errors say what is wrong and which field; server errors say nothing of
//! their cause, which the error keeps for the request's one log line
//! (crate::telemetry).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use longform_domain::{DomainError, FieldError};
use longform_persistence::StoreError;
use serde::Serialize;

pub const PROBLEM_JSON: &str = "application/problem+json";

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("invalid input")]
    Invalid(Vec<InvalidParam>),
    #[error("not found")]
    NotFound,
    #[error("{field} is already taken")]
    Conflict { field: String },
    /// A write the stored data as a whole forbids (the last active admin):
    /// a 409 naming the field and why.
    #[error("{reason}")]
    Refused { field: &'static str, reason: &'static str },
    #[error("the resource changed since it was read")]
    PreconditionFailed { current_version: i64 },
    #[error("the service is unavailable")]
    Unavailable,
    #[error("{0}")]
    Unauthorized(&'static str),
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("too many attempts; retry in {retry_after_secs} s")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("this request must carry If-Match with the resource's current ETag")]
    PreconditionRequired,
    #[error("the request body is larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error(
        "the request body came slower than {} bytes a second after the first {} seconds",
        crate::incoming::MIN_BYTES_PER_SEC,
        crate::incoming::GRACE.as_secs()
    )]
    RequestTimeout,
    #[error("this resource answers {allow} only")]
    MethodNotAllowed { allow: &'static str },
    /// An upload of a kind Longform does not keep: a 415 naming the field.
    #[error("{field} {reason}")]
    UnsupportedMediaType { field: &'static str, reason: String },
    /// A byte range past the end of a file of `len` bytes.
    #[error("the range asked for starts past the end of the {len} bytes")]
    RangeNotSatisfiable { len: u64 },
    /// A media item that posts still use: a 409 listing those the caller may see.
    #[error("{} still use this media item; delete with ?force=true (editors and admins) to delete it anyway", describe_uses(.0))]
    MediaInUse(Vec<UsedBy>),
    #[error("internal error")]
    Internal,
    /// A storage failure: 503 while the database cannot be reached, else
    /// 500. The client sees only that; the cause goes to the log.
    #[error("{}", store_detail(.0))]
    Store(StoreError),
}

/// What a client is told of a store failure (the cause itself is logged).
fn store_detail(error: &StoreError) -> &'static str {
    match error {
        StoreError::Full(_) => "the database's disk is full: nothing of this request was stored",
        StoreError::Unavailable(_) => "the service is unavailable",
        _ => "internal error",
    }
}

fn is_unavailable(error: &StoreError) -> bool {
    matches!(error, StoreError::Unavailable(_) | StoreError::Full(_))
}

/// A post that uses a media item, as a 409 names it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct UsedBy {
    pub id: String,
    pub title: String,
    pub slug: String,
    pub status: &'static str,
}

fn describe_uses(uses: &[UsedBy]) -> String {
    match uses.len() {
        0 => "posts you cannot see".to_owned(),
        1 => "1 post".to_owned(),
        n => format!("{n} posts"),
    }
}

/// One offending input: its name as the client spelled it, and why.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct InvalidParam {
    pub name: String,
    pub reason: String,
}

impl ApiError {
    pub fn invalid(name: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Invalid(vec![InvalidParam { name: name.into(), reason: reason.into() }])
    }
}

impl From<FieldError> for InvalidParam {
    fn from(error: FieldError) -> Self {
        Self { name: error.field.to_owned(), reason: error.kind.to_string() }
    }
}

impl From<DomainError> for ApiError {
    fn from(error: DomainError) -> Self {
        match error {
            DomainError::Invalid(fields) => Self::Invalid(fields.into_iter().map(InvalidParam::from).collect()),
            transition @ DomainError::IllegalTransition { .. } => Self::invalid("status", transition.to_string()),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => Self::NotFound,
            StoreError::Conflict { field } => Self::Conflict { field },
            StoreError::Refused { field, reason } => Self::Refused { field, reason },
            StoreError::VersionMismatch { current, .. } => Self::PreconditionFailed { current_version: current },
            StoreError::Domain(domain) => domain.into(),
            other => Self::Store(other),
        }
    }
}

impl ApiError {
    /// What the log says about this error: for a storage failure its cause
    /// chain (never sent to the client), else what the client was told.
    pub fn cause(&self) -> String {
        match self {
            Self::Store(error) => crate::telemetry::chain(error),
            other => other.to_string(),
        }
    }
}

/// The problem document (RFC 9457), with our extensions: `invalid_params`
/// for validation errors and `current_version` for stale writes.
#[derive(Serialize)]
struct Problem<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    title: &'a str,
    status: u16,
    detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    invalid_params: &'a [InvalidParam],
    #[serde(skip_serializing_if = "Option::is_none")]
    current_version: Option<i64>,
    /// The posts that still use a media item the client tried to delete.
    #[serde(skip_serializing_if = "Option::is_none")]
    used_by: Option<&'a [UsedBy]>,
    /// The `X-Request-Id` of the request, to find its log line.
    #[serde(skip_serializing_if = "Option::is_none")]
    request_id: Option<String>,
}

impl ApiError {
    fn kind_and_title(&self) -> (&'static str, &'static str) {
        match self {
            Self::Invalid(_) => ("validation", "Invalid input"),
            Self::NotFound => ("not-found", "Not found"),
            Self::Conflict { .. } | Self::Refused { .. } => ("conflict", "Conflict"),
            Self::PreconditionFailed { .. } => ("precondition-failed", "Precondition failed"),
            Self::Unavailable => ("unavailable", "Service unavailable"),
            Self::Unauthorized(_) => ("unauthorized", "Unauthorized"),
            Self::Forbidden(_) => ("forbidden", "Forbidden"),
            Self::TooManyRequests { .. } => ("rate-limited", "Too many requests"),
            Self::PreconditionRequired => ("precondition-required", "Precondition required"),
            Self::PayloadTooLarge { .. } => ("payload-too-large", "Payload too large"),
            Self::RequestTimeout => ("request-timeout", "Request timeout"),
            Self::MethodNotAllowed { .. } => ("method-not-allowed", "Method not allowed"),
            Self::UnsupportedMediaType { .. } => ("unsupported-media-type", "Unsupported media type"),
            Self::RangeNotSatisfiable { .. } => ("range-not-satisfiable", "Range not satisfiable"),
            Self::MediaInUse(_) => ("conflict", "Conflict"),
            Self::Internal => ("internal", "Internal error"),
            Self::Store(error) if is_unavailable(error) => ("unavailable", "Service unavailable"),
            Self::Store(_) => ("internal", "Internal error"),
        }
    }

    /// What went wrong, in a line: the problem's `detail`.
    pub fn detail(&self) -> String {
        match self {
            Self::Invalid(params) => {
                params.iter().map(|p| format!("{} {}", p.name, p.reason)).collect::<Vec<_>>().join("; ")
            }
            other => other.to_string(),
        }
    }
}

/// What a 503 tells the client to wait: the database or the password
/// hashers are busy or away, which takes seconds to change.
pub const RETRY_UNAVAILABLE_SECS: u64 = 5;

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Invalid(_) => StatusCode::BAD_REQUEST,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Conflict { .. } | Self::Refused { .. } => StatusCode::CONFLICT,
            Self::PreconditionFailed { .. } => StatusCode::PRECONDITION_FAILED,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::UnsupportedMediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::RangeNotSatisfiable { .. } => StatusCode::RANGE_NOT_SATISFIABLE,
            Self::MediaInUse(_) => StatusCode::CONFLICT,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            Self::Store(error) if is_unavailable(error) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let (kind, title) = self.kind_and_title();
        let type_uri = format!("https://longform.dev/problems/{kind}");
        let (field, invalid_params, current_version) = match self {
            Self::Invalid(params) => (params.first().map(|p| p.name.as_str()), params.as_slice(), None),
            Self::Conflict { field } => (Some(field.as_str()), &[][..], None),
            Self::Refused { field, .. } => (Some(*field), &[][..], None),
            Self::PreconditionFailed { current_version } => (None, &[][..], Some(*current_version)),
            Self::UnsupportedMediaType { field, .. } => (Some(*field), &[][..], None),
            _ => (None, &[][..], None),
        };
        let status = self.status_code();
        let mut builder = HttpResponse::build(status);
        match self {
            Self::TooManyRequests { retry_after_secs } => {
                builder.insert_header(("Retry-After", retry_after_secs.to_string()));
            }
            Self::Unauthorized(_) => {
                builder.insert_header(("WWW-Authenticate", "Bearer"));
            }
            Self::MethodNotAllowed { allow } => {
                builder.insert_header(("Allow", *allow));
            }
            Self::RangeNotSatisfiable { len } => {
                builder.insert_header(("Content-Range", format!("bytes */{len}")));
            }
            _ => {}
        }
        if status == StatusCode::SERVICE_UNAVAILABLE {
            builder.insert_header(("Retry-After", RETRY_UNAVAILABLE_SECS.to_string()));
        }
        if status.is_server_error() {
            // The request's log line names it (the telemetry middleware reads it here).
            builder.extensions_mut().insert(crate::telemetry::Cause(self.cause()));
        }
        builder.content_type(PROBLEM_JSON).json(Problem {
            kind: &type_uri,
            title,
            status: status.as_u16(),
            detail: self.detail(),
            field,
            invalid_params,
            current_version,
            used_by: match self {
                Self::MediaInUse(uses) => Some(uses.as_slice()),
                _ => None,
            },
            request_id: crate::telemetry::current_request_id().map(|id| id.to_string()),
        })
    }
}
