//! A case's conversations: the page of one chat timeline (messages in
//! order with sender, time, flags inline and the place in the original;
//! search within it; jump to a time) and its CSV and PDF. Each view is an
//! audited read, behind the case's need-to-know.

use crate::case_pages::{case_failure, case_id, nav, with_officer};
use crate::html::{esc, officer_page};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::sync::Arc;
use vigil_core::{shown_time, ChatQuery, CoreError};
use vigil_domain::ExhibitRef;

/// Messages on one page.
const PER_PAGE: usize = 200;

fn reference(producer: &str, number: &str) -> Result<ExhibitRef, CoreError> {
    // A malformed reference names nothing: the same answer as an unknown one.
    ExhibitRef::parse(&format!("{producer}/{number}"))
        .map_err(|_| CoreError::NoSuchExhibit(format!("{producer}/{number}").chars().take(40).collect()))
}

/// The case and the timeline a path names.
fn case_and_reference(id: &str, producer: &str, number: &str) -> Result<(vigil_domain::CaseId, ExhibitRef), CoreError> {
    Ok((case_id(id)?, reference(producer, number)?))
}

/// Why a flag is shown, in words an officer reads.
fn flag_words(flag: &str) -> &'static str {
    match flag {
        "deleted" => "deleted (as the platform marked it)",
        "edited" => "edited (as the platform marked it)",
        "reply-to-missing" => "replies to a message that is not in the export",
        "id-gap-before" => "message numbers are missing just before this one",
        "after-possible-gap" => "comes after a silence much longer than usual: check for missing messages",
        "out-of-order" => "its time is earlier than the message before it",
        "duplicate" => "the same message appears earlier in the export",
        "ambiguous-time" => "a local time the clocks went back over: it happened twice",
        "impossible-time" => "a local time the clocks skipped",
        _ => "flagged",
    }
}

pub(crate) async fn conversation(
    State(state): State<Arc<AppState>>,
    Path((id, producer, number)): Path<(String, String, String)>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let page_no: usize = params.get("page").and_then(|p| p.parse().ok()).unwrap_or(1).max(1);
    let q = ChatQuery {
        search: params.get("q").cloned(),
        at: params.get("at").cloned(),
        offset: (page_no - 1) * PER_PAGE,
        limit: PER_PAGE,
    };
    let (case, r) = match case_and_reference(&id, &producer, &number) {
        Ok(x) => x,
        Err(e) => return case_failure(e),
    };
    let (c, query) = (case.clone(), q.clone());
    let (officer, p) = match with_officer(&state, &headers, move |v, o| v.chat_page(&c, &r, o, &query)).await {
        Ok(x) => x,
        Err(resp) => return resp,
    };
    let h = &p.header;
    let cid = esc(case.as_str());
    let base = format!("/cases/{cid}/chats/{}", esc(&p.reference.to_string()));
    let mut body =
        format!("<h1>Conversation {}: {}</h1>{}", esc(&p.reference.to_string()), esc(&h.original.name), nav(&case));
    body += &format!(
        "<p>{} export, exhibit {} as received (SHA-256 <code>{}</code>); this timeline was derived by {}. \
         Download the timeline as <a href=\"{base}/timeline.csv\">CSV</a> or <a href=\"{base}/timeline.pdf\">PDF</a>.</p>",
        esc(&h.format),
        esc(&p.original.to_string()),
        esc(&h.original.sha256),
        esc(&h.importer)
    );
    body += &match (&h.timezone, &h.zone_given_by) {
        (Some(z), Some(who)) => format!("<p>Local times were placed in {} (zone given by {}). Times are shown in UTC.</p>", esc(z), esc(who)),
        _ => "<p>Times are shown in UTC as the platform recorded them; a local time with no zone is shown as written and marked \u{201c}zone unknown\u{201d}.</p>".into(),
    };
    for n in &h.notes {
        body += &format!("<p class=\"hint\">Note: {}</p>", esc(n));
    }
    body += "<h2>What may be missing</h2><ul>";
    for c in &h.conversations {
        let count = |k: &str| c.get(k).and_then(|v| v.as_array()).map_or(0, |a| a.len());
        let num = |k: &str| c.get(k).and_then(|v| v.as_u64()).unwrap_or(0);
        let title = c.get("title").and_then(|t| t.as_str()).unwrap_or("(untitled)");
        let participants: Vec<String> = c
            .get("participants")
            .and_then(|p| p.as_array())
            .map(|ps| {
                ps.iter()
                    .map(|p| {
                        let name = p.get("name").and_then(|n| n.as_str()).unwrap_or("?");
                        let ids: Vec<&str> = p
                            .get("ids")
                            .and_then(|i| i.as_array())
                            .map_or(Vec::new(), |i| i.iter().filter_map(|x| x.as_str()).collect());
                        if ids.is_empty() {
                            name.to_owned()
                        } else {
                            format!("{name} ({})", ids.join(", "))
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        body += &format!(
            "<li><strong>{}</strong>: {} message(s); participants {}. Deleted {}, edited {}; replies to messages not in the export {}; \
             message-number gaps {}; silences to check {}; ambiguous local times {}; out of order {}; duplicates {}.{}</li>",
            esc(title),
            num("messages"),
            esc(&participants.join(", ")),
            num("deleted"),
            num("edited"),
            count("missing_references"),
            count("id_gaps"),
            count("possible_gaps"),
            num("ambiguous_times"),
            num("out_of_order"),
            num("duplicates"),
            c.get("starts_late").and_then(|s| s.as_str()).map(|s| format!(" May start late: {}.", esc(s))).unwrap_or_default()
        );
    }
    body += "</ul>";
    /// More than this many identifiers are counted, not listed, on the page.
    const SHOWN_IDENTIFIERS: usize = 500;
    body += &format!(
        "<details><summary>Identifiers found ({})</summary><p class=\"hint\">Found in the messages or participant fields. An identifier is not a person.{}</p>",
        p.identifiers.len(),
        if p.identifiers.len() > SHOWN_IDENTIFIERS {
            format!(" The first {SHOWN_IDENTIFIERS} are listed; the timeline's header holds them all (<code>vigil chat show --json</code>).")
        } else {
            String::new()
        }
    );
    let rows: Vec<Vec<String>> = p
        .identifiers
        .iter()
        .take(SHOWN_IDENTIFIERS)
        .map(|i| {
            let reports = i.reports.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
            vec![i.identifier.clone(), i.occurrences.to_string(), i.first_source.clone(), reports]
        })
        .collect();
    body +=
        &crate::case_pages::table(&["Identifier", "Times", "First found at", "Reports in this case holding it"], &rows);
    let search = params.get("q").map(String::as_str).unwrap_or("");
    let at = params.get("at").map(String::as_str).unwrap_or("");
    body += &format!(
        "<form method=\"get\" action=\"{base}\" role=\"search\">\
         <label for=\"q\">Search this conversation</label><input type=\"text\" id=\"q\" name=\"q\" value=\"{}\">\
         <label for=\"at\">Jump to a time</label><p class=\"hint\" id=\"at-hint\">UTC, for example 2024-03-31 or 2024-03-31T14:00</p>\
         <input type=\"text\" id=\"at\" name=\"at\" value=\"{}\" aria-describedby=\"at-hint\">\
         <button type=\"submit\">Show</button></form>",
        esc(search),
        esc(at)
    );
    let shown_from = p.before + 1;
    let shown_to = p.before + p.lines.len() as u64;
    body += &format!(
        "<p>{} of {} message(s){}; showing {}–{}.</p>",
        p.matching,
        h.messages,
        if search.is_empty() { String::new() } else { format!(" match \u{201c}{}\u{201d}", esc(search)) },
        if p.lines.is_empty() { 0 } else { shown_from },
        shown_to
    );
    let mut rows = String::from(
        "<table><thead><tr><th scope=\"col\">No.</th><th scope=\"col\">Time</th><th scope=\"col\">Sender</th>\
         <th scope=\"col\">Message</th><th scope=\"col\">Place in the original</th></tr></thead><tbody>",
    );
    for l in &p.lines {
        let flags: String =
            l.flags.iter().map(|f| format!("<br><strong class=\"error\">{}</strong>", esc(flag_words(f)))).collect();
        let media = if l.media.is_empty() {
            String::new()
        } else {
            format!("<br><span class=\"hint\">Media (not shown): {}</span>", esc(&l.media.join("; ")))
        };
        let reply = l
            .reply_to
            .as_deref()
            .map(|r| format!("<br><span class=\"hint\">In reply to message ID {}</span>", esc(r)))
            .unwrap_or_default();
        rows += &format!(
            "<tr id=\"m{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}{reply}{media}{flags}</td><td>{}</td></tr>",
            l.n,
            l.n,
            esc(&shown_time(l)),
            esc(l.sender.as_deref().unwrap_or("(notice)")),
            esc(&l.text).replace('\n', "<br>"),
            esc(&l.source)
        );
    }
    if p.lines.is_empty() {
        rows += "<tr><td colspan=\"5\">No messages here.</td></tr>";
    }
    body += &(rows + "</tbody></table>");
    let keep = |page: usize| {
        let mut qs = vec![format!("page={page}")];
        if !search.is_empty() {
            qs.push(format!("q={}", urlencode(search)));
        }
        format!("{base}?{}", qs.join("&amp;"))
    };
    let mut pager = Vec::new();
    if at.is_empty() && page_no > 1 {
        pager.push(format!("<a href=\"{}\">Earlier messages</a>", keep(page_no - 1)));
    }
    if shown_to < p.matching {
        let next = if at.is_empty() { page_no + 1 } else { (shown_to as usize) / PER_PAGE + 1 };
        pager.push(format!("<a href=\"{}\">Later messages</a>", keep(next)));
    }
    if !pager.is_empty() {
        body += &format!("<p>{}</p>", pager.join(" · "));
    }
    officer_page(&officer, &format!("Conversation {}", p.reference), &body).into_response()
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub(crate) async fn table_file(
    State(state): State<Arc<AppState>>,
    Path((id, producer, number, file)): Path<(String, String, String, String)>,
    headers: HeaderMap,
) -> Response {
    let pdf = match file.as_str() {
        "timeline.csv" => false,
        "timeline.pdf" => true,
        _ => {
            return case_failure(CoreError::NoSuchExhibit(
                format!("{producer}/{number}/{file}").chars().take(60).collect(),
            ))
        }
    };
    let (case, r) = match case_and_reference(&id, &producer, &number) {
        Ok(x) => x,
        Err(e) => return case_failure(e),
    };
    let (c, rr) = (case.clone(), r.clone());
    let made = with_officer(&state, &headers, move |v, o| {
        let t = v.chat_table(&c, &rr, o)?;
        if pdf {
            t.pdf()
        } else {
            Ok(t.csv().into_bytes())
        }
    })
    .await;
    let bytes = match made {
        Ok((_, b)) => b,
        Err(resp) => return resp,
    };
    let ctype = if pdf { "application/pdf" } else { "text/csv; charset=utf-8" };
    let disposition = format!(
        "attachment; filename=\"{}-{}-timeline.{}\"",
        case.as_str(),
        r.to_string().replace('/', "-"),
        if pdf { "pdf" } else { "csv" }
    );
    ([(header::CONTENT_TYPE, ctype.to_owned()), (header::CONTENT_DISPOSITION, disposition)], bytes).into_response()
}
