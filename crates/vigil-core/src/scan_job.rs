//! A forensic scan recorded as evidence: with a case, the scan is bracketed
//! by `scan-started` and `scan-finished` custody events and its report is
//! stored in the vault as an exhibit.

use crate::data_dir::Vigil;
use crate::error::CoreError;
use crate::exhibits::AddedExhibit;
use std::path::{Path, PathBuf};
use vigil_domain::{Actor, CaseId, CustodyEvent, EventKind, Initials, ObjectRef};
use vigil_scan::{escape_path, ScanOutcome, ScanSummary};

/// The custody side of one scan.
pub struct ScanRecord {
    pub id: String,
    pub case: CaseId,
    pub by: Initials,
}

fn counts(s: &ScanSummary) -> String {
    let cats: Vec<String> = s.known_bad_by_category.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    format!(
        "files {}, archive members {}, bytes {}, unhashable {}, known-good {}, known-bad {}{}",
        s.files,
        s.archive_members,
        s.bytes,
        s.unhashable,
        s.known_good,
        s.known_bad,
        if cats.is_empty() { String::new() } else { format!(" ({})", cats.join(", ")) }
    )
}

impl Vigil {
    pub fn scan_started(
        &self,
        case: &CaseId,
        by: &Initials,
        sources: &[PathBuf],
        sets: &[String],
    ) -> Result<ScanRecord, CoreError> {
        let id = crate::scan_queue::random_hex(6)?;
        let srcs: Vec<String> = sources.iter().map(|s| escape_path(s.as_os_str().as_encoded_bytes())).collect();
        let mut ev = CustodyEvent::new(
            EventKind::ScanStarted,
            Actor::from(by),
            self.now(),
            ObjectRef::parse(&format!("scan:{id}"))?,
        );
        ev.case = Some(case.clone());
        let mut note = format!(
            "sources: {}; hash sets: {}",
            srcs.join(" "),
            if sets.is_empty() { "none".into() } else { sets.join(", ") }
        );
        note.truncate(1900);
        ev.note = Some(note);
        self.append_events(&[ev])?;
        Ok(ScanRecord { id, case: case.clone(), by: by.clone() })
    }

    /// Stores the report as an exhibit and closes the scan with its counts.
    pub fn scan_finished(
        &self,
        rec: &ScanRecord,
        report: &Path,
        outcome: &ScanOutcome,
    ) -> Result<AddedExhibit, CoreError> {
        let added =
            self.add_exhibit(report, &rec.case, &rec.by, Some(&format!("forensic scan report, scan {}", rec.id)))?;
        let mut ev = CustodyEvent::new(
            EventKind::ScanFinished,
            Actor::from(&rec.by),
            self.now(),
            ObjectRef::parse(&format!("scan:{}", rec.id))?,
        );
        ev.case = Some(rec.case.clone());
        ev.digest = Some(added.hashes.sha256);
        ev.note = Some(format!("{}; report exhibit {}", counts(&outcome.summary), added.reference));
        self.append_events(&[ev])?;
        Ok(added)
    }
}
