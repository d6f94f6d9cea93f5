//! What kind of material an item of a case is, for disclosure: the
//! categories the Attorney General's Guidelines presume to meet the test
//! for disclosure, and the other kinds of material the CPIA Code asks to
//! be listed. The category decides whether a "clearly not disclosable"
//! view needs a recorded rebuttal, and proposes where an item goes.

use crate::case_record::{CaseRecord, Schedule};
use crate::choice::choice;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MaterialCategory {
    /// Incident logs, crime reports and the first account of the allegation.
    IncidentRecord,
    /// The first description of a suspect.
    FirstDescription,
    /// An investigator's record of contact with a complainant, a witness,
    /// a suspect or their families.
    ContactRecord,
    /// The investigation or decision log.
    InvestigationLog,
    /// A previous account of a complainant or witness.
    PreviousAccount,
    /// Interview records.
    InterviewRecord,
    /// Custody or voluntary attendance records.
    CustodyRecord,
    /// Material that may cast doubt on a witness, a confession or an
    /// identification (including doubt on who the suspect is).
    ReliabilityDoubt,
    /// An explanation offered by the accused.
    AccusedExplanation,
    /// Intelligence and its grading.
    Intelligence,
    /// Welfare and risk assessments.
    Welfare,
    /// Material from a local authority, health or another third party.
    ThirdParty,
    /// Warrants, authorities and their applications.
    Authority,
    /// Seizure, continuity and exhibit handling.
    Continuity,
    /// Material obtained from a device or an account.
    DigitalMaterial,
    Other,
}

choice!(MaterialCategory {
    IncidentRecord => "incident-record", "Incident log, crime report or first account (presumed to meet the test)";
    FirstDescription => "first-description", "First description of a suspect (presumed to meet the test)";
    ContactRecord => "contact-record", "Record of contact with a complainant, witness, suspect or family (presumed to meet the test)";
    InvestigationLog => "investigation-log", "Investigation or decision log (presumed to meet the test)";
    PreviousAccount => "previous-account", "Previous account of a complainant or witness (presumed to meet the test)";
    InterviewRecord => "interview-record", "Interview record (presumed to meet the test)";
    CustodyRecord => "custody-record", "Custody or voluntary attendance record (presumed to meet the test)";
    ReliabilityDoubt => "reliability-doubt", "May cast doubt on a witness, a confession or an identification (presumed to meet the test)";
    AccusedExplanation => "accused-explanation", "Explanation offered by the accused (presumed to meet the test)";
    Intelligence => "intelligence", "Intelligence and its grading";
    Welfare => "welfare", "Welfare or risk assessment";
    ThirdParty => "third-party", "Local authority, health or other third-party material";
    Authority => "authority", "Warrant, authority or application";
    Continuity => "continuity", "Seizure, continuity or exhibit handling";
    DigitalMaterial => "digital-material", "Material obtained from a device or account";
    Other => "other", "Other material";
});

impl MaterialCategory {
    /// Whether the AG's Guidelines presume material of this kind meets the
    /// test for disclosure: a view that it does not needs a rebuttal.
    pub fn presumed(self) -> bool {
        matches!(
            self,
            MaterialCategory::IncidentRecord
                | MaterialCategory::FirstDescription
                | MaterialCategory::ContactRecord
                | MaterialCategory::InvestigationLog
                | MaterialCategory::PreviousAccount
                | MaterialCategory::InterviewRecord
                | MaterialCategory::CustodyRecord
                | MaterialCategory::ReliabilityDoubt
                | MaterialCategory::AccusedExplanation
        )
    }
}

/// Where a kind of case record is proposed to go and what it is: a
/// proposal the disclosure officer confirms or changes, never a decision.
/// None for records that are not material of the case but the disclosure
/// process itself (schedules, revelations, decisions, redactions), or
/// part of another record (a task done belongs to its task).
pub fn record_proposal(record: &CaseRecord) -> Option<(MaterialCategory, Schedule)> {
    use MaterialCategory as M;
    use Schedule::{Mg6c, Mg6d};
    Some(match record {
        CaseRecord::Task { about: Some(_), .. } => return None,
        CaseRecord::Decision { .. }
        | CaseRecord::Task { .. }
        | CaseRecord::ActionRequest { .. }
        | CaseRecord::ActionDecision { .. }
        | CaseRecord::UrgentAction { .. }
        | CaseRecord::Outcome { .. }
        | CaseRecord::LineOfInquiry { .. }
        | CaseRecord::DigitalStrategy { .. } => (M::InvestigationLog, Mg6c),
        CaseRecord::Person { .. } => (M::Other, Mg6c),
        // A flag that the suspect may be the wrong person casts doubt on the identification.
        CaseRecord::Flag { .. } => (M::ReliabilityDoubt, Mg6c),
        CaseRecord::Attribution { .. } => (M::Intelligence, Mg6d),
        CaseRecord::WelfareCheck { .. } => (M::Welfare, Mg6d),
        CaseRecord::Authority { .. } => (M::Authority, Mg6d),
        CaseRecord::Safeguarding { .. } => (M::ThirdParty, Mg6d),
        CaseRecord::Note { .. } => (M::ContactRecord, Mg6c),
        CaseRecord::Seizure { .. } => (M::Continuity, Mg6c),
        // The group's call is the incident's first account.
        CaseRecord::Confrontation { .. } => (M::IncidentRecord, Mg6c),
        CaseRecord::ActivistGroup { .. } => (M::ThirdParty, Mg6c),
        // A witness's previous convictions may cast doubt on their account.
        CaseRecord::GroupMember { convictions: Some(_), .. } => (M::ReliabilityDoubt, Mg6c),
        CaseRecord::GroupMember { .. } => (M::Other, Mg6c),
        CaseRecord::GroupRequest { .. } | CaseRecord::WitnessSummons { .. } => (M::ThirdParty, Mg6c),
        // Their posts about him are previous statements of witnesses.
        CaseRecord::GroupPost { .. } => (M::PreviousAccount, Mg6c),
        CaseRecord::GroupOffence { .. } => (M::InvestigationLog, Mg6c),
        CaseRecord::CivilianProduction { .. } => (M::Continuity, Mg6c),
        // What an edit left out may undermine the prosecution or assist the defence.
        CaseRecord::VideoComparison { .. } => (M::DigitalMaterial, Mg6c),
        // That the evidence came from posing as a child bears on fairness (s.78 PACE).
        CaseRecord::PosedAsChild { .. } => (M::ReliabilityDoubt, Mg6c),
        CaseRecord::TaskDone { .. }
        | CaseRecord::Scheduled { .. }
        | CaseRecord::ProsecutorDecision { .. }
        | CaseRecord::Revealed { .. }
        | CaseRecord::ExhibitUsed { .. }
        | CaseRecord::DefenceStatement { .. }
        | CaseRecord::DisclosureReview { .. }
        | CaseRecord::DisclosureManagement { .. }
        | CaseRecord::Identity { .. }
        | CaseRecord::DisclosureTest { .. }
        | CaseRecord::HighlySensitive { .. }
        | CaseRecord::Redaction { .. }
        | CaseRecord::NotRelevant { .. }
        // The charging decision is the prosecution's own record, not unused material.
        | CaseRecord::ChargingDecision { .. }
        | CaseRecord::PiiRuling { .. }
        // The MG6B is itself a disclosure document to the prosecutor.
        | CaseRecord::WitnessMisconduct { .. }
        | CaseRecord::Served { .. }
        | CaseRecord::MergedFrom { .. }
        | CaseRecord::MergedInto { .. }
        | CaseRecord::SplitFrom { .. }
        | CaseRecord::SplitTo { .. } => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Choice;

    #[test]
    fn presumption_categories_say_so_in_their_words() {
        for c in MaterialCategory::ALL {
            assert_eq!(c.presumed(), c.label().contains("presumed"), "{c:?}");
        }
    }

    #[test]
    fn process_records_are_not_material() {
        let rec = CaseRecord::Note { text: "x".into() };
        assert_eq!(record_proposal(&rec), Some((MaterialCategory::ContactRecord, Schedule::Mg6c)));
        let rec = CaseRecord::DisclosureTest { item: "record:1".into(), reason: "r".into() };
        assert_eq!(record_proposal(&rec), None);
    }
}
