//! `/figures`: the team's dashboard for supervisors and auditors. Each
//! chart is SVG drawn here, followed by the table of the same figures and
//! its CSV; the tables are core's one model of them (`FigureTable`).

use crate::bar_chart::{BarChart, Series};
use crate::case_pages::with_officer;
use crate::components::{table, table_of};
use crate::html::{officer_page, Section};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup, Render};
use std::sync::Arc;
use vigil_core::{dashboard_tables, week_label, FigureTable, TeamFigures, DASHBOARD_WEEKS};
use vigil_domain::{ReportKind, TeamDashboard};

fn short_week(starts_ms: i64) -> String {
    week_label(starts_ms).split(' ').take(2).collect::<Vec<_>>().join(" ")
}

fn values(d: &TeamDashboard, f: impl Fn(&vigil_domain::Week) -> u64) -> Vec<f64> {
    d.weeks.iter().map(|w| f(w) as f64).collect()
}

/// The charts drawn above a table, by the table's name.
fn charts_for(name: &str, d: &TeamDashboard) -> Vec<Markup> {
    let weeks: Vec<String> = d.weeks.iter().map(|w| short_week(w.starts_ms)).collect();
    let chart = |id, title, series, stacked, categories: &Vec<String>| {
        BarChart { id, title, categories: categories.clone(), series, stacked, reference: None }.render()
    };
    match name {
        "reports-by-week" => {
            let mut kinds: Vec<Series> = ReportKind::ALL
                .iter()
                .enumerate()
                .map(|(i, k)| Series { label: k.as_str(), values: values(d, |w| w.by_kind[i]) })
                .collect();
            kinds.push(Series { label: "not recorded", values: values(d, |w| w.by_kind[4]) });
            vec![
                chart("chart-kind", "Reports received per week, by kind", kinds, true, &weeks),
                chart(
                    "chart-source",
                    "Reports received per week, by source",
                    vec![
                        Series { label: "From the public", values: values(d, |w| w.public) },
                        Series { label: "From partners", values: values(d, |w| w.partner) },
                    ],
                    true,
                    &weeks,
                ),
            ]
        }
        "time-to-triage" => {
            let pct = |v: Option<i64>, target: i64| v.map_or(0.0, |v| (v as f64 * 100.0 / target as f64).round());
            let groups: Vec<&vigil_domain::TriageTime> = d.triage_times.iter().rev().collect();
            vec![BarChart {
                id: "chart-triage",
                title: "Median and 90th-percentile time to triage, as a percentage of the target",
                categories: groups
                    .iter()
                    .map(|t| if t.immediate_danger { "Immediate danger" } else { "All others" }.to_owned())
                    .collect(),
                series: vec![
                    Series { label: "Median", values: groups.iter().map(|t| pct(t.median_ms, t.target_ms)).collect() },
                    Series {
                        label: "90th percentile",
                        values: groups.iter().map(|t| pct(t.p90_ms, t.target_ms)).collect(),
                    },
                ],
                stacked: false,
                reference: Some((100.0, "target (100%)")),
            }
            .render()]
        }
        "triage-by-week" => vec![chart(
            "chart-triage-weeks",
            "Reports triaged within and after their target, by week received",
            vec![
                Series { label: "Within target", values: values(d, |w| w.triaged_in_time) },
                Series { label: "After target", values: values(d, |w| w.triaged - w.triaged_in_time) },
            ],
            true,
            &weeks,
        )],
        "open-by-age" => {
            let bands: Vec<String> = d.open_by_age.iter().map(|b| b.label.to_owned()).collect();
            vec![chart(
                "chart-age",
                "Open reports by how long they have waited",
                vec![
                    Series {
                        label: "Immediate danger",
                        values: d.open_by_age.iter().map(|b| b.immediate_danger as f64).collect(),
                    },
                    Series {
                        label: "Others",
                        values: d.open_by_age.iter().map(|b| (b.reports - b.immediate_danger) as f64).collect(),
                    },
                ],
                true,
                &bands,
            )]
        }
        "outcomes" => vec![chart(
            "chart-outcomes",
            "Outcomes per week",
            vec![
                Series { label: "Arrests", values: values(d, |w| w.arrests) },
                Series { label: "Charges", values: values(d, |w| w.charges) },
                Series { label: "Children safeguarded", values: values(d, |w| w.children_safeguarded) },
                Series { label: "No further action", values: values(d, |w| w.no_further_action) },
            ],
            false,
            &weeks,
        )],
        "welfare-checks" => vec![chart(
            "chart-welfare",
            "Approved actions with and without a welfare check first",
            vec![
                Series { label: "With a welfare check first", values: values(d, |w| w.actions_with_welfare_check) },
                Series { label: "Without", values: values(d, |w| w.actions_without_welfare_check) },
            ],
            true,
            &weeks,
        )],
        "wrong-person" => vec![chart(
            "chart-wrong-person",
            "Possible wrong-person flags raised and resolved per week",
            vec![
                Series { label: "Raised", values: values(d, |w| w.wrong_person_raised) },
                Series { label: "Resolved", values: values(d, |w| w.wrong_person_resolved) },
            ],
            false,
            &weeks,
        )],
        "workload" => {
            let names: Vec<String> = d.workload.iter().map(|l| l.officer.clone()).collect();
            vec![chart(
                "chart-workload",
                "Workload per officer",
                vec![
                    Series { label: "Grades", values: d.workload.iter().map(|l| l.grades as f64).collect() },
                    Series {
                        label: "Other triage actions",
                        values: d.workload.iter().map(|l| l.triage_actions as f64).collect(),
                    },
                    Series {
                        label: "Case records",
                        values: d.workload.iter().map(|l| l.case_records as f64).collect(),
                    },
                ],
                false,
                &names,
            )]
        }
        _ => Vec::new(),
    }
}

fn totals(f: &TeamFigures) -> Markup {
    let rows: Vec<Vec<String>> = [
        ("Cases", f.cases),
        ("Arrests", f.arrests),
        ("Charges", f.charges),
        ("No further action", f.no_further_action),
        ("Children safeguarded", f.children_safeguarded),
        ("Actions approved", f.actions_approved),
        ("Actions refused", f.actions_refused),
        ("Welfare checks on file", f.welfare_checks),
        ("Safeguarding actions", f.safeguarding_actions),
        ("Possible wrong person flags", f.possible_wrong_person_flags),
        ("Immediate-danger reports handed off", f.immediate_handed_off),
    ]
    .iter()
    .map(|(k, v)| vec![(*k).to_owned(), v.to_string()])
    .collect();
    let wait = f.median_secs_to_handoff.map_or_else(
        || "none handed off yet".to_owned(),
        |s| vigil_core::span(i64::try_from(s).unwrap_or(i64::MAX / 1000) * 1000),
    );
    let codes: Vec<Vec<String>> =
        f.home_office_outcomes.iter().map(|(c, l, n)| vec![c.clone(), l.clone(), n.to_string()]).collect();
    html! {
        h2 #totals { "Since records began" }
        p { "Median time from receipt to hand-off for a child in immediate danger: " strong { (wait) } "." }
        (table(&["Measure", "Count"], &rows))
        h3 { "Outcomes by Home Office outcome code" }
        (table(&["Code", "Outcome", "Count"], &codes))
    }
}

fn figure(t: &FigureTable, d: &TeamDashboard) -> Markup {
    let rows: Vec<Vec<Markup>> = t.rows.iter().map(|r| r.iter().map(|c| html! { (c) }).collect()).collect();
    html! {
        section aria-labelledby={ "h-" (t.name) } {
            h2 id={ "h-" (t.name) } { (t.title) }
            @for c in charts_for(t.name, d) { (c) }
            (table_of(&t.headers, &rows))
            p { a href={ "/figures/" (t.name) ".csv" } download { "Download “" (t.title) "” as CSV" } }
        }
    }
}

pub(crate) async fn dashboard(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let targets = state.triage_targets;
    let (officer, (d, f)) =
        match with_officer(&state, &headers, move |v, o| Ok((v.team_dashboard(o, targets)?, v.team_figures(o)?))).await
        {
            Ok(x) => x,
            Err(r) => return r,
        };
    let tables = dashboard_tables(&d);
    let now = vigil_domain::Timestamp::from_unix_millis(d.now_ms).london();
    let body = html! {
        h1 { "Team figures" }
        p {
            "The last " (DASHBOARD_WEEKS) " weeks, to " (now) ", from the reports, triage actions and case records as recorded. "
            "No report or case content is shown. Weeks begin on Monday."
        }
        p { "Possible wrong-person flags not yet resolved, at any age: " strong { (d.wrong_person_open) } "." }
        nav aria-label="Figures on this page" {
            ul { @for t in &tables { li { a href={ "#h-" (t.name) } { (t.title) } } } li { a href="#totals" { "Since records began" } } }
        }
        @for t in &tables { (figure(t, &d)) }
        (totals(&f))
    };
    officer_page(&officer, Section::Figures, "Team figures", body).into_response()
}

/// `/figures/NAME.csv`: one of the dashboard's tables as CSV.
pub(crate) async fn csv(State(state): State<Arc<AppState>>, Path(file): Path<String>, headers: HeaderMap) -> Response {
    let targets = state.triage_targets;
    let (_, d) = match with_officer(&state, &headers, move |v, o| v.team_dashboard(o, targets)).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let wanted = file.strip_suffix(".csv").unwrap_or("");
    let Some(t) = dashboard_tables(&d).into_iter().find(|t| t.name == wanted) else {
        return (StatusCode::NOT_FOUND, "no such table\n").into_response();
    };
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}.csv\"", t.name)),
        ],
        t.csv(),
    )
        .into_response()
}
