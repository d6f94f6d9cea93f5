//! Fixed-width digests as bytes. Hex is only a presentation: parsing accepts
//! either case, and comparison is always on bytes.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Why a hex digest did not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DigestError {
    #[error("{algo} digest must be {expected} hex characters, got {got}")]
    Length { algo: &'static str, expected: usize, got: usize },
    #[error("{algo} digest contains a non-hex character")]
    NotHex { algo: &'static str },
}

macro_rules! digest_type {
    ($(#[$doc:meta])* $name:ident, $len:expr, $algo:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub [u8; $len]);

        impl $name {
            pub const LEN: usize = $len;
            pub const ALGO: &'static str = $algo;

            pub fn from_hex(s: &str) -> Result<Self, DigestError> {
                if s.len() != $len * 2 {
                    return Err(DigestError::Length { algo: $algo, expected: $len * 2, got: s.len() });
                }
                let mut out = [0u8; $len];
                hex::decode_to_slice(s, &mut out).map_err(|_| DigestError::NotHex { algo: $algo })?;
                Ok($name(out))
            }

            pub fn from_slice(b: &[u8]) -> Result<Self, DigestError> {
                let arr: [u8; $len] = b
                    .try_into()
                    .map_err(|_| DigestError::Length { algo: $algo, expected: $len * 2, got: b.len() * 2 })?;
                Ok($name(arr))
            }

            pub fn to_hex(&self) -> String {
                hex::encode(self.0)
            }

            pub fn as_bytes(&self) -> &[u8; $len] {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.to_hex())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", $algo, self.to_hex())
            }
        }

        impl std::str::FromStr for $name {
            type Err = DigestError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::from_hex(s)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.to_hex())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                crate::parsed_text::deserialize_parsed(d, "a hex digest", Self::from_hex)
            }
        }
    };
}

digest_type!(
    /// An MD5 digest (16 bytes). Kept for matching legacy hash sets, never for integrity.
    Md5Digest, 16, "md5"
);
digest_type!(
    /// A SHA-1 digest (20 bytes). Kept for matching legacy hash sets, never for integrity.
    Sha1Digest, 20, "sha1"
);
digest_type!(
    /// A SHA-256 digest (32 bytes): the vault's content address and the log's hash.
    Sha256Digest, 32, "sha256"
);
digest_type!(
    /// A BLAKE3 digest (32 bytes).
    Blake3Digest, 32, "blake3"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_either_case_and_compares_bytes() {
        let lower = Md5Digest::from_hex("d41d8cd98f00b204e9800998ecf8427e").unwrap();
        let upper = Md5Digest::from_hex("D41D8CD98F00B204E9800998ECF8427E").unwrap();
        assert_eq!(lower, upper);
        assert_eq!(upper.to_hex(), "d41d8cd98f00b204e9800998ecf8427e");
    }

    #[test]
    fn rejects_wrong_length_and_non_hex() {
        assert_eq!(Sha256Digest::from_hex("abcd"), Err(DigestError::Length { algo: "sha256", expected: 64, got: 4 }));
        assert_eq!(Sha1Digest::from_hex(&"zz".repeat(20)), Err(DigestError::NotHex { algo: "sha1" }));
    }
}
