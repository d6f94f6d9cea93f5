//! Forms for adding records to a case, one per kind, built from one table
//! of fields. A posted form becomes the JSON of a `CaseRecord` and is parsed
//! by the same serde types and validation as everywhere else, so the web
//! cannot make a record the library would refuse.

use maud::{html, Markup};
use serde_json::{Map, Value};

/// How a field is typed in the form and in the record.
#[derive(Clone, Copy)]
enum Field {
    Text(&'static str),
    Long(&'static str),
    /// A record number (`record:N` or `N`).
    Record(&'static str),
    OptRecord(&'static str),
    /// One item per line.
    Lines(&'static str),
    Choice(&'static str, &'static [&'static str]),
    YesNo(&'static str),
    OptText(&'static str),
}

/// (kind, heading, who may add it, fields).
type Form = (&'static str, &'static str, &'static str, &'static [(&'static str, Field)]);

const FORMS: &[Form] = &[
    (
        "task",
        "Task",
        "assigned officers",
        &[
            ("title", Field::Text("Task")),
            ("owner", Field::Text("Owner (user name)")),
            ("due", Field::Text("Due (date)")),
        ],
    ),
    (
        "person",
        "Person",
        "assigned officers",
        &[
            ("name", Field::Text("Name")),
            ("role", Field::Choice("Role", &["suspect", "victim", "witness", "household-member"])),
        ],
    ),
    (
        "attribution",
        "Attribution of an identifier to a person",
        "assigned officers",
        &[
            ("person", Field::Record("Person (record number)")),
            ("identifier", Field::Text("Identifier (normalised, e.g. username:examplechat/name)")),
            ("supporting", Field::Lines("Supporting material, one per line (exhibit:ABC/1 or record:N)")),
            ("grade", Field::Text("Grade 3x5x2 (e.g. 2/B/P)")),
            ("reason", Field::Long("Why")),
        ],
    ),
    (
        "flag",
        "Flag on a person",
        "assigned officers",
        &[
            ("person", Field::Record("Person (record number)")),
            ("flag", Field::Choice("Flag", &["vulnerable-adult", "possible-wrong-person"])),
            ("reason", Field::Long("Why")),
        ],
    ),
    (
        "action-request",
        "Request an arrest, search or interview",
        "assigned officers; a supervisor approves",
        &[
            ("person", Field::Record("Person (record number)")),
            ("action", Field::Choice("Action", &["arrest", "search", "interview"])),
            ("justification", Field::Long("Justification")),
        ],
    ),
    (
        "welfare-check",
        "Welfare check",
        "assigned officers",
        &[
            ("person", Field::Record("Person (record number)")),
            ("self_harm_risk", Field::Choice("Self-harm risk", &["low", "medium", "high"])),
            ("mitigations", Field::Long("Mitigations")),
            ("children_in_household", Field::Text("Children in the household")),
            ("vulnerable_adults_in_household", Field::Text("Vulnerable adults in the household")),
            ("referrals_made", Field::Lines("Safeguarding referrals made, one per line")),
            ("stage", Field::Choice("Stage assessed", &["before-action", "arrest", "interview", "release", "charge"])),
            ("handover", Field::OptText("Handover to custody, or liaison and diversion (optional)")),
        ],
    ),
    (
        "urgent-action",
        "Urgent arrest to protect a child (recorded after; welfare check follows)",
        "assigned officers",
        &[
            ("person", Field::Record("Person (record number)")),
            ("action", Field::Choice("Action", &["arrest"])),
            ("power", Field::Text("Power used (e.g. PACE 1984 s.24)")),
            ("justification", Field::Long("Why it could not wait for approval")),
        ],
    ),
    (
        "authority",
        "Legal authority for a requested action",
        "assigned officers",
        &[
            ("request", Field::Record("Request (record number)")),
            (
                "kind",
                Field::Choice(
                    "Authority",
                    &["pace-s8-warrant", "poca1978-s4-warrant", "consent", "pace-s18-inspector", "ipa-part3"],
                ),
            ),
            ("reference", Field::Text("Reference (warrant or authorisation number)")),
            ("granted_by", Field::Text("Granted by")),
            ("granted_at", Field::Text("Granted at (date and time)")),
            ("expires", Field::OptText("Expires (YYYY-MM-DD, optional)")),
        ],
    ),
    (
        "action-decision",
        "Decide a request",
        "supervisors; approval needs a welfare check on file",
        &[
            ("request", Field::Record("Request (record number)")),
            ("approved", Field::YesNo("Approve?")),
            ("reason", Field::Long("Reason")),
        ],
    ),
    (
        "safeguarding",
        "Safeguarding action for a child",
        "assigned officers",
        &[
            ("child", Field::Record("Child (record number)")),
            (
                "step",
                Field::Choice(
                    "Step",
                    &[
                        "strategy-discussion",
                        "section47-enquiry",
                        "referral-to-childrens-social-care",
                        "referral-to-lado",
                        "victim-identified",
                        "abe-interview-planned",
                        "other",
                    ],
                ),
            ),
            ("reference", Field::OptText("The agency's reference (social care, MASH, LADO; optional)")),
            ("action", Field::Long("Action")),
            ("outcome", Field::Long("Outcome")),
        ],
    ),
    (
        "outcome",
        "Outcome",
        "assigned officers",
        &[
            ("outcome", Field::Choice("Outcome", &["arrest", "charge", "no-further-action", "children-safeguarded"])),
            ("person", Field::OptRecord("Person (record number, optional; the child, for children-safeguarded)")),
            ("home_office", Field::OptText("Home Office outcome code (e.g. 1, 15, 21; optional)")),
            ("note", Field::Long("Note")),
        ],
    ),
    ("note", "Officer note", "assigned officers", &[("text", Field::Long("Note"))]),
    (
        "scheduled",
        "Schedule an item (CPIA)",
        "the disclosure officer",
        &[
            ("item", Field::Text("Item (exhibit:ABC/1 or record:N)")),
            ("schedule", Field::Choice("Schedule", &["MG6C", "MG6D"])),
            ("description", Field::Long("Description")),
            ("location", Field::Text("Location")),
            ("sensitivity", Field::OptText("Why sensitive (MG6D only)")),
            (
                "prosecutor",
                Field::Choice(
                    "Your proposal to the prosecutor (MG6E; the decision is theirs)",
                    &["clearly-not-disclosable", "disclose", "inspect"],
                ),
            ),
            ("reason", Field::Long("Your reasoning (on the MG6E, never on the served MG6C)")),
            ("amends", Field::OptRecord("Amends the scheduling record (number, only to change or move an item)")),
        ],
    ),
    (
        "exhibit-used",
        "Used material: an exhibit the prosecution relies on (MG12)",
        "the disclosure officer",
        &[
            ("exhibit", Field::Text("Exhibit (exhibit:ABC/1)")),
            ("witness", Field::Text("Producing witness (name, rank and number)")),
            ("description", Field::Long("Description")),
        ],
    ),
    (
        "identity",
        "Criminal-justice identity (URN, offences, R v …)",
        "the disclosure officer",
        &[
            ("urn", Field::Text("URN")),
            ("crime_reference", Field::Text("Crime reference")),
            ("offences", Field::Lines("Offences, one per line")),
            ("defendants", Field::Lines("Suspects or defendants, one per line")),
            ("officer_in_case", Field::Text("Officer in the case (name, rank, number)")),
            ("disclosure_officer", Field::Text("Disclosure officer (name, rank, number)")),
        ],
    ),
    (
        "seizure",
        "Seizure of an exhibit (for its label)",
        "assigned officers",
        &[
            ("exhibit", Field::Text("Exhibit (exhibit:ABC/1)")),
            ("place", Field::Text("Where")),
            ("seized_at", Field::Text("When")),
            ("seized_by", Field::Text("By whom (name, rank, number)")),
            ("seal", Field::Text("Seal number")),
            ("property", Field::Text("Property number")),
        ],
    ),
    (
        "line-of-inquiry",
        "Line of inquiry (towards or away from the suspect)",
        "assigned officers",
        &[
            ("inquiry", Field::Long("The inquiry")),
            ("direction", Field::Text("Towards or away from the suspect, and why")),
            ("outcome", Field::Long("What came of it")),
        ],
    ),
    (
        "digital-strategy",
        "Digital strategy for a device or account",
        "assigned officers",
        &[
            ("device", Field::Text("Device or account")),
            ("users", Field::Long("Who used it, and how that is known")),
            ("extraction", Field::Long("How its data was obtained (extraction type, by whom)")),
            ("search_terms", Field::Lines("Search terms, one per line")),
            ("tools", Field::Lines("Tools and versions, one per line")),
            ("not_examined", Field::Long("What was not examined, and why")),
        ],
    ),
    (
        "defence-statement",
        "Defence statement received",
        "assigned officers",
        &[("received", Field::Text("Received (date)")), ("issues", Field::Long("The issues it raises"))],
    ),
    (
        "disclosure-review",
        "Continuing review of unused material",
        "the disclosure officer",
        &[
            ("statement", Field::OptRecord("After the defence statement (record number, optional)")),
            ("result", Field::Long("What was reviewed and the result")),
        ],
    ),
    (
        "disclosure-management",
        "Disclosure Management Document (digital material)",
        "the disclosure officer",
        &[("approach", Field::Long("The approach to digital material"))],
    ),
    (
        "disclosure-test",
        "Might undermine the prosecution or assist the defence (MG6E)",
        "the disclosure officer",
        &[("item", Field::Text("Item (exhibit:ABC/1 or record:N)")), ("reason", Field::Long("Why"))],
    ),
];

/// The prosecutor's one form, shown on the schedules revealed to them.
const PROSECUTOR_FORM: Form = (
    "prosecutor-decision",
    "Record your decision on an item",
    "the prosecutor",
    &[
        ("item", Field::Text("Item (exhibit:ABC/1 or record:N, as on the schedule)")),
        ("decision", Field::Choice("Decision", &["clearly-not-disclosable", "disclose", "inspect"])),
        ("reason", Field::Long("Reason")),
    ],
);

fn all_forms() -> impl Iterator<Item = &'static Form> {
    FORMS.iter().chain(std::iter::once(&PROSECUTOR_FORM))
}

/// The kinds that have a form.
pub(crate) fn known(kind: &str) -> bool {
    all_forms().any(|f| f.0 == kind)
}

/// Every officer's form, collapsed, for the case page.
pub(crate) fn render(case: &str, csrf: &str) -> Markup {
    html! { h2 { "Add to the case" } (render_forms(FORMS, case, csrf)) }
}

/// The prosecutor's decision form, for the revealed schedules.
pub(crate) fn render_prosecutor(case: &str, csrf: &str) -> Markup {
    render_forms(std::slice::from_ref(&PROSECUTOR_FORM), case, csrf)
}

fn render_forms(forms: &[Form], case: &str, token: &str) -> Markup {
    html! {
        @for (kind, heading, who, fields) in forms {
            details {
                summary { (heading) " " span.hint { "(" (who) ")" } }
                form method="post" action={ "/cases/" (case) "/records/" (kind) } {
                    (crate::components::csrf(token))
                    @for (name, f) in fields.iter() {
                        @let id = format!("{kind}-{name}");
                        @match f {
                            Field::Text(l) | Field::Record(l) | Field::OptRecord(l) | Field::OptText(l) => {
                                label for=(id) { (l) }
                                input type="text" id=(id) name=(name);
                            }
                            Field::Long(l) | Field::Lines(l) => {
                                label for=(id) { (l) }
                                textarea id=(id) name=(name) {}
                            }
                            Field::Choice(l, options) => {
                                label for=(id) { (l) }
                                select id=(id) name=(name) { @for o in options.iter() { option value=(o) { (o) } } }
                            }
                            Field::YesNo(l) => {
                                label for=(id) { (l) }
                                select id=(id) name=(name) { option value="no" { "no" } option value="yes" { "yes" } }
                            }
                        }
                    }
                    button type="submit" { "Add" }
                }
            }
        }
    }
}

fn record_number(name: &str, v: &str) -> Result<u64, String> {
    v.trim().trim_start_matches("record:").parse().map_err(|_| format!("{name}: give a record number, such as 12"))
}

/// The posted form as a `CaseRecord`, or what is wrong with it.
pub(crate) fn parse(
    kind: &str,
    values: &std::collections::HashMap<String, String>,
) -> Result<vigil_domain::CaseRecord, String> {
    let (_, _, _, fields) = all_forms().find(|f| f.0 == kind).ok_or("no such kind of record")?;
    let mut m = Map::new();
    m.insert("type".into(), Value::String(kind.into()));
    for (name, f) in *fields {
        let v = values.get(*name).map(String::as_str).unwrap_or("");
        let value = match f {
            Field::Text(_) | Field::Long(_) | Field::Choice(..) => Value::String(v.to_owned()),
            Field::Record(_) => Value::from(record_number(name, v)?),
            Field::OptRecord(_) if v.trim().is_empty() => Value::Null,
            Field::OptRecord(_) => Value::from(record_number(name, v)?),
            Field::OptText(_) if v.trim().is_empty() => Value::Null,
            Field::OptText(_) => Value::String(v.to_owned()),
            Field::Lines(_) => Value::Array(
                v.lines().map(str::trim).filter(|l| !l.is_empty()).map(|l| Value::String(l.to_owned())).collect(),
            ),
            Field::YesNo(_) => Value::Bool(v == "yes"),
        };
        m.insert((*name).into(), value);
    }
    serde_json::from_value(Value::Object(m)).map_err(|e| format!("the form could not be read: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn every_form_parses_to_its_record_kind() {
        for (kind, _, _, fields) in all_forms() {
            let values: HashMap<String, String> = fields
                .iter()
                .map(|(n, f)| {
                    let v = match f {
                        Field::Record(_) | Field::OptRecord(_) => "record:3",
                        Field::Choice(_, o) => o[0],
                        Field::YesNo(_) => "yes",
                        Field::Text(_) if *n == "grade" => "2/B/P",
                        Field::Text(_) if *n == "item" => "exhibit:AB/1",
                        Field::Lines(_) => "exhibit:AB/1\nrecord:2",
                        Field::OptText(_) => "",
                        _ => "text",
                    };
                    ((*n).to_owned(), v.to_owned())
                })
                .collect();
            let r = parse(kind, &values).unwrap_or_else(|e| panic!("{kind}: {e}"));
            let j = serde_json::to_value(&r).unwrap();
            assert_eq!(j["type"], *kind);
        }
    }

    /// Every option of every choice is a value the record type accepts.
    #[test]
    fn every_choice_option_parses() {
        for (kind, _, _, fields) in all_forms() {
            for (name, f) in fields.iter() {
                let Field::Choice(_, options) = f else { continue };
                for o in *options {
                    let mut values: HashMap<String, String> = fields
                        .iter()
                        .map(|(n, f)| {
                            let v = match f {
                                Field::Record(_) | Field::OptRecord(_) => "3",
                                Field::Choice(_, o) => o[0],
                                Field::YesNo(_) => "no",
                                Field::OptText(_) => "",
                                _ => "text",
                            };
                            ((*n).to_owned(), v.to_owned())
                        })
                        .collect();
                    values.insert((*name).to_owned(), (*o).to_owned());
                    parse(kind, &values).unwrap_or_else(|e| panic!("{kind}.{name} = {o}: {e}"));
                }
            }
        }
    }

    #[test]
    fn bad_numbers_are_named() {
        let mut v = HashMap::new();
        v.insert("person".to_owned(), "twelve".to_owned());
        assert!(parse("flag", &v).unwrap_err().contains("person"));
        assert!(parse("nonsense", &v).is_err());
    }
}
