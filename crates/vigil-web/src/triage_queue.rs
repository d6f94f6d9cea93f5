//! The triage queue pages: risk-ordered reports with their factors, a
//! report view (each view is an audited access), and 3x5x2 grading.

use crate::components::{breadcrumbs, csrf, lines, pagination, radios, summary_list, table, tag, text_field, Tone};
use crate::form_input::{field, read_form, refuse_forged, FormError};
use crate::html::Section;
use crate::officer::current;
use crate::AppState;
use axum::extract::{Path, Request, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use std::collections::HashMap;
use std::sync::Arc;
use vigil_core::CoreError;
use vigil_domain::{CloseReason, ExhibitRef, Grade, QueueOrder, ReportState};

fn failure(e: CoreError) -> Response {
    crate::failure::Failure::new(e, "/queue", "Back to the queue").into_response()
}

/// Role first, before any input is read: who may not use a route learns
/// nothing from how it answers bad input.
fn refuse_unless_triage(officer: &vigil_core::OfficerSession) -> Option<Response> {
    if officer.role.works_triage() {
        None
    } else {
        Some(failure(CoreError::Forbidden(format!("the {} role does not work the triage queue", officer.role))))
    }
}

/// A report in a path: its number for a public report (`/reports/7`), or
/// producer and number for a partner referral (`/reports/PA-3`).
fn exhibit_of(n: &str) -> Option<ExhibitRef> {
    match n.split_once('-') {
        Some((producer, number)) if producer == vigil_core::PARTNER_PRODUCER => {
            ExhibitRef::parse(&format!("{producer}/{number}")).ok()
        }
        Some(_) => None,
        None => ExhibitRef::parse(&format!("{}/{n}", vigil_core::INTAKE_PRODUCER)).ok(),
    }
}

/// The inverse of [`exhibit_of`].
pub(crate) fn report_path(e: &ExhibitRef) -> String {
    if e.initials().as_str() == vigil_core::INTAKE_PRODUCER {
        format!("/reports/{}", e.number())
    } else {
        format!("/reports/{}-{}", e.initials().as_str(), e.number())
    }
}

/// `/queue?state=new&sort=age&page=2`: new reports by default, most urgent first.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct QueueQuery {
    state: Option<String>,
    sort: Option<String>,
    page: Option<u64>,
}

fn queue_href(state: ReportState, order: QueueOrder, page: u64) -> String {
    let mut href = format!("/queue?state={}", state.as_str());
    if order != QueueOrder::Urgency {
        href += &format!("&sort={}", order.as_str());
    }
    if page > 1 {
        href += &format!("&page={page}");
    }
    href
}

pub(crate) async fn queue(
    State(state): State<Arc<AppState>>,
    axum::extract::Query(q): axum::extract::Query<QueueQuery>,
    headers: HeaderMap,
) -> Response {
    let Some((_, officer)) = current(&state, &headers).await else { return Redirect::to("/login").into_response() };
    if let Some(r) = refuse_unless_triage(&officer) {
        return r;
    }
    let wanted = match q.state.as_deref().map(ReportState::parse).transpose() {
        Ok(s) => s.unwrap_or(ReportState::New),
        Err(e) => return failure(CoreError::Invalid(e)),
    };
    let order = match q.sort.as_deref().map(QueueOrder::parse).transpose() {
        Ok(o) => o.unwrap_or_default(),
        Err(e) => return failure(CoreError::Invalid(e)),
    };
    let st = state.clone();
    let viewer = officer.clone();
    let r = tokio::task::spawn_blocking(move || {
        let page = st.vigil.triage_queue(&viewer, wanted, order, q.page.unwrap_or(1))?;
        // Supervisors are alerted to repeat reporters here, where they work.
        let repeat = if viewer.role == vigil_domain::Role::Supervisor {
            st.vigil.repeat_reporters(&viewer, st.chis_alert_reports)?
        } else {
            Vec::new()
        };
        Ok::<_, CoreError>((page, st.vigil.now().unix_millis(), repeat))
    })
    .await;
    let (queue, now_ms, repeat) = match r {
        Ok(Ok(i)) => i,
        Ok(Err(e)) => return failure(e),
        Err(e) => return failure(CoreError::Failed(format!("the queue could not be read: {e}"))),
    };
    let targets = state.triage_targets;
    let body = html! {
        (crate::alerts::banner())
        h1 { "Triage queue" }
        @if !repeat.is_empty() {
            section.notice aria-label="Repeat reporters" {
                h2 { "Repeat reporters to review (CHIS status, RIPA 2000 s.26(8))" }
                p {
                    "Each of these people has made " (state.chis_alert_reports) " or more reports. Acting repeatedly on \
                     one member of the public's information may amount to tasking them: decide whether they are, or \
                     should be managed as, a covert human intelligence source."
                }
                @for r in &repeat { (repeat_reporter_notice(r)) }
            }
        }
        @match queue.oldest_open {
            Some(t) => p.oldest {
                "Longest waiting open report: received " strong { (vigil_domain::waited(now_ms - t.unix_millis())) " ago" }
                " (" (t.london()) ")."
            },
            None => p.oldest { "No open reports are waiting." },
        }
        p { "A report must be graded before it can be acted on, unless a child is in immediate danger and it is handed off." }
        nav aria-label="Report states" {
            ul.tabs {
                @for (s, n) in &queue.counts {
                    li {
                        a href=(queue_href(*s, order, 1)) aria-current=[(*s == queue.state).then_some("page")] {
                            (s.label()) " (" (n) ")"
                        }
                    }
                }
            }
        }
        nav aria-label="Order" {
            p {
                "Order: "
                @for (k, o) in QueueOrder::ALL.iter().enumerate() {
                    @if k > 0 { " · " }
                    a href=(queue_href(queue.state, *o, 1)) aria-current=[(*o == order).then_some("true")] { (o.label()) }
                }
            }
        }
        h2 { (queue.state.label()) " reports, " (order.label().to_lowercase()) }
        table {
            thead { tr { th scope="col" { "Report" } th scope="col" { "Received" } th scope="col" { "Risk" } th scope="col" { "Factors" } th scope="col" { "Grade" } } }
            tbody {
                @if queue.items.is_empty() { tr { td colspan="5" { "No reports in this state." } } }
                @for i in &queue.items {
                    tr {
                        td { a href=(report_path(&i.exhibit)) { (i.exhibit.to_string()) } }
                        td {
                            @match vigil_domain::Timestamp::parse(&i.received) {
                                Ok(t) => {
                                    (vigil_domain::waited(now_ms - t.unix_millis())) " ago" br; (t.london())
                                    // Past its time to triage: marked while it waits.
                                    @if queue.state == ReportState::New && targets.overdue(i.immediate_danger, t.unix_millis(), now_ms) {
                                        br; (tag("OVERDUE", Tone::Danger))
                                        " (to be triaged within " (vigil_domain::waited(targets.for_report(i.immediate_danger))) ")"
                                    }
                                },
                                Err(_) => (i.received),
                            }
                        }
                        td { @if i.immediate_danger { (tag("IMMEDIATE DANGER", Tone::Danger)) " " } (i.score) }
                        td {
                            @if i.factors.is_empty() { "none" }
                            @for (k, (f, w)) in i.factors.iter().enumerate() { @if k > 0 { "; " } (f) " (+" (w) ")" }
                        }
                        td {
                            @match (&i.grade, &i.closed_reason) {
                                (_, Some(r)) => { "closed: " (CloseReason::parse(r).map_or(r.as_str(), |r| r.label())) },
                                (Some(g), None) => (g),
                                (None, None) => "not graded",
                            }
                        }
                    }
                }
            }
        }
        (pagination(queue.page, queue.pages, |p| queue_href(queue.state, order, p)))
    };
    crate::html::officer_page(&officer, Section::Queue, "Triage queue", body).into_response()
}

const SOURCE_GRADES: &[(&str, &str)] = &[("1", "1 reliable"), ("2", "2 untested"), ("3", "3 not reliable")];
const INTELLIGENCE_GRADES: &[(&str, &str)] = &[
    ("A", "A known directly"),
    ("B", "B indirectly, corroborated"),
    ("C", "C indirectly"),
    ("D", "D not known"),
    ("E", "E suspected false"),
];
const HANDLING_CODES: &[(&str, &str)] = &[("P", "P lawful sharing permitted"), ("C", "C sharing with conditions")];

/// The same reporter's other reports; at the alert level, the CHIS warning.
fn repeat_reporter_notice(r: &vigil_core::RepeatReporter) -> maud::Markup {
    html! {
        section.notice aria-label="Repeat reporter" {
            @if r.alert {
                p {
                    (tag("CHIS?", Tone::Danger)) " "
                    strong { "Repeat reporter: " (r.reports.len()) " reports from the same person (reporter " (r.label) ")." }
                    " Acting repeatedly on one member of the public's reports may amount to tasking them, which makes \
                     them a covert human intelligence source (RIPA 2000 s.26(8)): a supervisor must review before \
                     anything more is asked of them."
                }
            } @else {
                p { "The same person (reporter " (r.label) ") has made " (r.reports.len()) " reports." }
            }
            ul.inline {
                @for e in &r.reports {
                    li { a href=(report_path(e)) { (e.to_string()) } }
                }
            }
        }
    }
}

pub(crate) async fn view(State(state): State<Arc<AppState>>, Path(n): Path<String>, headers: HeaderMap) -> Response {
    let Some((_, officer)) = current(&state, &headers).await else { return Redirect::to("/login").into_response() };
    let Some(exhibit) = exhibit_of(&n) else { return failure(CoreError::NoSuchExhibit(n)) };
    let csrf_token = officer.csrf.clone();
    let viewer = officer.clone();
    let st = state.clone();
    let ex = exhibit.clone();
    let r = tokio::task::spawn_blocking(move || {
        let v = &st.vigil;
        let (item, report) = v.read_report(&ex, &officer, "triage review")?;
        let cases = v.cases_of_report(&ex)?;
        let links = v.linked_reports(&ex, &officer)?;
        let history = v.grade_history(&ex)?;
        let chats = v.chats_holding_report_identifiers(&ex, &officer)?;
        let additions = v.report_additions(&ex, &officer)?;
        let reporter = v.reporter_of(&ex, &officer, st.chis_alert_reports)?;
        Ok::<_, CoreError>((item, report, cases, links, history, chats, additions, reporter))
    })
    .await;
    let (item, report, cases, links, history, chats, additions, reporter) = match r {
        Ok(Ok(x)) => x,
        Ok(Err(e)) => return failure(e),
        Err(e) => return failure(CoreError::Failed(format!("the report could not be read: {e}"))),
    };
    let pretty = serde_json::to_string_pretty(&report).unwrap_or_default();
    // Where the grader starts: how the reporter knows what they report.
    let about: vigil_domain::ReporterAnswers =
        serde_json::from_value(report["report"]["about"].clone()).unwrap_or_default();
    let fresh = additions.iter().filter(|a| a.new).count();
    let history_rows: Vec<Vec<String>> =
        history.iter().map(|h| vec![h.grade.clone(), h.reason.clone(), h.by.clone(), h.at.london()]).collect();
    let body = html! {
        (crate::alerts::banner())
        (breadcrumbs(&[("/queue", "Triage queue")], &format!("Report {exhibit}")))
        h1 { "Report " (exhibit.to_string()) }
        p {
            "This view is recorded in the custody log. "
            a href={ "/reports/" (n) "/sanitised.json" } { "Sanitised version for sharing" } " (no reporter details)."
        }
        @if fresh > 0 {
            p.notice { (tag("NEW", Tone::New)) " The reporter has added information you have not read: " a href="#additions" { "read it below" } "." }
        }
        @if let Some(r) = reporter.as_ref().filter(|r| r.reports.len() > 1) {
            (repeat_reporter_notice(r))
        }
        h2 { "Risk " (item.score) }
        ul { @for (f, w) in &item.factors { li { (f) " (+" (w) ")" } } }
        h2 { "Report" }
        (readable(&report, &pretty))
        @if !additions.is_empty() {
            h2 #additions {
                "Added later by the reporter (" (additions.len())
                @if fresh > 0 { ", " (fresh) " new to you" }
                ")"
            }
            p.hint { "With their receipt, in the order it arrived." }
            dl.summary {
                @for a in &additions {
                    dt { (a.received) " (" (a.exhibit.to_string()) ")" @if a.new { " " (tag("NEW", Tone::New)) } }
                    dd { (lines(&a.text)) }
                }
            }
        }
        h2 { "Linked reports" }
        @if links.is_empty() {
            p { "No other report shares an identifier with this one." }
        } @else {
            p { "Reports sharing identifiers with this one, strongest link first. A shared identifier is not an attribution to any person." }
            ul {
                @for (k, l) in links.iter().enumerate() {
                    li {
                        a href=(report_path(&l.exhibit)) { (l.exhibit.to_string()) } ": "
                        @for (j, why) in l.shared.iter().chain(l.manual.iter()).enumerate() { @if j > 0 { ", " } (why) }
                        " (weight " (format!("{:.2}", l.weight)) ") "
                        form.inline method="post" action={ "/reports/" (n) "/unlink" } {
                            (csrf(&csrf_token))
                            input type="hidden" name="other" value=(l.exhibit.to_string());
                            label for={ "unlink-reason-" (k) } { "Reason to unlink" }
                            input type="text" id={ "unlink-reason-" (k) } name="reason";
                            button type="submit" { "Unlink" }
                        }
                    }
                }
            }
        }
        @if !chats.is_empty() {
            h2 { "In chat exports" }
            p { "Chat exports held as evidence in which an identifier of this report was found. A shared identifier is not an attribution to any person." }
            ul {
                @for c in &chats {
                    li { (c.identifier) " in exhibit " (c.exhibit.to_string()) " (case " (c.case.as_str()) "): " (c.occurrences) " time(s), first at " (c.first_source) }
                }
            }
        }
        form method="post" action={ "/reports/" (n) "/link" } {
            (csrf(&csrf_token))
            label for="link-other" { "Link to another report by hand" }
            p.hint id="link-other-hint" { "Its reference, such as PR/12 or PA/3" }
            input type="text" id="link-other" name="other" aria-describedby="link-other-hint";
            label for="link-reason" { "Reason" }
            input type="text" id="link-reason" name="reason";
            button type="submit" { "Link reports" }
        }
        @if item.immediate_danger {
            // A child at risk now: the hand-off comes first, before any grading.
            h2 #handoff { "Immediate danger: hand off now" }
            p.hint { "Record who took it on and their reference. A handed-off report can open a case before it is graded." }
            form method="post" action={ "/reports/" (n) "/handoff" } {
                (csrf(&csrf_token))
                fieldset #handoff-target {
                    legend { "Handed to" }
                    div.radios {
                        @for t in vigil_domain::HandoffTarget::ALL {
                            input type="radio" id={ "handoff-" (t.as_str()) } name="target" value=(t.as_str());
                            label for={ "handoff-" (t.as_str()) } { (t.label()) } " "
                        }
                    }
                }
                label for="handoff-reference" { "Their reference (incident log or force reference)" }
                input type="text" id="handoff-reference" name="reference";
                label for="handoff-note" { "What was passed on and what they will do" }
                input type="text" id="handoff-note" name="note";
                button type="submit" { "Record hand-off" }
            }
        }
        h2 { "Grade (3x5x2)" }
        p { "Current: " (item.grade.as_deref().unwrap_or("not graded")) }
        @if let Some(h) = about.how_known {
            p {
                "The reporter says: "
                (match h {
                    vigil_domain::HowKnown::SawItMyself => "they saw it themselves",
                    vigil_domain::HowKnown::WasTold => "someone told them",
                    vigil_domain::HowKnown::FoundOnline => "they found it online",
                })
                ". Suggested intelligence grade: " (h.suggested_intelligence()) "."
            }
        }
        @if about.contacted_or_posed == Some(true) {
            p.error { "The reporter says they contacted the person or posed as a child: consider admissibility and their safety." }
        }
        form method="post" action={ "/reports/" (n) "/grade" } {
            (csrf(&csrf_token))
            (radios("source", "Source", SOURCE_GRADES, None, None))
            (radios("intelligence", "Intelligence", INTELLIGENCE_GRADES, None, None))
            (radios("handling", "Handling", HANDLING_CODES, None, None))
            label for="conditions" { "Conditions (for C)" }
            input type="text" id="conditions" name="conditions";
            label for="grade-reason" { "Reason for this grade" }
            input type="text" id="grade-reason" name="reason";
            button type="submit" { "Save grade" }
        }
        @if !history.is_empty() {
            h3 { "Grade history" }
            (table(&["Grade", "Reason", "By", "When"], &history_rows))
        }
        @if item.state.is_open() {
            h2 { "Close without a case" }
            form method="post" action={ "/reports/" (n) "/close" } {
                (csrf(&csrf_token))
                fieldset #close-reason {
                    legend { "Reason" }
                    div.radios {
                        @for r in CloseReason::ALL {
                            input type="radio" id={ "close-" (r.as_str()) } name="reason" value=(r.as_str());
                            label for={ "close-" (r.as_str()) } { (r.label()) } " "
                        }
                    }
                }
                label for="close-note" { "Note (optional)" }
                input type="text" id="close-note" name="note";
                button type="submit" { "Close report" }
            }
        } @else {
            h2 { "State" }
            p { (item.state.label()) }
        }
        h2 { "Case" }
        p {
            "In case(s): "
            @if cases.is_empty() { "none" }
            @for (k, c) in cases.iter().enumerate() { @if k > 0 { ", " } a href={ "/cases/" (c.as_str()) } { (c.as_str()) } }
        }
        p.hint { "A report must be graded before it can be added to a case, unless it is immediate danger and handed off." }
        form method="post" action={ "/reports/" (n) "/case" } {
            (csrf(&csrf_token))
            (text_field("case", "Case ID", "An existing case, or a new ID such as OP-LANTERN-2026", "", None))
            (text_field("title", "Title (for a new case)", "", "", None))
            button type="submit" { "Open case or add to case" }
        }
        p { a href="/queue" { "Back to the queue" } }
    };
    crate::html::officer_page(&viewer, Section::Queue, &format!("Report {exhibit}"), body).into_response()
}

/// What every triage form post checks, in this order: a session, a triage
/// role (before any input is read), the report, the form, its CSRF token.
async fn triage_post(
    state: &Arc<AppState>,
    n: &str,
    req: Request,
) -> Result<(vigil_core::OfficerSession, ExhibitRef, HashMap<String, String>), Response> {
    let Some((_, officer)) = current(state, req.headers()).await else {
        return Err(Redirect::to("/login").into_response());
    };
    if let Some(r) = refuse_unless_triage(&officer) {
        return Err(r);
    }
    let exhibit = exhibit_of(n).ok_or_else(|| failure(CoreError::NoSuchExhibit(n.to_owned())))?;
    let values = read_form(state, req).await.map_err(FormError::into_text)?;
    if let Some(r) = refuse_forged(&values, &officer.csrf) {
        return Err(r);
    }
    Ok((officer, exhibit, values))
}

pub(crate) async fn grade(State(state): State<Arc<AppState>>, Path(n): Path<String>, req: Request) -> Response {
    let (officer, exhibit, values) = match triage_post(&state, &n, req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let get = |k: &str| field(&values, k);
    let text = format!(
        "{}/{}/{}{}",
        get("source"),
        get("intelligence"),
        get("handling"),
        if get("handling") == "C" { format!(": {}", get("conditions")) } else { String::new() }
    );
    let g = match Grade::parse(&text) {
        Ok(g) => g,
        Err(e) => return failure(CoreError::Invalid(e)),
    };
    let reason = get("reason");
    let st = state.clone();
    let r = tokio::task::spawn_blocking(move || st.vigil.grade_report(&exhibit, &g, &reason, &officer)).await;
    match r {
        Ok(Ok(_)) => Redirect::to(&format!("/reports/{n}")).into_response(),
        Ok(Err(e)) => failure(e),
        Err(e) => failure(CoreError::Failed(format!("the grade could not be saved: {e}"))),
    }
}

pub(crate) async fn to_case(State(state): State<Arc<AppState>>, Path(n): Path<String>, req: Request) -> Response {
    let (officer, exhibit, values) = match triage_post(&state, &n, req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let case = match vigil_domain::CaseId::parse(field(&values, "case").trim()) {
        Ok(c) => c,
        Err(e) => return failure(CoreError::Invalid(e)),
    };
    let title = field(&values, "title");
    let st = state.clone();
    let r = tokio::task::spawn_blocking(move || st.vigil.report_to_case(&exhibit, &case, Some(&title), &officer)).await;
    match r {
        Ok(Ok(_)) => Redirect::to(&format!("/reports/{n}")).into_response(),
        Ok(Err(e)) => failure(e),
        Err(e) => failure(CoreError::Failed(format!("the case could not be saved: {e}"))),
    }
}

async fn set_link(state: Arc<AppState>, n: String, req: Request, linked: bool) -> Response {
    let (officer, exhibit, values) = match triage_post(&state, &n, req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let other = match ExhibitRef::parse(field(&values, "other").trim()) {
        Ok(o) => o,
        Err(e) => return failure(CoreError::Invalid(e)),
    };
    let reason = field(&values, "reason");
    let st = state.clone();
    let r = tokio::task::spawn_blocking(move || st.vigil.set_report_link(&exhibit, &other, linked, &reason, &officer))
        .await;
    match r {
        Ok(Ok(())) => Redirect::to(&format!("/reports/{n}")).into_response(),
        Ok(Err(e)) => failure(e),
        Err(e) => failure(CoreError::Failed(format!("the link could not be saved: {e}"))),
    }
}

pub(crate) async fn close(State(state): State<Arc<AppState>>, Path(n): Path<String>, req: Request) -> Response {
    let (officer, exhibit, values) = match triage_post(&state, &n, req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let reason = match CloseReason::parse(field(&values, "reason").trim()) {
        Ok(r) => r,
        Err(e) => return failure(CoreError::Invalid(e)),
    };
    let note = field(&values, "note");
    let st = state.clone();
    let r = tokio::task::spawn_blocking(move || st.vigil.close_report(&exhibit, reason, &note, &officer)).await;
    match r {
        Ok(Ok(_)) => Redirect::to("/queue").into_response(),
        Ok(Err(e)) => failure(e),
        Err(e) => failure(CoreError::Failed(format!("the report could not be closed: {e}"))),
    }
}

/// The report as it may be shared beyond the team (no reporter details);
/// the read is recorded.
pub(crate) async fn sanitised(
    State(state): State<Arc<AppState>>,
    Path(n): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some((_, officer)) = current(&state, &headers).await else { return Redirect::to("/login").into_response() };
    if let Some(r) = refuse_unless_triage(&officer) {
        return r;
    }
    let Some(exhibit) = exhibit_of(&n) else { return failure(CoreError::NoSuchExhibit(n)) };
    let st = state.clone();
    let r = tokio::task::spawn_blocking(move || {
        st.vigil.sanitised_report(&exhibit, &officer, "sanitised version for sharing")
    })
    .await;
    match r {
        Ok(Ok(v)) => (
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            serde_json::to_string_pretty(&v).unwrap_or_default(),
        )
            .into_response(),
        Ok(Err(e)) => failure(e),
        Err(e) => failure(CoreError::Failed(format!("the report could not be read: {e}"))),
    }
}

pub(crate) async fn handoff(State(state): State<Arc<AppState>>, Path(n): Path<String>, req: Request) -> Response {
    let (officer, exhibit, values) = match triage_post(&state, &n, req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let target = match vigil_domain::HandoffTarget::parse(field(&values, "target").trim()) {
        Ok(t) => t,
        Err(e) => return failure(CoreError::Invalid(e)),
    };
    let h = vigil_domain::Handoff { target, reference: field(&values, "reference"), note: field(&values, "note") };
    let st = state.clone();
    let back = report_path(&exhibit);
    let r = tokio::task::spawn_blocking(move || st.vigil.record_handoff(&exhibit, &h, &officer)).await;
    match r {
        Ok(Ok(())) => Redirect::to(&back).into_response(),
        Ok(Err(e)) => failure(e),
        Err(e) => failure(CoreError::Failed(format!("the hand-off could not be recorded: {e}"))),
    }
}

pub(crate) async fn link(State(state): State<Arc<AppState>>, Path(n): Path<String>, req: Request) -> Response {
    set_link(state, n, req, true).await
}

pub(crate) async fn unlink(State(state): State<Arc<AppState>>, Path(n): Path<String>, req: Request) -> Response {
    set_link(state, n, req, false).await
}

/// A public report as the reporter answered it: each answer under its
/// question, as the form asked it. A partner's referral (another shape) is
/// shown as stored.
fn readable(report: &serde_json::Value, pretty: &str) -> Markup {
    use crate::report_form::{option_label, question, HOW_KNOWN_OPTIONS, KIND_OPTIONS};
    // A public report is stored as {submitted, report, attachments}.
    let Some(Ok(r)) = report.get("report").map(|r| serde_json::from_value::<vigil_domain::PublicReport>(r.clone()))
    else {
        return html! { pre { (pretty) } };
    };
    let submitted = report.get("submitted").and_then(|s| s.as_str()).map(vigil_domain::Timestamp::london_of);
    let files: Vec<String> = report
        .get("attachments")
        .and_then(|a| a.as_array())
        .map(|a| {
            a.iter()
                .map(|f| {
                    let name = f.get("name").and_then(|n| n.as_str()).unwrap_or("?");
                    let kind = f.get("type").and_then(|n| n.as_str()).unwrap_or("?");
                    format!("{name} ({kind}; its content is read only on request, and the read is recorded)")
                })
                .collect()
        })
        .unwrap_or_default();
    let yes_no = |b: bool| if b { "Yes" } else { "No" }.to_owned();
    let optional = |b: Option<bool>| b.map_or_else(|| "Not answered".to_owned(), yes_no);
    let text = |t: &str| if t.trim().is_empty() { "Not given".to_owned() } else { t.to_owned() };
    let how = r.about.how_known.and_then(|h| serde_json::to_value(h).ok()).and_then(|h| h.as_str().map(str::to_owned));
    let identifiers: Vec<String> = r
        .identifiers
        .iter()
        .map(|i| match vigil_domain::Identifier::normalise(i, &r.platform) {
            Some(n) => format!("{i} (normalised: {n})"),
            None => i.clone(),
        })
        .collect();
    let rows: Vec<(&str, String)> = vec![
        (question("kind"), option_label(KIND_OPTIONS, r.kind.as_str())),
        (question("immediate_danger"), yes_no(r.immediate_danger)),
        (question("meeting_planned"), yes_no(r.meeting_planned)),
        (question("images_exchanged"), yes_no(r.images_exchanged)),
        (question("platform"), text(&r.platform)),
        (question("identifiers"), if identifiers.is_empty() { "None given".into() } else { identifiers.join("\n") }),
        (question("child"), text(&r.child)),
        (question("dates"), text(&r.dates)),
        (question("how_known"), how.map_or_else(|| "Not answered".into(), |h| option_label(HOW_KNOWN_OPTIONS, &h))),
        (
            question("child_location"),
            r.about.child_location.clone().map_or_else(|| "Not answered".into(), |l| text(&l)),
        ),
        (question("reporter_is_child"), optional(r.about.reporter_is_child)),
        (question("would_give_statement"), optional(r.about.would_give_statement)),
        (question("contacted_or_posed"), optional(r.about.contacted_or_posed)),
        (question("account"), text(&r.account)),
        (question("contact"), r.contact.clone().map_or_else(|| "Anonymous".into(), |c| text(&c))),
        ("Files attached", if files.is_empty() { "None".to_owned() } else { files.join("\n") }),
    ];
    let items: Vec<(&str, Markup)> = rows.iter().map(|(q, a)| (*q, lines(a))).collect();
    html! {
        @if let Some(t) = submitted { p { "Sent " (t) "." } }
        (summary_list(&items))
        details { summary { "The report as stored (JSON)" } pre { (pretty) } }
    }
}
