//! CPIA disclosure: the MG6C (unused, not sensitive) and MG6D (unused,
//! sensitive) schedules numbered consecutively across both, the MG6E
//! disclosure officer's report, their CSV and PDF forms, and redaction,
//! which makes an edited copy as a new exhibit and never touches the original.

use crate::case_work::{ExhibitListEntry, Need};
use crate::clock::now;
use crate::data_dir::Vigil;
use crate::error::CoreError;
use crate::officers::OfficerSession;
use crate::pdf_table::table_pdf;
use serde::Serialize;
use vigil_domain::{
    CaseId, CaseRecord, CustodyEvent, EventKind, ExhibitRef, Initials, ObjectRef, ProsecutorView, Schedule,
};

#[derive(Debug, Clone, Serialize)]
pub struct ScheduleLine {
    /// Consecutive across MG6C and MG6D.
    pub number: u32,
    pub item: String,
    pub schedule: Schedule,
    pub description: String,
    pub location: String,
    pub sensitivity: Option<String>,
    pub prosecutor: ProsecutorView,
    /// Why the disclosure officer decided so.
    pub reason: String,
    pub decided_by: String,
    pub decided_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Mg6eLine {
    pub item: String,
    pub reason: String,
    pub by: String,
    pub at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Schedules {
    pub case: CaseId,
    pub title: String,
    pub mg6c: Vec<ScheduleLine>,
    pub mg6d: Vec<ScheduleLine>,
    pub mg6e: Vec<Mg6eLine>,
}

/// Largest exhibit redaction will read into memory.
const MAX_REDACT_BYTES: usize = 16 << 20;

/// One CSV field: quoted when needed (RFC 4180), and a leading `= + - @`
/// neutralised so a spreadsheet never runs a cell as a formula.
fn csv_field(s: &str) -> String {
    // A spreadsheet runs a cell starting with these as a formula (tab and
    // carriage return too, in some); a leading quote keeps it text.
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_owned() };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

pub(crate) fn csv(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = headers.iter().map(|h| csv_field(h)).collect::<Vec<_>>().join(",") + "\r\n";
    for r in rows {
        out += &(r.iter().map(|c| csv_field(c)).collect::<Vec<_>>().join(",") + "\r\n");
    }
    out
}

/// A rendered document: its file stem, CSV and PDF.
pub struct Rendered {
    pub stem: &'static str,
    pub csv: String,
    pub pdf: Vec<u8>,
}

impl Schedules {
    fn lines(lines: &[ScheduleLine], sensitive: bool) -> Vec<Vec<String>> {
        lines.iter().map(|l| l.cells(sensitive)).collect()
    }

    /// The documents `render_one` knows.
    pub const STEMS: [&'static str; 3] = ["MG6C", "MG6D", "MG6E"];

    /// MG6C, MG6D and MG6E as CSV and PDF.
    pub fn render(&self) -> Vec<Rendered> {
        Self::STEMS.iter().filter_map(|s| self.render_one(s)).collect()
    }

    /// One schedule as CSV and PDF, by its stem (`MG6C`, `MG6D`, `MG6E`).
    pub fn render_one(&self, stem: &str) -> Option<Rendered> {
        let sub = format!("Case {}: {}", self.case, self.title);
        let decided = "Decided by, when, why";
        let (stem, title, head, widths, rows): (&'static str, &str, Vec<&str>, Vec<f32>, Vec<Vec<String>>) = match stem
        {
            "MG6C" => (
                "MG6C",
                "MG6C Schedule of relevant non-sensitive unused material",
                vec!["No.", "Description", "Location", "Prosecutor (D/I/CND)", decided],
                vec![0.6, 5.0, 2.0, 1.4, 2.4],
                Self::lines(&self.mg6c, false),
            ),
            "MG6D" => (
                "MG6D",
                "MG6D Schedule of relevant sensitive unused material",
                vec!["No.", "Description", "Location", "Reason for sensitivity", "Prosecutor (D/I/CND)", decided],
                vec![0.6, 4.0, 1.6, 3.0, 1.4, 2.4],
                Self::lines(&self.mg6d, true),
            ),
            "MG6E" => (
                "MG6E",
                "MG6E Disclosure officer's report",
                vec!["Item", "Why it might undermine the prosecution or assist the defence", "Recorded by"],
                vec![1.4, 7.0, 2.4],
                self.mg6e
                    .iter()
                    .map(|l| vec![l.item.clone(), l.reason.clone(), format!("{} {}", l.by, l.at)])
                    .collect(),
            ),
            _ => return None,
        };
        Some(Rendered { stem, csv: csv(&head, &rows), pdf: table_pdf(title, &sub, &head, &widths, &rows) })
    }
}

impl ScheduleLine {
    /// The line's cells as the schedules print them: number, description,
    /// location, (the reason for sensitivity on MG6D), the prosecutor's
    /// column, and who decided, when and why.
    pub fn cells(&self, sensitive: bool) -> Vec<String> {
        let mut r = vec![self.number.to_string(), self.description.clone(), self.location.clone()];
        if sensitive {
            r.push(self.sensitivity.clone().unwrap_or_default());
        }
        r.push(self.prosecutor.label().to_owned());
        r.push(format!("{} {}: {}", self.decided_by, self.decided_at, self.reason));
        r
    }
}

/// Printable labels for a case's exhibits (PDF).
pub fn exhibit_labels(case: &CaseId, list: &[ExhibitListEntry]) -> Vec<u8> {
    crate::pdf_labels::labels_pdf(case.as_str(), list)
}

/// The MG12 exhibit list as CSV and PDF.
pub fn render_exhibit_list(case: &CaseId, title: &str, list: &[ExhibitListEntry]) -> Rendered {
    let head = ["Exhibit", "Description", "Producer", "Received", "SHA-256 / MD5", "Continuity"];
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|e| {
            vec![
                e.reference.to_string(),
                e.description.clone(),
                e.producer.clone(),
                e.received.clone(),
                format!("{}\n{}", e.sha256, e.md5),
                e.continuity.join("\n"),
            ]
        })
        .collect();
    Rendered {
        stem: "MG12",
        csv: csv(&head, &rows),
        pdf: table_pdf(
            "MG12 Exhibit list",
            &format!("Case {case}: {title}"),
            &head,
            &[0.8, 2.4, 0.7, 1.6, 3.0, 4.0],
            &rows,
        ),
    }
}

impl Vigil {
    pub fn schedules(&self, case: &CaseId, officer: &OfficerSession) -> Result<Schedules, CoreError> {
        self.audited_read(case, officer, "viewed the disclosure schedules")?;
        self.schedules_unaudited(case)
    }

    pub(crate) fn schedules_unaudited(&self, case: &CaseId) -> Result<Schedules, CoreError> {
        let view = self.case_view_unaudited(case)?;
        let mut s =
            Schedules { case: case.clone(), title: view.title.clone(), mg6c: vec![], mg6d: vec![], mg6e: vec![] };
        let mut number = 0;
        for r in &view.records {
            match &r.record {
                CaseRecord::Scheduled { item, schedule, description, location, sensitivity, prosecutor, reason } => {
                    number += 1;
                    let line = ScheduleLine {
                        number,
                        item: item.clone(),
                        schedule: *schedule,
                        description: description.clone(),
                        location: location.clone(),
                        sensitivity: sensitivity.clone(),
                        prosecutor: *prosecutor,
                        reason: reason.clone(),
                        decided_by: r.by.clone(),
                        decided_at: r.at.clone(),
                    };
                    match schedule {
                        Schedule::Mg6c => s.mg6c.push(line),
                        Schedule::Mg6d => s.mg6d.push(line),
                    }
                }
                CaseRecord::DisclosureTest { item, reason } => s.mg6e.push(Mg6eLine {
                    item: item.clone(),
                    reason: reason.clone(),
                    by: r.by.clone(),
                    at: r.at.clone(),
                }),
                _ => {}
            }
        }
        Ok(s)
    }

    /// Makes a redacted copy of a text exhibit: each term is replaced by
    /// `[REDACTED]` in a new exhibit, linked to the original by a `copied`
    /// event on the original and a redaction record in the case.
    pub fn redact_exhibit(
        &self,
        case: &CaseId,
        original: &ExhibitRef,
        terms: &[String],
        reason: &str,
        by: &Initials,
        officer: &OfficerSession,
    ) -> Result<ExhibitRef, CoreError> {
        let actor = self.case_gate(case, officer, Need::Disclose)?;
        // The public's and partners' producer codes belong to intake alone:
        // a redacted copy must not pass as something a reporter sent.
        if [crate::INTAKE_PRODUCER, crate::PARTNER_PRODUCER].contains(&by.as_str()) {
            return Err(CoreError::InvalidInput {
                field: "producer".into(),
                why: format!("{by} is reserved for intake; give your own initials"),
            });
        }
        let terms: Vec<&str> = terms.iter().map(|t| t.trim()).filter(|t| !t.is_empty()).collect();
        if terms.is_empty() {
            return Err(CoreError::Refused("give at least one term to redact".into()));
        }
        // Need-to-know on the exhibit before any read of it: one from another
        // case answers exactly as one that does not exist, and the attempt
        // is recorded.
        if self.first_outside(case, std::slice::from_ref(original))?.is_some() {
            let mut ev = CustodyEvent::new(EventKind::AccessRefused, actor, now(), ObjectRef::exhibit(original));
            ev.case = Some(case.clone());
            ev.note = Some(format!(
                "{} ({}) asked to redact {original} for case {case}, which does not hold it",
                officer.username, officer.role
            ));
            self.append_events(&[ev])?;
            return Err(CoreError::NoSuchExhibit(original.to_string()));
        }
        let row = self.exhibit(original)?;
        if row.size as usize > MAX_REDACT_BYTES {
            return Err(CoreError::Refused(format!("exhibit {original} is too large to redact here")));
        }
        let bytes =
            self.read_exhibit_bytes(original, &format!("redaction for disclosure in case {case}: {reason}"), &actor)?;
        let text = String::from_utf8(bytes).map_err(|_| {
            CoreError::Refused(format!("exhibit {original} is not text; only text exhibits are redacted here"))
        })?;
        let mut redacted = text;
        let mut count = 0;
        for t in &terms {
            count += redacted.matches(t).count();
            redacted = redacted.replace(t, "[REDACTED]");
        }
        if count == 0 {
            return Err(CoreError::Refused("none of the terms occurs in the exhibit; nothing was made".into()));
        }
        let name = format!("{}-redacted.txt", original.to_string().replace('/', "-"));
        let note = format!("redacted copy of {original} ({count} redaction(s)): {reason}");
        let staged = self.stage_blobs(&[redacted.as_bytes()])?;
        // The copy, the `copied` event on the original and the case record
        // commit together.
        let copy = self.write(|u| {
            let copy = u.record_exhibit(case, by, Some(name), Some(&note), &staged[0])?;
            let mut ev = CustodyEvent::new(EventKind::Copied, actor.clone(), u.now, ObjectRef::exhibit(original));
            ev.case = Some(case.clone());
            ev.note = Some(format!("redacted copy made as exhibit {copy}: {reason}"));
            u.log(ev);
            let record = CaseRecord::Redaction {
                original: original.to_string(),
                redacted: copy.to_string(),
                reason: reason.to_owned(),
            };
            record.validate()?;
            u.record_case(case, &record, &actor)?;
            Ok(copy)
        })?;
        Ok(copy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        let out = csv(&["a", "b"], &[vec!["=1+2".into(), "x,\"y\"\nz".into()]]);
        assert_eq!(out, "a,b\r\n'=1+2,\"x,\"\"y\"\"\nz\"\r\n");
        // Issue 11, finding 8: tab and carriage return were not defused.
        let out = csv(&["a"], &[vec!["\t=cmd".into()], vec!["\r=cmd".into()]]);
        assert_eq!(out, "a\r\n'\t=cmd\r\n\"'\r=cmd\"\r\n");
    }
}
