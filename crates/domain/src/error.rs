//! What a value or rule can refuse. Validation errors name the field so the
//! HTTP layer can point at it; the kinds are precise enough to test against.

use std::fmt;

/// One invalid field: its name (as clients spell it) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub kind: InvalidKind,
}

/// Why a value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidKind {
    #[error("must not be empty")]
    Empty,
    #[error("must be at most {max} characters")]
    TooLong { max: usize },
    #[error("must be at least {min} characters")]
    TooShort { min: usize },
    #[error("{0}")]
    Slug(#[from] crate::slug::SlugError),
    #[error("is not a valid email address")]
    Email,
    #[error("must be an absolute http or https URL")]
    Url,
    #[error("must contain no control characters")]
    ControlCharacters,
    #[error("must be one of: {allowed}")]
    NotOneOf { allowed: &'static str },
    #[error("{0:?} does not exist")]
    Unknown(String),
    #[error("must be in the future")]
    NotInFuture,
    #[error("must be at most {max} bytes")]
    TooLarge { max: usize },
    /// A rule particular to one field, said in full.
    #[error("{0}")]
    Custom(String),
}

impl FieldError {
    pub fn new(field: &'static str, kind: impl Into<InvalidKind>) -> Self {
        Self { field, kind: kind.into() }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.field, self.kind)
    }
}

impl std::error::Error for FieldError {}

/// Every way a domain operation can fail.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error("invalid input: {}", list(.0))]
    Invalid(Vec<FieldError>),
    /// Statuses by name: the life cycle (`crate::status`) builds on these errors.
    #[error("cannot move a post from {from} to {to}")]
    IllegalTransition { from: &'static str, to: &'static str },
}

fn list(errors: &[FieldError]) -> String {
    errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
}

impl From<FieldError> for DomainError {
    fn from(error: FieldError) -> Self {
        Self::Invalid(vec![error])
    }
}
