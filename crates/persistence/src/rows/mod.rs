//! Rows as the tables hold them and their conversion into domain values:
//! one row type per table, read with `Selectable`, written with
//! `Insertable` and `AsChangeset`, so a column list is never written twice.
//! The database only holds what the domain validated, so a value that does
//! not parse back means a corrupted row: an error, never a panic.

pub mod export;
pub(crate) mod media;
pub(crate) mod posts;
pub(crate) mod taxonomy;
pub(crate) mod users;
pub(crate) mod webhooks;

use crate::error::StoreError;

pub(crate) fn parse_value<T, E: std::fmt::Display>(parsed: Result<T, E>) -> Result<T, StoreError> {
    parsed.map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub(crate) fn parse_optional<T, E: std::fmt::Display>(
    raw: Option<String>,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<Option<T>, StoreError> {
    raw.map(|s| parse_value(parse(&s))).transpose()
}

pub(crate) fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub(crate) fn from_json<T: serde::de::DeserializeOwned>(what: &str, raw: &str) -> Result<T, StoreError> {
    serde_json::from_str(raw).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

/// A count or size stored in an `integer` column.
pub(crate) fn saturating_i32(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}
