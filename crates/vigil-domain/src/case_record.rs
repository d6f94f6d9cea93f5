//! What officers record in a case: tasks, the decision log, persons and
//! attributions, action requests with welfare checks and approvals,
//! safeguarding, outcomes, notes, and the CPIA disclosure schedules. Each
//! record is appended, never edited: a change is a new record that refers
//! to an earlier one by its number. Validation here is pure; the store
//! keeps the JSON and the custody log keeps an event for each record.

use crate::choice::choice;
use crate::Choice;
use crate::{Grade, ParseError};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PersonRole {
    Suspect,
    Victim,
    Witness,
    HouseholdMember,
    /// An adult who posed as a child (for an activist group, say): a role
    /// in the case, never a victim. Its presence makes the offence an attempt.
    Decoy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PersonFlag {
    VulnerableAdult,
    PossibleWrongPerson,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ActionKind {
    Arrest,
    Search,
    Interview,
    /// Entry to premises (urgently, to save life or limb: PACE s.17(1)(e)).
    Entry,
}

/// When a person's welfare is assessed: before an action is approved, and
/// again at each stage where the risk changes (one check never covers them all).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WelfareStage {
    BeforeAction,
    Arrest,
    Interview,
    Release,
    Charge,
}

/// The legal authority for an action (what a "supervisor approval" used to stand in for).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuthorityKind {
    /// A search warrant under PACE 1984 s.8.
    PaceS8Warrant,
    /// A warrant under the Protection of Children Act 1978 s.4.
    Poca1978S4Warrant,
    /// Written consent of the occupier.
    Consent,
    /// A search after arrest under PACE s.18, with an inspector's authority.
    PaceS18Inspector,
    /// Communications data: an Investigatory Powers Act 2016 Part 3 authorisation.
    IpaPart3,
}

impl AuthorityKind {
    /// Whether this authority can support a search of premises or devices.
    pub fn permits_search(self) -> bool {
        matches!(
            self,
            AuthorityKind::PaceS8Warrant
                | AuthorityKind::Poca1978S4Warrant
                | AuthorityKind::Consent
                | AuthorityKind::PaceS18Inspector
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RiskLevel {
    Low,
    Medium,
    High,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OutcomeKind {
    Arrest,
    Charge,
    NoFurtherAction,
    ChildrenSafeguarded,
}

/// What becomes of sensitive (MG6D) material the prosecutor decides meets
/// the test for disclosure (CPS Disclosure Manual, chapters 13 and 14).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SensitiveRoute {
    /// Disclosed in an edited form that protects what is sensitive.
    EditedForm,
    /// Disclosed as a summary.
    SummaryForm,
    /// Disclosed as a formal admission.
    Admission,
    /// Disclosed with the consent of the third party it concerns.
    ThirdPartyConsent,
    /// A public interest immunity application, type 1: on notice to the defence.
    #[serde(rename = "pii-type-1")]
    PiiType1,
    /// Type 2: on notice that an application is made, heard without the defence.
    #[serde(rename = "pii-type-2")]
    PiiType2,
    /// Type 3: without notice to the defence (exceptional).
    #[serde(rename = "pii-type-3")]
    PiiType3,
    /// It cannot be disclosed and the case cannot continue without it.
    CaseCannotContinue,
}

choice!(SensitiveRoute {
    EditedForm => "edited-form", "Disclose in an edited form";
    SummaryForm => "summary-form", "Disclose as a summary";
    Admission => "admission", "Disclose as a formal admission";
    ThirdPartyConsent => "third-party-consent", "Disclose with the third party's consent";
    PiiType1 => "pii-type-1", "PII application, type 1 (on notice to the defence)";
    PiiType2 => "pii-type-2", "PII application, type 2 (notice that one is made; heard without the defence)";
    PiiType3 => "pii-type-3", "PII application, type 3 (without notice; exceptional)";
    CaseCannotContinue => "case-cannot-continue", "It cannot be disclosed: the case cannot continue";
});

impl SensitiveRoute {
    /// Whether the route is an application for the court to rule on.
    pub fn is_pii(self) -> bool {
        matches!(self, SensitiveRoute::PiiType1 | SensitiveRoute::PiiType2 | SensitiveRoute::PiiType3)
    }
}

/// Why material is too sensitive for even the MG6D (CPS Disclosure
/// Manual, chapter 9): the ground is chosen, not written freely.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HighlySensitiveGround {
    /// It would identify a covert human intelligence source.
    SourceIdentity,
    /// It would reveal a covert technique, or where equipment is placed.
    CovertTechnique,
    /// It would put a person's life or safety at risk.
    LifeAtRisk,
    /// It would compromise another investigation or operation.
    OtherOperation,
    NationalSecurity,
}

choice!(HighlySensitiveGround {
    SourceIdentity => "source-identity", "Would identify a covert human intelligence source";
    CovertTechnique => "covert-technique", "Would reveal a covert technique or the placing of equipment";
    LifeAtRisk => "life-at-risk", "Would put a person's life or safety at risk";
    OtherOperation => "other-operation", "Would compromise another investigation or operation";
    NationalSecurity => "national-security", "National security";
});

/// The CPIA schedules of unused material.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Schedule {
    /// Unused, not sensitive.
    #[serde(rename = "MG6C")]
    Mg6c,
    /// Unused, sensitive (with the reason).
    #[serde(rename = "MG6D")]
    Mg6d,
}

/// A view on an unused item: the disclosure officer's proposal on the
/// MG6E, and the prosecutor's decision (CPIA s.3; the decision is theirs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProsecutorView {
    Disclose,
    Inspect,
    ClearlyNotDisclosable,
}

impl ProsecutorView {
    /// The letters a schedule prints (D, I, CND).
    pub fn abbreviation(self) -> &'static str {
        match self {
            ProsecutorView::Disclose => "D",
            ProsecutorView::Inspect => "I",
            ProsecutorView::ClearlyNotDisclosable => "CND",
        }
    }
}

choice!(PersonRole {
    Suspect => "suspect", "Suspect";
    Victim => "victim", "Victim";
    Witness => "witness", "Witness";
    HouseholdMember => "household-member", "Member of the household";
    Decoy => "decoy", "Decoy (an adult who posed as a child; not a victim)";
});

choice!(PersonFlag {
    VulnerableAdult => "vulnerable-adult", "Vulnerable adult";
    PossibleWrongPerson => "possible-wrong-person", "Possibly the wrong person";
});

choice!(ActionKind {
    Arrest => "arrest", "Arrest";
    Search => "search", "Search";
    Interview => "interview", "Interview";
    Entry => "entry", "Entry to premises";
});

choice!(WelfareStage {
    BeforeAction => "before-action", "Before the action";
    Arrest => "arrest", "At arrest";
    Interview => "interview", "At interview";
    Release => "release", "At release";
    Charge => "charge", "At charge";
});

choice!(AuthorityKind {
    PaceS8Warrant => "pace-s8-warrant", "Search warrant (PACE 1984 s.8)";
    Poca1978S4Warrant => "poca1978-s4-warrant", "Warrant (Protection of Children Act 1978 s.4)";
    Consent => "consent", "Written consent of the occupier";
    PaceS18Inspector => "pace-s18-inspector", "Search after arrest with an inspector's authority (PACE s.18)";
    IpaPart3 => "ipa-part3", "Communications data authorisation (Investigatory Powers Act 2016 Part 3)";
});

choice!(RiskLevel {
    Low => "low", "Low";
    Medium => "medium", "Medium";
    High => "high", "High";
});

choice!(OutcomeKind {
    Arrest => "arrest", "Arrest";
    Charge => "charge", "Charge";
    NoFurtherAction => "no-further-action", "No further action";
    ChildrenSafeguarded => "children-safeguarded", "Children safeguarded";
});

choice!(Schedule {
    Mg6c => "MG6C", "MG6C: unused, not sensitive";
    Mg6d => "MG6D", "MG6D: unused, sensitive";
});

choice!(ProsecutorView {
    ClearlyNotDisclosable => "clearly-not-disclosable", "Clearly not disclosable (CND)";
    Disclose => "disclose", "Disclose (D)";
    Inspect => "inspect", "Inspect first (I): the prosecutor asks to see the item before deciding";
});

/// One line of a schedule as revealed to the prosecutor, frozen in the
/// revelation record so later changes never alter what was revealed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevealedLine {
    pub number: u32,
    pub item: String,
    pub description: String,
    pub location: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sensitivity: Option<String>,
    /// The disclosure officer's proposal and reasoning as they stood when
    /// revealed (the MG6E); absent on versions revealed before the MG6E
    /// was frozen with them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposal: Option<RevealedProposal>,
}

/// The disclosure officer's view of one item, frozen with the version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevealedProposal {
    pub proposed: ProsecutorView,
    pub reason: String,
    pub by: String,
    pub at: String,
}

/// An MG6E entry (might undermine the prosecution or assist the defence),
/// frozen with the version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevealedTest {
    pub item: String,
    pub reason: String,
    pub by: String,
    pub at: String,
}

/// One MG6C line as served on the defence, frozen with its decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServedLine {
    pub number: u32,
    pub item: String,
    pub description: String,
    pub location: String,
    pub decision: ProsecutorView,
    /// The redacted copy disclosed in the item's place, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disclosed_as: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub enum CaseRecord {
    Task {
        title: String,
        owner: String,
        due: String,
        /// The disclosure item a task of the disclosure process is about
        /// (the prosecutor's request to inspect it); such a task is part of
        /// the process, not material of the investigation.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        about: Option<String>,
    },
    TaskDone {
        task: u64,
        note: String,
    },
    /// The senior officer's policy file entry.
    Decision {
        decision: String,
        reason: String,
        alternatives: Vec<String>,
    },
    /// A person, kept apart from any identifier.
    Person {
        name: String,
        role: PersonRole,
        /// The role in which they work or volunteer with children, if they
        /// do: the case then prompts a referral to the LADO.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        works_with_children: Option<String>,
    },
    Flag {
        person: u64,
        flag: PersonFlag,
        reason: String,
    },
    /// An identifier attributed to a person, on supporting material, graded.
    Attribution {
        person: u64,
        identifier: String,
        supporting: Vec<String>,
        /// The intelligence grade (3x5x2): how far the intelligence can be
        /// relied on, not evidence of who the person is.
        grade: String,
        reason: String,
        /// The admissible evidence of identity, where there is some (a
        /// statement producing subscriber data, an identification
        /// procedure), kept apart from the intelligence.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        evidence: Option<String>,
    },
    ActionRequest {
        person: u64,
        action: ActionKind,
        justification: String,
    },
    WelfareCheck {
        person: u64,
        self_harm_risk: RiskLevel,
        mitigations: String,
        children_in_household: String,
        vulnerable_adults_in_household: String,
        referrals_made: Vec<String>,
        /// The stage assessed (absent on checks recorded before stages were).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        stage: Option<WelfareStage>,
        /// Handover to custody, or to liaison and diversion, when made.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        handover: Option<String>,
    },
    /// An arrest made without prior approval to protect a child (the
    /// arresting officer's own power, e.g. PACE s.24), justified in writing;
    /// the welfare check follows it.
    UrgentAction {
        person: u64,
        action: ActionKind,
        power: String,
        justification: String,
        /// How the warning that this may be the wrong person was dealt
        /// with; required while the person carries one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        wrong_person: Option<String>,
    },
    /// The authority for a requested action: warrant, consent, an
    /// inspector's s.18 authority, an IPA authorisation.
    Authority {
        request: u64,
        kind: AuthorityKind,
        reference: String,
        granted_by: String,
        /// When granted, as the document gives it.
        granted_at: String,
        /// Expiry date (YYYY-MM-DD), if it has one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expires: Option<String>,
    },
    ActionDecision {
        request: u64,
        approved: bool,
        reason: String,
        /// How the warning that the person may be the wrong person was
        /// dealt with; an approval is refused without it while one stands.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        wrong_person: Option<String>,
    },
    Safeguarding {
        child: u64,
        action: String,
        outcome: String,
        /// Which step (absent on records made before steps were).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        step: Option<crate::SafeguardingStep>,
        /// The other agency's reference (social care, MASH, LADO).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
        /// Police protection: the designated officer who inquires into the
        /// case (Children Act 1989 s.46(3)(e)).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        designated_officer: Option<String>,
        /// Police protection: when and how the local authority was told
        /// (s.46(3)(a)).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        local_authority_notified: Option<String>,
    },
    Outcome {
        outcome: OutcomeKind,
        person: Option<u64>,
        note: String,
        /// The Home Office outcome code, so figures match the force's returns.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        home_office: Option<crate::HomeOfficeOutcome>,
    },
    Note {
        text: String,
    },
    /// The charging decision (the MG3 and its record of decision): who
    /// decided (the CPS, or the police where the Director's Guidance on
    /// Charging lets them), on which test, under which part of the
    /// guidance, and the charges.
    ChargingDecision {
        decision_maker: String,
        test: crate::ChargingTest,
        /// The Director's Guidance on Charging reference the decision is made under.
        guidance: String,
        charges: Vec<String>,
        reason: String,
    },
    /// An item put on a CPIA schedule: `item` is `exhibit:ABC/1` or `record:N`.
    Scheduled {
        item: String,
        schedule: Schedule,
        description: String,
        location: String,
        sensitivity: Option<String>,
        /// The disclosure officer's proposal to the prosecutor (shown on the
        /// MG6E, never on a served schedule). Kept under its first name so
        /// records written before the prosecutor role still read.
        #[serde(rename = "prosecutor")]
        proposed: ProsecutorView,
        /// Why it was scheduled so: the disclosure officer's reasoning (MG6E).
        reason: String,
        /// The earlier scheduling of the same item this one replaces: an
        /// amendment, which may move the item to the other schedule.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        amends: Option<u64>,
        /// What kind of material it is (absent on records made before
        /// categories were: the kind's default then stands).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        category: Option<crate::MaterialCategory>,
        /// Why material presumed to meet the test does not, when proposed CND.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rebuttal: Option<String>,
    },
    /// The prosecutor's decision on one scheduled item, with their reason.
    ProsecutorDecision {
        item: String,
        decision: ProsecutorView,
        reason: String,
        /// Why material presumed to meet the test does not, when CND.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rebuttal: Option<String>,
        /// The redacted copy (`exhibit:…`) through which a "disclose"
        /// decision discloses the item: the form of disclosure, agreed here.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        disclosed_as: Option<String>,
        /// For sensitive (MG6D) material that meets the test: how it is
        /// dealt with, since it is never simply handed over.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sensitive_route: Option<SensitiveRoute>,
    },
    /// The court's ruling on a public interest immunity application.
    PiiRuling {
        item: String,
        /// Whether the court ordered the material withheld or disclosed.
        withheld: bool,
        /// The court and the judge, as the order gives them.
        court: String,
        ruled_at: String,
    },
    /// An item of the case judged not relevant to the investigation (CPIA
    /// Code 2.1), with the reason: it goes on no schedule.
    NotRelevant {
        item: String,
        reason: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        category: Option<crate::MaterialCategory>,
    },
    /// The prosecutor's service of one revealed version on the defence
    /// (CPIA s.3), its MG6C frozen as served with each decision.
    Served {
        version: u32,
        /// The letter that accompanies the schedule, in words.
        letter: String,
        lines: Vec<ServedLine>,
    },
    /// A version of the schedules revealed to a prosecutor, frozen.
    Revealed {
        version: u32,
        /// The prosecutor's user name.
        to: String,
        mg6c: Vec<RevealedLine>,
        mg6d: Vec<RevealedLine>,
        /// The MG6E's "might undermine or assist" entries as they stood;
        /// absent on versions revealed before the MG6E was frozen.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        mg6e: Option<Vec<RevealedTest>>,
        /// What changed since the last version, or why it is revealed now.
        note: String,
    },
    /// An exhibit the prosecution relies on (used material, the MG12), with
    /// the witness who produces it, by name.
    ExhibitUsed {
        exhibit: String,
        witness: String,
        description: String,
    },
    /// A reasonable line of inquiry (CPIA Code para 3.5), including those
    /// pointing away from the suspect, and what came of it.
    LineOfInquiry {
        inquiry: String,
        /// Whether it points towards or away from the suspect, in words.
        direction: String,
        outcome: String,
    },
    /// The digital strategy for one device or account (AG's Guidelines
    /// Annex A): who used it, how its data was obtained, how it was searched,
    /// and what was not examined and why.
    DigitalStrategy {
        device: String,
        users: String,
        extraction: String,
        search_terms: Vec<String>,
        tools: Vec<String>,
        not_examined: String,
    },
    /// A defence statement received: disclosure is reviewed against it.
    DefenceStatement {
        received: String,
        issues: String,
    },
    /// The continuing review of unused material after a defence statement
    /// (or at any stage), with its result.
    DisclosureReview {
        /// The defence statement record it answers, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        statement: Option<u64>,
        result: String,
    },
    /// The Disclosure Management Document for digital material: the
    /// approach to digital material, shared with the prosecutor and defence.
    DisclosureManagement {
        approach: String,
    },
    /// How a physical exhibit was seized: where, when, by whom (name, rank
    /// and number), and its seal and property numbers, as its label shows.
    Seizure {
        exhibit: String,
        place: String,
        seized_at: String,
        seized_by: String,
        seal: String,
        property: String,
    },
    /// The case's criminal-justice identity, as it heads every schedule;
    /// a later one replaces an earlier one.
    Identity {
        urn: String,
        crime_reference: String,
        offences: Vec<String>,
        /// Suspects or defendants, as "R v …" names them.
        defendants: Vec<String>,
        /// Name, rank and number.
        officer_in_case: String,
        disclosure_officer: String,
    },
    /// An item the disclosure officer judges might undermine the prosecution
    /// or assist the defence (the MG6E report).
    DisclosureTest {
        item: String,
        reason: String,
    },
    /// Highly sensitive material (CPS Disclosure Manual ch. 9): it goes on
    /// no schedule, not even the MG6D; its existence is revealed to a named
    /// prosecutor by a separate route, and this records to whom, when and
    /// how. Only the disclosure officer and supervisors see it.
    HighlySensitive {
        item: String,
        /// Why it is highly sensitive.
        reason: String,
        /// The prosecutor told of it, by name.
        revealed_to: String,
        /// When, as given.
        revealed_at: String,
        /// How (in person, say), and where the full record is kept.
        means: String,
        /// The ground it is highly sensitive on (absent on records made
        /// before grounds were chosen; required of new ones).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ground: Option<HighlySensitiveGround>,
    },
    /// A police witness's declaration for the MG6B: findings of misconduct
    /// or criminal convictions that may bear on their credibility, or that
    /// there are none.
    WitnessMisconduct {
        /// Name, rank and number.
        officer: String,
        /// Whether there are findings or convictions to declare.
        findings: bool,
        /// What they are, when there are any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        details: Option<String>,
    },
    /// An edited copy of an exhibit, made as a new exhibit.
    Redaction {
        original: String,
        redacted: String,
        reason: String,
        /// The redaction log: each term removed and how often (absent on
        /// records made before the log was kept).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        removed: Vec<String>,
    },
    /// An activist group's call during a confrontation, recorded as the
    /// incident: where, who is there, whether a crowd gathered or a stream
    /// is live, the man's welfare (the IOPC's lessons: a welfare check
    /// before he is left, a referral, what was handed over) and his family's.
    Confrontation {
        place: String,
        present: Vec<String>,
        crowd: bool,
        stream_live: bool,
        /// The group's record, when one is recorded.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        group: Option<u64>,
        /// The man confronted, once recorded as a person.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        suspect: Option<u64>,
        self_harm_risk: RiskLevel,
        /// The welfare check made before he was left, in words.
        welfare_check: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        referral: Option<String>,
        /// What was handed over, and to whom, when officers left.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        handed_over: Option<String>,
        /// Family members present and their safety.
        family: String,
    },
    /// An activist group, as a third party: its name, platforms and any
    /// previous contact with the police.
    ActivistGroup {
        name: String,
        platforms: Vec<String>,
        police_contact: String,
    },
    /// A person's part in a group; previous convictions of a member who is
    /// a witness are disclosure material.
    GroupMember {
        group: u64,
        person: u64,
        role: crate::GroupRole,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        convictions: Option<String>,
    },
    /// A request to the group for its material, and its answer.
    GroupRequest {
        group: u64,
        requested: String,
        answer: crate::confrontation::GroupAnswer,
        detail: String,
    },
    /// A witness summons applied for after a refusal (Criminal Procedure
    /// (Attendance of Witnesses) Act 1965 s.2).
    WitnessSummons {
        request: u64,
        detail: String,
    },
    /// A public post by the group or a member about the man: a previous
    /// statement of a witness, to be scheduled.
    GroupPost {
        group: u64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        member: Option<u64>,
        platform: String,
        posted: String,
        content: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        exhibit: Option<String>,
    },
    /// An offence the group's members may have committed, a line of inquiry
    /// of its own, with how the two prosecutions are to be sequenced (the
    /// CPS's guidance on online child abuse activist groups asks for it).
    GroupOffence {
        group: u64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        member: Option<u64>,
        offence: crate::confrontation::GroupOffenceKind,
        inquiry: String,
        sequencing: String,
    },
    /// How a civilian (the group) produced an exhibit: what it is, who made
    /// it, when and how, and the producing witness's statement.
    CivilianProduction {
        exhibit: String,
        form: crate::confrontation::MaterialForm,
        produced_by: String,
        produced_at: String,
        how: String,
        statement: String,
        /// The original it is a version or copy of, when known.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        version_of: Option<String>,
    },
    /// Two recordings compared (vPDQ, aligned in time order): the report
    /// exhibit holds what the edited version lacks and adds; recorded by
    /// Vigil when the comparison is made, attached to both recordings.
    VideoComparison {
        original: String,
        edited: String,
        report: String,
        /// The cuts and insertions found, in words.
        summary: String,
    },
    /// The reporter of a report in the case said they contacted the person
    /// or posed as a child: the material may be a decoy's. Recorded when
    /// the report joins the case, so the case never loses the answer.
    PosedAsChild {
        report: String,
        note: String,
    },
    /// Another case was merged into this one: its material is now this case's too.
    MergedFrom {
        case: String,
        reason: String,
    },
    /// This case was merged into another; its history stays here.
    MergedInto {
        case: String,
        reason: String,
    },
    /// This case was split from another, taking these items (`exhibit:…`).
    SplitFrom {
        case: String,
        items: Vec<String>,
        reason: String,
    },
    /// Items of this case were split off into another case.
    SplitTo {
        case: String,
        items: Vec<String>,
        reason: String,
    },
}

/// Why an MG6D item is never "inspect": sensitive material is not shown to
/// the defence; it is withheld, or put to the court (CPS Disclosure Manual).
pub const SENSITIVE_NOT_INSPECTED: &str =
    "sensitive (MG6D) material is never offered for inspection: it is withheld (CND) or, if it must be disclosed, put to the court";

fn text(field: &'static str, v: &str, max: usize) -> Result<(), ParseError> {
    if v.trim().is_empty() {
        return Err(ParseError::new(field, v, "is required"));
    }
    if v.chars().count() > max {
        return Err(ParseError::new(field, v, "is too long"));
    }
    if v.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(ParseError::new(field, v, "contains control characters"));
    }
    Ok(())
}

fn item_ref(field: &'static str, v: &str) -> Result<(), ParseError> {
    let ok = v.strip_prefix("exhibit:").is_some_and(|r| crate::ExhibitRef::parse(r).is_ok())
        || v.strip_prefix("record:").is_some_and(|n| n.parse::<u64>().is_ok());
    if ok {
        Ok(())
    } else {
        Err(ParseError::new(field, v, "must be exhibit:ABC/1 or record:N"))
    }
}

impl CaseRecord {
    /// Checks the record's own fields (references to other records are the
    /// service's to check, since only it can see them).
    pub fn validate(&self) -> Result<(), ParseError> {
        match self {
            CaseRecord::Task { title, owner, due, .. } => {
                text("title", title, 200)?;
                text("owner", owner, 64)?;
                text("due", due, 40)
            }
            CaseRecord::TaskDone { note, .. } => text("note", note, 2000),
            CaseRecord::Decision { decision, reason, alternatives } => {
                text("decision", decision, 2000)?;
                text("reason", reason, 2000)?;
                for a in alternatives {
                    text("alternatives", a, 500)?;
                }
                Ok(())
            }
            CaseRecord::Person { name, works_with_children, .. } => {
                if let Some(w) = works_with_children {
                    text("works_with_children", w, 300)?;
                }
                text("name", name, 200)
            }
            CaseRecord::Flag { reason, .. } => text("reason", reason, 1000),
            CaseRecord::Attribution { identifier, supporting, grade, reason, evidence, .. } => {
                if let Some(e) = evidence {
                    text("evidence", e, 1000)?;
                }
                text("identifier", identifier, 200)?;
                Grade::parse(grade)?;
                text("reason", reason, 1000)?;
                if supporting.is_empty() {
                    return Err(ParseError::new("supporting", "", "an attribution needs supporting material"));
                }
                for s in supporting {
                    item_ref("supporting", s)?;
                }
                Ok(())
            }
            CaseRecord::ActionRequest { justification, .. } => text("justification", justification, 2000),
            CaseRecord::WelfareCheck {
                mitigations,
                children_in_household,
                vulnerable_adults_in_household,
                referrals_made,
                handover,
                ..
            } => {
                text("mitigations", mitigations, 2000)?;
                text("children_in_household", children_in_household, 500)?;
                text("vulnerable_adults_in_household", vulnerable_adults_in_household, 500)?;
                for r in referrals_made {
                    text("referrals_made", r, 500)?;
                }
                if let Some(h) = handover {
                    text("handover", h, 500)?;
                }
                Ok(())
            }
            CaseRecord::UrgentAction { action, power, justification, wrong_person, .. } => {
                if *action == ActionKind::Interview {
                    return Err(ParseError::new(
                        "action",
                        "",
                        "an interview is never urgent: request it; only an arrest, entry (PACE s.17(1)(e)) or search \
                         (s.18(5), s.32) is taken without prior approval",
                    ));
                }
                text("power", power, 200)?;
                if let Some(w) = wrong_person {
                    text("wrong_person", w, 2000)?;
                }
                text("justification", justification, 2000)
            }
            CaseRecord::Authority { reference, granted_by, granted_at, expires, .. } => {
                text("reference", reference, 100)?;
                text("granted_by", granted_by, 200)?;
                text("granted_at", granted_at, 40)?;
                if let Some(e) = expires {
                    crate::Timestamp::parse(&format!("{}T00:00:00.000Z", e.trim()))
                        .map_err(|_| ParseError::new("expires", e, "must be a date, YYYY-MM-DD"))?;
                }
                Ok(())
            }
            CaseRecord::ActionDecision { reason, wrong_person, .. } => {
                if let Some(w) = wrong_person {
                    text("wrong_person", w, 2000)?;
                }
                text("reason", reason, 2000)
            }
            CaseRecord::Safeguarding {
                action,
                outcome,
                reference,
                step,
                designated_officer,
                local_authority_notified,
                ..
            } => {
                if *step == Some(crate::SafeguardingStep::PoliceProtection) {
                    match (designated_officer, local_authority_notified) {
                        (Some(d), Some(n)) => {
                            text("designated_officer", d, 200)?;
                            text("local_authority_notified", n, 200)?;
                        }
                        (None, _) => {
                            return Err(ParseError::new(
                                "designated_officer",
                                "",
                                "police protection needs its designated officer (Children Act 1989 s.46(3)(e))",
                            ))
                        }
                        (_, None) => {
                            return Err(ParseError::new(
                                "local_authority_notified",
                                "",
                                "police protection needs the local authority told, and when (s.46(3)(a))",
                            ))
                        }
                    }
                }
                text("action", action, 1000)?;
                if let Some(r) = reference {
                    text("reference", r, 100)?;
                }
                text("outcome", outcome, 1000)
            }
            CaseRecord::Outcome { note, .. } => text("note", note, 1000),
            CaseRecord::Note { text: t } => text("text", t, 10_000),
            CaseRecord::ChargingDecision { decision_maker, guidance, charges, reason, .. } => {
                text("decision_maker", decision_maker, 200)?;
                text("guidance", guidance, 200)?;
                text("reason", reason, 4000)?;
                if charges.is_empty() {
                    return Err(ParseError::new("charges", "", "name at least one charge"));
                }
                for c in charges {
                    text("charges", c, 300)?;
                }
                Ok(())
            }
            CaseRecord::Scheduled {
                item,
                schedule,
                description,
                location,
                sensitivity,
                reason,
                proposed,
                rebuttal,
                ..
            } => {
                item_ref("item", item)?;
                text("reason", reason, 1000)?;
                if let Some(r) = rebuttal {
                    text("rebuttal", r, 2000)?;
                }
                text("description", description, 1000)?;
                text("location", location, 200)?;
                if *schedule == Schedule::Mg6d && *proposed == ProsecutorView::Inspect {
                    return Err(ParseError::new("prosecutor", "inspect", SENSITIVE_NOT_INSPECTED));
                }
                match (schedule, sensitivity) {
                    (Schedule::Mg6d, None) => {
                        Err(ParseError::new("sensitivity", "", "sensitive material needs the reason it is sensitive"))
                    }
                    (Schedule::Mg6d, Some(s)) => text("sensitivity", s, 1000),
                    (Schedule::Mg6c, Some(_)) => {
                        Err(ParseError::new("sensitivity", "", "only MG6D (sensitive) items carry a sensitivity"))
                    }
                    (Schedule::Mg6c, None) => Ok(()),
                }
            }
            CaseRecord::DisclosureTest { item, reason } => {
                item_ref("item", item)?;
                text("reason", reason, 2000)
            }
            CaseRecord::HighlySensitive { item, reason, revealed_to, revealed_at, means, .. } => {
                item_ref("item", item)?;
                text("reason", reason, 2000)?;
                text("revealed_to", revealed_to, 200)?;
                text("revealed_at", revealed_at, 64)?;
                text("means", means, 1000)
            }
            CaseRecord::ProsecutorDecision { item, reason, rebuttal, disclosed_as, decision, sensitive_route } => {
                if sensitive_route.is_some() && *decision != ProsecutorView::Disclose {
                    return Err(ParseError::new(
                        "sensitive_route",
                        "",
                        "a route is chosen only for sensitive material that meets the test (decided D)",
                    ));
                }
                item_ref("item", item)?;
                text("reason", reason, 2000)?;
                if let Some(r) = rebuttal {
                    text("rebuttal", r, 2000)?;
                }
                if let Some(d) = disclosed_as {
                    if d.strip_prefix("exhibit:").is_none_or(|r| crate::ExhibitRef::parse(r).is_err()) {
                        return Err(ParseError::new("disclosed_as", d, "must be exhibit:ABC/1 (the redacted copy)"));
                    }
                    if *decision != ProsecutorView::Disclose {
                        return Err(ParseError::new(
                            "disclosed_as",
                            d,
                            "only an item decided \"disclose\" is disclosed through a redacted copy",
                        ));
                    }
                }
                Ok(())
            }
            CaseRecord::NotRelevant { item, reason, .. } => {
                item_ref("item", item)?;
                text("reason", reason, 2000)
            }
            CaseRecord::PiiRuling { item, court, ruled_at, .. } => {
                item_ref("item", item)?;
                text("court", court, 300)?;
                text("ruled_at", ruled_at, 64)
            }
            CaseRecord::Served { version, letter, lines } => {
                if *version == 0 {
                    return Err(ParseError::new("version", "0", "versions count from 1"));
                }
                text("letter", letter, 4000)?;
                for l in lines {
                    item_ref("item", &l.item)?;
                }
                Ok(())
            }
            CaseRecord::Revealed { version, to, mg6c, mg6d, mg6e, note } => {
                if *version == 0 {
                    return Err(ParseError::new("version", "0", "versions count from 1"));
                }
                text("to", to, 64)?;
                text("note", note, 2000)?;
                for l in mg6c.iter().chain(mg6d) {
                    item_ref("item", &l.item)?;
                }
                for t in mg6e.iter().flatten() {
                    item_ref("item", &t.item)?;
                }
                Ok(())
            }
            CaseRecord::ExhibitUsed { exhibit, witness, description } => {
                if exhibit.strip_prefix("exhibit:").is_none_or(|r| crate::ExhibitRef::parse(r).is_err()) {
                    return Err(ParseError::new("exhibit", exhibit, "must be exhibit:ABC/1"));
                }
                text("witness", witness, 200)?;
                text("description", description, 1000)
            }
            CaseRecord::Seizure { exhibit, place, seized_at, seized_by, seal, property } => {
                if exhibit.strip_prefix("exhibit:").is_none_or(|r| crate::ExhibitRef::parse(r).is_err()) {
                    return Err(ParseError::new("exhibit", exhibit, "must be exhibit:ABC/1"));
                }
                text("place", place, 200)?;
                text("seized_at", seized_at, 40)?;
                text("seized_by", seized_by, 200)?;
                text("seal", seal, 60)?;
                text("property", property, 60)
            }
            CaseRecord::LineOfInquiry { inquiry, direction, outcome } => {
                text("inquiry", inquiry, 2000)?;
                text("direction", direction, 200)?;
                text("outcome", outcome, 2000)
            }
            CaseRecord::DigitalStrategy { device, users, extraction, search_terms, tools, not_examined } => {
                text("device", device, 300)?;
                text("users", users, 1000)?;
                text("extraction", extraction, 1000)?;
                for t in search_terms {
                    text("search_terms", t, 200)?;
                }
                for t in tools {
                    text("tools", t, 200)?;
                }
                text("not_examined", not_examined, 2000)
            }
            CaseRecord::DefenceStatement { received, issues } => {
                text("received", received, 40)?;
                text("issues", issues, 4000)
            }
            CaseRecord::DisclosureReview { result, .. } => text("result", result, 4000),
            CaseRecord::DisclosureManagement { approach } => text("approach", approach, 10_000),
            CaseRecord::Identity {
                urn,
                crime_reference,
                offences,
                defendants,
                officer_in_case,
                disclosure_officer,
            } => {
                text("urn", urn, 40)?;
                text("crime_reference", crime_reference, 60)?;
                if offences.is_empty() {
                    return Err(ParseError::new("offences", "", "name at least one offence"));
                }
                for o in offences {
                    text("offences", o, 300)?;
                }
                for d in defendants {
                    text("defendants", d, 200)?;
                }
                text("officer_in_case", officer_in_case, 200)?;
                text("disclosure_officer", disclosure_officer, 200)
            }
            CaseRecord::WitnessMisconduct { officer, findings, details } => {
                text("officer", officer, 200)?;
                match (findings, details) {
                    (true, None) => Err(ParseError::new("details", "", "say what the findings or convictions are")),
                    (true, Some(d)) => text("details", d, 4000),
                    (false, Some(_)) => {
                        Err(ParseError::new("details", "", "details are given only when there are findings"))
                    }
                    (false, None) => Ok(()),
                }
            }
            CaseRecord::Redaction { original, redacted, reason, .. } => {
                crate::ExhibitRef::parse(original)?;
                crate::ExhibitRef::parse(redacted)?;
                text("reason", reason, 1000)
            }
            CaseRecord::Confrontation {
                place,
                present,
                welfare_check,
                referral,
                handed_over,
                family,
                self_harm_risk,
                ..
            } => {
                text("place", place, 200)?;
                if present.is_empty() {
                    return Err(ParseError::new("present", "", "is required: who is there, one per line"));
                }
                for p in present {
                    text("present", p, 200)?;
                }
                text("welfare_check", welfare_check, 2000)?;
                text("family", family, 1000)?;
                for (field, v) in [("referral", referral), ("handed_over", handed_over)] {
                    if let Some(v) = v {
                        text(field, v, 1000)?;
                    }
                }
                // The IOPC's lesson: a man at raised risk is not left without a referral.
                if *self_harm_risk == RiskLevel::High && referral.is_none() {
                    return Err(ParseError::new(
                        "referral",
                        "",
                        "is required when the risk of self-harm is high: record the referral made before he is left",
                    ));
                }
                Ok(())
            }
            CaseRecord::ActivistGroup { name, platforms, police_contact } => {
                text("name", name, 200)?;
                for p in platforms {
                    text("platforms", p, 200)?;
                }
                text("police_contact", police_contact, 2000)
            }
            CaseRecord::GroupMember { convictions, .. } => match convictions {
                Some(c) => text("convictions", c, 2000),
                None => Ok(()),
            },
            CaseRecord::GroupRequest { requested, detail, .. } => {
                text("requested", requested, 1000)?;
                text("detail", detail, 2000)
            }
            CaseRecord::WitnessSummons { detail, .. } => text("detail", detail, 2000),
            CaseRecord::GroupPost { platform, posted, content, exhibit, .. } => {
                text("platform", platform, 200)?;
                text("posted", posted, 40)?;
                text("content", content, 4000)?;
                match exhibit {
                    Some(e) if e.strip_prefix("exhibit:").is_none_or(|r| crate::ExhibitRef::parse(r).is_err()) => {
                        Err(ParseError::new("exhibit", e, "must be exhibit:ABC/1"))
                    }
                    _ => Ok(()),
                }
            }
            CaseRecord::GroupOffence { inquiry, sequencing, .. } => {
                text("inquiry", inquiry, 2000)?;
                text("sequencing", sequencing, 2000)
            }
            CaseRecord::CivilianProduction {
                exhibit, produced_by, produced_at, how, statement, version_of, ..
            } => {
                for (field, e) in [("exhibit", Some(exhibit)), ("version_of", version_of.as_ref())] {
                    if let Some(e) = e {
                        if e.strip_prefix("exhibit:").is_none_or(|r| crate::ExhibitRef::parse(r).is_err()) {
                            return Err(ParseError::new(field, e, "must be exhibit:ABC/1"));
                        }
                    }
                }
                text("produced_by", produced_by, 200)?;
                text("produced_at", produced_at, 40)?;
                text("how", how, 2000)?;
                text("statement", statement, 100)
            }
            CaseRecord::VideoComparison { original, edited, report, summary } => {
                for (field, e) in [("original", original), ("edited", edited), ("report", report)] {
                    if e.strip_prefix("exhibit:").is_none_or(|r| crate::ExhibitRef::parse(r).is_err()) {
                        return Err(ParseError::new(field, e, "must be exhibit:ABC/1"));
                    }
                }
                text("summary", summary, 2000)
            }
            CaseRecord::PosedAsChild { report, note } => {
                if crate::ExhibitRef::parse(report).is_err() {
                    return Err(ParseError::new("report", report, "must be a report's exhibit reference (PR/1)"));
                }
                text("note", note, 1000)
            }
            CaseRecord::MergedFrom { case, reason } | CaseRecord::MergedInto { case, reason } => {
                crate::CaseId::parse(case)?;
                text("reason", reason, 1000)
            }
            CaseRecord::SplitFrom { case, items, reason } | CaseRecord::SplitTo { case, items, reason } => {
                crate::CaseId::parse(case)?;
                if items.is_empty() {
                    return Err(ParseError::new("items", "", "a split must take at least one exhibit"));
                }
                for i in items {
                    if i.strip_prefix("exhibit:").is_none_or(|r| crate::ExhibitRef::parse(r).is_err()) {
                        return Err(ParseError::new("items", i, "must be exhibit:ABC/1"));
                    }
                }
                text("reason", reason, 1000)
            }
        }
    }

    /// A one-line summary for the custody log and the case timeline.
    pub fn summary(&self) -> String {
        let cut = |s: &str| s.chars().take(120).collect::<String>();
        match self {
            CaseRecord::Task { title, owner, due, .. } => format!("task for {owner} due {due}: {}", cut(title)),
            CaseRecord::TaskDone { task, .. } => format!("task record:{task} done"),
            CaseRecord::Decision { decision, .. } => format!("decision: {}", cut(decision)),
            CaseRecord::Person { role, .. } => format!("person recorded ({})", role.label().to_lowercase()),
            CaseRecord::Flag { person, flag, .. } => {
                format!("record:{person} flagged: {}", flag.label().to_lowercase())
            }
            CaseRecord::Attribution { person, grade, supporting, .. } => {
                format!("identifier attributed to record:{person}, graded {grade}, on {} item(s)", supporting.len())
            }
            CaseRecord::ActionRequest { person, action, .. } => {
                format!("{} of record:{person} requested", action.label())
            }
            CaseRecord::WelfareCheck { person, self_harm_risk, stage, .. } => {
                let at = stage.map(|s| format!(" ({})", s.label().to_lowercase())).unwrap_or_default();
                format!(
                    "welfare check on record:{person}{at}: self-harm risk {}",
                    self_harm_risk.label().to_lowercase()
                )
            }
            CaseRecord::UrgentAction { person, action, power, .. } => {
                format!("urgent {} of record:{person} under {}", action.label().to_lowercase(), cut(power))
            }
            CaseRecord::Authority { request, kind, reference, .. } => {
                format!("authority for record:{request}: {}, {}", kind.label(), cut(reference))
            }
            CaseRecord::ActionDecision { request, approved, .. } => {
                format!("request record:{request} {}", if *approved { "approved" } else { "refused" })
            }
            CaseRecord::Safeguarding { child, step, .. } => match step {
                Some(s) => format!("safeguarding for record:{child}: {}", s.label().to_lowercase()),
                None => format!("safeguarding action for record:{child}"),
            },
            CaseRecord::Outcome { outcome, home_office, .. } => match home_office {
                Some(h) => format!(
                    "outcome: {} (Home Office outcome {}: {})",
                    outcome.label().to_lowercase(),
                    h.code(),
                    h.label()
                ),
                None => format!("outcome: {}", outcome.label().to_lowercase()),
            },
            CaseRecord::Note { .. } => "officer note".into(),
            CaseRecord::ChargingDecision { decision_maker, test, charges, .. } => {
                format!("charging decision by {} ({}): {} charge(s)", cut(decision_maker), test.label(), charges.len())
            }
            CaseRecord::Scheduled { item, schedule, proposed, amends, .. } => {
                let again = amends.map(|a| format!(", amending record:{a}")).unwrap_or_default();
                format!("{item} scheduled on {} (proposed {}{again})", schedule.as_str(), proposed.abbreviation())
            }
            CaseRecord::DisclosureTest { item, .. } => format!("{item} might undermine or assist (MG6E)"),
            // The log is read by everyone with the case, and offline: it
            // must not betray what the material is, or which item.
            CaseRecord::HighlySensitive { .. } => "restricted disclosure record".into(),
            CaseRecord::ProsecutorDecision { item, decision, disclosed_as, .. } => {
                let form = disclosed_as.as_ref().map(|d| format!(", disclosed as {d}")).unwrap_or_default();
                format!("prosecutor's decision on {item}: {}{form}", decision.abbreviation())
            }
            CaseRecord::NotRelevant { item, .. } => format!("{item} recorded as not relevant"),
            CaseRecord::PiiRuling { item, withheld, .. } => {
                format!("PII ruling on {item}: {}", if *withheld { "withheld" } else { "to be disclosed" })
            }
            CaseRecord::Served { version, lines, .. } => {
                format!("schedules version {version} served on the defence ({} MG6C item(s))", lines.len())
            }
            CaseRecord::Revealed { version, to, mg6c, mg6d, .. } => format!(
                "schedules version {version} revealed to {to} ({} MG6C item(s), {} MG6D item(s))",
                mg6c.len(),
                mg6d.len()
            ),
            CaseRecord::ExhibitUsed { exhibit, .. } => format!("{exhibit} is used material (MG12)"),
            CaseRecord::Identity { urn, .. } => format!("criminal-justice identity: URN {urn}"),
            CaseRecord::Seizure { exhibit, seal, .. } => format!("{exhibit} seized, seal {}", cut(seal)),
            CaseRecord::LineOfInquiry { inquiry, .. } => format!("line of inquiry: {}", cut(inquiry)),
            CaseRecord::DigitalStrategy { device, .. } => format!("digital strategy for {}", cut(device)),
            CaseRecord::DefenceStatement { received, .. } => format!("defence statement received {received}"),
            CaseRecord::DisclosureReview { statement, .. } => match statement {
                Some(n) => format!("disclosure reviewed after the defence statement record:{n}"),
                None => "disclosure reviewed".into(),
            },
            CaseRecord::DisclosureManagement { .. } => "disclosure management document".into(),
            CaseRecord::WitnessMisconduct { findings, .. } => {
                format!(
                    "MG6B declaration for a police witness: {}",
                    if *findings { "findings declared" } else { "none" }
                )
            }
            CaseRecord::Redaction { original, redacted, .. } => format!("{redacted} is a redacted copy of {original}"),
            CaseRecord::Confrontation { place, self_harm_risk, stream_live, .. } => format!(
                "confrontation by an activist group at {}{}; self-harm risk {}",
                cut(place),
                if *stream_live { " (streamed live)" } else { "" },
                match self_harm_risk {
                    RiskLevel::Low => "low",
                    RiskLevel::Medium => "medium",
                    RiskLevel::High => "high",
                }
            ),
            CaseRecord::ActivistGroup { name, .. } => format!("activist group: {}", cut(name)),
            CaseRecord::GroupMember { group, person, role, convictions } => format!(
                "record:{person} is a member of group record:{group} ({}){}",
                role.label().to_lowercase(),
                if convictions.is_some() { "; previous convictions recorded" } else { "" }
            ),
            CaseRecord::GroupRequest { group, answer, .. } => {
                format!("request to group record:{group} for its material: {}", answer.label().to_lowercase())
            }
            CaseRecord::WitnessSummons { request, .. } => format!("witness summons after record:{request}"),
            CaseRecord::GroupPost { platform, posted, .. } => {
                format!("group's post on {} ({}): a previous statement", cut(platform), cut(posted))
            }
            CaseRecord::GroupOffence { offence, .. } => {
                format!("line of inquiry into the group: {}", offence.label().to_lowercase())
            }
            CaseRecord::CivilianProduction { exhibit, form, produced_by, .. } => {
                format!("{exhibit}: {} produced by {}", form.label().to_lowercase(), cut(produced_by))
            }
            CaseRecord::VideoComparison { original, edited, summary, .. } => {
                format!("{edited} compared with {original}: {}", cut(summary))
            }
            CaseRecord::PosedAsChild { report, .. } => {
                format!("the reporter of {report} says they contacted the person or posed as a child")
            }
            CaseRecord::MergedFrom { case, .. } => format!("case {case} merged into this case"),
            CaseRecord::MergedInto { case, .. } => format!("merged into case {case}"),
            CaseRecord::SplitFrom { case, items, .. } => format!("split from case {case} with {} item(s)", items.len()),
            CaseRecord::SplitTo { case, items, .. } => format!("{} item(s) split off into case {case}", items.len()),
        }
    }
}

/// How far an attribution can be relied on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Strength {
    Weak,
    Moderate,
    Strong,
}

/// The strength of one attribution from its own grade: how reliable its
/// source is and how the intelligence is known. How many items it cites
/// does not make it stronger; independent sources do (see [`person_warning`]).
pub fn attribution_strength(grade: &Grade) -> Strength {
    match (grade.source, grade.intelligence) {
        (3, _) | (_, 'D') | (_, 'E') => Strength::Weak,
        (1, 'A') | (1, 'B') => Strength::Strong,
        _ => Strength::Moderate,
    }
}

/// Whether material so graded can count towards identifying a person: a
/// reliable or untested source (1, 2) and intelligence known (A, B, C).
/// 1/E, 2/D and anything from an unreliable source never clear the warning.
fn counts(grade: &Grade) -> bool {
    grade.source <= 2 && matches!(grade.intelligence, 'A' | 'B' | 'C')
}

/// The wrong-person warning for a person, or none. Attributions are
/// independent sources when they rest on disjoint supporting material; the
/// warning clears when at least two independent sources that count (see
/// `counts`) agree and one of them is a reliable (1) source.
pub fn person_warning(attributions: &[(Grade, Vec<String>)]) -> Option<String> {
    let usable: Vec<&(Grade, Vec<String>)> = attributions.iter().filter(|(g, _)| counts(g)).collect();
    if attributions.is_empty() {
        return Some("no identifier is attributed to this person".into());
    }
    if usable.is_empty() {
        return Some(
            "rests only on material graded unreliable (3), not known (D) or suspected false (E): \
             it cannot identify a person"
                .into(),
        );
    }
    // Independent groups: attributions sharing any supporting item are one source.
    let mut groups: Vec<(Vec<&String>, bool)> = Vec::new();
    for (g, support) in &usable {
        let reliable = g.source == 1;
        let joined: Vec<usize> = groups
            .iter()
            .enumerate()
            .filter(|(_, (items, _))| support.iter().any(|s| items.contains(&s)))
            .map(|(i, _)| i)
            .collect();
        let mut items: Vec<&String> = support.iter().collect();
        let mut any_reliable = reliable;
        for i in joined.into_iter().rev() {
            let (old, r) = groups.remove(i);
            items.extend(old);
            any_reliable |= r;
        }
        groups.push((items, any_reliable));
    }
    let tested = groups.iter().any(|(_, r)| *r);
    match (groups.len(), tested) {
        (1, _) if usable.iter().any(|(g, _)| g.intelligence == 'B') => Some(
            "graded B (corroborated), but the corroborating source is not recorded: record it as an attribution \
             of its own, on its own material, before any action"
                .into(),
        ),
        (1, _) => Some("rests on a single source: seek an independent source before any action".into()),
        (_, false) => Some("no reliable (grade 1) source among its independent sources: seek one".into()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_and_validate() {
        let r = CaseRecord::Attribution {
            person: 3,
            identifier: "username:examplechat/demo_user_a".into(),
            supporting: vec!["exhibit:PR/1".into(), "record:2".into()],
            grade: "2/B/P".into(),
            reason: "subscriber check".into(),
            evidence: None,
        };
        r.validate().unwrap();
        let j = serde_json::to_string(&r).unwrap();
        assert!(j.contains("\"type\":\"attribution\""));
        assert_eq!(serde_json::from_str::<CaseRecord>(&j).unwrap(), r);
    }

    #[test]
    fn bad_records_are_refused_naming_the_field() {
        let no_support = CaseRecord::Attribution {
            person: 1,
            identifier: "x".into(),
            supporting: vec![],
            grade: "2/B/P".into(),
            reason: "r".into(),
            evidence: None,
        };
        assert_eq!(no_support.validate().unwrap_err().what, "supporting");
        let mg6d = CaseRecord::Scheduled {
            item: "exhibit:PR/1".into(),
            schedule: Schedule::Mg6d,
            description: "d".into(),
            location: "l".into(),
            sensitivity: None,
            proposed: ProsecutorView::ClearlyNotDisclosable,
            reason: "r".into(),
            amends: None,
            category: None,
            rebuttal: None,
        };
        assert_eq!(mg6d.validate().unwrap_err().what, "sensitivity");
        // Issue 12, point 4: sensitive material is never "inspect".
        let inspect = CaseRecord::Scheduled {
            item: "exhibit:PR/1".into(),
            schedule: Schedule::Mg6d,
            description: "d".into(),
            location: "l".into(),
            sensitivity: Some("would identify the reporter".into()),
            proposed: ProsecutorView::Inspect,
            reason: "r".into(),
            amends: None,
            category: None,
            rebuttal: None,
        };
        assert_eq!(inspect.validate().unwrap_err().why, SENSITIVE_NOT_INSPECTED);
        let bad_item = CaseRecord::DisclosureTest { item: "file:/etc".into(), reason: "r".into() };
        assert_eq!(bad_item.validate().unwrap_err().what, "item");
    }

    #[test]
    fn strength_and_warnings() {
        let g = |s: &str| Grade::parse(s).unwrap();
        let items = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(attribution_strength(&g("1/A/P")), Strength::Strong);
        assert_eq!(attribution_strength(&g("2/B/P")), Strength::Moderate);
        assert_eq!(attribution_strength(&g("1/E/P")), Strength::Weak);
        assert_eq!(attribution_strength(&g("2/D/P")), Strength::Weak);
        // Issue 12, point 7: one attribution citing many items is still one source.
        let one = [(g("1/C/P"), items(&["exhibit:PR/1", "exhibit:PR/2", "exhibit:PR/3"]))];
        assert!(person_warning(&one).unwrap().contains("single source"));
        // B means corroborated: the warning asks for the corroboration to be recorded, not sought.
        let b = person_warning(&[(g("2/B/P"), items(&["exhibit:PR/1"]))]).unwrap();
        assert!(b.contains("corroborating source is not recorded") && !b.contains("seek"), "{b}");
        // Two attributions on the same material are one source.
        let shared = [(g("1/C/P"), items(&["exhibit:PR/1"])), (g("2/C/P"), items(&["exhibit:PR/1", "record:4"]))];
        assert!(person_warning(&shared).unwrap().contains("single source"));
        // 1/E and 2/D material never clears the warning, however much of it there is.
        let weak = [(g("1/E/P"), items(&["exhibit:PR/1"])), (g("2/D/P"), items(&["exhibit:PR/2"]))];
        assert!(person_warning(&weak).unwrap().contains("cannot identify"));
        let with_weak = [(g("1/C/P"), items(&["exhibit:PR/1"])), (g("1/E/P"), items(&["exhibit:PR/2"]))];
        assert!(person_warning(&with_weak).unwrap().contains("single source"));
        // Untested sources only.
        let untested = [(g("2/C/P"), items(&["exhibit:PR/1"])), (g("2/C/P"), items(&["exhibit:PR/2"]))];
        assert!(person_warning(&untested).unwrap().contains("reliable"));
        // Two independent sources, one reliable: cleared.
        assert!(
            person_warning(&[(g("1/B/P"), items(&["exhibit:PR/1"])), (g("2/C/P"), items(&["exhibit:PR/2"]))]).is_none()
        );
    }
}
