//! The error every command can end with, printed by `main` as one line.

use crate::config::ConfigError;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("{0}")]
    Store(#[from] longform_persistence::StoreError),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{0} file(s) were skipped (see above)")]
    Skipped(usize),
    #[error("{0} file(s) the posts name could not be brought in (see above)")]
    Warned(usize),
}

impl CliError {
    /// 2 when an import skipped files or references (the rest landed), 1
    /// for any other failure.
    pub fn exit_code(&self) -> u8 {
        if matches!(self, Self::Skipped(_) | Self::Warned(_)) { 2 } else { 1 }
    }
}
