//! The vault: sealed content in the folder's `blobs/ab/<sha256>`, or in a
//! bucket (see [`crate::bucket`]); `tmp/` in the folder for writes in
//! progress either way, so bytes are sealed on this node before they leave it.

use crate::blob::{read_slot, seal_all, slot_of, BlobReader, Sealer, CHUNK};
use crate::error::VaultError;
use crate::master_key::MasterKey;
use crate::multihash::MultiHasher;
use crate::wrapped_key::{BlobKey, SlotId, WrappedKey};
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use vigil_domain::{FileHashes, Sha256Digest};

/// Bytes read from the input at a time: four cipher chunks, so the second
/// core has enough hashing to do per hand-off.
const BATCH: usize = 4 * CHUNK;

#[derive(Clone)]
pub struct Vault {
    root: PathBuf,
    /// Where blobs live when not in the folder.
    bucket: Option<std::sync::Arc<crate::bucket::Bucket>>,
}

/// A sealed blob file in a folder vault, as `vault migrate` finds it.
#[derive(Debug, Clone)]
pub struct LocalBlob {
    pub sha256: Sha256Digest,
    pub slot: SlotId,
    pub size: u64,
}

/// Small content hashed and sealed in memory, for the store to keep in the
/// same transaction as its key and its exhibit (no file, no fsync of its own).
#[derive(Debug, Clone)]
pub struct SealedBlob {
    pub hashes: FileHashes,
    pub wrapped: WrappedKey,
    pub sealed: Vec<u8>,
}

/// Content hashed and sealed into a temp file, not yet in place.
#[derive(Debug)]
pub struct PendingBlob {
    pub hashes: FileHashes,
    pub wrapped: WrappedKey,
    temp: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// This write's bytes are now the blob.
    Written,
    /// A readable copy of the same content was already there; this write was dropped.
    AlreadyPresent,
}

fn sync_dir(dir: &Path) -> Result<(), VaultError> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(VaultError::io(dir))
}

/// Fills `buf` as far as the input goes; short only at its end.
pub(crate) fn read_full(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

impl PendingBlob {
    pub(crate) fn new(hashes: FileHashes, wrapped: WrappedKey, temp: PathBuf) -> Self {
        PendingBlob { hashes, wrapped, temp }
    }
}

impl Vault {
    /// Starts sealing content that will be pushed in pieces (see
    /// [`crate::IngestWriter`]).
    pub fn ingest_writer(&self, master: &MasterKey) -> Result<crate::IngestWriter, VaultError> {
        crate::IngestWriter::start(self.root.join("tmp"), master)
    }

    /// Starts scratch space sealed under a key held only in memory (see
    /// [`crate::Scratch`]).
    pub fn scratch(&self) -> Result<crate::ScratchWriter, VaultError> {
        crate::ScratchWriter::start(&self.root.join("tmp"))
    }

    /// A vault whose blobs are in the folder `root`.
    pub fn open(root: &Path) -> Result<Self, VaultError> {
        for d in [root.join("blobs"), root.join("tmp")] {
            fs::create_dir_all(&d).map_err(VaultError::io(&d))?;
        }
        Ok(Vault { root: root.to_owned(), bucket: None })
    }

    /// A vault whose blobs are in a bucket; `root` keeps only writes in
    /// progress. Nothing is asked of the bucket until it is used (see
    /// [`Vault::check_bucket`]).
    pub fn open_bucket(root: &Path, location: &crate::BucketLocation) -> Result<Self, VaultError> {
        let tmp = root.join("tmp");
        fs::create_dir_all(&tmp).map_err(VaultError::io(&tmp))?;
        let bucket = crate::bucket::Bucket::connect(location)?;
        Ok(Vault { root: root.to_owned(), bucket: Some(std::sync::Arc::new(bucket)) })
    }

    /// The bucket this vault keeps its blobs in, if not its folder.
    pub fn bucket(&self) -> Option<&crate::BucketLocation> {
        self.bucket.as_ref().map(|b| b.location())
    }

    /// Lists the bucket once, so a wrong endpoint, bucket or key is named
    /// now rather than at the first exhibit.
    pub fn check_bucket(&self) -> Result<(), VaultError> {
        self.bucket.as_ref().map_or(Ok(()), |b| b.check())
    }
    pub fn blob_path(&self, sha: &Sha256Digest) -> PathBuf {
        let h = sha.to_hex();
        self.root.join("blobs").join(&h[..2]).join(h)
    }

    /// Streams `input` once: hashes it four ways and seals it into a temp
    /// file under a fresh key, which is fsync'd before this returns.
    pub fn ingest(&self, mut input: impl Read, master: &MasterKey) -> Result<PendingBlob, VaultError> {
        let key = BlobKey::generate();
        let mut slot: SlotId = [0; 16];
        getrandom::getrandom(&mut slot).expect("the OS random source is available");
        let temp = self.root.join("tmp").join(format!("{}.part", hex::encode(slot)));
        let mut file =
            OpenOptions::new().write(true).create_new(true).mode(0o600).open(&temp).map_err(VaultError::io(&temp))?;
        let result = self.seal_into(&mut input, &mut file, &key, slot);
        let hashes = match result.and_then(|h| file.sync_all().map_err(VaultError::io(&temp)).map(|_| h)) {
            Ok(h) => h,
            Err(e) => {
                let _ = fs::remove_file(&temp);
                return Err(e);
            }
        };
        let wrapped = WrappedKey::wrap(&key, hashes.sha256, slot, master);
        Ok(PendingBlob { hashes, wrapped, temp })
    }

    /// Hashes `plain` four ways and seals it in memory under a fresh key;
    /// for content small enough to live in the store (see [`SealedBlob`]).
    pub fn seal_in_memory(&self, plain: &[u8], master: &MasterKey) -> SealedBlob {
        let key = BlobKey::generate();
        let mut slot: SlotId = [0; 16];
        getrandom::getrandom(&mut slot).expect("the OS random source is available");
        let mut hasher = MultiHasher::new();
        hasher.update(plain);
        let hashes = hasher.finish();
        let sealed = seal_all(&key, slot, plain);
        let wrapped = WrappedKey::wrap(&key, hashes.sha256, slot, master);
        SealedBlob { hashes, wrapped, sealed }
    }

    fn seal_into(
        &self,
        input: &mut impl Read,
        file: &mut File,
        key: &BlobKey,
        slot: SlotId,
    ) -> Result<FileHashes, VaultError> {
        let tmp_dir = self.root.join("tmp");
        // A writer thread overlaps disk writes with hashing and sealing;
        // buffers go back to the producer for reuse.
        let (to_writer, from_producer) = std::sync::mpsc::sync_channel::<Vec<u8>>(2);
        let (to_producer, recycled) = std::sync::mpsc::channel::<Vec<u8>>();
        std::thread::scope(|s| {
            let writer = s.spawn(move || -> std::io::Result<()> {
                for buf in from_producer {
                    file.write_all(&buf)?;
                    let _ = to_producer.send(buf);
                }
                Ok(())
            });
            let produced = Self::produce(input, key, slot, &to_writer, &recycled);
            drop(to_writer);
            let written = writer.join().expect("the writer thread does not panic");
            match (produced, written) {
                (_, Err(e)) => Err(VaultError::Io { path: tmp_dir.clone(), source: e }),
                (r, Ok(())) => r,
            }
        })
    }

    fn produce(
        input: &mut impl Read,
        key: &BlobKey,
        slot: SlotId,
        to_writer: &std::sync::mpsc::SyncSender<Vec<u8>>,
        recycled: &std::sync::mpsc::Receiver<Vec<u8>>,
    ) -> Result<FileHashes, VaultError> {
        let mut sealer = Sealer::new(key, slot);
        let mut hasher = MultiHasher::new();
        let mut buf = vec![0u8; BATCH];
        let mut out: Vec<u8> = sealer.header().to_vec();
        // The last full chunk is held back until we know whether more follows,
        // because the final chunk is sealed differently.
        let mut carry: Vec<u8> = Vec::with_capacity(CHUNK);
        let writer_gone = || VaultError::Input(std::io::Error::other("the vault writer stopped"));
        loop {
            let n = read_full(input, &mut buf).map_err(VaultError::Input)?;
            let eof = n < BATCH;
            let data = &buf[..n];
            hasher.update_with(data, || {
                let mut units: Vec<&[u8]> = Vec::with_capacity(6);
                let carried = std::mem::take(&mut carry);
                if !carried.is_empty() {
                    units.push(&carried);
                }
                units.extend(data.chunks(CHUNK));
                if units.is_empty() {
                    units.push(&[]);
                }
                let keep = if eof { units.len() } else { units.len() - 1 };
                for (i, u) in units[..keep].iter().enumerate() {
                    sealer.seal(u, eof && i + 1 == keep, &mut out);
                }
                if !eof {
                    carry.extend_from_slice(units[keep]);
                }
            });
            if !out.is_empty() {
                let mut next = recycled.try_recv().unwrap_or_else(|_| Vec::with_capacity(BATCH + 8 * 16 + 64));
                next.clear();
                to_writer.send(std::mem::replace(&mut out, next)).map_err(|_| writer_gone())?;
            }
            if eof {
                return Ok(hasher.finish());
            }
        }
    }

    /// Moves a pending blob into place. The caller must have made its wrapped
    /// key durable first, so a blob in place always has a key; `slot_has_key`
    /// says whether an existing copy's key survives (a copy whose writer died
    /// before saving its key is unreadable and is replaced).
    pub fn place(&self, pending: PendingBlob, slot_has_key: impl Fn(&SlotId) -> bool) -> Result<Placement, VaultError> {
        if let Some(bucket) = &self.bucket {
            return Self::place_in_bucket(bucket, pending, slot_has_key);
        }
        let dest = self.blob_path(&pending.hashes.sha256);
        let dir = dest.parent().expect("blob paths have a parent").to_owned();
        fs::create_dir_all(&dir).map_err(VaultError::io(&dir))?;
        let _placing = self.placement_lock()?;
        // A hard link never replaces an existing file, so a blob already in
        // place is never rewritten.
        let placement = match fs::hard_link(&pending.temp, &dest) {
            Ok(()) => Placement::Written,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let live = read_slot(&dest).map_err(VaultError::io(&dest))?.is_some_and(|s| slot_has_key(&s));
                if live {
                    Placement::AlreadyPresent
                } else {
                    fs::rename(&pending.temp, &dest).map_err(VaultError::io(&dest))?;
                    Placement::Written
                }
            }
            Err(e) => return Err(VaultError::Io { path: dest, source: e }),
        };
        let _ = fs::remove_file(&pending.temp);
        sync_dir(&dir)?;
        Ok(placement)
    }

    /// A bucket's copy of the same content under a live key makes this
    /// write a no-op; otherwise it is uploaded under its own slot, a name no
    /// other write uses, so nothing is ever overwritten.
    fn place_in_bucket(
        bucket: &crate::bucket::Bucket,
        pending: PendingBlob,
        slot_has_key: impl Fn(&SlotId) -> bool,
    ) -> Result<Placement, VaultError> {
        let sha = pending.hashes.sha256;
        let result = bucket.copies(&sha).and_then(|copies| {
            if copies.iter().any(&slot_has_key) {
                return Ok(Placement::AlreadyPresent);
            }
            let mut file = File::open(&pending.temp).map_err(VaultError::io(&pending.temp))?;
            bucket.upload(&sha, &pending.wrapped.slot, &mut file)?;
            Ok(Placement::Written)
        });
        let _ = fs::remove_file(&pending.temp);
        result
    }

    /// Drops a pending blob that will not be placed.
    pub fn discard(&self, pending: PendingBlob) {
        let _ = fs::remove_file(&pending.temp);
    }

    /// Opens a blob for reading with whichever of `keys` matches its header.
    pub fn read(&self, sha: &Sha256Digest, keys: &[WrappedKey], master: &MasterKey) -> Result<BlobReader, VaultError> {
        if let Some(bucket) = &self.bucket {
            // The copy's name is its slot: try each key's, no listing needed.
            for k in keys.iter().filter(|k| k.sha256 == *sha) {
                if let Some(object) = bucket.open(sha, &k.slot)? {
                    return BlobReader::from_object(object, *sha, &k.unwrap_with(master)?);
                }
            }
            return Err(if keys.iter().any(|k| k.sha256 == *sha) {
                VaultError::Missing { sha256: *sha }
            } else {
                VaultError::NoKey { sha256: *sha }
            });
        }
        let path = self.blob_path(sha);
        let slot = match read_slot(&path) {
            Ok(Some(s)) => s,
            Ok(None) => {
                return Err(VaultError::Corrupt { sha256: *sha, why: "the header is not a Vigil blob header".into() })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(VaultError::Missing { sha256: *sha }),
            Err(e) => return Err(VaultError::Io { path, source: e }),
        };
        let wrapped =
            keys.iter().find(|k| k.slot == slot && k.sha256 == *sha).ok_or(VaultError::NoKey { sha256: *sha })?;
        let key = wrapped.unwrap_with(master)?;
        BlobReader::open(&path, *sha, &key)
    }

    /// Opens sealed bytes the store keeps (see [`SealedBlob`]) with
    /// whichever of `keys` matches their header.
    pub fn read_sealed(
        &self,
        sealed: Vec<u8>,
        sha: &Sha256Digest,
        keys: &[WrappedKey],
        master: &MasterKey,
    ) -> Result<BlobReader, VaultError> {
        let slot = slot_of(&sealed)
            .ok_or_else(|| VaultError::Corrupt { sha256: *sha, why: "the header is not a Vigil blob header".into() })?;
        let wrapped =
            keys.iter().find(|k| k.slot == slot && k.sha256 == *sha).ok_or(VaultError::NoKey { sha256: *sha })?;
        BlobReader::from_sealed(sealed, *sha, &wrapped.unwrap_with(master)?)
    }

    /// Decrypts a whole blob through the hashers and checks it against its address.
    pub fn check(&self, sha: &Sha256Digest, keys: &[WrappedKey], master: &MasterKey) -> Result<FileHashes, VaultError> {
        Self::check_reader(self.read(sha, keys, master)?, sha)
    }

    /// Decrypts a whole opened blob through the hashers and checks it against its address.
    pub fn check_reader(mut r: BlobReader, sha: &Sha256Digest) -> Result<FileHashes, VaultError> {
        let mut h = MultiHasher::new();
        while let Some(c) = r.next_chunk()? {
            h.update(c);
        }
        let hashes = h.finish();
        if hashes.sha256 != *sha {
            return Err(VaultError::HashMismatch { sha256: *sha, actual: hashes.sha256 });
        }
        Ok(hashes)
    }

    /// Removes a blob's file after its keys were destroyed.
    /// Held while a blob file is replaced or removed, by every process using
    /// this vault: a deletion then never removes a copy that a concurrent
    /// write has just put in place under a live key.
    fn placement_lock(&self) -> Result<File, VaultError> {
        let path = self.root.join("tmp").join("placement.lock");
        let f = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(&path)
            .map_err(VaultError::io(&path))?;
        rustix::fs::flock(&f, rustix::fs::FlockOperation::LockExclusive)
            .map_err(|e| VaultError::Io { path, source: e.into() })?;
        Ok(f)
    }

    /// Removes a blob's file unless its copy's key is live (`slot_is_live`,
    /// asked while the placement lock is held); returns whether it went.
    pub fn remove_unless_live(
        &self,
        sha: &Sha256Digest,
        slot_is_live: impl Fn(&SlotId) -> bool,
    ) -> Result<bool, VaultError> {
        if let Some(bucket) = &self.bucket {
            // Listed before liveness is asked: a copy uploaded after its key
            // was committed is either not listed or seen live.
            let mut removed = false;
            for slot in bucket.copies(sha)? {
                if !slot_is_live(&slot) {
                    bucket.remove(sha, &slot)?;
                    removed = true;
                }
            }
            return Ok(removed);
        }
        let _placing = self.placement_lock()?;
        let path = self.blob_path(sha);
        match read_slot(&path) {
            Ok(Some(slot)) if slot_is_live(&slot) => Ok(false),
            _ => self.remove(sha),
        }
    }

    pub fn remove(&self, sha: &Sha256Digest) -> Result<bool, VaultError> {
        if let Some(bucket) = &self.bucket {
            let copies = bucket.copies(sha)?;
            for slot in &copies {
                bucket.remove(sha, slot)?;
            }
            return Ok(!copies.is_empty());
        }
        let path = self.blob_path(sha);
        match fs::remove_file(&path) {
            Ok(()) => {
                sync_dir(path.parent().expect("parent"))?;
                Ok(true)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(VaultError::Io { path, source: e }),
        }
    }

    pub fn exists(&self, sha: &Sha256Digest) -> Result<bool, VaultError> {
        match &self.bucket {
            Some(bucket) => Ok(!bucket.copies(sha)?.is_empty()),
            None => Ok(self.blob_path(sha).is_file()),
        }
    }

    /// Every sealed blob file in this vault's folder (a bucket vault's
    /// folder holds none).
    pub fn local_blobs(&self) -> Result<Vec<LocalBlob>, VaultError> {
        let blobs = self.root.join("blobs");
        let mut out = Vec::new();
        let Ok(dirs) = fs::read_dir(&blobs) else { return Ok(out) };
        for d in dirs {
            let d = d.map_err(VaultError::io(&blobs))?.path();
            for f in fs::read_dir(&d).map_err(VaultError::io(&d))? {
                let path = f.map_err(VaultError::io(&d))?.path();
                let Some(sha) = path.file_name().and_then(|n| n.to_str()).and_then(|n| n.parse().ok()) else {
                    continue;
                };
                let slot = read_slot(&path)
                    .map_err(VaultError::io(&path))?
                    .ok_or(VaultError::Corrupt { sha256: sha, why: "the header is not a Vigil blob header".into() })?;
                let size = fs::metadata(&path).map_err(VaultError::io(&path))?.len();
                out.push(LocalBlob { sha256: sha, slot, size });
            }
        }
        out.sort_by_key(|b| b.sha256.to_hex());
        Ok(out)
    }

    /// Copies one of this folder vault's blob files, as sealed, into
    /// `target`'s bucket under its slot (a no-op when that copy is there).
    pub fn copy_to_bucket(&self, blob: &LocalBlob, target: &Vault) -> Result<Placement, VaultError> {
        let bucket =
            target.bucket.as_ref().ok_or(VaultError::Location { why: "the target vault is not a bucket".into() })?;
        if bucket.copies(&blob.sha256)?.contains(&blob.slot) {
            return Ok(Placement::AlreadyPresent);
        }
        let path = self.blob_path(&blob.sha256);
        let mut file = File::open(&path).map_err(VaultError::io(&path))?;
        bucket.upload(&blob.sha256, &blob.slot, &mut file)?;
        Ok(Placement::Written)
    }

    /// Writes the bucket's sealed copy of `sha` under `slot`, as it is, to
    /// the new file `dest` (mode 0600, fsync'd): a bucket vault's backup
    /// becomes a folder vault. `None` when the bucket has no such copy.
    pub fn download_copy(&self, sha: &Sha256Digest, slot: &SlotId, dest: &Path) -> Result<Option<u64>, VaultError> {
        let bucket = self.bucket.as_ref().ok_or(VaultError::Location { why: "this vault is a folder".into() })?;
        let Some(mut object) = bucket.open(sha, slot)? else { return Ok(None) };
        let mut file =
            OpenOptions::new().write(true).create_new(true).mode(0o600).open(dest).map_err(VaultError::io(dest))?;
        let n = std::io::copy(&mut object, &mut file)
            .map_err(|e| VaultError::Unreadable { sha256: *sha, why: e.to_string() })?;
        file.sync_all().map_err(VaultError::io(dest))?;
        Ok(Some(n))
    }

    /// Rewrites every stored copy of a blob through `f`. For tests that
    /// tamper with evidence on purpose; the vault itself never does.
    #[doc(hidden)]
    pub fn rewrite_for_tests(&self, sha: &Sha256Digest, f: impl Fn(&mut Vec<u8>)) -> Result<usize, VaultError> {
        match &self.bucket {
            Some(bucket) => {
                let copies = bucket.copies(sha)?;
                for slot in &copies {
                    let mut bytes = Vec::new();
                    let mut object = bucket.open(sha, slot)?.ok_or(VaultError::Missing { sha256: *sha })?;
                    object.read_to_end(&mut bytes).map_err(VaultError::Input)?;
                    f(&mut bytes);
                    bucket.overwrite_for_tests(sha, slot, bytes)?;
                }
                Ok(copies.len())
            }
            None => {
                let path = self.blob_path(sha);
                let mut bytes = fs::read(&path).map_err(VaultError::io(&path))?;
                f(&mut bytes);
                fs::write(&path, bytes).map_err(VaultError::io(&path))?;
                Ok(1)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blob::BLOB_HEADER_LEN;

    /// The same tests run on a folder vault and, where `VIGIL_TEST_S3`
    /// names one, on a bucket vault.
    fn backends(test: &str) -> Vec<(tempfile::TempDir, Vault)> {
        let mut out = Vec::new();
        let dir = tempfile::tempdir().unwrap();
        let v = Vault::open(dir.path()).unwrap();
        out.push((dir, v));
        if let Some(loc) = crate::BucketLocation::for_tests(test) {
            let dir = tempfile::tempdir().unwrap();
            let v = Vault::open_bucket(dir.path(), &loc).unwrap();
            v.check_bucket().unwrap();
            out.push((dir, v));
        }
        out
    }

    fn name(v: &Vault) -> &'static str {
        if v.bucket().is_some() {
            "bucket"
        } else {
            "folder"
        }
    }

    fn roundtrip(v: &Vault, len: usize) {
        let m = MasterKey::generate();
        let data: Vec<u8> = (0..len).map(|i| (i % 253) as u8).collect();
        let p = v.ingest(&data[..], &m).unwrap();
        let sha = p.hashes.sha256;
        let key = p.wrapped.clone();
        assert_eq!(p.hashes.size, len as u64);
        assert_eq!(v.place(p, |_| true).unwrap(), Placement::Written);
        let mut back = Vec::new();
        v.read(&sha, std::slice::from_ref(&key), &m).unwrap().read_to_end(&mut back).unwrap();
        assert_eq!(back, data, "length {len} on the {}", name(v));
        v.check(&sha, std::slice::from_ref(&key), &m).unwrap();
        // A part read from a chunk boundary and from inside a chunk.
        for at in [0, CHUNK as u64, CHUNK as u64 + 3, len as u64 / 2] {
            let mut r = v.read(&sha, std::slice::from_ref(&key), &m).unwrap();
            r.seek_to(at).unwrap();
            let mut rest = Vec::new();
            r.read_to_end(&mut rest).unwrap();
            assert_eq!(rest, data[(at as usize).min(len)..], "from {at}, length {len} on the {}", name(v));
        }
        // Sealed in memory, the same content reads back the same, with the same digests.
        let mem = v.seal_in_memory(&data, &m);
        assert_eq!(mem.hashes, v.check(&sha, &[key], &m).unwrap(), "length {len}");
        let mut back = Vec::new();
        let keys = std::slice::from_ref(&mem.wrapped);
        v.read_sealed(mem.sealed.clone(), &sha, keys, &m).unwrap().read_to_end(&mut back).unwrap();
        assert_eq!(back, data, "in memory, length {len}");
        Vault::check_reader(v.read_sealed(mem.sealed.clone(), &sha, keys, &m).unwrap(), &sha).unwrap();
        // Each cut or flipped byte of the in-memory form is caught.
        if len < 3 * CHUNK {
            for at in [0, BLOB_HEADER_LEN, mem.sealed.len() - 1] {
                let mut bad = mem.sealed.clone();
                bad[at] ^= 1;
                let r = v.read_sealed(bad, &sha, keys, &m).and_then(|r| Vault::check_reader(r, &sha));
                assert!(r.is_err(), "flip at {at}, length {len}");
            }
            let cut = mem.sealed[..mem.sealed.len() - 1].to_vec();
            assert!(v.read_sealed(cut, &sha, keys, &m).and_then(|r| Vault::check_reader(r, &sha)).is_err());
        }
    }

    #[test]
    fn round_trips_at_chunk_edges() {
        for (_dir, v) in backends("round_trips_at_chunk_edges") {
            for len in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, BATCH, BATCH + 1, 2 * BATCH + CHUNK, 5 * CHUNK + 7] {
                roundtrip(&v, len);
            }
        }
    }

    #[test]
    fn a_blob_larger_than_an_upload_part_round_trips() {
        // Over 8 MiB: a bucket takes it in several parts.
        for (_dir, v) in backends("a_blob_larger_than_an_upload_part_round_trips") {
            roundtrip(&v, 20 * CHUNK + 5);
        }
    }

    #[test]
    fn detects_a_flipped_byte_and_a_cut_at_a_chunk_boundary() {
        for (_dir, v) in backends("detects_a_flipped_byte_and_a_cut_at_a_chunk_boundary") {
            let m = MasterKey::generate();
            let data = vec![7u8; 2 * CHUNK + 10];
            let p = v.ingest(&data[..], &m).unwrap();
            let (sha, key) = (p.hashes.sha256, p.wrapped.clone());
            v.place(p, |_| true).unwrap();
            let keys = std::slice::from_ref(&key);

            v.rewrite_for_tests(&sha, |b| b[BLOB_HEADER_LEN + CHUNK + 100] ^= 1).unwrap();
            let e = v.check(&sha, keys, &m);
            assert!(matches!(e, Err(VaultError::Tampered { chunk: 1, .. })), "{}: {e:?}", name(&v));
            v.rewrite_for_tests(&sha, |b| b[BLOB_HEADER_LEN + CHUNK + 100] ^= 1).unwrap();
            v.check(&sha, keys, &m).unwrap();

            v.rewrite_for_tests(&sha, |b| b.truncate(BLOB_HEADER_LEN + 2 * (CHUNK + 16))).unwrap();
            let e = v.check(&sha, keys, &m);
            assert!(matches!(e, Err(VaultError::Tampered { chunk: 1, .. })), "{}: {e:?}", name(&v));

            assert!(v.remove(&sha).unwrap());
            assert!(!v.exists(&sha).unwrap());
            assert!(matches!(v.check(&sha, &[key], &m), Err(VaultError::Missing { .. })), "{}", name(&v));
        }
    }

    #[test]
    fn same_content_twice_keeps_the_first_copy_unless_its_key_is_gone() {
        for (_dir, v) in backends("same_content_twice_keeps_the_first_copy_unless_its_key_is_gone") {
            let m = MasterKey::generate();
            let a = v.ingest(&b"same"[..], &m).unwrap();
            let (a_slot, a_key) = (a.wrapped.slot, a.wrapped.clone());
            v.place(a, |_| true).unwrap();
            let b = v.ingest(&b"same"[..], &m).unwrap();
            let (sha, b_key) = (b.hashes.sha256, b.wrapped.clone());
            let first = v.read(&sha, std::slice::from_ref(&a_key), &m).unwrap();
            drop(first);
            assert_eq!(v.place(b, |s| *s == a_slot).unwrap(), Placement::AlreadyPresent);
            // The first copy is untouched: it still opens with its own key, not the second's.
            v.check(&sha, std::slice::from_ref(&a_key), &m).unwrap();
            assert!(matches!(
                v.read(&sha, std::slice::from_ref(&b_key), &m),
                Err(VaultError::Missing { .. } | VaultError::NoKey { .. })
            ));
            let c = v.ingest(&b"same"[..], &m).unwrap();
            let c_key = c.wrapped.clone();
            assert_eq!(v.place(c, |_| false).unwrap(), Placement::Written, "a keyless copy does not stop a write");
            v.check(&sha, std::slice::from_ref(&c_key), &m).unwrap();
            // Removal takes only copies whose keys are gone.
            let c_slot = c_key.slot;
            v.remove_unless_live(&sha, |s| *s == c_slot).unwrap();
            v.check(&sha, std::slice::from_ref(&c_key), &m).unwrap();
            assert!(!v.remove_unless_live(&sha, |s| *s == c_slot).unwrap(), "a live copy stays");
            assert!(v.remove_unless_live(&sha, |_| false).unwrap());
            assert!(!v.exists(&sha).unwrap(), "{}", name(&v));
        }
    }

    #[test]
    fn wrong_master_key_is_named() {
        for (_dir, v) in backends("wrong_master_key_is_named") {
            let m = MasterKey::generate();
            let p = v.ingest(&b"x"[..], &m).unwrap();
            let (sha, key) = (p.hashes.sha256, p.wrapped.clone());
            v.place(p, |_| true).unwrap();
            let e = v.check(&sha, &[key], &MasterKey::generate()).unwrap_err();
            assert!(e.to_string().contains("cannot be unwrapped"), "{e}");
        }
    }

    #[test]
    fn a_folder_vault_moves_into_a_bucket_sealed_as_it_is() {
        let Some(loc) = crate::BucketLocation::for_tests("a_folder_vault_moves_into_a_bucket_sealed_as_it_is") else {
            return;
        };
        let (dir, tmp) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let local = Vault::open(dir.path()).unwrap();
        let bucket = Vault::open_bucket(tmp.path(), &loc).unwrap();
        let m = MasterKey::generate();
        let mut keys = Vec::new();
        for len in [0, 10, 3 * CHUNK] {
            let p = local.ingest(&vec![len as u8; len][..], &m).unwrap();
            keys.push(p.wrapped.clone());
            local.place(p, |_| true).unwrap();
        }
        let blobs = local.local_blobs().unwrap();
        assert_eq!(blobs.len(), 3);
        for b in &blobs {
            assert_eq!(local.copy_to_bucket(b, &bucket).unwrap(), Placement::Written);
            assert_eq!(
                local.copy_to_bucket(b, &bucket).unwrap(),
                Placement::AlreadyPresent,
                "a second copy is a no-op"
            );
            let sealed = std::fs::read(local.blob_path(&b.sha256)).unwrap();
            let mut object = bucket.bucket.as_ref().unwrap().open(&b.sha256, &b.slot).unwrap().unwrap();
            let mut moved = Vec::new();
            object.read_to_end(&mut moved).unwrap();
            assert_eq!(moved, sealed, "the bucket holds the same sealed bytes");
            let k = keys.iter().find(|k| k.sha256 == b.sha256).unwrap();
            bucket.check(&b.sha256, std::slice::from_ref(k), &m).unwrap();
        }
    }
}
