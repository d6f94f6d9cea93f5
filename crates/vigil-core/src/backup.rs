//! A backup of a data directory that is itself a data directory: the store
//! as one consistent snapshot taken while others go on working, then the
//! vault's blobs (written once, never changed, so every blob the snapshot
//! names is there), the keys and the settings. `vigil --data BACKUP verify`
//! checks a backup as it checks the live directory, so a restore is
//! proven before it is needed.
//!
//! PostgreSQL is backed up with its own tools (`pg_dump`, run here when it
//! is installed); the backup keeps the dump beside the rest, and a restore
//! loads it into a new database named in the backup's `vigil.json`.

use crate::data_dir::{Layout, Vigil};
use crate::error::CoreError;
use serde::Serialize;
use std::fs;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};
use vigil_domain::{Actor, CustodyEvent, EventKind, ObjectRef};

/// What a backup wrote.
#[derive(Debug, Clone, Serialize)]
pub struct BackupReport {
    pub dir: PathBuf,
    /// `sqlite snapshot` or `pg_dump` (with the dump's file name).
    pub store: String,
    pub blobs: u64,
    pub bytes: u64,
    /// Events in the log when the snapshot was taken.
    pub events: u64,
}

/// The PostgreSQL dump's file name inside a backup.
pub const PG_DUMP_FILE: &str = "store.pgdump";

/// A PostgreSQL backup's `vigil.json` names its dump this way, not the live
/// database's URL, so the backup is never opened against the live store.
pub(crate) const RESTORE_PREFIX: &str = "restore-from:";

fn io(path: &Path, e: impl std::fmt::Display) -> CoreError {
    CoreError::file(path, e)
}

/// Every key file's name and bytes, to see that no rotation ran meanwhile.
fn key_files(dir: &Path) -> Result<Vec<(String, Vec<u8>)>, CoreError> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).map_err(|e| io(dir, e))? {
        let e = e.map_err(|e| io(dir, e))?;
        if e.file_type().map_err(|er| io(&e.path(), er))?.is_file() {
            let bytes = fs::read(e.path()).map_err(|er| io(&e.path(), er))?;
            out.push((e.file_name().to_string_lossy().into_owned(), bytes));
        }
    }
    out.sort();
    Ok(out)
}

/// Copies every blob file under `from` (two-character folders) to `to`.
fn copy_blobs(from: &Path, to: &Path) -> Result<(u64, u64), CoreError> {
    let (mut n, mut bytes) = (0u64, 0u64);
    for d in fs::read_dir(from).map_err(|e| io(from, e))? {
        let d = d.map_err(|e| io(from, e))?;
        if !d.file_type().map_err(|e| io(&d.path(), e))?.is_dir() {
            continue;
        }
        let target = to.join(d.file_name());
        fs::DirBuilder::new().mode(0o700).create(&target).map_err(|e| io(&target, e))?;
        for f in fs::read_dir(d.path()).map_err(|e| io(&d.path(), e))? {
            let f = f.map_err(|e| io(&d.path(), e))?;
            let dest = target.join(f.file_name());
            bytes += fs::copy(f.path(), &dest).map_err(|e| io(&dest, e))?;
            fs::File::open(&dest).and_then(|h| h.sync_all()).map_err(|e| io(&dest, e))?;
            n += 1;
        }
    }
    Ok((n, bytes))
}

impl Vigil {
    /// Writes a backup to `out` (a new or empty directory). Recorded as an
    /// `exported` event on the log: a backup is a full copy of the material.
    pub fn backup(&self, out: &Path, actor: &Actor) -> Result<BackupReport, CoreError> {
        if out.exists() && fs::read_dir(out).map_err(|e| io(out, e))?.next().is_some() {
            return Err(CoreError::file(out, "is not empty: a backup goes into a new or empty directory"));
        }
        fs::DirBuilder::new().recursive(true).mode(0o700).create(out).map_err(|e| io(out, e))?;
        let to = Layout::new(out);
        let keys_before = key_files(&self.layout.keys())?;
        let events = self.store.read()?.log_state()?.size;
        let store = if self.store.read()?.snapshot_to(&to.sqlite())? {
            // As private as the live database.
            let mode =
                fs::metadata(self.layout.sqlite()).map_err(|e| io(&self.layout.sqlite(), e))?.permissions().mode();
            fs::set_permissions(to.sqlite(), fs::Permissions::from_mode(mode & 0o777))
                .map_err(|e| io(&to.sqlite(), e))?;
            "sqlite snapshot".to_owned()
        } else {
            self.pg_dump(&out.join(PG_DUMP_FILE))?;
            format!("pg_dump ({PG_DUMP_FILE})")
        };
        // After the snapshot: every blob it names is already in the vault.
        let blobs = to.vault().join("blobs");
        fs::DirBuilder::new().recursive(true).mode(0o700).create(&blobs).map_err(|e| io(&blobs, e))?;
        fs::DirBuilder::new().mode(0o700).create(to.vault().join("tmp")).map_err(|e| io(&to.vault(), e))?;
        let (n, bytes) = match self.vault.bucket() {
            // The backup is a folder vault either way, whole on its own disk.
            Some(_) => self.download_blobs(&blobs)?,
            None => copy_blobs(&self.layout.vault().join("blobs"), &blobs)?,
        };
        // The keys that wrap the snapshot's blob keys: unchanged since before it.
        let keys_after = key_files(&self.layout.keys())?;
        if keys_after != keys_before {
            return Err(CoreError::Refused(format!(
                "a key rotation ran during the backup, so {} may not open with the keys it would hold; run the \
                 backup again into a new directory",
                out.display()
            )));
        }
        fs::DirBuilder::new().mode(0o700).create(to.keys()).map_err(|e| io(&to.keys(), e))?;
        for (name, bytes) in &keys_after {
            let mode = fs::metadata(self.layout.keys().join(name)).map_err(|e| io(&self.layout.keys(), e))?;
            crate::data_dir::write_new(&to.keys().join(name), bytes, mode.permissions().mode() & 0o777)?;
        }
        // The backup's blobs are in its own folder, whatever the live vault is.
        let restore = format!("{RESTORE_PREFIX}{PG_DUMP_FILE}");
        let config = crate::data_dir::backup_config(&self.layout, store.starts_with("pg_dump").then_some(&*restore))?;
        crate::data_dir::write_new(&to.config(), &config, 0o600)?;
        crate::data_dir::sync_dir(out)?;
        let mut ev = CustodyEvent::new(EventKind::Exported, actor.clone(), self.now(), ObjectRef::log());
        ev.note = Some(format!(
            "backup of the data directory ({store}, the log at {events} events, {n} blobs, {bytes} bytes) to {}",
            out.display()
        ));
        self.append_events(&[ev])?;
        Ok(BackupReport { dir: out.to_owned(), store, blobs: n, bytes, events })
    }

    /// Downloads one sealed copy of every exhibit's blob from the bucket
    /// into `to` (laid out as a folder vault's `blobs/`); blobs the store
    /// keeps itself are in its snapshot already.
    fn download_blobs(&self, to: &Path) -> Result<(u64, u64), CoreError> {
        let mut shas: Vec<vigil_domain::Sha256Digest> =
            self.store.read()?.exhibits()?.into_iter().map(|e| e.sha256).collect();
        shas.sort_by_key(|s| s.to_hex());
        shas.dedup();
        let (mut n, mut bytes) = (0u64, 0u64);
        for sha in shas {
            let mut store = self.store.read()?;
            if store.inline_blob(&sha)?.is_some() {
                continue;
            }
            let keys = store.keys_for(&sha)?;
            drop(store);
            let hex = sha.to_hex();
            let folder = to.join(&hex[..2]);
            if !folder.exists() {
                fs::DirBuilder::new().mode(0o700).create(&folder).map_err(|e| io(&folder, e))?;
            }
            for k in &keys {
                if let Some(len) = self.vault.download_copy(&sha, &k.slot, &folder.join(&hex))? {
                    n += 1;
                    bytes += len;
                    break;
                }
            }
        }
        Ok((n, bytes))
    }

    /// `pg_dump --format=custom` of the store's database into `file`.
    fn pg_dump(&self, file: &Path) -> Result<(), CoreError> {
        let url = self.configured_store()?;
        let out = std::process::Command::new("pg_dump")
            .args(["--format=custom", "--no-owner", "--file"])
            .arg(file)
            .arg(&url)
            .output();
        match out {
            Ok(o) if o.status.success() => Ok(()),
            Ok(o) => Err(CoreError::Failed(format!("pg_dump failed: {}", String::from_utf8_lossy(&o.stderr).trim()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(CoreError::Refused(
                "the store is PostgreSQL and pg_dump is not installed: install PostgreSQL's client tools".into(),
            )),
            Err(e) => Err(CoreError::Failed(format!("running pg_dump: {e}"))),
        }
    }
}
