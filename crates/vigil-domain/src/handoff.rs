//! The hand-off of a report of immediate danger: a child at risk now goes
//! to those who can act at once, before any grading (grading is for
//! intelligence, not for a child in danger).

use crate::ParseError;
use serde::{Deserialize, Serialize};

/// Who took the report on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HandoffTarget {
    /// The force control room, for an immediate response.
    ControlRoom,
    /// The force where the child is, when it is not this one.
    OwningForce,
    /// Police protection of the child under Children Act 1989 s.46.
    PoliceProtection,
}

impl HandoffTarget {
    pub const ALL: [HandoffTarget; 3] =
        [HandoffTarget::ControlRoom, HandoffTarget::OwningForce, HandoffTarget::PoliceProtection];

    pub fn as_str(self) -> &'static str {
        match self {
            HandoffTarget::ControlRoom => "control-room",
            HandoffTarget::OwningForce => "owning-force",
            HandoffTarget::PoliceProtection => "police-protection",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            HandoffTarget::ControlRoom => "the force control room",
            HandoffTarget::OwningForce => "the owning force",
            HandoffTarget::PoliceProtection => "police protection (Children Act 1989 s.46)",
        }
    }

    pub fn parse(s: &str) -> Result<Self, ParseError> {
        HandoffTarget::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| ParseError::new("target", s, "is control-room, owning-force or police-protection"))
    }
}

/// One hand-off, as the officer records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handoff {
    pub target: HandoffTarget,
    /// The incident log or the other force's reference.
    pub reference: String,
    pub note: String,
}

impl Handoff {
    pub fn validate(&self) -> Result<(), ParseError> {
        let one_line = |what: &'static str, v: &str, max: usize| {
            if v.trim().is_empty() {
                Err(ParseError::new(what, v, "is required"))
            } else if v.chars().count() > max || v.chars().any(char::is_control) {
                Err(ParseError::new(what, v, "must be one line of at most the allowed length"))
            } else {
                Ok(())
            }
        };
        one_line("reference", &self.reference, 100)?;
        one_line("note", &self.note, 1000)
    }

    /// The custody event's note.
    pub fn summary(&self) -> String {
        format!("handed to {} (ref. {}): {}", self.target.label(), self.reference.trim(), self.note.trim())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_round_trip_and_hand_offs_validate() {
        for t in HandoffTarget::ALL {
            assert_eq!(HandoffTarget::parse(t.as_str()).unwrap(), t);
        }
        assert!(HandoffTarget::parse("neighbourhood-team").is_err());
        let h = Handoff { target: HandoffTarget::ControlRoom, reference: "INC-1".into(), note: "unit sent".into() };
        h.validate().unwrap();
        let bad = Handoff { reference: " ".into(), ..h };
        assert_eq!(bad.validate().unwrap_err().what, "reference");
    }
}
