//! Break-glass reads: an officer consults a case they are not assigned to
//! by giving a justification (recorded, an hour's reading, flagged); a
//! supervisor or auditor sees every such read on the same address.

use crate::case_pages::{case_failure as failure, with_officer};
use crate::components::{csrf, table_of, text_area, text_field};
use crate::form_input::{field, officer_form, to_login};
use crate::html::{officer_page, Section};
use crate::AppState;
use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use std::sync::Arc;
use vigil_core::CoreError;
use vigil_domain::Role;

pub(crate) async fn page(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let (officer, reads) = match with_officer(&state, &headers, |v, o| match o.role {
        Role::Supervisor | Role::Auditor => v.break_glass_reads(o).map(Some),
        r if r.may_break_glass() => Ok(None),
        r => Err(CoreError::Forbidden(format!("the {r} role cannot break glass"))),
    })
    .await
    {
        Ok(x) => x,
        Err(r) => return r,
    };
    let body = match reads {
        Some(reads) => {
            let rows: Vec<Vec<maud::Markup>> = reads
                .iter()
                .map(|r| {
                    vec![
                        html! { (vigil_domain::Timestamp::london_of(&r.when)) },
                        html! { (r.who) br; span.hint { (r.role) } },
                        html! { a href={ "/cases/" (r.case) } { (r.case) } },
                        html! { (r.justification) },
                        html! { a href={ "/access?object=case:" (r.case) } { "#" (r.event) } },
                    ]
                })
                .collect();
            html! {
                h1 { "Break-glass reads" }
                p { (reads.len()) " read(s) of cases by officers not assigned to them, newest first. Each was allowed "
                    "for an hour on the justification shown; check that each was needed." }
                (table_of(&["When", "Officer", "Case", "Justification", "Event"], &rows))
            }
        }
        None => html! {
            h1 { "Consult a case you are not assigned to" }
            p { "If you need a case you are not assigned to (a linked report, a threat to a child now), you may read it "
                "for an hour. Your justification is recorded in the custody log and shown to supervisors, who check "
                "every such read. Reading only: you cannot change the case." }
            form method="post" action="/break-glass" {
                (csrf(&officer.csrf))
                (text_field("case", "Case", "For example OP-LANTERN-2026", "", None))
                (text_area("justification", "Why you need it", "At least 20 characters: what you are doing and why this case", "", None))
                button type="submit" { "Open for reading" }
            }
        },
    };
    officer_page(&officer, Section::Cases, "Break-glass reads", body).into_response()
}

pub(crate) async fn open(State(state): State<Arc<AppState>>, req: Request) -> Response {
    // The role first: nobody else's form is read.
    match crate::officer::current(&state, req.headers()).await {
        None => return to_login(),
        Some((_, o)) if !o.role.may_break_glass() => {
            return failure(CoreError::Forbidden(format!("the {} role cannot break glass", o.role)))
        }
        Some(_) => {}
    }
    let (headers, _, values) = match officer_form(&state, req, to_login).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let case = match vigil_domain::CaseId::parse(field(&values, "case").trim()) {
        Ok(c) => c,
        Err(e) => return failure(e.into()),
    };
    let justification = field(&values, "justification");
    match with_officer(&state, &headers, move |v, o| v.break_glass(&case, &justification, o)).await {
        Ok((_, read)) => Redirect::to(&format!("/cases/{}", read.case)).into_response(),
        Err(r) => r,
    }
}
