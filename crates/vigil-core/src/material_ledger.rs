//! The material ledger: every exhibit and every material record of a case
//! with exactly one disclosure status (used, MG6C, MG6D, highly sensitive,
//! not relevant, or unaccounted for) and its category. Revealing the
//! schedules (which gives the MG6E certificate) and serving them are
//! refused while anything is unaccounted for: a certificate that all
//! relevant material was revealed must be true of every item.

use crate::case_work::CaseView;
use crate::data_dir::Vigil;
use crate::disclosure::schedules_of;
use crate::error::CoreError;
use crate::officers::OfficerSession;
use serde::Serialize;
use vigil_domain::{
    record_proposal, Actor, CaseId, CaseRecord, Choice, EventKind, ExhibitRef, MaterialCategory, Schedule,
};

/// Where an item stands for disclosure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LedgerStatus {
    Used,
    Mg6c,
    Mg6d,
    HighlySensitive,
    NotRelevant,
    Unaccounted,
}

impl LedgerStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            LedgerStatus::Used => "used",
            LedgerStatus::Mg6c => "mg6c",
            LedgerStatus::Mg6d => "mg6d",
            LedgerStatus::HighlySensitive => "highly-sensitive",
            LedgerStatus::NotRelevant => "not-relevant",
            LedgerStatus::Unaccounted => "unaccounted",
        }
    }

    /// In words, for the page.
    pub fn label(self) -> &'static str {
        match self {
            LedgerStatus::Used => "used (MG12)",
            LedgerStatus::Mg6c => "MG6C",
            LedgerStatus::Mg6d => "MG6D",
            LedgerStatus::HighlySensitive => "highly sensitive",
            LedgerStatus::NotRelevant => "not relevant",
            LedgerStatus::Unaccounted => "UNACCOUNTED FOR",
        }
    }
}

/// One item of the ledger.
#[derive(Debug, Clone, Serialize)]
pub struct LedgerItem {
    /// `exhibit:ABC/1` or `record:N`.
    pub item: String,
    pub status: LedgerStatus,
    pub category: MaterialCategory,
    /// Whether the category is presumed to meet the test for disclosure.
    pub presumed: bool,
    /// "MG6C 3" for a scheduled item.
    pub schedule_line: Option<String>,
    pub description: String,
    /// The record that gives the status (scheduling, use, not relevant).
    pub record: Option<u64>,
    /// Where an unaccounted item is proposed to go (a proposal only).
    pub proposed: Option<Schedule>,
    /// Why a proposed MG6D item is sensitive (a proposal only).
    pub proposed_sensitivity: Option<String>,
    /// Redacted copies made of the item (the forms it may be disclosed in).
    pub redacted_copies: Vec<String>,
    /// The reason it is not relevant, for an item so recorded.
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Ledger {
    pub case: CaseId,
    pub items: Vec<LedgerItem>,
    pub unaccounted: usize,
}

impl Ledger {
    /// The items still to be accounted for.
    pub fn unaccounted_items(&self) -> Vec<&str> {
        self.items.iter().filter(|i| i.status == LedgerStatus::Unaccounted).map(|i| i.item.as_str()).collect()
    }

    /// Refuses `what` while any item is unaccounted for, naming them.
    pub fn require_complete(&self, what: &str) -> Result<(), CoreError> {
        let missing = self.unaccounted_items();
        if missing.is_empty() {
            return Ok(());
        }
        Err(CoreError::Refused(format!(
            "{what} refused: {} item(s) of case {} are on no schedule and not recorded as used, highly sensitive or \
             not relevant: {}; account for each in the disclosure ledger first",
            missing.len(),
            self.case,
            missing.join(", ")
        )))
    }
}

/// What the ledger needs to know of an exhibit of the case.
#[derive(Debug, Clone)]
pub(crate) struct LedgerExhibit {
    pub reference: ExhibitRef,
    pub description: String,
    /// For a report: its handling code (the grade's third part), when graded.
    pub report: Option<Option<char>>,
}

/// The ledger as the case's records and exhibits make it.
pub(crate) fn ledger_of(view: &CaseView, exhibits: &[LedgerExhibit]) -> Ledger {
    let live = schedules_of(view);
    let copies: Vec<(String, String)> = view
        .records
        .iter()
        .filter_map(|r| match &r.record {
            CaseRecord::Redaction { original, redacted, .. } => {
                Some((format!("exhibit:{original}"), format!("exhibit:{redacted}")))
            }
            _ => None,
        })
        .collect();
    // The record that disposes of each item, by the rules' precedence.
    let disposition = |item: &str| -> (LedgerStatus, Option<u64>, Option<MaterialCategory>, Option<String>) {
        let mut out = (LedgerStatus::Unaccounted, None, None, None);
        for r in &view.records {
            match &r.record {
                CaseRecord::ExhibitUsed { exhibit, .. } if exhibit == item => {
                    return (LedgerStatus::Used, Some(r.id), None, None)
                }
                CaseRecord::HighlySensitive { item: i, .. } if i == item => {
                    return (LedgerStatus::HighlySensitive, Some(r.id), None, None)
                }
                CaseRecord::NotRelevant { item: i, category, reason } if i == item => {
                    out = (LedgerStatus::NotRelevant, Some(r.id), *category, Some(reason.clone()))
                }
                _ => {}
            }
        }
        if let Some(l) = live.mg6c.iter().chain(&live.mg6d).find(|l| l.item == item) {
            let category = view.records.iter().find_map(|r| match &r.record {
                CaseRecord::Scheduled { category, .. } if r.id == l.record => *category,
                _ => None,
            });
            let status = match l.schedule {
                Schedule::Mg6c => LedgerStatus::Mg6c,
                Schedule::Mg6d => LedgerStatus::Mg6d,
            };
            return (status, Some(l.record), category, None);
        }
        out
    };
    let line_of = |item: &str| {
        live.mg6c
            .iter()
            .map(|l| ("MG6C", l))
            .chain(live.mg6d.iter().map(|l| ("MG6D", l)))
            .find(|(_, l)| l.item == item)
            .map(|(s, l)| format!("{s} {}", l.number))
    };
    let mut items = Vec::new();
    let mut push = |item: String, description: String, default: (MaterialCategory, Schedule, Option<String>)| {
        let (status, record, category, reason) = disposition(&item);
        let category = category.unwrap_or(default.0);
        let unaccounted = status == LedgerStatus::Unaccounted;
        items.push(LedgerItem {
            schedule_line: line_of(&item),
            redacted_copies: copies.iter().filter(|(o, _)| *o == item).map(|(_, c)| c.clone()).collect(),
            item,
            status,
            category,
            presumed: category.presumed(),
            description,
            record,
            proposed: unaccounted.then_some(default.1),
            proposed_sensitivity: if unaccounted { default.2 } else { None },
            reason,
        });
    };
    for e in exhibits {
        let item = format!("exhibit:{}", e.reference);
        // A redacted copy is a form in which its original is disclosed, not
        // material of its own; it is an item only if it was dealt with as one.
        if copies.iter().any(|(_, c)| *c == item) && disposition(&item).0 == LedgerStatus::Unaccounted {
            continue;
        }
        let default = match e.report {
            // Handling code C (confidential): the report would identify its source.
            Some(Some('C')) => (
                MaterialCategory::IncidentRecord,
                Schedule::Mg6d,
                Some("handling code C: would identify the reporter".to_owned()),
            ),
            Some(_) => (MaterialCategory::IncidentRecord, Schedule::Mg6c, None),
            None => (MaterialCategory::DigitalMaterial, Schedule::Mg6c, None),
        };
        push(item, e.description.clone(), default);
    }
    for r in &view.records {
        if let Some((category, schedule)) = record_proposal(&r.record) {
            let sensitivity = (schedule == Schedule::Mg6d).then(|| category.label().to_owned());
            push(format!("record:{}", r.id), r.record.summary(), (category, schedule, sensitivity));
        }
    }
    let unaccounted = items.iter().filter(|i| i.status == LedgerStatus::Unaccounted).count();
    Ledger { case: view.id.clone(), items, unaccounted }
}

/// A case as a disclosure step reads it: its records and its ledger, with
/// the stamp its write is made against.
pub(crate) struct CaseReading {
    pub view: CaseView,
    pub ledger: Ledger,
    read_up_to: u64,
    exhibits: u64,
}

impl Vigil {
    /// Reads the case for a step that certifies or serves: the exhibits'
    /// count first, so one added while the ledger is built changes the stamp.
    pub(crate) fn read_for_disclosure(&self, case: &CaseId) -> Result<CaseReading, CoreError> {
        let exhibits = self.store.read()?.case_exhibit_count(case)?;
        let view = self.case_view_unaudited(case)?;
        let ledger = ledger_of(&view, &self.ledger_exhibits(case)?);
        let read_up_to = view.records.iter().map(|r| r.id).max().unwrap_or(0);
        Ok(CaseReading { view, ledger, read_up_to, exhibits })
    }

    /// Writes `record` only if neither the case's records nor its exhibits
    /// changed since `reading` (checked inside the unit of work, under the
    /// log's lock); false when they did, and nothing was written.
    pub(crate) fn write_if_unchanged(
        &self,
        case: &CaseId,
        reading: &CaseReading,
        record: &CaseRecord,
        actor: &Actor,
    ) -> Result<bool, CoreError> {
        self.write(|u| {
            if u.tx().latest_case_record(case)? != reading.read_up_to
                || u.tx().case_exhibit_count(case)? != reading.exhibits
            {
                return Ok(false);
            }
            u.record_case(case, record, actor).map(|_| true)
        })
    }

    /// What the ledger needs of the case's exhibits, read now.
    pub(crate) fn ledger_exhibits(&self, case: &CaseId) -> Result<Vec<LedgerExhibit>, CoreError> {
        let mut out = Vec::new();
        for e in self.case_exhibit_rows(case)? {
            let report = self.store.read()?.report(&e.reference)?.map(|r| {
                r.grade.and_then(|g| vigil_domain::Grade::parse(&g).ok()).map(|g| {
                    if g.conditions.is_some() {
                        'C'
                    } else {
                        'P'
                    }
                })
            });
            out.push(LedgerExhibit {
                description: e.note.clone().or(e.original_name.clone()).unwrap_or_else(|| "(no description)".into()),
                reference: e.reference,
                report,
            });
        }
        Ok(out)
    }

    pub(crate) fn ledger_unaudited(&self, case: &CaseId) -> Result<(CaseView, Ledger), CoreError> {
        let view = self.case_view_unaudited(case)?;
        let ledger = ledger_of(&view, &self.ledger_exhibits(case)?);
        Ok((view, ledger))
    }

    /// The ledger for an officer of the case: highly sensitive items only
    /// for those who may see them (for anyone else they do not exist).
    pub fn material_ledger(&self, case: &CaseId, officer: &OfficerSession) -> Result<Ledger, CoreError> {
        self.audited_read(case, officer, "viewed the disclosure ledger")?;
        let (view, mut ledger) = self.ledger_unaudited(case)?;
        if !crate::case_work::sees_highly_sensitive(&view, officer) {
            ledger.items.retain(|i| i.status != LedgerStatus::HighlySensitive);
        }
        Ok(ledger)
    }

    /// The ledger for the command line (the custodian's tool), the read
    /// recorded against `actor`.
    pub fn material_ledger_as(&self, case: &CaseId, actor: &Actor) -> Result<Ledger, CoreError> {
        let (_, ledger) = self.ledger_unaudited(case)?;
        self.log_case_event(case, actor.clone(), EventKind::Accessed, "viewed the disclosure ledger")?;
        Ok(ledger)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigil_domain::ProsecutorView;

    fn view(records: Vec<CaseRecord>) -> CaseView {
        crate::disclosure::tests::view(records)
    }

    fn exhibit(r: &str, report: Option<Option<char>>) -> LedgerExhibit {
        LedgerExhibit { reference: ExhibitRef::parse(r).unwrap(), description: r.into(), report }
    }

    fn schedule(item: &str, category: Option<MaterialCategory>) -> CaseRecord {
        CaseRecord::Scheduled {
            item: item.into(),
            schedule: Schedule::Mg6c,
            description: "d".into(),
            location: "l".into(),
            sensitivity: None,
            proposed: ProsecutorView::Disclose,
            reason: "r".into(),
            amends: None,
            category,
            rebuttal: None,
        }
    }

    /// Every exhibit and material record has one status; process records
    /// are not items; a redacted copy is its original's form, not an item.
    #[test]
    fn every_item_has_exactly_one_status() {
        let v = view(vec![
            CaseRecord::Decision { decision: "d".into(), reason: "r".into(), alternatives: vec![] }, // 1
            CaseRecord::Note { text: "t".into() },                                                   // 2
            schedule("exhibit:AB/2", Some(MaterialCategory::PreviousAccount)),                       // 3
            CaseRecord::ExhibitUsed { exhibit: "exhibit:AB/1".into(), witness: "w".into(), description: "d".into() }, // 4
            CaseRecord::NotRelevant { item: "record:2".into(), reason: "a diary note".into(), category: None }, // 5
            CaseRecord::Redaction {
                original: "AB/2".into(),
                redacted: "DD/1".into(),
                reason: "r".into(),
                removed: vec![],
            }, // 6
            CaseRecord::DisclosureTest { item: "exhibit:AB/2".into(), reason: "r".into() },                     // 7
        ]);
        let l = ledger_of(
            &v,
            &[
                exhibit("AB/1", None),
                exhibit("AB/2", None),
                exhibit("AB/3", None),
                exhibit("DD/1", None),
                exhibit("PR/1", Some(Some('C'))),
            ],
        );
        let status: Vec<(&str, &str)> = l.items.iter().map(|i| (i.item.as_str(), i.status.as_str())).collect();
        assert_eq!(
            status,
            [
                ("exhibit:AB/1", "used"),
                ("exhibit:AB/2", "mg6c"),
                ("exhibit:AB/3", "unaccounted"),
                ("exhibit:PR/1", "unaccounted"),
                ("record:1", "unaccounted"),
                ("record:2", "not-relevant"),
            ]
        );
        assert_eq!(l.unaccounted, 3);
        let ab2 = &l.items[1];
        assert_eq!((ab2.category, ab2.schedule_line.as_deref()), (MaterialCategory::PreviousAccount, Some("MG6C 1")));
        assert_eq!(ab2.redacted_copies, ["exhibit:DD/1"]);
        let pr1 = &l.items[3];
        assert_eq!((pr1.category, pr1.proposed), (MaterialCategory::IncidentRecord, Some(Schedule::Mg6d)));
        assert!(pr1.presumed);
        let decision = &l.items[4];
        assert_eq!((decision.category, decision.proposed), (MaterialCategory::InvestigationLog, Some(Schedule::Mg6c)));
        // Issue 25, point 8: grading feeds the MG6D: a report graded P
        // (lawful sharing) is proposed for the MG6C, one graded C for the MG6D.
        let graded_p = ledger_of(&view(vec![]), &[exhibit("PR/2", Some(Some('P')))]);
        assert_eq!(graded_p.items[0].proposed, Some(Schedule::Mg6c));
        assert_eq!(graded_p.items[0].proposed_sensitivity, None);
        let err = l.require_complete("revealing the schedules").unwrap_err().to_string();
        assert!(err.contains("exhibit:AB/3, exhibit:PR/1, record:1"), "{err}");
    }
}
