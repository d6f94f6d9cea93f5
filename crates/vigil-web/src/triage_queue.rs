//! The triage queue pages: risk-ordered reports with their factors, a
//! report view (each view is an audited access), and 3x5x2 grading.

use crate::form_input::{field, read_form, refuse_forged, FormError};
use crate::html::esc;
use crate::officer::current;
use crate::AppState;
use axum::extract::{Path, Request, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::HashMap;
use std::sync::Arc;
use vigil_core::CoreError;
use vigil_domain::{CloseReason, ExhibitRef, Grade, ReportState};

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

/// `/queue?state=new&page=2`: open reports by default, most urgent first.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct QueueQuery {
    state: Option<String>,
    page: Option<u64>,
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
    let st = state.clone();
    let viewer = officer.clone();
    let r = tokio::task::spawn_blocking(move || st.vigil.triage_queue(&viewer, wanted, q.page.unwrap_or(1))).await;
    let queue = match r {
        Ok(Ok(i)) => i,
        Ok(Err(e)) => return failure(e),
        Err(e) => return failure(CoreError::Failed(format!("the queue could not be read: {e}"))),
    };
    let mut body = String::from(crate::alerts::BANNER);
    body += "<h1>Triage queue</h1><p>Most urgent first. A report must be graded before it can be acted on.</p>";
    body += "<nav aria-label=\"Report states\"><ul class=\"tabs\">";
    for (s, n) in &queue.counts {
        let current = if *s == queue.state { " aria-current=\"page\"" } else { "" };
        body += &format!("<li><a href=\"/queue?state={}\"{current}>{} ({n})</a></li>", s.as_str(), s.label());
    }
    body += "</ul></nav>";
    body += &format!(
        "<h2>{} reports</h2><table><thead><tr><th>Report</th><th>Received</th><th>Risk</th><th>Factors</th><th>Grade</th></tr></thead><tbody>",
        queue.state.label()
    );
    if queue.items.is_empty() {
        body += "<tr><td colspan=\"5\">No reports in this state.</td></tr>";
    }
    let now_ms = vigil_core::now().unix_millis();
    let targets = state.triage_targets;
    for i in &queue.items {
        let href = report_path(&i.exhibit);
        // How long it has waited, and whether it is past its time to triage.
        let received = match vigil_domain::Timestamp::parse(&i.received) {
            Ok(t) => {
                let ms = t.unix_millis();
                let mut cell = format!("{} ago<br>{}", vigil_domain::waited(now_ms - ms), esc(&t.london()));
                if queue.state == ReportState::New && targets.overdue(i.immediate_danger, ms, now_ms) {
                    cell += &format!(
                        "<br><strong class=\"error\">OVERDUE</strong> (to be triaged within {})",
                        vigil_domain::waited(targets.for_report(i.immediate_danger))
                    );
                }
                cell
            }
            Err(_) => esc(&i.received),
        };
        let danger = if i.immediate_danger { "<strong class=\"error\">IMMEDIATE DANGER</strong> " } else { "" };
        let factors: Vec<String> = i.factors.iter().map(|(f, w)| format!("{} (+{w})", esc(f))).collect();
        let grade = match (&i.grade, &i.closed_reason) {
            (_, Some(r)) => format!("closed: {}", CloseReason::parse(r).map_or(r.as_str(), |r| r.label())),
            (Some(g), None) => g.clone(),
            (None, None) => "not graded".into(),
        };
        body += &format!(
            "<tr><td><a href=\"{href}\">{}</a></td><td>{received}</td><td>{danger}{}</td><td>{}</td><td>{}</td></tr>",
            esc(&i.exhibit.to_string()),
            i.score,
            if factors.is_empty() { "none".to_string() } else { factors.join("; ") },
            esc(&grade)
        );
    }
    body += "</tbody></table>";
    if queue.pages > 1 {
        body += &format!("<nav aria-label=\"Pages\"><p>Page {} of {}", queue.page, queue.pages);
        let st = queue.state.as_str();
        if queue.page > 1 {
            body += &format!(" · <a href=\"/queue?state={st}&amp;page={}\" rel=\"prev\">Previous</a>", queue.page - 1);
        }
        if queue.page < queue.pages {
            body += &format!(" · <a href=\"/queue?state={st}&amp;page={}\" rel=\"next\">Next</a>", queue.page + 1);
        }
        body += "</p></nav>";
    }
    crate::html::officer_page(&officer, "Triage queue", &body).into_response()
}

pub(crate) async fn view(State(state): State<Arc<AppState>>, Path(n): Path<String>, headers: HeaderMap) -> Response {
    let Some((_, officer)) = current(&state, &headers).await else { return Redirect::to("/login").into_response() };
    let Some(exhibit) = exhibit_of(&n) else { return failure(CoreError::NoSuchExhibit(n)) };
    let csrf = officer.csrf.clone();
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
        Ok::<_, CoreError>((item, report, cases, links, history, chats, additions))
    })
    .await;
    let (item, report, cases, links, history, chats, additions) = match r {
        Ok(Ok(x)) => x,
        Ok(Err(e)) => return failure(e),
        Err(e) => return failure(CoreError::Failed(format!("the report could not be read: {e}"))),
    };
    let pretty = serde_json::to_string_pretty(&report).unwrap_or_default();
    let factors: Vec<String> = item.factors.iter().map(|(f, w)| format!("<li>{} (+{w})</li>", esc(f))).collect();
    let mut body = format!(
        "<h1>Report {}</h1><p>This view is recorded in the custody log. \
         <a href=\"/reports/{n}/sanitised.json\">Sanitised version for sharing</a> (no reporter details).</p><h2>Risk {}</h2><ul>{}</ul><h2>Report</h2>{}",
        esc(&exhibit.to_string()),
        item.score,
        factors.join(""),
        readable(&report, &pretty)
    );
    if !additions.is_empty() {
        let fresh = additions.iter().filter(|a| a.new).count();
        body += &format!(
            "<h2>Added later by the reporter ({}{})</h2><p class=\"hint\">With their receipt, in the order it arrived.</p><dl class=\"summary\">",
            additions.len(),
            if fresh > 0 { format!(", {fresh} new to you") } else { String::new() }
        );
        for a in &additions {
            let tag = if a.new { " <strong class=\"error\">NEW</strong>" } else { "" };
            body += &format!(
                "<dt>{} ({}){tag}</dt><dd>{}</dd>",
                esc(&a.received),
                esc(&a.exhibit.to_string()),
                esc(&a.text).replace('\n', "<br>")
            );
        }
        body += "</dl>";
    }
    body += "<h2>Linked reports</h2>";
    if links.is_empty() {
        body += "<p>No other report shares an identifier with this one.</p>";
    } else {
        body += "<p>Reports sharing identifiers with this one, strongest link first. A shared identifier is not an attribution to any person.</p><ul>";
        for (k, l) in links.iter().enumerate() {
            let mut why: Vec<String> = l.shared.iter().map(|s| esc(s)).collect();
            if let Some(m) = &l.manual {
                why.push(esc(m));
            }
            body += &format!(
                "<li><a href=\"{}\">{}</a>: {} (weight {:.2}) \
                 <form method=\"post\" action=\"/reports/{n}/unlink\" class=\"inline\">\
                 <input type=\"hidden\" name=\"csrf\" value=\"{}\"><input type=\"hidden\" name=\"other\" value=\"{}\">\
                 <label for=\"unlink-reason-{k}\">Reason to unlink</label><input type=\"text\" id=\"unlink-reason-{k}\" name=\"reason\">\
                 <button type=\"submit\">Unlink</button></form></li>",
                report_path(&l.exhibit),
                esc(&l.exhibit.to_string()),
                why.join(", "),
                l.weight,
                esc(&csrf),
                esc(&l.exhibit.to_string()),
            );
        }
        body += "</ul>";
    }
    if !chats.is_empty() {
        body += "<h2>In chat exports</h2><p>Chat exports held as evidence in which an identifier of this report was found. \
                 A shared identifier is not an attribution to any person.</p><ul>";
        for c in &chats {
            body += &format!(
                "<li>{} in exhibit {} (case {}): {} time(s), first at {}</li>",
                esc(&c.identifier),
                esc(&c.exhibit.to_string()),
                esc(c.case.as_str()),
                c.occurrences,
                esc(&c.first_source)
            );
        }
        body += "</ul>";
    }
    body += &format!(
        "<form method=\"post\" action=\"/reports/{n}/link\"><input type=\"hidden\" name=\"csrf\" value=\"{}\">\
         <label for=\"link-other\">Link to another report by hand</label><p class=\"hint\" id=\"link-other-hint\">Its reference, such as PR/12 or PA/3</p>\
         <input type=\"text\" id=\"link-other\" name=\"other\" aria-describedby=\"link-other-hint\">\
         <label for=\"link-reason\">Reason</label><input type=\"text\" id=\"link-reason\" name=\"reason\">\
         <button type=\"submit\">Link reports</button></form>",
        esc(&csrf)
    );
    if item.immediate_danger {
        // A child at risk now: the hand-off comes first, before any grading.
        body += &format!(
            "<h2 id=\"handoff\">Immediate danger: hand off now</h2>\
             <p class=\"hint\">Record who took it on and their reference. A handed-off report can open a case before it is graded.</p>\
             <form method=\"post\" action=\"/reports/{n}/handoff\"><input type=\"hidden\" name=\"csrf\" value=\"{}\">\
             <fieldset id=\"handoff-target\"><legend>Handed to</legend><div class=\"radios\">",
            esc(&csrf)
        );
        for t in vigil_domain::HandoffTarget::ALL {
            body += &format!(
                "<input type=\"radio\" id=\"handoff-{0}\" name=\"target\" value=\"{0}\"><label for=\"handoff-{0}\">{1}</label> ",
                t.as_str(),
                esc(t.label())
            );
        }
        body += "</div></fieldset><label for=\"handoff-reference\">Their reference (incident log or force reference)</label>\
                 <input type=\"text\" id=\"handoff-reference\" name=\"reference\">\
                 <label for=\"handoff-note\">What was passed on and what they will do</label>\
                 <input type=\"text\" id=\"handoff-note\" name=\"note\"><button type=\"submit\">Record hand-off</button></form>";
    }
    body += &format!("<h2>Grade (3x5x2)</h2><p>Current: {}</p>", esc(item.grade.as_deref().unwrap_or("not graded")));
    // Where the grader starts: how the reporter knows what they report.
    let about: vigil_domain::ReporterAnswers =
        serde_json::from_value(report["report"]["about"].clone()).unwrap_or_default();
    if let Some(h) = about.how_known {
        body += &format!(
            "<p>The reporter says: {}. Suggested intelligence grade: {}.</p>",
            match h {
                vigil_domain::HowKnown::SawItMyself => "they saw it themselves",
                vigil_domain::HowKnown::WasTold => "someone told them",
                vigil_domain::HowKnown::FoundOnline => "they found it online",
            },
            h.suggested_intelligence()
        );
    }
    if about.contacted_or_posed == Some(true) {
        body += "<p class=\"error\">The reporter says they contacted the person or posed as a child: \
                 consider admissibility and their safety.</p>";
    }
    body += &format!(
        "<form method=\"post\" action=\"/reports/{n}/grade\"><input type=\"hidden\" name=\"csrf\" value=\"{}\">",
        esc(&csrf)
    );
    body += "<fieldset id=\"source\"><legend>Source</legend><div class=\"radios\">";
    for (v, l) in [("1", "1 reliable"), ("2", "2 untested"), ("3", "3 not reliable")] {
        body += &format!("<input type=\"radio\" id=\"source-{v}\" name=\"source\" value=\"{v}\"><label for=\"source-{v}\">{l}</label> ");
    }
    body += "</div></fieldset><fieldset id=\"intelligence\"><legend>Intelligence</legend><div class=\"radios\">";
    for (v, l) in [
        ("A", "A known directly"),
        ("B", "B indirectly, corroborated"),
        ("C", "C indirectly"),
        ("D", "D not known"),
        ("E", "E suspected false"),
    ] {
        body += &format!("<input type=\"radio\" id=\"intelligence-{v}\" name=\"intelligence\" value=\"{v}\"><label for=\"intelligence-{v}\">{l}</label> ");
    }
    body += "</div></fieldset><fieldset id=\"handling\"><legend>Handling</legend><div class=\"radios\">\
             <input type=\"radio\" id=\"handling-P\" name=\"handling\" value=\"P\"><label for=\"handling-P\">P lawful sharing permitted</label> \
             <input type=\"radio\" id=\"handling-C\" name=\"handling\" value=\"C\"><label for=\"handling-C\">C sharing with conditions</label></div></fieldset>\
             <label for=\"conditions\">Conditions (for C)</label><input type=\"text\" id=\"conditions\" name=\"conditions\">\
             <label for=\"grade-reason\">Reason for this grade</label><input type=\"text\" id=\"grade-reason\" name=\"reason\">\
             <button type=\"submit\">Save grade</button></form>";
    if !history.is_empty() {
        body += "<h3>Grade history</h3>";
        body += &crate::case_pages::table(
            &["Grade", "Reason", "By", "When"],
            &history
                .iter()
                .map(|h| vec![h.grade.clone(), h.reason.clone(), h.by.clone(), h.at.london()])
                .collect::<Vec<_>>(),
        );
    }
    if item.state.is_open() {
        body += &format!(
            "<h2>Close without a case</h2><form method=\"post\" action=\"/reports/{n}/close\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{}\"><fieldset id=\"close-reason\"><legend>Reason</legend><div class=\"radios\">",
            esc(&csrf)
        );
        for r in CloseReason::ALL {
            body += &format!(
                "<input type=\"radio\" id=\"close-{0}\" name=\"reason\" value=\"{0}\"><label for=\"close-{0}\">{1}</label> ",
                r.as_str(),
                r.label()
            );
        }
        body += "</div></fieldset><label for=\"close-note\">Note (optional)</label><input type=\"text\" id=\"close-note\" name=\"note\">\
                 <button type=\"submit\">Close report</button></form>";
    } else {
        body += &format!("<h2>State</h2><p>{}</p>", item.state.label());
    }
    let case_list: Vec<String> = cases.iter().map(|c| esc(c.as_str())).collect();
    body += &format!(
        "<h2>Case</h2><p>In case(s): {}</p><p class=\"hint\">A report must be graded before it can be added to a case, unless it is immediate danger and handed off.</p>\
         <form method=\"post\" action=\"/reports/{n}/case\"><input type=\"hidden\" name=\"csrf\" value=\"{}\">\
         <label for=\"case\">Case ID</label><p class=\"hint\" id=\"case-hint\">An existing case, or a new ID such as OP-LANTERN-2026</p>\
         <input type=\"text\" id=\"case\" name=\"case\" aria-describedby=\"case-hint\">\
         <label for=\"title\">Title (for a new case)</label><input type=\"text\" id=\"title\" name=\"title\">\
         <button type=\"submit\">Open case or add to case</button></form><p><a href=\"/queue\">Back to the queue</a></p>",
        if case_list.is_empty() { "none".to_string() } else { case_list.join(", ") },
        esc(&csrf)
    );
    crate::html::officer_page(&viewer, "Report", &body).into_response()
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
fn readable(report: &serde_json::Value, pretty: &str) -> String {
    use crate::report_form::{option_label, question, HOW_KNOWN_OPTIONS, KIND_OPTIONS};
    // A public report is stored as {submitted, report, attachments}.
    let Some(Ok(r)) = report.get("report").map(|r| serde_json::from_value::<vigil_domain::PublicReport>(r.clone()))
    else {
        return format!("<pre>{}</pre>", esc(pretty));
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
    let kind = serde_json::to_value(r.kind).ok().and_then(|k| k.as_str().map(str::to_owned)).unwrap_or_default();
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
        ("kind", option_label(KIND_OPTIONS, &kind)),
        ("immediate_danger", yes_no(r.immediate_danger)),
        ("meeting_planned", yes_no(r.meeting_planned)),
        ("images_exchanged", yes_no(r.images_exchanged)),
        ("platform", text(&r.platform)),
        ("identifiers", if identifiers.is_empty() { "None given".into() } else { identifiers.join("\n") }),
        ("child", text(&r.child)),
        ("dates", text(&r.dates)),
        ("how_known", how.map_or_else(|| "Not answered".into(), |h| option_label(HOW_KNOWN_OPTIONS, &h))),
        ("child_location", r.about.child_location.clone().map_or_else(|| "Not answered".into(), |l| text(&l))),
        ("reporter_is_child", optional(r.about.reporter_is_child)),
        ("would_give_statement", optional(r.about.would_give_statement)),
        ("contacted_or_posed", optional(r.about.contacted_or_posed)),
        ("account", text(&r.account)),
        ("contact", r.contact.clone().map_or_else(|| "Anonymous".into(), |c| text(&c))),
    ];
    let files = if files.is_empty() { "None".to_owned() } else { files.join("\n") };
    let mut out = String::new();
    if let Some(t) = submitted {
        out += &format!("<p>Sent {}.</p>", esc(&t));
    }
    out += "<dl class=\"summary\">";
    for (field, answer) in rows {
        out += &format!("<dt>{}</dt><dd>{}</dd>", esc(question(field)), esc(&answer).replace('\n', "<br>"));
    }
    out += &format!("<dt>Files attached</dt><dd>{}</dd></dl>", esc(&files).replace('\n', "<br>"));
    out + &format!("<details><summary>The report as stored (JSON)</summary><pre>{}</pre></details>", esc(pretty))
}
