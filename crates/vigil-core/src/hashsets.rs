//! The data directory's hash sets (`hashsets/NAME.vhs`). Importing or
//! removing a set appends a custody event with the set file's SHA-256, so
//! which sets a scan was matched against can be proved later.

use crate::clock::now;
use crate::data_dir::Vigil;
use crate::error::CoreError;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use vigil_domain::{Actor, CustodyEvent, EventKind, ObjectRef, Sha256Digest};
use vigil_hashset::{import, HashSet, ImportFormat, ImportOptions, SetHeader};

/// What `vigil hashset import` asks for.
#[derive(Debug, Clone, Copy)]
pub struct HashSetImport<'a> {
    pub name: &'a str,
    pub file: &'a Path,
    pub format: ImportFormat,
    pub options: &'a ImportOptions,
    pub source: &'a str,
    /// Replace an existing set of the same name.
    pub replace: bool,
}

fn check_name(name: &str) -> Result<(), CoreError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(CoreError::Refused(format!("hash set name {name:?} must be 1-64 of a-z, 0-9, - and _")))
    }
}

fn sha256_file(path: &Path) -> Result<Sha256Digest, CoreError> {
    let mut f = std::fs::File::open(path).map_err(|e| CoreError::file(path, e))?;
    let mut h = Sha256::new();
    std::io::copy(&mut f, &mut h).map_err(|e| CoreError::file(path, e))?;
    Ok(Sha256Digest(h.finalize().into()))
}

impl Vigil {
    pub fn hashset_dir(&self) -> PathBuf {
        self.layout.root.join("hashsets")
    }

    fn hashset_path(&self, name: &str) -> Result<PathBuf, CoreError> {
        check_name(name)?;
        Ok(self.hashset_dir().join(format!("{name}.vhs")))
    }

    pub fn import_hashset(&mut self, req: &HashSetImport<'_>, actor: &Actor) -> Result<SetHeader, CoreError> {
        let HashSetImport { name, file, format, options: opts, source, replace } = *req;
        let path = self.hashset_path(name)?;
        if path.exists() && !replace {
            return Err(CoreError::Refused(format!("hash set {name} already exists (use --replace to re-import it)")));
        }
        let builder = import(file, format, opts).map_err(|e| CoreError::Refused(e.to_string()))?;
        std::fs::create_dir_all(self.hashset_dir()).map_err(|e| CoreError::file(self.hashset_dir(), e))?;
        let t = now();
        let header =
            builder.write(&path, name, source, &t.to_string()).map_err(|e| CoreError::Refused(e.to_string()))?;
        let mut ev =
            CustodyEvent::new(EventKind::Created, actor.clone(), t, ObjectRef::parse(&format!("hashset:{name}"))?);
        ev.digest = Some(sha256_file(&path)?);
        ev.note = Some(format!(
            "{} set imported from {} ({} entries; source: {})",
            header.kind,
            file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
            header.entries(),
            source
        ));
        self.append_events(&[ev])?;
        Ok(header)
    }

    pub fn hashsets(&self) -> Result<Vec<SetHeader>, CoreError> {
        let dir = self.hashset_dir();
        let mut out = Vec::new();
        let Ok(rd) = std::fs::read_dir(&dir) else { return Ok(out) };
        let mut paths: Vec<PathBuf> =
            rd.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "vhs")).collect();
        paths.sort();
        for p in paths {
            out.push(HashSet::open(&p).map_err(|e| CoreError::Refused(e.to_string()))?.header().clone());
        }
        Ok(out)
    }

    pub fn open_hashset(&self, name: &str) -> Result<HashSet, CoreError> {
        let p = self.hashset_path(name)?;
        if !p.exists() {
            return Err(CoreError::Refused(format!("no hash set named {name} (see `vigil hashset list`)")));
        }
        HashSet::open(&p).map_err(|e| CoreError::Refused(e.to_string()))
    }

    pub fn remove_hashset(&mut self, name: &str, actor: &Actor, reason: &str) -> Result<(), CoreError> {
        let p = self.hashset_path(name)?;
        if !p.exists() {
            return Err(CoreError::Refused(format!("no hash set named {name}")));
        }
        let mut ev =
            CustodyEvent::new(EventKind::Deleted, actor.clone(), now(), ObjectRef::parse(&format!("hashset:{name}"))?);
        ev.digest = Some(sha256_file(&p)?);
        ev.reason = Some(reason.to_owned());
        ev.validate()?;
        self.append_events(&[ev])?;
        std::fs::remove_file(&p).map_err(|e| CoreError::file(&p, e))
    }
}
