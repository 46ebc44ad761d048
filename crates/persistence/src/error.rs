//! Storage errors as values. A database failure is never turned into "not
//! found" (or into a panic); a unique violation names the field it is
//! about, looked up in the table of the schema's unique keys.

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
    /// The write would break a rule about the stored data as a whole (the
    /// site keeps an active admin); `field` names what the client changed.
    #[error("{reason}")]
    Refused { field: &'static str, reason: &'static str },
    /// Optimistic locking: the row changed since the caller read it.
    #[error("version mismatch: expected {expected}, current {current}")]
    VersionMismatch { expected: i64, current: i64 },
    /// The input broke a domain rule (only checkable with stored data at hand).
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// The database could not be reached (pool exhausted, server down).
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// The database's disk is full: the write was rolled back whole.
    #[error("the database's disk is full: {0}")]
    Full(String),
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
                Self::Conflict { field: conflicting_field(info.constraint_name(), info.message()).to_owned() }
            }
            DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, info) => {
                Self::Unavailable(info.message().to_owned())
            }
            // SQLite's SQLITE_FULL, PostgreSQL's disk_full (53100) and ENOSPC in general.
            DieselError::DatabaseError(_, info)
                if ["database or disk is full", "No space left on device"]
                    .iter()
                    .any(|m| info.message().contains(m)) =>
            {
                Self::Full(info.message().to_owned())
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

/// Every unique key of the schema a write can run into: the constraint's
/// name on PostgreSQL (named so in the migrations), the columns SQLite
/// names instead ("UNIQUE constraint failed: posts.slug"), and the field a
/// client is told about. A test checks the table against both migrated
/// schemas.
pub const UNIQUE_KEYS: &[(&str, &str, &str)] = &[
    ("users_pkey", "users.id", "id"),
    ("users_email_key", "users.email", "email"),
    ("authors_pkey", "authors.id", "id"),
    ("authors_slug_key", "authors.slug", "slug"),
    ("authors_user_id_key", "authors.user_id", "user_id"),
    ("categories_pkey", "categories.id", "id"),
    ("categories_slug_key", "categories.slug", "slug"),
    ("tags_pkey", "tags.id", "id"),
    ("tags_slug_key", "tags.slug", "slug"),
    ("posts_pkey", "posts.id", "id"),
    ("posts_slug_key", "posts.slug", "slug"),
    ("post_tags_pkey", "post_tags.post_id, post_tags.tag_id", "tags"),
    ("post_authors_pkey", "post_authors.post_id, post_authors.author_id", "authors"),
    ("post_listings_pkey", "post_listings.kind, post_listings.key, post_listings.post_id", "listing"),
    ("sessions_pkey", "sessions.id", "id"),
    ("refresh_tokens_pkey", "refresh_tokens.token_hash", "refresh_token"),
    ("api_tokens_pkey", "api_tokens.id", "id"),
    ("api_tokens_token_hash_key", "api_tokens.token_hash", "token"),
    ("revisions_pkey", "revisions.id", "id"),
    ("revisions_post_number_key", "revisions.post_id, revisions.number", "revision"),
    ("idempotency_keys_pkey", "idempotency_keys.owner, idempotency_keys.key", "Idempotency-Key"),
    ("settings_pkey", "settings.key", "key"),
    ("changes_pkey", "changes.seq", "seq"),
    // PostgreSQL keys the documents by post; SQLite by an integer rowid, with the post unique.
    ("search_documents_pkey", "search_documents.post_id", "post_id"),
    ("webhooks_pkey", "webhooks.id", "id"),
    ("webhook_deliveries_pkey", "webhook_deliveries.id", "id"),
    ("webhook_attempts_pkey", "webhook_attempts.id", "id"),
    ("listing_counts_pkey", "listing_counts.kind, listing_counts.key", "listing"),
    ("post_states_pkey", "post_states.post_id", "post_id"),
    ("public_changes_pkey", "public_changes.id", "id"),
    ("media_blobs_pkey", "media_blobs.sha256", "sha256"),
    ("media_renditions_pkey", "media_renditions.sha256, media_renditions.width, media_renditions.format", "rendition"),
    ("media_pkey", "media.id", "id"),
    ("post_media_pkey", "post_media.post_id, post_media.media_id", "media"),
];

/// The field behind a unique violation, from the constraint PostgreSQL
/// names or the columns SQLite's message lists; "unknown" for a key the
/// table does not know (the table test keeps that from happening).
fn conflicting_field(constraint: Option<&str>, message: &str) -> &'static str {
    let columns = message.strip_prefix("UNIQUE constraint failed: ");
    UNIQUE_KEYS
        .iter()
        .find(|(name, sqlite_columns, _)| constraint == Some(*name) || columns == Some(*sqlite_columns))
        .map_or("unknown", |(_, _, field)| field)
}

#[cfg(test)]
mod tests {
    use super::conflicting_field;

    #[test]
    fn unique_violations_name_the_field_on_both_backends() {
        assert_eq!(conflicting_field(Some("posts_slug_key"), "duplicate key value"), "slug");
        assert_eq!(conflicting_field(Some("authors_user_id_key"), ""), "user_id");
        assert_eq!(conflicting_field(None, "UNIQUE constraint failed: users.email"), "email");
        assert_eq!(
            conflicting_field(None, "UNIQUE constraint failed: revisions.post_id, revisions.number"),
            "revision"
        );
        assert_eq!(conflicting_field(None, "something else"), "unknown");
        assert_eq!(conflicting_field(Some("made_up_key"), "duplicate"), "unknown");
    }
}
