//! What a resolver can fail with, and how that reaches a client: a message
//! and `extensions.code`. Storage failures are logged once, here, and
//! answered with a generic message; no driver text ever reaches a client.

use longform_domain::DomainError;
use longform_persistence::StoreError;

use crate::error::ApiError;

/// The error of every resolver. It deliberately has no `Display`: the only
/// way into an `async_graphql::Error` is the conversion below, which sets
/// the code (and the crate's blanket conversion of `Display` errors is off,
/// see `custom-error-conversion` in Cargo.toml).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GqlError {
    /// A bad argument: `field` names it as the client spelled it.
    Invalid {
        field: String,
        reason: String,
    },
    NotFound,
    Unavailable,
    Internal,
}

impl GqlError {
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Invalid { field: field.into(), reason: reason.into() }
    }

    /// The value of `extensions.code`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Invalid { .. } => "VALIDATION",
            Self::NotFound => "NOT_FOUND",
            Self::Unavailable => "UNAVAILABLE",
            Self::Internal => "INTERNAL",
        }
    }

    pub fn message(&self) -> String {
        match self {
            Self::Invalid { field, reason } => format!("{field} {reason}"),
            Self::NotFound => "Not found".to_owned(),
            Self::Unavailable => "Service unavailable".to_owned(),
            Self::Internal => "Internal error".to_owned(),
        }
    }
}

impl From<GqlError> for async_graphql::Error {
    fn from(error: GqlError) -> Self {
        let mut extensions = async_graphql::ErrorExtensionValues::default();
        extensions.set("code", error.code());
        if let GqlError::Invalid { field, .. } = &error {
            extensions.set("field", field.as_str());
        }
        let mut converted = async_graphql::Error::new(error.message());
        converted.extensions = Some(extensions);
        converted
    }
}

/// Storage and domain errors map to HTTP in one place (`ApiError`);
/// GraphQL takes the same decision.
impl From<ApiError> for GqlError {
    fn from(error: ApiError) -> Self {
        match error {
            ApiError::Invalid(params) => match params.into_iter().next() {
                Some(first) => Self::invalid(first.name, first.reason),
                None => Self::invalid("input", "is invalid"),
            },
            ApiError::NotFound => Self::NotFound,
            ApiError::Unavailable => Self::Unavailable,
            ApiError::Store(error) => {
                // GraphQL answers 200 with errors: the request's line is no
                // 5xx, so the cause is logged here, once.
                let request_id = crate::telemetry::current_request_id().map(|id| id.to_string());
                let request_id = request_id.as_deref().unwrap_or("-");
                tracing::error!(request_id = %request_id, error = %crate::telemetry::chain(&error), "graphql resolver failed");
                if matches!(error, StoreError::Unavailable(_)) { Self::Unavailable } else { Self::Internal }
            }
            _ => Self::Internal,
        }
    }
}

impl From<DomainError> for GqlError {
    fn from(error: DomainError) -> Self {
        ApiError::from(error).into()
    }
}

impl From<StoreError> for GqlError {
    fn from(error: StoreError) -> Self {
        ApiError::from(error).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_failures_become_generic_messages_with_codes() {
        let leaky = StoreError::Corrupt("SELECT secret FROM users".into());
        let error: async_graphql::Error = GqlError::from(leaky).into();
        assert_eq!(error.message, "Internal error");
        let json = serde_json::to_string(&error.extensions).unwrap();
        assert!(json.contains("\"INTERNAL\"") && !json.contains("SELECT"), "{json}");
        let unavailable: async_graphql::Error = GqlError::from(StoreError::Unavailable("refused".into())).into();
        assert_eq!(unavailable.message, "Service unavailable");
    }

    #[test]
    fn validation_errors_name_their_field() {
        let error: async_graphql::Error = GqlError::invalid("first", "must be at most 100").into();
        assert_eq!(error.message, "first must be at most 100");
        let json = serde_json::to_value(&error.extensions).unwrap();
        assert_eq!(json["code"], "VALIDATION");
        assert_eq!(json["field"], "first");
    }
}
