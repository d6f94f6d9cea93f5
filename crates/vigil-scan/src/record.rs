//! What a scan finds, per file and in total.

use crate::algo::Digests;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRecord {
    /// The path as bytes: the file's own path, or `archive!member`.
    #[serde(with = "hexbytes")]
    pub path: Vec<u8>,
    pub size: u64,
    #[serde(flatten)]
    pub digests: Digests,
    /// Why the file could not be hashed, if it could not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// True for a member inside an archive.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub member: bool,
    /// PDQ of an image file, when the scan computes PDQ.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pdq: Option<PdqRecord>,
}

/// An image's PDQ: its hash, quality and 8 dihedral hashes (hex), or why it
/// could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PdqRecord {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
    pub quality: u32,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dihedral: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

mod hexbytes {
    use serde::{Deserialize, Deserializer, Serializer};
    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(v))
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        hex::decode(String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// A file's match against the selected hash sets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MatchResult {
    pub set: String,
    /// `A`, `B`, `C`, `other` or `known-good`.
    pub category: String,
    /// For a PDQ (perceptual) match, the Hamming distance; absent for an exact digest match.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pdq_distance: Option<u32>,
}

/// Counts and paths only: never content.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ScanSummary {
    pub files: u64,
    pub archive_members: u64,
    pub bytes: u64,
    pub unhashable: u64,
    pub known_good: u64,
    pub known_bad: u64,
    pub known_bad_by_category: BTreeMap<String, u64>,
    /// Escaped paths of known-bad matches, with category and set.
    pub known_bad_paths: Vec<(String, String, String)>,
    /// Escaped paths that could not be hashed, with the reason.
    pub unhashable_paths: Vec<(String, String)>,
    /// Images given a PDQ hash, and those whose quality was too low to match.
    pub pdq_hashed: u64,
    pub pdq_low_quality: u64,
}
