//! Import errors. Each names where in the export it went wrong: the file
//! (or archive member), and the line or JSON path.

/// Where in an export something is: `"_chat.txt line 12"`,
/// `"result.json line 40 (messages[3])"`.
pub type Location = String;

#[derive(Debug, thiserror::Error)]
pub enum ChatError {
    /// The bytes are not any export this version reads.
    #[error("not a chat export Vigil reads: {0}")]
    NotAnExport(String),
    /// The export is of a known kind but broken at a place.
    #[error("{at}: {why}")]
    Malformed { at: Location, why: String },
    #[error("reading the export failed: {0}")]
    Io(#[from] std::io::Error),
    /// A setting given by the officer (the time zone, the format) is wrong.
    #[error("{field}: {why}")]
    Setting { field: &'static str, why: String },
    /// The export read differently on the second pass than on the first
    /// (it changed while being read).
    #[error("the export changed while it was being read: {0}")]
    Changed(String),
}

impl ChatError {
    pub(crate) fn at(at: impl Into<String>, why: impl Into<String>) -> Self {
        ChatError::Malformed { at: at.into(), why: why.into() }
    }
}
