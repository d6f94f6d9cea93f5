//! The custody log's mathematics, with no storage: leaves in a canonical
//! encoding, the RFC 9162 Merkle tree (leaf and node hashing, inclusion and
//! consistency proofs), Ed25519-signed tree heads, and a streaming checker
//! that both `vigil verify` and the offline export verifier drive.
//!
//! Architecture invariant: this crate knows nothing of databases or files
//! except the export format it reads and writes through `std::io` traits.

mod checker;
mod export;
mod frontier;
mod leaf;
mod merkle;
mod proof;
mod stop_on_panic;
mod tree_head;

pub use checker::{prepare_leaf, LogChecker, LogError, PreparedLeaf};
pub use export::{verify_export, ExportHeader, ExportLine, ExportSummary, ExportWriter, EXPORT_FORMAT};
pub use frontier::Frontier;
pub use leaf::{decode_leaf, encode_leaf, LeafError, LEAF_VERSION};
pub use merkle::{empty_root, leaf_hash, node_hash, root_of, Hash};
pub use proof::{consistency_proof, inclusion_proof, verify_consistency, verify_inclusion, ProofError};
pub use stop_on_panic::StopOnPanic;
pub use tree_head::{SignedTreeHead, TreeHead, TreeHeadError};

pub use ed25519_dalek::{SigningKey, VerifyingKey};
