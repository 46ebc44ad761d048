//! Commands: every write, each run in one transaction by the repository
//! that calls it. A command that changes a post loads it once, writes its
//! row, and hands the result to [`crate::effects::post_changed`].

pub(crate) mod accounts;
pub(crate) mod import;
pub(crate) mod media;
pub(crate) mod outbox;
pub(crate) mod posts;
pub(crate) mod reindex;
pub(crate) mod restore;
pub(crate) mod schedule;
pub(crate) mod taxonomy;
pub(crate) mod webhooks;

use crate::error::StoreError;

/// `VersionMismatch` unless the caller's `expected` version (when it named
/// one) is the `current` one.
pub(crate) fn check_version(current: i64, expected: Option<i64>) -> Result<(), StoreError> {
    match expected {
        Some(expected) if expected != current => Err(StoreError::VersionMismatch { expected, current }),
        _ => Ok(()),
    }
}
