//! The forms officers fill in to add a record to a case, described beside
//! [`CaseRecord`](crate::CaseRecord): each field is named as the record's
//! JSON names it, and each choice takes its options from the type the
//! record holds. The web renders these and turns a posted form into the
//! record's JSON; the record type's own parsing and validation decide.

use crate::choice::{options, ChoiceOption};
use crate::{
    ActionKind, AuthorityKind, ChargingTest, Choice, GroupAnswer, GroupOffenceKind, GroupRole, HighlySensitiveGround,
    HomeOfficeOutcome, MaterialCategory, MaterialForm, OutcomeKind, ParseError, PersonFlag, PersonRole, ProsecutorView,
    RiskLevel, SafeguardingStep, Schedule, SensitiveRoute, WelfareStage,
};

/// How a field is entered, and what it becomes in the record.
#[derive(Clone, Copy)]
pub enum FieldInput {
    /// One line of text.
    Text,
    /// One line of text, or nothing.
    OptText,
    /// Free text over several lines.
    Long,
    /// A list, one item per line.
    Lines,
    /// A record number (`record:N` or `N`).
    Record,
    /// A record number, or nothing.
    OptRecord,
    /// One of a closed set.
    Choice(fn() -> Vec<ChoiceOption>),
    /// One of a closed set, or nothing.
    OptChoice(fn() -> Vec<ChoiceOption>),
    /// Yes or no.
    YesNo,
}

/// A field as a posted form gives it, ready to become the record's JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldValue {
    Text(String),
    Number(u64),
    List(Vec<String>),
    Bool(bool),
    Absent,
}

pub struct FormField {
    /// The record's field, as its JSON names it.
    pub name: &'static str,
    /// The question on the form.
    pub label: &'static str,
    pub input: FieldInput,
}

impl FormField {
    /// What a posted value means for this field (an empty value is absent
    /// only for an optional field).
    pub fn read(&self, raw: &str) -> Result<FieldValue, ParseError> {
        let blank = raw.trim().is_empty();
        Ok(match self.input {
            FieldInput::Text | FieldInput::Long | FieldInput::Choice(_) => FieldValue::Text(raw.to_owned()),
            FieldInput::OptText | FieldInput::OptChoice(_) | FieldInput::OptRecord if blank => FieldValue::Absent,
            FieldInput::OptText | FieldInput::OptChoice(_) => FieldValue::Text(raw.to_owned()),
            FieldInput::Record | FieldInput::OptRecord => FieldValue::Number(
                raw.trim()
                    .trim_start_matches("record:")
                    .parse()
                    .map_err(|_| ParseError::new(self.name, raw, "give a record number, such as 12"))?,
            ),
            FieldInput::Lines => {
                FieldValue::List(raw.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect())
            }
            FieldInput::YesNo => FieldValue::Bool(raw == "yes"),
        })
    }
}

/// The form for one kind of record.
pub struct RecordForm {
    /// The record's `type`.
    pub kind: &'static str,
    pub heading: &'static str,
    /// Who may add it, in words.
    pub who: &'static str,
    pub fields: &'static [FormField],
}

impl RecordForm {
    /// The form for a kind of record, the prosecutor's included.
    pub fn find(kind: &str) -> Option<&'static RecordForm> {
        RECORD_FORMS.iter().chain([&PROSECUTOR_FORM, &PII_RULING_FORM]).find(|f| f.kind == kind)
    }
}

const fn field(name: &'static str, label: &'static str, input: FieldInput) -> FormField {
    FormField { name, label, input }
}

use FieldInput::{Lines, Long, OptRecord, OptText, Record, Text, YesNo};

/// What may be done at once, without prior approval, to protect a child.
fn urgent_actions() -> Vec<ChoiceOption> {
    [ActionKind::Arrest, ActionKind::Entry, ActionKind::Search].into_iter().map(ChoiceOption::of).collect()
}

/// The outcomes a new record may give: an arrest is an action and
/// safeguarding is recorded step by step, so neither is offered.
fn outcomes() -> Vec<ChoiceOption> {
    [OutcomeKind::Charge, OutcomeKind::NoFurtherAction].into_iter().map(ChoiceOption::of).collect()
}

/// Home Office outcomes show their code, as the force's returns name them.
fn home_office_outcomes() -> Vec<ChoiceOption> {
    HomeOfficeOutcome::ALL
        .iter()
        .map(|o| ChoiceOption { value: o.as_str(), label: format!("{}: {}", o.code(), HomeOfficeOutcome::label(*o)) })
        .collect()
}

/// The records officers add from the case page; the others (decisions on
/// merges and splits, redactions, revelations, tasks done) come from their
/// own actions.
/// The incident an activist group's call opens: on the case page, and as
/// the form that opens an incident in minutes.
pub const CONFRONTATION_FORM: RecordForm = RecordForm {
    kind: "confrontation",
    heading: "Confrontation by an activist group (the incident)",
    who: "assigned officers",
    fields: &[
        field("place", "Where", Text),
        field("present", "Who is present, one per line", Lines),
        field("crowd", "Has a crowd gathered?", YesNo),
        field("stream_live", "Is it being streamed live?", YesNo),
        field("group", "The group (record number, once recorded) (optional)", OptRecord),
        field("suspect", "The man confronted (person record number, once recorded) (optional)", OptRecord),
        field("self_harm_risk", "His risk of self-harm", FieldInput::Choice(options::<RiskLevel>)),
        field("welfare_check", "Welfare check before he is left: what he said, what was seen", Long),
        field("referral", "Referral made (required when the risk is high) (optional)", OptText),
        field("handed_over", "What was handed over, and to whom, on leaving (optional)", OptText),
        field("family", "Family members present, and their safety", Long),
    ],
};

pub const RECORD_FORMS: &[RecordForm] = &[
    RecordForm {
        kind: "decision",
        heading: "Policy decision (the decision log)",
        who: "assigned officers",
        fields: &[
            field("decision", "Decision", Long),
            field("reason", "Reason", Long),
            field("alternatives", "Alternatives considered, one per line", Lines),
        ],
    },
    RecordForm {
        kind: "task",
        heading: "Task",
        who: "assigned officers",
        fields: &[
            field("title", "Task", Text),
            field("owner", "Owner (user name)", Text),
            field("due", "Due (date)", Text),
        ],
    },
    RecordForm {
        kind: "person",
        heading: "Person",
        who: "assigned officers",
        fields: &[
            field("name", "Name", Text),
            field("role", "Role", FieldInput::Choice(options::<PersonRole>)),
            field("works_with_children", "Works or volunteers with children: in what role (prompts a LADO referral)", OptText),
        ],
    },
    RecordForm {
        kind: "attribution",
        heading: "Attribution of an identifier to a person",
        who: "assigned officers",
        fields: &[
            field("person", "Person (record number)", Record),
            field("identifier", "Identifier (normalised, e.g. username:examplechat/name)", Text),
            field("supporting", "Supporting material, one per line (exhibit:ABC/1 or record:N)", Lines),
            field("grade", "Intelligence grade 3x5x2 (e.g. 2/B/P): grades the intelligence, not identity", Text),
            field("reason", "Why", Long),
            field(
                "evidence",
                "Admissible evidence of identity, if any (a statement producing subscriber data, an identification procedure)",
                OptText,
            ),
        ],
    },
    RecordForm {
        kind: "flag",
        heading: "Flag on a person",
        who: "assigned officers",
        fields: &[
            field("person", "Person (record number)", Record),
            field("flag", "Flag", FieldInput::Choice(options::<PersonFlag>)),
            field("reason", "Why", Long),
        ],
    },
    RecordForm {
        kind: "action-request",
        heading: "Request an arrest, search or interview",
        who: "assigned officers; a supervisor approves",
        fields: &[
            field("person", "Person (record number)", Record),
            field("action", "Action", FieldInput::Choice(options::<ActionKind>)),
            field("justification", "Justification", Long),
        ],
    },
    RecordForm {
        kind: "welfare-check",
        heading: "Welfare check",
        who: "assigned officers",
        fields: &[
            field("person", "Person (record number)", Record),
            field("self_harm_risk", "Self-harm risk", FieldInput::Choice(options::<RiskLevel>)),
            field("mitigations", "Mitigations", Long),
            field("children_in_household", "Children in the household", Text),
            field("vulnerable_adults_in_household", "Vulnerable adults in the household", Text),
            field("referrals_made", "Safeguarding referrals made, one per line", Lines),
            field("stage", "Stage assessed", FieldInput::Choice(options::<WelfareStage>)),
            field("handover", "Handover to custody, or liaison and diversion (optional)", OptText),
        ],
    },
    CONFRONTATION_FORM,
    RecordForm {
        kind: "activist-group",
        heading: "Activist group (a third party: the force does not work with it)",
        who: "assigned officers",
        fields: &[
            field("name", "The group's name", Text),
            field("platforms", "Platforms and pages, one per line", Lines),
            field("police_contact", "Previous contact with the police", Long),
        ],
    },
    RecordForm {
        kind: "group-member",
        heading: "A person's part in an activist group",
        who: "assigned officers",
        fields: &[
            field("group", "Group (record number)", Record),
            field("person", "Person (record number)", Record),
            field("role", "Role", FieldInput::Choice(options::<GroupRole>)),
            field("convictions", "Previous convictions, if a witness (disclosure material) (optional)", OptText),
        ],
    },
    RecordForm {
        kind: "group-request",
        heading: "Request to the group for its material, and its answer",
        who: "assigned officers",
        fields: &[
            field("group", "Group (record number)", Record),
            field("requested", "What was asked for", Text),
            field("answer", "Answer", FieldInput::Choice(options::<GroupAnswer>)),
            field("detail", "When, how, and what they said", Long),
        ],
    },
    RecordForm {
        kind: "witness-summons",
        heading: "Witness summons after a refusal (Criminal Procedure (Attendance of Witnesses) Act 1965 s.2)",
        who: "assigned officers",
        fields: &[
            field("request", "The refused request (record number)", Record),
            field("detail", "Court, date and what it covers", Long),
        ],
    },
    RecordForm {
        kind: "group-post",
        heading: "The group's public post about him (a previous statement of a witness)",
        who: "assigned officers",
        fields: &[
            field("group", "Group (record number)", Record),
            field("member", "Member who posted (person record number) (optional)", OptRecord),
            field("platform", "Platform and page", Text),
            field("posted", "When posted", Text),
            field("content", "What it says, in summary", Long),
            field("exhibit", "The captured post (exhibit:ABC/1) (optional)", OptText),
        ],
    },
    RecordForm {
        kind: "group-offence",
        heading: "Offence by the group's members (a line of inquiry of its own)",
        who: "assigned officers",
        fields: &[
            field("group", "Group (record number)", Record),
            field("member", "Member (person record number) (optional)", OptRecord),
            field("offence", "Offence", FieldInput::Choice(options::<GroupOffenceKind>)),
            field("inquiry", "The inquiry", Long),
            field("sequencing", "Sequencing of the two prosecutions, for the prosecutor", Long),
        ],
    },
    RecordForm {
        kind: "civilian-production",
        heading: "Material produced by the group: what it is, who made it, when and how",
        who: "assigned officers",
        fields: &[
            field("exhibit", "Exhibit (exhibit:ABC/1)", Text),
            field("form", "What it is", FieldInput::Choice(options::<MaterialForm>)),
            field("produced_by", "Produced by (the civilian witness)", Text),
            field("produced_at", "When produced", Text),
            field("how", "How it was made (device, app, export or recording method)", Long),
            field("statement", "Producing witness's statement reference", Text),
            field("version_of", "The original it is a version or copy of (exhibit:ABC/1) (optional)", OptText),
        ],
    },
    RecordForm {
        kind: "urgent-action",
        heading: "Urgent arrest, entry or search to protect a child (recorded after; welfare check follows)",
        who: "assigned officers",
        fields: &[
            field("person", "Person (record number)", Record),
            field("action", "Action", FieldInput::Choice(urgent_actions)),
            field(
                "power",
                "Power used (arrest: PACE 1984 s.24; entry: s.17(1)(e); search: s.18(5) or s.32)",
                Text,
            ),
            field("justification", "Why it could not wait for approval", Long),
            field("wrong_person", "How the wrong-person warning was dealt with (needed while one stands)", OptText),
        ],
    },
    RecordForm {
        kind: "authority",
        heading: "Legal authority for a requested action",
        who: "assigned officers",
        fields: &[
            field("request", "Request (record number)", Record),
            field("kind", "Authority", FieldInput::Choice(options::<AuthorityKind>)),
            field("reference", "Reference (warrant or authorisation number)", Text),
            field("granted_by", "Granted by", Text),
            field("granted_at", "Granted at (date and time)", Text),
            field("expires", "Expires (YYYY-MM-DD, optional)", OptText),
        ],
    },
    RecordForm {
        kind: "action-decision",
        heading: "Decide a request",
        who: "supervisors; approval needs a welfare check on file",
        fields: &[
            field("request", "Request (record number)", Record),
            field("approved", "Approve?", YesNo),
            field("reason", "Reason", Long),
            field("wrong_person", "How the wrong-person warning was dealt with (needed to approve while one stands)", OptText),
        ],
    },
    RecordForm {
        kind: "safeguarding",
        heading: "Safeguarding action for a child",
        who: "assigned officers",
        fields: &[
            field("child", "Child (record number; for a LADO referral, the adult)", Record),
            field("step", "Step (in Working Together order: strategy discussion, s.47 enquiry, conference)", FieldInput::Choice(options::<SafeguardingStep>)),
            field("reference", "The agency's reference (social care, MASH, LADO; optional)", OptText),
            field("action", "Action", Long),
            field("outcome", "Outcome", Long),
            field("designated_officer", "Police protection: the designated officer", OptText),
            field("local_authority_notified", "Police protection: when the local authority was told", OptText),
        ],
    },
    RecordForm {
        kind: "outcome",
        heading: "Outcome",
        who: "assigned officers",
        fields: &[
            field("outcome", "Outcome", FieldInput::Choice(outcomes)),
            field("person", "Person (record number, optional)", OptRecord),
            field("home_office", "Home Office outcome code", FieldInput::Choice(home_office_outcomes)),
            field("note", "Note", Long),
        ],
    },
    RecordForm {
        kind: "charging-decision",
        heading: "Charging decision (MG3)",
        who: "assigned officers",
        fields: &[
            field("decision_maker", "Who decided (the CPS lawyer, or the officer where the guidance allows)", Text),
            field("test", "The test applied", FieldInput::Choice(options::<ChargingTest>)),
            field("guidance", "Director's Guidance on Charging: the part the decision is made under", Text),
            field("charges", "Charges, one per line", Lines),
            field("reason", "Reasons", Long),
        ],
    },
    RecordForm {
        kind: "note",
        heading: "Officer note",
        who: "assigned officers",
        fields: &[field("text", "Note", Long)],
    },
    RecordForm {
        kind: "scheduled",
        heading: "Schedule an item (CPIA)",
        who: "the disclosure officer",
        fields: &[
            field("item", "Item (exhibit:ABC/1 or record:N)", Text),
            field("schedule", "Schedule", FieldInput::Choice(options::<Schedule>)),
            field("description", "Description", Long),
            field("location", "Location", Text),
            field("sensitivity", "Why sensitive (MG6D only)", OptText),
            field(
                "prosecutor",
                "Your proposal to the prosecutor (MG6E; the decision is theirs)",
                FieldInput::Choice(options::<ProsecutorView>),
            ),
            field("reason", "Your reasoning (on the MG6E, never on the served MG6C)", Long),
            field("category", "What kind of material it is", FieldInput::Choice(options::<MaterialCategory>)),
            field(
                "rebuttal",
                "Rebuttal: why material presumed to meet the test does not (needed for a CND on presumed material)",
                OptText,
            ),
            field("amends", "Amends the scheduling record (number, only to change or move an item)", OptRecord),
        ],
    },
    RecordForm {
        kind: "witness-misconduct",
        heading: "MG6B: a police witness's misconduct findings or convictions",
        who: "the disclosure officer",
        fields: &[
            field("officer", "Police witness (name, rank and number)", Text),
            field("findings", "Findings of misconduct or criminal convictions to declare?", YesNo),
            field("details", "What they are (only when there are some)", OptText),
        ],
    },
    RecordForm {
        kind: "not-relevant",
        heading: "Not relevant to the investigation (on no schedule)",
        who: "the disclosure officer",
        fields: &[
            field("item", "Item (exhibit:ABC/1 or record:N)", Text),
            field("reason", "Why it has no bearing on the case", Long),
            field("category", "What kind of material it is", FieldInput::Choice(options::<MaterialCategory>)),
        ],
    },
    RecordForm {
        kind: "highly-sensitive",
        heading: "Highly sensitive material (on no schedule; revealed to the prosecutor separately; seen only by the assigned supervisor and disclosure officer)",
        who: "the disclosure officer",
        fields: &[
            field("item", "Item (exhibit:ABC/1 or record:N)", Text),
            field("reason", "Why it is highly sensitive", Long),
            field("revealed_to", "Prosecutor told of it (name)", Text),
            field("revealed_at", "When (date and time)", Text),
            field("means", "How, and where the full record is kept", Long),
            field("ground", "The ground", FieldInput::Choice(options::<HighlySensitiveGround>)),
        ],
    },
    RecordForm {
        kind: "exhibit-used",
        heading: "Used material: an exhibit the prosecution relies on (MG12)",
        who: "the disclosure officer",
        fields: &[
            field("exhibit", "Exhibit (exhibit:ABC/1)", Text),
            field("witness", "Producing witness (name, rank and number)", Text),
            field("description", "Description", Long),
        ],
    },
    RecordForm {
        kind: "identity",
        heading: "Criminal-justice identity (URN, offences, R v …)",
        who: "the disclosure officer",
        fields: &[
            field("urn", "URN", Text),
            field("crime_reference", "Crime reference", Text),
            field("offences", "Offences, one per line", Lines),
            field("defendants", "Suspects or defendants, one per line", Lines),
            field("officer_in_case", "Officer in the case (name, rank, number)", Text),
            field("disclosure_officer", "Disclosure officer (name, rank, number)", Text),
        ],
    },
    RecordForm {
        kind: "seizure",
        heading: "Seizure of an exhibit (for its label)",
        who: "assigned officers",
        fields: &[
            field("exhibit", "Exhibit (exhibit:ABC/1)", Text),
            field("place", "Where", Text),
            field("seized_at", "When", Text),
            field("seized_by", "By whom (name, rank, number)", Text),
            field("seal", "Seal number", Text),
            field("property", "Property number", Text),
        ],
    },
    RecordForm {
        kind: "line-of-inquiry",
        heading: "Line of inquiry (towards or away from the suspect)",
        who: "assigned officers",
        fields: &[
            field("inquiry", "The inquiry", Long),
            field("direction", "Towards or away from the suspect, and why", Text),
            field("outcome", "What came of it", Long),
        ],
    },
    RecordForm {
        kind: "digital-strategy",
        heading: "Digital strategy for a device or account",
        who: "assigned officers",
        fields: &[
            field("device", "Device or account", Text),
            field("users", "Who used it, and how that is known", Long),
            field("extraction", "How its data was obtained (extraction type, by whom)", Long),
            field("search_terms", "Search terms, one per line", Lines),
            field("tools", "Tools and versions, one per line", Lines),
            field("not_examined", "What was not examined, and why", Long),
        ],
    },
    RecordForm {
        kind: "task-done",
        heading: "Mark a task done (an inspection request answered, say)",
        who: "assigned officers",
        fields: &[field("task", "Task (record number)", Record), field("note", "What was done", Long)],
    },
    RecordForm {
        kind: "defence-statement",
        heading: "Defence statement received",
        who: "assigned officers",
        fields: &[field("received", "Received (date)", Text), field("issues", "The issues it raises", Long)],
    },
    RecordForm {
        kind: "disclosure-review",
        heading: "Continuing review of unused material",
        who: "the disclosure officer",
        fields: &[
            field("statement", "After the defence statement (record number, optional)", OptRecord),
            field("result", "What was reviewed and the result", Long),
        ],
    },
    RecordForm {
        kind: "disclosure-management",
        heading: "Disclosure Management Document (digital material)",
        who: "the disclosure officer",
        fields: &[field("approach", "The approach to digital material", Long)],
    },
    RecordForm {
        kind: "disclosure-test",
        heading: "Might undermine the prosecution or assist the defence (MG6E)",
        who: "the disclosure officer",
        fields: &[field("item", "Item (exhibit:ABC/1 or record:N)", Text), field("reason", "Why", Long)],
    },
];

/// The prosecutor's one form, shown on the schedules revealed to them.
pub const PROSECUTOR_FORM: RecordForm = RecordForm {
    kind: "prosecutor-decision",
    heading: "Record your decision on an item",
    who: "the prosecutor",
    fields: &[
        field("item", "Item (exhibit:ABC/1 or record:N, as on the schedule)", Text),
        field("decision", "Decision", FieldInput::Choice(options::<ProsecutorView>)),
        field("reason", "Reason", Long),
        field("rebuttal", "Rebuttal (a CND on material presumed to meet the test)", OptText),
        field("disclosed_as", "Disclose through the redacted copy (exhibit:ABC/1), if agreed", OptText),
        field(
            "sensitive_route",
            "For MG6D material that meets the test (D): how it is dealt with",
            FieldInput::OptChoice(options::<SensitiveRoute>),
        ),
    ],
};

/// The prosecutor's record of the court's ruling on a PII application.
pub const PII_RULING_FORM: RecordForm = RecordForm {
    kind: "pii-ruling",
    heading: "The court's ruling on a PII application",
    who: "the prosecutor",
    fields: &[
        field("item", "Item (as on the MG6D)", Text),
        field("withheld", "Did the court order it withheld?", YesNo),
        field("court", "Court and judge", Text),
        field("ruled_at", "When (date)", Text),
    ],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_distinct_and_fields_named_once() {
        let mut kinds: Vec<&str> = RECORD_FORMS.iter().map(|f| f.kind).collect();
        kinds.push(PROSECUTOR_FORM.kind);
        let n = kinds.len();
        kinds.sort();
        kinds.dedup();
        assert_eq!(kinds.len(), n);
        for form in RECORD_FORMS {
            let mut names: Vec<&str> = form.fields.iter().map(|f| f.name).collect();
            names.sort();
            names.dedup();
            assert_eq!(names.len(), form.fields.len(), "{}", form.kind);
        }
    }

    #[test]
    fn blank_is_absent_only_where_optional() {
        let required = field("person", "Person", Record);
        let optional = field("person", "Person", OptRecord);
        assert_eq!(optional.read(" ").unwrap(), FieldValue::Absent);
        assert_eq!(required.read(" ").unwrap_err().what, "person");
        assert_eq!(required.read("record:12").unwrap(), FieldValue::Number(12));
        assert_eq!(field("t", "T", Text).read("").unwrap(), FieldValue::Text(String::new()));
        assert_eq!(
            field("l", "L", Lines).read(" a \n\n b\r\n").unwrap(),
            FieldValue::List(vec!["a".into(), "b".into()])
        );
        assert_eq!(field("y", "Y", YesNo).read("yes").unwrap(), FieldValue::Bool(true));
    }
}
