//! The disclosure pages beside the schedules: the material ledger (every
//! item of the case with its one status, and forms to account for those
//! unaccounted for), the prosecutor's workspace (the version revealed,
//! what is pending, inspection, decisions, service, the defence statement
//! and the disclosure management document), and inspection of one item.

use crate::case_pages::{case_id, case_post_then, nav, on_case};
use crate::components::{breadcrumbs, csrf, table, table_of, tag, Tone};
use crate::html::{officer_page, Section};
use crate::AppState;
use axum::extract::{Path, Query, Request, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use std::collections::HashMap;
use std::sync::Arc;
use vigil_core::{Ledger, LedgerItem, LedgerStatus, OfficerSession, RecordView, Schedules};
use vigil_domain::{CaseRecord, Choice, MaterialCategory, ProsecutorView, Role, Schedule, Timestamp};

fn inspect_link(case: &str, item: &str) -> Markup {
    html! { a href={ "/cases/" (case) "/inspect?item=" (item) } { (item) } }
}

pub(crate) async fn ledger(State(state): State<Arc<AppState>>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let (case, officer, ledger) = match on_case(&state, &id, &headers, |v, c, o| v.material_ledger(c, o)).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let c = case.as_str();
    let keeps_schedules = matches!(officer.role, Role::DisclosureOfficer | Role::Supervisor);
    let rows: Vec<Vec<Markup>> = ledger
        .items
        .iter()
        .map(|i| {
            let status = match i.status {
                LedgerStatus::Unaccounted => tag(i.status.label(), Tone::Danger),
                s => html! { (s.label()) },
            };
            vec![
                inspect_link(c, &i.item),
                status,
                html! { (i.schedule_line.clone().unwrap_or_default()) },
                html! {
                    (i.category.as_str())
                    @if i.presumed { br; span.hint { "presumed to meet the test" } }
                },
                html! {
                    (i.description)
                    @for copy in &i.redacted_copies { br; span.hint { "redacted copy: " (copy) } }
                    @if let Some(r) = &i.reason { br; span.hint { "not relevant: " (r) } }
                },
                html! { @if let Some(r) = i.record { "record:" (r) } },
            ]
        })
        .collect();
    let unaccounted: Vec<&LedgerItem> = ledger.items.iter().filter(|i| i.status == LedgerStatus::Unaccounted).collect();
    let body = html! {
        (nav(&case, "Disclosure ledger"))
        h1 { "Disclosure ledger: " (c) }
        p {
            "Every exhibit and material record of the case, each with one status: used, on the MG6C or MG6D, "
            "highly sensitive, or not relevant with a reason. "
            "Nothing is revealed, certified or served while an item is unaccounted for."
        }
        (summary(&ledger))
        (table_of(&["Item", "Status", "Schedule line", "Category", "Description", "Record"], &rows))
        @if keeps_schedules && !unaccounted.is_empty() {
            h2 { "Account for each item" }
            p.hint { "Each form starts from what Vigil proposes for the kind of material; the decision is yours." }
            // The first is open, ready to fill in.
            @for (n, i) in unaccounted.iter().enumerate() { (account_form(c, &officer.csrf, i, n == 0)) }
        }
    };
    officer_page(&officer, Section::Cases, "Disclosure ledger", body).into_response()
}

fn summary(ledger: &Ledger) -> Markup {
    html! {
        p {
            strong { (ledger.items.len()) " item(s)" } ", "
            @if ledger.unaccounted == 0 {
                "none unaccounted for."
            } @else {
                (tag(&format!("{} UNACCOUNTED FOR", ledger.unaccounted), Tone::Danger))
            }
        }
    }
}

/// A form to schedule one item, filled in as proposed, and one to record it
/// as not relevant.
fn account_form(case: &str, token: &str, i: &LedgerItem, open: bool) -> Markup {
    let id = i.item.replace([':', '/'], "-");
    let proposed = i.proposed.unwrap_or(Schedule::Mg6c);
    let location = if i.item.starts_with("record:") { format!("Case {case} record") } else { "Vigil vault".into() };
    let categories = |chosen: MaterialCategory| {
        html! {
            @for c in MaterialCategory::ALL {
                option value=(c.as_str()) selected[*c == chosen] { (c.label()) }
            }
        }
    };
    html! {
        details #{ "account-" (id) } open[open] {
            summary { (i.item) ": " (i.description) }
            form method="post" action={ "/cases/" (case) "/records/scheduled" } {
                (csrf(token))
                input type="hidden" name="return_to" value="ledger";
                input type="hidden" name="item" value=(i.item);
                label for={ (id) "-schedule" } { "Schedule" }
                select id={ (id) "-schedule" } name="schedule" {
                    @for s in Schedule::ALL { option value=(s.as_str()) selected[*s == proposed] { (s.label()) } }
                }
                label for={ (id) "-description" } { "Description (as the schedule will show it)" }
                input type="text" id={ (id) "-description" } name="description" value=(i.description);
                label for={ (id) "-location" } { "Location" }
                input type="text" id={ (id) "-location" } name="location" value=(location);
                label for={ (id) "-sensitivity" } { "Why sensitive (MG6D only)" }
                input type="text" id={ (id) "-sensitivity" } name="sensitivity" value=(i.proposed_sensitivity.clone().unwrap_or_default());
                label for={ (id) "-category" } { "What kind of material it is" }
                select id={ (id) "-category" } name="category" { (categories(i.category)) }
                label for={ (id) "-prosecutor" } { "Your proposal to the prosecutor (MG6E; the decision is theirs)" }
                select id={ (id) "-prosecutor" } name="prosecutor" {
                    @for p in ProsecutorView::ALL {
                        option value=(p.as_str()) selected[*p == ProsecutorView::Disclose && i.presumed] { (p.label()) }
                    }
                }
                label for={ (id) "-reason" } { "Your reasoning (MG6E)" }
                textarea id={ (id) "-reason" } name="reason" {}
                label for={ (id) "-rebuttal" } { "Rebuttal (a CND on material presumed to meet the test)" }
                input type="text" id={ (id) "-rebuttal" } name="rebuttal";
                button type="submit" { "Schedule it" }
            }
            @if !i.presumed {
                form method="post" action={ "/cases/" (case) "/records/not-relevant" } {
                    (csrf(token))
                    input type="hidden" name="return_to" value="ledger";
                    input type="hidden" name="item" value=(i.item);
                    input type="hidden" name="category" value=(i.category.as_str());
                    label for={ (id) "-not-relevant" } { "Or: why it has no bearing on the case (it then goes on no schedule)" }
                    textarea id={ (id) "-not-relevant" } name="reason" {}
                    button type="submit" { "Not relevant" }
                }
            }
        }
    }
}

/// The prosecutor's page for a case: the version revealed with its
/// certificate, what is pending, each item to inspect and decide, service,
/// the defence statement, and the disclosure management document.
pub(crate) fn prosecutor_workspace(
    case: &str,
    officer: &OfficerSession,
    s: &Schedules,
    schedules: Markup,
    versions: Markup,
    material: &[RecordView],
) -> Markup {
    let latest = s.shown_revelation();
    // After a defence statement received since the last service, and a
    // version revealed after it, each line is decided afresh: a decision
    // made before that version is shown as one to make again.
    let last_service = s.services.last().map_or(0, |x| x.record);
    let statement = material
        .iter()
        .rev()
        .find(|r| r.id > last_service && matches!(r.record, CaseRecord::DefenceStatement { .. }))
        .map(|r| r.id);
    let fresh_since = match (statement, latest) {
        (Some(st), Some(r)) if r.record > st => Some(r.record),
        _ => None,
    };
    let items: Vec<Vec<Markup>> = s
        .mg6c
        .iter()
        .map(|l| ("MG6C", l))
        .chain(s.mg6d.iter().map(|l| ("MG6D", l)))
        .map(|(sched, l)| {
            let state = match &l.decision {
                None => tag("TO DECIDE", Tone::Danger),
                Some(d) if fresh_since.is_some_and(|since| d.record < since) => html! {
                    (tag("DECIDE AGAIN", Tone::Danger)) " after the defence statement (was " (d.decision.abbreviation()) ")"
                },
                Some(d) if d.decision == ProsecutorView::Inspect => tag("AWAITING YOUR INSPECTION", Tone::Danger),
                Some(d) => html! {
                    (d.decision.abbreviation())
                    @if let Some(copy) = &d.disclosed_as { " through the redacted copy " (copy) }
                    @if let Some(route) = d.sensitive_route {
                        br;
                        @if route.is_pii() || route == vigil_domain::SensitiveRoute::CaseCannotContinue {
                            (tag(route.label(), Tone::Danger))
                        } @else {
                            (route.label())
                        }
                    }
                },
            };
            vec![html! { (sched) " " (l.number) }, inspect_link(case, &l.item), html! { (l.description) }, state]
        })
        .collect();
    let pending: Vec<Vec<String>> =
        s.pending.iter().map(|p| vec![p.item.clone(), p.change.to_owned(), p.detail.clone()]).collect();
    let services: Vec<Vec<String>> = s
        .services
        .iter()
        .map(|x| {
            vec![
                format!("Version {}", x.version),
                format!("{} {}", x.by, Timestamp::london_of(&x.at)),
                x.defence_statement_due.clone().unwrap_or_else(|| "(not restarted by a later service)".into()),
                x.letter.clone(),
            ]
        })
        .collect();
    let kept: Vec<Vec<String>> = material
        .iter()
        .map(|r| {
            let text = match &r.record {
                CaseRecord::DisclosureManagement { approach } => format!("Disclosure management document: {approach}"),
                CaseRecord::LineOfInquiry { inquiry, direction, outcome } => {
                    format!("Line of inquiry ({direction}): {inquiry}\nOutcome: {outcome}")
                }
                CaseRecord::DefenceStatement { received, issues } => {
                    format!("Defence statement received {received}: {issues}")
                }
                CaseRecord::GroupOffence { offence, inquiry, sequencing, .. } => format!(
                    "Line of inquiry into the activist group: {}\n{inquiry}\nSequencing of the two prosecutions: \
                     {sequencing}",
                    vigil_domain::Choice::label(*offence)
                ),
                CaseRecord::DisclosureReview { result, .. } => format!("{}\n{result}", r.record.summary()),
                CaseRecord::Redaction { original, redacted, reason, removed } => format!(
                    "Redaction log: {redacted} is a redacted copy of {original}\nRemoved: {}\nWhy: {reason}",
                    if removed.is_empty() { "(not logged)".to_owned() } else { removed.join("; ") }
                ),
                other => other.summary(),
            };
            vec![format!("record:{}", r.id), format!("{} {}", r.by, Timestamp::london_of(&r.at)), text]
        })
        .collect();
    html! {
        (breadcrumbs(&[("/cases", "Cases")], &format!("Workspace for {case}")))
        h1 { "Prosecutor's workspace: " (case) }
        @match latest {
            Some(r) => p { "You are working on version " (r.version) ", revealed by " (r.by) " at " (Timestamp::london_of(&r.at)) ": " (r.note) },
            None => p { "No schedules have been revealed for this case yet." },
        }
        h2 #pending { "Pending: changed since this version, not yet revealed" }
        @if pending.is_empty() {
            p { "None: the schedules stand as revealed." }
        } @else {
            p.hint { "The disclosure officer has changed these since; they reach you only when revealed as a new version. Service waits for it." }
            (table(&["Item", "Change", "Detail"], &pending))
        }
        h2 #items { "Inspect and decide" }
        p.hint { "Open an item to inspect it (your read is recorded). \"I\" asks the disclosure officer to make an item available before you decide." }
        (table_of(&["Line", "Item", "Description", "Your decision"], &items))
        @if latest.is_some() { (crate::record_forms::render_prosecutor(case, &officer.csrf)) }
        h2 #service { "Service on the defence" }
        p.hint { "You serve the whole MG6C of this version with the letter; the date starts the defence statement's 28 days (Crown Court). Refused while an item is undecided or awaiting your inspection, or anything is pending." }
        (table(&["Served", "By", "Defence statement due", "Letter"], &services))
        @if latest.is_some() {
            form method="post" action={ "/cases/" (case) "/serve" } {
                (csrf(&officer.csrf))
                label for="serve-letter" { "Letter (CPIA s.3, or the s.7A response after a defence statement)" }
                textarea id="serve-letter" name="letter" {}
                button type="submit" { "Serve this version" }
            }
        }
        h2 #dmd { "Disclosure management, lines of inquiry, redactions and reviews" }
        (table(&["Record", "By", "What"], &kept))
        details {
            summary { "Record a defence statement received" }
            form method="post" action={ "/cases/" (case) "/records/defence-statement" } {
                (csrf(&officer.csrf))
                input type="hidden" name="return_to" value="schedules";
                label for="ds-received" { "Received (date and time)" }
                input type="text" id="ds-received" name="received";
                label for="ds-issues" { "The issues it raises" }
                textarea id="ds-issues" name="issues" {}
                button type="submit" { "Record it" }
            }
        }
        details {
            summary { "Record the disclosure management document (yours to keep)" }
            form method="post" action={ "/cases/" (case) "/records/disclosure-management" } {
                (csrf(&officer.csrf))
                input type="hidden" name="return_to" value="schedules";
                label for="dmd-approach" { "The approach to the material, digital material above all" }
                textarea id="dmd-approach" name="approach" {}
                button type="submit" { "Record it" }
            }
        }
        (schedules)
        (versions)
    }
}

/// One item, inspected: its content as text when it is text.
pub(crate) async fn inspect(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let item = params.get("item").cloned().unwrap_or_default();
    let wanted = item.clone();
    let (case, officer, found) =
        match on_case(&state, &id, &headers, move |v, c, o| v.inspect_item(c, &wanted, o)).await {
            Ok(x) => x,
            Err(r) => return r,
        };
    let c = case.as_str();
    let title = format!("Inspecting {item}");
    let body = html! {
        @if officer.role == Role::Prosecutor {
            (breadcrumbs(&[("/cases", "Cases"), (&format!("/cases/{c}/schedules"), &format!("Workspace for {c}"))], &title))
        } @else {
            (nav(&case, "Inspect"))
        }
        h1 { (title) }
        p { (found.description) }
        p.hint { (found.note) ". This read is recorded in the custody log." }
        @if let Some(text) = &found.text { pre.inspected { (text) } }
    };
    officer_page(&officer, Section::Cases, &title, body).into_response()
}

pub(crate) async fn serve(State(state): State<Arc<AppState>>, Path(id): Path<String>, req: Request) -> Response {
    if let Err(e) = case_id(&id) {
        return crate::case_pages::case_failure(e);
    }
    case_post_then(&state, &id, req, |v, case, o, values| {
        v.serve_schedules(case, values.get("letter").map(String::as_str).unwrap_or(""), o)
            .map(|_| "/schedules#service".to_owned())
    })
    .await
}
