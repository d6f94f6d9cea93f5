//! Sealing bytes pushed in pieces, for content that arrives over a network:
//! the caller waits for the next piece wherever it likes (an async task),
//! and each `write` is a short stretch of hashing, sealing and writing, so
//! no thread waits on a slow sender while holding a sealing job.

use crate::blob::PushSealer;
use crate::error::VaultError;
use crate::master_key::MasterKey;
use crate::multihash::MultiHasher;
use crate::vault::PendingBlob;
use crate::wrapped_key::{BlobKey, SlotId, WrappedKey};
use std::fs::{self, File, OpenOptions};
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;

/// A blob being sealed into a temp file from pushed pieces. Dropped
/// unfinished, its temp file is removed.
pub struct IngestWriter {
    file: Option<File>,
    temp: PathBuf,
    key: BlobKey,
    slot: SlotId,
    master: MasterKey,
    /// Until `finish`.
    sealer: Option<PushSealer>,
    hasher: MultiHasher,
}

impl IngestWriter {
    pub(crate) fn start(tmp_dir: PathBuf, master: &MasterKey) -> Result<Self, VaultError> {
        let key = BlobKey::generate();
        let mut slot: SlotId = [0; 16];
        getrandom::getrandom(&mut slot).expect("the OS random source is available");
        let temp = tmp_dir.join(format!("{}.part", hex::encode(slot)));
        let file =
            OpenOptions::new().write(true).create_new(true).mode(0o600).open(&temp).map_err(VaultError::io(&temp))?;
        let sealer = Some(PushSealer::new(&key, slot));
        Ok(IngestWriter {
            file: Some(file),
            temp,
            key,
            slot,
            master: master.clone(),
            sealer,
            hasher: MultiHasher::new(),
        })
    }

    /// Clear bytes taken so far.
    pub fn size(&self) -> u64 {
        self.hasher.size()
    }

    /// Hashes and seals `data`, writing every full chunk but the last.
    pub fn write(&mut self, data: &[u8]) -> Result<(), VaultError> {
        self.hasher.update(data);
        let file = self.file.as_mut().expect("the file is open until finish");
        let sealer = self.sealer.as_mut().expect("the sealer is there until finish");
        sealer.push(data, file).map_err(VaultError::io(&self.temp))
    }

    /// Seals the last chunk, fsyncs the temp file and wraps the key: the
    /// same pending blob [`crate::Vault::ingest`] makes from a reader.
    pub fn finish(mut self) -> Result<PendingBlob, VaultError> {
        let mut file = self.file.take().expect("the file is open until finish");
        let sealer = self.sealer.take().expect("the sealer is there until finish");
        if let Err(e) = sealer.finish(&mut file) {
            let _ = fs::remove_file(&self.temp);
            return Err(VaultError::io(&self.temp)(e));
        }
        file.sync_all().map_err(VaultError::io(&self.temp))?;
        let hashes = std::mem::take(&mut self.hasher).finish();
        let wrapped = WrappedKey::wrap(&self.key, hashes.sha256, self.slot, &self.master);
        let temp = std::mem::take(&mut self.temp);
        Ok(PendingBlob::new(hashes, wrapped, temp))
    }
}

impl Drop for IngestWriter {
    fn drop(&mut self) {
        if self.file.is_some() {
            let _ = fs::remove_file(&self.temp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blob::CHUNK;
    use crate::Vault;

    /// Pieces of any size seal to content that reads back exactly, with the
    /// digests a single read gives.
    #[test]
    fn pushed_pieces_read_back_as_one_ingest() {
        let dir = tempfile::tempdir().unwrap();
        let vault = Vault::open(dir.path()).unwrap();
        let master = MasterKey::generate();
        for len in [0usize, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 3 * CHUNK + 7] {
            let data: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
            let whole = vault.ingest(&data[..], &master).unwrap();
            let mut w = vault.ingest_writer(&master).unwrap();
            for piece in data.chunks(4093) {
                w.write(piece).unwrap();
            }
            w.write(&[]).unwrap();
            let pushed = w.finish().unwrap();
            assert_eq!(pushed.hashes, whole.hashes, "{len}");
            let key = pushed.wrapped.clone();
            vault.discard(whole);
            vault.place(pushed, |_| false).unwrap();
            let mut r = vault.read(&key.sha256, std::slice::from_ref(&key), &master).unwrap();
            let mut back = Vec::new();
            std::io::Read::read_to_end(&mut r, &mut back).unwrap();
            assert_eq!(back, data, "{len}");
            vault.remove(&key.sha256).unwrap();
        }
    }

    #[test]
    fn an_unfinished_writer_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let vault = Vault::open(dir.path()).unwrap();
        let mut w = vault.ingest_writer(&MasterKey::generate()).unwrap();
        w.write(b"half a file").unwrap();
        drop(w);
        assert_eq!(fs::read_dir(dir.path().join("tmp")).unwrap().count(), 0);
    }
}
