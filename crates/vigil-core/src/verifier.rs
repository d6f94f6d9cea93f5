//! `vigil verify`: re-hash every blob, recompute the Merkle tree from the
//! stored leaves, check every signed head, and cross-check exhibits against
//! the log. Problems are collected, each naming its object or event.

use crate::custody_log::from_head_row;
use crate::data_dir::{read_public_key, Vigil};
use crate::error::CoreError;
use crate::exhibits::wrapped;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use vigil_custody::{leaf_hash, Frontier, LogChecker};
use vigil_domain::{EventKind, ExhibitRef, FileHashes, Sha256Digest};
use vigil_vault::WrappedKey;

const PAGE: u64 = 20_000;

#[derive(Debug, Clone, Default, Serialize)]
pub struct VerifyReport {
    pub events: u64,
    pub heads: u64,
    pub exhibits: u64,
    pub deleted_exhibits: u64,
    pub blobs_checked: u64,
    pub bytes_checked: u64,
    pub case_records: u64,
    pub root: String,
    pub problems: Vec<String>,
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// What the log says about one exhibit.
#[derive(Default)]
struct LoggedExhibit {
    received: Option<(u64, Sha256Digest, Option<FileHashes>)>,
    deleted: Option<u64>,
    /// The grade its latest grading event gave it (reports only).
    grade: Option<(u64, String)>,
}

impl Vigil {
    pub fn verify(&self) -> Result<VerifyReport, CoreError> {
        let mut report = VerifyReport::default();
        let logged = self.verify_log(&mut report)?;
        self.verify_exhibits(&mut report, &logged)?;
        self.verify_grades(&mut report, &logged)?;
        self.verify_case_records(&mut report)?;
        Ok(report)
    }

    /// Every case record against the event written with it: the event must
    /// be about that case, and where it carries a digest (records written
    /// since the digest was added), the stored body must hash to it.
    fn verify_case_records(&self, report: &mut VerifyReport) -> Result<(), CoreError> {
        for (case, _) in self.store.read()?.cases()? {
            for row in self.store.read()?.case_records(&case)? {
                report.case_records += 1;
                let what = format!("case record #{} of case {case}", row.id);
                let Some(ev) = self.store.read()?.events(row.event, 1)?.pop().filter(|e| e.index == row.event) else {
                    report.problems.push(format!("{what}: its custody event #{} is missing", row.event));
                    continue;
                };
                let Ok((_, logged)) = vigil_custody::decode_leaf(&ev.leaf) else { continue };
                if logged.object.as_str() != format!("case:{case}") {
                    report.problems.push(format!("{what}: custody event #{} is about {}", row.event, logged.object));
                    continue;
                }
                if let Some(want) = logged.digest {
                    if crate::case_work::record_digest(&row.body) != want {
                        report.problems.push(format!(
                            "{what}: its body differs from the one logged with custody event #{} (rewritten in the database)",
                            row.event
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    fn verify_log(&self, report: &mut VerifyReport) -> Result<BTreeMap<ExhibitRef, LoggedExhibit>, CoreError> {
        let mut logged: BTreeMap<ExhibitRef, LoggedExhibit> = BTreeMap::new();
        let key = self.signing.verifying_key();
        let file_key = read_public_key(&self.layout.public_key())?;
        if file_key != key {
            report.problems.push(format!("{} does not match the signing key", self.layout.public_key().display()));
        }
        match self.store.read()?.meta("log_public_key")? {
            Some(k) if k == hex::encode(key.as_bytes()) => {}
            _ => report.problems.push("the store's recorded log public key does not match the signing key".into()),
        }
        let heads = self.store.read()?.heads()?;
        let mut next_head = heads.iter().peekable();
        let mut checker = LogChecker::new(key);
        let mut position = 0u64;
        let mut broken = false;
        'pages: loop {
            let page = self.store.read()?.events(position, PAGE)?;
            if page.is_empty() {
                break;
            }
            for row in page {
                if row.index != position {
                    report.problems.push(format!(
                        "event #{position} is missing: the next stored event is #{} (events were deleted)",
                        row.index
                    ));
                    broken = true;
                    break 'pages;
                }
                if leaf_hash(&row.leaf) != row.leaf_hash {
                    report.problems.push(format!(
                        "event #{position}: its stored bytes do not match its leaf hash (the event was altered)"
                    ));
                    broken = true;
                    break 'pages;
                }
                let ev = match checker.add_leaf(&row.leaf) {
                    Ok((_, ev)) => ev,
                    Err(e) => {
                        report.problems.push(e.to_string());
                        broken = true;
                        break 'pages;
                    }
                };
                if ev.kind.as_str() != row.kind
                    || ev.object.as_str() != row.object
                    || ev.actor.as_str() != row.actor
                    || ev.time.unix_millis() != row.time_ms
                {
                    report.problems.push(format!("event #{position}: its query columns disagree with its signed content (kind, object, actor or time was altered)"));
                }
                if let Some(r) = ev.object.as_exhibit() {
                    let entry = logged.entry(r).or_default();
                    match ev.kind {
                        EventKind::Received if entry.received.is_none() => {
                            if let Some(d) = ev.digest {
                                entry.received = Some((position, d, ev.hashes.clone()));
                            }
                        }
                        EventKind::Deleted => entry.deleted = Some(position),
                        // Grades: `graded` events, and before them the
                        // `reviewed` events whose signed note said "graded X".
                        EventKind::Graded | EventKind::Reviewed => {
                            if let Some(g) = ev.note.as_deref().and_then(|n| n.strip_prefix("graded ")) {
                                entry.grade = Some((position, g.to_owned()));
                            }
                        }
                        _ => {}
                    }
                }
                position += 1;
                while let Some(h) = next_head.peek() {
                    if h.tree_size > position {
                        break;
                    }
                    let sth = from_head_row(h);
                    next_head.next();
                    if let Err(e) = checker.check_head(&sth) {
                        report.problems.push(e.to_string());
                        broken = true;
                        break 'pages;
                    }
                }
            }
        }
        report.events = position;
        report.heads = checker.heads_checked();
        report.root = hex::encode(checker.root());
        if !broken {
            if let Some(h) = next_head.next() {
                let sth = from_head_row(h);
                if let Err(e) = checker.check_head(&sth) {
                    report.problems.push(e.to_string());
                }
            } else if let Err(e) = checker.finish() {
                report.problems.push(e.to_string());
            }
            let state = self.store.read()?.log_state()?;
            let frontier = Frontier::from_bytes(&state.frontier);
            if state.size != position {
                report.problems.push(format!(
                    "the log's sequencer records {} events but {position} are stored (events were removed or inserted)",
                    state.size
                ));
            } else if frontier.map(|f| f.root()) != Some(checker.root()) {
                report.problems.push("the log's sequencer frontier does not match the recomputed tree".into());
            }
        }
        Ok(logged)
    }

    /// Each report's stored grade against its latest grading event: a grade
    /// changed in the database (triggers dropped) is named.
    fn verify_grades(
        &self,
        report: &mut VerifyReport,
        logged: &BTreeMap<ExhibitRef, LoggedExhibit>,
    ) -> Result<(), CoreError> {
        for (r, l) in logged {
            let Some(row) = self.store.read()?.report(r)? else { continue };
            match (&row.grade, &l.grade) {
                (None, None) => {}
                (Some(g), Some((_, want))) if g == want => {}
                (Some(g), Some((event, want))) => report.problems.push(format!(
                    "report {r}: its stored grade {g} differs from {want}, the grade in its custody event #{event}"
                )),
                (Some(g), None) => {
                    report.problems.push(format!("report {r}: graded {g}, but no custody event records a grading"))
                }
                (None, Some((event, want))) => report
                    .problems
                    .push(format!("report {r}: no stored grade, but custody event #{event} graded it {want}")),
            }
        }
        Ok(())
    }

    fn verify_exhibits(
        &self,
        report: &mut VerifyReport,
        logged: &BTreeMap<ExhibitRef, LoggedExhibit>,
    ) -> Result<(), CoreError> {
        let rows = self.store.read()?.exhibits()?;
        let mut checked: HashMap<Sha256Digest, Result<FileHashes, String>> = HashMap::new();
        let mut seen = std::collections::BTreeSet::new();
        for row in rows {
            report.exhibits += 1;
            let r = row.reference.clone();
            seen.insert(r.clone());
            let log = logged.get(&r);
            match log.and_then(|l| l.received.as_ref()) {
                None => report.problems.push(format!("exhibit {r}: the custody log has no `received` event for it")),
                Some((idx, digest, hashes)) => {
                    if *idx != row.received_event {
                        report.problems.push(format!(
                            "exhibit {r}: the store says it was received at event #{}, the log says #{idx}",
                            row.received_event
                        ));
                    }
                    let row_hashes = FileHashes {
                        size: row.size,
                        md5: row.md5,
                        sha1: row.sha1,
                        sha256: row.sha256,
                        blake3: row.blake3,
                    };
                    if *digest != row.sha256 || hashes.as_ref().is_some_and(|h| *h != row_hashes) {
                        report.problems.push(format!(
                            "exhibit {r}: the store's hashes differ from those signed in the log at event #{idx}"
                        ));
                    }
                }
            }
            let log_deleted = log.and_then(|l| l.deleted);
            if row.deleted_event != log_deleted {
                report.problems.push(format!(
                    "exhibit {r}: the store and the log disagree on its deletion ({:?} vs {:?})",
                    row.deleted_event, log_deleted
                ));
            }
            if row.deleted_event.is_some() {
                report.deleted_exhibits += 1;
                continue;
            }
            let outcome = match checked.get(&row.sha256) {
                Some(o) => o.clone(),
                None => {
                    let keys: Vec<WrappedKey> = self.store.read()?.keys_for(&row.sha256)?.iter().map(wrapped).collect();
                    let o = self.vault.check(&row.sha256, &keys, &self.master).map_err(|e| e.to_string());
                    if let Ok(h) = &o {
                        report.blobs_checked += 1;
                        report.bytes_checked += h.size;
                    }
                    checked.insert(row.sha256, o.clone());
                    o
                }
            };
            match outcome {
                Err(e) => report.problems.push(format!("exhibit {r}: {e}")),
                Ok(h) => {
                    if h.md5 != row.md5 || h.sha1 != row.sha1 || h.blake3 != row.blake3 || h.size != row.size {
                        report.problems.push(format!(
                            "exhibit {r}: blob {} re-hashes to digests that differ from those recorded",
                            row.sha256
                        ));
                    }
                }
            }
        }
        for r in logged.iter().filter(|(_, l)| l.received.is_some()).map(|(r, _)| r) {
            if !seen.contains(r) {
                report.problems.push(format!(
                    "exhibit {r}: the custody log records it but the store has no record of it (removed?)"
                ));
            }
        }
        Ok(())
    }
}
