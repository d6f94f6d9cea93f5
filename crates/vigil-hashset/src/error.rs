//! Hash-set errors. Import errors name the line or record at fault.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum HashSetError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}: line {line}: {why}")]
    Line { path: PathBuf, line: u64, why: String },
    #[error("{path}: record {record}: {why}")]
    Record { path: PathBuf, record: u64, why: String },
    #[error("{path}: {why}")]
    Format { path: PathBuf, why: String },
    #[error("{path}: not a Vigil hash set file: {why}")]
    BadSetFile { path: PathBuf, why: String },
    #[error("{0}")]
    Invalid(String),
}
