//! The triage queue: each public report's risk (with its factors) and
//! grade, kept apart from its content. Reading a report's content is an
//! audited `accessed` custody event; grading is a `reviewed` event.

use crate::data_dir::Vigil;
use crate::error::CoreError;
use crate::officers::OfficerSession;
use serde::Serialize;
use vigil_domain::{
    Actor, CloseReason, CustodyEvent, EventKind, ExhibitRef, Grade, ObjectRef, PublicReport, ReportState,
    RiskAssessment,
};
use vigil_store::ReportRow;

/// Largest stored report the queue will decrypt into memory.
const MAX_REPORT_BYTES: usize = 1 << 20;

#[derive(Debug, Clone, Serialize)]
pub struct QueueItem {
    pub exhibit: ExhibitRef,
    pub received: String,
    pub immediate_danger: bool,
    pub score: u32,
    pub factors: Vec<(String, u32)>,
    pub grade: Option<String>,
    pub graded_by: Option<String>,
    pub state: ReportState,
    pub closed_reason: Option<String>,
}

/// Reports shown on one page of the queue.
pub const QUEUE_PAGE: u64 = 50;

/// One page of the queue: the reports in one state, most urgent first, and
/// how many reports are in each state.
#[derive(Debug, Clone, Serialize)]
pub struct QueuePage {
    pub state: ReportState,
    pub order: vigil_domain::QueueOrder,
    /// When the longest-waiting open (new or graded) report was received.
    pub oldest_open: Option<vigil_domain::Timestamp>,
    /// From 1.
    pub page: u64,
    pub pages: u64,
    pub items: Vec<QueueItem>,
    pub counts: Vec<(ReportState, u64)>,
}

/// Identifiers compared for linking, normalised by kind (see
/// `vigil_domain::Identifier`): `email:…`, `phone:+…`, `url:…`, `username:platform/…`.
pub fn normalise_identifier(s: &str, platform: &str) -> Option<String> {
    vigil_domain::Identifier::normalise(s, platform).map(|i| i.to_string())
}

fn may_triage(o: &OfficerSession) -> Result<Actor, CoreError> {
    if o.role.works_triage() {
        Ok(Actor::parse(&o.username)?)
    } else {
        Err(CoreError::Forbidden(format!("the {} role does not work the triage queue", o.role)))
    }
}

/// A newly received report's row: its risk, not yet graded.
pub(crate) fn new_report_row(
    exhibit: &ExhibitRef,
    received: vigil_domain::Timestamp,
    risk: &RiskAssessment,
    kind: vigil_domain::ReportKind,
) -> ReportRow {
    ReportRow {
        exhibit: exhibit.clone(),
        received_ms: received.unix_millis(),
        immediate: risk.immediate_danger,
        score: risk.score,
        factors: serde_json::to_string(&risk.factors).expect("factors serialise"),
        grade: None,
        graded_by: None,
        graded_ms: None,
        state: ReportState::New,
        closed_reason: None,
        kind: Some(kind.as_str().to_owned()),
    }
}

fn item(r: ReportRow) -> QueueItem {
    QueueItem {
        exhibit: r.exhibit,
        received: vigil_domain::Timestamp::from_unix_millis(r.received_ms).to_string(),
        immediate_danger: r.immediate,
        score: r.score,
        factors: serde_json::from_str(&r.factors).unwrap_or_default(),
        grade: r.grade,
        graded_by: r.graded_by,
        state: r.state,
        closed_reason: r.closed_reason,
    }
}

impl Vigil {
    pub(crate) fn assess_report(&self, report: &PublicReport) -> Result<(RiskAssessment, Vec<String>), CoreError> {
        let ids = report_identifiers(report);
        if ids.is_empty() {
            return Ok((vigil_domain::assess(report, &[]), ids));
        }
        // Reports arriving at once ask together: one read for all of them.
        let shared = self.share_queue.submit(ids.clone(), |asked| {
            let all = HeldCounts::read(asked, |all| Ok(self.store.read()?.reports_holding_each(all)?))?;
            Ok(asked.iter().map(|ids| all.of(ids)).collect())
        })?;
        Ok((vigil_domain::assess(report, &shared), ids))
    }
}

/// A report's identifiers, normalised for its platform, sorted, each once.
pub(crate) fn report_identifiers(report: &PublicReport) -> Vec<String> {
    let mut ids: Vec<String> =
        report.identifiers.iter().filter_map(|i| normalise_identifier(i, &report.platform)).collect();
    ids.sort();
    ids.dedup();
    ids
}

/// How many stored reports hold each identifier of several reports', read
/// in one call for all of them.
pub(crate) struct HeldCounts {
    asked: Vec<String>,
    held: Vec<u64>,
}

impl HeldCounts {
    /// Reads the counts of every identifier in `reports` by `read`, which
    /// answers for each identifier it is given, in order.
    pub(crate) fn read(
        reports: &[Vec<String>],
        read: impl FnOnce(&[String]) -> Result<Vec<u64>, CoreError>,
    ) -> Result<Self, CoreError> {
        let mut asked: Vec<String> = reports.iter().flatten().cloned().collect();
        asked.sort();
        asked.dedup();
        let held = if asked.is_empty() { Vec::new() } else { read(&asked)? };
        if held.len() != asked.len() {
            return Err(CoreError::Failed("the store counted a different number of identifiers".into()));
        }
        Ok(HeldCounts { asked, held })
    }

    /// The counts of one report's identifiers, in its order.
    pub(crate) fn of(&self, ids: &[String]) -> Vec<u32> {
        let count =
            |id: &String| self.asked.binary_search(id).map_or(0, |k| u32::try_from(self.held[k]).unwrap_or(u32::MAX));
        ids.iter().map(count).collect()
    }
}

impl Vigil {
    /// One page (from 1) of the reports in `state`, most urgent first.
    pub fn triage_queue(
        &self,
        officer: &OfficerSession,
        state: ReportState,
        order: vigil_domain::QueueOrder,
        page: u64,
    ) -> Result<QueuePage, CoreError> {
        may_triage(officer)?;
        let mut store = self.store.read()?;
        let mut counts = store.report_counts()?;
        counts.sort_by_key(|(s, _)| *s);
        let total = counts.iter().find(|(s, _)| *s == state).map_or(0, |(_, n)| *n);
        let pages = total.div_ceil(QUEUE_PAGE).max(1);
        let page = page.clamp(1, pages);
        let rows = store.report_queue(state, order, (page - 1) * QUEUE_PAGE, QUEUE_PAGE)?;
        let oldest_open = match (store.oldest_received(ReportState::New)?, store.oldest_received(ReportState::Graded)?)
        {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        Ok(QueuePage {
            state,
            order,
            page,
            pages,
            items: rows.into_iter().map(item).collect(),
            counts,
            oldest_open: oldest_open.map(vigil_domain::Timestamp::from_unix_millis),
        })
    }

    /// Closes a report without a case, with its reason (a `reviewed` event).
    /// A report already in a case is closed through the case, not here.
    pub fn close_report(
        &self,
        exhibit: &ExhibitRef,
        reason: CloseReason,
        note: &str,
        officer: &OfficerSession,
    ) -> Result<u64, CoreError> {
        let actor = may_triage(officer)?;
        let row = self.store.read()?.report(exhibit)?.ok_or_else(|| CoreError::NoSuchExhibit(exhibit.to_string()))?;
        if !row.state.is_open() {
            return Err(CoreError::Refused(format!(
                "report {exhibit} is {}, not open",
                row.state.label().to_lowercase()
            )));
        }
        let mut ev = CustodyEvent::new(EventKind::Reviewed, actor, self.now(), ObjectRef::exhibit(exhibit));
        ev.note = Some(format!("closed: {}", reason.label()));
        ev.reason = Some(note.trim().to_owned()).filter(|n| !n.is_empty());
        ev.validate()?;
        self.write(|u| {
            u.tx().set_report_state(exhibit, ReportState::Closed, Some(reason.as_str()))?;
            Ok(u.log(ev))
        })
    }

    /// A report's content, for an officer; the read is logged with its reason.
    pub fn read_report(
        &self,
        exhibit: &ExhibitRef,
        officer: &OfficerSession,
        reason: &str,
    ) -> Result<(QueueItem, serde_json::Value), CoreError> {
        let actor = may_triage(officer)?;
        let row = self.store.read()?.report(exhibit)?.ok_or_else(|| CoreError::NoSuchExhibit(exhibit.to_string()))?;
        let (value, ex) = self.report_body(exhibit)?;
        let t = self.now();
        let mut ev = CustodyEvent::new(EventKind::Accessed, actor, t, ObjectRef::exhibit(exhibit));
        ev.reason = Some(reason.to_owned());
        ev.digest = Some(ex.sha256);
        ev.case = Some(ex.case_id.clone());
        self.append_events(&[ev])?;
        Ok((item(row), value))
    }

    /// What the reporter added to a report later, oldest first, each read
    /// recorded; `new` is whether this officer has not read it before.
    pub fn report_additions(
        &self,
        exhibit: &ExhibitRef,
        officer: &OfficerSession,
    ) -> Result<Vec<ReportAddition>, CoreError> {
        let actor = may_triage(officer)?;
        let mut out = Vec::new();
        let mut reads = Vec::new();
        for (added, at_ms) in self.store.read()?.report_additions(exhibit)? {
            let seen = self
                .store
                .read()?
                .events_for_object(ObjectRef::exhibit(&added).as_str())?
                .iter()
                .filter_map(|ev| vigil_custody::decode_leaf(&ev.leaf).ok())
                .any(|(_, e)| e.kind == EventKind::Accessed && e.actor == actor);
            let (value, row) = self.report_body(&added)?;
            let text = value.get("text").and_then(|t| t.as_str()).unwrap_or_default().to_owned();
            out.push(ReportAddition {
                exhibit: added.clone(),
                received: vigil_domain::Timestamp::from_unix_millis(at_ms).london(),
                text,
                new: !seen,
            });
            let mut ev = CustodyEvent::new(EventKind::Accessed, actor.clone(), self.now(), ObjectRef::exhibit(&added));
            ev.reason = Some(format!("triage review of report {exhibit}: what the reporter added"));
            ev.digest = Some(row.sha256);
            ev.case = Some(row.case_id.clone());
            reads.push(ev);
        }
        if !reads.is_empty() {
            self.append_events(&reads)?;
        }
        Ok(out)
    }

    /// The stored report, decrypted; callers log any read an officer sees.
    fn report_body(&self, exhibit: &ExhibitRef) -> Result<(serde_json::Value, vigil_store::ExhibitRow), CoreError> {
        let ex = self.exhibit_row(exhibit)?;
        let mut reader = self.open_blob(&ex.sha256)?;
        let mut bytes = Vec::new();
        while let Some(chunk) = reader.next_chunk()? {
            bytes.extend_from_slice(chunk);
            if bytes.len() > MAX_REPORT_BYTES {
                return Err(CoreError::Refused(format!("report {exhibit} is too large to show here")));
            }
        }
        let value = serde_json::from_slice(&bytes)
            .map_err(|e| CoreError::Log(format!("report {exhibit} is not valid JSON: {e}")))?;
        Ok((value, ex))
    }

    /// Grades or re-grades a report, with the reason (issue 12, point 7).
    /// Each grade is a `graded` custody event, so the history survives a
    /// re-grade and `grade_history` reads it back.
    pub fn grade_report(
        &self,
        exhibit: &ExhibitRef,
        grade: &Grade,
        reason: &str,
        officer: &OfficerSession,
    ) -> Result<u64, CoreError> {
        let actor = may_triage(officer)?;
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > 500 || reason.chars().any(char::is_control) {
            return Err(CoreError::InvalidInput {
                field: "reason".into(),
                why: "give the reason for the grade, one line of at most 500 characters".into(),
            });
        }
        self.store.read()?.report(exhibit)?.ok_or_else(|| CoreError::NoSuchExhibit(exhibit.to_string()))?;
        // A public reporter who left their details must not be shared
        // freely: handling code C, with the conditions stated (the system
        // checks the stored report; no officer sees anything here).
        if grade.conditions.is_none() {
            let (body, _) = self.report_body(exhibit)?;
            let contact = &body["report"]["contact"];
            if contact.as_str().is_some_and(|c| !c.trim().is_empty()) {
                return Err(CoreError::InvalidInput {
                    field: "handling".into(),
                    why: "the report holds the reporter's contact details: grade it handling code C, with \
                          conditions such as \"reporter's identity not to be shared; share the sanitised version\""
                        .into(),
                });
            }
        }
        self.write(|u| {
            let t = u.now;
            u.tx().set_grade(exhibit, &grade.to_string(), actor.as_str(), t.unix_millis())?;
            let mut ev = CustodyEvent::new(EventKind::Graded, actor, t, ObjectRef::exhibit(exhibit));
            ev.note = Some(format!("graded {grade}"));
            ev.reason = Some(reason.to_owned());
            Ok(u.log(ev))
        })
    }

    /// The report as it may be shared beyond the team: without the
    /// reporter's contact details or anything about the reporter
    /// themselves. Whether the reporter contacted the person or posed as a
    /// child stays: it is about the evidence, not the reporter, and the
    /// owning force must know the material may be a decoy's. The read is
    /// logged with its reason.
    pub fn sanitised_report(
        &self,
        exhibit: &ExhibitRef,
        officer: &OfficerSession,
        reason: &str,
    ) -> Result<serde_json::Value, CoreError> {
        let (_, mut value) = self.read_report(exhibit, officer, reason)?;
        if let Some(r) = value.get_mut("report").and_then(|r| r.as_object_mut()) {
            r.remove("contact");
            if let Some(about) = r.get_mut("about").and_then(|a| a.as_object_mut()) {
                about.remove("reporter_is_child");
                about.remove("would_give_statement");
                if about.get("contacted_or_posed").and_then(|v| v.as_bool()) == Some(true) {
                    about.insert("evidence_note".into(), POSED_NOTE.into());
                }
            }
        }
        Ok(value)
    }

    /// Every grade a report was given, oldest first: (grade, reason, by, when).
    pub fn grade_history(&self, exhibit: &ExhibitRef) -> Result<Vec<GradeChange>, CoreError> {
        let mut out = Vec::new();
        for row in self.store.read()?.events_for_object(ObjectRef::exhibit(exhibit).as_str())? {
            if row.kind != EventKind::Graded.as_str() {
                continue;
            }
            let (_, ev) = vigil_custody::decode_leaf(&row.leaf).map_err(|e| CoreError::Log(e.to_string()))?;
            out.push(GradeChange {
                grade: ev.note.as_deref().and_then(|n| n.strip_prefix("graded ")).unwrap_or_default().to_owned(),
                reason: ev.reason.unwrap_or_default(),
                by: ev.actor.as_str().to_owned(),
                at: ev.time,
            });
        }
        Ok(out)
    }
}

/// What the reporter's "I contacted them or posed as a child" means for the evidence.
const POSED_NOTE: &str = "The reporter says they contacted the person or posed as a child: the material may be a \
     decoy's. Any offence is then an attempt (Criminal Attempts Act 1981); check entrapment and s.78 PACE before \
     relying on it.";

/// One grade in a report's history.
#[derive(Debug, Clone, serde::Serialize)]
pub struct GradeChange {
    pub grade: String,
    pub reason: String,
    pub by: String,
    pub at: vigil_domain::Timestamp,
}

impl Vigil {
    /// Records that a report was handed to those who act at once (issue 12,
    /// point 6), with the time, as a `handed-off` custody event on the report.
    pub fn record_handoff(
        &self,
        exhibit: &ExhibitRef,
        handoff: &vigil_domain::Handoff,
        officer: &OfficerSession,
    ) -> Result<(), CoreError> {
        let actor = may_triage(officer)?;
        handoff.validate()?;
        self.store.read()?.report(exhibit)?.ok_or_else(|| CoreError::NoSuchExhibit(exhibit.to_string()))?;
        self.write(|u| {
            let mut ev = CustodyEvent::new(EventKind::HandedOff, actor.clone(), u.now, ObjectRef::exhibit(exhibit));
            ev.note = Some(handoff.summary());
            ev.reason = Some(format!("immediate danger: {}", handoff.target.as_str()));
            u.log(ev);
            Ok(())
        })
    }

    fn handed_off(&self, exhibit: &ExhibitRef) -> Result<bool, CoreError> {
        let kind = EventKind::HandedOff.as_str();
        Ok(self.store.read()?.events_for_object(ObjectRef::exhibit(exhibit).as_str())?.iter().any(|e| e.kind == kind))
    }

    /// Whether the reporter said they contacted the person or posed as a child.
    fn reporter_posed(&self, exhibit: &ExhibitRef) -> Result<bool, CoreError> {
        let (value, _) = self.report_body(exhibit)?;
        Ok(value.pointer("/report/about/contacted_or_posed").and_then(|v| v.as_bool()) == Some(true))
    }

    /// Opens a case from a graded report, or adds the report to an existing
    /// case. A reporter's answer that they contacted the person or posed as
    /// a child goes into the case as a record, so the case (and its
    /// charging prompts) never loses it. Returns whether a new case was opened. An ungraded report cannot
    /// be acted on, except one of immediate danger once it is handed off.
    pub fn report_to_case(
        &self,
        exhibit: &ExhibitRef,
        case: &vigil_domain::CaseId,
        title: Option<&str>,
        officer: &OfficerSession,
    ) -> Result<bool, CoreError> {
        let actor = may_triage(officer)?;
        let row = self.store.read()?.report(exhibit)?.ok_or_else(|| CoreError::NoSuchExhibit(exhibit.to_string()))?;
        // Grading is for intelligence. A child in immediate danger is handed
        // off at once, and the hand-off lets a case open before any grade.
        if row.grade.is_none() && !(row.immediate && self.handed_off(exhibit)?) {
            return Err(CoreError::Refused(if row.immediate {
                format!(
                    "report {exhibit} is immediate danger: record its hand-off (control room, owning force or \
                     police protection) first; it can then open a case before it is graded"
                )
            } else {
                format!("report {exhibit} must be graded (3x5x2) before it can be acted on")
            }));
        }
        let exists = self.store.read()?.case_title(case)?.is_some();
        if !exists && case.is_reserved() {
            return Err(CoreError::InvalidInput {
                field: "case".into(),
                why: format!(
                    "{case} is kept for reports as they arrive and cannot be opened as a case; choose another ID"
                ),
            });
        }
        if exists {
            // Need-to-know: adding to a case is work on it. A case the officer
            // may not see answers as one that does not exist (the gate
            // records the attempt), whether or not they meant to open it.
            self.case_gate(case, officer, crate::Need::Work)?;
        }
        let posed = self.reporter_posed(exhibit)?;
        let title = title.map(str::trim).filter(|t| !t.is_empty());
        if !exists && title.is_none() {
            return Err(CoreError::Refused(format!("case {case} does not exist yet: give it a title to open it")));
        }
        if let Some(t) = title {
            if t.chars().count() > 200 || t.chars().any(char::is_control) {
                return Err(CoreError::InvalidInput {
                    field: "title".into(),
                    why: "the case title must be one line of at most 200 characters".into(),
                });
            }
        }
        self.write(|u| {
            let t = u.now;
            if !exists {
                let title = title.expect("checked above");
                u.tx().insert_case(case, title, actor.as_str(), t.unix_millis())?;
                let mut ev =
                    CustodyEvent::new(EventKind::Created, actor.clone(), t, ObjectRef::parse(&format!("case:{case}"))?);
                ev.case = Some(case.clone());
                ev.note = Some(format!("case opened from report {exhibit}: {title}"));
                u.log(ev);
            }
            u.tx().add_report_to_case(case, exhibit, actor.as_str(), t.unix_millis())?;
            let mut ev = CustodyEvent::new(EventKind::Reviewed, actor.clone(), t, ObjectRef::exhibit(exhibit));
            ev.case = Some(case.clone());
            ev.note = Some(format!("added to case {case}"));
            u.log(ev);
            if posed {
                let r = vigil_domain::CaseRecord::PosedAsChild { report: exhibit.to_string(), note: POSED_NOTE.into() };
                u.record_case(case, &r, &actor)?;
            }
            Ok(())
        })?;
        Ok(!exists)
    }

    pub fn cases_of_report(&self, exhibit: &ExhibitRef) -> Result<Vec<vigil_domain::CaseId>, CoreError> {
        Ok(self.store.read()?.cases_of_report(exhibit)?)
    }
}

/// A report that shares identifiers with another, for the side-by-side view.
#[derive(Debug, Clone, Serialize)]
pub struct LinkedReport {
    pub exhibit: ExhibitRef,
    pub shared: Vec<String>,
    /// Falls as the shared identifiers become common (Σ 1 / reports holding each).
    pub weight: f64,
    /// Set when an officer linked the two by hand: who, and why.
    pub manual: Option<String>,
}

/// Information a reporter added to their report later, with their receipt.
#[derive(Debug, Clone, Serialize)]
pub struct ReportAddition {
    pub exhibit: ExhibitRef,
    /// When it arrived, in London time.
    pub received: String,
    pub text: String,
    /// Whether the officer reading it now had not read it before.
    pub new: bool,
}

/// A chat export holding one of a report's identifiers, with the message
/// it is first found in.
#[derive(Debug, Clone, Serialize)]
pub struct ChatMatch {
    pub exhibit: ExhibitRef,
    pub case: vigil_domain::CaseId,
    pub identifier: String,
    pub first_source: String,
    pub occurrences: u64,
}

/// Weight of a link an officer made by hand: as strong as one identifier
/// that only these two reports hold.
const MANUAL_WEIGHT: f64 = 1.0;

impl Vigil {
    /// Reports linked to this one through shared identifiers, strongest first.
    /// Linking never names a person: it relates reports, not people.
    pub fn linked_reports(
        &self,
        exhibit: &ExhibitRef,
        officer: &OfficerSession,
    ) -> Result<Vec<LinkedReport>, CoreError> {
        may_triage(officer)?;
        let mut links: Vec<LinkedReport> = Vec::new();
        for id in self.store.read()?.identifiers_of(exhibit)? {
            let holders = self.store.read()?.reports_sharing(std::slice::from_ref(&id), Some(exhibit))?;
            let w = 1.0 / (holders.len().max(1) as f64);
            for h in holders {
                match links.iter_mut().find(|l| l.exhibit == h) {
                    Some(l) => {
                        l.shared.push(id.clone());
                        l.weight += w;
                    }
                    None => links.push(LinkedReport { exhibit: h, shared: vec![id.clone()], weight: w, manual: None }),
                }
            }
        }
        for m in self.store.read()?.manual_links(exhibit)? {
            let other = if &m.a == exhibit { m.b.clone() } else { m.a.clone() };
            if m.linked {
                let why = format!("linked by {}: {}", m.by, m.reason);
                match links.iter_mut().find(|l| l.exhibit == other) {
                    Some(l) => {
                        l.weight += MANUAL_WEIGHT;
                        l.manual = Some(why);
                    }
                    None => links.push(LinkedReport {
                        exhibit: other,
                        shared: Vec::new(),
                        weight: MANUAL_WEIGHT,
                        manual: Some(why),
                    }),
                }
            } else {
                // An officer judged the shared identifiers a coincidence.
                links.retain(|l| l.exhibit != other);
            }
        }
        links.sort_by(|a, b| b.weight.total_cmp(&a.weight).then(a.exhibit.cmp(&b.exhibit)));
        Ok(links)
    }
}

impl Vigil {
    /// Chat exports (in any case) in which one of the report's identifiers
    /// was found, for the triage view: which case holds the conversation
    /// and where in it, never who the identifier belongs to.
    pub fn chats_holding_report_identifiers(
        &self,
        exhibit: &ExhibitRef,
        officer: &OfficerSession,
    ) -> Result<Vec<ChatMatch>, CoreError> {
        may_triage(officer)?;
        let ids = self.store.read()?.identifiers_of(exhibit)?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        for row in self.store.read()?.exhibits_holding(&ids)? {
            let case = self.exhibit(&row.exhibit)?.case_id;
            out.push(ChatMatch {
                exhibit: row.exhibit,
                case,
                identifier: row.identifier,
                first_source: row.source,
                occurrences: row.occurrences,
            });
        }
        Ok(out)
    }

    /// Links two reports by hand, or unlinks them (overriding shared
    /// identifiers), with a reason. Audited as a `reviewed` event on both.
    pub fn set_report_link(
        &self,
        one: &ExhibitRef,
        other: &ExhibitRef,
        linked: bool,
        reason: &str,
        officer: &OfficerSession,
    ) -> Result<(), CoreError> {
        let actor = may_triage(officer)?;
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > 500 || reason.chars().any(|c| c.is_control()) {
            return Err(CoreError::InvalidInput {
                field: "reason".into(),
                why: "give a reason of one line, at most 500 characters".into(),
            });
        }
        if one == other {
            return Err(CoreError::InvalidInput {
                field: "other".into(),
                why: "a report cannot be linked to itself".into(),
            });
        }
        for r in [one, other] {
            self.store.read()?.report(r)?.ok_or_else(|| CoreError::NoSuchExhibit(r.to_string()))?;
        }
        let (a, b) = if one < other { (one, other) } else { (other, one) };
        self.write(|u| {
            let t = u.now;
            u.tx().set_link(&vigil_store::LinkRow {
                a: a.clone(),
                b: b.clone(),
                linked,
                by: actor.as_str().to_owned(),
                reason: reason.to_owned(),
                at_ms: t.unix_millis(),
            })?;
            let verb = if linked { "linked to" } else { "unlinked from" };
            for (x, y) in [(one, other), (other, one)] {
                let mut ev = CustodyEvent::new(EventKind::Reviewed, actor.clone(), t, ObjectRef::exhibit(x));
                ev.note = Some(format!("{verb} report {y} by hand: {reason}"));
                u.log(ev);
            }
            Ok(())
        })?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn held_counts_ask_each_identifier_once_and_answer_each_report_in_its_order() {
        let reports = vec![vec!["b".to_string(), "a".to_string()], vec![], vec!["a".to_string(), "c".to_string()]];
        let mut seen = Vec::new();
        let held = HeldCounts::read(&reports, |all| {
            seen = all.to_vec();
            Ok(vec![2, 0, 7])
        })
        .unwrap();
        assert_eq!(seen, ["a", "b", "c"], "asked once each, sorted");
        assert_eq!(held.of(&reports[0]), [0, 2]);
        assert!(held.of(&reports[1]).is_empty());
        assert_eq!(held.of(&reports[2]), [2, 7]);
        assert_eq!(held.of(&["unasked".to_string()]), [0]);
    }

    #[test]
    fn held_counts_refuse_an_answer_of_the_wrong_length_and_ask_nothing_for_no_identifiers() {
        let reports = vec![vec!["a".to_string(), "b".to_string()]];
        assert!(matches!(HeldCounts::read(&reports, |_| Ok(vec![1])), Err(CoreError::Failed(_))));
        let none = HeldCounts::read(&[vec![], vec![]], |_| panic!("nothing to ask")).unwrap();
        assert!(none.of(&[]).is_empty());
    }
}
