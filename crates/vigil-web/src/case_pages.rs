//! The case pages: the officer's cases, a case (persons with the strength of
//! each attribution and the wrong-person warning, the decision log, tasks,
//! requests and approvals), its MG12 exhibit list, its disclosure schedules
//! (HTML, CSV, PDF) and its audit timeline. A case the officer may not see
//! is answered 404, exactly as one that does not exist; core records the
//! attempt. Every view of a case is an audited read.

use crate::form_input::{field, read_form, refuse_forged};
use crate::html::{esc, officer_page, page};
use crate::officer::current;
use crate::AppState;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::HashMap;
use std::sync::Arc;
use vigil_core::{CoreError, OfficerSession, Vigil};
use vigil_domain::{CaseId, CaseRecord};

fn failure(e: CoreError) -> Response {
    crate::failure::Failure::new(e, "/cases", "Your cases").into_response()
}

pub(crate) fn case_failure(e: CoreError) -> Response {
    failure(e)
}

/// Runs `f` on Vigil for a signed-in officer, off the async threads.
pub(crate) async fn with_officer<T: Send + 'static>(
    state: &Arc<AppState>,
    headers: &HeaderMap,
    f: impl FnOnce(&Vigil, &OfficerSession) -> Result<T, CoreError> + Send + 'static,
) -> Result<(OfficerSession, T), Response> {
    let Some((_, officer)) = current(state, headers).await else { return Err(Redirect::to("/login").into_response()) };
    let st = state.clone();
    let o = officer.clone();
    let r = tokio::task::spawn_blocking(move || f(&st.vigil, &o))
        .await
        .map_err(|e| failure(CoreError::Failed(e.to_string())))?;
    r.map(|t| (officer, t)).map_err(failure)
}

/// Runs `f` on a case named in the path, for a signed-in officer.
async fn on_case<T: Send + 'static>(
    state: &Arc<AppState>,
    id: &str,
    headers: &HeaderMap,
    f: impl FnOnce(&Vigil, &CaseId, &OfficerSession) -> Result<T, CoreError> + Send + 'static,
) -> Result<(CaseId, OfficerSession, T), Response> {
    let case = case_id(id).map_err(failure)?;
    let c = case.clone();
    let (officer, t) = with_officer(state, headers, move |v, o| f(v, &c, o)).await?;
    Ok((case, officer, t))
}

/// A case form post: the case, the session, the form, its CSRF token, in
/// that order; then `f` records it and the officer is sent to `back`.
async fn case_post(
    state: &Arc<AppState>,
    id: &str,
    req: Request,
    back: &str,
    f: impl FnOnce(&Vigil, &CaseId, &OfficerSession, HashMap<String, String>) -> Result<(), CoreError> + Send + 'static,
) -> Response {
    let case = match case_id(id) {
        Ok(c) => c,
        Err(e) => return failure(e),
    };
    let headers = req.headers().clone();
    let Some((_, officer)) = current(state, &headers).await else { return Redirect::to("/login").into_response() };
    let values = match read_form(state, req).await {
        Ok(v) => v,
        Err(e) => return e.into_text(),
    };
    if let Some(r) = refuse_forged(&values, &officer.csrf) {
        return r;
    }
    let c = case.clone();
    match with_officer(state, &headers, move |v, o| f(v, &c, o, values)).await {
        Ok(_) => Redirect::to(&format!("/cases/{}{back}", case.as_str())).into_response(),
        Err(r) => r,
    }
}

pub(crate) fn case_id(s: &str) -> Result<CaseId, CoreError> {
    // A malformed ID cannot name a case: the same 404 as any unknown case.
    CaseId::parse(s).map_err(|_| CoreError::NoSuchCase(s.chars().take(40).collect()))
}

pub(crate) fn nav(case: &CaseId) -> String {
    let c = esc(case.as_str());
    format!(
        "<p><a href=\"/cases/{c}\">Case</a> · <a href=\"/cases/{c}/exhibits\">Exhibit list (MG12)</a> · \
         <a href=\"/cases/{c}/schedules\">Disclosure schedules</a> · <a href=\"/cases/{c}/timeline\">Audit timeline</a> · \
         <a href=\"/cases\">Your cases</a></p>"
    )
}

pub(crate) fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut s = String::from("<table><thead><tr>");
    for h in headers {
        s += &format!("<th scope=\"col\">{}</th>", esc(h));
    }
    s += "</tr></thead><tbody>";
    for r in rows {
        s += "<tr>";
        for c in r {
            s += &format!("<td>{}</td>", esc(c).replace('\n', "<br>"));
        }
        s += "</tr>";
    }
    if rows.is_empty() {
        s += &format!("<tr><td colspan=\"{}\">None.</td></tr>", headers.len());
    }
    s + "</tbody></table>"
}

pub(crate) async fn list(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let (officer, cases) = match with_officer(&state, &headers, |v, o| v.cases_for(o)).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let mut body =
        String::from("<h1>Your cases</h1><p>Cases you are assigned to (supervisors and auditors see all).</p><ul>");
    // A prosecutor's way into a case is the schedules revealed to them.
    let landing = if officer.role == vigil_domain::Role::Prosecutor { "/schedules" } else { "" };
    for (id, title) in &cases {
        body += &format!("<li><a href=\"/cases/{0}{landing}\">{0}</a>: {1}</li>", esc(id.as_str()), esc(title));
    }
    if cases.is_empty() {
        body += "<li>None.</li>";
    }
    officer_page(&officer, "Your cases", &(body + "</ul>")).into_response()
}

pub(crate) async fn view(State(state): State<Arc<AppState>>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let (case, officer, (view, chats)) = match on_case(&state, &id, &headers, |v, c, o| {
        Ok((v.case_view(c, o, "viewed the case page")?, v.case_chats(c, o)?))
    })
    .await
    {
        Ok(x) => x,
        Err(r) => return r,
    };
    let persons = view.persons();
    let mut body = format!("<h1>Case {}: {}</h1>{}", esc(case.as_str()), esc(&view.title), nav(&case));
    body += &format!("<p>Assigned: {}</p>", esc(&view.members.join(", ")));
    body += "<h2>Persons</h2><p class=\"hint\">An identifier is not a person. Each attribution rests on graded supporting material.</p>";
    let rows: Vec<Vec<String>> = persons
        .iter()
        .map(|p| {
            let attributions = p
                .attributions
                .iter()
                .map(|a| format!("{} ({}; {:?}; on {})", a.identifier, a.grade, a.strength, a.supporting.join(", ")))
                .collect::<Vec<_>>()
                .join("\n");
            let flags = p.flags.iter().map(|f| format!("{f:?}")).collect::<Vec<_>>().join(", ");
            vec![
                format!("record:{}", p.id),
                p.name.clone(),
                format!("{:?}", p.role),
                attributions,
                flags,
                [
                    p.warning.clone().map(|w| format!("WARNING: {w}")),
                    p.welfare_due.clone().map(|w| format!("WELFARE: {w}")),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join("\n"),
            ]
        })
        .collect();
    body += &table(&["Record", "Name", "Role", "Attributions (grade; strength; support)", "Flags", "Safeguard"], &rows);
    body += "<h2>Conversations</h2><p class=\"hint\">Chat exports imported as evidence, each with its message timeline.</p><ul>";
    for c in &chats {
        body += &format!(
            "<li><a href=\"/cases/{}/chats/{}\">{}</a>: {} export {}, {} message(s) in {} conversation(s)</li>",
            esc(case.as_str()),
            esc(&c.timeline.to_string()),
            esc(&c.timeline.to_string()),
            esc(&c.format),
            esc(&c.original.to_string()),
            c.messages,
            c.conversations
        );
    }
    if chats.is_empty() {
        body += "<li>None.</li>";
    }
    body += "</ul>";
    body += "<h2>Decision log, tasks, requests and approvals</h2>";
    let rows: Vec<Vec<String>> = view
        .records
        .iter()
        .filter(|r| {
            !matches!(
                r.record,
                CaseRecord::Person { .. } | CaseRecord::Scheduled { .. } | CaseRecord::DisclosureTest { .. }
            )
        })
        .map(|r| {
            let detail = match &r.record {
                CaseRecord::Decision { decision, reason, alternatives } => format!(
                    "Decided: {decision}\nWhy: {reason}\nAlternatives considered: {}",
                    if alternatives.is_empty() { "none recorded".into() } else { alternatives.join("; ") }
                ),
                other => other.summary(),
            };
            vec![
                format!("record:{}", r.id),
                vigil_domain::Timestamp::london_of(&r.at),
                r.by.clone(),
                detail,
                format!("#{}", r.event),
            ]
        })
        .collect();
    body += &table(&["Record", "When", "Who", "What", "Custody event"], &rows);
    body += &format!(
        "<h2>Record a decision</h2><form method=\"post\" action=\"/cases/{}/decisions\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{}\">\
         <label for=\"decision\">Decision</label><textarea id=\"decision\" name=\"decision\"></textarea>\
         <label for=\"reason\">Reason</label><textarea id=\"reason\" name=\"reason\"></textarea>\
         <label for=\"alternatives\">Alternatives considered</label><p class=\"hint\" id=\"alternatives-hint\">One per line</p>\
         <textarea id=\"alternatives\" name=\"alternatives\" aria-describedby=\"alternatives-hint\"></textarea>\
         <button type=\"submit\">Record decision</button></form>",
        esc(case.as_str()),
        esc(&officer.csrf)
    );
    body += &crate::record_forms::render(case.as_str(), &officer.csrf);
    officer_page(&officer, &format!("Case {}", case.as_str()), &body).into_response()
}

pub(crate) async fn decide(State(state): State<Arc<AppState>>, Path(id): Path<String>, req: Request) -> Response {
    case_post(&state, &id, req, "", |v, case, o, values| {
        let record = CaseRecord::Decision {
            decision: field(&values, "decision"),
            reason: field(&values, "reason"),
            alternatives: field(&values, "alternatives")
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect(),
        };
        v.add_case_record(case, &record, o).map(drop)
    })
    .await
}

pub(crate) async fn exhibits(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let (case, officer, list) = match on_case(&state, &id, &headers, |v, c, o| v.exhibit_list(c, o)).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|e| {
            vec![
                e.reference.to_string(),
                e.description.clone(),
                e.producer.clone(),
                e.received.clone(),
                format!("SHA-256 {}\nMD5 {}", e.sha256, e.md5),
                e.continuity.join("\n"),
            ]
        })
        .collect();
    let body = format!(
        "<h1>Exhibit list (MG12): {}</h1>{}<p>Built from the vault and the custody log. Content is not shown here.</p>\
         <p><a href=\"/cases/{0}/labels.pdf\">Printable exhibit labels (PDF)</a></p>{}",
        esc(case.as_str()),
        nav(&case),
        table(&["Exhibit", "Description", "Producer", "Received", "Hashes", "Continuity"], &rows)
    );
    officer_page(&officer, "Exhibit list", &body).into_response()
}

pub(crate) async fn schedules(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let (case, officer, s) = match on_case(&state, &id, &headers, |v, c, o| v.schedules(c, o)).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let c = esc(case.as_str());
    let prosecutor = officer.role == vigil_domain::Role::Prosecutor;
    let links = |stem: &str| {
        format!("<p>Download <a href=\"/cases/{c}/schedules/{stem}.csv\">CSV</a> · <a href=\"/cases/{c}/schedules/{stem}.pdf\">PDF</a></p>")
    };
    let decision = |l: &vigil_core::ScheduleLine| match &l.decision {
        Some(d) => {
            format!("{} ({} {}): {}", d.decision.label(), d.by, vigil_domain::Timestamp::london_of(&d.at), d.reason)
        }
        None => "awaiting the prosecutor".into(),
    };
    let mut body = if prosecutor {
        // The prosecutor sees only what was revealed to them: no case page, no exhibits.
        format!("<h1>Schedules revealed to you: {c}</h1><p><a href=\"/cases\">Your cases</a></p>")
    } else {
        format!("<h1>Disclosure schedules: {c}</h1>{}", nav(&case))
    };
    body += &format!("<p>{}</p>", esc(&s.heading()));
    match s.revelations.last() {
        Some(r) => {
            body += &format!(
                "<p>Version {} revealed to {} by {} at {}: {}</p>",
                r.version,
                esc(&r.to),
                esc(&r.by),
                esc(&vigil_domain::Timestamp::london_of(&r.at)),
                esc(&r.note)
            )
        }
        None if prosecutor => body += "<p>No schedules have been revealed to you for this case yet.</p>",
        None => body += "<p>Not yet revealed to a prosecutor.</p>",
    }
    body += &format!("<h2 id=\"mg6c\">MG6C: unused, not sensitive</h2>{}", links("MG6C"));
    body += &table(
        &["No.", "Item", "Description", "Relative location", "Prosecutor's decision"],
        &s.mg6c
            .iter()
            .map(|l| vec![l.number.to_string(), l.item.clone(), l.description.clone(), l.location.clone(), decision(l)])
            .collect::<Vec<_>>(),
    );
    body +=
        &format!("<h2 id=\"mg6d\">{}: MG6D, unused, sensitive</h2>{}", vigil_core::SENSITIVE_MARKING, links("MG6D"));
    if s.mg6d.is_empty() {
        body += "<p>Nil return: there is no relevant sensitive unused material.</p>";
    } else {
        body += &table(
            &["No.", "Item", "Description", "Relative location", "Reason for sensitivity", "Prosecutor's decision"],
            &s.mg6d
                .iter()
                .map(|l| {
                    vec![
                        l.number.to_string(),
                        l.item.clone(),
                        l.description.clone(),
                        l.location.clone(),
                        l.sensitivity.clone().unwrap_or_default(),
                        decision(l),
                    ]
                })
                .collect::<Vec<_>>(),
        );
    }
    body += &format!(
        "<h2 id=\"mg6e\">{}: MG6E, the disclosure officer's report</h2>{}",
        vigil_core::SENSITIVE_MARKING,
        links("MG6E")
    );
    let mut rows: Vec<Vec<String>> = s
        .mg6e
        .iter()
        .map(|l| {
            vec![
                l.item.clone(),
                "might undermine the prosecution or assist the defence".into(),
                l.reason.clone(),
                format!("{} {}", l.by, vigil_domain::Timestamp::london_of(&l.at)),
            ]
        })
        .collect();
    for l in s.mg6c.iter().chain(&s.mg6d) {
        rows.push(vec![
            l.item.clone(),
            format!("proposes {}", l.proposed.label()),
            l.reason.clone(),
            format!("{} {} (record:{})", l.scheduled_by, vigil_domain::Timestamp::london_of(&l.scheduled_at), l.record),
        ]);
    }
    body += &table(&["Item", "Disclosure officer's view", "Reasoning", "Recorded by"], &rows);
    if prosecutor {
        if !s.revelations.is_empty() {
            body += &crate::record_forms::render_prosecutor(case.as_str(), &officer.csrf);
        }
        return officer_page(&officer, "Schedules revealed to you", &body).into_response();
    }
    if !s.revelations.is_empty() {
        body += "<h2>Versions revealed</h2>";
        body += &table(
            &["Version", "To", "By", "When", "Note"],
            &s.revelations
                .iter()
                .map(|r| {
                    vec![
                        r.version.to_string(),
                        r.to.clone(),
                        r.by.clone(),
                        vigil_domain::Timestamp::london_of(&r.at),
                        r.note.clone(),
                    ]
                })
                .collect::<Vec<_>>(),
        );
    }
    body += &format!(
        "<h2>Reveal to the prosecutor</h2><p class=\"hint\">Freezes the schedules as they stand as a new version; \
         the prosecutor then records a decision on each item.</p>\
         <form method=\"post\" action=\"/cases/{c}/reveal\"><input type=\"hidden\" name=\"csrf\" value=\"{}\">\
         <label for=\"reveal-to\">Prosecutor (user name; assigned to this case)</label><input type=\"text\" id=\"reveal-to\" name=\"to\">\
         <label for=\"reveal-note\">What changed, or why now</label><input type=\"text\" id=\"reveal-note\" name=\"note\">\
         <button type=\"submit\">Reveal this version</button></form>",
        esc(&officer.csrf)
    );
    body += &format!(
        "<h2>Redact an exhibit</h2><p class=\"hint\">Makes an edited copy as a new exhibit; the original is never changed. Text exhibits only.</p>\
         <form method=\"post\" action=\"/cases/{c}/redactions\"><input type=\"hidden\" name=\"csrf\" value=\"{}\">\
         <label for=\"original\">Exhibit (e.g. DI/1)</label><input type=\"text\" id=\"original\" name=\"original\">\
         <label for=\"terms\">Words to redact, one per line</label><textarea id=\"terms\" name=\"terms\"></textarea>\
         <label for=\"redaction-reason\">Why</label><input type=\"text\" id=\"redaction-reason\" name=\"reason\">\
         <label for=\"producer\">Your initials (the copy's producer)</label><input type=\"text\" id=\"producer\" name=\"producer\">\
         <button type=\"submit\">Make redacted copy</button></form>",
        esc(&officer.csrf)
    );
    officer_page(&officer, "Disclosure schedules", &body).into_response()
}

pub(crate) async fn reveal(State(state): State<Arc<AppState>>, Path(id): Path<String>, req: Request) -> Response {
    case_post(&state, &id, req, "/schedules", |v, case, o, values| {
        v.reveal_schedules(case, field(&values, "to").trim(), &field(&values, "note"), o).map(drop)
    })
    .await
}

pub(crate) async fn redact(State(state): State<Arc<AppState>>, Path(id): Path<String>, req: Request) -> Response {
    case_post(&state, &id, req, "/schedules", |v, case, o, values| {
        let original = vigil_domain::ExhibitRef::parse(field(&values, "original").trim())?;
        let producer = vigil_domain::Initials::parse(field(&values, "producer").trim())?;
        let terms: Vec<String> = field(&values, "terms").lines().map(str::to_owned).collect();
        v.redact_exhibit(case, &original, &terms, &field(&values, "reason"), &producer, o).map(drop)
    })
    .await
}

pub(crate) async fn schedule_file(
    State(state): State<Arc<AppState>>,
    Path((id, file)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let Some((stem, ext)) = file.rsplit_once('.') else {
        return (StatusCode::NOT_FOUND, page("Not found", "<h1>No such schedule</h1>")).into_response();
    };
    if !matches!(ext, "csv" | "pdf") {
        return (StatusCode::NOT_FOUND, page("Not found", "<h1>No such schedule</h1>")).into_response();
    }
    let (case, _, s) = match on_case(&state, &id, &headers, |v, c, o| v.schedules(c, o)).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let Some(r) = s.render_one(stem) else {
        return (StatusCode::NOT_FOUND, page("Not found", "<h1>No such schedule</h1>")).into_response();
    };
    let (ctype, bytes) =
        if ext == "csv" { ("text/csv; charset=utf-8", r.csv.into_bytes()) } else { ("application/pdf", r.pdf) };
    let disposition = format!("attachment; filename=\"{}-{stem}.{ext}\"", case.as_str());
    ([(header::CONTENT_TYPE, ctype.to_owned()), (header::CONTENT_DISPOSITION, disposition)], bytes).into_response()
}

pub(crate) async fn timeline(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let (case, officer, events) = match on_case(&state, &id, &headers, |v, c, o| v.case_timeline(c, o)).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let rows: Vec<Vec<String>> = events
        .iter()
        .map(|h| {
            let e = &h.event;
            vec![
                format!("#{}", h.index),
                e.time.london(),
                e.kind.to_string(),
                e.actor.as_str().to_owned(),
                e.object.to_string(),
                [e.reason.as_deref(), e.note.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" — "),
            ]
        })
        .collect();
    let body = format!(
        "<h1>Audit timeline: {}</h1>{}<p>Every custody event about the case and its exhibits, reads and refused attempts included.</p>{}",
        esc(case.as_str()),
        nav(&case),
        table(&["Event", "When", "What", "Who", "Object", "Reason or note"], &rows)
    );
    officer_page(&officer, "Audit timeline", &body).into_response()
}

pub(crate) async fn labels(State(state): State<Arc<AppState>>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let (case, _, list) = match on_case(&state, &id, &headers, |v, c, o| v.exhibit_list(c, o)).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let pdf = vigil_core::exhibit_labels(&case, &list);
    let disposition = format!("attachment; filename=\"{}-labels.pdf\"", case.as_str());
    ([(header::CONTENT_TYPE, "application/pdf".to_owned()), (header::CONTENT_DISPOSITION, disposition)], pdf)
        .into_response()
}

pub(crate) async fn figures(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let (officer, f) = match with_officer(&state, &headers, |v, o| v.team_figures(o)).await {
        Ok(x) => x,
        Err(r) => return r,
    };
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
    ]
    .iter()
    .map(|(k, v)| vec![(*k).to_owned(), v.to_string()])
    .collect();
    let wait = match f.median_secs_to_handoff {
        Some(s) => format!("{} min {} s", s / 60, s % 60),
        None => "none handed off yet".into(),
    };
    let body = format!(
        "<h1>Team figures</h1><p>From the outcomes and decisions recorded in every case. No case content is shown.</p>{}\
         <h2>Immediate danger</h2>{}<p><a href=\"/officer\">Officer home</a></p>",
        table(&["Measure", "Count"], &rows),
        table(
            &["Measure", "Value"],
            &[
                vec!["Immediate-danger reports handed off".into(), f.immediate_handed_off.to_string()],
                vec!["Median time from receipt to hand-off".into(), wait],
            ]
        )
    ) + &format!(
        "<h2>Outcomes by Home Office outcome code</h2>{}",
        table(
            &["Code", "Outcome", "Count"],
            &f.home_office_outcomes.iter().map(|(c, l, n)| vec![c.clone(), l.clone(), n.to_string()]).collect::<Vec<_>>()
        )
    );
    officer_page(&officer, "Team figures", &body).into_response()
}

pub(crate) async fn add_record(
    State(state): State<Arc<AppState>>,
    Path((id, kind)): Path<(String, String)>,
    req: Request,
) -> Response {
    if !crate::record_forms::known(&kind) {
        return (StatusCode::NOT_FOUND, page("Not found", "<h1>No such kind of record</h1>")).into_response();
    }
    let back = if kind == "prosecutor-decision" { "/schedules" } else { "" };
    case_post(&state, &id, req, back, move |v, case, o, values| {
        let record = crate::record_forms::parse(&kind, &values)
            .map_err(|why| CoreError::InvalidInput { field: format!("{kind} form"), why })?;
        v.add_case_record(case, &record, o).map(drop)
    })
    .await
}
