//! What the prosecutor works with beyond the schedules (CPIA Code Part 7,
//! AG's Guidelines): inspection of any item of a revealed version or of the
//! MG12, each read recorded as `accessed`; the disclosure management
//! document, the lines of inquiry and digital strategies; the defence
//! statements and the reviews answering them. An item the prosecutor may
//! not inspect answers exactly as one that does not exist, and the attempt
//! is recorded.

use crate::case_work::{CaseView, Need, RecordView};
use crate::data_dir::Vigil;
use crate::disclosure::revealed_version_of;
use crate::error::CoreError;
use crate::officers::OfficerSession;
use serde::Serialize;
use vigil_domain::{CaseId, CaseRecord, CustodyEvent, EventKind, ExhibitRef, ObjectRef, Role};

/// Largest exhibit shown as text when inspected.
const MAX_INSPECT_BYTES: u64 = 1 << 20;

/// One item as inspected.
#[derive(Debug, Clone, Serialize)]
pub struct Inspection {
    pub item: String,
    pub description: String,
    /// The content as text, when it is text and small enough to show.
    pub text: Option<String>,
    /// What the content is, when it is not shown as text.
    pub note: String,
}

/// Whether `item` is on any version revealed to the prosecutor, on its
/// MG6E, or used material: what the prosecutor may inspect.
fn prosecutor_may_inspect(view: &CaseView, item: &str) -> bool {
    let revealed = view.records.iter().any(|r| match &r.record {
        CaseRecord::Revealed { mg6c, mg6d, mg6e, .. } => {
            mg6c.iter().chain(mg6d).any(|l| l.item == item) || mg6e.iter().flatten().any(|t| t.item == item)
        }
        _ => false,
    });
    revealed
        || view.records.iter().any(|r| matches!(&r.record, CaseRecord::ExhibitUsed { exhibit, .. } if exhibit == item))
}

/// Records the prosecutor reads in their workspace (the redaction log among
/// them, so a redacted copy is agreed as a form of disclosure knowing what
/// was removed and why).
fn for_the_prosecutor(r: &CaseRecord) -> bool {
    matches!(
        r,
        CaseRecord::DisclosureManagement { .. }
            | CaseRecord::LineOfInquiry { .. }
            | CaseRecord::GroupOffence { .. }
            | CaseRecord::DigitalStrategy { .. }
            | CaseRecord::DefenceStatement { .. }
            | CaseRecord::DisclosureReview { .. }
            | CaseRecord::Redaction { .. }
            | CaseRecord::Served { .. }
    )
}

impl Vigil {
    /// An item of the case, inspected: for a prosecutor, any item of a
    /// revealed version or of the MG12; for the case's officers, any item.
    pub fn inspect_item(&self, case: &CaseId, item: &str, officer: &OfficerSession) -> Result<Inspection, CoreError> {
        let prosecutor = officer.role == Role::Prosecutor;
        let actor = self.case_gate(case, officer, if prosecutor { Need::Prosecute } else { Need::Read })?;
        let view = self.case_view_unaudited(case)?;
        let not_found = || match item.strip_prefix("exhibit:") {
            Some(r) => CoreError::NoSuchExhibit(r.to_owned()),
            None => CoreError::NoSuchItem { case: case.to_string(), item: item.chars().take(40).collect() },
        };
        let hidden = |r: &CaseRecord| {
            matches!(r, CaseRecord::HighlySensitive { .. }) && !crate::case_work::sees_highly_sensitive(&view, officer)
        };
        let allowed = !prosecutor || prosecutor_may_inspect(&view, item);
        let record = item
            .strip_prefix("record:")
            .and_then(|n| n.parse::<u64>().ok())
            .and_then(|n| view.records.iter().find(|r| r.id == n && !hidden(&r.record)));
        let exhibit = match item.strip_prefix("exhibit:").map(ExhibitRef::parse) {
            Some(Ok(e)) if self.first_outside(case, std::slice::from_ref(&e))?.is_none() => Some(e),
            _ => None,
        };
        if !allowed || (record.is_none() && exhibit.is_none()) {
            let object = match &exhibit {
                Some(e) => ObjectRef::exhibit(e),
                None => ObjectRef::parse(&format!("case:{case}"))?,
            };
            let mut ev = CustodyEvent::new(EventKind::AccessRefused, actor, self.now(), object);
            ev.case = Some(case.clone());
            ev.note = Some(format!("{} ({}) asked to inspect {item}", officer.username, officer.role));
            self.append_events(&[ev])?;
            return Err(not_found());
        }
        let reason = format!("inspected {item} for disclosure in case {case}");
        if let Some(r) = record {
            self.log_case_event(case, actor, EventKind::Accessed, &reason)?;
            let text = serde_json::to_string_pretty(&r.record).expect("a record serialises");
            return Ok(Inspection {
                item: item.to_owned(),
                description: r.record.summary(),
                text: Some(text),
                note: format!("record:{} by {} at {}", r.id, r.by, vigil_domain::Timestamp::london_of(&r.at)),
            });
        }
        let e = exhibit.ok_or_else(not_found)?;
        let row = self.exhibit(&e)?;
        let description = row.note.clone().or(row.original_name.clone()).unwrap_or_default();
        if row.size > MAX_INSPECT_BYTES {
            let mut ev = CustodyEvent::new(EventKind::Accessed, actor, self.now(), ObjectRef::exhibit(&e));
            ev.case = Some(case.clone());
            ev.reason = Some(format!("{reason} (its description and digests only)"));
            self.append_events(&[ev])?;
            return Ok(Inspection {
                item: item.to_owned(),
                description,
                text: None,
                note: format!(
                    "{} bytes, SHA-256 {}: too large to show here; ask the disclosure officer for a copy",
                    row.size,
                    row.sha256.to_hex()
                ),
            });
        }
        let bytes = self.read_exhibit_bytes(&e, &reason, &actor)?;
        let note = format!("{} bytes, SHA-256 {}", row.size, row.sha256.to_hex());
        Ok(match String::from_utf8(bytes) {
            Ok(text) => Inspection { item: item.to_owned(), description, text: Some(text), note },
            Err(_) => Inspection {
                item: item.to_owned(),
                description,
                text: None,
                note: format!("{note}: not text; ask the disclosure officer for a copy"),
            },
        })
    }

    /// The disclosure management document, lines of inquiry, digital
    /// strategies, defence statements, reviews and services, for the
    /// prosecutor (who owns the DMD) and the case's officers.
    pub fn prosecutor_material(&self, case: &CaseId, officer: &OfficerSession) -> Result<Vec<RecordView>, CoreError> {
        let what = "viewed the disclosure management document, lines of inquiry and reviews";
        if officer.role == Role::Prosecutor {
            let actor = self.case_gate(case, officer, Need::Prosecute)?;
            self.log_case_event(case, actor, EventKind::Accessed, what)?;
        } else {
            self.audited_read(case, officer, what)?;
        }
        let view = self.case_view_unaudited(case)?;
        Ok(view.records.into_iter().filter(|r| for_the_prosecutor(&r.record)).collect())
    }
}

/// What a record asks of someone else, written with it: the prosecutor's
/// "inspect" becomes a task for the disclosure officer.
pub(crate) fn follow_up(
    view: &CaseView,
    record: &CaseRecord,
    disclosure_officer: &str,
    due: &str,
) -> Option<CaseRecord> {
    match record {
        CaseRecord::ProsecutorDecision { item, decision: vigil_domain::ProsecutorView::Inspect, .. } => {
            let version = revealed_version_of(view, None).and_then(|s| s.version).unwrap_or_default();
            Some(CaseRecord::Task {
                title: format!(
                    "The prosecutor asks to inspect {item} (schedules version {version}): make it available and \
                     mark this task done"
                ),
                owner: disclosure_officer.to_owned(),
                due: due.to_owned(),
                about: Some(item.clone()),
            })
        }
        _ => None,
    }
}
