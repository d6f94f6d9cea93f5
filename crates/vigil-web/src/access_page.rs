//! "Who has seen this?" for auditors and supervisors: every read, copy,
//! export and refused attempt on an exhibit, report or case, from the
//! custody log, as a page and as CSV. Asking is itself recorded.

use crate::case_pages::{case_failure as failure, with_officer};
use crate::components::table;
use crate::html::{officer_page, Section};
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use maud::html;
use std::collections::HashMap;
use std::sync::Arc;

pub(crate) async fn page(
    State(state): State<Arc<AppState>>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let object = q.get("object").map(|o| o.trim().to_owned()).unwrap_or_default();
    let asked = object.clone();
    let (officer, list) = match with_officer(&state, &headers, move |v, o| {
        if asked.is_empty() {
            // The form alone; only the roles that may ask see it.
            return match o.role {
                vigil_domain::Role::Auditor | vigil_domain::Role::Supervisor => Ok(Vec::new()),
                _ => {
                    Err(vigil_core::CoreError::Forbidden("only auditors and supervisors see who has seen what".into()))
                }
            };
        }
        v.accesses_for(&asked, o)
    })
    .await
    {
        Ok(x) => x,
        Err(r) => return r,
    };
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|a| vec![format!("#{}", a.event), a.when.clone(), a.who.clone(), a.what.clone(), a.why.clone()])
        .collect();
    let body = html! {
        h1 { "Who has seen this?" }
        form method="get" action="/access" {
            label for="object" { "Exhibit, report or case" }
            p.hint { "For example exhibit:JS/1, report:PR/3 or case:DEMO-1" }
            input type="text" id="object" name="object" value=(object);
            button type="submit" { "Show" }
        }
        @if !object.is_empty() {
            h2 { (object) }
            p { "Accesses recorded in the custody log (reads, copies, exports and refused attempts): " (list.len()) ". "
                a href={ "/access.csv?object=" (query_value(&object)) } { "CSV" } }
            (table(&["Event", "When (UTC)", "Who", "What", "Reason given"], &rows))
            p.hint { "Your question is itself recorded. Each event can be proved with vigil log prove." }
        }
    };
    officer_page(&officer, Section::Search, "Who has seen this?", body).into_response()
}

/// A value for a URL's query: letters, digits and `:/-._` as they are, the rest percent-encoded.
fn query_value(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b':' | b'/' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub(crate) async fn csv(
    State(state): State<Arc<AppState>>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let object = q.get("object").map(|o| o.trim().to_owned()).unwrap_or_default();
    if object.is_empty() {
        return failure(vigil_core::CoreError::InvalidInput { field: "object".into(), why: "name one".into() });
    }
    match with_officer(&state, &headers, move |v, o| v.accesses_for(&object, o)).await {
        Ok((_, list)) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (header::CONTENT_DISPOSITION, "attachment; filename=\"accesses.csv\""),
            ],
            vigil_core::accesses_csv(&list),
        )
            .into_response(),
        Err(r) => r,
    }
}
