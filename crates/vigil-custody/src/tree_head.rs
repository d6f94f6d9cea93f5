//! Signed tree heads: the log's size and root at a moment, signed with the
//! log's Ed25519 key. A verifier trusts nothing in the log but these.

use crate::merkle::Hash;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use vigil_domain::Timestamp;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TreeHeadError {
    #[error("signature does not verify under the log's public key")]
    BadSignature,
    #[error("malformed {0}")]
    Malformed(&'static str),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TreeHead {
    pub tree_size: u64,
    pub root: Hash,
    pub timestamp: Timestamp,
}

impl TreeHead {
    /// The exact bytes signed. A fixed domain label keeps the signature from
    /// being valid for any other message this key might ever sign.
    pub fn signing_bytes(&self) -> Vec<u8> {
        let mut m = Vec::with_capacity(24 + 8 + 8 + 32);
        m.extend_from_slice(b"vigil-tree-head-v1\0");
        m.extend_from_slice(&self.tree_size.to_be_bytes());
        m.extend_from_slice(&self.timestamp.unix_millis().to_be_bytes());
        m.extend_from_slice(&self.root);
        m
    }

    pub fn sign(self, key: &SigningKey) -> SignedTreeHead {
        let sig = key.sign(&self.signing_bytes());
        SignedTreeHead { head: self, signature: sig.to_bytes() }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignedTreeHead {
    pub head: TreeHead,
    pub signature: [u8; 64],
}

impl SignedTreeHead {
    pub fn verify(&self, key: &VerifyingKey) -> Result<(), TreeHeadError> {
        let sig = Signature::from_bytes(&self.signature);
        key.verify_strict(&self.head.signing_bytes(), &sig).map_err(|_| TreeHeadError::BadSignature)
    }
}

/// The JSON shape of a signed head, used in exports and `--json` output.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SignedTreeHeadJson {
    tree_size: u64,
    root: String,
    timestamp: Timestamp,
    signature: String,
}

impl Serialize for SignedTreeHead {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        SignedTreeHeadJson {
            tree_size: self.head.tree_size,
            root: hex::encode(self.head.root),
            timestamp: self.head.timestamp,
            signature: hex::encode(self.signature),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for SignedTreeHead {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let j = SignedTreeHeadJson::deserialize(d)?;
        let mut root = [0u8; 32];
        hex::decode_to_slice(&j.root, &mut root).map_err(|_| D::Error::custom("root must be 64 hex characters"))?;
        let mut signature = [0u8; 64];
        hex::decode_to_slice(&j.signature, &mut signature)
            .map_err(|_| D::Error::custom("signature must be 128 hex characters"))?;
        Ok(SignedTreeHead { head: TreeHead { tree_size: j.tree_size, root, timestamp: j.timestamp }, signature })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_verify_and_detect_any_change() {
        let key = SigningKey::from_bytes(&[7u8; 32]);
        let sth = TreeHead { tree_size: 5, root: [9u8; 32], timestamp: Timestamp(1000) }.sign(&key);
        sth.verify(&key.verifying_key()).unwrap();
        let mut t = sth;
        t.head.tree_size = 6;
        assert!(t.verify(&key.verifying_key()).is_err());
        let mut t = sth;
        t.head.root[0] ^= 1;
        assert!(t.verify(&key.verifying_key()).is_err());
        let mut t = sth;
        t.signature[10] ^= 1;
        assert!(t.verify(&key.verifying_key()).is_err());
        let other = SigningKey::from_bytes(&[8u8; 32]);
        assert!(sth.verify(&other.verifying_key()).is_err());
    }
}
