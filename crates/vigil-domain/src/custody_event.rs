//! A custody event: one thing that happened to one object, by one actor, at
//! one time. Each becomes a leaf of the custody log's Merkle tree.

use crate::{Actor, Blake3Digest, CaseId, ExhibitRef, Md5Digest, ParseError, Sha1Digest, Sha256Digest, Timestamp};
use serde::{Deserialize, Serialize};
use std::fmt;

/// What happened. The first eight are the continuity vocabulary a court
/// expects; `KeyRotated` records vault administration, which touches no
/// evidence bytes but must still be visible; the scan events bracket a
/// forensic triage scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EventKind {
    Created,
    Received,
    Accessed,
    Copied,
    Exported,
    Transferred,
    Reviewed,
    Deleted,
    KeyRotated,
    ScanStarted,
    ScanFinished,
    /// Someone asked for a case they may not see; they were told it does not exist.
    AccessRefused,
    /// A recorded decision: the policy file, an approval, a disclosure decision.
    Decided,
    /// A child at risk now, handed to those who act at once: the control
    /// room, the owning force, or police protection (Children Act 1989 s.46).
    HandedOff,
    /// A report graded (3x5x2) or re-graded, with the reason; the report's
    /// grade history is these events in order.
    Graded,
    /// An officer searched reports and cases: the query, and how much of
    /// what they may see it found.
    Searched,
}

impl EventKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            EventKind::Created => "created",
            EventKind::Received => "received",
            EventKind::Accessed => "accessed",
            EventKind::Copied => "copied",
            EventKind::Exported => "exported",
            EventKind::Transferred => "transferred",
            EventKind::Reviewed => "reviewed",
            EventKind::Deleted => "deleted",
            EventKind::KeyRotated => "key-rotated",
            EventKind::ScanStarted => "scan-started",
            EventKind::ScanFinished => "scan-finished",
            EventKind::AccessRefused => "access-refused",
            EventKind::Decided => "decided",
            EventKind::HandedOff => "handed-off",
            EventKind::Graded => "graded",
            EventKind::Searched => "searched",
        }
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The object an event is about, written `type:id` (`exhibit:ABC/1`,
/// `master-key:3f2a…`) or `log` for the log itself.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct ObjectRef(String);

impl ObjectRef {
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        if s == "log" {
            return Ok(ObjectRef(s.to_owned()));
        }
        let (ty, id) =
            s.split_once(':').ok_or_else(|| ParseError::new("object reference", s, "expected TYPE:ID or `log`"))?;
        if ty.is_empty() || !ty.chars().all(|c| c.is_ascii_lowercase() || c == '-') {
            return Err(ParseError::new("object reference", s, "type must be lower-case letters and hyphens"));
        }
        if id.is_empty() || id.len() > 128 || !id.chars().all(|c| c.is_ascii_graphic()) {
            return Err(ParseError::new("object reference", s, "id must be 1 to 128 printable ASCII characters"));
        }
        Ok(ObjectRef(s.to_owned()))
    }

    pub fn exhibit(r: &ExhibitRef) -> Self {
        ObjectRef(format!("exhibit:{r}"))
    }

    pub fn log() -> Self {
        ObjectRef("log".to_owned())
    }

    pub fn master_key(id: &str) -> Result<Self, ParseError> {
        ObjectRef::parse(&format!("master-key:{id}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The exhibit this refers to, if it is an exhibit.
    pub fn as_exhibit(&self) -> Option<ExhibitRef> {
        self.0.strip_prefix("exhibit:").and_then(|r| ExhibitRef::parse(r).ok())
    }
}

impl fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for ObjectRef {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::parsed_text::deserialize_parsed(d, "an object reference", ObjectRef::parse)
    }
}

/// The four digests and size taken of a file in one read pass on receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileHashes {
    pub size: u64,
    pub md5: Md5Digest,
    pub sha1: Sha1Digest,
    pub sha256: Sha256Digest,
    pub blake3: Blake3Digest,
}

/// Longest free text (a reason or a note) an event may carry, in characters.
pub const MAX_TEXT_CHARS: usize = 2000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustodyEvent {
    pub kind: EventKind,
    pub actor: Actor,
    pub time: Timestamp,
    pub object: ObjectRef,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<Sha256Digest>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case: Option<CaseId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hashes: Option<FileHashes>,
    /// The rows of projected tables the event's unit of work left (see
    /// [`crate::RowImage`]); on the last event of the unit.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rows: Vec<crate::RowImage>,
}

impl CustodyEvent {
    pub fn new(kind: EventKind, actor: Actor, time: Timestamp, object: ObjectRef) -> Self {
        CustodyEvent {
            kind,
            actor,
            time,
            object,
            digest: None,
            case: None,
            reason: None,
            note: None,
            hashes: None,
            rows: Vec::new(),
        }
    }

    /// Checks the rules every event obeys before it may enter the log.
    pub fn validate(&self) -> Result<(), ParseError> {
        for (what, text) in [("reason", &self.reason), ("note", &self.note)] {
            if let Some(t) = text {
                if t.chars().count() > MAX_TEXT_CHARS {
                    return Err(ParseError::new(what, t, "is longer than 2000 characters"));
                }
                if t.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
                    return Err(ParseError::new(what, t, "contains control characters"));
                }
            }
        }
        if self.kind == EventKind::Accessed && self.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
            return Err(ParseError::new("reason", "", "an access must give a reason"));
        }
        if let (Some(h), Some(d)) = (&self.hashes, &self.digest) {
            if h.sha256 != *d {
                return Err(ParseError::new("digest", &d.to_hex(), "does not match the SHA-256 in the hashes"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(kind: EventKind) -> CustodyEvent {
        CustodyEvent::new(kind, Actor::parse("ABC").unwrap(), Timestamp(0), ObjectRef::log())
    }

    #[test]
    fn access_needs_a_reason() {
        assert!(ev(EventKind::Accessed).validate().is_err());
        let mut e = ev(EventKind::Accessed);
        e.reason = Some("defence expert review".into());
        assert!(e.validate().is_ok());
    }

    #[test]
    fn rejects_control_characters_and_overlong_text() {
        let mut e = ev(EventKind::Reviewed);
        e.note = Some("a\u{0}b".into());
        assert!(e.validate().is_err());
        e.note = Some("x".repeat(MAX_TEXT_CHARS + 1));
        assert!(e.validate().is_err());
    }

    #[test]
    fn object_refs_parse() {
        assert!(ObjectRef::parse("exhibit:ABC/1").unwrap().as_exhibit().is_some());
        assert!(ObjectRef::parse("log").is_ok());
        for bad in ["", "Exhibit:1", "exhibit:", "exhibit:a b", "nocolon"] {
            assert!(ObjectRef::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn serialises_without_empty_fields() {
        let j = serde_json::to_string(&ev(EventKind::Created)).unwrap();
        assert_eq!(j, r#"{"kind":"created","actor":"ABC","time":"1970-01-01T00:00:00.000Z","object":"log"}"#);
    }
}
