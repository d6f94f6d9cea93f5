//! CPIA disclosure: the MG6C (unused, not sensitive) and MG6D (unused,
//! sensitive) schedules, each numbered on its own; the MG6E disclosure
//! officer's report to the prosecutor, which alone carries the officer's
//! reasoning; revelation of frozen versions to a prosecutor, whose
//! decision on each item is theirs (CPIA s.3); the MG12 of used exhibits;
//! their CSV and PDF forms for the prosecutor or for service on the
//! defence; and redaction, which makes an edited copy as a new exhibit and
//! never touches the original.

use crate::case_work::{CaseView, ExhibitListEntry, Need};
use crate::data_dir::Vigil;
use crate::error::CoreError;
use crate::officers::OfficerSession;
use crate::pdf_table::table_pdf;
use serde::Serialize;
use std::collections::HashMap;
use vigil_domain::{
    Actor, CaseId, CaseRecord, Choice, CustodyEvent, EventKind, ExhibitRef, Initials, ObjectRef, ProsecutorView,
    RevealedLine, RevealedProposal, RevealedTest, Role, Schedule, Timestamp,
};

/// Who a set of schedules is for: the prosecutor sees everything revealed
/// and the officer's reasoning; the defence is served only the MG6C items
/// the prosecutor has decided, without reasoning, and never the MG6D.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Audience {
    Prosecutor,
    Defence,
}

impl Audience {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "prosecutor" => Some(Audience::Prosecutor),
            "defence" | "service" => Some(Audience::Defence),
            _ => None,
        }
    }
}

/// The prosecutor's decision on one item.
#[derive(Debug, Clone, Serialize)]
pub struct DecisionView {
    pub decision: ProsecutorView,
    pub reason: String,
    pub by: String,
    pub at: String,
    /// Why presumed material does not meet the test (with a CND).
    pub rebuttal: Option<String>,
    /// The redacted copy the item is disclosed through, if any.
    pub disclosed_as: Option<String>,
    /// For MG6D material that meets the test: the route it takes.
    pub sensitive_route: Option<vigil_domain::SensitiveRoute>,
    /// The decision's record.
    pub record: u64,
}

impl DecisionView {
    fn of(r: &crate::RecordView) -> Option<(&str, DecisionView)> {
        match &r.record {
            CaseRecord::ProsecutorDecision { item, decision, reason, rebuttal, disclosed_as, sensitive_route } => {
                Some((
                    item.as_str(),
                    DecisionView {
                        decision: *decision,
                        reason: reason.clone(),
                        by: r.by.clone(),
                        at: r.at.clone(),
                        rebuttal: rebuttal.clone(),
                        disclosed_as: disclosed_as.clone(),
                        sensitive_route: *sensitive_route,
                        record: r.id,
                    },
                ))
            }
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ScheduleLine {
    /// Consecutive within its own schedule.
    pub number: u32,
    pub item: String,
    pub schedule: Schedule,
    pub description: String,
    pub location: String,
    pub sensitivity: Option<String>,
    /// The disclosure officer's proposal (MG6E only).
    pub proposed: ProsecutorView,
    /// The disclosure officer's reasoning (MG6E only).
    pub reason: String,
    pub scheduled_by: String,
    pub scheduled_at: String,
    /// The scheduling record in force for the item (0 on an earlier version as revealed).
    pub record: u64,
    /// The prosecutor's decision, once made.
    pub decision: Option<DecisionView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Mg6eLine {
    pub item: String,
    pub reason: String,
    pub by: String,
    pub at: String,
}

/// The case's criminal-justice identity, as the latest record gives it.
#[derive(Debug, Clone, Serialize)]
pub struct IdentityView {
    pub urn: String,
    pub crime_reference: String,
    pub offences: Vec<String>,
    pub defendants: Vec<String>,
    pub officer_in_case: String,
    pub disclosure_officer: String,
    /// The `identity` record it comes from.
    pub record: u64,
}

/// A version of the schedules revealed to a prosecutor.
#[derive(Debug, Clone, Serialize)]
pub struct RevelationView {
    pub version: u32,
    pub to: String,
    pub by: String,
    pub at: String,
    pub note: String,
    pub record: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Schedules {
    pub case: CaseId,
    pub title: String,
    pub identity: Option<IdentityView>,
    pub mg6c: Vec<ScheduleLine>,
    pub mg6d: Vec<ScheduleLine>,
    pub mg6e: Vec<Mg6eLine>,
    /// Every version revealed so far, oldest first.
    pub revelations: Vec<RevelationView>,
    /// The version these lines are, as revealed; None for the live schedules.
    pub version: Option<u32>,
    /// Highly sensitive material, on no schedule and in no rendering: for
    /// the disclosure officer and supervisors, empty for everyone else.
    pub highly_sensitive: Vec<HighlySensitiveView>,
    /// For a revealed version: what changed from the version before it.
    pub changes: Vec<LineChange>,
    /// Changes made to the schedules since the latest version was revealed,
    /// not yet revealed: shown as pending, never merged into what was.
    pub pending: Vec<LineChange>,
    /// Every service on the defence, oldest first.
    pub services: Vec<ServiceView>,
    /// The MG6B: each police witness's declaration, the latest for each.
    pub mg6b: Vec<Mg6bLine>,
}

/// One police witness on the MG6B.
#[derive(Debug, Clone, Serialize)]
pub struct Mg6bLine {
    pub officer: String,
    pub findings: bool,
    pub details: Option<String>,
    pub by: String,
    pub at: String,
    pub record: u64,
}

impl Mg6bLine {
    /// What the MG6B says of the witness.
    pub fn declaration(&self) -> String {
        match (&self.findings, &self.details) {
            (true, Some(d)) => d.clone(),
            _ => "None to declare".into(),
        }
    }
}

/// How one item's line differs between two versions of the schedules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineChange {
    pub item: String,
    /// added, removed, moved (to the other schedule) or re-described.
    pub change: &'static str,
    /// In words: "MG6C 2 → MG6D 1", or the old and new description.
    pub detail: String,
}

/// A version served on the defence, by the prosecutor.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceView {
    pub version: u32,
    pub by: String,
    pub at: String,
    pub letter: String,
    /// The date the defence statement is due (28 days in the Crown Court,
    /// Defence Disclosure Time Limits Regulations 2011), as YYYY-MM-DD:
    /// the first service starts that clock; later ones do not.
    pub defence_statement_due: Option<String>,
    pub record: u64,
}

/// Highly sensitive material and how the prosecutor was told of it.
#[derive(Debug, Clone, Serialize)]
pub struct HighlySensitiveView {
    pub item: String,
    pub reason: String,
    pub revealed_to: String,
    pub revealed_at: String,
    pub means: String,
    pub by: String,
    pub at: String,
    pub record: u64,
}

/// One used exhibit on the MG12, with its producing witness.
#[derive(Debug, Clone, Serialize)]
pub struct UsedExhibit {
    pub entry: ExhibitListEntry,
    pub witness: String,
    pub description: String,
}

/// Largest exhibit redaction will read into memory.
const MAX_REDACT_BYTES: usize = 16 << 20;

/// One CSV field: quoted when needed (RFC 4180), and a leading `= + - @`
/// neutralised so a spreadsheet never runs a cell as a formula.
fn csv_field(s: &str) -> String {
    // A spreadsheet runs a cell starting with these as a formula (tab and
    // carriage return too, in some); a leading quote keeps it text.
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_owned() };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

pub(crate) fn csv(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = headers.iter().map(|h| csv_field(h)).collect::<Vec<_>>().join(",") + "\r\n";
    for r in rows {
        out += &(r.iter().map(|c| csv_field(c)).collect::<Vec<_>>().join(",") + "\r\n");
    }
    out
}

/// A rendered document: its file stem, CSV and PDF.
pub struct Rendered {
    pub stem: &'static str,
    pub csv: String,
    pub pdf: Vec<u8>,
}

/// The protective marking sensitive schedules carry (Government Security
/// Classifications), on every page and as the CSV's first line.
pub const SENSITIVE_MARKING: &str = "OFFICIAL-SENSITIVE";

const CERTIFICATE: &str =
    "I certify that, to the best of my knowledge and belief, all relevant material which has been \
retained and made available to me has been revealed to the prosecutor in accordance with the Criminal Procedure and \
Investigations Act 1996 and the Code of Practice.";

impl Schedules {
    /// The documents `render_one` knows.
    pub const STEMS: [&'static str; 4] = ["MG6C", "MG6D", "MG6E", "MG6B"];

    /// The revelation these schedules stand for: the version shown, or for
    /// the live schedules the latest one.
    pub fn shown_revelation(&self) -> Option<&RevelationView> {
        match self.version {
            Some(n) => self.revelations.iter().find(|r| r.version == n),
            None => self.revelations.last(),
        }
    }

    /// What heads every form: R v defendants, URN, crime reference,
    /// offences, the officer in the case and the disclosure officer.
    pub fn heading(&self) -> String {
        let mut h = format!("Case {}: {}", self.case, self.title);
        if let Some(i) = &self.identity {
            let rv = if i.defendants.is_empty() { String::new() } else { format!("R v {}. ", i.defendants.join(", ")) };
            h = format!(
                "{rv}URN {}. Crime ref. {}. Offences: {}. Officer in the case: {}. Disclosure officer: {}. {h}",
                i.urn,
                i.crime_reference,
                i.offences.join("; "),
                i.officer_in_case,
                i.disclosure_officer
            );
        }
        h
    }

    /// The documents for an audience: the prosecutor's MG6C, MG6D and MG6E,
    /// or the MG6C served on the defence.
    pub fn render_for(&self, audience: Audience) -> Vec<Rendered> {
        match audience {
            Audience::Prosecutor => Self::STEMS.iter().filter_map(|s| self.render_one(s)).collect(),
            Audience::Defence => vec![self.served_mg6c()],
        }
    }

    /// The MG6C as served on the defence: only the items the prosecutor has
    /// decided, with description, location and the prosecutor's decision;
    /// no reasoning, nothing sensitive.
    pub fn served_mg6c(&self) -> Rendered {
        let head = ["No.", "Description", "Relative location", "Prosecutor's decision"];
        let rows: Vec<Vec<String>> = self
            .mg6c
            .iter()
            .filter_map(|l| {
                let d = l.decision.as_ref()?;
                let form = match &d.disclosed_as {
                    Some(copy) => format!(
                        "{}: disclosed as {} (redacted copy)",
                        d.decision.abbreviation(),
                        copy.strip_prefix("exhibit:").unwrap_or(copy)
                    ),
                    None => d.decision.abbreviation().into(),
                };
                Some(vec![l.number.to_string(), l.description.clone(), l.location.clone(), form])
            })
            .collect();
        let title = "MG6C Schedule of relevant non-sensitive unused material";
        // Which version was served, by whom and when, heads the served copy.
        let served = match (self.services.last(), self.version) {
            (Some(x), Some(v)) if x.version == v => {
                format!(" Version {v} served on the defence by {} at {}.", x.by, Timestamp::london_of(&x.at))
            }
            _ => String::new(),
        };
        Rendered {
            stem: "MG6C",
            csv: csv(&head, &rows),
            pdf: table_pdf(title, &format!("{}{served}", self.heading()), &head, &[0.6, 6.0, 2.4, 1.6], &rows),
        }
    }

    fn decision_cell(l: &ScheduleLine) -> String {
        match &l.decision {
            Some(d) => {
                format!("{} ({} {}): {}", d.decision.abbreviation(), d.by, Timestamp::london_of(&d.at), d.reason)
            }
            None => "awaiting the prosecutor".into(),
        }
    }

    /// One of the prosecutor's documents as CSV and PDF, by its stem
    /// (`MG6C`, `MG6D`, `MG6E`).
    pub fn render_one(&self, stem: &str) -> Option<Rendered> {
        let sub = self.heading();
        match stem {
            "MG6C" => {
                let head = ["No.", "Description", "Relative location", "Prosecutor's decision"];
                let rows: Vec<Vec<String>> = self
                    .mg6c
                    .iter()
                    .map(|l| {
                        vec![l.number.to_string(), l.description.clone(), l.location.clone(), Self::decision_cell(l)]
                    })
                    .collect();
                let title = "MG6C Schedule of relevant non-sensitive unused material";
                Some(Rendered {
                    stem: "MG6C",
                    csv: csv(&head, &rows),
                    pdf: table_pdf(title, &sub, &head, &[0.6, 5.0, 2.0, 3.0], &rows),
                })
            }
            "MG6D" => {
                let head =
                    ["No.", "Description", "Relative location", "Reason for sensitivity", "Prosecutor's decision"];
                let mut rows: Vec<Vec<String>> = self
                    .mg6d
                    .iter()
                    .map(|l| {
                        vec![
                            l.number.to_string(),
                            l.description.clone(),
                            l.location.clone(),
                            l.sensitivity.clone().unwrap_or_default(),
                            Self::decision_cell(l),
                        ]
                    })
                    .collect();
                if rows.is_empty() {
                    // A nil return is a statement the officer signs, not an empty page.
                    let signed = match (&self.identity, self.shown_revelation()) {
                        (Some(i), Some(r)) => {
                            format!("{} ({} {})", i.disclosure_officer, r.by, Timestamp::london_of(&r.at))
                        }
                        (None, Some(r)) => format!("{} {}", r.by, Timestamp::london_of(&r.at)),
                        _ => "not yet signed: no version has been revealed".into(),
                    };
                    rows.push(vec![
                        "NIL".into(),
                        "NIL RETURN: there is no relevant sensitive unused material in this case.".into(),
                        String::new(),
                        String::new(),
                        format!("Signed: {signed}"),
                    ]);
                }
                let title = format!("{SENSITIVE_MARKING}: MG6D Schedule of relevant sensitive unused material");
                Some(Rendered {
                    stem: "MG6D",
                    csv: format!("{SENSITIVE_MARKING}\r\n{}", csv(&head, &rows)),
                    pdf: table_pdf(&title, &sub, &head, &[0.6, 3.6, 1.6, 2.6, 2.6], &rows),
                })
            }
            "MG6E" => {
                let head = ["Item", "Schedule", "Disclosure officer's view", "Reasoning", "Recorded by"];
                let mut rows: Vec<Vec<String>> = self
                    .mg6e
                    .iter()
                    .map(|l| {
                        vec![
                            l.item.clone(),
                            self.place_of(&l.item),
                            "might undermine the prosecution or assist the defence".into(),
                            l.reason.clone(),
                            format!("{} {}", l.by, Timestamp::london_of(&l.at)),
                        ]
                    })
                    .collect();
                for l in self.mg6c.iter().chain(&self.mg6d) {
                    rows.push(vec![
                        l.item.clone(),
                        self.place_of(&l.item),
                        format!("proposes {}", l.proposed.abbreviation()),
                        l.reason.clone(),
                        format!("{} {}", l.scheduled_by, Timestamp::london_of(&l.scheduled_at)),
                    ]);
                }
                let certificate = match (self.shown_revelation(), &self.identity) {
                    (Some(r), identity) => format!(
                        "{CERTIFICATE} Signed: {} ({} {}), schedules version {} revealed to {}.",
                        identity.as_ref().map(|i| i.disclosure_officer.as_str()).unwrap_or(r.by.as_str()),
                        r.by,
                        Timestamp::london_of(&r.at),
                        r.version,
                        r.to
                    ),
                    (None, _) => "Certificate: not yet given (no version has been revealed to the prosecutor).".into(),
                };
                rows.push(vec!["Certificate".into(), String::new(), String::new(), certificate, String::new()]);
                let title = format!("{SENSITIVE_MARKING}: MG6E Disclosure officer's report");
                Some(Rendered {
                    stem: "MG6E",
                    csv: format!("{SENSITIVE_MARKING}\r\n{}", csv(&head, &rows)),
                    pdf: table_pdf(&title, &sub, &head, &[1.2, 1.2, 1.8, 4.6, 1.6], &rows),
                })
            }
            "MG6B" => {
                let head = ["Police witness", "Misconduct findings or convictions", "Declared by"];
                let rows: Vec<Vec<String>> = self
                    .mg6b
                    .iter()
                    .map(|l| {
                        vec![
                            l.officer.clone(),
                            l.declaration(),
                            format!("{} {} (record:{})", l.by, Timestamp::london_of(&l.at), l.record),
                        ]
                    })
                    .collect();
                let title = format!("{SENSITIVE_MARKING}: MG6B Police officers' misconduct records");
                Some(Rendered {
                    stem: "MG6B",
                    csv: format!("{SENSITIVE_MARKING}\r\n{}", csv(&head, &rows)),
                    pdf: table_pdf(&title, &sub, &head, &[3.0, 5.0, 2.8], &rows),
                })
            }
            _ => None,
        }
    }

    /// "MG6C 3" or "MG6D 1" for a scheduled item, "not scheduled" otherwise.
    fn place_of(&self, item: &str) -> String {
        self.mg6c
            .iter()
            .map(|l| ("MG6C", l))
            .chain(self.mg6d.iter().map(|l| ("MG6D", l)))
            .find(|(_, l)| l.item == item)
            .map(|(s, l)| format!("{s} {}", l.number))
            .unwrap_or_else(|| "not scheduled".into())
    }
}

/// Printable labels for a case's exhibits (PDF).
pub fn exhibit_labels(case: &CaseId, list: &[ExhibitListEntry]) -> Vec<u8> {
    crate::pdf_labels::labels_pdf(case.as_str(), list)
}

/// The MG12 exhibit list (used material only) as CSV and PDF.
pub fn render_exhibit_list(heading: &str, list: &[UsedExhibit]) -> Rendered {
    let head = ["Exhibit", "Description", "Producing witness", "Received", "SHA-256 / MD5", "Continuity"];
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|u| {
            let e = &u.entry;
            vec![
                e.reference.to_string(),
                u.description.clone(),
                u.witness.clone(),
                e.received.clone(),
                format!("{}\n{}", e.sha256, e.md5),
                e.continuity.join("\n"),
            ]
        })
        .collect();
    Rendered {
        stem: "MG12",
        csv: csv(&head, &rows),
        pdf: table_pdf("MG12 Exhibit list", heading, &head, &[0.8, 2.2, 1.2, 1.4, 2.8, 3.6], &rows),
    }
}

/// The schedules as the case's records make them: the latest scheduling of
/// each item in force, each schedule numbered on its own (an item keeps its
/// place while it stays on a schedule; one moved goes to the end of the
/// other), and the prosecutor's latest decision on each item.
pub(crate) fn schedules_of(view: &CaseView) -> Schedules {
    struct Placed {
        order: u64,
        line: ScheduleLine,
    }
    let mut placed: HashMap<String, Placed> = HashMap::new();
    let mut decisions: HashMap<String, (u64, DecisionView)> = HashMap::new();
    let mut s = Schedules {
        case: view.id.clone(),
        title: view.title.clone(),
        identity: view.identity(),
        mg6c: vec![],
        mg6d: vec![],
        mg6e: vec![],
        revelations: vec![],
        version: None,
        highly_sensitive: vec![],
        changes: vec![],
        pending: vec![],
        services: vec![],
        mg6b: vec![],
    };
    for r in &view.records {
        match &r.record {
            CaseRecord::Scheduled { item, schedule, description, location, sensitivity, proposed, reason, .. } => {
                let order = match placed.get(item) {
                    Some(p) if p.line.schedule == *schedule => p.order,
                    _ => r.id,
                };
                let line = ScheduleLine {
                    number: 0,
                    item: item.clone(),
                    schedule: *schedule,
                    description: description.clone(),
                    location: location.clone(),
                    sensitivity: sensitivity.clone(),
                    proposed: *proposed,
                    reason: reason.clone(),
                    scheduled_by: r.by.clone(),
                    scheduled_at: r.at.clone(),
                    record: r.id,
                    decision: None,
                };
                placed.insert(item.clone(), Placed { order, line });
            }
            CaseRecord::ProsecutorDecision { .. } => {
                if let Some((item, d)) = DecisionView::of(r) {
                    decisions.insert(item.to_owned(), (r.id, d));
                }
            }
            CaseRecord::HighlySensitive { item, reason, revealed_to, revealed_at, means, .. } => {
                s.highly_sensitive.push(HighlySensitiveView {
                    item: item.clone(),
                    reason: reason.clone(),
                    revealed_to: revealed_to.clone(),
                    revealed_at: revealed_at.clone(),
                    means: means.clone(),
                    by: r.by.clone(),
                    at: r.at.clone(),
                    record: r.id,
                })
            }
            CaseRecord::DisclosureTest { item, reason } => {
                s.mg6e.push(Mg6eLine { item: item.clone(), reason: reason.clone(), by: r.by.clone(), at: r.at.clone() })
            }
            CaseRecord::WitnessMisconduct { officer, findings, details } => {
                // A later declaration for the same officer replaces the earlier one.
                s.mg6b.retain(|l| l.officer != *officer);
                s.mg6b.push(Mg6bLine {
                    officer: officer.clone(),
                    findings: *findings,
                    details: details.clone(),
                    by: r.by.clone(),
                    at: r.at.clone(),
                    record: r.id,
                });
            }
            CaseRecord::Served { version, letter, .. } => s.services.push(ServiceView {
                version: *version,
                by: r.by.clone(),
                at: r.at.clone(),
                letter: letter.clone(),
                defence_statement_due: s
                    .services
                    .is_empty()
                    .then(|| Timestamp::parse(&r.at).ok())
                    .flatten()
                    .map(|t| Timestamp::from_unix_millis(t.unix_millis() + DEFENCE_STATEMENT_DAYS * 86_400_000))
                    .map(|t| t.to_string()[..10].to_owned()),
                record: r.id,
            }),
            CaseRecord::Revealed { version, to, note, .. } => s.revelations.push(RevelationView {
                version: *version,
                to: to.clone(),
                by: r.by.clone(),
                at: r.at.clone(),
                note: note.clone(),
                record: r.id,
            }),
            _ => {}
        }
    }
    let mut all: Vec<Placed> = placed.into_values().collect();
    all.sort_by_key(|p| p.order);
    for mut p in all {
        // A decision made before the item's scheduling was amended was on
        // another version; it does not carry over.
        p.line.decision = decisions.remove(&p.line.item).filter(|(id, _)| *id > p.line.record).map(|(_, d)| d);
        let list = match p.line.schedule {
            Schedule::Mg6c => &mut s.mg6c,
            Schedule::Mg6d => &mut s.mg6d,
        };
        p.line.number = list.len() as u32 + 1;
        list.push(p.line);
    }
    s
}

/// The schedules exactly as last revealed to a prosecutor, with the
/// prosecutor's decisions since; empty when nothing has been revealed.
pub(crate) fn revealed_schedules_of(view: &CaseView) -> Schedules {
    revealed_version_of(view, None).unwrap_or_else(|| {
        let live = schedules_of(view);
        Schedules {
            mg6c: vec![],
            mg6d: vec![],
            mg6e: vec![],
            version: None,
            highly_sensitive: vec![],
            pending: vec![],
            ..live
        }
    })
}

/// Days from service to the defence statement in the Crown Court.
const DEFENCE_STATEMENT_DAYS: i64 = 28;

/// How the lines of `after` differ from those of `before`, item by item.
pub(crate) fn line_changes(before: &Schedules, after: &Schedules) -> Vec<LineChange> {
    let place = |s: &Schedules, item: &str| {
        s.mg6c
            .iter()
            .map(|l| ("MG6C", l))
            .chain(s.mg6d.iter().map(|l| ("MG6D", l)))
            .find(|(_, l)| l.item == item)
            .map(|(n, l)| (format!("{n} {}", l.number), l.schedule, l.description.clone(), l.location.clone()))
    };
    let mut out = Vec::new();
    for l in after.mg6c.iter().chain(&after.mg6d) {
        let (now, schedule, description, location) = place(after, &l.item).expect("a line of its own schedules");
        match place(before, &l.item) {
            None => out.push(LineChange { item: l.item.clone(), change: "added", detail: now }),
            Some((was, s, _, _)) if s != schedule => {
                out.push(LineChange { item: l.item.clone(), change: "moved", detail: format!("{was} → {now}") })
            }
            Some((_, _, d, loc)) if d != description || loc != location => out.push(LineChange {
                item: l.item.clone(),
                change: "re-described",
                detail: format!("\"{d}\" → \"{description}\""),
            }),
            Some(_) => {}
        }
    }
    for l in before.mg6c.iter().chain(&before.mg6d) {
        if place(after, &l.item).is_none() {
            let (was, ..) = place(before, &l.item).expect("a line of its own schedules");
            out.push(LineChange { item: l.item.clone(), change: "removed", detail: was });
        }
    }
    out
}

/// A defence statement received since the last service that no
/// disclosure review answers yet, if any.
pub(crate) fn unreviewed_defence_statement(view: &CaseView) -> Option<u64> {
    view.records.iter().find_map(|r| match &r.record {
        CaseRecord::DefenceStatement { .. } => {
            let answered = view.records.iter().any(|x| {
                x.id > r.id
                    && matches!(&x.record, CaseRecord::DisclosureReview { statement: Some(n), .. } if *n == r.id)
            });
            (!answered).then_some(r.id)
        }
        _ => None,
    })
}

/// The case as it stood before record `id`.
fn view_before(view: &CaseView, id: u64) -> CaseView {
    CaseView {
        id: view.id.clone(),
        title: view.title.clone(),
        members: view.members.clone(),
        records: view.records.iter().filter(|r| r.id < id).cloned().collect(),
    }
}

/// One version of the schedules as it was revealed (the latest when
/// `version` is None): its frozen MG6C and MG6D lines, its frozen MG6E,
/// and the prosecutor's decisions made on it while it was the latest.
/// None when no such version was revealed.
pub(crate) fn revealed_version_of(view: &CaseView, version: Option<u32>) -> Option<Schedules> {
    struct Frozen<'a> {
        record: u64,
        version: u32,
        mg6c: &'a [RevealedLine],
        mg6d: &'a [RevealedLine],
        mg6e: Option<&'a [RevealedTest]>,
    }
    let frozen: Vec<Frozen> = view
        .records
        .iter()
        .filter_map(|r| match &r.record {
            CaseRecord::Revealed { version, mg6c, mg6d, mg6e, .. } => {
                Some(Frozen { record: r.id, version: *version, mg6c, mg6d, mg6e: mg6e.as_deref() })
            }
            _ => None,
        })
        .collect();
    let at = match version {
        None => frozen.len().checked_sub(1)?,
        Some(n) => frozen.iter().position(|f| f.version == n)?,
    };
    let this = &frozen[at];
    let latest = at + 1 == frozen.len();
    let until = frozen.get(at + 1).map_or(u64::MAX, |f| f.record);
    let previous = at.checked_sub(1).map_or(0, |p| frozen[p].record);
    let live = schedules_of(view);
    let find = |item: &str| live.mg6c.iter().chain(&live.mg6d).find(|l| l.item == item);
    // A decision counts for this version if made before the next one, and
    // after the line as revealed: a line unchanged since the previous
    // version keeps the decision made on it; a changed one needs a new one.
    let then = schedules_of(&view_before(view, this.record));
    let since = |item: &str| match then.mg6c.iter().chain(&then.mg6d).find(|l| l.item == item) {
        Some(l) if l.record < previous => l.record,
        _ => this.record,
    };
    let decided = |item: &str| -> Option<DecisionView> {
        let since = since(item);
        view.records
            .iter()
            .rev()
            .filter(|r| r.id > since && r.id < until)
            .find_map(|r| DecisionView::of(r).filter(|(i, _)| *i == item).map(|(_, d)| d))
    };
    let lines = |frozen: &[RevealedLine], schedule: Schedule| -> Vec<ScheduleLine> {
        frozen
            .iter()
            .map(|f| {
                let now = find(&f.item);
                // Versions revealed before proposals were frozen show the live ones.
                let (proposed, reason, by, at) = match &f.proposal {
                    Some(p) => (p.proposed, p.reason.clone(), p.by.clone(), p.at.clone()),
                    None => (
                        now.map_or(ProsecutorView::ClearlyNotDisclosable, |l| l.proposed),
                        now.map(|l| l.reason.clone()).unwrap_or_default(),
                        now.map(|l| l.scheduled_by.clone()).unwrap_or_default(),
                        now.map(|l| l.scheduled_at.clone()).unwrap_or_default(),
                    ),
                };
                ScheduleLine {
                    number: f.number,
                    item: f.item.clone(),
                    schedule,
                    description: f.description.clone(),
                    location: f.location.clone(),
                    sensitivity: f.sensitivity.clone(),
                    proposed,
                    reason,
                    scheduled_by: by,
                    scheduled_at: at,
                    // The scheduling record in force now says nothing of an earlier version.
                    record: if latest { now.map(|l| l.record).unwrap_or_default() } else { 0 },
                    decision: decided(&f.item),
                }
            })
            .collect()
    };
    let mg6e = match this.mg6e {
        Some(tests) => tests
            .iter()
            .map(|t| Mg6eLine { item: t.item.clone(), reason: t.reason.clone(), by: t.by.clone(), at: t.at.clone() })
            .collect(),
        None => live.mg6e.clone(),
    };
    Some(Schedules {
        mg6c: lines(this.mg6c, Schedule::Mg6c),
        mg6d: lines(this.mg6d, Schedule::Mg6d),
        // The MG6B declarations as they stood when this version was revealed.
        mg6b: schedules_of(&view_before(view, this.record)).mg6b,
        mg6e,
        version: Some(this.version),
        // Revealed by its own route, never with a version.
        highly_sensitive: vec![],
        ..live
    })
}

/// The next version of the schedules as they stand, frozen for a
/// prosecutor: each line with the disclosure officer's proposal and
/// reasoning, and the MG6E's entries, so later changes never alter it.
fn revelation_of(live: &Schedules, to: &str, note: &str) -> CaseRecord {
    let freeze = |lines: &[ScheduleLine]| -> Vec<RevealedLine> {
        lines
            .iter()
            .map(|l| RevealedLine {
                number: l.number,
                item: l.item.clone(),
                description: l.description.clone(),
                location: l.location.clone(),
                sensitivity: l.sensitivity.clone(),
                proposal: Some(RevealedProposal {
                    proposed: l.proposed,
                    reason: l.reason.clone(),
                    by: l.scheduled_by.clone(),
                    at: l.scheduled_at.clone(),
                }),
            })
            .collect()
    };
    let tests = live
        .mg6e
        .iter()
        .map(|t| RevealedTest { item: t.item.clone(), reason: t.reason.clone(), by: t.by.clone(), at: t.at.clone() })
        .collect();
    CaseRecord::Revealed {
        version: live.revelations.len() as u32 + 1,
        to: to.to_owned(),
        mg6c: freeze(&live.mg6c),
        mg6d: freeze(&live.mg6d),
        mg6e: Some(tests),
        note: note.to_owned(),
    }
}

/// The disclosure rules a new record must keep, beyond its own fields.
pub(crate) fn check_disclosure_record(view: &CaseView, record: &CaseRecord) -> Result<(), CoreError> {
    // Built only for the records that are checked against the live
    // schedules (a prosecutor's decision is checked against those revealed).
    let live = std::cell::LazyCell::new(|| schedules_of(view));
    let scheduled = |item: &str| live.mg6c.iter().chain(&live.mg6d).find(|l| l.item == item);
    let used = |item: &str| {
        view.records.iter().any(|r| matches!(&r.record, CaseRecord::ExhibitUsed { exhibit, .. } if exhibit == item))
    };
    let highly_sensitive = |item: &str| live.highly_sensitive.iter().any(|h| h.item == item);
    const NOT_SCHEDULED: &str = "is highly sensitive material: it goes on no schedule and is not used as an exhibit";
    match record {
        CaseRecord::Scheduled { item, .. } | CaseRecord::ExhibitUsed { exhibit: item, .. }
            if highly_sensitive(item) =>
        {
            Err(CoreError::Refused(format!("{item} {NOT_SCHEDULED}")))
        }
        CaseRecord::HighlySensitive { item, ground, .. } => {
            if ground.is_none() {
                return Err(CoreError::InvalidInput {
                    field: "ground".into(),
                    why: "choose the ground on which it is highly sensitive".into(),
                });
            }
            if let Some(l) = scheduled(item) {
                return Err(CoreError::Refused(format!(
                    "{item} is on the {} (record:{}); highly sensitive material goes on no schedule, so this \
                     needs the disclosure officer and the prosecutor to agree how to withdraw it",
                    l.schedule.as_str(),
                    l.record
                )));
            }
            if used(item) {
                return Err(CoreError::Refused(format!("{item} is used material (on the MG12)")));
            }
            if highly_sensitive(item) {
                return Err(CoreError::Refused(format!("{item} is already recorded as highly sensitive")));
            }
            Ok(())
        }
        CaseRecord::Scheduled { item, amends, category, proposed, rebuttal, .. } => {
            if used(item) {
                return Err(CoreError::Refused(format!(
                    "{item} is used material (on the MG12); the unused schedules list unused material only"
                )));
            }
            if let Some(original) = redacted_copy_of(view, item) {
                return Err(CoreError::Refused(format!(
                    "{item} is a redacted copy of {original}: schedule the original; the prosecutor may agree to \
                     disclose it through this copy"
                )));
            }
            let Some(category) = category else {
                return Err(CoreError::InvalidInput {
                    field: "category".into(),
                    why: "say what kind of material it is (the ledger proposes one)".into(),
                });
            };
            if category.presumed() && *proposed == ProsecutorView::ClearlyNotDisclosable && rebuttal.is_none() {
                return Err(presumption_needs_rebuttal(item, *category));
            }
            match (scheduled(item), amends) {
                (Some(l), None) => Err(CoreError::Refused(format!(
                    "{item} is already on a schedule (record:{}); to change it, amend that record",
                    l.record
                ))),
                (Some(l), Some(a)) if *a != l.record => Err(CoreError::Refused(format!(
                    "{item} is scheduled by record:{}, not record:{a}; amend the record in force",
                    l.record
                ))),
                (None, Some(a)) => {
                    Err(CoreError::Refused(format!("{item} is not on a schedule; record:{a} cannot be amended")))
                }
                _ => Ok(()),
            }
        }
        CaseRecord::NotRelevant { item, category, .. } => {
            if used(item) || scheduled(item).is_some() || highly_sensitive(item) {
                return Err(CoreError::Refused(format!(
                    "{item} is already accounted for (used, scheduled or highly sensitive); material once judged \
                     relevant stays on the record"
                )));
            }
            let Some(category) = category else {
                return Err(CoreError::InvalidInput {
                    field: "category".into(),
                    why: "say what kind of material it is (the ledger proposes one)".into(),
                });
            };
            if category.presumed() {
                return Err(CoreError::Refused(format!(
                    "{item} is {}: material of that kind is presumed to meet the test for disclosure, so it is \
                     relevant; schedule it (a CND view then needs a rebuttal)",
                    category.label()
                )));
            }
            Ok(())
        }
        CaseRecord::ExhibitUsed { exhibit, .. } => {
            if scheduled(exhibit).is_some() {
                return Err(CoreError::Refused(format!(
                    "{exhibit} is on an unused schedule; amend the schedule before using it as an exhibit"
                )));
            }
            if used(exhibit) {
                return Err(CoreError::Refused(format!("{exhibit} is already on the MG12")));
            }
            Ok(())
        }
        CaseRecord::ProsecutorDecision { item, decision, rebuttal, disclosed_as, sensitive_route, .. } => {
            // Decisions are made on the schedules now revealed, by the CPS
            // for the case (any prosecutor assigned to it: allocation changes).
            let revealed = revealed_schedules_of(view);
            let Some(line) = revealed.mg6c.iter().chain(&revealed.mg6d).find(|l| &l.item == item) else {
                return Err(CoreError::Refused(format!("{item} is not on the schedules revealed to the prosecutor")));
            };
            // Sensitive material that meets the test is never simply handed
            // over: the prosecutor chooses its route (issue 25, point 5).
            match (line.schedule, *decision, sensitive_route) {
                (Schedule::Mg6d, ProsecutorView::Disclose, None) => {
                    return Err(CoreError::InvalidInput {
                        field: "sensitive_route".into(),
                        why: format!(
                            "{item} is sensitive (MG6D) material: if it meets the test, choose how it is dealt with \
                             (an edited, summary or admission form, third-party consent, a PII application and its \
                             type, or the case cannot continue)"
                        ),
                    })
                }
                (Schedule::Mg6c, _, Some(_)) => {
                    return Err(CoreError::InvalidInput {
                        field: "sensitive_route".into(),
                        why: format!("{item} is on the MG6C: a route is for sensitive material only"),
                    })
                }
                _ => {}
            }
            let category = category_in_force(view, line.record);
            if let Some(c) = category {
                if c.presumed() && *decision == ProsecutorView::ClearlyNotDisclosable && rebuttal.is_none() {
                    return Err(presumption_needs_rebuttal(item, c));
                }
            }
            if let Some(copy) = disclosed_as {
                if redacted_copy_of(view, copy).as_deref() != Some(item.as_str()) {
                    return Err(CoreError::InvalidInput {
                        field: "disclosed_as".into(),
                        why: format!("{copy} is not a redacted copy of {item}"),
                    });
                }
            }
            Ok(())
        }
        CaseRecord::PiiRuling { item, .. } => {
            let revealed = revealed_schedules_of(view);
            let pii = revealed
                .mg6d
                .iter()
                .find(|l| &l.item == item)
                .and_then(|l| l.decision.as_ref())
                .and_then(|d| d.sensitive_route);
            if !pii.is_some_and(|r| r.is_pii()) {
                return Err(CoreError::Refused(format!(
                    "{item} has no public interest immunity application on the schedules revealed"
                )));
            }
            Ok(())
        }
        CaseRecord::Served { .. } => {
            Err(CoreError::Refused("schedules are served with serve_schedules, by the prosecutor".into()))
        }
        _ => Ok(()),
    }
}

/// The original (`exhibit:…`) a redacted copy was made from, if `item` is one.
pub(crate) fn redacted_copy_of(view: &CaseView, item: &str) -> Option<String> {
    let copy = item.strip_prefix("exhibit:")?;
    view.records.iter().find_map(|r| match &r.record {
        CaseRecord::Redaction { original, redacted, .. } if redacted == copy => Some(format!("exhibit:{original}")),
        _ => None,
    })
}

/// The category a scheduling record gives, if it gives one.
fn category_in_force(view: &CaseView, record: u64) -> Option<vigil_domain::MaterialCategory> {
    view.records.iter().find_map(|r| match &r.record {
        CaseRecord::Scheduled { category, .. } if r.id == record => *category,
        _ => None,
    })
}

fn presumption_needs_rebuttal(item: &str, category: vigil_domain::MaterialCategory) -> CoreError {
    CoreError::InvalidInput {
        field: "rebuttal".into(),
        why: format!(
            "{item} is {}: the AG's Guidelines presume it meets the test for disclosure, so a view that it is \
             clearly not disclosable needs the rebuttal recorded",
            category.label()
        ),
    }
}

impl Vigil {
    /// The schedules an officer may see: the live ones for the case's
    /// officers and supervisors; for a prosecutor, the version last revealed
    /// with the decisions on it (and the MG6E), and what is pending: changes
    /// made since, not yet revealed, shown as such and never merged in.
    pub fn schedules(&self, case: &CaseId, officer: &OfficerSession) -> Result<Schedules, CoreError> {
        if officer.role == Role::Prosecutor {
            let actor = self.case_gate(case, officer, Need::Prosecute)?;
            self.log_case_event(case, actor, EventKind::Accessed, "viewed the schedules revealed to the prosecutor")?;
            let view = self.case_view_unaudited(case)?;
            let mut s = revealed_schedules_of(&view);
            s.pending = line_changes(&s, &schedules_of(&view));
            return Ok(s);
        }
        self.audited_read(case, officer, "viewed the disclosure schedules")?;
        let view = self.case_view_unaudited(case)?;
        let mut s = schedules_of(&view);
        if let Some(latest) = revealed_version_of(&view, None) {
            s.pending = line_changes(&latest, &s);
        }
        if !crate::case_work::sees_highly_sensitive(&view, officer) {
            s.highly_sensitive.clear();
        }
        Ok(s)
    }

    /// One version of the schedules exactly as it was revealed, MG6E
    /// included, with what changed from the version before it. Every
    /// version is the CPS's for the case: any prosecutor assigned to it
    /// reads them all, whoever it was revealed to.
    pub fn revealed_version(
        &self,
        case: &CaseId,
        version: u32,
        officer: &OfficerSession,
    ) -> Result<Schedules, CoreError> {
        let what = format!("viewed version {version} of the schedules as revealed");
        let view = if officer.role == Role::Prosecutor {
            let actor = self.case_gate(case, officer, Need::Prosecute)?;
            let view = self.case_view_unaudited(case)?;
            // A version that was never revealed is refused, and the attempt recorded.
            let exists = revealed_version_of(&view, Some(version)).is_some();
            let kind = if exists { EventKind::Accessed } else { EventKind::AccessRefused };
            self.log_case_event(case, actor, kind, &what)?;
            view
        } else {
            self.audited_read(case, officer, &what)?;
            self.case_view_unaudited(case)?
        };
        let mut s = revealed_version_of(&view, Some(version))
            .ok_or_else(|| CoreError::NoSuchVersion { case: case.to_string(), version })?;
        let before = version.checked_sub(1).and_then(|v| revealed_version_of(&view, Some(v)));
        s.changes = match before {
            Some(b) => line_changes(&b, &s),
            None => line_changes(&Schedules { mg6c: vec![], mg6d: vec![], ..s.clone() }, &s),
        };
        Ok(s)
    }

    /// One event about the case itself, with its reason.
    pub(crate) fn log_case_event(
        &self,
        case: &CaseId,
        actor: Actor,
        kind: EventKind,
        reason: &str,
    ) -> Result<(), CoreError> {
        let mut ev = CustodyEvent::new(kind, actor, self.now(), ObjectRef::parse(&format!("case:{case}"))?);
        ev.case = Some(case.clone());
        ev.reason = Some(reason.to_owned());
        self.append_events(&[ev])?;
        Ok(())
    }

    /// The MG12: the exhibits the prosecution uses, each with its producing
    /// witness; unused and sensitive material is not on it.
    pub(crate) fn used_exhibits_unaudited(&self, case: &CaseId) -> Result<Vec<UsedExhibit>, CoreError> {
        let view = self.case_view_unaudited(case)?;
        let list = self.exhibit_list_unaudited(case)?;
        let mut out = Vec::new();
        for r in &view.records {
            if let CaseRecord::ExhibitUsed { exhibit, witness, description } = &r.record {
                let reference = exhibit.strip_prefix("exhibit:").unwrap_or(exhibit);
                if let Some(entry) = list.iter().find(|e| e.reference.to_string() == reference) {
                    out.push(UsedExhibit {
                        entry: entry.clone(),
                        witness: witness.clone(),
                        description: description.clone(),
                    });
                }
            }
        }
        out.sort_by(|a, b| a.entry.reference.cmp(&b.entry.reference));
        Ok(out)
    }

    /// The MG12 for an officer of the case (an audited read).
    pub fn used_exhibits(&self, case: &CaseId, officer: &OfficerSession) -> Result<Vec<UsedExhibit>, CoreError> {
        self.audited_read(case, officer, "viewed the exhibit list (MG12)")?;
        self.used_exhibits_unaudited(case)
    }

    /// Reveals the schedules as they stand to a prosecutor assigned to the
    /// case: a new version, frozen in its record, with what changed.
    pub fn reveal_schedules(
        &self,
        case: &CaseId,
        to: &str,
        note: &str,
        officer: &OfficerSession,
    ) -> Result<u32, CoreError> {
        let actor = self.case_gate(case, officer, Need::Disclose)?;
        let reading = self.read_for_disclosure(case)?;
        let view = &reading.view;
        let prosecutor = self.store.read()?.user(to)?;
        if prosecutor.as_ref().map(|u| u.role.as_str()) != Some(Role::Prosecutor.as_str())
            || !view.members.iter().any(|m| m == to)
        {
            return Err(CoreError::InvalidInput {
                field: "to".into(),
                why: format!("{to} is not a prosecutor assigned to case {case}"),
            });
        }
        // Revealing gives the MG6E certificate that all relevant material
        // was revealed: refused while any item is unaccounted for, or while
        // a defence statement waits for its review.
        reading.ledger.require_complete("revealing the schedules")?;
        if let Some(n) = unreviewed_defence_statement(view) {
            return Err(CoreError::Refused(format!(
                "revealing the schedules refused: the defence statement record:{n} has not been reviewed; the \
                 disclosure officer reviews every item against it first (a disclosure review answering record:{n})"
            )));
        }
        let live = schedules_of(view);
        let version = live.revelations.len() as u32 + 1;
        let record = revelation_of(&live, to, note);
        record.validate()?;
        // What is frozen is what the case's records and exhibits were when
        // read: if any was added since, nothing is revealed and the officer
        // asks again.
        if !self.write_if_unchanged(case, &reading, &record, &actor)? {
            return Err(CoreError::Refused(format!(
                "case {case} changed while the schedules were being frozen; reveal them again"
            )));
        }
        Ok(version)
    }

    /// Makes a redacted copy of a text exhibit: each term is replaced by
    /// `[REDACTED]` in a new exhibit, linked to the original by a `copied`
    /// event on the original and a redaction record in the case.
    pub fn redact_exhibit(
        &self,
        case: &CaseId,
        original: &ExhibitRef,
        terms: &[String],
        reason: &str,
        by: &Initials,
        officer: &OfficerSession,
    ) -> Result<ExhibitRef, CoreError> {
        let actor = self.case_gate(case, officer, Need::Disclose)?;
        self.check_producer(by, &actor)?;
        let terms: Vec<&str> = terms.iter().map(|t| t.trim()).filter(|t| !t.is_empty()).collect();
        if terms.is_empty() {
            return Err(CoreError::Refused("give at least one term to redact".into()));
        }
        // Need-to-know on the exhibit before any read of it: one from another
        // case answers exactly as one that does not exist, and the attempt
        // is recorded.
        if self.first_outside(case, std::slice::from_ref(original))?.is_some() {
            let mut ev = CustodyEvent::new(EventKind::AccessRefused, actor, self.now(), ObjectRef::exhibit(original));
            ev.case = Some(case.clone());
            ev.note = Some(format!(
                "{} ({}) asked to redact {original} for case {case}, which does not hold it",
                officer.username, officer.role
            ));
            self.append_events(&[ev])?;
            return Err(CoreError::NoSuchExhibit(original.to_string()));
        }
        let row = self.exhibit(original)?;
        if row.size as usize > MAX_REDACT_BYTES {
            return Err(CoreError::Refused(format!("exhibit {original} is too large to redact here")));
        }
        let bytes =
            self.read_exhibit_bytes(original, &format!("redaction for disclosure in case {case}: {reason}"), &actor)?;
        let text = String::from_utf8(bytes).map_err(|_| {
            CoreError::Refused(format!("exhibit {original} is not text; only text exhibits are redacted here"))
        })?;
        let mut redacted = text;
        let mut count = 0;
        // The redaction log: each term and how often it was removed.
        let mut removed = Vec::new();
        for t in &terms {
            let n = redacted.matches(t).count();
            count += n;
            removed.push(format!("{t} ({n}×)"));
            redacted = redacted.replace(t, "[REDACTED]");
        }
        if count == 0 {
            return Err(CoreError::Refused("none of the terms occurs in the exhibit; nothing was made".into()));
        }
        let name = format!("{}-redacted.txt", original.to_string().replace('/', "-"));
        let note = format!("redacted copy of {original} ({count} redaction(s)): {reason}");
        let staged = self.stage_blobs(&[redacted.as_bytes()])?;
        // The copy, the `copied` event on the original and the case record
        // commit together.
        let copy = self.write_staged(&staged, |u| {
            let hashes = u.put_blob(&staged[0])?;
            let copy = u.record_exhibit_as(case, by, &actor, Some(name), Some(&note), hashes)?;
            let mut ev = CustodyEvent::new(EventKind::Copied, actor.clone(), u.now, ObjectRef::exhibit(original));
            ev.case = Some(case.clone());
            ev.note = Some(format!("redacted copy made as exhibit {copy}: {reason}"));
            u.log(ev);
            let record = CaseRecord::Redaction {
                original: original.to_string(),
                redacted: copy.to_string(),
                reason: reason.to_owned(),
                removed: removed.clone(),
            };
            record.validate()?;
            u.record_case(case, &record, &actor)?;
            Ok(copy)
        })?;
        Ok(copy)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::RecordView;

    /// A case of these records, numbered from 1, a day apart.
    pub(crate) fn view(records: Vec<CaseRecord>) -> CaseView {
        CaseView {
            id: CaseId::parse("T-1").unwrap(),
            title: "test".into(),
            members: vec![],
            records: records
                .into_iter()
                .enumerate()
                .map(|(i, record)| RecordView {
                    id: i as u64 + 1,
                    by: "d.officer".into(),
                    at: format!("2026-12-0{}T10:00:00.000Z", i % 9 + 1),
                    event: i as u64,
                    record,
                })
                .collect(),
        }
    }

    fn scheduled(reason: &str, amends: Option<u64>) -> CaseRecord {
        CaseRecord::Scheduled {
            item: "exhibit:AB/1".into(),
            schedule: Schedule::Mg6c,
            description: "a statement".into(),
            location: "vault".into(),
            sensitivity: None,
            proposed: ProsecutorView::Disclose,
            reason: reason.into(),
            amends,
            category: Some(vigil_domain::MaterialCategory::Other),
            rebuttal: None,
        }
    }

    fn test_entry(reason: &str) -> CaseRecord {
        CaseRecord::DisclosureTest { item: "exhibit:AB/1".into(), reason: reason.into() }
    }

    fn decision(d: ProsecutorView) -> CaseRecord {
        CaseRecord::ProsecutorDecision {
            item: "exhibit:AB/1".into(),
            decision: d,
            reason: "decided".into(),
            rebuttal: None,
            disclosed_as: None,
            sensitive_route: None,
        }
    }

    /// Each version keeps the MG6E as it stood when revealed, and the
    /// decisions made on it; later amendments change neither.
    #[test]
    fn every_revealed_version_keeps_its_own_mg6e_and_decisions() {
        let mut records = vec![scheduled("first reasoning", None), test_entry("first test")];
        let v1 = revelation_of(&schedules_of(&view(records.clone())), "cps", "v1");
        records.push(v1); // record 3
        records.push(scheduled("second reasoning", Some(1))); // 4
        records.push(test_entry("second test")); // 5
        records.push(decision(ProsecutorView::Disclose)); // 6, on version 1
        let v2 = revelation_of(&schedules_of(&view(records.clone())), "cps", "v2");
        records.push(v2); // 7
        records.push(decision(ProsecutorView::ClearlyNotDisclosable)); // 8, on version 2
        records.push(test_entry("third test, not yet revealed")); // 9
        let v = view(records);

        let one = revealed_version_of(&v, Some(1)).unwrap();
        assert_eq!(one.version, Some(1));
        assert_eq!(one.mg6c[0].reason, "first reasoning");
        assert_eq!(one.mg6e.iter().map(|t| t.reason.as_str()).collect::<Vec<_>>(), ["first test"]);
        assert_eq!(one.mg6c[0].decision.as_ref().map(|d| d.decision), Some(ProsecutorView::Disclose));
        let mg6e = one.render_one("MG6E").unwrap().csv;
        assert!(mg6e.contains("first reasoning") && !mg6e.contains("second"), "{mg6e}");
        assert!(mg6e.contains("schedules version 1 revealed to cps"), "{mg6e}");

        let two = revealed_version_of(&v, Some(2)).unwrap();
        assert_eq!(two.mg6c[0].reason, "second reasoning");
        assert_eq!(two.mg6e.len(), 2);
        assert_eq!(two.mg6c[0].decision.as_ref().map(|d| d.decision), Some(ProsecutorView::ClearlyNotDisclosable));
        let latest = revealed_schedules_of(&v);
        assert_eq!(latest.version, Some(2));
        assert!(!latest.render_one("MG6E").unwrap().csv.contains("third test"), "the latest is frozen too");
        assert!(schedules_of(&v).render_one("MG6E").unwrap().csv.contains("third test"), "the live MG6E has it");
        assert!(revealed_version_of(&v, Some(3)).is_none());
    }

    /// Versions revealed before the MG6E was frozen read as they always
    /// did (the proposals as they stand now), and nothing revealed is empty.
    #[test]
    fn versions_from_before_frozen_proposals_still_read() {
        let mut records = vec![scheduled("reasoning now", None)];
        if let CaseRecord::Revealed { version, to, mut mg6c, mg6d, note, .. } =
            revelation_of(&schedules_of(&view(records.clone())), "cps", "old")
        {
            mg6c[0].proposal = None;
            records.push(CaseRecord::Revealed { version, to, mg6c, mg6d, mg6e: None, note });
        }
        let v = view(records);
        assert_eq!(revealed_version_of(&v, Some(1)).unwrap().mg6c[0].reason, "reasoning now");
        let nothing = revealed_schedules_of(&view(vec![scheduled("r", None), test_entry("t")]));
        assert!(nothing.mg6c.is_empty() && nothing.mg6e.is_empty(), "a prosecutor sees nothing before a revelation");
    }

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        let out = csv(&["a", "b"], &[vec!["=1+2".into(), "x,\"y\"\nz".into()]]);
        assert_eq!(out, "a,b\r\n'=1+2,\"x,\"\"y\"\"\nz\"\r\n");
        // Issue 11, finding 8: tab and carriage return were not defused.
        let out = csv(&["a"], &[vec!["\t=cmd".into()], vec!["\r=cmd".into()]]);
        assert_eq!(out, "a\r\n'\t=cmd\r\n\"'\r=cmd\"\r\n");
    }
}
