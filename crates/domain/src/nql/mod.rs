//! Ghost's filter language (NQL), as Ghost frontends send it in `filter`:
//! `tag:go+featured:true`, `slug:-hello`, `published_at:>'2026-01-01'`,
//! `tags:[go,rust],(author:ada+reading_time:<10)`.
//!
//! Parsing gives a [`Syntax`] tree of comparisons on field *names*; [`check`]
//! then types it against a resource's allowlist ([`Fields`]) into a
//! [`Filter`] on field *values* of that allowlist. Storage compiles a
//! `Filter` with bind parameters only: no text of the request ever names a
//! column. A name outside the allowlist is an error like any unknown
//! field, whether a column of that name exists or not, so a filter cannot
//! tell a private field from a missing one.
//!
//! Every error names its byte position in the filter. Sizes are bounded
//! ([`MAX_FILTER_BYTES`], [`MAX_DEPTH`], [`MAX_COMPARISONS`],
//! [`MAX_VALUES`]), which bounds the statement a filter compiles to.

/// The longest filter accepted, in bytes.
pub const MAX_FILTER_BYTES: usize = 4096;
/// The deepest nesting of parentheses.
pub const MAX_DEPTH: usize = 8;
/// The most comparisons in one filter.
pub const MAX_COMPARISONS: usize = 64;
/// The most values in one filter, lists included.
pub const MAX_VALUES: usize = 500;

/// Why a filter was refused, and where (a byte offset into it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} at position {position}")]
pub struct FilterError {
    pub position: usize,
    pub message: String,
}

pub(crate) fn error<T>(position: usize, message: impl Into<String>) -> Result<T, FilterError> {
    Err(FilterError { position, message: message.into() })
}

mod fields;
mod order;
mod syntax;
mod typed;

pub use fields::{PostField, TermField};
pub use order::{Direction, MAX_ORDER_KEYS, parse_order};
pub use syntax::{Comparison, Literal, Op, Syntax, parse};
pub use typed::{Checked, Fields, Filter, Kind, Value, check, parse_checked};

#[cfg(test)]
mod tests;
