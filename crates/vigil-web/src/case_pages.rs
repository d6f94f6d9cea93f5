//! The case pages: the officer's cases, a case (persons with the strength of
//! each attribution and the wrong-person warning, the decision log, tasks,
//! requests and approvals), its MG12 exhibit list, its disclosure schedules
//! (HTML, CSV, PDF) and its audit timeline. A case the officer may not see
//! is answered 404, exactly as one that does not exist; core records the
//! attempt. Every view of a case is an audited read.

use crate::components::{breadcrumbs, csrf, table, table_of, text_area, text_field};
use crate::form_input::{field, officer_form, to_login};
use crate::html::{officer_page, page, Section};
use crate::officer::current;
use crate::AppState;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use std::collections::HashMap;
use std::sync::Arc;
use vigil_core::{CoreError, OfficerSession, Vigil};
use vigil_domain::{CaseId, CaseRecord, Choice};

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
pub(crate) async fn on_case<T: Send + 'static>(
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
    let back = back.to_owned();
    case_post_then(state, id, req, move |v, c, o, values| f(v, c, o, values).map(|()| back)).await
}

/// As [`case_post`], redirecting to the case's page that `f` names (a path
/// under `/cases/ID`, such as one it has just made).
pub(crate) async fn case_post_then(
    state: &Arc<AppState>,
    id: &str,
    req: Request,
    f: impl FnOnce(&Vigil, &CaseId, &OfficerSession, HashMap<String, String>) -> Result<String, CoreError> + Send + 'static,
) -> Response {
    let case = match case_id(id) {
        Ok(c) => c,
        Err(e) => return failure(e),
    };
    let (headers, _, values) = match officer_form(state, req, to_login).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let c = case.clone();
    match with_officer(state, &headers, move |v, o| f(v, &c, o, values)).await {
        Ok((_, back)) => Redirect::to(&format!("/cases/{}{back}", case.as_str())).into_response(),
        Err(r) => r,
    }
}

pub(crate) fn case_id(s: &str) -> Result<CaseId, CoreError> {
    // A malformed ID cannot name a case: the same 404 as any unknown case.
    CaseId::parse(s).map_err(|_| CoreError::NoSuchCase(s.chars().take(40).collect()))
}

/// The case's breadcrumb trail and its pages. `here` is this page's name.
pub(crate) fn nav(case: &CaseId, here: &str) -> Markup {
    let c = case.as_str();
    let home = format!("/cases/{c}");
    let label = format!("Case {c}");
    let trail: Vec<(&str, &str)> =
        if here == "Case" { vec![("/cases", "Cases")] } else { vec![("/cases", "Cases"), (&home, &label)] };
    html! {
        (breadcrumbs(&trail, if here == "Case" { &label } else { here }))
        nav aria-label="Case pages" {
            p {
                a href={ "/cases/" (c) } { "Case" } " · "
                a href={ "/cases/" (c) "/exhibits" } { "Exhibits (MG12)" } " · "
                a href={ "/cases/" (c) "/schedules" } { "Disclosure schedules" } " · "
                a href={ "/cases/" (c) "/ledger" } { "Disclosure ledger" } " · "
                a href={ "/cases/" (c) "/review" } { "Image review" } " · "
                a href={ "/cases/" (c) "/timeline" } { "Audit timeline" }
            }
        }
    }
}

pub(crate) async fn list(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let (officer, cases) = match with_officer(&state, &headers, |v, o| v.cases_for(o)).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    // A prosecutor's way into a case is the schedules revealed to them.
    let landing = if officer.role == vigil_domain::Role::Prosecutor { "/schedules" } else { "" };
    let body = html! {
        h1 { "Your cases" }
        @if matches!(officer.role, vigil_domain::Role::TriageOfficer | vigil_domain::Role::Investigator | vigil_domain::Role::Supervisor) {
            p.notice { "An activist group calling during a confrontation? " a href="/incidents/new" { "Open an incident" } " in one form." }
        }
        p { "Cases you are assigned to (supervisors and auditors see all)." }
        @if officer.role.may_break_glass() {
            p.hint { "Need a case you are not assigned to? " a href="/break-glass" { "Ask to read it" } ", with your reason: it is recorded and shown to supervisors." }
        }
        ul {
            @for (id, title) in &cases { li { a href={ "/cases/" (id.as_str()) (landing) } { (id.as_str()) } ": " (title) } }
            @if cases.is_empty() { li { "None." } }
        }
    };
    officer_page(&officer, Section::Cases, "Your cases", body).into_response()
}

pub(crate) async fn view(State(state): State<Arc<AppState>>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let (case, officer, (view, chats, now_ms)) = match on_case(&state, &id, &headers, |v, c, o| {
        Ok((v.case_view(c, o, "viewed the case page")?, v.case_chats(c, o)?, v.now().unix_millis()))
    })
    .await
    {
        Ok(x) => x,
        Err(r) => return r,
    };
    let persons = view.persons(now_ms);
    let person_rows: Vec<Vec<String>> = persons
        .iter()
        .map(|p| {
            let attributions = p
                .attributions
                .iter()
                .map(|a| format!("{} ({}; {:?}; on {})", a.identifier, a.grade, a.strength, a.supporting.join(", ")))
                .collect::<Vec<_>>()
                .join("\n");
            let flags = p.flags.iter().map(|f| f.label()).collect::<Vec<_>>().join(", ");
            vec![
                format!("record:{}", p.id),
                p.name.clone(),
                p.role.label().to_owned(),
                attributions,
                flags,
                [
                    p.warning.clone().map(|w| format!("WARNING: {w}")),
                    p.welfare_due.clone().map(|w| format!("WELFARE: {w}")),
                ]
                .into_iter()
                .flatten()
                .chain(p.safeguarding_due.iter().map(|s| format!("SAFEGUARDING: {s}")))
                .collect::<Vec<_>>()
                .join("\n"),
            ]
        })
        .collect();
    let record_rows: Vec<Vec<String>> = view
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
                // Only the disclosure officer and supervisors are given this record.
                CaseRecord::HighlySensitive { item, revealed_to, revealed_at, .. } => format!(
                    "Highly sensitive material {item}: on no schedule; revealed to {revealed_to} ({revealed_at})"
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
    let body = html! {
        (nav(&case, "Case"))
        h1 { "Case " (case.as_str()) ": " (view.title) }
        p { "Assigned: " (view.members.join(", ")) }
        (identity_summary(&view))
        @let incident = view.confrontation_prompts();
        @if !incident.is_empty() {
            section.prompts aria-label="The confrontation" {
                h2 { "The confrontation: still owed to the man and his family" }
                ul { @for p in &incident { li { (p) } } }
            }
        }
        @let groups: Vec<(u64, &str)> = view.records.iter().filter_map(|r| match &r.record {
            CaseRecord::ActivistGroup { name, .. } => Some((r.id, name.as_str())),
            _ => None,
        }).collect();
        @if !groups.is_empty() {
            p { "Activist groups in this case (third parties): "
                @for (k, (id, name)) in groups.iter().enumerate() {
                    @if k > 0 { ", " }
                    a href={ "/cases/" (case.as_str()) "/groups/" (id) } { (name) }
                }
            }
        }
        @let comparisons: Vec<(u64, &str)> = view.records.iter().filter_map(|r| match &r.record {
            CaseRecord::VideoComparison { summary, .. } => Some((r.id, summary.as_str())),
            _ => None,
        }).collect();
        @if !comparisons.is_empty() {
            p { "Video comparisons: "
                @for (k, (id, summary)) in comparisons.iter().enumerate() {
                    @if k > 0 { "; " }
                    a href={ "/cases/" (case.as_str()) "/comparisons/" (id) } { "record:" (id) } " (" (summary) ")"
                }
            }
        }
        @let material = view.group_material_prompts();
        @if !material.is_empty() {
            section.prompts aria-label="The group's material" {
                h2 { "The group's material: still to obtain" }
                ul { @for p in &material { li { (p) } } }
            }
        }
        @let charging = view.charging_prompts();
        @if !charging.is_empty() {
            section.prompts aria-label="Charging" {
                h2 { "Charging: a decoy took part" }
                ul { @for p in &charging { li { (p) } } }
            }
        }
        h2 { "Persons" }
        p.hint { "An identifier is not a person. Each attribution rests on graded supporting material." }
        (table(&["Record", "Name", "Role", "Attributions (grade; strength; support)", "Flags", "Safeguard"], &person_rows))
        h2 { "Conversations" }
        p.hint { "Chat exports imported as evidence, each with its message timeline." }
        ul {
            @for c in &chats {
                li {
                    a href={ "/cases/" (case.as_str()) "/chats/" (c.timeline.to_string()) } { (c.timeline.to_string()) }
                    ": " (c.format) " export " (c.original.to_string()) ", " (c.messages) " message(s) in " (c.conversations) " conversation(s)"
                }
            }
            @if chats.is_empty() { li { "None." } }
        }
        h2 { "Decision log, tasks, requests and approvals" }
        (table(&["Record", "When", "Who", "What", "Custody event"], &record_rows))
        (crate::comparison_pages::compare_form(case.as_str(), &officer.csrf))
        (crate::record_forms::render(case.as_str(), &officer.csrf))
    };
    officer_page(&officer, Section::Cases, &format!("Case {}", case.as_str()), body).into_response()
}

/// The case's criminal-justice identity, as its latest `identity` record
/// gives it, or a prompt to record one.
fn identity_summary(view: &vigil_core::CaseView) -> Markup {
    match view.identity() {
        Some(i) => html! {
            // As every form's heading names them.
            @if !i.defendants.is_empty() { h2 { "R v " (i.defendants.join(", ")) } }
            (crate::components::summary_list(&[
                ("URN", html! { (i.urn) }),
                ("Crime reference", html! { (i.crime_reference) }),
                ("Offences", html! { (crate::components::lines(&i.offences.join("\n"))) }),
                ("Officer in the case", html! { (i.officer_in_case) }),
                ("Disclosure officer", html! { (i.disclosure_officer) }),
                ("Recorded in", html! { "record:" (i.record) }),
            ]))
        },
        None => html! {
            p.hint { "No criminal-justice identity (URN, offences, R v …) is recorded yet; the disclosure officer adds it below." }
        },
    }
}

pub(crate) async fn exhibits(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let (case, officer, (list, used)) =
        match on_case(&state, &id, &headers, |v, c, o| Ok((v.exhibit_list(c, o)?, v.used_exhibits(c, o)?))).await {
            Ok(x) => x,
            Err(r) => return r,
        };
    let mg12: Vec<Vec<String>> = used
        .iter()
        .map(|u| {
            vec![
                u.entry.reference.to_string(),
                u.description.clone(),
                u.witness.clone(),
                u.entry.received.clone(),
                format!("SHA-256 {}\nMD5 {}", u.entry.sha256, u.entry.md5),
            ]
        })
        .collect();
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
    let body = html! {
        (nav(&case, "Exhibits"))
        h1 { "Exhibits: " (case.as_str()) }
        p { "Built from the vault and the custody log. Content is not shown here." }
        h2 #mg12 { "MG12 exhibit list: used material only" }
        p.hint { "The exhibits the prosecution relies on, each with its producing witness. Unused material is on the schedules, never here." }
        (table(&["Exhibit", "Description", "Producing witness", "Received", "Hashes"], &mg12))
        h2 #held { "Every exhibit held (the register, not the MG12)" }
        p { a href={ "/cases/" (case.as_str()) "/labels.pdf" } { "Printable exhibit labels (PDF)" } }
        (table(&["Exhibit", "Description", "Producer", "Received", "Hashes", "Continuity"], &rows))
    };
    officer_page(&officer, Section::Cases, "Exhibits", body).into_response()
}

pub(crate) async fn schedules(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let (case, officer, (s, material)) = match on_case(&state, &id, &headers, |v, c, o| {
        let s = v.schedules(c, o)?;
        let material = if o.role == vigil_domain::Role::Prosecutor { v.prosecutor_material(c, o)? } else { vec![] };
        Ok((s, material))
    })
    .await
    {
        Ok(x) => x,
        Err(r) => return r,
    };
    let c = case.as_str();
    let prosecutor = officer.role == vigil_domain::Role::Prosecutor;
    let schedules = schedules_block(&s, &format!("/cases/{c}/schedules"), prosecutor);
    let versions = versions_table(&s, c);
    if prosecutor {
        // The prosecutor works from what was revealed: no case page, no exhibit list.
        let body = crate::disclosure_pages::prosecutor_workspace(c, &officer, &s, schedules, versions, &material);
        return officer_page(&officer, Section::Cases, "Prosecutor's workspace", body).into_response();
    }
    let highly: Vec<Vec<String>> = s
        .highly_sensitive
        .iter()
        .map(|h| {
            vec![
                h.item.clone(),
                h.reason.clone(),
                format!("{}, {}: {}", h.revealed_to, h.revealed_at, h.means),
                format!("{} {} (record:{})", h.by, vigil_domain::Timestamp::london_of(&h.at), h.record),
            ]
        })
        .collect();
    let body = html! {
        (nav(&case, "Disclosure schedules"))
        h1 { "Disclosure schedules: " (c) }
        (schedules)
        @if !highly.is_empty() {
            h2 #highly-sensitive { (vigil_core::SENSITIVE_MARKING) ": highly sensitive material" }
            p.hint {
                "On no schedule and in no download or bundle; revealed to the prosecutor by a separate route. "
                "Shown to the disclosure officer and supervisors only."
            }
            (table(&["Item", "Why", "Revealed to, when and how", "Recorded by"], &highly))
        }
        (versions)
        h2 { "Reveal to the prosecutor" }
        p.hint { "Freezes the schedules as they stand as a new version; the prosecutor then records a decision on each item." }
        form method="post" action={ "/cases/" (c) "/reveal" } {
            (csrf(&officer.csrf))
            label for="reveal-to" { "Prosecutor (user name; assigned to this case)" }
            input type="text" id="reveal-to" name="to";
            label for="reveal-note" { "What changed, or why now" }
            input type="text" id="reveal-note" name="note";
            button type="submit" { "Reveal this version" }
        }
        h2 { "Redact an exhibit" }
        p.hint { "Makes an edited copy as a new exhibit; the original is never changed. Text exhibits only." }
        form method="post" action={ "/cases/" (c) "/redactions" } {
            (csrf(&officer.csrf))
            (text_field("original", "Exhibit (e.g. DI/1)", "", "", None))
            (text_area("terms", "Words to redact, one per line", "", "", None))
            label for="redaction-reason" { "Why" }
            input type="text" id="redaction-reason" name="reason";
            (text_field("producer", "Your initials (the copy's producer)", "", "", None))
            button type="submit" { "Make redacted copy" }
        }
    };
    officer_page(&officer, Section::Cases, "Disclosure schedules", body).into_response()
}

/// The MG6C, MG6D and MG6E of a set of schedules (live, or one version as
/// revealed), with downloads under `base`.
fn schedules_block(s: &vigil_core::Schedules, base: &str, prosecutor: bool) -> Markup {
    let links = |stem: &str| {
        html! {
            p {
                "Download " a href={ (base) "/" (stem) ".csv" } { "CSV" }
                " · " a href={ (base) "/" (stem) ".pdf" } { "PDF" }
            }
        }
    };
    let decision = |l: &vigil_core::ScheduleLine| match &l.decision {
        Some(d) => {
            format!(
                "{} ({} {}): {}",
                d.decision.abbreviation(),
                d.by,
                vigil_domain::Timestamp::london_of(&d.at),
                d.reason
            )
        }
        None => "awaiting the prosecutor".into(),
    };
    let mg6c: Vec<Vec<String>> = s
        .mg6c
        .iter()
        .map(|l| vec![l.number.to_string(), l.item.clone(), l.description.clone(), l.location.clone(), decision(l)])
        .collect();
    let mg6d: Vec<Vec<String>> = s
        .mg6d
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
        .collect();
    let mut mg6e: Vec<Vec<String>> = s
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
        mg6e.push(vec![
            l.item.clone(),
            format!("proposes {}", l.proposed.abbreviation()),
            l.reason.clone(),
            match l.record {
                0 => format!("{} {}", l.scheduled_by, vigil_domain::Timestamp::london_of(&l.scheduled_at)),
                n => format!("{} {} (record:{n})", l.scheduled_by, vigil_domain::Timestamp::london_of(&l.scheduled_at)),
            },
        ]);
    }
    let mg6b: Vec<Vec<String>> = s
        .mg6b
        .iter()
        .map(|l| {
            vec![l.officer.clone(), l.declaration(), format!("{} {}", l.by, vigil_domain::Timestamp::london_of(&l.at))]
        })
        .collect();
    html! {
        p { (s.heading()) }
        @match s.shown_revelation() {
            Some(r) => p { "Version " (r.version) " revealed to " (r.to) " by " (r.by) " at " (vigil_domain::Timestamp::london_of(&r.at)) ": " (r.note) },
            None if prosecutor => p { "No schedules have been revealed to you for this case yet." },
            None => p { "Not yet revealed to a prosecutor." },
        }
        h2 #mg6c { "MG6C: unused, not sensitive" }
        (links("MG6C"))
        (table(&["No.", "Item", "Description", "Relative location", "Prosecutor's decision"], &mg6c))
        h2 #mg6d { (vigil_core::SENSITIVE_MARKING) ": MG6D, unused, sensitive" }
        (links("MG6D"))
        @if s.mg6d.is_empty() {
            p { "Nil return: there is no relevant sensitive unused material." }
        } @else {
            (table(&["No.", "Item", "Description", "Relative location", "Reason for sensitivity", "Prosecutor's decision"], &mg6d))
        }
        h2 #mg6e { (vigil_core::SENSITIVE_MARKING) ": MG6E, the disclosure officer's report" }
        (links("MG6E"))
        (table(&["Item", "Disclosure officer's view", "Reasoning", "Recorded by"], &mg6e))
        h2 #mg6b { (vigil_core::SENSITIVE_MARKING) ": MG6B, police witnesses' misconduct records" }
        (links("MG6B"))
        (table(&["Police witness", "Findings or convictions", "Declared by"], &mg6b))
    }
}

/// Each version revealed, linked to its frozen copy (every one is the
/// CPS's for the case, whoever it was revealed to).
fn versions_table(s: &vigil_core::Schedules, case: &str) -> Markup {
    let rows: Vec<Vec<Markup>> = s
        .revelations
        .iter()
        .map(|r| {
            vec![
                html! { a href={ "/cases/" (case) "/schedules/versions/" (r.version) } { "Version " (r.version) } },
                html! { (r.to) },
                html! { (r.by) },
                html! { (vigil_domain::Timestamp::london_of(&r.at)) },
                html! { (r.note) },
            ]
        })
        .collect();
    html! {
        @if !rows.is_empty() {
            h2 { "Versions revealed" }
            (table_of(&["Version", "To", "By", "When", "Note"], &rows))
        }
    }
}

/// The version number in the path, and that version as the officer may see it.
async fn version_of(
    state: &Arc<AppState>,
    id: &str,
    version: &str,
    headers: &HeaderMap,
) -> Result<(u32, (CaseId, OfficerSession, vigil_core::Schedules)), Response> {
    let Ok(n) = version.parse::<u32>() else {
        return Err((StatusCode::NOT_FOUND, page("Not found", html! { h1 { "No such version" } })).into_response());
    };
    Ok((n, on_case(state, id, headers, move |v, c, o| v.revealed_version(c, n, o)).await?))
}

/// One version of the schedules exactly as revealed, MG6E included.
pub(crate) async fn schedules_version(
    State(state): State<Arc<AppState>>,
    Path((id, version)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let (n, (case, officer, s)) = match version_of(&state, &id, &version, &headers).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let c = case.as_str();
    let prosecutor = officer.role == vigil_domain::Role::Prosecutor;
    let title = format!("Schedules version {n} as revealed");
    let changes: Vec<Vec<String>> =
        s.changes.iter().map(|x| vec![x.item.clone(), x.change.to_owned(), x.detail.clone()]).collect();
    let body = html! {
        @if prosecutor {
            (breadcrumbs(&[("/cases", "Cases"), (&format!("/cases/{c}/schedules"), &format!("Schedules for {c}"))], &title))
        } @else {
            (nav(&case, "Disclosure schedules"))
        }
        h1 { (title) ": " (c) }
        p.hint { "A frozen copy: later amendments, proposals and MG6E entries do not change it. Decisions shown are those made on this version." }
        h2 #changes { "What changed from the version before" }
        (table(&["Item", "Change", "Detail"], &changes))
        (schedules_block(&s, &format!("/cases/{c}/schedules/versions/{n}"), prosecutor))
    };
    officer_page(&officer, Section::Cases, &title, body).into_response()
}

/// A download of one version's schedule as revealed.
pub(crate) async fn schedules_version_file(
    State(state): State<Arc<AppState>>,
    Path((id, version, file)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Response {
    let (n, (case, _, s)) = match version_of(&state, &id, &version, &headers).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    schedule_download(&case, &format!("v{n}-"), &s, &file)
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
    let (case, _, s) = match on_case(&state, &id, &headers, |v, c, o| v.schedules(c, o)).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    schedule_download(&case, "", &s, &file)
}

/// `MG6C.csv`, `MG6E.pdf` and so on, of these schedules.
fn schedule_download(case: &CaseId, prefix: &str, s: &vigil_core::Schedules, file: &str) -> Response {
    let rendered = file
        .rsplit_once('.')
        .filter(|(_, ext)| matches!(*ext, "csv" | "pdf"))
        .and_then(|(stem, ext)| Some((s.render_one(stem)?, stem, ext)));
    let Some((r, stem, ext)) = rendered else {
        return (StatusCode::NOT_FOUND, page("Not found", html! { h1 { "No such schedule" } })).into_response();
    };
    let (ctype, bytes) =
        if ext == "csv" { ("text/csv; charset=utf-8", r.csv.into_bytes()) } else { ("application/pdf", r.pdf) };
    let disposition = format!("attachment; filename=\"{}-{prefix}{stem}.{ext}\"", case.as_str());
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
    let body = html! {
        (nav(&case, "Audit timeline"))
        h1 { "Audit timeline: " (case.as_str()) }
        p { "Every custody event about the case and its exhibits, reads and refused attempts included." }
        @if matches!(officer.role, vigil_domain::Role::Auditor | vigil_domain::Role::Supervisor) {
            p { a href={ "/access?object=case:" (case.as_str()) } { "Who has seen this case (reads, copies and exports only, with CSV)" } }
        }
        (table(&["Event", "When", "What", "Who", "Object", "Reason or note"], &rows))
    };
    officer_page(&officer, Section::Cases, "Audit timeline", body).into_response()
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

pub(crate) async fn add_record(
    State(state): State<Arc<AppState>>,
    Path((id, kind)): Path<(String, String)>,
    req: Request,
) -> Response {
    if !crate::record_forms::known(&kind) {
        return (StatusCode::NOT_FOUND, page("Not found", html! { h1 { "No such kind of record" } })).into_response();
    }
    case_post_then(&state, &id, req, move |v, case, o, values| {
        // Back to the page the form was on: the ledger, the schedules (the
        // prosecutor's forms), or the case page.
        let back = match values.get("return_to").map(String::as_str) {
            Some("ledger") => "/ledger",
            Some("schedules") => "/schedules",
            _ if kind == "prosecutor-decision" || kind == "pii-ruling" => "/schedules",
            _ => "",
        };
        let record = crate::record_forms::parse(&kind, &values)
            .map_err(|why| CoreError::InvalidInput { field: format!("{kind} form"), why })?;
        v.add_case_record(case, &record, o).map(|_| back.to_owned())
    })
    .await
}
