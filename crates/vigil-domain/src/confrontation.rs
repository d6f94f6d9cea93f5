//! When an online child abuse activist group (OCAG) confronts a man it
//! suspects: the roles its members play, and what the presence of a decoy
//! (an adult posing as a child) means for the charge and its evidence.
//! Pure: it reads the case's records and says what to prompt.

use crate::case_record::{CaseRecord, PersonRole};
use crate::choice::choice;
use serde::{Deserialize, Serialize};

/// What a member of the group did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GroupRole {
    /// Posed as a child in the conversation.
    Decoy,
    /// Filmed or broadcast the confrontation.
    Streamer,
    /// Confronted the man in person.
    Confronter,
    /// Runs the group or its pages.
    Administrator,
}

choice!(GroupRole {
    Decoy => "decoy", "Decoy (an adult who posed as a child)";
    Streamer => "streamer", "Streamer (filmed or broadcast it)";
    Confronter => "confronter", "Confronter (at the meeting)";
    Administrator => "administrator", "Administrator (runs the group or its pages)";
});

/// The charging note a decoy calls for: there was no child, so the offence
/// is an attempt.
pub const ATTEMPT_NOTE: &str = "A decoy (an adult posing as a child) took part, so there was no child: charge the \
     offence as an attempt (Criminal Attempts Act 1981 s.1), e.g. attempting to meet a child following sexual \
     grooming, or attempting to cause or incite a child to engage in sexual activity.";

/// What the prosecutor checks before relying on a decoy's material.
pub const ENTRAPMENT_CHECKLIST: [&str; 5] = [
    "State entrapment (R v Looseley [2001] UKHL 53): did any police officer or agent of the state task, \
     encourage or work with the group? If so, did they do more than give an unexceptional opportunity to offend?",
    "Private entrapment (R v Shannon [2001] 1 WLR 51): the group is not the state; its conduct goes to \
     fairness under s.78 PACE, not to a stay, unless it makes a fair trial impossible.",
    "Who proposed the meeting and who first raised sexual matters: the chat's flags show which side spoke first.",
    "Whether the material is complete: the original device download against screenshots, and the unedited \
     livestream against each posted version (video comparison).",
    "s.78 PACE: would admitting the group's material (gathered without any procedure, perhaps edited) have \
     such an adverse effect on fairness that it ought to be excluded?",
];

/// Whether the case has a decoy: a person in the decoy role, a group
/// member who was one, or a reporter who said they posed as a child.
pub fn has_decoy(records: &[&CaseRecord]) -> bool {
    records.iter().any(|r| {
        matches!(
            r,
            CaseRecord::Person { role: PersonRole::Decoy, .. }
                | CaseRecord::GroupMember { role: GroupRole::Decoy, .. }
                | CaseRecord::PosedAsChild { .. }
        )
    })
}

/// The prompts for whoever drafts the charge (the MG3) and for the
/// prosecutor: the attempt note and the entrapment checklist where a decoy
/// took part; nothing otherwise.
pub fn charging_prompts(records: &[&CaseRecord]) -> Vec<String> {
    if !has_decoy(records) {
        return Vec::new();
    }
    std::iter::once(ATTEMPT_NOTE.to_string())
        .chain(ENTRAPMENT_CHECKLIST.iter().map(|c| format!("Entrapment and s.78 PACE: {c}")))
        .collect()
}

/// What a confrontation still owes the man and his family: the IOPC's
/// lessons on suicide after such confrontations ask for a welfare check
/// before he is left, a referral where the risk is raised, and what was
/// handed over to whoever stays with him.
pub fn confrontation_prompts(records: &[&CaseRecord]) -> Vec<String> {
    let mut out = Vec::new();
    for r in records {
        if let CaseRecord::Confrontation { self_harm_risk, referral, handed_over, stream_live, .. } = r {
            if *self_harm_risk >= crate::RiskLevel::Medium && referral.is_none() {
                out.push(
                    "The man's risk of self-harm is raised: record the referral made (mental health \
                          triage, GP, crisis team) before he is left."
                        .to_string(),
                );
            }
            if handed_over.is_none() {
                out.push(
                    "Record what was handed over, and to whom (a relative, custody, liaison and diversion), \
                          when officers left."
                        .to_string(),
                );
            }
            if *stream_live {
                out.push(
                    "The stream was live: ask the platform to preserve it, and the group for the unedited \
                          recording; posts naming him raise the risk to him and his family."
                        .to_string(),
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RiskLevel;

    fn confrontation(risk: RiskLevel, referral: Option<&str>) -> CaseRecord {
        CaseRecord::Confrontation {
            place: "car park, Example Retail Park".into(),
            present: vec!["the man".into(), "three group members".into()],
            crowd: true,
            stream_live: true,
            group: None,
            suspect: None,
            self_harm_risk: risk,
            welfare_check: "spoke with him before leaving; says he has thought of ending it".into(),
            referral: referral.map(str::to_string),
            handed_over: None,
            family: "his partner arrived; moved away from the crowd".into(),
        }
    }

    #[test]
    fn a_decoy_calls_for_the_attempt_note_and_the_entrapment_checklist() {
        let none: Vec<&CaseRecord> = vec![];
        assert!(charging_prompts(&none).is_empty());
        let decoy =
            CaseRecord::Person { name: "Decoy A (adult)".into(), role: PersonRole::Decoy, works_with_children: None };
        let p = charging_prompts(&[&decoy]);
        assert!(p[0].contains("Criminal Attempts Act 1981"), "{p:?}");
        assert!(p.iter().any(|x| x.contains("Looseley")) && p.iter().any(|x| x.contains("Shannon")));
        let victim = CaseRecord::Person { name: "Child A".into(), role: PersonRole::Victim, works_with_children: None };
        assert!(charging_prompts(&[&victim]).is_empty());
    }

    #[test]
    fn a_raised_risk_without_a_referral_is_prompted() {
        let c = confrontation(RiskLevel::High, None);
        let p = confrontation_prompts(&[&c]);
        assert!(p.iter().any(|x| x.contains("referral")), "{p:?}");
        let c = confrontation(RiskLevel::High, Some("street triage nurse"));
        assert!(!confrontation_prompts(&[&c]).iter().any(|x| x.contains("referral made")));
    }
}
