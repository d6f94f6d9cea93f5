//! Break-glass reads (DPA 2018 s.62; need-to-know): an officer whose role
//! may consults a case they are not assigned to by giving a justification.
//! The read is an `accessed` event on the case carrying it, grants reading
//! (nothing more) for an hour, and is listed for supervisors to review.
//! The grant lives in the log itself: nothing else records it, so nothing
//! else can be altered to widen it.

use crate::data_dir::Vigil;
use crate::error::CoreError;
use crate::OfficerSession;
use serde::Serialize;
use vigil_custody::decode_leaf;
use vigil_domain::{Actor, CaseId, CustodyEvent, EventKind, ObjectRef};

/// How long a break-glass read lasts.
pub const BREAK_GLASS_MS: i64 = 60 * 60 * 1000;
/// The shortest justification accepted: a reason, not a word.
pub const MIN_JUSTIFICATION: usize = 20;
/// Every break-glass event's note starts so.
const MARK: &str = "break-glass read";

/// Whether an event's note marks a break-glass read.
pub(crate) fn is_break_glass(note: &str) -> bool {
    note.starts_with(MARK)
}

/// One break-glass read, as supervisors review them.
#[derive(Debug, Clone, Serialize)]
pub struct BreakGlassRead {
    pub who: String,
    pub role: String,
    pub case: String,
    pub when: String,
    pub until: String,
    pub justification: String,
    pub event: u64,
}

impl Vigil {
    /// Opens a case the officer is not assigned to for reading, for an
    /// hour, with their justification: recorded, and flagged to supervisors.
    pub fn break_glass(
        &self,
        case: &CaseId,
        justification: &str,
        officer: &OfficerSession,
    ) -> Result<BreakGlassRead, CoreError> {
        if !officer.role.may_break_glass() {
            return Err(CoreError::Forbidden(format!(
                "the {} role cannot break glass: supervisors and auditors already read every case, and the others \
                 never consult case material",
                officer.role
            )));
        }
        let justification = justification.trim();
        if justification.chars().count() < MIN_JUSTIFICATION {
            return Err(CoreError::InvalidInput {
                field: "justification".into(),
                why: format!(
                    "say why you need this case (at least {MIN_JUSTIFICATION} characters): it is recorded and shown \
                     to supervisors"
                ),
            });
        }
        let actor = Actor::parse(&officer.username)?;
        if self.store.read()?.case_title(case)?.is_none() {
            // Answered like any case they may not see; the attempt is recorded.
            return self.case_gate(case, officer, crate::Need::Read).and(Err(CoreError::NoSuchCase(case.to_string())));
        }
        let now = self.now();
        let until = vigil_domain::Timestamp::from_unix_millis(now.unix_millis() + BREAK_GLASS_MS);
        let mut ev = CustodyEvent::new(EventKind::Accessed, actor, now, ObjectRef::parse(&format!("case:{case}"))?);
        ev.case = Some(case.clone());
        ev.reason = Some(justification.to_owned());
        ev.note = Some(format!(
            "{MARK}: {} ({}) is not assigned to case {case} and may read it until {until}; flagged to supervisors",
            officer.username, officer.role
        ));
        ev.validate()?;
        let receipt = self.append_events(&[ev])?;
        Ok(BreakGlassRead {
            who: officer.username.clone(),
            role: officer.role.to_string(),
            case: case.to_string(),
            when: now.to_string(),
            until: until.to_string(),
            justification: justification.to_owned(),
            event: receipt.first_index,
        })
    }

    /// Whether the officer holds a break-glass read of the case now.
    pub(crate) fn holds_break_glass(&self, case: &CaseId, officer: &OfficerSession) -> Result<bool, CoreError> {
        if !officer.role.may_break_glass() {
            return Ok(false);
        }
        let since = self.now().unix_millis() - BREAK_GLASS_MS;
        for e in self.store.read()?.events_for_object(&format!("case:{case}"))?.iter().rev() {
            if e.time_ms < since {
                break;
            }
            if e.kind == EventKind::Accessed.as_str() && e.actor == officer.username {
                let (_, ev) = decode_leaf(&e.leaf).map_err(|x| CoreError::Log(format!("event #{}: {x}", e.index)))?;
                if ev.note.as_deref().is_some_and(is_break_glass) {
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }

    /// Every break-glass read, newest first, for supervisors and auditors.
    pub fn break_glass_reads(&self, officer: &OfficerSession) -> Result<Vec<BreakGlassRead>, CoreError> {
        if !matches!(officer.role, vigil_domain::Role::Supervisor | vigil_domain::Role::Auditor) {
            return Err(CoreError::Forbidden("only supervisors and auditors review break-glass reads".into()));
        }
        let mut out = Vec::new();
        for e in self.store.read()?.events_of_kind(EventKind::Accessed.as_str())? {
            if !e.object.starts_with("case:") {
                continue;
            }
            let (_, ev) = decode_leaf(&e.leaf).map_err(|x| CoreError::Log(format!("event #{}: {x}", e.index)))?;
            let Some(note) = ev.note.as_deref().filter(|n| is_break_glass(n)) else { continue };
            let role = note.split_once(" (").and_then(|(_, r)| r.split_once(')')).map_or("", |(r, _)| r);
            out.push(BreakGlassRead {
                who: ev.actor.as_str().to_owned(),
                role: role.to_owned(),
                case: ev.case.map(|c| c.to_string()).unwrap_or_default(),
                when: ev.time.to_string(),
                until: vigil_domain::Timestamp::from_unix_millis(ev.time.unix_millis() + BREAK_GLASS_MS).to_string(),
                justification: ev.reason.unwrap_or_default(),
                event: e.index,
            });
        }
        out.sort_by_key(|r| std::cmp::Reverse(r.event));
        Ok(out)
    }
}
