//! Scratch space sealed like a blob: bytes an operation must set aside and
//! read back (a chat import's spool of parsed messages), written to a file
//! under the vault's `tmp/` that is unlinked as soon as it is made, sealed
//! under a key that exists only in this process's memory. Nothing of it
//! outlives the operation, and nothing of it is ever clear on disk.

use crate::blob::{BlobReader, Sealer, CHUNK};
use crate::error::VaultError;
use crate::wrapped_key::{BlobKey, SlotId};
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use vigil_domain::Sha256Digest;

/// Scratch bytes being written (see the module's note).
pub struct ScratchWriter {
    file: File,
    key: BlobKey,
    sealer: Sealer,
    carry: Vec<u8>,
    out: Vec<u8>,
}

/// Scratch bytes written and sealed, to be read back any number of times.
pub struct Scratch {
    file: File,
    key: BlobKey,
}

impl ScratchWriter {
    pub(crate) fn start(tmp_dir: &Path) -> Result<Self, VaultError> {
        let key = BlobKey::generate();
        let mut slot: SlotId = [0; 16];
        getrandom::getrandom(&mut slot).expect("the OS random source is available");
        let path = tmp_dir.join(format!("{}.scratch", hex::encode(slot)));
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .map_err(VaultError::io(&path))?;
        // Unlinked at once: the open file is all there is of it.
        std::fs::remove_file(&path).map_err(VaultError::io(&path))?;
        let sealer = Sealer::new(&key, slot);
        let out = sealer.header().to_vec();
        Ok(ScratchWriter { file, key, sealer, carry: Vec::with_capacity(CHUNK), out })
    }

    fn flush_out(&mut self) -> io::Result<()> {
        self.file.write_all(&self.out)?;
        self.out.clear();
        Ok(())
    }

    /// Seals what is left; the scratch can then be read.
    pub fn finish(mut self) -> io::Result<Scratch> {
        let last = std::mem::take(&mut self.carry);
        self.sealer.seal(&last, true, &mut self.out);
        self.flush_out()?;
        Ok(Scratch { file: self.file, key: self.key })
    }
}

impl Write for ScratchWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let mut rest = data;
        while !rest.is_empty() {
            if self.carry.len() == CHUNK {
                self.sealer.seal(&self.carry, false, &mut self.out);
                self.carry.clear();
                self.flush_out()?;
            }
            let take = (CHUNK - self.carry.len()).min(rest.len());
            self.carry.extend_from_slice(&rest[..take]);
            rest = &rest[take..];
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Scratch {
    /// Reads the scratch from its start (one reader at a time: they share
    /// the file's position).
    pub fn reader(&self) -> io::Result<BlobReader> {
        let file = self.file.try_clone()?;
        BlobReader::from_file(file, Sha256Digest([0; 32]), &self.key).map_err(io::Error::other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn scratch_reads_back_as_written_and_leaves_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = ScratchWriter::start(dir.path()).unwrap();
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "unlinked at once");
        let data: Vec<u8> = (0..(3 * CHUNK + 123)).map(|i| (i * 7 % 251) as u8).collect();
        for piece in data.chunks(1000) {
            w.write_all(piece).unwrap();
        }
        let s = w.finish().unwrap();
        for _ in 0..2 {
            let mut back = Vec::new();
            s.reader().unwrap().read_to_end(&mut back).unwrap();
            assert!(back == data, "read back whole, twice");
        }
        // A part read from any offset is the same bytes.
        for offset in [0, 1, CHUNK as u64 - 1, CHUNK as u64, 2 * CHUNK as u64 + 5, data.len() as u64] {
            let mut r = s.reader().unwrap();
            r.seek_to(offset).unwrap();
            let mut back = Vec::new();
            r.read_to_end(&mut back).unwrap();
            assert!(back == data[offset as usize..], "from {offset}");
        }
        // Nothing in clear on the disk: the scratch is sealed.
        let empty = ScratchWriter::start(dir.path()).unwrap().finish().unwrap();
        let mut back = Vec::new();
        empty.reader().unwrap().read_to_end(&mut back).unwrap();
        assert!(back.is_empty());
    }
}
