//! `/search`: reports, cases and chat exports by identifier, reference,
//! case ID or person name, among what the officer may see. The search is
//! recorded in the custody log by core.

use crate::case_pages::with_officer;
use crate::html::{esc, officer_page};
use crate::officer::current;
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::HashMap;
use std::sync::Arc;

fn form(q: &str) -> String {
    format!(
        "<h1>Search</h1><form method=\"get\" action=\"/search\" role=\"search\">\
         <label for=\"q\">Identifier, report or exhibit reference, case ID or a person's name</label>\
         <p class=\"hint\" id=\"q-hint\">For example 07700 900123, demo_user_a, PR/12, DEMO-1. Only what you may see is searched, and the search is recorded.</p>\
         <input type=\"text\" id=\"q\" name=\"q\" value=\"{}\" aria-describedby=\"q-hint\"><button type=\"submit\">Search</button></form>",
        esc(q)
    )
}

pub(crate) async fn search(
    State(state): State<Arc<AppState>>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let q = params.get("q").cloned().unwrap_or_default();
    if q.trim().is_empty() {
        let Some((_, officer)) = current(&state, &headers).await else { return Redirect::to("/login").into_response() };
        if !officer.role.may_search() {
            let e = vigil_core::CoreError::Forbidden(format!("the {} role has no search", officer.role));
            return crate::case_pages::case_failure(e);
        }
        return officer_page(&officer, "Search", &form("")).into_response();
    }
    let query = q.clone();
    let (officer, r) = match with_officer(&state, &headers, move |v, o| v.search(&query, o)).await {
        Ok(x) => x,
        Err(resp) => return resp,
    };
    let mut body = form(&q);
    if let Some(id) = &r.as_identifier {
        body += &format!("<p class=\"hint\">Read as the identifier <code>{}</code>.</p>", esc(id));
    }
    body += &format!("<h2>Reports ({})</h2><ul>", r.reports.len());
    for h in &r.reports {
        let name = esc(&h.report.to_string());
        // Triage roles open a report in the triage view; others reach it through its case.
        let shown = if officer.role.works_triage() {
            format!("<a href=\"{}\">{name}</a>", crate::triage_queue::report_path(&h.report))
        } else {
            name
        };
        body += &format!("<li>{shown}: {}</li>", esc(&h.matched));
    }
    if r.reports.is_empty() {
        body += "<li>None.</li>";
    }
    body += "</ul>";
    body += &format!("<h2>Cases ({})</h2><ul>", r.cases.len());
    for c in &r.cases {
        body += &format!(
            "<li><a href=\"/cases/{0}\">{0}</a>: {1} ({2})</li>",
            esc(c.case.as_str()),
            esc(&c.title),
            esc(&c.matched)
        );
    }
    if r.cases.is_empty() {
        body += "<li>None.</li>";
    }
    body += "</ul>";
    body += &format!("<h2>Chat exports ({})</h2><ul>", r.chats.len());
    for c in &r.chats {
        body += &format!(
            "<li>{0} in exhibit {1} of <a href=\"/cases/{2}\">{2}</a>, first at {3}</li>",
            esc(&c.identifier),
            esc(&c.exhibit.to_string()),
            esc(c.case.as_str()),
            esc(&c.first_source)
        );
    }
    if r.chats.is_empty() {
        body += "<li>None.</li>";
    }
    body += "</ul>";
    officer_page(&officer, "Search", &body).into_response()
}
