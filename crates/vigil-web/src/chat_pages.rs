//! A case's conversations: the page of one chat timeline (messages in
//! order with sender, time, flags inline and the place in the original;
//! search within it; jump to a time) and its CSV and PDF. Each view is an
//! audited read, behind the case's need-to-know.

use crate::case_pages::{case_failure, case_id, case_post_then, nav, with_officer};
use crate::components::{csrf, lines, radios, table, text_field};
use crate::form_input::field;
use crate::html::{officer_page, Section};
use crate::AppState;
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use maud::html;
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
        "impossible-time" => "a local time the clocks skipped, or hour 00 on a 12-hour clock",
        "holds-a-line-like-a-message" => {
            "holds a line that starts like a message but could not be read as one: see the notes"
        }
        "date-order-assumed" => {
            "the export does not show whether its dates are day-first or month-first: day and month may be swapped"
        }
        _ => "flagged",
    }
}

/// The page that shows message `n` of an unfiltered conversation, at it.
fn message_href(base: &str, n: u32) -> String {
    format!("{base}?page={}#m{n}", (n as usize).saturating_sub(1) / PER_PAGE + 1)
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
    let base = format!("/cases/{}/chats/{}", case.as_str(), p.reference);
    /// More than this many identifiers are counted, not listed, on the page.
    const SHOWN_IDENTIFIERS: usize = 500;
    let id_rows: Vec<Vec<String>> = p
        .identifiers
        .iter()
        .take(SHOWN_IDENTIFIERS)
        .map(|i| {
            let reports = i.reports.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
            vec![i.identifier.clone(), i.occurrences.to_string(), i.first_source.clone(), reports]
        })
        .collect();
    let search = params.get("q").map(String::as_str).unwrap_or("");
    let at = params.get("at").map(String::as_str).unwrap_or("");
    let shown_from = p.before + 1;
    let shown_to = p.before + p.lines.len() as u64;
    let keep = |page: usize| {
        let mut qs = vec![format!("page={page}")];
        if !search.is_empty() {
            qs.push(format!("q={}", urlencode(search)));
        }
        format!("{base}?{}", qs.join("&"))
    };
    let earlier = (at.is_empty() && page_no > 1).then(|| keep(page_no - 1));
    let later = (shown_to < p.matching)
        .then(|| keep(if at.is_empty() { page_no + 1 } else { (shown_to as usize) / PER_PAGE + 1 }));
    let body = html! {
        (nav(&case, &format!("Conversation {}", p.reference)))
        h1 { "Conversation " (p.reference.to_string()) ": " (h.original.name) }
        p {
            (h.format) " export, exhibit " (p.original.to_string()) " as received (SHA-256 " code { (h.original.sha256) } "); "
            "this timeline was derived by " (h.importer) ". Download the timeline as "
            a href={ (base) "/timeline.csv" } { "CSV" } " or " a href={ (base) "/timeline.pdf" } { "PDF" } "."
        }
        @match (&h.timezone, &h.zone_given_by) {
            (Some(z), Some(who)) => p { "Local times were placed in " (z) " (zone given by " (who) "). Times are shown in UTC." },
            _ => p { "Times are shown in UTC as the platform recorded them; a local time with no zone is shown as written and marked \u{201c}zone unknown\u{201d}." },
        }
        @for n in &h.notes { p.hint { "Note: " (n) } }
        @if p.lines.iter().any(|l| l.flags.iter().any(|f| f == "date-order-assumed")) {
            section aria-labelledby="date-order" {
                h2 id="date-order" { "Are the dates day-first or month-first?" }
                p {
                    "No date in this export has a day over 12, so it does not show whether 03/04 is 3 April or 4 March. "
                    "It was read in an assumed order and every time below is marked uncertain. "
                    "If you know how the phone writes dates (its settings, or another export from it), read it again: "
                    "a new timeline exhibit is made from the same original, and this one stays as it is."
                }
                form method="post" action={ (base) "/reread" } {
                    (csrf(&officer.csrf))
                    (radios(
                        "order",
                        "The phone writes dates",
                        &[("dmy", "day first (31/12/2024)"), ("mdy", "month first (12/31/2024)")],
                        None,
                        None
                    ))
                    (text_field("producer", "Your initials (the new timeline's producer)", "", "", None))
                    button type="submit" { "Read again in this order" }
                }
            }
        }
        h2 { "What may be missing" }
        ul {
            @for c in &h.conversations {
                @let count = |k: &str| c.get(k).and_then(|v| v.as_array()).map_or(0, |a| a.len());
                @let num = |k: &str| c.get(k).and_then(|v| v.as_u64()).unwrap_or(0);
                li {
                    strong { (c.get("title").and_then(|t| t.as_str()).unwrap_or("(untitled)")) } ": "
                    (num("messages")) " message(s); participants " (participants(c).join(", ")) ". "
                    "Deleted " (num("deleted")) ", edited " (num("edited")) "; replies to messages not in the export "
                    (count("missing_references")) "; message-number gaps " (count("id_gaps")) "; silences to check "
                    (count("possible_gaps")) "; ambiguous local times " (num("ambiguous_times")) "; impossible times "
                    (num("impossible_times")) "; out of order "
                    (num("out_of_order")) "; duplicates " (num("duplicates")) "."
                    @if let Some(late) = c.get("starts_late").and_then(|s| s.as_str()) { " May start late: " (late) "." }
                    @for n in c.get("notes").and_then(|n| n.as_array()).into_iter().flatten().filter_map(|n| n.as_str()) {
                        br; span.hint { "Note: " (n) }
                    }
                }
            }
        }
        @if !p.signs.found.is_empty() {
            section.prompts aria-label="Signs in the messages" {
                h2 { "Signs in the messages (prompts, not findings)" }
                @if let Some(m) = &p.signs.first_meeting {
                    p {
                        "The first message to speak of meeting is "
                        a href=(message_href(&base, m.message)) { "message " (m.message) }
                        ", from " strong { (m.sender.as_deref().unwrap_or("(unknown sender)")) }
                        ". If that is the decoy's side, note it for the entrapment and s.78 checklist."
                    }
                }
                ul {
                    @for kind in vigil_chat::SignKind::ALL {
                        @let of_kind: Vec<&vigil_chat::Sign> = p.signs.found.iter().filter(|s| s.kind == kind).collect();
                        @if !of_kind.is_empty() {
                            li {
                                strong { (kind.label()) } " (" (p.signs.count(kind)) "): "
                                @for (k, s) in of_kind.iter().enumerate() {
                                    @if k > 0 { ", " }
                                    a href=(message_href(&base, s.message)) { (s.message) }
                                    " (" (s.sender.as_deref().unwrap_or("?")) ")"
                                }
                            }
                        }
                    }
                }
            }
        }
        details {
            summary { "Identifiers found (" (p.identifiers.len()) ")" }
            p.hint {
                "Found in the messages or participant fields. An identifier is not a person."
                @if p.identifiers.len() > SHOWN_IDENTIFIERS {
                    " The first " (SHOWN_IDENTIFIERS) " are listed; the timeline's header holds them all (" code { "vigil chat show --json" } ")."
                }
            }
            (table(&["Identifier", "Times", "First found at", "Reports in this case holding it"], &id_rows))
        }
        form method="get" action=(base) role="search" {
            label for="q" { "Search this conversation" }
            input type="text" id="q" name="q" value=(search);
            (text_field("at", "Jump to a time", "UTC, for example 2024-03-31 or 2024-03-31T14:00", at, None))
            button type="submit" { "Show" }
        }
        p {
            (p.matching) " of " (h.messages) " message(s)"
            @if !search.is_empty() { " match \u{201c}" (search) "\u{201d}" }
            "; showing " (if p.lines.is_empty() { 0 } else { shown_from }) "–" (shown_to) "."
        }
        table {
            thead { tr { th scope="col" { "No." } th scope="col" { "Time" } th scope="col" { "Sender" } th scope="col" { "Message" } th scope="col" { "Place in the original" } } }
            tbody {
                @for l in &p.lines {
                    tr id={ "m" (l.n) } {
                        td { (l.n) }
                        td { (shown_time(l)) }
                        td { (l.sender.as_deref().unwrap_or("(notice)")) }
                        td {
                            (lines(&l.text))
                            @if let Some(r) = &l.reply_to { br; span.hint { "In reply to message ID " (r) } }
                            @if !l.media.is_empty() { br; span.hint { "Media (not shown): " (l.media.join("; ")) } }
                            @for f in &l.flags { br; strong.error { (flag_words(f)) } }
                        }
                        td { (l.source) }
                    }
                }
                @if p.lines.is_empty() { tr { td colspan="5" { "No messages here." } } }
            }
        }
        @if earlier.is_some() || later.is_some() {
            p {
                @if let Some(e) = &earlier { a href=(e) { "Earlier messages" } }
                @if earlier.is_some() && later.is_some() { " · " }
                @if let Some(l) = &later { a href=(l) { "Later messages" } }
            }
        }
    };
    officer_page(&officer, Section::Cases, &format!("Conversation {}", p.reference), body).into_response()
}

/// A conversation's participants with their platform IDs, as the header lists them.
fn participants(c: &serde_json::Value) -> Vec<String> {
    c.get("participants")
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
        .unwrap_or_default()
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

/// Reads a conversation's export again with the date order the officer
/// gives, into a new timeline exhibit, and shows it.
pub(crate) async fn reread(
    State(state): State<Arc<AppState>>,
    Path((id, producer, number)): Path<(String, String, String)>,
    req: Request,
) -> Response {
    case_post_then(&state, &id, req, move |v, case, o, values| {
        let r = reference(&producer, &number)?;
        let order = vigil_chat::DateOrder::from_code(&field(&values, "order"))
            .filter(|o| *o != vigil_chat::DateOrder::YearFirst)
            .ok_or_else(|| CoreError::InvalidInput {
                field: "order".into(),
                why: "choose day first or month first".into(),
            })?;
        let by = vigil_domain::Initials::parse(field(&values, "producer").trim())?;
        Ok(format!("/chats/{}", v.reread_chat(case, &r, order, &by, o)?))
    })
    .await
}
