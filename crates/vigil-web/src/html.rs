//! The page shell and HTML escaping. Pages are plain server-rendered HTML
//! with one stylesheet and no script.

use axum::http::header;
use axum::response::{Html, IntoResponse};

pub(crate) fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

pub(crate) fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} – Report a concern about a child online</title><link rel=\"stylesheet\" href=\"/static/vigil.css\"></head>\
         <body><a class=\"skip\" href=\"#main\">Skip to main content</a><header><p class=\"service\">Report a concern about a child online</p></header>\
         <main id=\"main\">{body}</main><footer><p>If a child is in immediate danger, call 999 now.</p></footer></body></html>",
        esc(title)
    ))
}

/// An officer's page: Vigil's own header with the officer, their role,
/// the pages that role may use and sign-out; a footer for staff, not the
/// public's 999 line.
pub(crate) fn officer_page(o: &vigil_core::OfficerSession, title: &str, body: &str) -> Html<String> {
    use vigil_domain::Role;
    let mut links = vec![("/officer", "Home")];
    if o.role.works_triage() {
        links.push(("/queue", "Queue"));
    }
    if o.role != Role::Admin {
        links.push(("/cases", "Cases"));
    }
    if o.role.may_search() {
        links.push(("/search", "Search"));
    }
    if matches!(o.role, Role::Supervisor | Role::Auditor) {
        links.push(("/figures", "Figures"));
    }
    let nav: String = links.iter().map(|(href, label)| format!("<li><a href=\"{href}\">{label}</a></li>")).collect();
    Html(format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} – Vigil</title><link rel=\"stylesheet\" href=\"/static/vigil.css\"></head>\
         <body><a class=\"skip\" href=\"#main\">Skip to main content</a><header class=\"officer\"><p class=\"service\">Vigil</p>\
         <nav aria-label=\"Officer pages\"><ul class=\"tabs\">{nav}</ul></nav>\
         <form method=\"post\" action=\"/logout\" class=\"signout\"><span>Signed in as {} ({})</span> \
         <input type=\"hidden\" name=\"csrf\" value=\"{}\"><button type=\"submit\">Sign out</button></form></header>\
         <main id=\"main\">{body}</main><footer><p>Vigil. OFFICIAL-SENSITIVE: every view of evidence is recorded in the custody log.</p></footer></body></html>",
        esc(title),
        esc(&o.username),
        esc(o.role.as_str()),
        esc(&o.csrf)
    ))
}

/// The answer when a handler failed unexpectedly. It says what a reporter
/// needs to know: their request was not completed, so send it again.
pub(crate) fn internal_error_page(request_id: &str) -> Html<String> {
    page(
        "Something went wrong",
        &format!(
            "<h1>Sorry, something went wrong on our side</h1><p>What you sent was not completed. \
             Please try again. If you were sending a report and saw no receipt code, it was not received.</p>\
             <p class=\"hint\">Reference for the service team: {}</p>",
            esc(request_id)
        ),
    )
}

const CSS: &str = "body{font-family:Arial,sans-serif;margin:0;color:#0b0c0c;line-height:1.5}\
header{background:#0b0c0c;color:#fff;padding:.75rem 1rem}.service{margin:0;font-weight:bold}\
main{max-width:40rem;padding:1rem}footer{border-top:1px solid #b1b4b6;padding:1rem}\
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fd0;color:#0b0c0c;padding:.5rem}\
label,legend{display:block;font-weight:bold;margin-top:1rem}.hint{color:#505a5f;margin:.25rem 0}\
input[type=text],textarea{width:100%;box-sizing:border-box;border:2px solid #0b0c0c;padding:.4rem;font-size:1rem}\
textarea{min-height:6rem}select{border:2px solid #0b0c0c;padding:.4rem;font-size:1rem}summary{cursor:pointer;margin-top:.75rem;font-weight:bold}fieldset{border:0;padding:0;margin:0}.radios label{font-weight:normal;display:inline;margin:0 1rem 0 .25rem}\
button{background:#00703c;color:#fff;border:0;padding:.6rem 1.2rem;font-size:1.1rem;margin-top:1.5rem;cursor:pointer}\
button:focus,input:focus,textarea:focus{outline:3px solid #fd0;outline-offset:0}\
.warning{border-left:5px solid #d4351c;padding-left:1rem}.error-summary{border:5px solid #d4351c;padding:1rem}\
.error{color:#d4351c;font-weight:bold}.receipt{font-size:1.4rem;font-family:monospace;background:#f3f2f1;padding:.5rem}\
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #b1b4b6;text-align:left;padding:.4rem;vertical-align:top}\
pre{white-space:pre-wrap;background:#f3f2f1;padding:.5rem}main{max-width:60rem}.alert{background:#d4351c;color:#fff;padding:1rem;margin-bottom:1rem}.alert a{color:#fff}a{color:#1d70b8}.tabs{list-style:none;padding:0;display:flex;gap:1rem;flex-wrap:wrap}.tabs a[aria-current]{font-weight:bold;color:#0b0c0c}a:focus{background:#fd0;outline:3px solid #fd0}\
header.officer{display:flex;flex-wrap:wrap;align-items:center;gap:1rem}header.officer .tabs{margin:0}header.officer a{color:#fff}\
header.officer a:focus{color:#0b0c0c}\
.summary dt{font-weight:bold;margin-top:.75rem}.summary dd{margin:0 0 .5rem 0;white-space:pre-wrap}.signout{margin-left:auto}.signout button{margin:0;padding:.3rem .8rem;font-size:1rem;background:#505a5f}";

pub(crate) async fn stylesheet() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], CSS)
}
