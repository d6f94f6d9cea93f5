//! The blob file format: a 42-byte header, then the content in 1 MiB chunks,
//! each sealed with XChaCha20-Poly1305.
//!
//! ```text
//! "VIGILBLB" | version=1 | chunk_log2 | slot (16) | nonce prefix (16) | chunk…
//! chunk i = ciphertext ‖ tag, nonce = prefix ‖ i (u64 big-endian),
//!           associated data = header ‖ final-flag
//! ```
//! The counter in the nonce stops chunks being reordered; the final flag in
//! the associated data stops a blob being cut short at a chunk boundary.

use crate::error::VaultError;
use crate::wrapped_key::{BlobKey, SlotId};
use chacha20poly1305::aead::{AeadInPlace, KeyInit};
use chacha20poly1305::{Tag, XChaCha20Poly1305, XNonce};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use vigil_domain::Sha256Digest;

pub const BLOB_HEADER_LEN: usize = 42;
const MAGIC: &[u8; 8] = b"VIGILBLB";
const VERSION: u8 = 1;
pub(crate) const CHUNK_LOG2: u8 = 20;
pub(crate) const CHUNK: usize = 1 << CHUNK_LOG2;
const TAG: usize = 16;

fn nonce(prefix: &[u8; 16], index: u64) -> XNonce {
    let mut n = [0u8; 24];
    n[..16].copy_from_slice(prefix);
    n[16..].copy_from_slice(&index.to_be_bytes());
    *XNonce::from_slice(&n)
}

fn aad(header: &[u8; BLOB_HEADER_LEN], last: bool) -> [u8; BLOB_HEADER_LEN + 1] {
    let mut a = [0u8; BLOB_HEADER_LEN + 1];
    a[..BLOB_HEADER_LEN].copy_from_slice(header);
    a[BLOB_HEADER_LEN] = u8::from(last);
    a
}

pub(crate) struct Sealer {
    cipher: XChaCha20Poly1305,
    header: [u8; BLOB_HEADER_LEN],
    prefix: [u8; 16],
    index: u64,
}

impl Sealer {
    pub(crate) fn new(key: &BlobKey, slot: SlotId) -> Self {
        let mut prefix = [0u8; 16];
        getrandom::getrandom(&mut prefix).expect("the OS random source is available");
        let mut header = [0u8; BLOB_HEADER_LEN];
        header[..8].copy_from_slice(MAGIC);
        header[8] = VERSION;
        header[9] = CHUNK_LOG2;
        header[10..26].copy_from_slice(&slot);
        header[26..42].copy_from_slice(&prefix);
        Sealer { cipher: XChaCha20Poly1305::new((&*key.0).into()), header, prefix, index: 0 }
    }

    pub(crate) fn header(&self) -> &[u8; BLOB_HEADER_LEN] {
        &self.header
    }

    /// Appends the sealed form of `plain` (at most one chunk) to `out`.
    pub(crate) fn seal(&mut self, plain: &[u8], last: bool, out: &mut Vec<u8>) {
        debug_assert!(plain.len() <= CHUNK);
        let start = out.len();
        out.extend_from_slice(plain);
        let tag = self
            .cipher
            .encrypt_in_place_detached(&nonce(&self.prefix, self.index), &aad(&self.header, last), &mut out[start..])
            .expect("a chunk is far below the cipher's length limit");
        out.extend_from_slice(&tag);
        self.index += 1;
    }
}

/// Content pushed in pieces of any size, sealed chunk by chunk into `to`:
/// a full chunk is held until more follows, since the last is sealed
/// differently. Starts with the header.
pub(crate) struct PushSealer {
    sealer: Sealer,
    carry: Vec<u8>,
    out: Vec<u8>,
}

impl PushSealer {
    pub(crate) fn new(key: &BlobKey, slot: SlotId) -> Self {
        let sealer = Sealer::new(key, slot);
        let out = sealer.header().to_vec();
        PushSealer { sealer, carry: Vec::with_capacity(CHUNK), out }
    }

    /// Seals every full chunk of `data` but the last, writing what is sealed.
    pub(crate) fn push(&mut self, mut data: &[u8], to: &mut impl std::io::Write) -> std::io::Result<()> {
        while !data.is_empty() {
            if self.carry.len() == CHUNK {
                // More follows, so the held chunk was not the last.
                self.sealer.seal(&self.carry, false, &mut self.out);
                self.carry.clear();
            }
            let take = (CHUNK - self.carry.len()).min(data.len());
            self.carry.extend_from_slice(&data[..take]);
            data = &data[take..];
        }
        self.write_out(to)
    }

    /// Seals the last chunk and writes it.
    pub(crate) fn finish(mut self, to: &mut impl std::io::Write) -> std::io::Result<()> {
        let last = std::mem::take(&mut self.carry);
        self.sealer.seal(&last, true, &mut self.out);
        self.write_out(to)
    }

    fn write_out(&mut self, to: &mut impl std::io::Write) -> std::io::Result<()> {
        if !self.out.is_empty() {
            to.write_all(&self.out)?;
            self.out.clear();
        }
        Ok(())
    }
}

/// Reads the slot named in a blob's header, without needing its key.
pub(crate) fn read_slot(path: &Path) -> std::io::Result<Option<SlotId>> {
    let mut f = File::open(path)?;
    let mut h = [0u8; BLOB_HEADER_LEN];
    if f.read_exact(&mut h).is_err() || &h[..8] != MAGIC {
        return Ok(None);
    }
    Ok(Some(h[10..26].try_into().expect("16 bytes")))
}

/// Where a blob's sealed bytes are read from: its file in the vault, or
/// the bytes themselves where the store keeps a small blob.
enum Sealed {
    File(File),
    Memory(std::io::Cursor<Vec<u8>>),
    Object(crate::bucket::ObjectReader),
}

impl Read for Sealed {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Sealed::File(f) => f.read(buf),
            Sealed::Memory(m) => m.read(buf),
            Sealed::Object(o) => o.read(buf),
        }
    }
}

impl Seek for Sealed {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        match self {
            Sealed::File(f) => f.seek(to),
            Sealed::Memory(m) => m.seek(to),
            Sealed::Object(o) => o.seek(to),
        }
    }
}

/// The slot named in a sealed blob's header, if it is a Vigil blob.
pub(crate) fn slot_of(sealed: &[u8]) -> Option<SlotId> {
    (sealed.len() >= BLOB_HEADER_LEN && &sealed[..8] == MAGIC).then(|| sealed[10..26].try_into().expect("16 bytes"))
}

/// Seals `plain` whole, in memory: the same format as a blob file.
pub(crate) fn seal_all(key: &BlobKey, slot: SlotId, plain: &[u8]) -> Vec<u8> {
    let mut sealer = Sealer::new(key, slot);
    let chunks = plain.len().div_ceil(CHUNK).max(1);
    let mut out = Vec::with_capacity(BLOB_HEADER_LEN + plain.len() + chunks * TAG);
    out.extend_from_slice(sealer.header());
    if plain.is_empty() {
        sealer.seal(&[], true, &mut out);
    }
    let mut pieces = plain.chunks(CHUNK).peekable();
    while let Some(piece) = pieces.next() {
        sealer.seal(piece, pieces.peek().is_none(), &mut out);
    }
    out
}

/// Decrypts a blob chunk by chunk, checking each chunk's tag.
pub struct BlobReader {
    sha256: Sha256Digest,
    file: Sealed,
    cipher: XChaCha20Poly1305,
    header: [u8; BLOB_HEADER_LEN],
    prefix: [u8; 16],
    chunks: u64,
    last_len: usize,
    index: u64,
    buf: Vec<u8>,
    pos: usize,
}

impl BlobReader {
    pub(crate) fn open(path: &Path, sha256: Sha256Digest, key: &BlobKey) -> Result<Self, VaultError> {
        let mut file = File::open(path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                VaultError::Missing { sha256 }
            } else {
                VaultError::Io { path: path.to_owned(), source: e }
            }
        })?;
        let len = file.seek(SeekFrom::End(0)).map_err(VaultError::io(path))?;
        file.seek(SeekFrom::Start(0)).map_err(VaultError::io(path))?;
        Self::start(Sealed::File(file), len, sha256, key)
    }

    /// Reads sealed bytes from an open file (a scratch file), from its start.
    pub(crate) fn from_file(mut file: File, sha256: Sha256Digest, key: &BlobKey) -> Result<Self, VaultError> {
        let corrupt = |_| VaultError::Corrupt { sha256, why: "the scratch file cannot be read".into() };
        let len = file.seek(SeekFrom::End(0)).map_err(corrupt)?;
        file.seek(SeekFrom::Start(0)).map_err(corrupt)?;
        Self::start(Sealed::File(file), len, sha256, key)
    }

    /// Reads a blob whose sealed bytes are in memory.
    pub(crate) fn from_sealed(sealed: Vec<u8>, sha256: Sha256Digest, key: &BlobKey) -> Result<Self, VaultError> {
        let len = sealed.len() as u64;
        Self::start(Sealed::Memory(std::io::Cursor::new(sealed)), len, sha256, key)
    }

    /// Reads a blob from its object in a bucket, streamed.
    pub(crate) fn from_object(
        object: crate::bucket::ObjectReader,
        sha256: Sha256Digest,
        key: &BlobKey,
    ) -> Result<Self, VaultError> {
        let len = object.len();
        Self::start(Sealed::Object(object), len, sha256, key)
    }

    fn start(mut file: Sealed, len: u64, sha256: Sha256Digest, key: &BlobKey) -> Result<Self, VaultError> {
        let corrupt = |why: &str| VaultError::Corrupt { sha256, why: why.to_owned() };
        let mut header = [0u8; BLOB_HEADER_LEN];
        file.read_exact(&mut header).map_err(|_| corrupt("the header is cut short"))?;
        if &header[..8] != MAGIC {
            return Err(corrupt("the header's magic bytes are wrong"));
        }
        if header[8] != VERSION || header[9] != CHUNK_LOG2 {
            return Err(corrupt("unknown blob format version or chunk size"));
        }
        let body = len.saturating_sub(BLOB_HEADER_LEN as u64);
        let sealed = (CHUNK + TAG) as u64;
        let chunks = body.div_ceil(sealed).max(1);
        let last_len = body - (chunks - 1) * sealed;
        if last_len < TAG as u64 {
            return Err(corrupt("the last chunk is cut short"));
        }
        Ok(BlobReader {
            sha256,
            file,
            cipher: XChaCha20Poly1305::new((&*key.0).into()),
            prefix: header[26..42].try_into().expect("16 bytes"),
            header,
            chunks,
            last_len: last_len as usize,
            index: 0,
            buf: Vec::with_capacity(CHUNK + TAG),
            pos: 0,
        })
    }

    /// Moves to the clear byte `offset`, decrypting (and checking) only the
    /// chunk that holds it: what follows is read from there. Each chunk's
    /// tag is bound to its place and to whether it is the last, so a part
    /// read this way is as authentic as a whole read, though only a whole
    /// read checks the content's SHA-256.
    pub fn seek_to(&mut self, offset: u64) -> Result<(), VaultError> {
        let index = offset >> CHUNK_LOG2;
        let sha256 = self.sha256;
        if index >= self.chunks {
            self.index = self.chunks;
            self.buf.clear();
            return Ok(());
        }
        let at = BLOB_HEADER_LEN as u64 + index * (CHUNK + TAG) as u64;
        self.file
            .seek(SeekFrom::Start(at))
            .map_err(|_| VaultError::Corrupt { sha256, why: "the file cannot be read at a chunk".into() })?;
        self.index = index;
        self.next_chunk()?;
        self.pos = (offset & (CHUNK as u64 - 1)) as usize;
        Ok(())
    }

    /// The next decrypted chunk, or `None` after the last one.
    pub fn next_chunk(&mut self) -> Result<Option<&[u8]>, VaultError> {
        if self.index >= self.chunks {
            return Ok(None);
        }
        let last = self.index + 1 == self.chunks;
        let n = if last { self.last_len } else { CHUNK + TAG };
        self.buf.resize(n, 0);
        let sha256 = self.sha256;
        self.file.read_exact(&mut self.buf).map_err(|e| match e.kind() {
            std::io::ErrorKind::UnexpectedEof => VaultError::Corrupt { sha256, why: "the file ended early".into() },
            // A bucket that stops answering is no sign of tampering.
            _ => VaultError::Unreadable { sha256, why: e.to_string() },
        })?;
        let (body, tag) = self.buf.split_at_mut(n - TAG);
        let tag = Tag::clone_from_slice(tag);
        self.cipher
            .decrypt_in_place_detached(&nonce(&self.prefix, self.index), &aad(&self.header, last), body, &tag)
            .map_err(|_| VaultError::Tampered { sha256, chunk: self.index })?;
        self.index += 1;
        self.pos = 0;
        Ok(Some(&self.buf[..n - TAG]))
    }
}

impl Read for BlobReader {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        loop {
            let have = self.buf.len().saturating_sub(TAG);
            if self.index > 0 && self.pos < have {
                let n = out.len().min(have - self.pos);
                out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
                self.pos += n;
                return Ok(n);
            }
            match self.next_chunk() {
                Ok(Some(_)) => continue,
                Ok(None) => return Ok(0),
                Err(e) => return Err(std::io::Error::other(e)),
            }
        }
    }
}
