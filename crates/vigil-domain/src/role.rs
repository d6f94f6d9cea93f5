//! The roles that decide what a person may see and do (DESIGN.md, "People and roles").

use crate::ParseError;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    TriageOfficer,
    Investigator,
    ForensicExaminer,
    DisclosureOfficer,
    Supervisor,
    Auditor,
    Admin,
    /// A CPS lawyer: sees the schedules revealed to them for the cases they
    /// are assigned to, and records the prosecutor's decision per item.
    Prosecutor,
}

impl Role {
    /// Whether the role works the triage queue and reads every report.
    pub fn works_triage(self) -> bool {
        matches!(self, Role::TriageOfficer | Role::Supervisor)
    }

    /// Whether the role may search; a prosecutor sees only what is revealed,
    /// an administrator only accounts.
    pub fn may_search(self) -> bool {
        !matches!(self, Role::Prosecutor | Role::Admin)
    }

    /// Whether the role may look at and categorise seized images of the
    /// cases it is assigned to: forensic examiners, and supervisors for
    /// second opinions.
    pub fn reviews_images(self) -> bool {
        matches!(self, Role::ForensicExaminer | Role::Supervisor)
    }

    /// Whether the role may consult a case it is not assigned to, with a
    /// justification (a break-glass read, recorded and flagged to
    /// supervisors). Supervisors and auditors read every case already;
    /// prosecutors and administrators never consult case material.
    pub fn may_break_glass(self) -> bool {
        matches!(self, Role::TriageOfficer | Role::Investigator | Role::ForensicExaminer | Role::DisclosureOfficer)
    }

    pub const ALL: [Role; 8] = [
        Role::TriageOfficer,
        Role::Investigator,
        Role::ForensicExaminer,
        Role::DisclosureOfficer,
        Role::Supervisor,
        Role::Auditor,
        Role::Admin,
        Role::Prosecutor,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Role::TriageOfficer => "triage-officer",
            Role::Investigator => "investigator",
            Role::ForensicExaminer => "forensic-examiner",
            Role::DisclosureOfficer => "disclosure-officer",
            Role::Supervisor => "supervisor",
            Role::Auditor => "auditor",
            Role::Admin => "admin",
            Role::Prosecutor => "prosecutor",
        }
    }

    pub fn parse(s: &str) -> Result<Self, ParseError> {
        Role::ALL.into_iter().find(|r| r.as_str() == s).ok_or_else(|| ParseError::new("role", s, "unknown role"))
    }

    /// Whether the role may change evidence or case records. Auditors read the
    /// trail and change nothing; admins run the system but hold no case
    /// content; prosecutors decide on what is revealed to them, nothing more.
    pub fn may_handle_evidence(&self) -> bool {
        !matches!(self, Role::Auditor | Role::Admin | Role::Prosecutor)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()).unwrap(), r);
        }
        assert!(Role::parse("superuser").is_err());
        assert!(!Role::Auditor.may_handle_evidence());
        assert!(!Role::Prosecutor.may_handle_evidence());
    }
}
