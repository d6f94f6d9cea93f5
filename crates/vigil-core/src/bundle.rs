//! The case bundle: a directory a prosecutor or a defence expert can check
//! offline with only Vigil's public key. Its audience is explicit: the
//! prosecutor's copy carries the MG6C, MG6D and MG6E and every scheduled
//! item; the copy for service on the defence carries only the MG6C items
//! the prosecutor has decided (no reasoning), the MG12, the used exhibits
//! and the unused items the prosecutor decided to disclose, and never
//! anything sensitive.
//!
//! ```text
//! OUT/manifest.json       what is in the bundle: every file's SHA-256, every exhibit's
//!                         digests and the custody events (index, leaf hash) it must carry
//! OUT/manifest.sig        Ed25519 signature of manifest.json by the log's key
//! OUT/exhibits/PR-1.json  the exhibits for the audience, in clear (or sealed)
//! OUT/proofs/PR-1.json    each event's canonical leaf and its inclusion proof
//! OUT/tree_head.json      the signed tree head every proof leads to
//! OUT/schedules/…         MG6C, MG6D, MG6E (prosecutor) or MG6C (service), and MG12, as CSV and PDF
//! OUT/provenance.jsonld   the CASE/UCO provenance graph
//! ```
//!
//! Verification reports every problem it finds, each naming the file, the
//! exhibit or the event.

use crate::custody_log::from_head_row;
use crate::data_dir::Vigil;
use crate::disclosure::{render_exhibit_list, Audience};
use crate::error::CoreError;
use crate::provenance::{graph, ProvEvent, ProvExhibit};
use ed25519_dalek::{Signature, Signer, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fs;
use std::path::{Component, Path, PathBuf};
use vigil_custody::{decode_leaf, inclusion_proof, leaf_hash, root_of, verify_inclusion, SignedTreeHead};
use vigil_domain::{Actor, CaseId, CustodyEvent, EventKind, ExhibitRef, Initials, ObjectRef, ProsecutorView};

pub const BUNDLE_FORMAT: &str = "vigil-bundle/1";
const SIG_DOMAIN: &[u8] = b"vigil-bundle-manifest-v1\0";
/// Largest manifest or proof file the verifier reads into memory.
const MAX_JSON: u64 = 64 << 20;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestEvent {
    pub index: u64,
    pub leaf_hash: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestExhibit {
    pub reference: String,
    pub path: String,
    pub size: u64,
    pub sha256: String,
    pub md5: String,
    pub sha1: String,
    pub blake3: String,
    pub proofs: String,
    pub events: Vec<ManifestEvent>,
    /// Set when the exhibit was sealed for transfer: the sealed file's size and SHA-256.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed: Option<ManifestFile>,
}

/// How sealed exhibits were encrypted; the passphrase travels separately.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleEncryption {
    pub scheme: String,
    /// 16 bytes, hex: the argon2id salt for the passphrase.
    pub salt: String,
    /// Argon2id's costs (absent in bundles sealed before they were recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kdf: Option<crate::bundle_cipher::KdfParams>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestFile {
    pub path: String,
    pub size: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub format: String,
    pub case: String,
    pub title: String,
    pub created: String,
    pub created_by: String,
    pub tree_head: SignedTreeHead,
    pub exhibits: Vec<ManifestExhibit>,
    pub files: Vec<ManifestFile>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption: Option<BundleEncryption>,
    /// Who the bundle is for. Bundles made before audiences were explicit
    /// carried everything, as the prosecutor's copy does.
    #[serde(default = "prosecutor")]
    pub audience: Audience,
    /// The build that made the bundle (bundles made before builds were
    /// named carry none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build: Option<crate::validation::BuildInfo>,
    /// The latest validation report of this data directory when the bundle
    /// was made (`vigil validate`): its exhibit and SHA-256.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation: Option<crate::validation::ValidationRef>,
}

fn prosecutor() -> Audience {
    Audience::Prosecutor
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProofEvent {
    pub index: u64,
    /// The canonical leaf: the event exactly as it was hashed into the log.
    /// A copy for service carries it only for the exhibit's own `received`,
    /// `copied` and `exported` events; for the rest (who read it and why,
    /// what other cases asked of it) it carries the leaf's hash alone,
    /// which still proves the event is in the log and where.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leaf: Option<String>,
    /// The leaf's hash, hex, when the leaf itself is withheld.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leaf_hash: Option<String>,
    pub audit_path: Vec<String>,
}

/// The events whose leaves a copy for service carries: what the exhibit is
/// and how it travelled, never who else read it or why.
fn served_in_full(kind: EventKind) -> bool {
    matches!(kind, EventKind::Received | EventKind::Copied | EventKind::Exported)
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProofFile {
    pub exhibit: String,
    pub tree_size: u64,
    pub events: Vec<ProofEvent>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BundleSummary {
    pub dir: PathBuf,
    pub exhibits: usize,
    pub events: usize,
    pub files: usize,
    pub tree_size: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct BundleReport {
    pub audience: Audience,
    pub exhibits: usize,
    pub events: usize,
    pub files: usize,
    /// Sealed exhibits whose clear content was not checked (no passphrase given).
    pub sealed_unchecked: usize,
    pub problems: Vec<String>,
}

impl BundleReport {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

fn audience_name(a: Audience) -> &'static str {
    match a {
        Audience::Prosecutor => "prosecutor's",
        Audience::Defence => "service (defence)",
    }
}

/// The version as the provenance graph names the tool: semantic-version
/// build metadata carries the commit (`0.1.0+1a2b3c4d5e6f`).
fn tool_version() -> String {
    format!("{}+{}", vigil_build::BUILD.version, vigil_build::BUILD.short_commit())
}

fn sha256_hex(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

fn file_stem(r: &ExhibitRef) -> String {
    r.to_string().replace('/', "-")
}

/// A safe extension from the exhibit's original name, if it has one.
fn extension(name: Option<&str>) -> String {
    name.and_then(|n| n.rsplit_once('.'))
        .map(|(_, e)| e.to_ascii_lowercase())
        .filter(|e| !e.is_empty() && e.len() <= 8 && e.chars().all(|c| c.is_ascii_alphanumeric()))
        .unwrap_or_else(|| "bin".to_owned())
}

impl Vigil {
    /// Writes a case's bundle for `audience` into `out` (which must not exist).
    /// The prosecutor's copy holds every used and scheduled exhibit and those
    /// on the MG6E; the copy for service holds the used exhibits and the
    /// unused ones the prosecutor decided to disclose.
    pub fn export_bundle(
        &self,
        case: &CaseId,
        out: &Path,
        by: &Initials,
        passphrase: Option<&[u8]>,
        audience: Audience,
    ) -> Result<BundleSummary, CoreError> {
        let sealing = match passphrase {
            Some(p) => {
                let mut salt = [0u8; 16];
                getrandom::getrandom(&mut salt).map_err(|e| CoreError::Refused(format!("no OS randomness: {e}")))?;
                let params = crate::bundle_cipher::KdfParams::CURRENT;
                Some((crate::bundle_cipher::BundleKey::derive_new(p, &salt, params).map_err(CoreError::Refused)?, salt))
            }
            None => None,
        };
        if out.exists() {
            return Err(CoreError::file(out, "already exists; Vigil will not overwrite it"));
        }
        let view = self.case_view_unaudited(case)?;
        let actor = Actor::from(by);
        // Bundles render a frozen version only: the prosecutor's the latest
        // revealed, with the decisions on it; the defence's the version the
        // prosecutor served, exactly as served.
        let schedules = match audience {
            Audience::Prosecutor => crate::disclosure::revealed_version_of(&view, None).ok_or_else(|| {
                CoreError::Refused(format!(
                    "nothing has been revealed to the prosecutor in case {case}: reveal the schedules first"
                ))
            })?,
            Audience::Defence => crate::disclosure_service::served_schedules_of(&view).ok_or_else(|| {
                CoreError::Refused(format!(
                    "case {case} has not been served: service is the prosecutor's act, from a revealed version"
                ))
            })?,
        };
        let used = self.used_exhibits_unaudited(case)?;
        let mut items: Vec<&str> = Vec::new();
        match audience {
            Audience::Prosecutor => {
                items.extend(schedules.mg6c.iter().chain(&schedules.mg6d).map(|l| l.item.as_str()));
                items.extend(schedules.mg6e.iter().map(|l| l.item.as_str()));
            }
            // A redacted copy agreed as the form of disclosure goes instead of its original.
            Audience::Defence => items.extend(schedules.mg6c.iter().filter_map(|l| {
                let d = l.decision.as_ref().filter(|d| d.decision == ProsecutorView::Disclose)?;
                Some(d.disclosed_as.as_deref().unwrap_or(l.item.as_str()))
            })),
        }
        let mut chosen: Vec<ExhibitRef> = used.iter().map(|u| u.entry.reference.clone()).collect();
        for e in items.iter().filter_map(|i| i.strip_prefix("exhibit:")).filter_map(|e| ExhibitRef::parse(e).ok()) {
            if !chosen.contains(&e) {
                chosen.push(e);
            }
        }
        chosen.sort();

        let tmp = PathBuf::from(format!("{}.vigil-part", out.display()));
        if tmp.exists() {
            fs::remove_dir_all(&tmp).map_err(|e| CoreError::file(&tmp, e))?;
        }
        // Only the exporting user may read a bundle on a shared host: the
        // MG6D and the exhibits are sensitive whatever the umask says.
        {
            use std::os::unix::fs::DirBuilderExt;
            let mut dirs = fs::DirBuilder::new();
            dirs.recursive(true).mode(0o700);
            for d in ["", "exhibits", "proofs", "schedules", "timelines"] {
                dirs.create(tmp.join(d)).map_err(|e| CoreError::file(tmp.join(d), e))?;
            }
        }
        let write = |rel: &str, bytes: &[u8]| -> Result<ManifestFile, CoreError> {
            use std::io::Write;
            use std::os::unix::fs::OpenOptionsExt;
            let p = tmp.join(rel);
            fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&p)
                .and_then(|mut f| f.write_all(bytes))
                .map_err(|e| CoreError::file(&p, e))?;
            Ok(ManifestFile { path: rel.to_owned(), size: bytes.len() as u64, sha256: sha256_hex(bytes) })
        };
        let mut files = Vec::new();
        for r in schedules
            .render_for(audience)
            .into_iter()
            .chain(std::iter::once(render_exhibit_list(&schedules.heading(), &used)))
        {
            files.push(write(&format!("schedules/{}.csv", r.stem), r.csv.as_bytes())?);
            files.push(write(&format!("schedules/{}.pdf", r.stem), &r.pdf)?);
        }

        // The exhibits, each read (an audited access), then one `exported` event each.
        let mut rows = Vec::new();
        for e in &chosen {
            let row = self.exhibit(e)?;
            let rel = format!("exhibits/{}.{}", file_stem(e), extension(row.original_name.as_deref()));
            let reason = format!("{} bundle for case {case}", audience_name(audience));
            let sealed = match &sealing {
                // Sealed straight from the vault's reader: no clear byte of a
                // sealed bundle ever reaches the disk.
                Some((key, _)) => {
                    let sealed_rel = format!("{rel}.vgx");
                    let path = tmp.join(&sealed_rel);
                    let mut sealer =
                        crate::bundle_cipher::Sealer::create(&path, key).map_err(|e| CoreError::file(&path, e))?;
                    self.stream_exhibit(e, &reason, &actor, |chunk| {
                        sealer.push(chunk).map_err(|e| CoreError::file(&path, e))
                    })?;
                    sealer.finish().map_err(|e| CoreError::file(&path, e))?;
                    let (size, sha256) = hash_file(&path).map_err(|e| CoreError::file(&path, e))?;
                    Some(ManifestFile { path: sealed_rel, size, sha256 })
                }
                None => {
                    self.get_exhibit(e, &tmp.join(&rel), &reason, &actor)?;
                    None
                }
            };
            rows.push((row, rel, sealed));
        }
        // A chat timeline travels also as the table people read: CSV, and a
        // PDF up to its size limit, drawn from the same rows; sealed like
        // the exhibits when the bundle is.
        for e in &chosen {
            if self.store.read()?.chat_timeline(e)?.is_none() {
                continue;
            }
            let reason = format!("{} bundle for case {case}: timeline as a table", audience_name(audience));
            let table = self.timeline_table(e, &reason, &actor)?;
            let mut renderings = vec![("csv", table.csv().into_bytes())];
            if table.rows.len() <= crate::chat_view::MAX_PDF_MESSAGES {
                renderings.push(("pdf", table.pdf()?));
            }
            for (ext, bytes) in renderings {
                let rel = format!("timelines/{}.{ext}", file_stem(e));
                match &sealing {
                    Some((key, _)) => {
                        let sealed_rel = format!("{rel}.vgx");
                        let path = tmp.join(&sealed_rel);
                        let mut sealer =
                            crate::bundle_cipher::Sealer::create(&path, key).map_err(|e| CoreError::file(&path, e))?;
                        sealer.push(&bytes).map_err(|e| CoreError::file(&path, e))?;
                        sealer.finish().map_err(|e| CoreError::file(&path, e))?;
                        let (size, sha256) = hash_file(&path).map_err(|e| CoreError::file(&path, e))?;
                        files.push(ManifestFile { path: sealed_rel, size, sha256 });
                    }
                    None => files.push(write(&rel, &bytes)?),
                }
            }
        }
        let t = self.now();
        let exports: Vec<CustodyEvent> = chosen
            .iter()
            .zip(&rows)
            .map(|(e, (row, _, _))| {
                let mut ev = CustodyEvent::new(EventKind::Exported, actor.clone(), t, ObjectRef::exhibit(e));
                ev.case = Some(case.clone());
                ev.digest = Some(row.sha256);
                ev.note = Some(format!("in the {} bundle for case {case}", audience_name(audience)));
                ev
            })
            .collect();
        if !exports.is_empty() {
            self.append_events(&exports)?;
        }

        // Proofs against the head that now covers every event, exports included.
        let head =
            self.store.read()?.latest_head()?.ok_or_else(|| CoreError::Log("the log has no signed head yet".into()))?;
        let leaves = self.store.read()?.leaf_hashes(head.tree_size)?;
        if leaves.len() as u64 != head.tree_size || root_of(&leaves) != head.root {
            return Err(CoreError::Log(
                "the stored leaves do not match the latest signed head; run `vigil verify`".into(),
            ));
        }
        let sth = from_head_row(&head);
        let mut exhibits = Vec::new();
        let mut prov_exhibits = Vec::new();
        let mut prov_events = Vec::new();
        for (row, rel, sealed) in &rows {
            let mut proof = ProofFile { exhibit: row.reference.to_string(), tree_size: head.tree_size, events: vec![] };
            let mut listed = Vec::new();
            for ev in self.store.read()?.events_for_object(ObjectRef::exhibit(&row.reference).as_str())? {
                if ev.index >= head.tree_size {
                    continue;
                }
                let path = inclusion_proof(&leaves, ev.index as usize).map_err(|e| CoreError::Log(e.to_string()))?;
                let leaf = String::from_utf8(ev.leaf.clone())
                    .map_err(|_| CoreError::Log(format!("event #{} is not UTF-8", ev.index)))?;
                let (_, decoded) =
                    decode_leaf(&ev.leaf).map_err(|e| CoreError::Log(format!("event #{}: {e}", ev.index)))?;
                let in_full = audience == Audience::Prosecutor || served_in_full(decoded.kind);
                if in_full {
                    prov_events.push(ProvEvent {
                        index: ev.index,
                        exhibit: row.reference.to_string(),
                        kind: decoded.kind.to_string(),
                        actor: decoded.actor.as_str().to_owned(),
                        time: decoded.time.to_string(),
                        note: decoded.note.clone(),
                    });
                }
                listed.push(ManifestEvent { index: ev.index, leaf_hash: hex::encode(ev.leaf_hash) });
                proof.events.push(ProofEvent {
                    index: ev.index,
                    leaf: in_full.then_some(leaf),
                    leaf_hash: (!in_full).then(|| hex::encode(ev.leaf_hash)),
                    audit_path: path.iter().map(hex::encode).collect(),
                });
            }
            let proof_rel = format!("proofs/{}.json", file_stem(&row.reference));
            files.push(write(&proof_rel, &serde_json::to_vec_pretty(&proof).expect("a proof serialises"))?);
            exhibits.push(ManifestExhibit {
                reference: row.reference.to_string(),
                path: sealed.as_ref().map_or_else(|| rel.clone(), |s| s.path.clone()),
                sealed: sealed.clone(),
                size: row.size,
                sha256: row.sha256.to_hex(),
                md5: row.md5.to_hex(),
                sha1: row.sha1.to_hex(),
                blake3: row.blake3.to_hex(),
                proofs: proof_rel,
                events: listed,
            });
            prov_exhibits.push(ProvExhibit {
                reference: row.reference.to_string(),
                file_name: rel.rsplit('/').next().unwrap_or(rel).to_owned(),
                size: row.size,
                md5: row.md5.to_hex(),
                sha1: row.sha1.to_hex(),
                sha256: row.sha256.to_hex(),
            });
        }
        let prov = graph(case.as_str(), &view.title, &tool_version(), &prov_exhibits, &prov_events);
        files.push(write("provenance.jsonld", &serde_json::to_vec_pretty(&prov).expect("the graph serialises"))?);
        files.push(write("tree_head.json", &serde_json::to_vec_pretty(&sth).expect("a head serialises"))?);
        let manifest = Manifest {
            format: BUNDLE_FORMAT.into(),
            case: case.to_string(),
            title: view.title.clone(),
            created: t.to_string(),
            created_by: actor.as_str().to_owned(),
            tree_head: sth,
            exhibits,
            files,
            encryption: sealing.as_ref().map(|(_, salt)| BundleEncryption {
                scheme: "argon2id+xchacha20poly1305-1MiB-chunks".into(),
                salt: hex::encode(salt),
                kdf: Some(crate::bundle_cipher::KdfParams::CURRENT),
            }),
            audience,
            build: Some(crate::validation::BuildInfo::this()),
            validation: self.latest_validation()?,
        };
        let bytes = serde_json::to_vec_pretty(&manifest).expect("a manifest serialises");
        let sig = self.signing.sign(&[SIG_DOMAIN, &bytes].concat());
        write("manifest.json", &bytes)?;
        write("manifest.sig", (hex::encode(sig.to_bytes()) + "\n").as_bytes())?;
        fs::rename(&tmp, out).map_err(|e| CoreError::file(out, e))?;
        Ok(BundleSummary {
            dir: out.to_owned(),
            exhibits: manifest.exhibits.len(),
            events: manifest.exhibits.iter().map(|e| e.events.len()).sum(),
            files: manifest.files.len() + manifest.exhibits.len() + 2,
            tree_size: head.tree_size,
        })
    }
}

/// A path from the manifest, refused if it could leave the bundle.
fn inside(dir: &Path, rel: &str) -> Option<PathBuf> {
    let p = Path::new(rel);
    p.components().all(|c| matches!(c, Component::Normal(_))).then(|| dir.join(p))
}

fn read_limited(p: &Path) -> Result<Vec<u8>, String> {
    let meta = fs::metadata(p).map_err(|e| format!("{}: {e}", p.display()))?;
    if meta.len() > MAX_JSON {
        return Err(format!("{}: larger than {MAX_JSON} bytes", p.display()));
    }
    fs::read(p).map_err(|e| format!("{}: {e}", p.display()))
}

fn hash_file(p: &Path) -> std::io::Result<(u64, String)> {
    use std::io::Read;
    let mut f = fs::File::open(p)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut n = 0u64;
    loop {
        let k = f.read(&mut buf)?;
        if k == 0 {
            break;
        }
        n += k as u64;
        h.update(&buf[..k]);
    }
    Ok((n, hex::encode(h.finalize())))
}

/// Checks a bundle offline with the log's public key; every problem is named.
pub fn verify_bundle(dir: &Path, key: &VerifyingKey, passphrase: Option<&[u8]>) -> Result<BundleReport, CoreError> {
    let mut problems = Vec::new();
    let manifest_bytes = read_limited(&dir.join("manifest.json")).map_err(CoreError::Refused)?;
    let sig_text =
        fs::read_to_string(dir.join("manifest.sig")).map_err(|e| CoreError::file(dir.join("manifest.sig"), e))?;
    let mut sig = [0u8; 64];
    if hex::decode_to_slice(sig_text.trim(), &mut sig).is_err()
        || key.verify_strict(&[SIG_DOMAIN, &manifest_bytes].concat(), &Signature::from_bytes(&sig)).is_err()
    {
        problems.push("manifest.json: its signature (manifest.sig) does not verify under the public key".to_owned());
    }
    let manifest: Manifest = serde_json::from_slice(&manifest_bytes)
        .map_err(|e| CoreError::Refused(format!("manifest.json is malformed: {e}")))?;
    if manifest.format != BUNDLE_FORMAT {
        problems.push(format!("manifest.json: format {:?} is not {BUNDLE_FORMAT}", manifest.format));
    }
    let head = manifest.tree_head;
    if head.verify(key).is_err() {
        problems.push(format!("manifest.json: the signed tree head at size {} does not verify", head.head.tree_size));
    }
    let mut events = 0;
    let mut sealed_unchecked = 0;
    let bundle_key = match (&manifest.encryption, passphrase) {
        (Some(enc), Some(p)) => {
            let mut salt = [0u8; 16];
            hex::decode_to_slice(&enc.salt, &mut salt)
                .map_err(|_| CoreError::Refused("manifest.json: the encryption salt is malformed".into()))?;
            let params = enc.kdf.unwrap_or(crate::bundle_cipher::KdfParams::BEFORE_RECORDED);
            let key = crate::bundle_cipher::BundleKey::derive(p, &salt, params)
                .map_err(|e| CoreError::Refused(format!("manifest.json: {e}")))?;
            Some(key)
        }
        _ => None,
    };
    for x in &manifest.exhibits {
        // A sealed exhibit: the sealed file as shipped, then (with the
        // passphrase) its clear content against the signed digest.
        if let Some(s) = &x.sealed {
            match inside(dir, &s.path) {
                None => problems.push(format!("exhibit {}: path {:?} leaves the bundle", x.reference, s.path)),
                Some(p) => {
                    match hash_file(&p) {
                        Err(e) => problems.push(format!("{} (exhibit {}): {e}", s.path, x.reference)),
                        Ok((size, sha)) if size != s.size || sha != s.sha256 => problems.push(format!(
                            "{} (exhibit {}): sealed content differs from the manifest (SHA-256 {sha})",
                            s.path, x.reference
                        )),
                        Ok(_) => {}
                    }
                    match &bundle_key {
                        None => sealed_unchecked += 1,
                        Some(k) => match crate::bundle_cipher::open_and_hash(&p, k) {
                            Err(e) => problems.push(format!("{} (exhibit {}): {e}", s.path, x.reference)),
                            Ok((size, sha)) if size != x.size || sha != x.sha256 => problems.push(format!(
                                "{} (exhibit {}): decrypted content differs from the manifest (SHA-256 {sha})",
                                s.path, x.reference
                            )),
                            Ok(_) => {}
                        },
                    }
                }
            }
        }
        // The exhibit's bytes.
        match inside(dir, &x.path).filter(|_| x.sealed.is_none()) {
            None if x.sealed.is_some() => {}
            None => problems.push(format!("exhibit {}: path {:?} leaves the bundle", x.reference, x.path)),
            Some(p) => match hash_file(&p) {
                Err(e) => problems.push(format!("{} (exhibit {}): {e}", x.path, x.reference)),
                Ok((size, sha)) if size != x.size || sha != x.sha256 => problems.push(format!(
                    "{} (exhibit {}): content differs from the manifest (SHA-256 {sha}, {size} bytes; expected {}, {} bytes)",
                    x.path, x.reference, x.sha256, x.size
                )),
                Ok(_) => {}
            },
        }
        // Its events: every one listed must be in the proof file, hash to its
        // listed leaf hash, and lead to the signed root.
        let proof: Option<ProofFile> = match inside(dir, &x.proofs).map(|p| read_limited(&p)) {
            None => {
                problems.push(format!("exhibit {}: proofs path {:?} leaves the bundle", x.reference, x.proofs));
                None
            }
            Some(Err(e)) => {
                problems.push(e);
                None
            }
            Some(Ok(b)) => match serde_json::from_slice(&b) {
                Ok(p) => Some(p),
                Err(e) => {
                    problems.push(format!("{}: malformed: {e}", x.proofs));
                    None
                }
            },
        };
        let Some(proof) = proof else { continue };
        let mut received_digest = None;
        for want in &x.events {
            events += 1;
            let Some(pe) = proof.events.iter().find(|e| e.index == want.index) else {
                problems.push(format!("event #{} (exhibit {}) is missing from {}", want.index, x.reference, x.proofs));
                continue;
            };
            let lh = match (&pe.leaf, &pe.leaf_hash) {
                (Some(leaf), _) => leaf_hash(leaf.as_bytes()),
                (None, Some(h)) => {
                    let mut b = [0u8; 32];
                    if hex::decode_to_slice(h, &mut b).is_err() {
                        problems
                            .push(format!("event #{} (exhibit {}): its leaf hash is malformed", pe.index, x.reference));
                        continue;
                    }
                    b
                }
                (None, None) => {
                    problems.push(format!(
                        "event #{} (exhibit {}): {} carries neither its leaf nor its hash",
                        pe.index, x.reference, x.proofs
                    ));
                    continue;
                }
            };
            if hex::encode(lh) != want.leaf_hash {
                problems.push(format!(
                    "event #{} (exhibit {}): its leaf in {} was altered",
                    want.index, x.reference, x.proofs
                ));
                continue;
            }
            let path: Result<Vec<[u8; 32]>, _> = pe
                .audit_path
                .iter()
                .map(|h| {
                    let mut b = [0u8; 32];
                    hex::decode_to_slice(h, &mut b).map(|_| b)
                })
                .collect();
            let ok = path
                .ok()
                .is_some_and(|p| verify_inclusion(pe.index, head.head.tree_size, &lh, &p, &head.head.root).is_ok());
            if !ok {
                problems.push(format!(
                    "event #{} (exhibit {}): its inclusion proof does not lead to the signed root",
                    want.index, x.reference
                ));
            }
            let Some(leaf) = &pe.leaf else { continue };
            match decode_leaf(leaf.as_bytes()) {
                Ok((index, ev)) => {
                    if manifest.audience == Audience::Defence && !served_in_full(ev.kind) {
                        problems.push(format!(
                            "event #{} (exhibit {}): a copy for service carries the leaf of a `{}` event; \
                             only its hash belongs there",
                            pe.index, x.reference, ev.kind
                        ));
                    }
                    if index != pe.index {
                        problems.push(format!("event #{}: its leaf says it is event #{index}", pe.index));
                    }
                    if ev.object.as_exhibit().map(|r| r.to_string()).as_deref() != Some(x.reference.as_str()) {
                        problems.push(format!("event #{} is not about exhibit {}", pe.index, x.reference));
                    }
                    if ev.kind == EventKind::Received {
                        received_digest = ev.digest.map(|d| d.to_hex());
                    }
                }
                Err(e) => problems.push(format!("event #{} (exhibit {}): {e}", pe.index, x.reference)),
            }
        }
        if proof.events.len() > x.events.len() {
            problems.push(format!("{}: holds events the manifest does not list", x.proofs));
        }
        if received_digest.as_deref() != Some(x.sha256.as_str()) {
            problems.push(format!(
                "exhibit {}: the SHA-256 signed in its `received` event does not match the manifest",
                x.reference
            ));
        }
    }
    for f in &manifest.files {
        match inside(dir, &f.path) {
            None => problems.push(format!("manifest.json: path {:?} leaves the bundle", f.path)),
            Some(p) => match hash_file(&p) {
                Err(e) => problems.push(format!("{}: {e}", f.path)),
                Ok((size, sha)) if size != f.size || sha != f.sha256 => {
                    problems.push(format!("{}: content differs from the manifest (SHA-256 {sha})", f.path))
                }
                Ok(_) => {}
            },
        }
    }
    // A copy for service must hold nothing only the prosecutor may see.
    if manifest.audience == Audience::Defence {
        for f in &manifest.files {
            let name = f.path.rsplit('/').next().unwrap_or(&f.path);
            if name.starts_with("MG6D") || name.starts_with("MG6E") {
                problems.push(format!("{}: a bundle for service on the defence must not carry it", f.path));
            }
        }
    }
    Ok(BundleReport {
        audience: manifest.audience,
        exhibits: manifest.exhibits.len(),
        events,
        files: manifest.files.len(),
        sealed_unchecked,
        problems,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_paths_cannot_leave_the_bundle() {
        let d = Path::new("/b");
        assert!(inside(d, "exhibits/PR-1.json").is_some());
        assert!(inside(d, "../etc/passwd").is_none());
        assert!(inside(d, "/etc/passwd").is_none());
        assert!(inside(d, "exhibits/../../x").is_none());
    }

    #[test]
    fn extensions_are_kept_only_when_plain() {
        assert_eq!(extension(Some("chat.TXT")), "txt");
        assert_eq!(extension(Some("x.tar.gz")), "gz");
        assert_eq!(extension(Some("weird.a/b")), "bin");
        assert_eq!(extension(None), "bin");
    }
}
