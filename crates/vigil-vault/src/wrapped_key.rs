//! Per-blob keys and their wrapped (master-key-encrypted) form.

use crate::error::VaultError;
use crate::master_key::MasterKey;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use vigil_domain::Sha256Digest;
use zeroize::Zeroizing;

/// Names one written copy of a blob. Two writers racing on the same content
/// each get a slot; the blob file's header says whose bytes won, so the key
/// that opens it can always be found.
pub type SlotId = [u8; 16];

pub struct BlobKey(pub(crate) Zeroizing<[u8; 32]>);

impl BlobKey {
    pub fn generate() -> Self {
        let mut k = Zeroizing::new([0u8; 32]);
        getrandom::getrandom(&mut k[..]).expect("the OS random source is available");
        BlobKey(k)
    }
}

/// A blob key encrypted under a master key, as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrappedKey {
    pub sha256: Sha256Digest,
    pub slot: SlotId,
    pub master_key_id: String,
    pub nonce: [u8; 24],
    pub wrapped: Vec<u8>,
}

fn aad(sha256: &Sha256Digest, slot: &SlotId) -> Vec<u8> {
    // Binding the address and slot stops a wrapped key being moved to another blob.
    let mut a = b"vigil blob key v1".to_vec();
    a.extend_from_slice(sha256.as_bytes());
    a.extend_from_slice(slot);
    a
}

impl WrappedKey {
    pub fn wrap(key: &BlobKey, sha256: Sha256Digest, slot: SlotId, master: &MasterKey) -> Self {
        let mut nonce = [0u8; 24];
        getrandom::getrandom(&mut nonce).expect("the OS random source is available");
        let cipher = XChaCha20Poly1305::new(master.bytes().into());
        let wrapped = cipher
            .encrypt(XNonce::from_slice(&nonce), Payload { msg: &key.0[..], aad: &aad(&sha256, &slot) })
            .expect("encrypting 32 bytes cannot fail");
        WrappedKey { sha256, slot, master_key_id: master.id().to_owned(), nonce, wrapped }
    }

    pub fn unwrap_with(&self, master: &MasterKey) -> Result<BlobKey, VaultError> {
        let fail = || VaultError::Unwrap { sha256: self.sha256, master_id: self.master_key_id.clone() };
        if master.id() != self.master_key_id {
            return Err(fail());
        }
        let cipher = XChaCha20Poly1305::new(master.bytes().into());
        let plain = Zeroizing::new(
            cipher
                .decrypt(
                    XNonce::from_slice(&self.nonce),
                    Payload { msg: &self.wrapped, aad: &aad(&self.sha256, &self.slot) },
                )
                .map_err(|_| fail())?,
        );
        let arr: [u8; 32] = plain.as_slice().try_into().map_err(|_| fail())?;
        Ok(BlobKey(Zeroizing::new(arr)))
    }

    /// Re-wraps under a new master key; the blob itself is untouched.
    pub fn rewrap(&self, old: &MasterKey, new: &MasterKey) -> Result<Self, VaultError> {
        let key = self.unwrap_with(old)?;
        Ok(WrappedKey::wrap(&key, self.sha256, self.slot, new))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_unwrap_rewrap() {
        let (m1, m2) = (MasterKey::generate(), MasterKey::generate());
        let k = BlobKey::generate();
        let sha = Sha256Digest([3; 32]);
        let w = WrappedKey::wrap(&k, sha, [1; 16], &m1);
        assert_eq!(w.unwrap_with(&m1).unwrap().0[..], k.0[..]);
        assert!(matches!(w.unwrap_with(&m2), Err(VaultError::Unwrap { .. })));
        let w2 = w.rewrap(&m1, &m2).unwrap();
        assert_eq!(w2.unwrap_with(&m2).unwrap().0[..], k.0[..]);
        let mut moved = w.clone();
        moved.sha256 = Sha256Digest([4; 32]);
        assert!(moved.unwrap_with(&m1).is_err(), "a key moved to another blob must not open");
    }
}
