//! Case work: assignment and need-to-know, append-only case records (tasks,
//! the decision log, persons and graded attributions, action requests,
//! welfare checks and approvals, safeguarding, outcomes, notes, disclosure
//! schedules), the case timeline, and the MG12 exhibit list.
//!
//! Need-to-know: a case is visible to its assigned officers, supervisors
//! and auditors (read only). Anyone else is told it does not exist, and the
//! attempt is itself an `access-refused` custody event.

use crate::data_dir::Vigil;
use crate::error::CoreError;
use crate::officers::OfficerSession;
use serde::Serialize;
use vigil_domain::{
    attribution_strength, person_warning, Actor, CaseId, CaseRecord, CustodyEvent, EventKind, ExhibitRef, Grade,
    ObjectRef, PersonFlag, Role, Strength,
};
use vigil_store::CaseRecordRow;

/// What the caller wants to do with a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    Read,
    Work,
    Disclose,
    Supervise,
    /// A prosecutor assigned to the case: the schedules revealed to them,
    /// and their decisions on them. Nothing else of the case.
    Prosecute,
    /// Looking at and categorising seized images: assigned to the case
    /// with a reviewer role (a forensic examiner, or a supervisor giving a
    /// second opinion). Being a supervisor alone is not enough: nobody
    /// sees this material who has not been given the case.
    Review,
}

impl Need {
    /// Whether an officer of `role`, assigned to the case or not, has this need-to-know.
    pub(crate) fn allows(self, role: Role, assigned: bool) -> bool {
        match self {
            Need::Read => role == Role::Supervisor || role == Role::Auditor || (assigned && role != Role::Prosecutor),
            Need::Work => {
                role == Role::Supervisor
                    || (assigned && !matches!(role, Role::Auditor | Role::Admin | Role::Prosecutor))
            }
            Need::Disclose => role == Role::Supervisor || (assigned && role == Role::DisclosureOfficer),
            Need::Supervise => role == Role::Supervisor,
            Need::Prosecute => assigned && role == Role::Prosecutor,
            Need::Review => assigned && role.reviews_images(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct RecordView {
    pub id: u64,
    pub by: String,
    pub at: String,
    pub event: u64,
    pub record: CaseRecord,
}

#[derive(Debug, Clone, Serialize)]
pub struct CaseView {
    pub id: CaseId,
    pub title: String,
    pub members: Vec<String>,
    pub records: Vec<RecordView>,
}

impl CaseView {
    /// The case's persons with their attributions, strengths and warnings;
    /// what safeguarding owes each is reckoned at `now_ms` (late steps are
    /// marked OVERDUE).
    pub fn persons(&self, now_ms: i64) -> Vec<PersonView> {
        persons_of(self, now_ms)
    }

    /// What whoever drafts the charge must weigh: where a decoy took part,
    /// that the offence is an attempt, and the entrapment and s.78 checklist.
    pub fn charging_prompts(&self) -> Vec<String> {
        vigil_domain::confrontation::charging_prompts(&self.records.iter().map(|r| &r.record).collect::<Vec<_>>())
    }

    /// What the group's material still needs (a summons, the originals).
    pub fn group_material_prompts(&self) -> Vec<String> {
        vigil_domain::confrontation::group_material_prompts(
            &self.records.iter().map(|r| (r.id, &r.record)).collect::<Vec<_>>(),
        )
    }

    /// What a confrontation still owes the man and his family.
    pub fn confrontation_prompts(&self) -> Vec<String> {
        vigil_domain::confrontation::confrontation_prompts(&self.records.iter().map(|r| &r.record).collect::<Vec<_>>())
    }

    /// The case's criminal-justice identity: the latest `identity` record.
    pub fn identity(&self) -> Option<crate::IdentityView> {
        self.records.iter().rev().find_map(|r| match &r.record {
            CaseRecord::Identity {
                urn,
                crime_reference,
                offences,
                defendants,
                officer_in_case,
                disclosure_officer,
            } => Some(crate::IdentityView {
                urn: urn.clone(),
                crime_reference: crime_reference.clone(),
                offences: offences.clone(),
                defendants: defendants.clone(),
                officer_in_case: officer_in_case.clone(),
                disclosure_officer: disclosure_officer.clone(),
                record: r.id,
            }),
            _ => None,
        })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct AttributionView {
    pub id: u64,
    pub identifier: String,
    pub grade: String,
    pub supporting: Vec<String>,
    pub strength: Strength,
}

#[derive(Debug, Clone, Serialize)]
pub struct PersonView {
    pub id: u64,
    pub name: String,
    pub role: vigil_domain::PersonRole,
    pub flags: Vec<PersonFlag>,
    pub attributions: Vec<AttributionView>,
    /// The wrong-person warning, if the attributions are thin.
    pub warning: Option<String>,
    /// A welfare reassessment owed after an urgent action on the person.
    pub welfare_due: Option<String>,
    /// What safeguarding owes this person now (Working Together's steps and
    /// time limits, police protection's 72 hours, referrals not yet made).
    pub safeguarding_due: Vec<String>,
}

/// One line of the MG12 exhibit list.
#[derive(Debug, Clone, Serialize)]
pub struct ExhibitListEntry {
    pub reference: ExhibitRef,
    pub description: String,
    pub producer: String,
    pub received: String,
    pub size: u64,
    pub sha256: String,
    pub md5: String,
    pub sha1: String,
    /// The continuity: `time kind actor` for every custody event of the exhibit.
    pub continuity: Vec<String>,
    /// How it was seized, when a seizure record says: (place, when, by whom, seal, property).
    pub seizure: Option<(String, String, String, String, String)>,
}

pub(crate) fn parse_record(row: &CaseRecordRow) -> Result<CaseRecord, CoreError> {
    serde_json::from_str(&row.body).map_err(|e| CoreError::Log(format!("case record {} is malformed: {e}", row.id)))
}

fn kind_of(r: &CaseRecord) -> String {
    serde_json::to_value(r).ok().and_then(|v| v["type"].as_str().map(str::to_owned)).unwrap_or_default()
}

impl Vigil {
    /// The need-to-know gate. A refusal is recorded, and answered as "no such case".
    pub fn case_gate(&self, case: &CaseId, officer: &OfficerSession, need: Need) -> Result<Actor, CoreError> {
        let actor = Actor::parse(&officer.username)?;
        let exists = self.store.read()?.case_title(case)?.is_some();
        let assigned = exists && self.store.read()?.case_members(case)?.iter().any(|m| m == &officer.username);
        let role = officer.role;
        let allowed = exists && need.allows(role, assigned);
        if allowed {
            return Ok(actor);
        }
        // A break-glass read opens the case for reading, and nothing more.
        if exists && need == Need::Read && !assigned && self.holds_break_glass(case, officer)? {
            return Ok(actor);
        }
        if exists && (assigned || role == Role::Supervisor || role == Role::Auditor) {
            // They may see the case, just not do this to it.
            return Err(CoreError::Forbidden(format!("the {role} role cannot do this to case {case}")));
        }
        let mut ev =
            CustodyEvent::new(EventKind::AccessRefused, actor, self.now(), ObjectRef::parse(&format!("case:{case}"))?);
        ev.case = Some(case.clone());
        ev.note = Some(format!("{} ({role}) asked for case {case}, which they are not assigned to", officer.username));
        self.append_events(&[ev])?;
        Err(CoreError::NoSuchCase(case.to_string()))
    }

    /// The cases an officer may see.
    pub fn cases_for(&self, officer: &OfficerSession) -> Result<Vec<(CaseId, String)>, CoreError> {
        let all = self.store.read()?.cases()?;
        if matches!(officer.role, Role::Supervisor | Role::Auditor) {
            return Ok(all);
        }
        let mut mine = Vec::new();
        for (id, title) in all {
            if self.store.read()?.case_members(&id)?.iter().any(|m| m == &officer.username) {
                mine.push((id, title));
            }
        }
        Ok(mine)
    }

    /// Assigns an officer to a case (supervisors only).
    pub fn assign_to_case(&self, case: &CaseId, username: &str, officer: &OfficerSession) -> Result<(), CoreError> {
        let actor = self.case_gate(case, officer, Need::Supervise)?;
        let user =
            self.store.read()?.user(username)?.ok_or_else(|| CoreError::Refused(format!("no officer {username}")))?;
        self.write(|u| {
            let t = u.now;
            u.tx().add_case_member(case, username, actor.as_str(), t.unix_millis())?;
            let mut ev = CustodyEvent::new(EventKind::Reviewed, actor, t, ObjectRef::parse(&format!("case:{case}"))?);
            ev.case = Some(case.clone());
            ev.note = Some(format!("{username} ({}) assigned to the case", user.role));
            u.log(ev);
            Ok(())
        })
    }

    /// The case and its records; the read is an audited `accessed` event.
    pub fn case_view(&self, case: &CaseId, officer: &OfficerSession, reason: &str) -> Result<CaseView, CoreError> {
        self.audited_read(case, officer, reason)?;
        let mut view = self.case_view_unaudited(case)?;
        if !sees_highly_sensitive(&view, officer) {
            view.records.retain(|r| !matches!(r.record, CaseRecord::HighlySensitive { .. }));
        }
        Ok(view)
    }

    /// The gate for reading a case's material, and the `accessed` event
    /// that records the read (who, what, why: DPA 2018 s.62 consultation).
    pub(crate) fn audited_read(&self, case: &CaseId, officer: &OfficerSession, what: &str) -> Result<Actor, CoreError> {
        let actor = self.case_gate(case, officer, Need::Read)?;
        let mut ev = CustodyEvent::new(
            EventKind::Accessed,
            actor.clone(),
            self.now(),
            ObjectRef::parse(&format!("case:{case}"))?,
        );
        ev.case = Some(case.clone());
        ev.reason = Some(what.to_owned());
        self.append_events(&[ev])?;
        Ok(actor)
    }

    pub(crate) fn case_view_unaudited(&self, case: &CaseId) -> Result<CaseView, CoreError> {
        let title = self.store.read()?.case_title(case)?.ok_or_else(|| CoreError::NoSuchCase(case.to_string()))?;
        let members = self.store.read()?.case_members(case)?;
        let mut records = Vec::new();
        for row in self.store.read()?.case_records(case)? {
            records.push(RecordView {
                id: row.id,
                by: row.by.clone(),
                at: vigil_domain::Timestamp::from_unix_millis(row.at_ms).to_string(),
                event: row.event,
                record: parse_record(&row)?,
            });
        }
        Ok(CaseView { id: case.clone(), title, members, records })
    }

    /// What a case holds beyond its own exhibits: the cases merged into it
    /// (their material is its material), exhibits split into it from another
    /// case, and exhibits split off out of it.
    fn case_scope(&self, case: &CaseId) -> Result<CaseScope, CoreError> {
        let mut scope = CaseScope { cases: vec![case.clone()], added: Vec::new(), removed: Vec::new() };
        let mut i = 0;
        while i < scope.cases.len() {
            let c = scope.cases[i].clone();
            for row in self.store.read()?.case_records(&c)? {
                match parse_record(&row)? {
                    CaseRecord::MergedFrom { case: from, .. } => {
                        let from = CaseId::parse(&from)?;
                        if !scope.cases.contains(&from) {
                            scope.cases.push(from);
                        }
                    }
                    CaseRecord::SplitFrom { items, .. } if i == 0 => scope.added.extend(items),
                    CaseRecord::SplitTo { items, .. } if i == 0 => scope.removed.extend(items),
                    _ => {}
                }
            }
            i += 1;
        }
        Ok(scope)
    }

    fn exhibit_in_scope(&self, scope: &CaseScope, e: &vigil_store::ExhibitRow) -> Result<bool, CoreError> {
        let item = format!("exhibit:{}", e.reference);
        if scope.removed.contains(&item) {
            return Ok(false);
        }
        if scope.added.contains(&item) || scope.cases.contains(&e.case_id) {
            return Ok(true);
        }
        let cases = self.store.read()?.cases_of_report(&e.reference)?;
        Ok(cases.iter().any(|c| scope.cases.contains(c)))
    }

    /// The first of `refs` that is not part of the case, if any (the case's
    /// scope is read once for all of them).
    pub(crate) fn first_outside(&self, case: &CaseId, refs: &[ExhibitRef]) -> Result<Option<ExhibitRef>, CoreError> {
        if refs.is_empty() {
            return Ok(None);
        }
        let scope = self.case_scope(case)?;
        for r in refs {
            let inside = match self.store.read()?.exhibit(r)? {
                Some(e) => self.exhibit_in_scope(&scope, &e)?,
                None => false,
            };
            if !inside {
                return Ok(Some(r.clone()));
            }
        }
        Ok(None)
    }

    /// Checks a record's references against the case: persons, requests and
    /// tasks must be records of this case; exhibits must belong to it.
    fn check_refs(&self, case: &CaseId, view: &CaseView, r: &CaseRecord) -> Result<(), CoreError> {
        let find = |id: u64| view.records.iter().find(|x| x.id == id).map(|x| &x.record);
        let want = |id: u64, ok: fn(&CaseRecord) -> bool, what: &str| -> Result<(), CoreError> {
            match find(id) {
                Some(rec) if ok(rec) => Ok(()),
                _ => Err(CoreError::Refused(format!("record:{id} is not a {what} of case {case}"))),
            }
        };
        let person = |r: &CaseRecord| matches!(r, CaseRecord::Person { .. });
        let mut items: Vec<String> = Vec::new();
        match r {
            CaseRecord::TaskDone { task, .. } => want(*task, |r| matches!(r, CaseRecord::Task { .. }), "task")?,
            CaseRecord::Flag { person: p, .. }
            | CaseRecord::ActionRequest { person: p, .. }
            | CaseRecord::UrgentAction { person: p, .. }
            | CaseRecord::WelfareCheck { person: p, .. }
            | CaseRecord::Safeguarding { child: p, .. } => want(*p, person, "person")?,
            CaseRecord::Attribution { person: p, supporting, .. } => {
                want(*p, person, "person")?;
                items.extend(supporting.iter().cloned());
            }
            CaseRecord::Outcome { person: Some(p), .. } => want(*p, person, "person")?,
            CaseRecord::GroupMember { group, person: p, .. } => {
                want(*group, |r| matches!(r, CaseRecord::ActivistGroup { .. }), "activist group")?;
                want(*p, person, "person")?;
            }
            CaseRecord::GroupRequest { group, .. } => {
                want(*group, |r| matches!(r, CaseRecord::ActivistGroup { .. }), "activist group")?
            }
            CaseRecord::WitnessSummons { request, .. } => {
                want(*request, |r| matches!(r, CaseRecord::GroupRequest { .. }), "request to the group")?
            }
            CaseRecord::GroupPost { group, member, exhibit, .. } => {
                want(*group, |r| matches!(r, CaseRecord::ActivistGroup { .. }), "activist group")?;
                if let Some(m) = member {
                    want(*m, person, "person")?;
                }
                items.extend(exhibit.iter().cloned());
            }
            CaseRecord::GroupOffence { group, member, .. } => {
                want(*group, |r| matches!(r, CaseRecord::ActivistGroup { .. }), "activist group")?;
                if let Some(m) = member {
                    want(*m, person, "person")?;
                }
            }
            CaseRecord::VideoComparison { original, edited, report, .. } => {
                items.extend([original.clone(), edited.clone(), report.clone()]);
            }
            CaseRecord::CivilianProduction { exhibit, version_of, .. } => {
                items.push(exhibit.clone());
                items.extend(version_of.iter().cloned());
            }
            CaseRecord::Confrontation { group, suspect, .. } => {
                if let Some(g) = group {
                    want(*g, |r| matches!(r, CaseRecord::ActivistGroup { .. }), "activist group")?;
                }
                if let Some(p) = suspect {
                    want(*p, person, "person")?;
                }
            }
            CaseRecord::DisclosureReview { statement: Some(n), .. } => {
                want(*n, |r| matches!(r, CaseRecord::DefenceStatement { .. }), "defence statement")?
            }
            CaseRecord::ActionDecision { request, .. } | CaseRecord::Authority { request, .. } => {
                want(*request, |r| matches!(r, CaseRecord::ActionRequest { .. }), "action request")?
            }
            CaseRecord::Scheduled { item, .. }
            | CaseRecord::DisclosureTest { item, .. }
            | CaseRecord::HighlySensitive { item, .. }
            | CaseRecord::PiiRuling { item, .. }
            | CaseRecord::ProsecutorDecision { item, .. } => items.push(item.clone()),
            CaseRecord::ExhibitUsed { exhibit, .. } | CaseRecord::Seizure { exhibit, .. } => {
                items.push(exhibit.clone())
            }
            CaseRecord::Redaction { original, redacted, .. } => {
                items.push(format!("exhibit:{original}"));
                items.push(format!("exhibit:{redacted}"));
            }
            _ => {}
        }
        let mut exhibits = Vec::new();
        for item in items {
            if let Some(r) = item.strip_prefix("exhibit:") {
                exhibits.push(ExhibitRef::parse(r)?);
            } else if let Some(n) = item.strip_prefix("record:") {
                let n: u64 = n.parse().map_err(|_| CoreError::Refused(format!("{item} is not a record")))?;
                if find(n).is_none() {
                    return Err(CoreError::Refused(format!("record:{n} is not a record of case {case}")));
                }
            }
        }
        if let Some(r) = self.first_outside(case, &exhibits)? {
            return Err(CoreError::Refused(format!("exhibit {r} is not part of case {case}")));
        }
        Ok(())
    }

    /// Appends a record to a case, with its custody event, in one transaction.
    pub fn add_case_record(
        &self,
        case: &CaseId,
        record: &CaseRecord,
        officer: &OfficerSession,
    ) -> Result<u64, CoreError> {
        record.validate()?;
        if matches!(
            record,
            CaseRecord::MergedFrom { .. }
                | CaseRecord::MergedInto { .. }
                | CaseRecord::SplitFrom { .. }
                | CaseRecord::SplitTo { .. }
        ) {
            return Err(CoreError::Refused("merges and splits are made with merge_cases and split_case".into()));
        }
        if matches!(record, CaseRecord::Revealed { .. }) {
            return Err(CoreError::Refused("schedules are revealed with reveal_schedules".into()));
        }
        if matches!(record, CaseRecord::VideoComparison { .. }) {
            return Err(CoreError::Refused(
                "a video comparison is recorded by compare_video_exhibits, which makes it".into(),
            ));
        }
        let need = match record {
            // The defence statement is served on the prosecutor: they record
            // its receipt; the disclosure management document is theirs too.
            CaseRecord::DefenceStatement { .. } | CaseRecord::DisclosureManagement { .. }
                if officer.role == Role::Prosecutor =>
            {
                Need::Prosecute
            }
            CaseRecord::ActionDecision { .. } => Need::Supervise,
            CaseRecord::Scheduled { .. }
            | CaseRecord::DisclosureTest { .. }
            | CaseRecord::HighlySensitive { .. }
            | CaseRecord::Redaction { .. }
            | CaseRecord::ExhibitUsed { .. }
            | CaseRecord::Identity { .. }
            | CaseRecord::DisclosureReview { .. }
            | CaseRecord::DisclosureManagement { .. }
            | CaseRecord::WitnessMisconduct { .. }
            | CaseRecord::NotRelevant { .. } => Need::Disclose,
            CaseRecord::ProsecutorDecision { .. } | CaseRecord::PiiRuling { .. } => Need::Prosecute,
            _ => Need::Work,
        };
        let actor = self.case_gate(case, officer, need)?;
        if matches!(record, CaseRecord::HighlySensitive { .. })
            && !sees_highly_sensitive(&self.case_view_unaudited(case)?, officer)
        {
            return Err(CoreError::Forbidden(
                "highly sensitive material is recorded by the supervisor or disclosure officer assigned to the case"
                    .into(),
            ));
        }
        // The rules below read the case's records; the write commits only if
        // no record has been added since they were read (checked inside the
        // unit, under the log's sequencer lock), else they are checked again.
        for _ in 0..RULE_RETRIES {
            let view = self.case_view_unaudited(case)?;
            self.check_record_rules(case, &view, record, &actor)?;
            let follow_up = crate::prosecutor_workspace::follow_up(
                &view,
                record,
                &self.disclosure_officer_of(&view)?,
                &vigil_domain::Timestamp::from_unix_millis(self.now().unix_millis() + 7 * 86_400_000).to_string()[..10],
            );
            crate::test_hooks::between_check_and_write(&self.layout.root, case);
            let read_up_to = view.records.iter().map(|r| r.id).max().unwrap_or(0);
            let written = self.write(|u| {
                if u.tx().latest_case_record(case)? != read_up_to {
                    return Ok(None);
                }
                let id = u.record_case(case, record, &actor)?;
                if let Some(task) = &follow_up {
                    u.record_case(case, task, &actor)?;
                }
                Ok(Some(id))
            })?;
            if let Some(id) = written {
                return Ok(id);
            }
        }
        Err(CoreError::Refused(format!("case {case} kept changing while this record was checked; try again")))
    }

    /// The user name of the case's disclosure officer (the first assigned),
    /// for tasks addressed to them.
    fn disclosure_officer_of(&self, view: &CaseView) -> Result<String, CoreError> {
        for m in &view.members {
            if self.store.read()?.user(m)?.is_some_and(|u| u.role == Role::DisclosureOfficer.as_str()) {
                return Ok(m.clone());
            }
        }
        Ok("the disclosure officer".into())
    }

    /// The rules a new record must keep against the case as `view` shows it.
    fn check_record_rules(
        &self,
        case: &CaseId,
        view: &CaseView,
        record: &CaseRecord,
        actor: &Actor,
    ) -> Result<(), CoreError> {
        self.check_refs(case, view, record)?;
        if let CaseRecord::ActionDecision { request, approved: true, wrong_person, .. } = record {
            check_approval(view, *request, actor, self.now())?;
            let person = view.records.iter().find_map(|x| match &x.record {
                CaseRecord::ActionRequest { person, .. } if x.id == *request => Some(*person),
                _ => None,
            });
            if let Some(p) = person {
                check_wrong_person_answered(view, p, wrong_person.as_deref(), "approval")?;
            }
        }
        if let CaseRecord::UrgentAction { person, wrong_person, action, .. } = record {
            check_wrong_person_answered(
                view,
                *person,
                wrong_person.as_deref(),
                &format!("urgent {}", vigil_domain::Choice::label(*action).to_lowercase()),
            )?;
        }
        if let CaseRecord::Outcome { outcome, home_office, .. } = record {
            check_outcome(view, *outcome, *home_office)?;
        }
        if let CaseRecord::Safeguarding { child, step: Some(step), .. } = record {
            let dated: Vec<vigil_domain::safeguarding_plan::Dated> =
                view.records.iter().map(|r| (r.id, 0, &r.record)).collect();
            vigil_domain::safeguarding_plan::check_step(&dated, *child, *step)
                .map_err(|why| CoreError::InvalidInput { field: "step".into(), why })?;
        }
        crate::disclosure::check_disclosure_record(view, record)
    }

    /// Appends records (to one or more cases) with their custody events in
    /// one transaction; `opened` also opens a new case in it.
    fn insert_records(
        &self,
        records: &[(CaseId, CaseRecord)],
        actor: &Actor,
        opened: Option<(&CaseId, &str)>,
    ) -> Result<Vec<u64>, CoreError> {
        self.write(|u| {
            let t = u.now;
            if let Some((id, title)) = opened {
                u.tx().insert_case(id, title, actor.as_str(), t.unix_millis())?;
            }
            records.iter().map(|(case, record)| u.record_case(case, record, actor)).collect()
        })
    }
}

/// Issue 25, point 8: while a person carries the warning that they may be
/// the wrong person (a flag, or attributions that cannot identify them),
/// an approval or urgent action on them records how it was dealt with.
fn check_wrong_person_answered(
    view: &CaseView,
    person: u64,
    answer: Option<&str>,
    what: &str,
) -> Result<(), CoreError> {
    let Some(p) = persons_of(view, i64::MIN).into_iter().find(|p| p.id == person) else { return Ok(()) };
    let flagged = p.flags.contains(&PersonFlag::PossibleWrongPerson);
    let warning = match (&p.warning, flagged) {
        (Some(w), _) => w.clone(),
        (None, true) => "flagged as possibly the wrong person".to_owned(),
        (None, false) => return Ok(()),
    };
    if answer.is_some_and(|a| !a.trim().is_empty()) {
        return Ok(());
    }
    Err(CoreError::InvalidInput {
        field: "wrong_person".into(),
        why: format!(
            "{what} refused: record:{person} carries the wrong-person warning ({warning}); say how it was dealt with"
        ),
    })
}

/// What a new outcome must be (issue 25, point 10): a Home Office outcome
/// with its code, never an arrest (an action) or "children safeguarded"
/// (safeguarding is recorded step by step); a charge is code 1 or 1A, and
/// follows a recorded charging decision (MG3).
fn check_outcome(
    view: &CaseView,
    outcome: vigil_domain::OutcomeKind,
    code: Option<vigil_domain::HomeOfficeOutcome>,
) -> Result<(), CoreError> {
    use vigil_domain::OutcomeKind;
    let invalid = |why: String| CoreError::InvalidInput { field: "home_office".into(), why };
    match outcome {
        OutcomeKind::Arrest => {
            return Err(CoreError::InvalidInput {
                field: "outcome".into(),
                why: "an arrest is an action, not an outcome: record it as an urgent action or an approved arrest \
                      request"
                    .into(),
            })
        }
        OutcomeKind::ChildrenSafeguarded => {
            return Err(CoreError::InvalidInput {
                field: "outcome".into(),
                why: "\"children safeguarded\" is not a Home Office outcome: record each safeguarding step".into(),
            })
        }
        OutcomeKind::Charge | OutcomeKind::NoFurtherAction => {}
    }
    let Some(code) = code else { return Err(invalid("give the Home Office outcome code".into())) };
    match (outcome == OutcomeKind::Charge, code.is_charge()) {
        (true, false) => {
            return Err(invalid(format!(
                "code {} ({}) is not a charge: a charge is 1 or 1A",
                code.code(),
                code.label()
            )))
        }
        (false, true) => return Err(invalid(format!("code {} ({}) is a charge", code.code(), code.label()))),
        _ => {}
    }
    let decided = view.records.iter().any(|r| matches!(r.record, CaseRecord::ChargingDecision { .. }));
    if outcome == OutcomeKind::Charge && !decided {
        return Err(CoreError::Refused(
            "no charging decision (MG3) is recorded: record who decided, on which test and under which part of the \
             Director's Guidance first"
                .into(),
        ));
    }
    Ok(())
}

/// How often a record's rules are checked again when the case changed
/// between the check and the write.
const RULE_RETRIES: usize = 8;

/// What an approval needs (issue 12, points 8 and 9): someone other than
/// the requester approves; a welfare check on the person recorded since the
/// request (one check does not cover every later action); and, for a
/// search, its legal authority on file and in date.
fn check_approval(
    view: &CaseView,
    request: u64,
    approver: &Actor,
    at: vigil_domain::Timestamp,
) -> Result<(), CoreError> {
    let Some((req, person, action)) = view.records.iter().find_map(|x| match &x.record {
        CaseRecord::ActionRequest { person, action, .. } if x.id == request => Some((x, *person, *action)),
        _ => None,
    }) else {
        return Err(CoreError::Refused(format!("record:{request} is not an action request")));
    };
    if req.by == approver.as_str() {
        return Err(CoreError::Refused(format!(
            "approval refused: {approver} made request record:{request}; another supervisor must decide it"
        )));
    }
    let welfare = view
        .records
        .iter()
        .any(|x| x.id > request && matches!(&x.record, CaseRecord::WelfareCheck { person: p, .. } if *p == person));
    if !welfare {
        return Err(CoreError::Refused(format!(
            "approval refused: no welfare check on record:{person} since request record:{request} \
             (self-harm risk and mitigations, children and vulnerable adults in the household, referrals made)"
        )));
    }
    if action == vigil_domain::ActionKind::Search {
        let today = at.to_string()[..10].to_owned();
        let authority = view.records.iter().rev().find_map(|x| match &x.record {
            CaseRecord::Authority { request: r, kind, expires, reference, .. }
                if *r == request && kind.permits_search() =>
            {
                Some((reference.clone(), expires.clone()))
            }
            _ => None,
        });
        match authority {
            None => {
                return Err(CoreError::Refused(format!(
                    "approval refused: no authority for the search (record:{request}) is on file: a warrant under \
                     PACE s.8 or the Protection of Children Act 1978 s.4, the occupier's consent, or an inspector's \
                     authority under PACE s.18"
                )))
            }
            Some((reference, Some(expires))) if expires.trim() < today.as_str() => {
                return Err(CoreError::Refused(format!(
                    "approval refused: authority {reference} for record:{request} expired on {expires}"
                )))
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// The digest a case record's event carries: SHA-256 of its stored body.
pub(crate) fn record_digest(body: &str) -> vigil_domain::Sha256Digest {
    use sha2::Digest;
    vigil_domain::Sha256Digest(sha2::Sha256::digest(body.as_bytes()).into())
}

/// Highly sensitive material is for the senior officer and the disclosure
/// officer assigned to the case only (issue 25, point 9): a supervisor not
/// assigned is as anyone else, for whom it is as if it were not recorded.
pub(crate) fn sees_highly_sensitive(view: &CaseView, officer: &OfficerSession) -> bool {
    view.members.contains(&officer.username) && matches!(officer.role, Role::Supervisor | Role::DisclosureOfficer)
}

impl crate::custody_log::Unit<'_> {
    /// One case record and its custody event, in this unit. The caller has
    /// validated the record and checked its references.
    pub(crate) fn record_case(&mut self, case: &CaseId, record: &CaseRecord, actor: &Actor) -> Result<u64, CoreError> {
        let t = self.now;
        let kind = match record {
            CaseRecord::Decision { .. }
            | CaseRecord::ActionDecision { .. }
            | CaseRecord::Scheduled { .. }
            | CaseRecord::DisclosureTest { .. }
            | CaseRecord::HighlySensitive { .. }
            | CaseRecord::ProsecutorDecision { .. }
            | CaseRecord::Revealed { .. } => EventKind::Decided,
            _ => EventKind::Created,
        };
        let body = serde_json::to_string(record).expect("a record serialises");
        let mut ev = CustodyEvent::new(kind, actor.clone(), t, ObjectRef::parse(&format!("case:{case}"))?);
        ev.case = Some(case.clone());
        ev.note = Some(record.summary());
        // The body's SHA-256 in the signed log: `verify` recomputes it, so a
        // record rewritten in the database (triggers dropped) is named.
        ev.digest = Some(record_digest(&body));
        let event = self.log(ev);
        Ok(self.tx().insert_case_record(&CaseRecordRow {
            id: 0,
            case_id: case.clone(),
            kind: kind_of(record),
            body,
            by: actor.as_str().to_owned(),
            at_ms: t.unix_millis(),
            event,
        })?)
    }
}

impl Vigil {
    /// Merges case `from` into case `into` (supervisors only). Both keep their
    /// history; `into` now holds `from`'s material and officers.
    pub fn merge_cases(
        &self,
        into: &CaseId,
        from: &CaseId,
        reason: &str,
        officer: &OfficerSession,
    ) -> Result<(), CoreError> {
        let actor = self.case_gate(into, officer, Need::Supervise)?;
        self.case_gate(from, officer, Need::Supervise)?;
        if into == from {
            return Err(CoreError::Refused("a case cannot be merged into itself".into()));
        }
        let a = CaseRecord::MergedFrom { case: from.to_string(), reason: reason.to_owned() };
        let b = CaseRecord::MergedInto { case: into.to_string(), reason: reason.to_owned() };
        a.validate()?;
        self.insert_records(&[(into.clone(), a), (from.clone(), b)], &actor, None)?;
        for m in self.store.read()?.case_members(from)? {
            self.assign_to_case(into, &m, officer)?;
        }
        Ok(())
    }

    /// Opens a new case from some exhibits of another (supervisors only).
    pub fn split_case(
        &self,
        from: &CaseId,
        new: &CaseId,
        title: &str,
        exhibits: &[ExhibitRef],
        reason: &str,
        officer: &OfficerSession,
    ) -> Result<(), CoreError> {
        let actor = self.case_gate(from, officer, Need::Supervise)?;
        if new.is_reserved() {
            return Err(CoreError::InvalidInput {
                field: "case".into(),
                why: format!(
                    "{new} is kept for reports as they arrive and cannot be opened as a case; choose another ID"
                ),
            });
        }
        if self.store.read()?.case_title(new)?.is_some() {
            return Err(CoreError::Refused(format!("case {new} already exists")));
        }
        let title = title.trim();
        if title.is_empty() || title.chars().count() > 200 || title.chars().any(char::is_control) {
            return Err(CoreError::Refused("the new case needs a one-line title of at most 200 characters".into()));
        }
        if let Some(e) = self.first_outside(from, exhibits)? {
            return Err(CoreError::Refused(format!("exhibit {e} is not part of case {from}")));
        }
        let items: Vec<String> = exhibits.iter().map(|e| format!("exhibit:{e}")).collect();
        let a = CaseRecord::SplitFrom { case: from.to_string(), items: items.clone(), reason: reason.to_owned() };
        let b = CaseRecord::SplitTo { case: new.to_string(), items, reason: reason.to_owned() };
        a.validate()?;
        self.insert_records(&[(new.clone(), a), (from.clone(), b)], &actor, Some((new, title)))?;
        for m in self.store.read()?.case_members(from)? {
            self.assign_to_case(new, &m, officer)?;
        }
        Ok(())
    }

    /// Persons in a case with their attributions, each attribution's
    /// strength, and the wrong-person warning.
    pub fn case_persons(&self, case: &CaseId, officer: &OfficerSession) -> Result<Vec<PersonView>, CoreError> {
        self.case_gate(case, officer, Need::Read)?;
        Ok(self.case_view_unaudited(case)?.persons(self.now().unix_millis()))
    }

    /// The MG12 exhibit list: every exhibit of the case (and reports added
    /// to it), with producer, date received, hashes and continuity.
    pub fn exhibit_list(&self, case: &CaseId, officer: &OfficerSession) -> Result<Vec<ExhibitListEntry>, CoreError> {
        self.audited_read(case, officer, "viewed the exhibit list (MG12) or labels")?;
        self.exhibit_list_unaudited(case)
    }

    /// The live exhibits a case holds: its own, those of the cases merged
    /// into it, its reports, and items split into it; not the whole vault.
    pub(crate) fn case_exhibit_rows(&self, case: &CaseId) -> Result<Vec<vigil_store::ExhibitRow>, CoreError> {
        let scope = self.case_scope(case)?;
        // The cases in scope (this one and those merged into it), their
        // reports, and items split into it; not the whole vault.
        let mut rows: Vec<vigil_store::ExhibitRow> = Vec::new();
        for c in &scope.cases {
            rows.extend(self.store.read()?.exhibits_of_case(c)?);
        }
        for item in &scope.added {
            if let Some(r) = item.strip_prefix("exhibit:").and_then(|r| ExhibitRef::parse(r).ok()) {
                rows.extend(self.store.read()?.exhibit(&r)?);
            }
        }
        rows.retain(|e| e.deleted_event.is_none() && !scope.removed.contains(&format!("exhibit:{}", e.reference)));
        rows.sort_by(|a, b| a.reference.cmp(&b.reference));
        rows.dedup_by(|a, b| a.reference == b.reference);
        Ok(rows)
    }

    pub(crate) fn exhibit_list_unaudited(&self, case: &CaseId) -> Result<Vec<ExhibitListEntry>, CoreError> {
        let mut out = Vec::new();
        let rows = self.case_exhibit_rows(case)?;
        // The latest seizure record for each exhibit.
        let mut seizures = std::collections::HashMap::new();
        for r in self.case_view_unaudited(case)?.records {
            if let CaseRecord::Seizure { exhibit, place, seized_at, seized_by, seal, property } = r.record {
                seizures.insert(exhibit, (place, seized_at, seized_by, seal, property));
            }
        }
        for e in rows {
            let continuity = self
                .store
                .read()?
                .events_for_object(ObjectRef::exhibit(&e.reference).as_str())?
                .iter()
                .map(|ev| {
                    format!(
                        "#{} {} {} by {}",
                        ev.index,
                        vigil_domain::Timestamp::from_unix_millis(ev.time_ms).london(),
                        ev.kind,
                        ev.actor
                    )
                })
                .collect();
            out.push(ExhibitListEntry {
                description: e.note.clone().or(e.original_name.clone()).unwrap_or_else(|| "(no description)".into()),
                producer: e.reference.initials().as_str().to_owned(),
                received: vigil_domain::Timestamp::from_unix_millis(e.received_ms).london(),
                size: e.size,
                sha256: e.sha256.to_hex(),
                md5: e.md5.to_hex(),
                sha1: e.sha1.to_hex(),
                seizure: seizures.remove(&format!("exhibit:{}", e.reference)),
                reference: e.reference,
                continuity,
            });
        }
        Ok(out)
    }

    /// Events about the case itself and its review set (the set's building,
    /// listings and exports, and each item's reveals and decisions), not
    /// yet those about its exhibits.
    pub(crate) fn case_level_events(&self, case: &CaseId) -> Result<Vec<vigil_store::EventRow>, CoreError> {
        let mut store = self.store.read()?;
        let mut rows = store.events_for_object(&format!("case:{case}"))?;
        rows.extend(store.events_for_object(&format!("review-set:{case}"))?);
        rows.extend(store.events_for_objects_under(&format!("review-item:{case}/"))?);
        Ok(rows)
    }

    /// The case's audit timeline: every custody event about the case and its
    /// exhibits, reads and refused attempts included, in log order.
    pub fn case_timeline(
        &self,
        case: &CaseId,
        officer: &OfficerSession,
    ) -> Result<Vec<crate::HistoryEntry>, CoreError> {
        self.audited_read(case, officer, "viewed the case timeline")?;
        let mut rows = self.case_level_events(case)?;
        for e in self.exhibit_list_unaudited(case)? {
            rows.extend(self.store.read()?.events_for_object(ObjectRef::exhibit(&e.reference).as_str())?);
        }
        rows.sort_by_key(|r| r.index);
        rows.dedup_by_key(|r| r.index);
        rows.iter()
            .map(|r| {
                let (index, event) = vigil_custody::decode_leaf(&r.leaf)
                    .map_err(|e| CoreError::Log(format!("event #{}: {e}", r.index)))?;
                Ok(crate::HistoryEntry { index, event })
            })
            .collect()
    }
}

/// The material a case holds beyond its own exhibits (see `case_scope`).
struct CaseScope {
    cases: Vec<CaseId>,
    added: Vec<String>,
    removed: Vec<String>,
}

pub(crate) fn persons_of(view: &CaseView, now_ms: i64) -> Vec<PersonView> {
    let mut persons: Vec<PersonView> = view
        .records
        .iter()
        .filter_map(|x| match &x.record {
            CaseRecord::Person { name, role, .. } => Some(PersonView {
                id: x.id,
                name: name.clone(),
                role: *role,
                flags: Vec::new(),
                attributions: Vec::new(),
                warning: None,
                welfare_due: None,
                safeguarding_due: Vec::new(),
            }),
            _ => None,
        })
        .collect();
    for x in &view.records {
        match &x.record {
            CaseRecord::Flag { person, flag, .. } => {
                if let Some(p) = persons.iter_mut().find(|p| p.id == *person) {
                    if !p.flags.contains(flag) {
                        p.flags.push(*flag);
                    }
                }
            }
            CaseRecord::Attribution { person, identifier, supporting, grade, .. } => {
                if let (Some(p), Ok(g)) = (persons.iter_mut().find(|p| p.id == *person), Grade::parse(grade)) {
                    p.attributions.push(AttributionView {
                        id: x.id,
                        identifier: identifier.clone(),
                        grade: grade.clone(),
                        supporting: supporting.clone(),
                        strength: attribution_strength(&g),
                    });
                }
            }
            CaseRecord::UrgentAction { person, action, .. } => {
                if let Some(p) = persons.iter_mut().find(|p| p.id == *person) {
                    p.welfare_due =
                        Some(format!("welfare reassessment due after the urgent {action:?} (record:{})", x.id));
                }
            }
            CaseRecord::WelfareCheck { person, .. } => {
                if let Some(p) = persons.iter_mut().find(|p| p.id == *person) {
                    p.welfare_due = None;
                }
            }
            _ => {}
        }
    }
    let dated: Vec<vigil_domain::safeguarding_plan::Dated> = view
        .records
        .iter()
        .map(|r| (r.id, vigil_domain::Timestamp::parse(&r.at).map(|t| t.unix_millis()).unwrap_or(0), &r.record))
        .collect();
    for p in &mut persons {
        p.safeguarding_due = vigil_domain::safeguarding_plan::prompts(&dated, p.id, now_ms);
        if p.role == vigil_domain::PersonRole::Suspect {
            let graded: Vec<(Grade, Vec<String>)> = p
                .attributions
                .iter()
                .filter_map(|a| Grade::parse(&a.grade).ok().map(|g| (g, a.supporting.clone())))
                .collect();
            p.warning = person_warning(&graded);
        }
    }
    persons
}

/// The team's figures across every case, from the recorded outcomes and decisions.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TeamFigures {
    pub cases: usize,
    pub arrests: usize,
    pub charges: usize,
    pub no_further_action: usize,
    pub children_safeguarded: usize,
    pub actions_approved: usize,
    pub actions_refused: usize,
    pub welfare_checks: usize,
    pub safeguarding_actions: usize,
    pub possible_wrong_person_flags: usize,
    /// Immediate-danger reports handed off, and the median time from
    /// receipt to the first hand-off, in seconds.
    pub immediate_handed_off: usize,
    pub median_secs_to_handoff: Option<u64>,
    /// Outcomes by Home Office outcome code: (code, label, count), in code order.
    pub home_office_outcomes: Vec<(String, String, usize)>,
}

impl Vigil {
    /// Supervisors and auditors only: figures, never case content.
    pub fn team_figures(&self, officer: &OfficerSession) -> Result<TeamFigures, CoreError> {
        if !matches!(officer.role, Role::Supervisor | Role::Auditor) {
            return Err(CoreError::Forbidden(format!("the {} role does not see the team's figures", officer.role)));
        }
        let mut f = TeamFigures::default();
        let mut children: Vec<(CaseId, u64)> = Vec::new();
        let mut codes: std::collections::BTreeMap<vigil_domain::HomeOfficeOutcome, usize> = Default::default();
        for (id, _) in self.store.read()?.cases()? {
            f.cases += 1;
            let mut arrest_requests: Vec<u64> = Vec::new();
            for row in self.store.read()?.case_records(&id)? {
                let record = parse_record(&row)?;
                if let CaseRecord::Outcome { home_office: Some(h), .. } = &record {
                    *codes.entry(*h).or_default() += 1;
                }
                match record {
                    // An arrest is an action: counted where made (urgent, or an
                    // approved arrest request), and from outcomes recorded before
                    // arrests stopped being one.
                    CaseRecord::UrgentAction { action: vigil_domain::ActionKind::Arrest, .. } => f.arrests += 1,
                    CaseRecord::ActionDecision { approved: true, request, .. }
                        if arrest_requests.contains(&request) =>
                    {
                        f.arrests += 1;
                        f.actions_approved += 1
                    }
                    CaseRecord::ActionRequest { action: vigil_domain::ActionKind::Arrest, .. } => {
                        arrest_requests.push(row.id)
                    }
                    CaseRecord::Outcome { outcome, .. } => match outcome {
                        vigil_domain::OutcomeKind::Arrest => f.arrests += 1,
                        vigil_domain::OutcomeKind::Charge => f.charges += 1,
                        vigil_domain::OutcomeKind::NoFurtherAction => f.no_further_action += 1,
                        // Counted from safeguarding records below, not from this claim.
                        vigil_domain::OutcomeKind::ChildrenSafeguarded => {}
                    },
                    CaseRecord::ActionDecision { approved: true, .. } => f.actions_approved += 1,
                    CaseRecord::ActionDecision { approved: false, .. } => f.actions_refused += 1,
                    CaseRecord::WelfareCheck { .. } => f.welfare_checks += 1,
                    CaseRecord::Safeguarding { child, .. } => {
                        f.safeguarding_actions += 1;
                        if !children.contains(&(id.clone(), child)) {
                            children.push((id.clone(), child));
                        }
                    }
                    CaseRecord::Flag { flag: PersonFlag::PossibleWrongPerson, .. } => {
                        f.possible_wrong_person_flags += 1
                    }
                    _ => {}
                }
            }
        }
        f.children_safeguarded = children.len();
        f.home_office_outcomes =
            codes.into_iter().map(|(h, n)| (h.code().to_owned(), h.label().to_owned(), n)).collect();
        // Receipt to action for a child in immediate danger: the first
        // hand-off of each immediate report.
        // Events come in log order, so the first seen per report is its first hand-off.
        let mut first: std::collections::HashMap<String, i64> = std::collections::HashMap::new();
        for ev in self.store.read()?.events_of_kind(EventKind::HandedOff.as_str())? {
            first.entry(ev.object).or_insert(ev.time_ms);
        }
        let mut waits = Vec::new();
        for (object, at) in first {
            let Some(r) = object.strip_prefix("exhibit:").and_then(|r| ExhibitRef::parse(r).ok()) else { continue };
            if let Some(row) = self.store.read()?.report(&r)?.filter(|row| row.immediate) {
                waits.push((at - row.received_ms).max(0) / 1000);
            }
        }
        waits.sort_unstable();
        f.immediate_handed_off = waits.len();
        f.median_secs_to_handoff = vigil_domain::median(&waits).map(|s| s as u64);
        Ok(f)
    }
}
