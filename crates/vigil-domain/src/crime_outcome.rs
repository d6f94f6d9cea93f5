//! Home Office crime outcome codes, so a case's outcome counts the same way
//! in Vigil's figures as in the force's returns, and the safeguarding steps
//! Working Together to Safeguard Children names.

use crate::choice::choice;
use serde::{Deserialize, Serialize};

/// The Home Office outcome framework's codes (those a police team records).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum HomeOfficeOutcome {
    #[serde(rename = "1")]
    Charged,
    #[serde(rename = "1A")]
    ChargedAlternativeOffence,
    #[serde(rename = "2")]
    YouthCaution,
    #[serde(rename = "3")]
    AdultCaution,
    #[serde(rename = "4")]
    TakenIntoConsideration,
    #[serde(rename = "5")]
    OffenderDied,
    #[serde(rename = "8")]
    CommunityResolution,
    #[serde(rename = "9")]
    NotInPublicInterestCps,
    #[serde(rename = "10")]
    NotInPublicInterestPolice,
    #[serde(rename = "11")]
    SuspectUnderAge,
    #[serde(rename = "12")]
    SuspectTooIll,
    #[serde(rename = "13")]
    VictimOrWitnessDeadOrTooIll,
    #[serde(rename = "14")]
    VictimDeclinesSuspectNotIdentified,
    #[serde(rename = "15")]
    EvidentialDifficultiesSuspectIdentified,
    #[serde(rename = "16")]
    VictimDoesNotSupport,
    #[serde(rename = "17")]
    TimeLimitExpired,
    #[serde(rename = "18")]
    NoSuspectIdentified,
    #[serde(rename = "20")]
    OtherAgencyPrimacy,
    #[serde(rename = "21")]
    FurtherInvestigationNotInPublicInterest,
    #[serde(rename = "22")]
    DiversionaryActivity,
}

impl HomeOfficeOutcome {
    pub const ALL: [HomeOfficeOutcome; 20] = [
        HomeOfficeOutcome::Charged,
        HomeOfficeOutcome::ChargedAlternativeOffence,
        HomeOfficeOutcome::YouthCaution,
        HomeOfficeOutcome::AdultCaution,
        HomeOfficeOutcome::TakenIntoConsideration,
        HomeOfficeOutcome::OffenderDied,
        HomeOfficeOutcome::CommunityResolution,
        HomeOfficeOutcome::NotInPublicInterestCps,
        HomeOfficeOutcome::NotInPublicInterestPolice,
        HomeOfficeOutcome::SuspectUnderAge,
        HomeOfficeOutcome::SuspectTooIll,
        HomeOfficeOutcome::VictimOrWitnessDeadOrTooIll,
        HomeOfficeOutcome::VictimDeclinesSuspectNotIdentified,
        HomeOfficeOutcome::EvidentialDifficultiesSuspectIdentified,
        HomeOfficeOutcome::VictimDoesNotSupport,
        HomeOfficeOutcome::TimeLimitExpired,
        HomeOfficeOutcome::NoSuspectIdentified,
        HomeOfficeOutcome::OtherAgencyPrimacy,
        HomeOfficeOutcome::FurtherInvestigationNotInPublicInterest,
        HomeOfficeOutcome::DiversionaryActivity,
    ];

    /// The code as force returns write it ("1", "1A", "15").
    pub fn code(self) -> &'static str {
        match self {
            HomeOfficeOutcome::Charged => "1",
            HomeOfficeOutcome::ChargedAlternativeOffence => "1A",
            HomeOfficeOutcome::YouthCaution => "2",
            HomeOfficeOutcome::AdultCaution => "3",
            HomeOfficeOutcome::TakenIntoConsideration => "4",
            HomeOfficeOutcome::OffenderDied => "5",
            HomeOfficeOutcome::CommunityResolution => "8",
            HomeOfficeOutcome::NotInPublicInterestCps => "9",
            HomeOfficeOutcome::NotInPublicInterestPolice => "10",
            HomeOfficeOutcome::SuspectUnderAge => "11",
            HomeOfficeOutcome::SuspectTooIll => "12",
            HomeOfficeOutcome::VictimOrWitnessDeadOrTooIll => "13",
            HomeOfficeOutcome::VictimDeclinesSuspectNotIdentified => "14",
            HomeOfficeOutcome::EvidentialDifficultiesSuspectIdentified => "15",
            HomeOfficeOutcome::VictimDoesNotSupport => "16",
            HomeOfficeOutcome::TimeLimitExpired => "17",
            HomeOfficeOutcome::NoSuspectIdentified => "18",
            HomeOfficeOutcome::OtherAgencyPrimacy => "20",
            HomeOfficeOutcome::FurtherInvestigationNotInPublicInterest => "21",
            HomeOfficeOutcome::DiversionaryActivity => "22",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            HomeOfficeOutcome::Charged => "charged or summonsed",
            HomeOfficeOutcome::ChargedAlternativeOffence => "charged or summonsed for an alternative offence",
            HomeOfficeOutcome::YouthCaution => "youth caution",
            HomeOfficeOutcome::AdultCaution => "adult caution",
            HomeOfficeOutcome::TakenIntoConsideration => "taken into consideration",
            HomeOfficeOutcome::OffenderDied => "the offender has died",
            HomeOfficeOutcome::CommunityResolution => "community resolution",
            HomeOfficeOutcome::NotInPublicInterestCps => "prosecution not in the public interest (CPS)",
            HomeOfficeOutcome::NotInPublicInterestPolice => "formal action not in the public interest (police)",
            HomeOfficeOutcome::SuspectUnderAge => {
                "prosecution prevented: suspect under the age of criminal responsibility"
            }
            HomeOfficeOutcome::SuspectTooIll => "prosecution prevented: suspect too ill",
            HomeOfficeOutcome::VictimOrWitnessDeadOrTooIll => {
                "prosecution prevented: victim or key witness dead or too ill"
            }
            HomeOfficeOutcome::VictimDeclinesSuspectNotIdentified => {
                "evidential difficulties: suspect not identified, victim does not support"
            }
            HomeOfficeOutcome::EvidentialDifficultiesSuspectIdentified => {
                "evidential difficulties: named suspect identified, victim supports"
            }
            HomeOfficeOutcome::VictimDoesNotSupport => {
                "evidential difficulties: named suspect identified, victim does not support"
            }
            HomeOfficeOutcome::TimeLimitExpired => "prosecution time limit expired",
            HomeOfficeOutcome::NoSuspectIdentified => "investigation complete: no suspect identified",
            HomeOfficeOutcome::OtherAgencyPrimacy => "another body or agency has investigative primacy",
            HomeOfficeOutcome::FurtherInvestigationNotInPublicInterest => {
                "further investigation not in the public interest (police)"
            }
            HomeOfficeOutcome::DiversionaryActivity => "diversionary, educational or intervention activity",
        }
    }
}

/// A safeguarding step for a child, with the agency's reference where it has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SafeguardingStep {
    /// A strategy discussion with children's social care (and others).
    StrategyDiscussion,
    /// A Children Act 1989 s.47 enquiry.
    Section47Enquiry,
    /// A referral to children's social care or the MASH.
    ReferralToChildrensSocialCare,
    /// A referral to the Local Authority Designated Officer (an adult who
    /// works with children is involved).
    ReferralToLado,
    /// The child in the material identified.
    VictimIdentified,
    /// An Achieving Best Evidence interview planned.
    AbeInterviewPlanned,
    /// The initial child protection conference (within 15 working days of
    /// the strategy discussion that started the s.47 enquiry).
    InitialChildProtectionConference,
    /// The child taken into police protection (Children Act 1989 s.46): at
    /// most 72 hours, with a designated officer and the local authority told.
    PoliceProtection,
    /// Police protection ended (the child released, or handed to the local authority).
    PoliceProtectionEnded,
    /// Any other action, described.
    Other,
}

choice!(SafeguardingStep {
    StrategyDiscussion => "strategy-discussion", "Strategy discussion";
    Section47Enquiry => "section47-enquiry", "Section 47 enquiry (Children Act 1989)";
    ReferralToChildrensSocialCare => "referral-to-childrens-social-care", "Referral to children's social care or the MASH";
    ReferralToLado => "referral-to-lado", "Referral to the LADO";
    VictimIdentified => "victim-identified", "The child in the material identified";
    AbeInterviewPlanned => "abe-interview-planned", "Achieving Best Evidence interview planned";
    InitialChildProtectionConference => "initial-child-protection-conference", "Initial child protection conference";
    PoliceProtection => "police-protection", "Police protection (Children Act 1989 s.46; at most 72 hours)";
    PoliceProtectionEnded => "police-protection-ended", "Police protection ended";
    Other => "other", "Other (described below)";
});

impl HomeOfficeOutcome {
    /// Whether the code is a charge or summons (1, 1A).
    pub fn is_charge(self) -> bool {
        matches!(self, HomeOfficeOutcome::Charged | HomeOfficeOutcome::ChargedAlternativeOffence)
    }
}

/// The test a charging decision applies (the Code for Crown Prosecutors).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChargingTest {
    /// The Full Code Test: evidential stage, then public interest.
    FullCode,
    /// The Threshold Test, where the Full Code Test cannot yet be met and
    /// the suspect presents a substantial bail risk.
    Threshold,
}

choice!(ChargingTest {
    FullCode => "full-code", "Full Code Test";
    Threshold => "threshold", "Threshold Test (the Full Code Test to follow)";
});

impl crate::Choice for HomeOfficeOutcome {
    const ALL: &'static [Self] = &HomeOfficeOutcome::ALL;
    fn as_str(self) -> &'static str {
        self.code()
    }
    fn label(self) -> &'static str {
        HomeOfficeOutcome::label(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_round_trip_as_the_returns_write_them() {
        let mut codes: Vec<&str> = HomeOfficeOutcome::ALL.iter().map(|o| o.code()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), HomeOfficeOutcome::ALL.len());
        for o in HomeOfficeOutcome::ALL {
            let j = serde_json::to_string(&o).unwrap();
            assert_eq!(j, format!("\"{}\"", o.code()));
            assert_eq!(serde_json::from_str::<HomeOfficeOutcome>(&j).unwrap(), o);
        }
    }
}
