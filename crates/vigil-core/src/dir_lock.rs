//! The data directory's lock file, `DATA/vigil.lock`. Serving holds it
//! shared (several servers may share one directory); a master key rotation
//! holds it exclusive. A server keeps the master key in memory, so a
//! rotation under a running server would leave it sealing new evidence
//! under a key the store no longer names, unreadable after a restart: the
//! lock makes the second of the two refuse, saying why.

use crate::data_dir::Vigil;
use crate::error::CoreError;
use rustix::fs::{flock, FlockOperation};
use std::fs::{File, OpenOptions};
use std::os::unix::fs::OpenOptionsExt;

/// Held until dropped (the kernel also lets go when the process dies).
#[derive(Debug)]
pub struct DirLock {
    _file: File,
}

impl Vigil {
    fn lock_file(&self) -> Result<File, CoreError> {
        let path = self.layout.root.join("vigil.lock");
        OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(&path)
            .map_err(|e| CoreError::file(&path, e))
    }

    /// Taken by `vigil serve` for as long as it runs.
    pub fn hold_for_serving(&self) -> Result<DirLock, CoreError> {
        let file = self.lock_file()?;
        flock(&file, FlockOperation::NonBlockingLockShared).map_err(|_| {
            CoreError::Refused(format!(
                "{}: a master key rotation is running on this data directory; serve again when it has finished",
                self.layout.root.display()
            ))
        })?;
        Ok(DirLock { _file: file })
    }

    /// Taken by a master key rotation; refused while anything serves.
    pub(crate) fn hold_exclusively(&self) -> Result<DirLock, CoreError> {
        let file = self.lock_file()?;
        flock(&file, FlockOperation::NonBlockingLockExclusive).map_err(|_| {
            CoreError::Refused(format!(
                "{}: `vigil serve` (or another rotation) is using this data directory; stop it, rotate, then serve again",
                self.layout.root.display()
            ))
        })?;
        Ok(DirLock { _file: file })
    }
}
