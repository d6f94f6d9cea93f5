//! Forms for adding records to a case, rendered from the domain's
//! descriptions of them (`vigil_domain::RECORD_FORMS`, beside `CaseRecord`).
//! A posted form becomes the JSON of a `CaseRecord` and is parsed by the
//! same serde types and validation as everywhere else, so the web cannot
//! make a record the library would refuse.

use maud::{html, Markup};
use serde_json::{Map, Value};
use vigil_domain::{CaseRecord, FieldInput, FieldValue, RecordForm, PII_RULING_FORM, PROSECUTOR_FORM, RECORD_FORMS};

/// The kinds that have a form.
pub(crate) fn known(kind: &str) -> bool {
    RecordForm::find(kind).is_some()
}

/// Every officer's form, collapsed but the decision log's, for the case page.
pub(crate) fn render(case: &str, csrf: &str) -> Markup {
    html! { h2 { "Add to the case" } (render_forms(RECORD_FORMS, case, csrf)) }
}

/// The prosecutor's forms, for the revealed schedules: a decision on an
/// item, and the court's ruling on a PII application.
pub(crate) fn render_prosecutor(case: &str, csrf: &str) -> Markup {
    render_forms(&[PROSECUTOR_FORM, PII_RULING_FORM], case, csrf)
}

fn render_forms(forms: &[RecordForm], case: &str, token: &str) -> Markup {
    html! {
        @for form in forms {
            details open[form.kind == "decision"] {
                summary { (form.heading) " " span.hint { "(" (form.who) ")" } }
                form method="post" action={ "/cases/" (case) "/records/" (form.kind) } {
                    (crate::components::csrf(token))
                    (render_fields(form, &[]))
                    button type="submit" { "Add" }
                }
            }
        }
    }
}

/// A form's fields, less those named in `skip`, for a page's own form.
pub(crate) fn render_fields(form: &RecordForm, skip: &[&str]) -> Markup {
    html! {
                    @for f in form.fields.iter().filter(|f| !skip.contains(&f.name)) {
                        @let id = format!("{}-{}", form.kind, f.name);
                        label for=(id) { (f.label) }
                        @match f.input {
                            FieldInput::Text | FieldInput::OptText | FieldInput::Record | FieldInput::OptRecord => {
                                input type="text" id=(id) name=(f.name);
                            }
                            FieldInput::Long | FieldInput::Lines => { textarea id=(id) name=(f.name) {} }
                            FieldInput::Choice(options) => {
                                select id=(id) name=(f.name) {
                                    @for o in options() { option value=(o.value) { (o.label) } }
                                }
                            }
                            FieldInput::OptChoice(options) => {
                                select id=(id) name=(f.name) {
                                    option value="" { "(none)" }
                                    @for o in options() { option value=(o.value) { (o.label) } }
                                }
                            }
                            FieldInput::YesNo => {
                                select id=(id) name=(f.name) { option value="no" { "No" } option value="yes" { "Yes" } }
                            }
                        }
                    }
    }
}

/// The posted form as a `CaseRecord`, or what is wrong with it.
pub(crate) fn parse(kind: &str, values: &std::collections::HashMap<String, String>) -> Result<CaseRecord, String> {
    let form = RecordForm::find(kind).ok_or("no such kind of record")?;
    let mut m = Map::new();
    m.insert("type".into(), Value::String(kind.into()));
    for f in form.fields {
        let raw = values.get(f.name).map(String::as_str).unwrap_or("");
        let value = match f.read(raw).map_err(|e| format!("{}: {}", f.name, e.why))? {
            FieldValue::Text(t) => Value::String(t),
            FieldValue::Number(n) => Value::from(n),
            FieldValue::List(l) => Value::Array(l.into_iter().map(Value::String).collect()),
            FieldValue::Bool(b) => Value::Bool(b),
            FieldValue::Absent => Value::Null,
        };
        m.insert(f.name.into(), value);
    }
    serde_json::from_value(Value::Object(m)).map_err(|e| format!("the form could not be read: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// A value each field accepts; optional fields filled, so the record
    /// written back names every field.
    fn sample(form: &RecordForm) -> HashMap<String, String> {
        form.fields
            .iter()
            .map(|f| {
                let v = match f.input {
                    FieldInput::Record | FieldInput::OptRecord => "record:3".to_owned(),
                    FieldInput::Choice(o) | FieldInput::OptChoice(o) => o()[0].value.to_owned(),
                    FieldInput::YesNo => "yes".to_owned(),
                    FieldInput::Lines => "exhibit:AB/1\nrecord:2".to_owned(),
                    _ if f.name == "grade" => "2/B/P".to_owned(),
                    _ if f.name == "item" || f.name == "exhibit" => "exhibit:AB/1".to_owned(),
                    _ if f.name == "expires" => "2027-01-31".to_owned(),
                    _ => "text".to_owned(),
                };
                (f.name.to_owned(), v)
            })
            .collect()
    }

    /// The form's fields are exactly the record's: each form, filled in,
    /// parses to its kind, and written back as JSON names every field of
    /// the form and no other (the record type refuses unknown fields).
    #[test]
    fn form_fields_are_the_record_variants_json_keys() {
        for form in RECORD_FORMS.iter().chain([&PROSECUTOR_FORM, &PII_RULING_FORM]) {
            let r = parse(form.kind, &sample(form)).unwrap_or_else(|e| panic!("{}: {e}", form.kind));
            let j = serde_json::to_value(&r).unwrap();
            assert_eq!(j["type"], form.kind);
            let mut keys: Vec<&str> =
                j.as_object().unwrap().keys().map(String::as_str).filter(|k| *k != "type").collect();
            let mut names: Vec<&str> = form.fields.iter().map(|f| f.name).collect();
            keys.sort();
            names.sort();
            assert_eq!(keys, names, "{}", form.kind);
        }
    }

    /// Every option of every choice is a value the record type accepts.
    #[test]
    fn every_choice_option_parses() {
        for form in RECORD_FORMS.iter().chain([&PROSECUTOR_FORM, &PII_RULING_FORM]) {
            for f in form.fields {
                let (FieldInput::Choice(options) | FieldInput::OptChoice(options)) = f.input else { continue };
                for o in options() {
                    let mut values = sample(form);
                    values.insert(f.name.to_owned(), o.value.to_owned());
                    parse(form.kind, &values).unwrap_or_else(|e| panic!("{}.{} = {}: {e}", form.kind, f.name, o.value));
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
