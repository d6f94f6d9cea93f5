//! Gathers the facts the team's dashboard counts (see
//! `vigil_domain::team_dashboard`) from the store: report rows (no report
//! content), the triage events on them and every case's records.

use crate::case_work::parse_record;
use crate::error::CoreError;
use crate::officers::OfficerSession;
use crate::partner_intake::PARTNER_PRODUCER;
use crate::Vigil;
use std::collections::{BTreeMap, HashMap};
use vigil_domain::{
    CaseFacts, CaseRecord, EventKind, Grade, OfficerLoad, PersonFlag, ReportFact, ReportKind, Role, TeamDashboard,
    TriageTargets,
};

/// How many weeks the dashboard shows, this one included.
pub const DASHBOARD_WEEKS: usize = 12;

impl Vigil {
    /// The team's dashboard for the last [`DASHBOARD_WEEKS`] weeks, for a
    /// supervisor or an auditor; only a supervisor sees each officer's workload.
    pub fn team_dashboard(&self, officer: &OfficerSession, targets: TriageTargets) -> Result<TeamDashboard, CoreError> {
        if !matches!(officer.role, Role::Supervisor | Role::Auditor) {
            return Err(CoreError::Forbidden(format!("the {} role does not see the team's figures", officer.role)));
        }
        let now = self.now().unix_millis();
        let first = vigil_domain::dashboard_start(now, DASHBOARD_WEEKS);
        let mut store = self.store.read()?;
        let rows = store.reports_received_since(first)?;
        let open = store.open_reports_received()?;

        // The first triage action on each report, and who did what within the weeks.
        let mut triaged: HashMap<String, i64> = HashMap::new();
        let mut loads: BTreeMap<String, OfficerLoad> = BTreeMap::new();
        let is_report = |object: &str| {
            object
                .strip_prefix("exhibit:")
                .and_then(|r| r.split_once('/'))
                .is_some_and(|(p, _)| p == crate::INTAKE_PRODUCER || p == PARTNER_PRODUCER)
        };
        for kind in [EventKind::Graded, EventKind::HandedOff, EventKind::Reviewed] {
            for ev in store.events_of_kind(kind.as_str())? {
                // Only an officer's action triages: a reporter's addition
                // or a partner's upload is also a `reviewed` event on the report.
                let by_intake = [crate::INTAKE_PRODUCER, PARTNER_PRODUCER, vigil_domain::Actor::system().as_str()]
                    .contains(&ev.actor.as_str());
                if !is_report(&ev.object) || by_intake {
                    continue;
                }
                if ev.time_ms >= first {
                    let load = loads.entry(ev.actor.clone()).or_default();
                    if kind == EventKind::Graded {
                        load.grades += 1;
                    } else {
                        load.triage_actions += 1;
                    }
                }
                let at = triaged.entry(ev.object).or_insert(ev.time_ms);
                *at = (*at).min(ev.time_ms);
            }
        }
        let reports: Vec<ReportFact> = rows
            .iter()
            .map(|r| ReportFact {
                received_ms: r.received_ms,
                kind: r.kind.as_deref().and_then(ReportKind::parse),
                partner: r.exhibit.initials().as_str() == PARTNER_PRODUCER,
                immediate_danger: r.immediate,
                triaged_ms: triaged.get(&format!("exhibit:{}", r.exhibit)).copied(),
            })
            .collect();

        let mut facts = CaseFacts::default();
        for (id, _) in store.cases()? {
            for member in store.case_members(&id)? {
                loads.entry(member).or_default().cases += 1;
            }
            let records = store.case_records(&id)?;
            let mut parsed = Vec::with_capacity(records.len());
            for row in &records {
                parsed.push((row, parse_record(row)?));
                if row.at_ms >= first {
                    loads.entry(row.by.clone()).or_default().case_records += 1;
                }
            }
            case_facts(&parsed, &mut facts);
        }
        let workload = if officer.role == Role::Supervisor {
            loads
                .into_iter()
                .filter(|(name, _)| !name.is_empty() && name != "system")
                .map(|(officer, l)| OfficerLoad { officer, ..l })
                .collect()
        } else {
            Vec::new()
        };
        Ok(vigil_domain::team_dashboard(now, DASHBOARD_WEEKS, targets, &reports, &open, &facts, workload))
    }
}

/// One case's contribution, its records in the order they were made.
fn case_facts(records: &[(&vigil_store::CaseRecordRow, CaseRecord)], facts: &mut CaseFacts) {
    let mut children_seen: Vec<u64> = Vec::new();
    // Attributions per person so far, for when a wrong-person warning clears.
    let mut attributions: HashMap<u64, Vec<(Grade, Vec<String>)>> = HashMap::new();
    // Flags not yet resolved: (index into facts.wrong_person_flags, person).
    let mut pending: Vec<(usize, u64)> = Vec::new();
    for (row, record) in records {
        match record {
            CaseRecord::Outcome { outcome, .. } => facts.outcomes.push((row.at_ms, *outcome)),
            // An arrest counts where it is made: urgent, or an approved arrest request.
            CaseRecord::UrgentAction { action: vigil_domain::ActionKind::Arrest, .. } => {
                facts.outcomes.push((row.at_ms, vigil_domain::OutcomeKind::Arrest))
            }
            CaseRecord::Safeguarding { child, .. } if !children_seen.contains(child) => {
                children_seen.push(*child);
                facts.children_safeguarded_ms.push(row.at_ms);
            }
            CaseRecord::ActionDecision { request, approved: true, .. } => {
                let arrest = records.iter().any(|(r, rec)| {
                    r.id == *request
                        && matches!(rec, CaseRecord::ActionRequest { action: vigil_domain::ActionKind::Arrest, .. })
                });
                if arrest {
                    facts.outcomes.push((row.at_ms, vigil_domain::OutcomeKind::Arrest));
                }
                let person = records.iter().find_map(|(r, rec)| match rec {
                    CaseRecord::ActionRequest { person, .. } if r.id == *request => Some(*person),
                    _ => None,
                });
                let checked = person.is_some_and(|p| {
                    records.iter().any(|(r, rec)| {
                        r.id < row.id && matches!(rec, CaseRecord::WelfareCheck { person, .. } if *person == p)
                    })
                });
                facts.approved_actions.push((row.at_ms, checked));
            }
            CaseRecord::Flag { person, flag: PersonFlag::PossibleWrongPerson, .. } => {
                pending.push((facts.wrong_person_flags.len(), *person));
                facts.wrong_person_flags.push((row.at_ms, None));
            }
            CaseRecord::Attribution { person, grade, supporting, .. } => {
                if let Ok(g) = Grade::parse(grade) {
                    let list = attributions.entry(*person).or_default();
                    list.push((g, supporting.clone()));
                    if vigil_domain::person_warning(list).is_none() {
                        // Each flag on this person raised before now is resolved now.
                        pending.retain(|(i, p)| {
                            if p == person {
                                facts.wrong_person_flags[*i].1 = Some(row.at_ms);
                                false
                            } else {
                                true
                            }
                        });
                    }
                }
            }
            _ => {}
        }
    }
}

/// One of the dashboard's tables: the one model its HTML table and its
/// CSV download are both drawn from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FigureTable {
    /// The file stem of its CSV (`reports-by-week`).
    pub name: &'static str,
    pub title: &'static str,
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

impl FigureTable {
    pub fn csv(&self) -> String {
        crate::disclosure::csv(&self.headers, &self.rows)
    }
}

/// A span as a figure: "45 s", "10 min", "16 h", "16 h 5 min", "1 d 6 h".
pub fn span(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    let two = |big: i64, a: &str, small: i64, b: &str| {
        if small == 0 {
            format!("{big} {a}")
        } else {
            format!("{big} {a} {small} {b}")
        }
    };
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{} min", s / 60),
        3600..86_400 => two(s / 3600, "h", (s / 60) % 60, "min"),
        _ => two(s / 86_400, "d", (s / 3600) % 24, "h"),
    }
}

/// The week a row stands for, as its Monday reads in London.
pub fn week_label(starts_ms: i64) -> String {
    let l = vigil_domain::Timestamp::from_unix_millis(starts_ms).london();
    l.split(' ').take(3).collect::<Vec<_>>().join(" ")
}

/// The dashboard's tables, in the order the page shows them.
pub fn dashboard_tables(d: &TeamDashboard) -> Vec<FigureTable> {
    {
        let weeks = |f: &dyn Fn(&vigil_domain::Week) -> Vec<String>| -> Vec<Vec<String>> {
            d.weeks.iter().map(|w| [vec![week_label(w.starts_ms)], f(w)].concat()).collect()
        };
        let n = |v: u64| v.to_string();
        let mut kind_headers = vec!["Week beginning"];
        kind_headers.extend(ReportKind::ALL.iter().map(|k| k.label()));
        kind_headers.extend(["Kind not recorded", "From the public", "From partners", "Total"]);
        let mut out = vec![
            FigureTable {
                name: "reports-by-week",
                title: "Reports received per week, by kind and source",
                headers: kind_headers,
                rows: weeks(&|w| {
                    let mut r: Vec<String> = w.by_kind.iter().map(|v| n(*v)).collect();
                    r.extend([n(w.public), n(w.partner), n(w.public + w.partner)]);
                    r
                }),
            },
            FigureTable {
                name: "time-to-triage",
                title: "Time to triage against the target",
                headers: vec![
                    "Reports",
                    "Target",
                    "Triaged",
                    "Median",
                    "90th percentile",
                    "Within target",
                    "Still waiting",
                ],
                rows: d
                    .triage_times
                    .iter()
                    .rev()
                    .map(|t| {
                        vec![
                            if t.immediate_danger { "Immediate danger" } else { "All others" }.to_owned(),
                            span(t.target_ms),
                            n(t.triaged),
                            t.median_ms.map_or_else(|| "none triaged".into(), span),
                            t.p90_ms.map_or_else(|| "none triaged".into(), span),
                            n(t.within_target),
                            n(t.waiting),
                        ]
                    })
                    .collect(),
            },
            FigureTable {
                name: "triage-by-week",
                title: "Reports triaged within their target, by week received",
                headers: vec!["Week beginning", "Triaged", "Within target"],
                rows: weeks(&|w| vec![n(w.triaged), n(w.triaged_in_time)]),
            },
            FigureTable {
                name: "open-by-age",
                title: "Open reports by how long they have waited",
                headers: vec!["Waiting", "Open reports", "Of which immediate danger"],
                rows: d
                    .open_by_age
                    .iter()
                    .map(|b| vec![b.label.to_owned(), n(b.reports), n(b.immediate_danger)])
                    .collect(),
            },
            FigureTable {
                name: "outcomes",
                title: "Outcomes per week",
                headers: vec!["Week beginning", "Arrests", "Charges", "Children safeguarded", "No further action"],
                rows: weeks(&|w| vec![n(w.arrests), n(w.charges), n(w.children_safeguarded), n(w.no_further_action)]),
            },
            FigureTable {
                name: "welfare-checks",
                title: "Approved actions with a welfare check before them",
                headers: vec!["Week beginning", "With a welfare check first", "Without"],
                rows: weeks(&|w| vec![n(w.actions_with_welfare_check), n(w.actions_without_welfare_check)]),
            },
            FigureTable {
                name: "wrong-person",
                title: "Possible wrong-person flags raised and resolved",
                headers: vec!["Week beginning", "Raised", "Resolved"],
                rows: weeks(&|w| vec![n(w.wrong_person_raised), n(w.wrong_person_resolved)]),
            },
        ];
        if !d.workload.is_empty() {
            out.push(FigureTable {
                name: "workload",
                title: "Workload per officer",
                headers: vec![
                    "Officer",
                    "Cases assigned",
                    "Grades given",
                    "Other triage actions",
                    "Case records written",
                ],
                rows: d
                    .workload
                    .iter()
                    .map(|l| vec![l.officer.clone(), n(l.cases), n(l.grades), n(l.triage_actions), n(l.case_records)])
                    .collect(),
            });
        }
        out
    }
}
