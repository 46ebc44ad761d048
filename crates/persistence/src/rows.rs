//! Reading stored text back into domain values. The database only holds
//! what the domain validated, so a failure here means a corrupted row: it
//! becomes an error value, never a panic.

use std::str::FromStr;

use crate::error::StoreError;

pub(crate) fn parse_id<T: FromStr>(raw: &str) -> Result<T, StoreError> {
    raw.parse().map_err(|_| StoreError::Corrupt(format!("bad id {raw:?}")))
}

pub(crate) fn parse_value<T, E: std::fmt::Display>(parsed: Result<T, E>) -> Result<T, StoreError> {
    parsed.map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub(crate) fn parse_optional<T, E: std::fmt::Display>(
    raw: Option<String>,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<Option<T>, StoreError> {
    raw.map(|s| parse_value(parse(&s))).transpose()
}
