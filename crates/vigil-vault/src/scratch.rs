//! Scratch space sealed like a blob: bytes an operation must set aside and
//! read back (a chat import's spool of parsed messages), written to a file
//! under the vault's `tmp/` that is unlinked as soon as it is made, sealed
//! under a key that exists only in this process's memory. Nothing of it
//! outlives the operation, and nothing of it is ever clear on disk.

use crate::blob::{BlobReader, PushSealer};
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
    sealer: PushSealer,
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
        let sealer = PushSealer::new(&key, slot);
        Ok(ScratchWriter { file, key, sealer })
    }

    /// Seals what is left; the scratch can then be read.
    pub fn finish(mut self) -> io::Result<Scratch> {
        self.sealer.finish(&mut self.file)?;
        Ok(Scratch { file: self.file, key: self.key })
    }
}

impl Write for ScratchWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.sealer.push(data, &mut self.file)?;
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
    use crate::blob::CHUNK;
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
