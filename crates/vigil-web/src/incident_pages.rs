//! An activist group's call, opened as an incident in one form, and the
//! group's own page in a case: its people, what was asked of it, its
//! posts, the offences its members may have committed and the material it
//! produced, originals first.

use crate::case_pages::{case_failure as failure, nav, on_case, with_officer};
use crate::components::{csrf, table};
use crate::form_input::{field, officer_form, to_login};
use crate::html::{officer_page, Section};
use crate::officer::current;
use crate::AppState;
use axum::extract::{Path, Request, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use std::sync::Arc;
use vigil_core::CoreError;
use vigil_domain::{CaseId, CaseRecord, Choice, CONFRONTATION_FORM};

pub(crate) async fn new_incident(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let Some((_, officer)) = current(&state, &headers).await else { return Redirect::to("/login").into_response() };
    // A suggested ID from the time of the call, which the officer may change.
    let now = state.vigil.now().to_string();
    let suggested = format!("INC-{}-{}", &now[..10].replace('-', ""), &now[11..16].replace(':', ""));
    let body = html! {
        h1 { "Activist group on the phone: open the incident" }
        p {
            "The force does not work with such groups, but the man, his family and the group's members must be kept \
             safe, and the group's material may be evidence. Record what the caller and officers at the scene say now; \
             the group, its members and the man are added on the case page afterwards."
        }
        form method="post" action="/incidents" {
            (csrf(&officer.csrf))
            label for="incident-case" { "Incident ID" }
            input type="text" id="incident-case" name="case" value=(suggested);
            label for="incident-title" { "Title" }
            input type="text" id="incident-title" name="title" placeholder="Group confrontation at …";
            (crate::record_forms::render_fields(&CONFRONTATION_FORM, &["group", "suspect"]))
            button type="submit" { "Open the incident" }
        }
    };
    officer_page(&officer, Section::Cases, "Open an incident", body).into_response()
}

pub(crate) async fn open_incident(State(state): State<Arc<AppState>>, req: Request) -> Response {
    let (headers, _, values) = match officer_form(&state, req, to_login).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let case = match CaseId::parse(field(&values, "case").trim()) {
        Ok(c) => c,
        Err(e) => return failure(CoreError::Invalid(e)),
    };
    let title = field(&values, "title");
    let record = match crate::record_forms::parse(CONFRONTATION_FORM.kind, &values) {
        Ok(r) => r,
        Err(why) => return failure(CoreError::InvalidInput { field: "confrontation form".into(), why }),
    };
    let c = case.clone();
    match with_officer(&state, &headers, move |v, o| v.open_incident(&c, &title, &record, o)).await {
        Ok(_) => Redirect::to(&format!("/cases/{}", case.as_str())).into_response(),
        Err(r) => r,
    }
}

pub(crate) async fn group(
    State(state): State<Arc<AppState>>,
    Path((id, n)): Path<(String, u64)>,
    headers: HeaderMap,
) -> Response {
    let (case, officer, view) =
        match on_case(&state, &id, &headers, |v, c, o| v.case_view(c, o, "activist group page")).await {
            Ok(x) => x,
            Err(r) => return r,
        };
    let Some((name, platforms, police_contact)) = view.records.iter().find_map(|r| match &r.record {
        CaseRecord::ActivistGroup { name, platforms, police_contact } if r.id == n => {
            Some((name.clone(), platforms.clone(), police_contact.clone()))
        }
        _ => None,
    }) else {
        return failure(CoreError::NoSuchCase(format!("{}/groups/{n}", case.as_str())));
    };
    let person = |id: u64| {
        view.records
            .iter()
            .find_map(|r| match &r.record {
                CaseRecord::Person { name, .. } if r.id == id => Some(format!("{name} (record:{id})")),
                _ => None,
            })
            .unwrap_or_else(|| format!("record:{id}"))
    };
    let mut members = Vec::new();
    let mut requests = Vec::new();
    let mut posts = Vec::new();
    let mut offences = Vec::new();
    for r in &view.records {
        match &r.record {
            CaseRecord::GroupMember { group, person: p, role, convictions } if *group == n => members.push(vec![
                person(*p),
                role.label().to_string(),
                convictions.clone().map_or("none recorded".into(), |c| format!("{c} (disclosure material)")),
            ]),
            CaseRecord::GroupRequest { group, requested, answer, detail } if *group == n => {
                let summons = view.records.iter().find_map(|x| match &x.record {
                    CaseRecord::WitnessSummons { request, detail } if *request == r.id => Some(detail.clone()),
                    _ => None,
                });
                requests.push(vec![
                    format!("record:{}", r.id),
                    requested.clone(),
                    answer.label().to_string(),
                    detail.clone(),
                    summons.unwrap_or_default(),
                ])
            }
            CaseRecord::GroupPost { group, member, platform, posted, content, exhibit } if *group == n => {
                posts.push(vec![
                    format!("record:{}", r.id),
                    member.map(person).unwrap_or_else(|| "the group".into()),
                    format!("{platform}, {posted}"),
                    content.clone(),
                    exhibit.clone().unwrap_or_default(),
                ])
            }
            CaseRecord::GroupOffence { group, member, offence, inquiry, sequencing } if *group == n => {
                offences.push(vec![
                    format!("record:{}", r.id),
                    offence.label().to_string(),
                    member.map(person).unwrap_or_else(|| "the group".into()),
                    inquiry.clone(),
                    sequencing.clone(),
                ])
            }
            _ => {}
        }
    }
    // The group's material, the originals first: they are preferred over
    // screenshots, re-exports and posted versions.
    let mut produced: Vec<_> = view
        .records
        .iter()
        .filter_map(|r| match &r.record {
            CaseRecord::CivilianProduction { exhibit, form, produced_by, produced_at, how, statement, version_of } => {
                Some((*form, exhibit, produced_by, produced_at, how, statement, version_of))
            }
            _ => None,
        })
        .collect();
    produced.sort_by_key(|p| p.0);
    let produced: Vec<Vec<String>> = produced
        .into_iter()
        .map(|(form, exhibit, by, at, how, statement, version_of)| {
            vec![
                exhibit.clone(),
                format!("{}{}", form.label(), if form.is_original() { " (preferred)" } else { "" }),
                format!("{by}, {at}"),
                how.clone(),
                statement.clone(),
                version_of.clone().unwrap_or_default(),
            ]
        })
        .collect();
    let prompts = view.group_material_prompts();
    let charging = view.charging_prompts();
    let body = html! {
        (nav(&case, &format!("Group: {name}")))
        h1 { "Activist group: " (name) }
        p.hint { "A third party. The force does not task or work with it; what it gives is evidence from a civilian, with its continuity." }
        dl {
            dt { "Platforms" } dd { @if platforms.is_empty() { "none recorded" } @else { (platforms.join("; ")) } }
            dt { "Previous contact with the police" } dd { (police_contact) }
        }
        @if !prompts.is_empty() || !charging.is_empty() {
            section.prompts aria-label="Still to do" {
                h2 { "Still to do" }
                ul {
                    @for p in &prompts { li { (p) } }
                    @for p in &charging { li { (p) } }
                }
            }
        }
        h2 { "Members" }
        (table(&["Person", "Role", "Previous convictions"], &members))
        h2 { "Requests for their material" }
        (table(&["Record", "Asked for", "Answer", "Detail", "Witness summons"], &requests))
        h2 { "Their posts about him (previous statements of witnesses)" }
        (table(&["Record", "By", "Where and when", "What it says", "Captured as"], &posts))
        h2 { "Offences by the group's members (lines of inquiry of their own)" }
        (table(&["Record", "Offence", "Who", "Inquiry", "Sequencing for the prosecutor"], &offences))
        h2 { "Material they produced, originals first" }
        (table(&["Exhibit", "What it is", "Produced by, when", "How", "Statement", "Version of"], &produced))
    };
    officer_page(&officer, Section::Cases, &format!("Group {name}"), body).into_response()
}
