//! Errors from Vigil's services. Each names the file, exhibit or event it is
//! about, and none carries secret material.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error("{path}: {why}")]
    File { path: PathBuf, why: String },
    #[error("{0} is not a Vigil data directory (run `vigil --data {0} init` first)")]
    NotInitialised(PathBuf),
    #[error("{0} is already a Vigil data directory")]
    AlreadyInitialised(PathBuf),
    #[error(transparent)]
    Invalid(#[from] vigil_domain::ParseError),
    #[error("exhibit {0} does not exist")]
    NoSuchExhibit(String),
    /// Also the answer when the case exists but the caller may not see it.
    #[error("case {0} does not exist")]
    NoSuchCase(String),
    #[error("exhibit {reference} was deleted (custody event #{event}) and its content destroyed")]
    Deleted { reference: String, event: u64 },
    #[error(transparent)]
    Store(#[from] vigil_store::StoreError),
    #[error(transparent)]
    Vault(#[from] vigil_vault::VaultError),
    #[error("the custody log: {0}")]
    Log(String),
    #[error("master key: {0}")]
    MasterKey(String),
    #[error("{0}")]
    Refused(String),
    /// The caller's role does not allow this.
    #[error("not allowed: {0}")]
    Forbidden(String),
}

impl CoreError {
    pub(crate) fn file(path: impl Into<PathBuf>, why: impl std::fmt::Display) -> Self {
        CoreError::File { path: path.into(), why: why.to_string() }
    }
}
