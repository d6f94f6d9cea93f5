//! Retention review (MoPI-style): every case, and every report closed
//! without a case, has a review date from the force's policy; a
//! supervisor's review retains it with a reason or disposes of it. A
//! disposal is the audited deletion (a `deleted` event per exhibit, keys
//! destroyed) closed by one `decided` event naming every item, and its
//! certificate carries each event with its inclusion proof against a
//! signed head, so anyone with the public key can check it offline.
//! Legal holds and live prosecutions stop disposal, saying why.

use crate::custody_log::from_head_row;
use crate::data_dir::Vigil;
use crate::error::CoreError;
use crate::pdf_table::table_pdf;
use ed25519_dalek::VerifyingKey;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use vigil_custody::{decode_leaf, inclusion_proof, leaf_hash, verify_inclusion, SignedTreeHead};
use vigil_domain::{
    case_outcome, live_prosecution, review_due_ms, Actor, CaseId, CaseRecord, CourtResult, CustodyEvent, EventKind,
    ExhibitRef, Initials, ObjectRef, OutcomeKind, ReportState, RetentionPolicy, RetentionSubject, Timestamp,
};
use vigil_store::RetentionRow;

/// The format tag of a disposal certificate.
pub const DISPOSAL_FORMAT: &str = "vigil-disposal-certificate-1";
/// The case disposal certificates are kept under (they outlive what they dispose of).
pub const DISPOSALS_CASE: &str = "DISPOSALS";
const POLICY_ROW: &str = "policy";
const DAY_MS: i64 = 86_400_000;

/// A legal hold: who set it, when and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegalHold {
    pub reason: String,
    pub by: String,
    pub at: String,
}

/// A review decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionDecision {
    /// `retain` or `dispose`.
    pub decision: String,
    pub reason: String,
    pub rule: String,
    pub by: String,
    pub at: String,
    /// For a retain decision: the next review.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_review: Option<String>,
}

/// One case or report as the review queue shows it.
#[derive(Debug, Clone, Serialize)]
pub struct RetentionItem {
    /// `case:ID` or `report:PR/N`.
    pub subject: String,
    pub title: String,
    /// A report's kind; none for a case.
    pub category: Option<String>,
    pub outcome: String,
    pub rule: String,
    pub review_after_days: u32,
    pub last_activity: Timestamp,
    pub review_due: Timestamp,
    /// The review date has come.
    pub due: bool,
    pub hold: Option<LegalHold>,
    pub live_prosecution: bool,
    pub court_result: Option<String>,
    pub last_decision: Option<RetentionDecision>,
    /// Exhibits it holds that are not yet deleted.
    pub exhibits: usize,
    pub disposed: bool,
}

impl RetentionItem {
    /// Why it may not be disposed of now, if it may not.
    pub fn disposal_barred(&self, now: Timestamp) -> Option<String> {
        if self.disposed {
            return Some(format!("{} has already been disposed of", self.subject));
        }
        if let Some(h) = &self.hold {
            return Some(format!(
                "{} is under a legal hold ({}; set by {} at {}): release the hold first",
                self.subject, h.reason, h.by, h.at
            ));
        }
        if self.live_prosecution {
            return Some(format!(
                "{} has a live prosecution (charged, and no result from the court is recorded): material is kept \
                 until the court's result",
                self.subject
            ));
        }
        if self.review_due > now {
            return Some(format!(
                "{} is not due for review until {} (rule: {}); a disposal follows a review",
                self.subject, self.review_due, self.rule
            ));
        }
        None
    }
}

/// One disposed exhibit in a certificate, with the proof of its deletion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisposedItem {
    pub exhibit: String,
    pub sha256: String,
    pub size: u64,
    pub deleted_event: u64,
    /// The canonical `deleted` event, exactly as hashed into the log.
    pub leaf: String,
    pub audit_path: Vec<String>,
}

/// The decision event that closes a disposal, with its proof.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProvenEvent {
    pub index: u64,
    pub leaf: String,
    pub audit_path: Vec<String>,
}

/// A disposal certificate: which items, their digests, when, by whom,
/// under which rule, each deletion proved against a signed tree head.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisposalCertificate {
    pub format: String,
    pub subject: String,
    pub rule: String,
    pub policy_sha256: String,
    pub reason: String,
    pub disposed_by: String,
    pub disposed_at: String,
    pub build: crate::validation::BuildInfo,
    pub items: Vec<DisposedItem>,
    pub decision: ProvenEvent,
    pub tree_head: SignedTreeHead,
}

impl DisposalCertificate {
    pub fn pdf(&self) -> Vec<u8> {
        let rows: Vec<Vec<String>> = self
            .items
            .iter()
            .map(|i| vec![i.exhibit.clone(), i.sha256.clone(), i.size.to_string(), format!("#{}", i.deleted_event)])
            .collect();
        let subtitle = format!(
            "{} disposed of by {} at {} under the rule \"{}\" (policy SHA-256 {}). Reason: {}. Each deletion is a custody \
             event proved against the signed tree head of size {} (root {}); the decision is event #{}. The content of \
             every item listed was made unreadable (its keys destroyed); its digests and custody history remain.",
            self.subject,
            self.disposed_by,
            self.disposed_at,
            self.rule,
            self.policy_sha256,
            self.reason,
            self.tree_head.head.tree_size,
            hex::encode(self.tree_head.head.root),
            self.decision.index
        );
        table_pdf(
            &format!("Disposal certificate: {}", self.subject),
            &subtitle,
            &["Exhibit", "SHA-256", "Bytes", "Deleted (event)"],
            &[1.0, 5.0, 1.0, 1.2],
            &rows,
        )
    }
}

/// Where a certificate was kept.
#[derive(Debug, Clone, Serialize)]
pub struct StoredCertificate {
    pub json: ExhibitRef,
    pub pdf: ExhibitRef,
}

/// What a disposal's decision event carries as its digest: the SHA-256 of
/// the disposed exhibits' references, one per line, as the certificate
/// lists them (the list may be longer than an event's note).
fn items_digest<'a>(items: impl Iterator<Item = &'a str>) -> vigil_domain::Sha256Digest {
    let mut h = Sha256::new();
    for i in items {
        h.update(i.as_bytes());
        h.update(b"\n");
    }
    vigil_domain::Sha256Digest(h.finalize().into())
}

fn hex_path(p: &[[u8; 32]]) -> Vec<String> {
    p.iter().map(hex::encode).collect()
}

/// Checks a certificate offline with the log's public key: the head's
/// signature, each event's inclusion proof, each `deleted` event naming its
/// exhibit and digest, and the decision naming exactly the items listed.
pub fn verify_disposal_certificate(json: &[u8], key: &VerifyingKey) -> Result<DisposalCertificate, String> {
    let c: DisposalCertificate =
        serde_json::from_slice(json).map_err(|e| format!("not a disposal certificate: {e}"))?;
    if c.format != DISPOSAL_FORMAT {
        return Err(format!("format {:?}, expected {DISPOSAL_FORMAT}", c.format));
    }
    c.tree_head.verify(key).map_err(|_| "the signed tree head does not verify under the public key".to_owned())?;
    let head = &c.tree_head.head;
    let prove = |what: &str, index: u64, leaf: &str, path: &[String]| -> Result<CustodyEvent, String> {
        let mut hashes = Vec::new();
        for h in path {
            let mut b = [0u8; 32];
            hex::decode_to_slice(h, &mut b).map_err(|_| format!("{what}: a proof hash is malformed"))?;
            hashes.push(b);
        }
        verify_inclusion(index, head.tree_size, &leaf_hash(leaf.as_bytes()), &hashes, &head.root)
            .map_err(|e| format!("{what}: event #{index} is not in the signed log: {e}"))?;
        let (i, ev) = decode_leaf(leaf.as_bytes()).map_err(|e| format!("{what}: {e}"))?;
        if i != index {
            return Err(format!("{what}: the event says it is #{i}, listed as #{index}"));
        }
        Ok(ev)
    };
    for item in &c.items {
        let ev = prove(&item.exhibit, item.deleted_event, &item.leaf, &item.audit_path)?;
        if ev.kind != EventKind::Deleted || ev.object.as_str() != format!("exhibit:{}", item.exhibit) {
            return Err(format!("{}: event #{} is not its deletion", item.exhibit, item.deleted_event));
        }
        if ev.digest.map(|d| d.to_hex()) != Some(item.sha256.clone()) {
            return Err(format!("{}: the deletion names another digest", item.exhibit));
        }
    }
    let d = prove("the decision", c.decision.index, &c.decision.leaf, &c.decision.audit_path)?;
    let listed = items_digest(c.items.iter().map(|i| i.exhibit.as_str()));
    if d.kind != EventKind::Decided
        || d.digest != Some(listed)
        || d.object.as_str() != subject_object(&c.subject).map_err(|e| e.to_string())?.as_str()
    {
        return Err(format!("the decision event #{} names other items than the certificate lists", c.decision.index));
    }
    Ok(c)
}

fn subject_object(subject: &str) -> Result<ObjectRef, CoreError> {
    match subject.strip_prefix("report:") {
        Some(r) => Ok(ObjectRef::exhibit(&ExhibitRef::parse(r)?)),
        None => Ok(ObjectRef::parse(subject)?),
    }
}

impl Vigil {
    /// The force's retention policy (the standard one until a force sets its own).
    pub fn retention_policy(&self) -> Result<RetentionPolicy, CoreError> {
        match self.store.read()?.retention_row(POLICY_ROW)?.and_then(|r| r.decision) {
            Some(json) => Ok(RetentionPolicy::parse(&json)?),
            None => Ok(RetentionPolicy::standard()),
        }
    }

    fn policy_sha256(&self) -> Result<String, CoreError> {
        let p = self.retention_policy()?;
        Ok(hex::encode(Sha256::digest(serde_json::to_vec(&p).expect("a policy serialises"))))
    }

    /// Sets the force's policy; the `decided` event carries its SHA-256.
    pub fn set_retention_policy(&self, json: &str, actor: &Actor) -> Result<RetentionPolicy, CoreError> {
        let p = RetentionPolicy::parse(json)?;
        let canonical = serde_json::to_string(&p).expect("a policy serialises");
        let mut ev = CustodyEvent::new(
            EventKind::Decided,
            actor.clone(),
            self.now(),
            ObjectRef::parse("retention-policy:force")?,
        );
        ev.digest = Some(vigil_domain::Sha256Digest(Sha256::digest(canonical.as_bytes()).into()));
        ev.note = Some(format!("retention policy set: {} rule(s)", p.rules.len()));
        self.write(|u| {
            u.log(ev);
            u.tx().put_retention(&RetentionRow {
                subject: POLICY_ROW.into(),
                decision: Some(canonical.clone()),
                ..Default::default()
            })?;
            Ok(())
        })?;
        Ok(p)
    }

    /// Every case, and every report closed without a case, with its review
    /// date; those due first.
    pub fn retention_queue(&self) -> Result<Vec<RetentionItem>, CoreError> {
        let mut subjects: Vec<String> =
            self.store.read()?.cases()?.into_iter().map(|(id, _)| format!("case:{id}")).collect();
        for r in self.store.read()?.reports_received_since(0)? {
            if r.state == ReportState::Closed && self.store.read()?.cases_of_report(&r.exhibit)?.is_empty() {
                subjects.push(format!("report:{}", r.exhibit));
            }
        }
        let mut items = subjects.iter().map(|s| self.retention_item(s)).collect::<Result<Vec<_>, _>>()?;
        items.sort_by(|a, b| (a.disposed, a.review_due, &a.subject).cmp(&(b.disposed, b.review_due, &b.subject)));
        Ok(items)
    }

    /// One case (`case:ID`) or report (`report:PR/N`) as the queue shows it.
    pub fn retention_item(&self, subject: &str) -> Result<RetentionItem, CoreError> {
        Ok(self.retention_item_and_row(subject)?.0)
    }

    /// The item, and the retention row it was judged from: a decision
    /// stands only if that row is unchanged when its unit of work commits.
    fn retention_item_and_row(&self, subject: &str) -> Result<(RetentionItem, RetentionRow), CoreError> {
        let row = self.store.read()?.retention_row(subject)?.unwrap_or_else(|| blank_row(subject));
        let policy = self.retention_policy()?;
        let court = row.court_result.as_deref().map(CourtResult::parse).transpose()?;
        let (kind, title, category, outcome, last_ms, live, exhibits) = if let Some(id) = subject.strip_prefix("case:")
        {
            let case = CaseId::parse(id)?;
            let title = self.store.read()?.case_title(&case)?.ok_or_else(|| CoreError::NoSuchCase(case.to_string()))?;
            let (mut charged, mut nfa) = (false, false);
            let mut last = self.store.read()?.case_opened_ms(&case)?.unwrap_or(0);
            for r in self.store.read()?.case_records(&case)? {
                last = last.max(r.at_ms);
                match crate::case_work::parse_record(&r)? {
                    CaseRecord::ChargingDecision { charges, .. } if !charges.is_empty() => charged = true,
                    CaseRecord::Outcome { outcome: OutcomeKind::Charge, .. } => charged = true,
                    // Schedules served on the defence: a prosecution has begun.
                    CaseRecord::Served { .. } => charged = true,
                    CaseRecord::Outcome { outcome: OutcomeKind::NoFurtherAction, .. } => nfa = true,
                    _ => {}
                }
            }
            let live = live_prosecution(court, charged);
            let exhibits =
                self.store.read()?.exhibits_of_case(&case)?.iter().filter(|e| e.deleted_event.is_none()).count();
            (RetentionSubject::Case, title, None, case_outcome(court, charged, nfa).to_owned(), last, live, exhibits)
        } else if let Some(r) = subject.strip_prefix("report:") {
            let reference = ExhibitRef::parse(r)?;
            let report = self
                .store
                .read()?
                .report(&reference)?
                .ok_or_else(|| CoreError::NoSuchExhibit(reference.to_string()))?;
            let outcome = match report.state {
                ReportState::Closed => report.closed_reason.clone().unwrap_or_else(|| "no-further-action".into()),
                _ => "open".into(),
            };
            let kind = report.kind.clone();
            let title = format!(
                "Report {reference} ({}), {}",
                kind.as_deref().unwrap_or("kind not given"),
                outcome.replace('-', " ")
            );
            let exhibits = self.report_exhibits(&reference)?.len();
            (RetentionSubject::Report, title, kind, outcome, report.received_ms, false, exhibits)
        } else {
            return Err(CoreError::InvalidInput {
                field: "subject".into(),
                why: format!("{subject:?}: expected case:ID or report:PR/N"),
            });
        };
        let rule = policy
            .rule_for(kind, category.as_deref(), &outcome)
            .ok_or_else(|| CoreError::Refused(format!("the retention policy has no rule for {subject}")))?;
        let due = review_due_ms(last_ms, rule, row.retained_until_ms);
        let now = self.now();
        let item = RetentionItem {
            subject: subject.to_owned(),
            title,
            category,
            outcome,
            rule: rule.name.clone(),
            review_after_days: rule.review_after_days,
            last_activity: Timestamp::from_unix_millis(last_ms),
            review_due: Timestamp::from_unix_millis(due),
            due: due <= now.unix_millis(),
            hold: row
                .hold
                .as_deref()
                .map(serde_json::from_str)
                .transpose()
                .map_err(|e| CoreError::Log(format!("the legal hold on {subject} is malformed: {e}")))?,
            live_prosecution: live,
            court_result: row.court_result.clone(),
            last_decision: row
                .decision
                .as_deref()
                .map(serde_json::from_str)
                .transpose()
                .map_err(|e| CoreError::Log(format!("the retention decision on {subject} is malformed: {e}")))?,
            exhibits,
            disposed: row.disposed_event.is_some(),
        };
        Ok((item, row))
    }

    /// A report's live exhibits: the report itself, its files and additions.
    fn report_exhibits(&self, report: &ExhibitRef) -> Result<Vec<ExhibitRef>, CoreError> {
        let mut refs = vec![report.clone()];
        refs.extend(self.store.read()?.report_files(report)?.into_iter().filter_map(|f| f.exhibit));
        refs.extend(self.store.read()?.report_additions(report)?.into_iter().map(|(a, _)| a));
        let mut live = Vec::new();
        for r in refs {
            if self.store.read()?.exhibit(&r)?.is_some_and(|e| e.deleted_event.is_none()) && !live.contains(&r) {
                live.push(r);
            }
        }
        Ok(live)
    }

    /// The exhibits a disposal of the subject deletes.
    fn subject_exhibits(&self, subject: &str) -> Result<Vec<ExhibitRef>, CoreError> {
        if let Some(id) = subject.strip_prefix("case:") {
            let case = CaseId::parse(id)?;
            let mut refs: Vec<ExhibitRef> = Vec::new();
            for e in self.store.read()?.exhibits_of_case(&case)? {
                if e.deleted_event.is_none() {
                    refs.push(e.reference);
                }
            }
            for r in self.store.read()?.reports_of_case(&case)? {
                for e in self.report_exhibits(&r)? {
                    if !refs.contains(&e) {
                        refs.push(e);
                    }
                }
            }
            Ok(refs)
        } else {
            let r = ExhibitRef::parse(subject.strip_prefix("report:").unwrap_or(subject))?;
            self.report_exhibits(&r)
        }
    }

    /// A `decided` event on the subject for a change to its retention row,
    /// made only if the row is still the one the decision was judged from
    /// (`judged`): read again inside the unit, under the log's lock, so two
    /// supervisors deciding at once cannot lose one decision or dispose of
    /// something a hold set meanwhile protects.
    fn note_retention(
        &self,
        subject: &str,
        actor: &Actor,
        note: String,
        judged: &RetentionRow,
        change: impl FnOnce(&mut RetentionRow),
    ) -> Result<u64, CoreError> {
        let ev = self.decided_event(subject, actor, note, None)?;
        self.write(|u| {
            let mut row = unchanged_row(u, subject, judged)?;
            let i = u.log(ev);
            change(&mut row);
            u.tx().put_retention(&row)?;
            Ok(i)
        })
    }

    fn decided_event(
        &self,
        subject: &str,
        actor: &Actor,
        note: String,
        digest: Option<vigil_domain::Sha256Digest>,
    ) -> Result<CustodyEvent, CoreError> {
        let mut ev = CustodyEvent::new(EventKind::Decided, actor.clone(), self.now(), subject_object(subject)?);
        ev.digest = digest;
        if let Some(id) = subject.strip_prefix("case:") {
            ev.case = Some(CaseId::parse(id)?);
        }
        ev.note = Some(note);
        ev.validate()?;
        Ok(ev)
    }

    fn require_reason(reason: &str, what: &str) -> Result<(), CoreError> {
        if reason.trim().is_empty() {
            return Err(CoreError::InvalidInput { field: "reason".into(), why: format!("{what} must give a reason") });
        }
        Ok(())
    }

    /// Puts a legal hold on a subject: it cannot be disposed of until released.
    pub fn set_legal_hold(&self, subject: &str, reason: &str, actor: &Actor) -> Result<RetentionItem, CoreError> {
        Self::require_reason(reason, "a legal hold")?;
        let (item, row) = self.retention_item_and_row(subject)?;
        if item.disposed {
            return Err(CoreError::Refused(format!("{subject} has already been disposed of")));
        }
        let hold = LegalHold { reason: reason.trim().into(), by: actor.as_str().into(), at: self.now().to_string() };
        let json = serde_json::to_string(&hold).expect("a hold serialises");
        self.note_retention(subject, actor, format!("legal hold set: {}", hold.reason), &row, |r| r.hold = Some(json))?;
        self.retention_item(subject)
    }

    /// Releases a legal hold.
    pub fn release_legal_hold(&self, subject: &str, reason: &str, actor: &Actor) -> Result<RetentionItem, CoreError> {
        Self::require_reason(reason, "releasing a legal hold")?;
        let (item, row) = self.retention_item_and_row(subject)?;
        if item.hold.is_none() {
            return Err(CoreError::Refused(format!("{subject} is not under a legal hold")));
        }
        self.note_retention(subject, actor, format!("legal hold released: {}", reason.trim()), &row, |r| {
            r.hold = None
        })?;
        self.retention_item(subject)
    }

    /// Records the court's result on a case, which ends a live prosecution.
    pub fn record_court_result(
        &self,
        case: &CaseId,
        result: CourtResult,
        actor: &Actor,
    ) -> Result<RetentionItem, CoreError> {
        let subject = format!("case:{case}");
        let (_, row) = self.retention_item_and_row(&subject)?;
        self.note_retention(&subject, actor, format!("court result recorded: {}", result.as_str()), &row, |r| {
            r.court_result = Some(result.as_str().into())
        })?;
        self.retention_item(&subject)
    }

    /// A review that keeps the subject: the reason, and the next review
    /// (the rule's period from now, unless `next_review_days` says).
    pub fn retain(
        &self,
        subject: &str,
        reason: &str,
        next_review_days: Option<u32>,
        actor: &Actor,
    ) -> Result<RetentionItem, CoreError> {
        Self::require_reason(reason, "a decision to retain")?;
        let (item, row) = self.retention_item_and_row(subject)?;
        if item.disposed {
            return Err(CoreError::Refused(format!("{subject} has already been disposed of")));
        }
        let days = next_review_days.unwrap_or(item.review_after_days);
        if !(1..=36_500).contains(&days) {
            return Err(CoreError::InvalidInput {
                field: "next_review_days".into(),
                why: "must be from 1 to 36500".into(),
            });
        }
        let now = self.now();
        let next = now.unix_millis() + i64::from(days) * DAY_MS;
        let decision = RetentionDecision {
            decision: "retain".into(),
            reason: reason.trim().into(),
            rule: item.rule.clone(),
            by: actor.as_str().into(),
            at: now.to_string(),
            next_review: Some(Timestamp::from_unix_millis(next).to_string()),
        };
        let json = serde_json::to_string(&decision).expect("a decision serialises");
        self.note_retention(
            subject,
            actor,
            format!(
                "retention review: retained ({}); next review {}",
                decision.reason,
                Timestamp::from_unix_millis(next)
            ),
            &row,
            |r| {
                r.decision = Some(json);
                r.retained_until_ms = Some(next);
            },
        )?;
        self.retention_item(subject)
    }

    /// A review that disposes of the subject: every exhibit it holds is
    /// deleted (its keys destroyed), then one `decided` event names them
    /// all; the certificate (JSON and PDF) is kept as exhibits of case
    /// `DISPOSALS`. Refused, saying why, under a legal hold, during a live
    /// prosecution, for a report that belongs to a case, or before the
    /// review date.
    pub fn dispose(
        &self,
        subject: &str,
        reason: &str,
        actor: &Actor,
        by: &Initials,
    ) -> Result<(DisposalCertificate, StoredCertificate), CoreError> {
        Self::require_reason(reason, "a disposal")?;
        if let Some(r) = subject.strip_prefix("report:") {
            let cases = self.store.read()?.cases_of_report(&ExhibitRef::parse(r)?)?;
            if let Some(c) = cases.first() {
                return Err(CoreError::Refused(format!(
                    "{subject} belongs to case {c}: it is reviewed and disposed of with the case"
                )));
            }
        }
        let (item, judged) = self.retention_item_and_row(subject)?;
        if let Some(why) = item.disposal_barred(self.now()) {
            // A refused disposal is an attempt worth recording too.
            let ev = self.decided_event(subject, actor, format!("retention review: disposal refused: {why}"), None)?;
            self.append_events(&[ev])?;
            return Err(CoreError::Refused(why));
        }
        let full_reason =
            format!("retention disposal of {subject} under the rule \"{}\": {}", item.rule, reason.trim());
        let mut doomed = Vec::new();
        for e in self.subject_exhibits(subject)? {
            doomed.push(self.exhibit(&e)?);
        }
        let case = subject.strip_prefix("case:").map(CaseId::parse).transpose()?;
        let case_exhibits = match &case {
            Some(c) => Some(self.store.read()?.case_exhibit_count(c)?),
            None => None,
        };
        let now = self.now();
        let decision = RetentionDecision {
            decision: "dispose".into(),
            reason: reason.trim().into(),
            rule: item.rule.clone(),
            by: actor.as_str().into(),
            at: now.to_string(),
            next_review: None,
        };
        let json = serde_json::to_string(&decision).expect("a decision serialises");
        let deleted: Vec<ExhibitRef> = doomed.iter().map(|e| e.reference.clone()).collect();
        let names: Vec<String> = deleted.iter().map(ToString::to_string).collect();
        let decided = self.decided_event(
            subject,
            actor,
            format!(
                "retention review: disposed of under the rule \"{}\" ({}): {} exhibit(s) deleted; this event's digest \
                 is the SHA-256 of their references, one per line, as the disposal certificate lists them",
                item.rule,
                decision.reason,
                names.len()
            ),
            Some(items_digest(names.iter().map(String::as_str))),
        )?;
        // One unit for every deletion and the decision: what was judged (no
        // hold, no new exhibit, each still live) holds when it commits, and
        // a crash leaves either all of it or none.
        let (decision_event, dead) = self.write(|u| {
            let mut row = unchanged_row(u, subject, &judged)?;
            if let (Some(c), Some(n)) = (&case, case_exhibits) {
                if u.tx().case_exhibit_count(c)? != n {
                    return Err(changed_meanwhile(subject));
                }
            }
            let mut dead = Vec::new();
            for e in &doomed {
                let (_, _, shred) = u.delete_exhibit(e, &full_reason, actor, now)?;
                if shred {
                    dead.push(e.sha256);
                }
            }
            let i = u.log(decided);
            row.decision = Some(json);
            row.disposed_event = Some(i);
            u.tx().put_retention(&row)?;
            Ok((i, dead))
        })?;
        self.destroyed(&dead)?;
        let cert = self.disposal_certificate(subject, &decision, &deleted, decision_event)?;
        let json = serde_json::to_vec_pretty(&cert).expect("a certificate serialises");
        let stored = self.store_certificate(&cert, &json, by)?;
        Ok((cert, stored))
    }

    fn disposal_certificate(
        &self,
        subject: &str,
        decision: &RetentionDecision,
        deleted: &[ExhibitRef],
        decision_event: u64,
    ) -> Result<DisposalCertificate, CoreError> {
        let head =
            self.store.read()?.latest_head()?.ok_or_else(|| CoreError::Log("the log has no signed head yet".into()))?;
        let leaves = self.store.read()?.leaf_hashes(head.tree_size)?;
        let proof = |index: u64| -> Result<Vec<String>, CoreError> {
            Ok(hex_path(&inclusion_proof(&leaves, index as usize).map_err(|e| CoreError::Log(e.to_string()))?))
        };
        let leaf_of = |object: &str, index: u64| -> Result<String, CoreError> {
            let ev = self
                .store
                .read()?
                .events_for_object(object)?
                .into_iter()
                .find(|e| e.index == index)
                .ok_or_else(|| CoreError::Log(format!("event #{index} of {object} is missing")))?;
            String::from_utf8(ev.leaf).map_err(|_| CoreError::Log(format!("event #{index} is not UTF-8")))
        };
        let mut items = Vec::new();
        for e in deleted {
            let row = self.exhibit(e)?;
            let index = row.deleted_event.ok_or_else(|| CoreError::Log(format!("{e} was not deleted")))?;
            items.push(DisposedItem {
                exhibit: e.to_string(),
                sha256: row.sha256.to_hex(),
                size: row.size,
                deleted_event: index,
                leaf: leaf_of(ObjectRef::exhibit(e).as_str(), index)?,
                audit_path: proof(index)?,
            });
        }
        Ok(DisposalCertificate {
            format: DISPOSAL_FORMAT.into(),
            subject: subject.to_owned(),
            rule: decision.rule.clone(),
            policy_sha256: self.policy_sha256()?,
            reason: decision.reason.clone(),
            disposed_by: decision.by.clone(),
            disposed_at: decision.at.clone(),
            build: crate::validation::BuildInfo::this(),
            items,
            decision: ProvenEvent {
                index: decision_event,
                leaf: leaf_of(subject_object(subject)?.as_str(), decision_event)?,
                audit_path: proof(decision_event)?,
            },
            tree_head: from_head_row(&head),
        })
    }

    fn store_certificate(
        &self,
        cert: &DisposalCertificate,
        json: &[u8],
        by: &Initials,
    ) -> Result<StoredCertificate, CoreError> {
        let case = CaseId::parse(DISPOSALS_CASE)?;
        let stem = cert.subject.replace(['/', ':'], "-");
        let note = format!("disposal certificate of {}: {} item(s)", cert.subject, cert.items.len());
        let j = self.add_exhibit_bytes(json, &format!("disposal-{stem}.json"), &case, by, Some(&note))?;
        let p = self.add_exhibit_bytes(
            &cert.pdf(),
            &format!("disposal-{stem}.pdf"),
            &case,
            by,
            Some(&format!("{note} (PDF)")),
        )?;
        Ok(StoredCertificate { json: j.reference, pdf: p.reference })
    }
}

fn blank_row(subject: &str) -> RetentionRow {
    RetentionRow { subject: subject.to_owned(), ..Default::default() }
}

fn changed_meanwhile(subject: &str) -> CoreError {
    CoreError::Refused(format!(
        "the retention record of {subject} changed while this decision was being made (another decision, a hold or \
         new material): review it again"
    ))
}

/// The subject's row inside the unit, if it is still the one judged.
fn unchanged_row(
    u: &mut crate::custody_log::Unit<'_>,
    subject: &str,
    judged: &RetentionRow,
) -> Result<RetentionRow, CoreError> {
    let row = u.tx().retention_row(subject)?.unwrap_or_else(|| blank_row(subject));
    if &row != judged {
        return Err(changed_meanwhile(subject));
    }
    Ok(row)
}

/// What a supervisor does on the review queue page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetentionAction {
    Retain,
    Dispose,
    Hold,
    Release,
}

impl RetentionAction {
    pub fn parse(s: &str) -> Result<Self, CoreError> {
        Ok(match s {
            "retain" => RetentionAction::Retain,
            "dispose" => RetentionAction::Dispose,
            "hold" => RetentionAction::Hold,
            "release" => RetentionAction::Release,
            _ => {
                return Err(CoreError::InvalidInput {
                    field: "action".into(),
                    why: "must be retain, dispose, hold or release".into(),
                })
            }
        })
    }
}

/// Supervisors review and decide; auditors may read the queue.
fn retention_role(o: &crate::OfficerSession, decide: bool) -> Result<Actor, CoreError> {
    use vigil_domain::Role;
    match o.role {
        Role::Supervisor => Ok(Actor::parse(&o.username)?),
        Role::Auditor if !decide => Ok(Actor::parse(&o.username)?),
        _ => Err(CoreError::Forbidden(if decide {
            "only supervisors make retention decisions".into()
        } else {
            "only supervisors and auditors see the retention review queue".into()
        })),
    }
}

impl Vigil {
    /// The review queue, for a supervisor or an auditor.
    pub fn retention_queue_as(&self, o: &crate::OfficerSession) -> Result<Vec<RetentionItem>, CoreError> {
        retention_role(o, false)?;
        self.retention_queue()
    }

    /// A supervisor's decision from the queue page; answers what was done.
    pub fn retention_decide_as(
        &self,
        o: &crate::OfficerSession,
        subject: &str,
        action: RetentionAction,
        reason: &str,
    ) -> Result<String, CoreError> {
        let actor = retention_role(o, true)?;
        Ok(match action {
            RetentionAction::Retain => {
                let i = self.retain(subject, reason, None, &actor)?;
                format!("{subject} retained; next review {}", &i.review_due.to_string()[..10])
            }
            RetentionAction::Hold => {
                self.set_legal_hold(subject, reason, &actor)?;
                format!("{subject} is under a legal hold")
            }
            RetentionAction::Release => {
                self.release_legal_hold(subject, reason, &actor)?;
                format!("the legal hold on {subject} is released")
            }
            RetentionAction::Dispose => {
                let (cert, stored) = self.dispose(subject, reason, &actor, &Initials::parse("RET")?)?;
                format!(
                    "{subject} disposed of: {} exhibit(s) deleted; certificate kept as exhibits {} (JSON) and {} (PDF) of \
                     case {DISPOSALS_CASE}",
                    cert.items.len(),
                    stored.json,
                    stored.pdf
                )
            }
        })
    }
}
