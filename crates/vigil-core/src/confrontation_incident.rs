//! An activist group's call during a confrontation, opened as an incident
//! in one step: the case, the calling officer assigned to it, and the
//! confrontation record (the man's welfare, his family's, the stream), all
//! in one unit of work with their custody events. The incident later joins
//! an existing case by the ordinary merge, which keeps both histories.

use crate::{CoreError, OfficerSession, Vigil};
use vigil_domain::{Actor, CaseId, CaseRecord, CustodyEvent, EventKind, ObjectRef, Role};

impl Vigil {
    /// Opens `case` for the incident `confrontation` describes; the officer
    /// who records it is assigned to it. Returns the record's number.
    pub fn open_incident(
        &self,
        case: &CaseId,
        title: &str,
        confrontation: &CaseRecord,
        officer: &OfficerSession,
    ) -> Result<u64, CoreError> {
        // Role before input: only those who take calls and work cases open one.
        if !matches!(officer.role, Role::TriageOfficer | Role::Investigator | Role::Supervisor) {
            return Err(CoreError::Forbidden(format!("the {} role cannot open an incident", officer.role)));
        }
        let actor = Actor::parse(&officer.username)?;
        let CaseRecord::Confrontation { group, suspect, .. } = confrontation else {
            return Err(CoreError::Refused("an incident opens with its confrontation record".into()));
        };
        if group.is_some() || suspect.is_some() {
            return Err(CoreError::InvalidInput {
                field: if group.is_some() { "group" } else { "suspect" }.into(),
                why: "a new incident has no records yet to refer to: record the group and the man in it afterwards"
                    .into(),
            });
        }
        confrontation.validate()?;
        let title = title.trim();
        if title.is_empty() || title.chars().count() > 200 || title.chars().any(char::is_control) {
            return Err(CoreError::InvalidInput {
                field: "title".into(),
                why: "the incident's title must be one line of 1 to 200 characters".into(),
            });
        }
        if case.is_reserved() {
            return Err(CoreError::InvalidInput {
                field: "case".into(),
                why: format!("{case} is kept for reports as they arrive; choose another ID"),
            });
        }
        if self.store.read()?.case_title(case)?.is_some() {
            return Err(CoreError::Refused(format!(
                "case {case} already exists: record the confrontation in it, or open the incident under a new ID \
                 and merge it"
            )));
        }
        self.write(|u| {
            let t = u.now;
            let object = ObjectRef::parse(&format!("case:{case}"))?;
            u.tx().insert_case(case, title, actor.as_str(), t.unix_millis())?;
            let mut ev = CustodyEvent::new(EventKind::Created, actor.clone(), t, object.clone());
            ev.case = Some(case.clone());
            ev.note = Some(format!("incident opened from an activist group's call: {title}"));
            u.log(ev);
            u.tx().add_case_member(case, &officer.username, actor.as_str(), t.unix_millis())?;
            let mut ev = CustodyEvent::new(EventKind::Reviewed, actor.clone(), t, object);
            ev.case = Some(case.clone());
            ev.note = Some(format!("{} ({}) assigned to the case", officer.username, officer.role));
            u.log(ev);
            u.record_case(case, confrontation, &actor)
        })
    }
}
