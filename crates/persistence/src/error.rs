//! Storage errors as values. A database failure is never turned into "not
//! found" (or into a panic); a unique violation names the field it is about.

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use longform_domain::DomainError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row asked for does not exist.
    #[error("not found")]
    NotFound,
    /// A unique key already holds this value; `field` names the column.
    #[error("{field} is already taken")]
    Conflict { field: String },
    /// Optimistic locking: the row changed since the caller read it.
    #[error("version mismatch: expected {expected}, current {current}")]
    VersionMismatch { expected: i64, current: i64 },
    /// The input broke a domain rule (only checkable with stored data at hand).
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// The database could not be reached (pool exhausted, server down).
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// A row the code cannot read back (a corrupted value, say).
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// Any other database failure.
    #[error("database error: {0}")]
    Database(DieselError),
    #[error("{0}")]
    InvalidUrl(String),
    /// Something this backend or situation does not do; the text says what to do instead.
    #[error("{0}")]
    Unsupported(String),
    #[error("migration failed: {0}")]
    Migration(String),
}

impl From<DieselError> for StoreError {
    fn from(error: DieselError) -> Self {
        match error {
            DieselError::NotFound => Self::NotFound,
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                Self::Conflict { field: conflicting_field(info.constraint_name(), info.message()) }
            }
            DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, info) => {
                Self::Unavailable(info.message().to_owned())
            }
            other => Self::Database(other),
        }
    }
}

impl From<r2d2::Error> for StoreError {
    fn from(error: r2d2::Error) -> Self {
        Self::Unavailable(error.to_string())
    }
}

/// The column behind a unique violation. PostgreSQL names the constraint
/// (`posts_slug_key`, named so in the migrations); SQLite only says
/// "UNIQUE constraint failed: posts.slug".
fn conflicting_field(constraint: Option<&str>, message: &str) -> String {
    if let Some(name) = constraint {
        let column = name.strip_suffix("_key").unwrap_or(name);
        if let Some((_, field)) = column.split_once('_') {
            return field.to_owned();
        }
    }
    message
        .rsplit_once(": ")
        .and_then(|(_, columns)| columns.split(", ").next())
        .and_then(|column| column.rsplit_once('.'))
        .map_or_else(|| "unknown".to_owned(), |(_, field)| field.to_owned())
}

#[cfg(test)]
mod tests {
    use super::conflicting_field;

    #[test]
    fn unique_violations_name_the_field_on_both_backends() {
        assert_eq!(conflicting_field(Some("posts_slug_key"), "duplicate key value"), "slug");
        assert_eq!(conflicting_field(Some("authors_user_id_key"), ""), "user_id");
        assert_eq!(conflicting_field(None, "UNIQUE constraint failed: users.email"), "email");
        assert_eq!(conflicting_field(None, "something else"), "unknown");
    }
}
