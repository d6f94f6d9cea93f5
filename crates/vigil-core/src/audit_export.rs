//! The data protection officer's audit export (DPA 2018 Part 3, s.62):
//! for a period, every consultation, disclosure, alteration and erasure,
//! each with who, when, what, the stated reason and the custody event's
//! index and leaf hash, so any line can be proved against the log
//! (`vigil log prove`) and none can be added or left out unnoticed.

use crate::data_dir::Vigil;
use crate::error::CoreError;
use serde::Serialize;
use vigil_domain::EventKind;

/// What a line of the export is, in the Act's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuditClass {
    /// A read, a search, or a refused attempt to read.
    Consultation,
    /// Material copied, exported or handed to someone outside Vigil.
    Disclosure,
    /// Something recorded or changed.
    Alteration,
    /// Material deleted under a retention decision.
    Erasure,
}

impl AuditClass {
    pub fn of(kind: EventKind) -> AuditClass {
        match kind {
            EventKind::Accessed | EventKind::AccessRefused | EventKind::Searched => AuditClass::Consultation,
            EventKind::Copied | EventKind::Exported | EventKind::Transferred | EventKind::HandedOff => {
                AuditClass::Disclosure
            }
            EventKind::Deleted => AuditClass::Erasure,
            EventKind::Created
            | EventKind::Received
            | EventKind::Reviewed
            | EventKind::KeyRotated
            | EventKind::ScanStarted
            | EventKind::ScanFinished
            | EventKind::Decided
            | EventKind::Graded => AuditClass::Alteration,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct AuditLine {
    pub event: u64,
    pub leaf_hash: String,
    pub when: String,
    pub class: AuditClass,
    pub kind: String,
    pub who: String,
    pub object: String,
    pub case: Option<String>,
    pub why: String,
}

/// Events read per store call while scanning the log.
const PAGE: u64 = 10_000;

impl Vigil {
    /// Every event from `from_ms` (inclusive) to `to_ms` (exclusive), classified.
    pub fn audit_export(&self, from_ms: i64, to_ms: i64) -> Result<Vec<AuditLine>, CoreError> {
        if to_ms <= from_ms {
            return Err(CoreError::InvalidInput { field: "to".into(), why: "must be after from".into() });
        }
        let mut out = Vec::new();
        let mut next = 0u64;
        loop {
            let rows = self.store.read()?.events(next, PAGE)?;
            let Some(last) = rows.last() else { break };
            next = last.index + 1;
            for r in rows.iter().filter(|r| r.time_ms >= from_ms && r.time_ms < to_ms) {
                let (index, ev) = vigil_custody::decode_leaf(&r.leaf)
                    .map_err(|e| CoreError::Log(format!("event #{}: {e}; run `vigil verify`", r.index)))?;
                out.push(AuditLine {
                    event: index,
                    leaf_hash: hex::encode(r.leaf_hash),
                    when: ev.time.to_string(),
                    class: AuditClass::of(ev.kind),
                    kind: ev.kind.to_string(),
                    who: ev.actor.as_str().to_owned(),
                    object: ev.object.to_string(),
                    case: ev.case.map(|c| c.to_string()),
                    why: ev.reason.or(ev.note).unwrap_or_default(),
                });
            }
        }
        Ok(out)
    }
}

/// A CSV field, quoted (RFC 4180) where it holds a comma, quote or line break.
pub(crate) fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// The export as CSV, fields quoted where they need it.
pub fn audit_csv(lines: &[AuditLine]) -> String {
    let q = csv_field;
    let mut out = String::from("event,leaf_hash,when,class,kind,who,object,case,why\n");
    for l in lines {
        let class = serde_json::to_value(l.class).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{}\n",
            l.event,
            l.leaf_hash,
            l.when,
            class,
            l.kind,
            q(&l.who),
            q(&l.object),
            q(l.case.as_deref().unwrap_or("")),
            q(&l.why)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_has_its_class() {
        assert_eq!(AuditClass::of(EventKind::Accessed), AuditClass::Consultation);
        assert_eq!(AuditClass::of(EventKind::Searched), AuditClass::Consultation);
        assert_eq!(AuditClass::of(EventKind::Exported), AuditClass::Disclosure);
        assert_eq!(AuditClass::of(EventKind::Deleted), AuditClass::Erasure);
        assert_eq!(AuditClass::of(EventKind::Graded), AuditClass::Alteration);
    }
}
