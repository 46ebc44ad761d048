//! What an import did.

use crate::error::StoreError;

/// What importing one item did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportOutcome {
    Created,
    Updated,
    Unchanged,
}

/// What a batch did: one outcome per author and per post, in order.
#[derive(Debug, Default)]
pub struct BatchOutcome {
    pub authors: Vec<Result<ImportOutcome, StoreError>>,
    pub posts: Vec<Result<ImportOutcome, StoreError>>,
}
