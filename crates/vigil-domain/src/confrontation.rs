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

/// What the group answered when asked for its material.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GroupAnswer {
    Awaited,
    Provided,
    /// Some of what was asked for.
    InPart,
    Refused,
}

choice!(GroupAnswer {
    Awaited => "awaited", "Awaited";
    Provided => "provided", "Provided";
    InPart => "in-part", "Provided in part";
    Refused => "refused", "Refused";
});

/// Offences the group's own members may have committed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GroupOffenceKind {
    Harassment,
    Assault,
    Blackmail,
    /// Publishing the man's name, address or family.
    PublishingDetails,
    /// Detaining or punishing him at the meeting: taking the law into their own hands.
    TakingTheLawIntoTheirOwnHands,
    PublicOrder,
}

choice!(GroupOffenceKind {
    Harassment => "harassment", "Harassment (Protection from Harassment Act 1997)";
    Assault => "assault", "Assault or false imprisonment at the meeting";
    Blackmail => "blackmail", "Blackmail (Theft Act 1968 s.21): demands dressed up as child protection";
    PublishingDetails => "publishing-details", "Publishing his personal details (or his family's)";
    TakingTheLawIntoTheirOwnHands => "taking-the-law-into-their-own-hands", "Taking the law into their own hands at the meeting";
    PublicOrder => "public-order", "Public order offences (the crowd)";
});

/// What a piece of the group's material is: the original comes first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MaterialForm {
    /// The decoy's device download of the conversation (a platform export).
    OriginalDownload,
    /// The unedited recording of the livestream.
    UneditedRecording,
    /// A version the group posted (clips, edits).
    PostedVersion,
    /// A re-export or copy of the conversation made later.
    ReExport,
    Screenshot,
}

choice!(MaterialForm {
    OriginalDownload => "original-download", "Original device download of the conversation";
    UneditedRecording => "unedited-recording", "Unedited livestream recording";
    PostedVersion => "posted-version", "A version the group posted";
    ReExport => "re-export", "Re-export or later copy";
    Screenshot => "screenshot", "Screenshot";
});

impl MaterialForm {
    /// Whether it is the best evidence of its kind, preferred over the rest.
    pub fn is_original(self) -> bool {
        matches!(self, MaterialForm::OriginalDownload | MaterialForm::UneditedRecording)
    }
}

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
    "Exclusion: would admitting the group's material (gathered without any procedure, perhaps edited) have \
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

/// What the group's material still needs: the witness summons where the
/// group refused (Criminal Procedure (Attendance of Witnesses) Act 1965
/// s.2), the originals where only screenshots or posted versions came in.
pub fn group_material_prompts(records: &[(u64, &CaseRecord)]) -> Vec<String> {
    let mut out = Vec::new();
    for (id, r) in records {
        if let CaseRecord::GroupRequest { answer: GroupAnswer::Refused | GroupAnswer::InPart, requested, .. } = r {
            let summoned =
                records.iter().any(|(_, x)| matches!(x, CaseRecord::WitnessSummons { request, .. } if request == id));
            if !summoned {
                out.push(format!(
                    "The group did not give all of \"{requested}\" (record:{id}): apply for a witness summons \
                     (Criminal Procedure (Attendance of Witnesses) Act 1965 s.2) if it is likely to be material \
                     evidence."
                ));
            }
        }
    }
    let forms: Vec<MaterialForm> = records
        .iter()
        .filter_map(|(_, r)| match r {
            CaseRecord::CivilianProduction { form, .. } => Some(*form),
            _ => None,
        })
        .collect();
    let has = |f: MaterialForm| forms.contains(&f);
    if (has(MaterialForm::Screenshot) || has(MaterialForm::ReExport)) && !has(MaterialForm::OriginalDownload) {
        out.push(
            "Only screenshots or re-exports of the conversation are held: ask the group for the decoy's \
                  original device download, which is preferred over them."
                .into(),
        );
    }
    if has(MaterialForm::PostedVersion) && !has(MaterialForm::UneditedRecording) {
        out.push(
            "Only posted versions of the livestream are held: ask for the unedited recording and compare \
                  them (vigil video compare) for what was left out."
                .into(),
        );
    }
    out
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
