//! `/search`: reports, cases and chat exports by identifier, reference,
//! case ID or person name, among what the officer may see. The search is
//! recorded in the custody log by core.

use crate::case_pages::with_officer;
use crate::html::{officer_page, Section};
use crate::officer::current;
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use std::collections::HashMap;
use std::sync::Arc;

fn form(q: &str) -> Markup {
    html! {
        h1 { "Search" }
        form method="get" action="/search" role="search" {
            label for="q" { "Identifier, report or exhibit reference, case ID or a person's name" }
            p.hint id="q-hint" {
                "For example 07700 900123, demo_user_a, PR/12, DEMO-1, or the start of words in a case's title or a name (\"synth pers\"). Only what you may see is searched, and the search is recorded."
            }
            input type="text" id="q" name="q" value=(q) aria-describedby="q-hint";
            button type="submit" { "Search" }
        }
    }
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
        return officer_page(&officer, Section::Search, "Search", form("")).into_response();
    }
    let query = q.clone();
    let (officer, r) = match with_officer(&state, &headers, move |v, o| v.search(&query, o)).await {
        Ok(x) => x,
        Err(resp) => return resp,
    };
    // Triage roles open a report in the triage view; others reach it through its case.
    let triage = officer.role.works_triage();
    let body = html! {
        (form(&q))
        @if let Some(id) = &r.as_identifier { p.hint { "Read as the identifier " code { (id) } "." } }
        h2 { "Reports (" (r.reports.len()) ")" }
        ul {
            @for h in &r.reports {
                li {
                    @if triage {
                        a href=(crate::triage_queue::report_path(&h.report)) { (h.report.to_string()) }
                    } @else {
                        (h.report.to_string())
                    }
                    ": " (h.matched)
                    @if !h.cases.is_empty() {
                        ", in case "
                        @for (k, c) in h.cases.iter().enumerate() {
                            @if k > 0 { ", " }
                            a href={ "/cases/" (c.as_str()) } { (c.as_str()) }
                        }
                    }
                }
            }
            @if r.reports.is_empty() { li { "None." } }
        }
        h2 { "Cases (" (r.cases.len()) ")" }
        ul {
            @for c in &r.cases {
                li { a href={ "/cases/" (c.case.as_str()) } { (c.case.as_str()) } ": " (c.title) " (" (c.matched) ")" }
            }
            @if r.cases.is_empty() { li { "None." } }
        }
        h2 { "Chat exports (" (r.chats.len()) ")" }
        ul {
            @for c in &r.chats {
                li {
                    (c.identifier) " in exhibit " (c.exhibit.to_string()) " of "
                    a href={ "/cases/" (c.case.as_str()) } { (c.case.as_str()) } ", first at " (c.first_source)
                }
            }
            @if r.chats.is_empty() { li { "None." } }
        }
    };
    officer_page(&officer, Section::Search, "Search", body).into_response()
}
