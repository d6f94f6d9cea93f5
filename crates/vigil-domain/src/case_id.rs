//! Case identifiers such as `OP-LANTERN-2026` or `CASE-0042`.

use crate::ParseError;
use std::fmt;

/// A case identifier: 3–40 characters of upper-case letters, digits and
/// single hyphens, starting with a letter. The narrow alphabet keeps case IDs
/// safe to print on exhibit labels and to use in file names.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct CaseId(String);

impl CaseId {
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let err = |why| ParseError::new("case ID", s, why);
        if s.len() < 3 || s.len() > 40 {
            return Err(err("must be 3 to 40 characters"));
        }
        if !s.chars().next().is_some_and(|c| c.is_ascii_uppercase()) {
            return Err(err("must start with an upper-case letter"));
        }
        if !s.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-') {
            return Err(err("may hold only upper-case letters A-Z, digits and hyphens"));
        }
        if s.ends_with('-') || s.contains("--") {
            return Err(err("hyphens must separate letters or digits"));
        }
        Ok(CaseId(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// IDs Vigil keeps for itself: `INTAKE-…` holds every public report
    /// and partner referral as they arrive. Opened as a case, it would
    /// show all of them to its members, so no officer may open one.
    pub fn is_reserved(&self) -> bool {
        self.0.starts_with("INTAKE-")
    }
}

impl fmt::Display for CaseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for CaseId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::parsed_text::deserialize_parsed(d, "a case ID", CaseId::parse)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_police_style_ids() {
        for ok in ["OP-LANTERN-2026", "CASE-0042", "ABC"] {
            assert!(CaseId::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn rejects_bad_ids_with_reason() {
        for bad in ["", "ab", "case-1", "1CASE", "CASE--1", "CASE-", "CASE 1", "CASE/1", &"A".repeat(41)] {
            let e = CaseId::parse(bad).unwrap_err();
            assert_eq!(e.what, "case ID", "{bad}");
        }
    }
}
