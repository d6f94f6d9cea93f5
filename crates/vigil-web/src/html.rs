//! The page shells: the public pages' own look, and the officer shell with
//! its header, navigation and sign-out. Pages are server-rendered maud
//! templates (escaping by construction) with one stylesheet; the only
//! script is the officers' alert banner.

use axum::http::header;
use axum::response::{Html, IntoResponse};
use maud::{html, Markup, DOCTYPE};

fn head(title: &str, suffix: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (title) " – " (suffix) }
            link rel="stylesheet" href="/static/vigil.css";
        }
    }
}

/// A public page: the reporting service's header and the 999 line.
pub(crate) fn page(title: &str, body: Markup) -> Html<String> {
    let service = "Report a concern about a child online";
    shell(
        title,
        service,
        html! { header { p.service { (service) } } },
        "If a child is in immediate danger, call 999 now.",
        body,
    )
}

/// The document around a page: its head, the skip link, the header given,
/// the main content and a one-line footer.
fn shell(title: &str, service: &str, header: Markup, footer: &str, body: Markup) -> Html<String> {
    Html(
        html! {
            (DOCTYPE)
            html lang="en" {
                (head(title, service))
                body {
                    a.skip href="#main" { "Skip to main content" }
                    (header)
                    main #main { (body) }
                    footer { p { (footer) } }
                }
            }
        }
        .into_string(),
    )
}

/// The footer of every staff page.
const STAFF_FOOTER: &str = "Vigil. OFFICIAL-SENSITIVE: every view of evidence is recorded in the custody log.";

/// Where an officer page belongs in the shell's navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Section {
    Home,
    Queue,
    Cases,
    Search,
    Figures,
    Retention,
}

impl Section {
    fn href(self) -> &'static str {
        match self {
            Section::Home => "/officer",
            Section::Queue => "/queue",
            Section::Cases => "/cases",
            Section::Search => "/search",
            Section::Figures => "/figures",
            Section::Retention => "/retention",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Section::Home => "Home",
            Section::Queue => "Queue",
            Section::Cases => "Cases",
            Section::Search => "Search",
            Section::Figures => "Figures",
            Section::Retention => "Retention",
        }
    }

    /// The sections a role may use, in the order the navigation lists them.
    fn for_role(role: vigil_domain::Role) -> Vec<Section> {
        use vigil_domain::Role;
        let mut links = vec![Section::Home];
        if role.works_triage() {
            links.push(Section::Queue);
        }
        if role != Role::Admin {
            links.push(Section::Cases);
        }
        if role.may_search() {
            links.push(Section::Search);
        }
        if matches!(role, Role::Supervisor | Role::Auditor) {
            links.push(Section::Figures);
            links.push(Section::Retention);
        }
        links
    }
}

/// An officer's page: Vigil's own header with the officer, their role,
/// the pages that role may use and sign-out; a footer for staff, not the
/// public's 999 line. The navigation marks the page's own section.
pub(crate) fn officer_page(
    o: &vigil_core::OfficerSession,
    section: Section,
    title: &str,
    body: Markup,
) -> Html<String> {
    let header = html! {
                    header.officer {
                        p.service { "Vigil" }
                        nav aria-label="Officer pages" {
                            ul.tabs {
                                @for s in Section::for_role(o.role) {
                                    li {
                                        @if s == section {
                                            a href=(s.href()) aria-current="page" { (s.label()) }
                                        } @else {
                                            a href=(s.href()) { (s.label()) }
                                        }
                                    }
                                }
                            }
                        }
                        form.signout method="post" action="/logout" {
                            span { "Signed in as " (o.username) " (" (o.role.as_str()) ")" }
                            " "
                            input type="hidden" name="csrf" value=(o.csrf);
                            button type="submit" { "Sign out" }
                        }
                    }
    };
    shell(title, "Vigil", header, STAFF_FOOTER, body)
}

/// A staff page without the officer's navigation: what an officer's
/// failed request answers with (Vigil's header and the staff footer, never
/// the public reporting form's).
pub(crate) fn staff_page(title: &str, body: Markup) -> Html<String> {
    shell(title, "Vigil", html! { header.officer { p.service { "Vigil" } } }, STAFF_FOOTER, body)
}

/// The answer when a handler failed unexpectedly. It says what a reporter
/// needs to know: their request was not completed, so send it again.
pub(crate) fn internal_error_page(request_id: &str) -> Html<String> {
    page(
        "Something went wrong",
        html! {
            h1 { "Sorry, something went wrong on our side" }
            p { "What you sent was not completed. Please try again. If you were sending a report and saw no receipt code, it was not received." }
            p.hint { "Reference for the service team: " (request_id) }
        },
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
.summary dt{font-weight:bold;margin-top:.75rem}.summary dd{margin:0 0 .5rem 0;white-space:pre-wrap}.signout{margin-left:auto}.signout button{margin:0;padding:.3rem .8rem;font-size:1rem;background:#505a5f}\
.tag{display:inline-block;padding:0 .4rem;font-weight:bold;letter-spacing:.02em}.tag-danger{background:#d4351c;color:#fff}\
.tag-new{background:#1d70b8;color:#fff}.notice{border-left:5px solid #1d70b8;padding-left:1rem}\
.oldest{font-size:1.2rem}.breadcrumbs ol{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.5rem;margin:0 0 .5rem}\
.breadcrumbs li+li::before{content:\"\\203A\";margin-right:.5rem;color:#505a5f}figure.chart{margin:1rem 0}\
form.inline{display:inline}header.officer .tabs a[aria-current]{color:#fff;border-bottom:3px solid #fff}\
main nav a[aria-current]{font-weight:bold;color:#0b0c0c;text-decoration:none}.tag{white-space:nowrap}\
.prompts{border-left:5px solid #f47738;padding-left:1rem}.strip{width:100%;height:auto}\
.frames{display:flex;flex-wrap:wrap;gap:1rem}.frames figure{margin:0}\
img.blurred{filter:blur(14px) grayscale(1)}img.blurred:hover,img.blurred:focus{filter:none}\
.review-item{border:2px solid #b1b4b6;padding:.5rem 1rem;margin:1rem 0}.review-item:focus{outline:3px solid #fd0}\
.placeholder{background:#f3f2f1;min-height:5rem;padding:.5rem}.placeholder .big{font-size:1.3rem;font-weight:bold;margin:0}\
.reveal-slot{min-height:64px;min-width:128px}.reveal-slot img{max-width:256px;display:block;margin-top:.5rem}.decide button{margin-top:.5rem;font-size:1rem;padding:.4rem .8rem}\
button.secondary{background:#505a5f}button.danger{background:#d4351c}label.inline{display:inline;font-weight:normal}label.inline input{width:24px;height:24px;vertical-align:middle}";

pub(crate) async fn stylesheet() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], CSS)
}
