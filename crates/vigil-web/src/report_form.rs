//! `/report`: guidance first, then the form; the submission is durable (an
//! exhibit with its custody event) before the receipt page is sent.

use crate::components::{csrf, error_summary, radios, text_area, text_field};
use crate::csrf::CsrfError;
use crate::form_input::{read_form, read_form_with_files};
use crate::html::page;
use crate::AppState;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use std::collections::HashMap;
use std::sync::Arc;
use vigil_domain::{PublicReport, ReportKind};

pub(crate) async fn index() -> Redirect {
    Redirect::to("/report")
}

fn guidance() -> Markup {
    html! {
        h1 { "Report a concern about a child online" }
        div.warning { p { strong { "If a child is in immediate danger, call 999 now." } } }
        p { "Tell us what you have seen. Specialist officers read every report. You do not have to give your name." }
        h2 { "Before you start" }
        ul {
            li { "Do not confront the person, and do not arrange to meet them." }
            li { "Do not post about them or share what you found on social media." }
            li { "Do not pose as a child or keep talking to them." }
            li {
                "Never download, screenshot or send indecent images, even to us. It is a crime and it harms the child. "
                "Give us the web address (URL) or the username instead."
            }
        }
    }
}

const YES_NO: &[(&str, &str)] = &[("yes", "Yes"), ("no", "No")];

fn form(token: &str, values: &HashMap<String, String>, errors: &[(&str, String)]) -> Markup {
    let v = |k: &str| values.get(k).map(String::as_str).unwrap_or("");
    let e = |k: &str| errors.iter().find(|(f, _)| *f == k).map(|(_, m)| m.as_str());
    let chosen = |k: &str| values.get(k).map(String::as_str);
    let yes_no = |k: &str, error: bool| radios(k, question(k), YES_NO, chosen(k), if error { e(k) } else { None });
    html! {
        (error_summary(errors))
        (guidance())
        form method="post" action="/report" enctype="multipart/form-data" novalidate {
            (csrf(token))
            (radios("kind", question("kind"), KIND_OPTIONS, chosen("kind"), e("kind")))
            (yes_no("immediate_danger", true))
            (yes_no("meeting_planned", true))
            (yes_no("images_exchanged", true))
            (text_field("platform", question("platform"), "", v("platform"), e("platform")))
            (text_area("identifiers", question("identifiers"), "One per line. Give links, not pictures.", v("identifiers"), e("identifiers")))
            (text_area("child", question("child"), "For example their age, and how you know them. Leave blank if you do not know.", v("child"), e("child")))
            (text_field("dates", question("dates"), "", v("dates"), e("dates")))
            (radios("how_known", question("how_known"), HOW_KNOWN_OPTIONS, chosen("how_known"), e("how_known")))
            (text_field("child_location", question("child_location"), "A town or area is enough. It tells us which police force to alert.", v("child_location"), e("child_location")))
            (yes_no("reporter_is_child", false))
            (yes_no("would_give_statement", false))
            p.hint id="contacted-hint" {
                "Please do not contact the person or pretend to be a child to talk to them: it can put a child at risk and can stop a prosecution. "
                "If you already have, tell us: it helps."
            }
            (yes_no("contacted_or_posed", false))
            (text_area("account", question("account"), "What was said or asked, and where.", v("account"), e("account")))
            label for="attachments" { "Chat exports (optional)" }
            p.hint id="attachments-hint" {
                "Up to 3 files of 5 MB: chat exports (a WhatsApp .txt or .zip, of which only the chat text is kept; a Telegram result.json; text or HTML), or PDF. "
                "Do not send pictures or screenshots of pictures: give the web address instead."
            }
            @if let Some(m) = e("attachments") { p.error id="attachments-error" { (m) } }
            input type="file" id="attachments" name="attachments" multiple
                accept=".txt,.json,.zip,.html,.htm,.pdf,text/plain,application/json,application/zip,text/html,application/pdf"
                aria-describedby="attachments-hint";
            (text_area("contact", question("contact"), "Leave blank to stay anonymous. Officers may contact you if you give details.", v("contact"), e("contact")))
            button type="submit" { "Send report" }
        }
    }
}

/// The answers to "What happened?" and "How do you know?", as the form offers them.
/// Each kind's value and words are the domain's own (`ReportKind`).
pub(crate) const KIND_OPTIONS: &[(&str, &str)] = &[
    (ReportKind::Grooming.as_str(), ReportKind::Grooming.label()),
    (ReportKind::Sextortion.as_str(), ReportKind::Sextortion.label()),
    (ReportKind::ImageSharing.as_str(), ReportKind::ImageSharing.label()),
    (ReportKind::Other.as_str(), ReportKind::Other.label()),
];
pub(crate) const HOW_KNOWN_OPTIONS: &[(&str, &str)] =
    &[("saw-it-myself", "I saw it myself"), ("was-told", "Someone told me"), ("found-online", "I found it online")];

/// The words the form showed for a stored answer.
pub(crate) fn option_label(options: &[(&str, &'static str)], value: &str) -> String {
    options.iter().find(|(v, _)| *v == value).map_or_else(|| value.to_owned(), |(_, l)| (*l).to_owned())
}

/// Each question of the form, by its field name: the form asks it and
/// the officer's view of a report shows each answer under it.
pub(crate) fn question(field: &str) -> &'static str {
    match field {
        "kind" => "What happened?",
        "immediate_danger" => "Is a child in immediate danger?",
        "meeting_planned" => "Has a meeting with a child been arranged?",
        "images_exchanged" => "Have images been sent or asked for?",
        "platform" => "Which app, game or website?",
        "identifiers" => "Usernames, profile links, e-mail addresses or phone numbers of the person",
        "child" => "What do you know about the child?",
        "dates" => "When did it happen?",
        "how_known" => "How do you know about this? (optional)",
        "child_location" => "Roughly where is the child? (optional)",
        "reporter_is_child" => "Are you under 18? (optional)",
        "would_give_statement" => "Would you be willing to give a statement if needed? (optional)",
        "contacted_or_posed" => "Have you contacted the person, or pretended to be a child to talk to them? (optional)",
        "account" => "Tell us what happened",
        "contact" => "Your contact details (optional)",
        _ => "Other",
    }
}

pub(crate) async fn show(State(state): State<Arc<AppState>>) -> Response {
    page("Report", form(&state.csrf.issue(), &HashMap::new(), &[])).into_response()
}

fn yes_no(
    values: &HashMap<String, String>,
    name: &'static str,
    question: &str,
    errors: &mut Vec<(&'static str, String)>,
) -> bool {
    match values.get(name).map(String::as_str) {
        Some("yes") => true,
        Some("no") => false,
        _ => {
            errors.push((name, format!("Answer: {question}")));
            false
        }
    }
}

/// An optional yes/no question: unanswered (or anything else) is `None`.
fn optional_yes_no(values: &HashMap<String, String>, name: &str) -> Option<bool> {
    match values.get(name).map(String::as_str) {
        Some("yes") => Some(true),
        Some("no") => Some(false),
        _ => None,
    }
}

/// A WhatsApp zip keeps only its chat text (`_chat.txt`): the zip itself,
/// and every picture in it, is not kept. Returns what to tell the reporter.
fn unpack_chats(attachments: &mut [vigil_core::Attachment]) -> Result<Vec<String>, Vec<(&'static str, String)>> {
    let mut notes = Vec::new();
    let mut errors = Vec::new();
    for a in attachments.iter_mut() {
        if !a.bytes.starts_with(b"PK\x03\x04") {
            continue;
        }
        match vigil_chat::public_upload::chat_from_zip(&a.bytes, vigil_domain::MAX_ATTACHMENT_BYTES) {
            Ok(k) => {
                notes.push(format!("From {} we kept only the chat, {}.", a.name, k.name));
                if k.pictures > 0 {
                    notes.push(format!(
                        "{} picture(s) or video(s) in {} were not kept: {}.",
                        k.pictures,
                        a.name,
                        vigil_domain::IMAGE_REFUSED
                    ));
                }
                let others = k.not_kept.len() - k.pictures;
                if others > 0 {
                    notes.push(format!("{others} other file(s) in {} were not kept.", a.name));
                }
                *a = vigil_core::Attachment { name: k.name, content_type: "text/plain".into(), bytes: k.bytes };
            }
            Err(why) => errors.push(("attachments", format!("{}: {}", a.name, capitalise(&why)))),
        }
    }
    if errors.is_empty() {
        Ok(notes)
    } else {
        Err(errors)
    }
}

/// How long the files of one submission may take to check, in all, before
/// what is left is refused as a file Vigil cannot check.
const CHECK_DEADLINE: std::time::Duration = std::time::Duration::from_secs(5);

fn parse(
    values: &HashMap<String, String>,
    attachments: &[vigil_core::Attachment],
) -> Result<PublicReport, Vec<(&'static str, String)>> {
    let mut errors = Vec::new();
    let deadline = std::time::Instant::now() + CHECK_DEADLINE;
    let past_deadline = || std::time::Instant::now() > deadline;
    let mut budget = vigil_domain::CheckBudget::with_stop(vigil_domain::MAX_PDF_INFLATED, &past_deadline);
    for a in attachments {
        if let Err(e) = vigil_domain::classify_attachment_within(&a.name, &a.content_type, &a.bytes, &mut budget) {
            // Files cannot be kept across a failed submission: the reporter chooses again.
            errors.push(("attachments", format!("{}: {}", e.name, capitalise(&e.why))));
        }
    }
    let kind = values.get("kind").and_then(|k| ReportKind::parse(k));
    if kind.is_none() {
        errors.push(("kind", "Select what happened".to_string()));
    }
    let immediate_danger = yes_no(values, "immediate_danger", "is a child in immediate danger?", &mut errors);
    let meeting_planned = yes_no(values, "meeting_planned", "has a meeting been arranged?", &mut errors);
    let images_exchanged = yes_no(values, "images_exchanged", "have images been sent or asked for?", &mut errors);
    let get = |k: &str| values.get(k).cloned().unwrap_or_default();
    let contact = get("contact");
    let report = PublicReport {
        kind: kind.unwrap_or(ReportKind::Other),
        immediate_danger,
        meeting_planned,
        images_exchanged,
        platform: get("platform"),
        identifiers: get("identifiers").lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect(),
        child: get("child"),
        dates: get("dates"),
        account: get("account"),
        contact: if contact.trim().is_empty() { None } else { Some(contact) },
        about: vigil_domain::ReporterAnswers {
            how_known: values.get("how_known").and_then(|h| vigil_domain::HowKnown::parse(h)),
            child_location: Some(get("child_location")).filter(|l| !l.trim().is_empty()),
            reporter_is_child: optional_yes_no(values, "reporter_is_child"),
            would_give_statement: optional_yes_no(values, "would_give_statement"),
            contacted_or_posed: optional_yes_no(values, "contacted_or_posed"),
        },
    };
    if let Err(e) = report.validate() {
        let field: &'static str = match e.what {
            "platform" => "platform",
            "identifiers" => "identifiers",
            "child" => "child",
            "dates" => "dates",
            "contact" => "contact",
            "child_location" => "child_location",
            _ => "account",
        };
        let msg = if e.why == "is required" {
            "Tell us what happened".to_string()
        } else {
            format!("The {} {}", field.replace('_', " "), e.why)
        };
        errors.push((field, msg));
    }
    if errors.is_empty() {
        Ok(report)
    } else {
        Err(errors)
    }
}

/// Public pages speak in sentences.
fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or_else(String::new, |f| format!("{}{}.", f.to_uppercase(), c.as_str()))
}

fn plain(status: StatusCode, msg: &str) -> Response {
    (
        status,
        page(
            "Problem",
            html! { h1 { "Sorry, there is a problem" } p { (msg) } p { a href="/report" { "Go back to the form" } } },
        ),
    )
        .into_response()
}

/// The answer to a public form whose token cannot be taken.
fn form_refused(e: CsrfError) -> Response {
    match e {
        CsrfError::Unavailable => plain(
            StatusCode::SERVICE_UNAVAILABLE,
            "Your report could not be taken this minute. Please send the form again shortly, or call 101 (999 in an emergency).",
        ),
        CsrfError::Replayed => plain(
            StatusCode::BAD_REQUEST,
            "This form has already been sent. Your first report was received; to add information, use your receipt.",
        ),
        CsrfError::Malformed | CsrfError::Expired => {
            plain(StatusCode::BAD_REQUEST, "This form has expired. Please open the form again.")
        }
    }
}

fn too_many_reports() -> Response {
    plain(StatusCode::TOO_MANY_REQUESTS, "Too many reports have been sent from your connection. Please wait a few minutes and try again, or call 101 (999 in an emergency).")
}

/// `answer`, once the request is counted in the shared rate window; the
/// refusal for too many if that count is over the client's limit.
async fn counted_first(state: &Arc<AppState>, client: &str, answer: Response) -> Response {
    if state.limiter.allow_shared(state, client).await {
        answer
    } else {
        too_many_reports()
    }
}

pub(crate) async fn submit(State(state): State<Arc<AppState>>, req: Request) -> Response {
    let client = crate::client_address::client_key(&req, &state.trusted_proxies);
    // This node's count first, before the body is read. Where nodes share
    // the windows (PostgreSQL), a well-formed report of fields alone is
    // counted in the shared window in the unit that stores it, with the
    // unit's other reports; every other request is counted there before
    // its work (`counted_first`).
    if !state.limiter.allow_here(&client) {
        return too_many_reports();
    }
    let (values, mut attachments) = match read_form_with_files(&state, req).await {
        Ok(v) => v,
        Err(e) => return counted_first(&state, &client, plain(e.status, &capitalise(&e.why))).await,
    };
    let mut spend = match crate::csrf::check_to_spend(&state, values.get("csrf").map(String::as_str).unwrap_or("")) {
        Ok(spend) => spend,
        Err(e) => return counted_first(&state, &client, form_refused(e)).await,
    };
    let fields_only = attachments.is_empty();
    if !fields_only && !state.limiter.allow_shared(&state, &client).await {
        return too_many_reports();
    }
    // A form with files is spent before its files are unpacked, so a replay
    // costs no unpacking; a form of fields alone is spent in the unit that
    // stores its report, so it is spent if and only if the report is kept.
    if !fields_only {
        if let Some(s) = spend.take() {
            if let Err(e) = crate::csrf::spend_on_blocking_thread(&state, s).await {
                return form_refused(e);
            }
        }
    }
    // Unpacking and checking files is CPU work on bytes from anyone: it
    // runs on a blocking thread, a few submissions at a time, so the async
    // workers stay free for everyone else's requests. A report without
    // files is a few short fields, read where it is.
    let (values, attachments, parsed, described) = if fields_only {
        let parsed = parse(&values, &attachments).map(|r| (r, Vec::new()));
        (values, attachments, parsed, Vec::new())
    } else {
        let Ok(_checking) = state.checks.clone().acquire_owned().await else {
            return plain(
                StatusCode::SERVICE_UNAVAILABLE,
                "Your report could not be saved just now. Please try again, or call 101 (999 in an emergency).",
            );
        };
        let checked = tokio::task::spawn_blocking(move || {
            let unpacked = unpack_chats(&mut attachments);
            let parsed = unpacked.and_then(|notes| parse(&values, &attachments).map(|r| (r, notes)));
            let mut kept = Vec::new();
            if parsed.is_ok() {
                // What the reporter is told was kept: each file, and what it is.
                for a in &attachments {
                    match vigil_chat::public_upload::describe(&a.name, &a.bytes) {
                        Some(what) => kept.push(format!("Kept {}: {what}.", a.name)),
                        None => kept.push(format!("Kept {}.", a.name)),
                    }
                }
            }
            (values, attachments, parsed, kept)
        })
        .await;
        let Ok(checked) = checked else {
            return plain(
                StatusCode::SERVICE_UNAVAILABLE,
                "Your report could not be saved just now. Please try again, or call 101 (999 in an emergency).",
            );
        };
        checked
    };
    let (report, mut kept) = match parsed {
        Ok(r) => r,
        Err(errors) => {
            let body = form(&state.csrf.issue(), &values, &errors);
            let answer = (StatusCode::BAD_REQUEST, page("Error: Report", body)).into_response();
            // A form with files was counted before its files were unpacked.
            return if fields_only { counted_first(&state, &client, answer).await } else { answer };
        }
    };
    kept.extend(described);
    let (st, key) = (state.clone(), client.clone());
    let danger = report.immediate_danger;
    let saved = tokio::task::spawn_blocking(move || {
        let count = if fields_only { st.limiter.in_unit(&key) } else { None };
        st.vigil.submit_public_form(&report, &attachments, spend.as_ref(), count.as_ref())
    })
    .await;
    match &saved {
        Ok(Err(vigil_core::CoreError::FormAlreadySent)) => return form_refused(CsrfError::Replayed),
        Ok(Err(vigil_core::CoreError::OverLimit(counted))) => {
            state.limiter.counted(*counted);
            return too_many_reports();
        }
        Ok(Ok(vigil_core::Receipt { counted: Some(counted), .. })) => {
            state.limiter.counted(*counted);
        }
        _ => {}
    }
    if let Ok(Err(e)) = &saved {
        // Only the kind: a public request's error may quote what was sent.
        tracing::error!(kind = ?e.kind(), "a public report could not be saved");
    }
    if let (true, Ok(Ok(r))) = (danger, &saved) {
        crate::alerts::raise(&state, crate::alerts::Alert::ImmediateDanger { report: r.exhibit.to_string() });
    }
    match saved {
        Ok(Ok(r)) => page(
            "Report received",
            html! {
                h1 { "Your report has been received" }
                p { "Write down both of these now. We cannot show them again." }
                p { "Receipt code" }
                p.receipt { (r.code) }
                p { "Secret" }
                p.receipt { (r.secret) }
                p {
                    "With both you can " a href="/report/add" { "add information to your report" }
                    " later. No one can use them to see what you reported."
                }
                @if !kept.is_empty() { h2 { "Your files" } ul { @for k in &kept { li { (k) } } } }
                div.warning { p { strong { "If a child is in immediate danger, call 999 now." } } }
                p { "Do not confront the person or post about them. Keep any messages, but do not download or send images." }
            },
        )
        .into_response(),
        // The report was not stored: say so, so the reporter can try again.
        _ => plain(StatusCode::SERVICE_UNAVAILABLE, "Your report could not be saved just now. Please try again, or call 101 (999 in an emergency)."),
    }
}

fn add_form(token: &str, values: &HashMap<String, String>, errors: &[(&str, String)]) -> Markup {
    let v = |k: &str| values.get(k).map(String::as_str).unwrap_or("");
    let e = |k: &str| errors.iter().find(|(f, _)| *f == k).map(|(_, m)| m.as_str());
    html! {
        (error_summary(errors))
        h1 { "Add information to a report" }
        p {
            "Enter the receipt code and secret you were given when you sent your report. We will add what you write to it. "
            "For your safety and the investigation's, we cannot show you anything already reported."
        }
        div.warning { p { strong { "If a child is in immediate danger, call 999 now." } } }
        form method="post" action="/report/add" novalidate {
            (csrf(token))
            (text_field("code", "Receipt code", "For example VR-AB12-CD34", v("code"), e("code")))
            (text_field("secret", "Secret", "", "", e("secret")))
            (text_area("text", "What would you like to add?", "Give links or usernames, not pictures.", v("text"), e("text")))
            button type="submit" { "Add to my report" }
        }
    }
}

pub(crate) async fn add_show(State(state): State<Arc<AppState>>) -> Response {
    page("Add information", add_form(&state.csrf.issue(), &HashMap::new(), &[])).into_response()
}

pub(crate) async fn add_submit(State(state): State<Arc<AppState>>, req: Request) -> Response {
    let client = crate::client_address::client_key(&req, &state.trusted_proxies);
    // Guessing secrets costs a submission from the same allowance.
    if !state.limiter.allow(&state, &client).await {
        return plain(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many attempts from your connection. Please wait a few minutes and try again.",
        );
    }
    let values = match read_form(&state, req).await {
        Ok(v) => v,
        Err(e) => return plain(e.status, &capitalise(&e.why)),
    };
    if crate::csrf::redeem(&state, values.get("csrf").map(String::as_str).unwrap_or("")).await.is_err() {
        return plain(StatusCode::BAD_REQUEST, "This form has expired or was already sent. Please open it again.");
    }
    let get = |k: &str| values.get(k).cloned().unwrap_or_default();
    let (code, secret, text) = (get("code"), get("secret"), get("text"));
    let mut errors = Vec::new();
    if code.trim().is_empty() {
        errors.push(("code", "Enter your receipt code".to_string()));
    }
    if secret.trim().is_empty() {
        errors.push(("secret", "Enter your secret".to_string()));
    }
    if text.trim().is_empty() {
        errors.push(("text", "Tell us what you would like to add".to_string()));
    }
    if !errors.is_empty() {
        return (
            StatusCode::BAD_REQUEST,
            page("Error: Add information", add_form(&state.csrf.issue(), &values, &errors)),
        )
            .into_response();
    }
    // The addition's own rules, checked here so the answer can name the field.
    if let Err(e) = vigil_domain::PublicReport::validate_addition(&text) {
        let errors = vec![("text", format!("What you wrote could not be added: {}", e.why))];
        return (
            StatusCode::BAD_REQUEST,
            page("Error: Add information", add_form(&state.csrf.issue(), &values, &errors)),
        )
            .into_response();
    }
    let st = state.clone();
    let result = tokio::task::spawn_blocking(move || st.vigil.add_to_public_report(&code, &secret, &text)).await;
    match result {
        Ok(Ok(Some(added))) => {
            // News on a report still being worked reaches officers as a new report would.
            if added.report_live {
                crate::alerts::raise(
                    &state,
                    crate::alerts::Alert::Addition {
                        report: added.report.to_string(),
                        path: crate::triage_queue::report_path(&added.report),
                        immediate_danger: added.immediate_danger,
                    },
                );
            }
            page(
                "Information added",
                html! {
                    h1 { "Thank you. We have added this to your report." }
                    div.warning { p { strong { "If a child is in immediate danger, call 999 now." } } }
                },
            )
            .into_response()
        }
        Ok(Ok(None)) => {
            let errors = vec![(
                "code",
                "The receipt code and secret do not match a report. Check both and try again.".to_string(),
            )];
            (StatusCode::BAD_REQUEST, page("Error: Add information", add_form(&state.csrf.issue(), &values, &errors)))
                .into_response()
        }
        Ok(Err(e)) => {
            // Only the kind: a public request's error may quote what was sent.
            tracing::error!(kind = ?e.kind(), "an addition to a report could not be saved");
            plain(StatusCode::SERVICE_UNAVAILABLE, "Your information could not be saved just now. Please try again.")
        }
        _ => plain(StatusCode::SERVICE_UNAVAILABLE, "Your information could not be saved just now. Please try again."),
    }
}
