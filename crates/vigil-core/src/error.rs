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
    /// A case's item (`record:N`) that does not exist, or that the caller may not see.
    #[error("{item} is not an item of case {case}")]
    NoSuchItem { case: String, item: String },
    /// Also the answer when the version exists but was revealed to someone else.
    #[error("version {version} of case {case}'s schedules was not revealed")]
    NoSuchVersion { case: String, version: u32 },
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
    /// Input that does not parse, naming the field (forms read at the edge).
    #[error("{field}: {why}")]
    InvalidInput { field: String, why: String },
    /// A request that failed unexpectedly (a panic in its worker, say).
    #[error("the request failed: {0}")]
    Failed(String),
    /// The caller's role does not allow this.
    #[error("not allowed: {0}")]
    Forbidden(String),
    /// A single-use form's token was spent already, by whatever that form
    /// sent before; nothing was stored this time.
    #[error("this form has already been sent")]
    FormAlreadySent,
    /// The client has sent more than its limit in the current window;
    /// nothing was stored (and the form's token, if any, was not spent).
    #[error("this client is over its limit in the current window (its request {}, {} from everyone)", .0.mine, .0.all)]
    OverLimit(crate::rate_window::WindowCount),
    /// A chat export that cannot be read, or a setting for its import.
    #[error(transparent)]
    Chat(#[from] vigil_chat::ChatError),
}

/// What kind of failure an error is, for the edges to answer by: HTTP
/// maps kinds to statuses in one place, and nothing matches on message text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// It does not exist, or the caller may not know that it does.
    NotFound,
    /// The caller's role does not allow it.
    Forbidden,
    /// A rule refuses it as asked (ungraded, no welfare check, …).
    Refused,
    /// It clashes with what is stored (a duplicate, already deleted).
    Conflict,
    /// The input is malformed; [`CoreError::field`] names the field.
    Invalid,
    /// The store could not be reached in time; the request may be retried.
    Unavailable,
    /// Something inside Vigil failed (a file, the vault, a stored row).
    Internal,
}

impl CoreError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            CoreError::NoSuchExhibit(_)
            | CoreError::NoSuchCase(_)
            | CoreError::NoSuchItem { .. }
            | CoreError::NoSuchVersion { .. } => ErrorKind::NotFound,
            CoreError::Forbidden(_) => ErrorKind::Forbidden,
            CoreError::Refused(_) | CoreError::OverLimit(_) => ErrorKind::Refused,
            CoreError::Deleted { .. } | CoreError::AlreadyInitialised(_) | CoreError::FormAlreadySent => {
                ErrorKind::Conflict
            }
            CoreError::Store(vigil_store::StoreError::Duplicate(_)) => ErrorKind::Conflict,
            CoreError::Store(vigil_store::StoreError::RetiredMasterKey(_)) => ErrorKind::Conflict,
            CoreError::Invalid(_) | CoreError::InvalidInput { .. } => ErrorKind::Invalid,
            CoreError::Store(vigil_store::StoreError::Unavailable(_)) => ErrorKind::Unavailable,
            CoreError::Chat(vigil_chat::ChatError::Changed(_)) => ErrorKind::Conflict,
            CoreError::Chat(vigil_chat::ChatError::Io(_)) => ErrorKind::Internal,
            CoreError::Chat(_) => ErrorKind::Invalid,
            CoreError::File { .. }
            | CoreError::NotInitialised(_)
            | CoreError::Store(_)
            | CoreError::Vault(_)
            | CoreError::Log(_)
            | CoreError::MasterKey(_)
            | CoreError::Failed(_) => ErrorKind::Internal,
        }
    }

    /// The input field at fault, for an [`ErrorKind::Invalid`] error.
    pub fn field(&self) -> Option<&str> {
        match self {
            CoreError::Invalid(p) => Some(p.what),
            CoreError::InvalidInput { field, .. } => Some(field),
            CoreError::Chat(vigil_chat::ChatError::Setting { field, .. }) => Some(field),
            CoreError::Chat(_) => Some("export"),
            _ => None,
        }
    }

    pub(crate) fn file(path: impl Into<PathBuf>, why: impl std::fmt::Display) -> Self {
        CoreError::File { path: path.into(), why: why.to_string() }
    }
}
