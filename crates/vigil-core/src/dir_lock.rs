//! The data directory's lock file, `DATA/vigil.lock`. Every open `Vigil`
//! holds it shared, taken before any key is loaded (several servers and
//! commands may share one directory); a master key rotation turns its own
//! hold exclusive. A process keeps the master key in memory, so a rotation
//! beside a running server or a CLI write would leave that process sealing
//! new evidence under a key about to be destroyed: the lock makes the later
//! of the two refuse, saying why. (Beyond the lock, every wrapped key is
//! checked against the store's current master key in the transaction that
//! stores it, which also covers nodes on other machines sharing PostgreSQL.)

use crate::data_dir::Layout;
use crate::error::CoreError;
use rustix::fs::{flock, FlockOperation};
use std::fs::{File, OpenOptions};
use std::os::unix::fs::OpenOptionsExt;

/// Held until dropped (the kernel also lets go when the process dies).
#[derive(Debug)]
pub struct DirLock {
    file: File,
}

fn rotation_running(layout: &Layout) -> CoreError {
    CoreError::Refused(format!(
        "{}: a master key rotation is running on this data directory; run this again when it has finished",
        layout.root.display()
    ))
}

impl DirLock {
    /// Taken by every open of a data directory.
    pub(crate) fn shared(layout: &Layout) -> Result<DirLock, CoreError> {
        let path = layout.root.join("vigil.lock");
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(&path)
            .map_err(|e| CoreError::file(&path, e))?;
        flock(&file, FlockOperation::NonBlockingLockShared).map_err(|_| rotation_running(layout))?;
        Ok(DirLock { file })
    }

    /// For a master key rotation: refused while any other process has the
    /// directory open. Given back as shared by [`DirLock::share`].
    pub(crate) fn make_exclusive(&self, layout: &Layout) -> Result<(), CoreError> {
        flock(&self.file, FlockOperation::NonBlockingLockExclusive).map_err(|_| {
            CoreError::Refused(format!(
                "{}: another Vigil process (`vigil serve`, or a command) is using this data directory; stop it, rotate, then start it again",
                layout.root.display()
            ))
        })
    }

    pub(crate) fn share(&self, layout: &Layout) -> Result<(), CoreError> {
        flock(&self.file, FlockOperation::NonBlockingLockShared).map_err(|_| rotation_running(layout))
    }
}
