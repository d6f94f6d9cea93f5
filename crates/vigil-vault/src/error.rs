//! The vault's errors. Each names the blob or file it concerns.

use std::path::PathBuf;
use vigil_domain::Sha256Digest;

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("reading the input: {0}")]
    Input(std::io::Error),
    #[error("blob {sha256} is missing from the vault")]
    Missing { sha256: Sha256Digest },
    #[error("blob {sha256}: {why}")]
    Corrupt { sha256: Sha256Digest, why: String },
    #[error("blob {sha256} cannot be read now: {why}")]
    Unreadable { sha256: Sha256Digest, why: String },
    #[error("vault bucket: {why}")]
    Location { why: String },
    #[error("bucket {bucket}: {what}: {source}")]
    Bucket { bucket: String, what: String, source: Box<object_store::Error> },
    #[error("blob {sha256}: chunk {chunk} fails authentication — the stored bytes were altered")]
    Tampered { sha256: Sha256Digest, chunk: u64 },
    #[error("blob {sha256}: no key for it (it was crypto-shredded, or the store lost the key)")]
    NoKey { sha256: Sha256Digest },
    #[error("blob {sha256}: its key cannot be unwrapped with master key {master_id} (wrong master key, or the wrapped key was altered)")]
    Unwrap { sha256: Sha256Digest, master_id: String },
    #[error("master key file {path}: {why}")]
    MasterKey { path: PathBuf, why: String },
    #[error("blob {sha256}: decrypted content hashes to {actual}, not to its address")]
    HashMismatch { sha256: Sha256Digest, actual: Sha256Digest },
}

impl VaultError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> VaultError {
        let path = path.into();
        move |source| VaultError::Io { path, source }
    }
}
