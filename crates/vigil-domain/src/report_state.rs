//! Where a report stands in triage: new, graded, in a case, or closed
//! with a reason. The queue shows open reports (new and graded); a closed
//! report keeps its reason, and every change of state is a custody event.

use crate::ParseError;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ReportState {
    New,
    Graded,
    InCase,
    Closed,
}

impl ReportState {
    pub const ALL: [ReportState; 4] = [ReportState::New, ReportState::Graded, ReportState::InCase, ReportState::Closed];

    pub fn as_str(self) -> &'static str {
        match self {
            ReportState::New => "new",
            ReportState::Graded => "graded",
            ReportState::InCase => "in-case",
            ReportState::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Result<Self, ParseError> {
        ReportState::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| ParseError::new("report state", s, "must be new, graded, in-case or closed"))
    }

    /// Still waiting for triage to finish with it.
    pub fn is_open(self) -> bool {
        matches!(self, ReportState::New | ReportState::Graded)
    }

    pub fn label(self) -> &'static str {
        match self {
            ReportState::New => "New",
            ReportState::Graded => "Graded",
            ReportState::InCase => "In a case",
            ReportState::Closed => "Closed",
        }
    }
}

impl serde::Serialize for ReportState {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl fmt::Display for ReportState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a report was closed without a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CloseReason {
    NoFurtherAction,
    ReferredElsewhere,
    Duplicate,
    NotACrime,
}

impl CloseReason {
    pub const ALL: [CloseReason; 4] =
        [CloseReason::NoFurtherAction, CloseReason::ReferredElsewhere, CloseReason::Duplicate, CloseReason::NotACrime];

    pub fn as_str(self) -> &'static str {
        match self {
            CloseReason::NoFurtherAction => "no-further-action",
            CloseReason::ReferredElsewhere => "referred-elsewhere",
            CloseReason::Duplicate => "duplicate",
            CloseReason::NotACrime => "not-a-crime",
        }
    }

    pub fn parse(s: &str) -> Result<Self, ParseError> {
        CloseReason::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| {
            ParseError::new(
                "close reason",
                s,
                "must be no-further-action, referred-elsewhere, duplicate or not-a-crime",
            )
        })
    }

    pub fn label(self) -> &'static str {
        match self {
            CloseReason::NoFurtherAction => "No further action",
            CloseReason::ReferredElsewhere => "Referred elsewhere",
            CloseReason::Duplicate => "Duplicate of another report",
            CloseReason::NotACrime => "Not a crime",
        }
    }
}

impl fmt::Display for CloseReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_and_reasons_round_trip() {
        for s in ReportState::ALL {
            assert_eq!(ReportState::parse(s.as_str()).unwrap(), s);
        }
        for r in CloseReason::ALL {
            assert_eq!(CloseReason::parse(r.as_str()).unwrap(), r);
        }
        assert!(ReportState::parse("open").is_err());
        assert!(CloseReason::parse("").is_err());
        assert!(ReportState::Graded.is_open() && !ReportState::Closed.is_open());
    }
}
