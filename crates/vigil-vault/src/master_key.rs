//! The master key that wraps every blob key. It lives in a 0600 file and is
//! never printed; its ID (a one-way derivative) is what logs and errors show.

use crate::error::VaultError;
use std::path::Path;
use zeroize::Zeroizing;

/// Cloned only to let an upload be sealed without holding the store; the
/// key bytes stay in zeroizing memory.
#[derive(Clone)]
pub struct MasterKey {
    id: String,
    key: Zeroizing<[u8; 32]>,
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MasterKey({})", self.id)
    }
}

impl MasterKey {
    pub fn generate() -> Self {
        let mut key = Zeroizing::new([0u8; 32]);
        getrandom::getrandom(&mut key[..]).expect("the OS random source is available");
        Self::from_bytes(key)
    }

    fn from_bytes(key: Zeroizing<[u8; 32]>) -> Self {
        let d = blake3::derive_key("vigil 2026-11 master key id", &key[..]);
        MasterKey { id: hex::encode(&d[..8]), key }
    }

    /// The key's public name: 16 hex characters derived one-way from the key.
    pub fn id(&self) -> &str {
        &self.id
    }

    pub(crate) fn bytes(&self) -> &[u8; 32] {
        &self.key
    }

    /// Encrypts a small secret (such as an officer's TOTP seed) under this
    /// master key: `nonce (24) ‖ ciphertext ‖ tag`, bound to `context`.
    /// A key for another purpose, derived from this one (BLAKE3's key
    /// derivation under `context`): every node holding the master key
    /// derives the same, and none of them can get back to the master key.
    pub fn derive(&self, context: &str) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(blake3::derive_key(context, &self.key[..]))
    }

    pub fn seal_small(&self, context: &[u8], plain: &[u8]) -> Vec<u8> {
        use chacha20poly1305::aead::{Aead, KeyInit, Payload};
        let mut nonce = [0u8; 24];
        getrandom::getrandom(&mut nonce).expect("the OS random source is available");
        let cipher = chacha20poly1305::XChaCha20Poly1305::new(self.bytes().into());
        let ct = cipher
            .encrypt(chacha20poly1305::XNonce::from_slice(&nonce), Payload { msg: plain, aad: context })
            .expect("encrypting a small secret cannot fail");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        out
    }

    /// Opens what [`seal_small`](Self::seal_small) made; `None` if the key,
    /// the context or the bytes are wrong.
    pub fn open_small(&self, context: &[u8], sealed: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        use chacha20poly1305::aead::{Aead, KeyInit, Payload};
        if sealed.len() < 24 + 16 {
            return None;
        }
        let cipher = chacha20poly1305::XChaCha20Poly1305::new(self.bytes().into());
        cipher
            .decrypt(chacha20poly1305::XNonce::from_slice(&sealed[..24]), Payload { msg: &sealed[24..], aad: context })
            .ok()
            .map(Zeroizing::new)
    }

    /// The file form: 64 hex characters and a newline.
    pub fn to_file_text(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("{}\n", hex::encode(&self.key[..])))
    }

    pub fn load(path: &Path) -> Result<Self, VaultError> {
        let bad = |why: &str| VaultError::MasterKey { path: path.to_owned(), why: why.to_owned() };
        let meta = std::fs::metadata(path).map_err(|e| bad(&e.to_string()))?;
        if !meta.is_file() {
            return Err(bad("is not a regular file"));
        }
        if meta.len() > 1024 {
            return Err(bad("is too large to be a master key"));
        }
        let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|e| bad(&e.to_string()))?);
        let hexed = text.trim();
        let mut key = Zeroizing::new([0u8; 32]);
        if hexed.len() != 64 || hex::decode_to_slice(hexed, &mut key[..]).is_err() {
            return Err(bad("must hold 64 hex characters"));
        }
        Ok(Self::from_bytes(key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_round_trip_keeps_the_id() {
        let dir = tempfile::tempdir().unwrap();
        let k = MasterKey::generate();
        let p = dir.path().join("m.key");
        std::fs::write(&p, k.to_file_text().as_bytes()).unwrap();
        let back = MasterKey::load(&p).unwrap();
        assert_eq!(back.id(), k.id());
        std::fs::write(&p, "not a key").unwrap();
        assert!(MasterKey::load(&p).unwrap_err().to_string().contains("64 hex"));
    }

    #[test]
    fn small_secrets_seal_to_their_key_and_context() {
        let (k, other) = (MasterKey::generate(), MasterKey::generate());
        let sealed = k.seal_small(b"totp:jsmith", b"seed bytes");
        assert_eq!(&k.open_small(b"totp:jsmith", &sealed).unwrap()[..], b"seed bytes");
        assert!(k.open_small(b"totp:other", &sealed).is_none(), "bound to its context");
        assert!(other.open_small(b"totp:jsmith", &sealed).is_none(), "bound to its key");
        assert!(k.open_small(b"totp:jsmith", &sealed[..10]).is_none());
    }

    #[test]
    fn debug_never_shows_the_key() {
        let k = MasterKey::generate();
        let shown = format!("{k:?}");
        assert!(!shown.contains(&hex::encode(&k.bytes()[..4])));
    }
}
