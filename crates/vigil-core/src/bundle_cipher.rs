//! Optional encryption of a bundle's exhibits for transfer: a key from a
//! passphrase the prosecutor receives separately (argon2id, salt in the
//! manifest), and XChaCha20-Poly1305 over 1 MiB chunks whose nonce carries
//! a per-file random prefix, the chunk counter and a final-chunk flag, so
//! chunks cannot be reordered, dropped or cut off unnoticed.

use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;
use zeroize::Zeroizing;

const MAGIC: &[u8; 6] = b"VGXB1\n";
const CHUNK: usize = 1 << 20;
const TAG: usize = 16;

pub(crate) struct BundleKey(Zeroizing<[u8; 32]>);

/// The shortest passphrase a bundle is sealed with, in characters: the
/// passphrase travels apart from the bundle, and an offline guesser has the
/// sealed files for as long as they like.
pub(crate) const MIN_PASSPHRASE_CHARS: usize = 16;

/// Argon2id's costs, recorded in each sealed bundle's manifest so it opens
/// with the costs it was sealed with whatever later versions choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KdfParams {
    /// Memory, in KiB.
    pub memory_kib: u32,
    /// Passes over the memory.
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
}

impl KdfParams {
    /// What new bundles are sealed with: RFC 9106's second recommended
    /// option (64 MiB, 3 passes, 4 lanes), above OWASP's minimum for
    /// argon2id (19 MiB, 2 passes, 1 lane) on every axis.
    pub const CURRENT: KdfParams = KdfParams { memory_kib: 64 * 1024, iterations: 3, parallelism: 4 };
    /// What bundles sealed before the costs were recorded used (the argon2
    /// crate's defaults then): read only, never chosen for a new bundle.
    pub const BEFORE_RECORDED: KdfParams = KdfParams { memory_kib: 19 * 1024, iterations: 2, parallelism: 1 };

    /// Costs a manifest names are bounded, so a forged manifest cannot
    /// make the verifier allocate without limit.
    fn check(&self) -> Result<argon2::Params, String> {
        if self.memory_kib > 4 * 1024 * 1024 || self.iterations > 64 || self.parallelism > 64 {
            return Err(format!("the manifest's argon2id costs are out of bounds: {self:?}"));
        }
        argon2::Params::new(self.memory_kib, self.iterations, self.parallelism, Some(32))
            .map_err(|e| format!("the manifest's argon2id costs are invalid: {e}"))
    }
}

impl BundleKey {
    /// The key for sealing a new bundle: refuses a short passphrase.
    pub fn derive_new(passphrase: &[u8], salt: &[u8; 16], params: KdfParams) -> Result<Self, String> {
        let chars = String::from_utf8_lossy(passphrase).chars().count();
        if chars < MIN_PASSPHRASE_CHARS {
            return Err(format!("the passphrase must be at least {MIN_PASSPHRASE_CHARS} characters"));
        }
        Self::derive(passphrase, salt, params)
    }

    /// The key for opening a bundle, with the costs it was sealed with.
    pub fn derive(passphrase: &[u8], salt: &[u8; 16], params: KdfParams) -> Result<Self, String> {
        let mut k = Zeroizing::new([0u8; 32]);
        argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params.check()?)
            .hash_password_into(passphrase, salt, &mut k[..])
            .map_err(|e| format!("deriving the bundle key: {e}"))?;
        Ok(BundleKey(k))
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new((&*self.0).into())
    }
}

fn nonce(prefix: &[u8; 16], counter: u64, last: bool) -> XNonce {
    let mut n = [0u8; 24];
    n[..16].copy_from_slice(prefix);
    n[16..23].copy_from_slice(&counter.to_be_bytes()[1..]);
    n[23] = u8::from(last);
    n.into()
}

fn read_full(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// Seals bytes as they come into a new file (mode 0600): nothing clear is
/// ever written. One chunk is held back until the next byte arrives, so
/// the last chunk is known when it is sealed.
pub(crate) struct Sealer {
    output: File,
    prefix: [u8; 16],
    cipher: XChaCha20Poly1305,
    buf: Vec<u8>,
    counter: u64,
}

impl Sealer {
    pub(crate) fn create(out: &Path, key: &BundleKey) -> std::io::Result<Self> {
        use std::os::unix::fs::OpenOptionsExt;
        let mut prefix = [0u8; 16];
        getrandom::getrandom(&mut prefix).map_err(|e| std::io::Error::other(e.to_string()))?;
        let mut output = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(out)?;
        output.write_all(MAGIC)?;
        output.write_all(&prefix)?;
        Ok(Sealer { output, prefix, cipher: key.cipher(), buf: Vec::with_capacity(CHUNK), counter: 0 })
    }

    fn emit(&mut self, last: bool) -> std::io::Result<()> {
        let sealed = self
            .cipher
            .encrypt(&nonce(&self.prefix, self.counter, last), &self.buf[..])
            .map_err(|_| std::io::Error::other("encryption failed"))?;
        self.output.write_all(&sealed)?;
        self.buf.clear();
        self.counter += 1;
        Ok(())
    }

    pub(crate) fn push(&mut self, mut data: &[u8]) -> std::io::Result<()> {
        while !data.is_empty() {
            if self.buf.len() == CHUNK {
                self.emit(false)?;
            }
            let take = (CHUNK - self.buf.len()).min(data.len());
            self.buf.extend_from_slice(&data[..take]);
            data = &data[take..];
        }
        Ok(())
    }

    /// Seals the final chunk (empty for empty content) and syncs the file.
    pub(crate) fn finish(mut self) -> std::io::Result<()> {
        self.emit(true)?;
        self.output.sync_all()
    }
}

/// Decrypts a sealed file as a stream and returns the clear size and SHA-256.
pub(crate) fn open_and_hash(sealed: &Path, key: &BundleKey) -> Result<(u64, String), String> {
    let mut input = File::open(sealed).map_err(|e| e.to_string())?;
    let mut head = [0u8; 22];
    if read_full(&mut input, &mut head).map_err(|e| e.to_string())? != 22 || &head[..6] != MAGIC {
        return Err("not a Vigil sealed file".into());
    }
    let prefix: [u8; 16] = head[6..].try_into().expect("16 bytes");
    let c = key.cipher();
    let mut h = Sha256::new();
    let mut size = 0u64;
    let mut buf = vec![0u8; CHUNK + TAG];
    let mut next = vec![0u8; CHUNK + TAG];
    let mut n = read_full(&mut input, &mut buf).map_err(|e| e.to_string())?;
    let mut counter = 0u64;
    loop {
        let m = if n == CHUNK + TAG { read_full(&mut input, &mut next).map_err(|e| e.to_string())? } else { 0 };
        let last = m == 0;
        let clear = c
            .decrypt(&nonce(&prefix, counter, last), &buf[..n])
            .map_err(|_| format!("chunk {counter} does not decrypt (wrong passphrase, or altered or cut)"))?;
        h.update(&clear);
        size += clear.len() as u64;
        if last {
            break;
        }
        std::mem::swap(&mut buf, &mut next);
        n = m;
        counter += 1;
    }
    Ok((size, hex::encode(h.finalize())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_tamper_detection() {
        let d = tempfile::tempdir().unwrap();
        let key = BundleKey::derive_new(b"a long enough passphrase", &[7u8; 16], KdfParams::CURRENT).unwrap();
        for size in [0usize, 5, CHUNK, CHUNK + 1, 2 * CHUNK + 17] {
            let clear: Vec<u8> = (0..size).map(|i| (i * 31 % 251) as u8).collect();
            let s = d.path().join("s");
            let _ = std::fs::remove_file(&s);
            let mut sealer = Sealer::create(&s, &key).unwrap();
            // Pushed in uneven pieces, as a vault reader hands them over.
            for piece in clear.chunks(CHUNK / 3 + 7) {
                sealer.push(piece).unwrap();
            }
            sealer.finish().unwrap();
            let (n, sha) = open_and_hash(&s, &key).unwrap();
            assert_eq!((n, sha), (size as u64, hex::encode(Sha256::digest(&clear))), "size {size}");
            let wrong = BundleKey::derive(b"another long passphrase", &[7u8; 16], KdfParams::CURRENT).unwrap();
            assert!(open_and_hash(&s, &wrong).is_err());
            let mut bytes = std::fs::read(&s).unwrap();
            if bytes.len() > 30 {
                bytes.truncate(bytes.len() - TAG - 1);
                std::fs::write(&s, &bytes).unwrap();
                assert!(open_and_hash(&s, &key).is_err(), "a cut file fails");
            }
        }
        assert!(BundleKey::derive_new(b"twelve chars", &[0u8; 16], KdfParams::CURRENT).is_err());
        let huge = KdfParams { memory_kib: u32::MAX, iterations: 1, parallelism: 1 };
        assert!(BundleKey::derive(b"a long enough passphrase", &[0u8; 16], huge).is_err());
    }
}
