//! The data directory's hash sets (`hashsets/NAME.vhs`). Importing or
//! removing a set appends a custody event with the set file's SHA-256, so
//! which sets a scan was matched against can be proved later.

use crate::data_dir::Vigil;
use crate::error::CoreError;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use vigil_domain::{Actor, CustodyEvent, EventKind, ObjectRef, Sha256Digest};
use vigil_hashset::{import, Category, HashSet, ImportFormat, ImportOptions, SetHeader, SetKind};
use vigil_pdq::{parse_pdq_lines, PdqIndex};
use vigil_scan::PdqSet;

/// A hash set as listed: exact (digest) or perceptual (PDQ).
#[derive(Debug, Clone, serde::Serialize)]
pub struct HashSetInfo {
    pub name: String,
    pub kind: SetKind,
    pub source: String,
    pub entries: u64,
    /// `md5`, `sha1`, `sha256`, `blake3` or `pdq`, with counts.
    pub algorithms: Vec<(String, u64)>,
    pub created: String,
}

/// What `vigil hashset import --format pdq` asks for.
#[derive(Debug, Clone, Copy)]
pub struct PdqSetImport<'a> {
    pub name: &'a str,
    pub file: &'a Path,
    pub kind: SetKind,
    /// The category of lines that carry none.
    pub default_category: Category,
    pub source: &'a str,
    pub replace: bool,
}

/// What a PDQ set file records about itself.
#[derive(serde::Serialize, serde::Deserialize)]
struct PdqMeta {
    name: String,
    kind: SetKind,
    source: String,
    created: String,
}

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

    pub fn import_hashset(&self, req: &HashSetImport<'_>, actor: &Actor) -> Result<SetHeader, CoreError> {
        let HashSetImport { name, file, format, options: opts, source, replace } = *req;
        let path = self.hashset_path(name)?;
        if path.exists() && !replace {
            return Err(CoreError::Refused(format!("hash set {name} already exists (use --replace to re-import it)")));
        }
        let builder = import(file, format, opts).map_err(|e| CoreError::Refused(e.to_string()))?;
        std::fs::create_dir_all(self.hashset_dir()).map_err(|e| CoreError::file(self.hashset_dir(), e))?;
        let t = self.now();
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

    pub fn hashsets(&self) -> Result<Vec<HashSetInfo>, CoreError> {
        let dir = self.hashset_dir();
        let mut out = Vec::new();
        let Ok(rd) = std::fs::read_dir(&dir) else { return Ok(out) };
        let mut paths: Vec<PathBuf> = rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "vhs" || x == "vpi"))
            .collect();
        paths.sort();
        for p in paths {
            if p.extension().is_some_and(|x| x == "vpi") {
                let (idx, meta) = load_pdq(&p)?;
                out.push(HashSetInfo {
                    name: meta.name,
                    kind: meta.kind,
                    source: meta.source,
                    entries: idx.len() as u64,
                    algorithms: vec![("pdq".into(), idx.len() as u64)],
                    created: meta.created,
                });
            } else {
                let h: SetHeader = HashSet::open(&p).map_err(|e| CoreError::Refused(e.to_string()))?.header().clone();
                out.push(HashSetInfo {
                    name: h.name.clone(),
                    kind: h.kind,
                    source: h.source.clone(),
                    entries: h.entries(),
                    algorithms: h.tables.iter().map(|t| (t.algo.to_string(), t.count)).collect(),
                    created: h.created.clone(),
                });
            }
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

    fn pdq_path(&self, name: &str) -> Result<PathBuf, CoreError> {
        check_name(name)?;
        Ok(self.hashset_dir().join(format!("{name}.vpi")))
    }

    /// Opens sets by name, exact and PDQ alike, for a scan.
    pub fn open_sets(&self, names: &[String]) -> Result<(Vec<HashSet>, Vec<PdqSet>), CoreError> {
        let (mut exact, mut pdq) = (Vec::new(), Vec::new());
        for n in names {
            let p = self.pdq_path(n)?;
            if p.exists() {
                let (index, meta) = load_pdq(&p)?;
                pdq.push(PdqSet { name: meta.name, kind: meta.kind, index });
            } else {
                exact.push(self.open_hashset(n)?);
            }
        }
        Ok((exact, pdq))
    }

    /// Imports a PDQ set from ThreatExchange-style lines (`hex[,quality[,category]]`).
    pub fn import_pdq_set(&self, req: &PdqSetImport<'_>, actor: &Actor) -> Result<HashSetInfo, CoreError> {
        let PdqSetImport { name, file, kind, default_category, source, replace } = *req;
        let path = self.pdq_path(name)?;
        if (path.exists() || self.hashset_path(name)?.exists()) && !replace {
            return Err(CoreError::Refused(format!("hash set {name} already exists (use --replace to re-import it)")));
        }
        let text = std::fs::read_to_string(file).map_err(|e| CoreError::file(file, e))?;
        let entries = parse_pdq_lines(&text, default_category.as_str()).map_err(|e| CoreError::file(file, e))?;
        if entries.is_empty() {
            return Err(CoreError::file(file, "holds no PDQ hashes"));
        }
        if let Some(bad) = entries.iter().map(|e| e.label.as_str()).find(|l| Category::parse(l).is_none()) {
            return Err(CoreError::file(file, format!("category {bad:?} is not A, B, C or other")));
        }
        let index = PdqIndex::build(&entries);
        std::fs::create_dir_all(self.hashset_dir()).map_err(|e| CoreError::file(self.hashset_dir(), e))?;
        let t = self.now();
        let meta = PdqMeta { name: name.into(), kind, source: source.into(), created: t.to_string() };
        let tmp = path.with_extension("vpi-part");
        let f = std::fs::File::create(&tmp).map_err(|e| CoreError::file(&tmp, e))?;
        let mut w = std::io::BufWriter::new(f);
        index
            .save(&mut w, &serde_json::to_string(&meta).expect("meta serialises"))
            .map_err(|e| CoreError::file(&tmp, e))?;
        let f = w.into_inner().map_err(|e| CoreError::file(&tmp, e.error()))?;
        f.sync_all().map_err(|e| CoreError::file(&tmp, e))?;
        std::fs::rename(&tmp, &path).map_err(|e| CoreError::file(&path, e))?;
        let mut ev =
            CustodyEvent::new(EventKind::Created, actor.clone(), t, ObjectRef::parse(&format!("hashset:{name}"))?);
        ev.digest = Some(sha256_file(&path)?);
        ev.note = Some(format!("{kind} PDQ set imported ({} hashes; source: {source})", index.len()));
        self.append_events(&[ev])?;
        Ok(HashSetInfo {
            name: name.into(),
            kind,
            source: source.into(),
            entries: index.len() as u64,
            algorithms: vec![("pdq".into(), index.len() as u64)],
            created: meta.created,
        })
    }

    pub fn remove_hashset(&self, name: &str, actor: &Actor, reason: &str) -> Result<(), CoreError> {
        let p = match self.pdq_path(name)? {
            p if p.exists() => p,
            _ => self.hashset_path(name)?,
        };
        if !p.exists() {
            return Err(CoreError::Refused(format!("no hash set named {name}")));
        }
        let mut ev = CustodyEvent::new(
            EventKind::Deleted,
            actor.clone(),
            self.now(),
            ObjectRef::parse(&format!("hashset:{name}"))?,
        );
        ev.digest = Some(sha256_file(&p)?);
        ev.reason = Some(reason.to_owned());
        ev.validate()?;
        self.append_events(&[ev])?;
        std::fs::remove_file(&p).map_err(|e| CoreError::file(&p, e))
    }
}

fn load_pdq(path: &Path) -> Result<(PdqIndex, PdqMeta), CoreError> {
    let f = std::fs::File::open(path).map_err(|e| CoreError::file(path, e))?;
    let (idx, meta) =
        PdqIndex::load(&mut std::io::BufReader::with_capacity(1 << 20, f)).map_err(|e| CoreError::file(path, e))?;
    let meta: PdqMeta = serde_json::from_str(&meta).map_err(|e| CoreError::file(path, format!("set metadata: {e}")))?;
    Ok((idx, meta))
}
