//! "Who has seen this?": every read, copy, export and refused attempt on
//! an exhibit (a report is one), or on a case and everything in it, with
//! the officer, the time and the reason they gave, read from the custody
//! log itself (DPA 2018 s.62: consultation and disclosure logs).

use crate::data_dir::Vigil;
use crate::error::CoreError;
use crate::officers::OfficerSession;
use serde::Serialize;
use vigil_domain::{Actor, CaseId, CustodyEvent, EventKind, ExhibitRef, ObjectRef, Role};

/// One consultation or disclosure.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Access {
    pub who: String,
    /// RFC 3339, UTC.
    pub when: String,
    /// The event's kind (`accessed`, `exported`, `copied`, `transferred`,
    /// `access-refused`) and what it was about.
    pub what: String,
    /// The reason the officer gave, or the event's note.
    pub why: String,
    /// The custody event's index, to prove it with `vigil log prove`.
    pub event: u64,
}

fn is_access(kind: EventKind) -> bool {
    matches!(
        kind,
        EventKind::Accessed
            | EventKind::Exported
            | EventKind::Copied
            | EventKind::Transferred
            | EventKind::AccessRefused
    )
}

impl Vigil {
    /// The same for an auditor or supervisor on the web; asking is itself
    /// recorded, as an `accessed` event on the object.
    pub fn accesses_for(&self, object: &str, officer: &OfficerSession) -> Result<Vec<Access>, CoreError> {
        if !matches!(officer.role, Role::Auditor | Role::Supervisor) {
            return Err(CoreError::Forbidden("only auditors and supervisors see who has seen what".into()));
        }
        let list = self.accesses(object)?;
        let mut ev = CustodyEvent::new(
            EventKind::Accessed,
            Actor::parse(&officer.username)?,
            self.now(),
            ObjectRef::parse(object)?,
        );
        ev.case = object.strip_prefix("case:").and_then(|c| CaseId::parse(c).ok());
        ev.reason = Some("asked who has seen it".into());
        self.append_events(&[ev])?;
        Ok(list)
    }

    /// The accesses to `exhibit:REF`, `report:REF` or `case:ID`, oldest
    /// first. For a case: the case itself, its exhibits, the reports added
    /// to it, and its review set. For the operator at the command line or
    /// an auditor's page; the caller decides who may ask.
    pub fn accesses(&self, object: &str) -> Result<Vec<Access>, CoreError> {
        let (ty, id) = object.split_once(':').ok_or_else(|| CoreError::InvalidInput {
            field: "object".into(),
            why: "exhibit:REF, report:REF or case:ID".into(),
        })?;
        let mut rows = Vec::new();
        match ty {
            "exhibit" | "report" => {
                let r = ExhibitRef::parse(id)?;
                self.exhibit(&r)?;
                rows.extend(self.store.read()?.events_for_object(ObjectRef::exhibit(&r).as_str())?);
            }
            "case" => {
                let case = CaseId::parse(id)?;
                rows.extend(self.case_level_events(&case)?);
                // Deleted exhibits included: who saw them stays on record.
                let mut store = self.store.read()?;
                let refs: Vec<ExhibitRef> = store.exhibits_of_case(&case)?.into_iter().map(|e| e.reference).collect();
                for r in refs {
                    rows.extend(store.events_for_object(ObjectRef::exhibit(&r).as_str())?);
                }
            }
            _ => {
                return Err(CoreError::InvalidInput {
                    field: "object".into(),
                    why: format!("{ty:?} is not exhibit, report or case"),
                })
            }
        }
        rows.sort_by_key(|r| r.index);
        rows.dedup_by_key(|r| r.index);
        let mut out = Vec::new();
        for r in rows {
            let (index, ev) = vigil_custody::decode_leaf(&r.leaf)
                .map_err(|e| CoreError::Log(format!("event #{}: {e}; run `vigil verify`", r.index)))?;
            if !is_access(ev.kind) {
                continue;
            }
            out.push(Access {
                who: ev.actor.as_str().to_owned(),
                when: ev.time.to_string(),
                what: match ev.note.as_deref() {
                    Some(n) if crate::break_glass::is_break_glass(n) => {
                        format!("{} {} (break-glass read)", ev.kind, ev.object)
                    }
                    _ => format!("{} {}", ev.kind, ev.object),
                },
                why: ev.reason.or(ev.note).unwrap_or_default(),
                event: index,
            });
        }
        Ok(out)
    }
}

/// The accesses as CSV: one row each, quoted where a field needs it.
pub fn accesses_csv(list: &[Access]) -> String {
    let q = crate::audit_export::csv_field;
    let mut out = String::from("event,when,who,what,why\n");
    for a in list {
        out.push_str(&format!("{},{},{},{},{}\n", a.event, q(&a.when), q(&a.who), q(&a.what), q(&a.why)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_it() {
        let a = Access {
            who: "a.b".into(),
            when: "2026-12-06T00:00:00.000Z".into(),
            what: "accessed exhibit:JS/1".into(),
            why: "checked, \"again\"\nlater".into(),
            event: 7,
        };
        assert_eq!(
            accesses_csv(&[a]),
            "event,when,who,what,why\n7,2026-12-06T00:00:00.000Z,a.b,accessed exhibit:JS/1,\"checked, \"\"again\"\"\nlater\"\n"
        );
    }
}
