//! The retention review queue (MoPI-style) for supervisors, readable by
//! auditors: every case and closed report with its review date and rule,
//! those due first; a supervisor retains with a reason, disposes of (the
//! audited deletion, with its certificate) or puts a legal hold on one.

use crate::case_pages::{case_failure as failure, with_officer};
use crate::components::{csrf, table_of, tag, Tone};
use crate::form_input::{field, officer_form, to_login};
use crate::html::{officer_page, Section};
use crate::AppState;
use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use std::sync::Arc;
use vigil_core::{OfficerSession, RetentionAction, RetentionItem};

fn day(t: &vigil_domain::Timestamp) -> String {
    t.to_string()[..10].to_owned()
}

fn status(i: &RetentionItem) -> Markup {
    html! {
        @if i.disposed { "Disposed of" }
        @else if i.due { (tag("DUE", Tone::Danger)) }
        @else { "Not yet due" }
        @if let Some(h) = &i.hold { br; (tag("LEGAL HOLD", Tone::New)) " " (h.reason) }
        @if i.live_prosecution { br; (tag("LIVE PROSECUTION", Tone::New)) }
    }
}

fn subject_link(i: &RetentionItem) -> Markup {
    html! {
        @match i.subject.strip_prefix("case:") {
            Some(id) if !i.disposed => a href={ "/cases/" (id) } { (i.subject) },
            _ => (i.subject),
        }
    }
}

/// The decision form for one item: a reason, and the actions open to it.
fn decide_form(o: &OfficerSession, i: &RetentionItem, n: usize) -> Markup {
    let id = format!("reason-{n}");
    html! {
        @if !i.disposed {
            form method="post" action="/retention" {
                (csrf(&o.csrf))
                input type="hidden" name="subject" value=(i.subject);
                label for=(id) { "Reason for " (i.subject) }
                input type="text" id=(id) name="reason" required;
                @if i.due { button type="submit" name="action" value="retain" { "Retain" } }
                @if i.due && i.hold.is_none() && !i.live_prosecution {
                    " " button.danger type="submit" name="action" value="dispose" { "Dispose of" }
                }
                @if i.hold.is_none() { " " button.secondary type="submit" name="action" value="hold" { "Legal hold" } }
                @else { " " button.secondary type="submit" name="action" value="release" { "Release hold" } }
            }
        }
    }
}

fn render(o: &OfficerSession, items: &[RetentionItem], notice: Option<&str>) -> Response {
    let decides = o.role == vigil_domain::Role::Supervisor;
    let due = items.iter().filter(|i| i.due && !i.disposed).count();
    let mut headers = vec!["Case or report", "Outcome", "Rule", "Last activity", "Review due", "Status", "Exhibits"];
    if decides {
        headers.push("Decision");
    }
    let rows: Vec<Vec<Markup>> = items
        .iter()
        .enumerate()
        .map(|(n, i)| {
            let mut r = vec![
                html! { (subject_link(i)) br; span.hint { (i.title) } },
                html! { (i.outcome.replace('-', " ")) },
                html! { (i.rule) },
                html! { (day(&i.last_activity)) },
                html! { (day(&i.review_due)) },
                status(i),
                html! { (i.exhibits) },
            ];
            if decides {
                r.push(decide_form(o, i, n));
            }
            r
        })
        .collect();
    let body = html! {
        h1 { "Retention review" }
        @if let Some(n) = notice { p.notice role="status" { (n) } }
        p { (items.len()) " under review (cases, and reports closed without a case); " strong { (due) " due" } ". "
            "Each review date comes from the force's retention policy (by category and outcome), counted from the "
            "last activity or the last decision to retain." }
        p.hint { "Disposing of an item deletes every exhibit it holds (their keys are destroyed; digests and custody "
            "history remain) and writes a disposal certificate the custody log proves. A legal hold or a live "
            "prosecution stops disposal. Every decision is a custody event." }
        (table_of(&headers, &rows))
    };
    officer_page(o, Section::Retention, "Retention review", body).into_response()
}

pub(crate) async fn page(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    match with_officer(&state, &headers, |v, o| v.retention_queue_as(o)).await {
        Ok((o, items)) => render(&o, &items, None),
        Err(r) => r,
    }
}

pub(crate) async fn decide(State(state): State<Arc<AppState>>, req: Request) -> Response {
    // The role first: nobody else's form is read.
    match crate::officer::current(&state, req.headers()).await {
        None => return to_login(),
        Some((_, o)) if o.role != vigil_domain::Role::Supervisor => {
            return failure(vigil_core::CoreError::Forbidden("only supervisors make retention decisions".into()))
        }
        Some(_) => {}
    }
    let (headers, _, values) = match officer_form(&state, req, to_login).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let action = match RetentionAction::parse(field(&values, "action").trim()) {
        Ok(a) => a,
        Err(e) => return failure(e),
    };
    let subject = field(&values, "subject").trim().to_owned();
    let reason = field(&values, "reason");
    match with_officer(&state, &headers, move |v, o| {
        let done = v.retention_decide_as(o, &subject, action, &reason)?;
        Ok((done, v.retention_queue_as(o)?))
    })
    .await
    {
        Ok((o, (done, items))) => render(&o, &items, Some(&done)),
        Err(r) => r,
    }
}
