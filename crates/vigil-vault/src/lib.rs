//! The evidence vault: blobs addressed by their SHA-256, each encrypted at
//! rest with its own XChaCha20-Poly1305 key that a master key wraps.
//!
//! Architecture invariants:
//! - Evidence bytes are never rewritten. A blob is written once, to a temp
//!   file that is fsync'd and then linked into place, so it is whole or absent;
//!   or, when small, sealed in memory for the store to keep in the same
//!   transaction as its key (the same sealed format either way).
//! - The vault holds no metadata: wrapped keys live in the store, so
//!   destroying them (crypto-shredding) and re-wrapping them (key rotation)
//!   never touch a blob.
//! - Files are read once: that one pass feeds MD5, SHA-1, SHA-256, BLAKE3 and
//!   the cipher, so a 4 GiB exhibit never sits in memory.

mod blob;
mod bucket;
mod bucket_location;
mod error;
mod ingest_writer;
mod master_key;
mod multihash;
mod scratch;
mod vault;
mod wrapped_key;

pub use blob::{BlobReader, BLOB_HEADER_LEN};
pub use bucket_location::{BucketLocation, CREDENTIALS_ENV};
pub use error::VaultError;
pub use ingest_writer::IngestWriter;
pub use master_key::MasterKey;
pub use multihash::MultiHasher;
pub use scratch::{Scratch, ScratchWriter};
pub use vault::{LocalBlob, PendingBlob, Placement, SealedBlob, Vault};
pub use wrapped_key::{BlobKey, SlotId, WrappedKey};
