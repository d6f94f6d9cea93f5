//! Two recordings of a case compared (the unedited livestream against a
//! version a group posted, say): vPDQ of both, aligned in time order, and
//! the result kept as a report exhibit with a record that attaches it to
//! both recordings. The frames at a cut's edges are shown only when an
//! officer asks, each time an `accessed` event on the recording.
//!
//! FFmpeg reads files, and an MP4 may need to seek, so each recording is
//! opened into a private file (mode 0600, under the data directory, removed
//! when done) for as long as FFmpeg reads it.

use crate::{CoreError, Need, OfficerSession, Vigil};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::PathBuf;
use vigil_domain::{CaseId, CaseRecord, CustodyEvent, EventKind, ExhibitRef, Initials, ObjectRef};
use vigil_video::{compare, hash_video, CompareOptions, HashOptions, Span, VideoError};

/// The report a comparison leaves, as its exhibit holds it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct VideoComparisonReport {
    pub original: String,
    pub original_sha256: String,
    pub original_seconds: f64,
    pub edited: String,
    pub edited_sha256: String,
    pub edited_seconds: f64,
    pub method: String,
    pub match_distance: u32,
    pub missing: Vec<Span>,
    pub inserted: Vec<Span>,
    pub tool: String,
}

impl VideoComparisonReport {
    pub fn summary(&self) -> String {
        let secs = |v: &[Span]| v.iter().fold(0.0, |t, s| t + (s.end - s.start));
        format!(
            "{} cut(s) ({:.0} s of the original missing), {} insertion(s) ({:.0} s added)",
            self.missing.len(),
            secs(&self.missing),
            self.inserted.len(),
            secs(&self.inserted)
        )
    }
}

/// Which recording of a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Original,
    Edited,
}

/// A recording opened for FFmpeg; the file goes when this does.
struct OpenedRecording(PathBuf);

impl Drop for OpenedRecording {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn video_error(reference: &ExhibitRef, e: VideoError) -> CoreError {
    match e {
        VideoError::ToolMissing { .. } => CoreError::Failed(e.to_string()),
        other => CoreError::InvalidInput {
            field: reference.to_string(),
            why: format!("is not a recording FFmpeg can read: {other}"),
        },
    }
}

impl Vigil {
    /// Clear recordings left by a comparison that did not finish (the
    /// process was killed while FFmpeg read them) are removed when the data
    /// directory is next opened. A file still being read by another
    /// process on this directory is kept (it is younger than an hour).
    pub(crate) fn remove_stale_recordings(&self) {
        let Ok(dir) = std::fs::read_dir(self.layout.root.join("tmp")) else { return };
        for e in dir.flatten() {
            let stale = e
                .metadata()
                .ok()
                .and_then(|m| m.modified().ok())
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age > std::time::Duration::from_secs(3600));
            if stale && e.file_name().to_string_lossy().starts_with("recording-") {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }

    fn open_recording(
        &self,
        reference: &ExhibitRef,
        reason: &str,
        actor: &vigil_domain::Actor,
    ) -> Result<OpenedRecording, CoreError> {
        let dir = self.layout.root.join("tmp");
        std::fs::create_dir_all(&dir).map_err(|e| CoreError::file(&dir, e))?;
        let mut name = [0u8; 12];
        getrandom::getrandom(&mut name).map_err(|e| CoreError::Failed(format!("no randomness: {e}")))?;
        let path = dir.join(format!("recording-{}", hex::encode(name)));
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let file = opts.open(&path).map_err(|e| CoreError::file(&path, e))?;
        let opened = OpenedRecording(path);
        let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
        self.stream_exhibit(reference, reason, actor, |chunk| {
            w.write_all(chunk).map_err(|e| CoreError::file(&opened.0, e))
        })?;
        w.flush().map_err(|e| CoreError::file(&opened.0, e))?;
        Ok(opened)
    }

    fn in_case(&self, case: &CaseId, refs: &[ExhibitRef]) -> Result<(), CoreError> {
        // Outside the case answers as if it did not exist.
        match self.first_outside(case, refs)? {
            Some(r) => Err(CoreError::NoSuchExhibit(r.to_string())),
            None => Ok(()),
        }
    }

    /// Compares `edited` with `original` (both recordings of `case`), keeps
    /// the report as an exhibit produced by `by`, and records the
    /// comparison in the case. Returns the record's number and the report.
    pub fn compare_video_exhibits(
        &self,
        case: &CaseId,
        original: &ExhibitRef,
        edited: &ExhibitRef,
        by: &Initials,
        officer: &OfficerSession,
    ) -> Result<(u64, ExhibitRef, VideoComparisonReport), CoreError> {
        let actor = self.case_gate(case, officer, Need::Work)?;
        if original == edited {
            return Err(CoreError::InvalidInput {
                field: "edited".into(),
                why: "compare two different recordings".into(),
            });
        }
        self.in_case(case, &[original.clone(), edited.clone()])?;
        self.check_producer(by, &actor)?;
        let reason = format!("vPDQ comparison of {edited} with {original}");
        let a_file = self.open_recording(original, &reason, &actor)?;
        let b_file = self.open_recording(edited, &reason, &actor)?;
        let opts = HashOptions { seconds_per_hash: 1.0, for_comparison: true };
        let a = hash_video(&a_file.0, opts).map_err(|e| video_error(original, e))?;
        let b = hash_video(&b_file.0, opts).map_err(|e| video_error(edited, e))?;
        drop((a_file, b_file));
        let options = CompareOptions::default();
        let c = compare(&a, &b, options);
        let report = VideoComparisonReport {
            original: original.to_string(),
            original_sha256: self.exhibit_row(original)?.sha256.to_hex(),
            original_seconds: a.end_seconds(),
            edited: edited.to_string(),
            edited_sha256: self.exhibit_row(edited)?.sha256.to_hex(),
            edited_seconds: b.end_seconds(),
            method: "vPDQ (PDQ of one frame a second, decoded by FFmpeg; the picture inside black bars and two \
                     centre crops), one-second grid, global alignment in time order; runs of 2 s or more reported."
                .into(),
            match_distance: options.match_distance,
            missing: c.missing,
            inserted: c.inserted,
            tool: format!("vigil {}", env!("CARGO_PKG_VERSION")),
        };
        let bytes = serde_json::to_vec_pretty(&report).expect("a report serialises");
        let staged = self.stage_blobs(&[&bytes])?;
        let summary = report.summary();
        let (record, reference) = self.write_staged(&staged, |u| {
            let h = u.put_blob(&staged[0])?;
            let note = format!("video comparison of {edited} with {original}: {summary}");
            let reference =
                u.record_exhibit(case, by, Some(format!("comparison-{}.json", edited.number())), Some(&note), h)?;
            // Attached to both recordings: each one's history names the report.
            for r in [original, edited] {
                let mut ev = CustodyEvent::new(EventKind::Reviewed, actor.clone(), u.now, ObjectRef::exhibit(r));
                ev.case = Some(case.clone());
                ev.note = Some(format!("compared ({original} against {edited}): report {reference}"));
                u.log(ev);
            }
            let rec = CaseRecord::VideoComparison {
                original: format!("exhibit:{original}"),
                edited: format!("exhibit:{edited}"),
                report: format!("exhibit:{reference}"),
                summary: summary.clone(),
            };
            let id = u.record_case(case, &rec, &actor)?;
            Ok((id, reference))
        })?;
        Ok((record, reference, report))
    }

    /// A comparison recorded in the case, read from its report exhibit.
    pub fn video_comparison(
        &self,
        case: &CaseId,
        record: u64,
        officer: &OfficerSession,
    ) -> Result<VideoComparisonReport, CoreError> {
        let actor = self.case_gate(case, officer, Need::Read)?;
        let report = self.comparison_record(case, record)?.2;
        let bytes = self.read_exhibit_bytes(&report, "video comparison report", &actor)?;
        serde_json::from_slice(&bytes).map_err(|e| CoreError::Failed(format!("report {report} cannot be read: {e}")))
    }

    /// The frame at `seconds` of one recording of a comparison, as PNG, on
    /// the officer's request (recorded as an `accessed` event on it).
    pub fn comparison_frame(
        &self,
        case: &CaseId,
        record: u64,
        side: Side,
        seconds: f64,
        officer: &OfficerSession,
    ) -> Result<Vec<u8>, CoreError> {
        let actor = self.case_gate(case, officer, Need::Work)?;
        if !seconds.is_finite() || seconds < 0.0 {
            return Err(CoreError::InvalidInput { field: "t".into(), why: "a time in seconds from the start".into() });
        }
        let (original, edited, _) = self.comparison_record(case, record)?;
        let r = if side == Side::Original { original } else { edited };
        let file =
            self.open_recording(&r, &format!("frame at {seconds:.1} s shown on request (video comparison)"), &actor)?;
        vigil_video::frame_png(&file.0, seconds, 320).map_err(|e| video_error(&r, e))
    }

    fn comparison_record(&self, case: &CaseId, record: u64) -> Result<(ExhibitRef, ExhibitRef, ExhibitRef), CoreError> {
        let view = self.case_view_unaudited(case)?;
        let parse = |s: &str| ExhibitRef::parse(s.trim_start_matches("exhibit:")).map_err(CoreError::Invalid);
        view.records
            .iter()
            .find_map(|r| match &r.record {
                CaseRecord::VideoComparison { original, edited, report, .. } if r.id == record => {
                    Some((original.clone(), edited.clone(), report.clone()))
                }
                _ => None,
            })
            .ok_or_else(|| CoreError::Refused(format!("record:{record} is not a video comparison of case {case}")))
            .and_then(|(o, e, r)| Ok((parse(&o)?, parse(&e)?, parse(&r)?)))
    }
}
