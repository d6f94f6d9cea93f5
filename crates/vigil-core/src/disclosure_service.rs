//! Service of the schedules on the defence: the prosecutor's act (CPIA
//! s.3), of one frozen revealed version, refused while any item of the
//! case is unaccounted for, undecided or awaiting the prosecutor's
//! inspection, while the schedules have changed since that version was
//! revealed, or while a defence statement waits for its review. What was
//! served is frozen in the service record; the defence bundle renders it.

use crate::case_work::{CaseView, Need};
use crate::data_dir::Vigil;
use crate::disclosure::{
    line_changes, redacted_copy_of, revealed_version_of, schedules_of, unreviewed_defence_statement, DecisionView,
    ScheduleLine, Schedules,
};
use crate::error::CoreError;
use crate::officers::OfficerSession;
use vigil_domain::{CaseId, CaseRecord, ProsecutorView, Schedule, ServedLine};

/// Why a version cannot be served now, or the lines to serve.
pub(crate) fn service_of(view: &CaseView, version: &Schedules) -> Result<Vec<ServedLine>, CoreError> {
    let n = version.version.unwrap_or_default();
    let pending = line_changes(version, &schedules_of(view));
    if !pending.is_empty() {
        let items: Vec<String> = pending.iter().map(|c| format!("{} ({})", c.item, c.change)).collect();
        return Err(CoreError::Refused(format!(
            "serving refused: the schedules have changed since version {n} was revealed ({}); the disclosure \
             officer reveals them again first",
            items.join(", ")
        )));
    }
    let lines: Vec<_> = version.mg6c.iter().chain(&version.mg6d).collect();
    let undecided: Vec<&str> = lines.iter().filter(|l| l.decision.is_none()).map(|l| l.item.as_str()).collect();
    if !undecided.is_empty() {
        return Err(CoreError::Refused(format!(
            "serving refused: no decision yet on {} of version {n}",
            undecided.join(", ")
        )));
    }
    let inspecting: Vec<&str> = lines
        .iter()
        .filter(|l| l.decision.as_ref().is_some_and(|d| d.decision == ProsecutorView::Inspect))
        .map(|l| l.item.as_str())
        .collect();
    if !inspecting.is_empty() {
        return Err(CoreError::Refused(format!(
            "serving refused: {} awaiting the prosecutor's inspection; decide D or CND after inspecting",
            inspecting.join(", ")
        )));
    }
    // Sensitive material that meets the test waits for the court's ruling
    // on a PII application; one that cannot be disclosed stops the case.
    for l in &version.mg6d {
        let Some(d) = &l.decision else { continue };
        match d.sensitive_route {
            Some(vigil_domain::SensitiveRoute::CaseCannotContinue) => {
                return Err(CoreError::Refused(format!(
                    "serving refused: the prosecutor recorded that {} cannot be disclosed and the case cannot \
                     continue without it",
                    l.item
                )))
            }
            Some(r) if r.is_pii() => {
                let ruled = view.records.iter().any(|x| {
                    x.id > d.record && matches!(&x.record, CaseRecord::PiiRuling { item, .. } if *item == l.item)
                });
                if !ruled {
                    return Err(CoreError::Refused(format!(
                        "serving refused: awaiting the court's ruling on the PII application for {}",
                        l.item
                    )));
                }
            }
            _ => {}
        }
    }
    // After a defence statement, every item is reviewed again: by the
    // disclosure officer (a review answering it), then revealed anew, then
    // decided again by the prosecutor on that version.
    let last_service =
        view.records.iter().rev().find(|r| matches!(r.record, CaseRecord::Served { .. })).map_or(0, |r| r.id);
    let statement = view
        .records
        .iter()
        .rev()
        .find(|r| r.id > last_service && matches!(r.record, CaseRecord::DefenceStatement { .. }));
    if let Some(st) = statement {
        if let Some(n) = unreviewed_defence_statement(view) {
            return Err(CoreError::Refused(format!(
                "serving refused: the defence statement record:{n} has not been reviewed by the disclosure officer"
            )));
        }
        let revealed_at = version.shown_revelation().map_or(0, |r| r.record);
        if revealed_at < st.id {
            return Err(CoreError::Refused(format!(
                "serving refused: version {n} was revealed before the defence statement record:{}; the reviewed \
                 schedules must be revealed again",
                st.id
            )));
        }
        let stale: Vec<&str> = lines
            .iter()
            .filter(|l| l.decision.as_ref().is_some_and(|d| d.record < revealed_at))
            .map(|l| l.item.as_str())
            .collect();
        if !stale.is_empty() {
            return Err(CoreError::Refused(format!(
                "serving refused: after the defence statement each item is decided again; {} still carry a \
                 decision made before it",
                stale.join(", ")
            )));
        }
    }
    // The defence never receives an original beside its redacted copy.
    let used = |item: &str| {
        view.records.iter().any(|r| matches!(&r.record, CaseRecord::ExhibitUsed { exhibit, .. } if exhibit == item))
    };
    let disclosed = |item: &str| {
        version.mg6c.iter().any(|l| {
            l.item == item
                && l.decision
                    .as_ref()
                    .is_some_and(|d| d.decision == ProsecutorView::Disclose && d.disclosed_as.is_none())
        })
    };
    for l in &version.mg6c {
        let Some(d) = l.decision.as_ref().filter(|d| d.decision == ProsecutorView::Disclose) else { continue };
        let copy = d.disclosed_as.as_deref().unwrap_or(&l.item);
        if let Some(original) = redacted_copy_of(view, copy) {
            if used(&original) || disclosed(&original) {
                return Err(CoreError::Refused(format!(
                    "serving refused: {copy} is a redacted copy of {original}, which the defence would receive in \
                     full beside it"
                )));
            }
        }
    }
    Ok(version
        .mg6c
        .iter()
        .filter_map(|l| {
            let d = l.decision.as_ref()?;
            Some(ServedLine {
                number: l.number,
                item: l.item.clone(),
                description: l.description.clone(),
                location: l.location.clone(),
                decision: d.decision,
                disclosed_as: d.disclosed_as.clone(),
            })
        })
        .collect())
}

/// The MG6C as last served, from its service record alone: None before
/// service. The decisions are those frozen in it, whatever came after.
pub(crate) fn served_schedules_of(view: &CaseView) -> Option<Schedules> {
    let (r, version, lines) = view.records.iter().rev().find_map(|r| match &r.record {
        CaseRecord::Served { version, lines, .. } => Some((r, *version, lines)),
        _ => None,
    })?;
    let mut s = revealed_version_of(view, Some(version))?;
    s.mg6c = lines
        .iter()
        .map(|l| ScheduleLine {
            number: l.number,
            item: l.item.clone(),
            schedule: Schedule::Mg6c,
            description: l.description.clone(),
            location: l.location.clone(),
            sensitivity: None,
            proposed: l.decision,
            reason: String::new(),
            scheduled_by: String::new(),
            scheduled_at: String::new(),
            record: 0,
            decision: Some(DecisionView {
                decision: l.decision,
                reason: String::new(),
                by: r.by.clone(),
                at: r.at.clone(),
                rebuttal: None,
                disclosed_as: l.disclosed_as.clone(),
                sensitive_route: None,
                record: r.id,
            }),
        })
        .collect();
    // Nothing sensitive and none of the officer's reasoning is served.
    s.mg6d.clear();
    s.mg6e.clear();
    s.mg6b.clear();
    Some(s)
}

impl Vigil {
    /// The prosecutor serves the latest revealed version on the defence:
    /// the whole MG6C with the letter, recorded with its date. Returns the
    /// version served.
    pub fn serve_schedules(&self, case: &CaseId, letter: &str, officer: &OfficerSession) -> Result<u32, CoreError> {
        let actor = self.case_gate(case, officer, Need::Prosecute)?;
        let reading = self.read_for_disclosure(case)?;
        reading.ledger.require_complete("serving")?;
        let view = &reading.view;
        let version = revealed_version_of(view, None)
            .ok_or_else(|| CoreError::Refused("serving refused: nothing has been revealed to the prosecutor".into()))?;
        let n = version.version.unwrap_or_default();
        let lines = service_of(view, &version)?;
        let record = CaseRecord::Served { version: n, letter: letter.to_owned(), lines };
        record.validate()?;
        if !self.write_if_unchanged(case, &reading, &record, &actor)? {
            return Err(CoreError::Refused(format!("case {case} changed while it was being served; serve it again")));
        }
        Ok(n)
    }
}
