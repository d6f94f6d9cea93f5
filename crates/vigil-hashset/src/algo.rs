//! The digest algorithms a hash set can hold.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HashAlgo {
    Md5,
    Sha1,
    Sha256,
    Blake3,
}

impl HashAlgo {
    pub const ALL: [HashAlgo; 4] = [HashAlgo::Md5, HashAlgo::Sha1, HashAlgo::Sha256, HashAlgo::Blake3];

    pub fn width(self) -> usize {
        match self {
            HashAlgo::Md5 => 16,
            HashAlgo::Sha1 => 20,
            HashAlgo::Sha256 | HashAlgo::Blake3 => 32,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            HashAlgo::Md5 => "md5",
            HashAlgo::Sha1 => "sha1",
            HashAlgo::Sha256 => "sha256",
            HashAlgo::Blake3 => "blake3",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        HashAlgo::ALL.into_iter().find(|a| {
            a.name().eq_ignore_ascii_case(s)
                || (s.eq_ignore_ascii_case("sha-1") && *a == HashAlgo::Sha1)
                || (s.eq_ignore_ascii_case("sha-256") && *a == HashAlgo::Sha256)
        })
    }

    /// Guesses the algorithm of a hex digest by its length (BLAKE3 and
    /// SHA-256 share a length; SHA-256 is assumed, as every list format does).
    pub fn by_hex_len(len: usize) -> Option<Self> {
        match len {
            32 => Some(HashAlgo::Md5),
            40 => Some(HashAlgo::Sha1),
            64 => Some(HashAlgo::Sha256),
            _ => None,
        }
    }

    /// Decodes hex of either case into bytes of this algorithm's width.
    pub fn decode(self, hex_text: &str) -> Option<Vec<u8>> {
        let t = hex_text.trim();
        if t.len() != self.width() * 2 {
            return None;
        }
        hex::decode(t).ok()
    }
}

impl fmt::Display for HashAlgo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
