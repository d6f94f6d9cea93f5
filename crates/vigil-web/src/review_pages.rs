//! Image review: the page where an assigned examiner categorises a case's
//! review set while seeing as little as possible. Items are placeholders
//! (number, stack size, metadata): the page holds no picture. A preview is
//! fetched only while the officer holds a key or button on one item, is
//! rendered by the server with their own blur and greyscale, and is gone
//! when they let go; each one is an `accessed` event and counts towards
//! their exposure, which the page shows with their daily ceiling. A, B, C,
//! N (not indecent) and U (unsure: a supervisor's second opinion) decide
//! the focused item. Without JavaScript every decision is a button.

use crate::case_pages::{case_failure as failure, case_post_then, nav, on_case, with_officer};
use crate::components::table;
use crate::form_input::{field, officer_form, to_login};
use crate::html::{officer_page, Section};
use crate::AppState;
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use std::collections::HashMap;
use std::sync::Arc;
use vigil_core::{CoreError, ExposureSummary, ReviewItem, ReviewerSettings, StackView};
use vigil_domain::{ReviewCategory, Role};

/// Items on one page of the review set.
const PAGE: usize = 40;

fn minutes(ms: u64) -> String {
    format!("{:.1} min", ms as f64 / 60_000.0)
}

fn exposure_panel(e: &ExposureSummary, s: &ReviewerSettings) -> Markup {
    html! {
        section.notice aria-labelledby="exposure-h" {
            h2 #exposure-h { "Your exposure" }
            p {
                "Today you have revealed " strong #exposure-today { (e.today_items) } " items ("
                (minutes(e.today_ms)) "); in the last 7 days " span #exposure-week { (e.week_items) } " items (" (minutes(e.week_ms)) "). "
                "Your daily ceiling is " (e.ceiling) " items."
            }
            @if e.over_ceiling() {
                p.warning role="alert" {
                    "You have reached your daily ceiling. Take a break now; your supervisor sees your totals and can share the work."
                }
            }
            p.hint {
                "Previews are shown blurred (" (s.blur) ") and " (if s.grey { "in greyscale" } else { "in colour" }) ". "
                a href="/review/settings" { "Change your review settings" }
            }
        }
    }
}

fn status(i: &ReviewItem) -> String {
    match (i.category, i.method) {
        (None, _) => "Not yet decided".into(),
        (Some(c), Some(vigil_domain::ReviewMethod::HashMatch)) => {
            format!("{} (hash match: {})", c.label(), i.source.as_deref().unwrap_or("a set"))
        }
        (Some(c), Some(vigil_domain::ReviewMethod::Stack)) => {
            format!(
                "{} (stack decision by {}, on {})",
                c.label(),
                i.decided_by.as_deref().unwrap_or("?"),
                i.source.as_deref().unwrap_or("its representative")
            )
        }
        (Some(c), _) => {
            let frame = i.worst_frame.map(|f| format!(", from keyframe {}", f + 1)).unwrap_or_default();
            format!("{} (decided by {}{frame})", c.label(), i.decided_by.as_deref().unwrap_or("?"))
        }
    }
}

fn kib(bytes: u64) -> String {
    format!("{:.0} KB", bytes as f64 / 1024.0)
}

/// One item as a placeholder: what it is, never what it shows.
fn placeholder(case: &str, i: &ReviewItem, members: &[ReviewItem], csrf: &str) -> Markup {
    let base = format!("/cases/{case}/review/items/{}", i.item);
    let size = members.len() + 1;
    html! {
        article.review-item id={ "item-" (i.item) } tabindex="0" data-item=(i.item) data-preview=(format!("{base}/preview"))
            aria-label={ "Item " (i.item) ", " (i.kind) (if size > 1 { format!(", stack of {size}") } else { String::new() }) ", " (status(i)) } {
            div.placeholder {
                p.big { "Item " (i.item) }
                p {
                    (i.kind)
                    @if size > 1 { " · stack of " (size) }
                    @if let Some(q) = i.quality { " · quality " (q) }
                    " · " (i.paths.len()) (if i.paths.len() == 1 { " location" } else { " locations" })
                    " · " (kib(i.size))
                }
                div.reveal-slot aria-live="polite" {}
            }
            p { "Found at " code { (i.path) } @if i.paths.len() > 1 { " and " (i.paths.len() - 1) " more" } }
            p.status { strong { (status(i)) } }
            @if let Some(why) = &i.no_preview {
                p.hint { "No preview: " (why) }
            } @else if i.kind == "video" {
                p {
                    @for (k, t) in i.frames.iter().enumerate() {
                        button.reveal type="button" data-frame=(k) { "Hold to reveal keyframe " (k + 1) " (" (format!("{t:.0}")) " s)" } " "
                    }
                }
            } @else {
                p { button.reveal type="button" data-frame="0" { "Hold to reveal (or hold R)" } }
            }
            form.decide method="post" action=(base) {
                (crate::components::csrf(csrf))
                @if i.kind == "video" && i.frames.len() > 1 {
                    label for={ "frame-" (i.item) } { "Decided from keyframe (the worst frame seen)" }
                    select id={ "frame-" (i.item) } name="frame" {
                        option value="" { "—" }
                        @for (k, t) in i.frames.iter().enumerate() {
                            option value=(k) { "Keyframe " (k + 1) " (" (format!("{t:.0}")) " s)" }
                        }
                    }
                }
                @for c in ReviewCategory::CHOICES {
                    button type="submit" name="category" value=(c.as_str()) title={ "key " (c.key().to_ascii_uppercase()) } {
                        (c.label()) " [" (c.key().to_ascii_uppercase()) "]"
                    } " "
                }
                @if size > 1 {
                    button.secondary type="submit" name="action" value="split" { "Split this stack" }
                }
            }
            @if !members.is_empty() {
                details {
                    summary { "The " (members.len()) " other items in this stack (within PDQ distance of item " (i.item) ")" }
                    ul {
                        @for m in members {
                            li { "Item " (m.item) ", distance " (m.distance.unwrap_or(0)) ": " code { (m.path) } " — " (status(m)) }
                        }
                    }
                }
            }
        }
    }
}

pub(crate) async fn page(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let (case, officer, (set, exposure, settings)) = match on_case(&state, &id, &headers, |v, c, o| {
        let set = v.review_set(c, o)?;
        Ok((set, v.my_exposure(o)?, v.reviewer_settings(&o.username)?))
    })
    .await
    {
        Ok(x) => x,
        Err(r) => return r,
    };
    // Undecided first: that is where the work is.
    let mut entries: Vec<(ReviewItem, Vec<ReviewItem>)> = set
        .stacks
        .into_iter()
        .map(|StackView { representative, members }| (representative, members))
        .chain(set.unstacked.into_iter().map(|i| (i, Vec::new())))
        .collect();
    entries.sort_by_key(|(i, _)| (i.category.is_some(), i.item));
    let undecided = entries.iter().filter(|(i, _)| i.category.is_none()).count();
    let total: usize = entries.iter().map(|(_, m)| m.len() + 1).sum();
    let pages = entries.len().div_ceil(PAGE).max(1);
    let n: usize = q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1).clamp(1, pages);
    let shown = &entries[((n - 1) * PAGE).min(entries.len())..(n * PAGE).min(entries.len())];
    let c = case.as_str();
    let body = html! {
        (nav(&case, "Image review"))
        h1 { "Image review: case " (c) }
        (exposure_panel(&exposure, &settings))
        p {
            (total) " items in " (entries.len()) " stacks and single items; " (undecided) " stacks and items wait for a decision. "
            a href={ "/cases/" (c) "/review/counts" } { "Counts per category" } " · "
            a href={ "/cases/" (c) "/review/export?format=vics" } { "Export VICS" } " · "
            a href={ "/cases/" (c) "/review/export?format=csv" } { "Export CSV" }
            @if officer.role == Role::Supervisor { " · " a href="/review/second-opinions" { "Second opinions" } }
        }
        p.hint {
            "No picture is on this page. Move to an item with Tab, then hold R (or hold its button) to see its preview; "
            "it disappears when you let go. Decide with A, B, C, N (not indecent) or U (unsure: a supervisor gives a second opinion). "
            "A decision on a stack covers every item in it that has no decision of its own."
        }
        p {
            label.inline for="focus-mode" {
                input type="checkbox" id="focus-mode";
                " For this session, show the focused item's preview without holding a key (blurred as your settings say)"
            }
        }
        div.review data-csrf=(officer.csrf) data-case=(c) {
            @for (i, members) in shown {
                (placeholder(c, i, members, &officer.csrf))
            }
        }
        @if pages > 1 {
            nav aria-label="Pages of the review set" {
                p {
                    @for p in 1..=pages {
                        @if p == n { strong { (p) } } @else { a href={ "/cases/" (c) "/review?page=" (p) } { (p) } }
                        " "
                    }
                }
            }
        }
        script src="/static/review.js" defer {}
    };
    officer_page(&officer, Section::Cases, "Image review", body).into_response()
}

pub(crate) async fn preview(
    State(state): State<Arc<AppState>>,
    Path((id, n)): Path<(String, u64)>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let frame: usize = match q.get("frame").map(|f| f.parse()) {
        None => 0,
        Some(Ok(f)) => f,
        Some(Err(_)) => {
            return failure(CoreError::InvalidInput { field: "frame".into(), why: "a keyframe number".into() })
        }
    };
    match on_case(&state, &id, &headers, move |v, c, o| v.reveal_preview(c, n, frame, o)).await {
        Ok((_, _, png)) => {
            ([(header::CONTENT_TYPE, "image/png"), (header::CACHE_CONTROL, "no-store")], png).into_response()
        }
        Err(r) => r,
    }
}

pub(crate) async fn decide(
    State(state): State<Arc<AppState>>,
    Path((id, n)): Path<(String, u64)>,
    req: Request,
) -> Response {
    case_post_then(&state, &id, req, move |v, case, o, values| {
        if field(&values, "action") == "split" {
            v.split_stack(case, n, o)?;
            return Ok(format!("/review#item-{n}"));
        }
        let category = ReviewCategory::parse(&field(&values, "category"))?;
        let frame = match field(&values, "frame").trim() {
            "" => None,
            f => Some(
                f.parse::<usize>()
                    .map_err(|_| CoreError::InvalidInput { field: "frame".into(), why: "a keyframe number".into() })?,
            ),
        };
        v.categorise(case, n, category, frame, o)?;
        Ok(format!("/review#item-{n}"))
    })
    .await
}

/// The page reports how long a preview stayed on screen.
pub(crate) async fn revealed(State(state): State<Arc<AppState>>, req: Request) -> Response {
    let (headers, _, values) = match officer_form(&state, req, || StatusCode::UNAUTHORIZED.into_response()).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let Ok(ms) = field(&values, "ms").parse::<u64>() else {
        return failure(CoreError::InvalidInput { field: "ms".into(), why: "milliseconds".into() });
    };
    match with_officer(&state, &headers, move |v, o| v.reveal_ended(o, ms)).await {
        Ok(_) => StatusCode::NO_CONTENT.into_response(),
        Err(r) => r,
    }
}

pub(crate) async fn settings(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let (officer, s) = match with_officer(&state, &headers, |v, o| v.reviewer_settings(&o.username)).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let body = html! {
        h1 { "Your review settings" }
        p { "How previews of seized images are shown to you. They apply to every case you review." }
        form method="post" action="/review/settings" {
            (crate::components::csrf(&officer.csrf))
            label for="blur" { "Blur (0 for none, up to 40)" }
            input type="number" id="blur" name="blur" min="0" max="40" value=(s.blur);
            label.inline for="grey" {
                input type="checkbox" id="grey" name="grey" value="on" checked[s.grey];
                " Show previews in greyscale"
            }
            label for="ceiling" { "Daily ceiling: items revealed after which Vigil suggests a break" }
            input type="number" id="ceiling" name="ceiling" min="1" max="10000" value=(s.ceiling);
            button type="submit" { "Save" }
        }
    };
    officer_page(&officer, Section::Cases, "Review settings", body).into_response()
}

pub(crate) async fn save_settings(State(state): State<Arc<AppState>>, req: Request) -> Response {
    let (headers, _, values) = match officer_form(&state, req, to_login).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let number = |name: &str| {
        field(&values, name)
            .trim()
            .parse::<u32>()
            .map_err(|_| CoreError::InvalidInput { field: name.into(), why: "a whole number".into() })
    };
    let parsed = (|| {
        Ok(ReviewerSettings {
            blur: number("blur")?,
            grey: field(&values, "grey") == "on",
            ceiling: number("ceiling")?,
        })
    })();
    let s = match parsed {
        Ok(s) => s,
        Err(e) => return failure(e),
    };
    match with_officer(&state, &headers, move |v, o| v.set_reviewer_settings(o, s)).await {
        Ok(_) => Redirect::to("/review/settings").into_response(),
        Err(r) => r,
    }
}

pub(crate) async fn counts(State(state): State<Arc<AppState>>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let (case, officer, counts) = match on_case(&state, &id, &headers, |v, c, o| v.review_counts(c, o)).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let c = case.as_str();
    let body = html! {
        (nav(&case, "Image counts"))
        h1 { "Images and videos by category: case " (c) }
        p { (counts.items) " unique items, " (counts.copies) " copies on the media. "
            a href={ "/cases/" (c) "/review/counts.pdf" } { "PDF for the case file" } }
        (table(&vigil_core::ReviewCounts::HEADERS, &counts.rows()))
        p.hint { "Hash match: the digest or PDQ hash matched a known-bad set. Reviewed: the officer named decided on the item. "
                 "Stack decision: the officer decided on a near-duplicate within PDQ distance 31, which this item is near." }
    };
    officer_page(&officer, Section::Cases, "Image counts", body).into_response()
}

pub(crate) async fn counts_pdf(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    match on_case(&state, &id, &headers, |v, c, o| Ok(v.review_counts(c, o)?.pdf())).await {
        Ok((_, _, pdf)) => ([(header::CONTENT_TYPE, "application/pdf")], pdf).into_response(),
        Err(r) => r,
    }
}

pub(crate) async fn export(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let format = q.get("format").cloned().unwrap_or_else(|| "vics".into());
    let f = format.clone();
    match on_case(&state, &id, &headers, move |v, c, o| v.export_review(c, &f, o)).await {
        Ok((case, _, e)) => {
            let (ctype, ext) =
                if format == "csv" { ("text/csv; charset=utf-8", "csv") } else { ("application/json", "json") };
            let disposition = format!("attachment; filename=\"{}-reviewed.{ext}\"", case.as_str());
            ([(header::CONTENT_TYPE, ctype.to_string()), (header::CONTENT_DISPOSITION, disposition)], e.bytes)
                .into_response()
        }
        Err(r) => r,
    }
}

/// A supervisor's queue of items marked unsure, and the team's exposure totals.
pub(crate) async fn second_opinions(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let (officer, (queue, team)) =
        match with_officer(&state, &headers, |v, o| Ok((v.second_opinions(o)?, v.team_exposure(o)?))).await {
            Ok(x) => x,
            Err(r) => return r,
        };
    let rows: Vec<Vec<String>> = queue
        .iter()
        .map(|s| {
            vec![
                s.case.clone(),
                format!("item {}", s.item),
                s.kind.clone(),
                s.asked_by.clone().unwrap_or_default(),
                s.asked_at.clone().unwrap_or_default(),
            ]
        })
        .collect();
    let team_rows: Vec<Vec<String>> = team
        .iter()
        .map(|o| {
            let e = &o.exposure;
            vec![
                o.username.clone(),
                format!("{} ({})", e.today_items, minutes(e.today_ms)),
                format!("{} ({})", e.week_items, minutes(e.week_ms)),
                if e.over_ceiling() { format!("reached ({})", e.ceiling) } else { e.ceiling.to_string() },
            ]
        })
        .collect();
    let body = html! {
        h1 { "Second opinions" }
        p { "Items an examiner marked unsure. Open the case's review page to decide them (you must be assigned to the case)." }
        @if queue.is_empty() { p { "Nothing waits for a second opinion." } } @else {
            (table(&["Case", "Item", "Kind", "Asked by", "When"], &rows))
            ul { @for s in &queue { li { a href={ "/cases/" (s.case) "/review#item-" (s.item) } { (s.case) ", item " (s.item) } } } }
        }
        h2 { "Your team's exposure" }
        p.hint { "Totals only: how many items each officer revealed and for how long, never which." }
        @if team_rows.is_empty() { p { "No one has revealed anything in the last 7 days." } } @else {
            (table(&["Officer", "Today", "Last 7 days", "Daily ceiling"], &team_rows))
        }
    };
    officer_page(&officer, Section::Cases, "Second opinions", body).into_response()
}

/// Hold-to-reveal and keyboard decisions (see the module note).
const SCRIPT: &str = r#"(function () {
  var main = document.querySelector('div.review');
  if (!main) return;
  var csrf = main.getAttribute('data-csrf');
  var focusMode = document.getElementById('focus-mode');
  if (focusMode) {
    focusMode.checked = sessionStorage.getItem('vigil-review-focus') === 'on';
    focusMode.addEventListener('change', function () {
      sessionStorage.setItem('vigil-review-focus', focusMode.checked ? 'on' : 'off');
    });
  }
  var shown = null;
  function reveal(item, frame) {
    if (shown) return;
    var slot = item.querySelector('.reveal-slot');
    var img = document.createElement('img');
    img.alt = 'preview of item ' + item.getAttribute('data-item') + ' (blurred as your settings say)';
    img.src = item.getAttribute('data-preview') + '?frame=' + (frame || 0) + '&n=' + Date.now();
    slot.appendChild(img);
    shown = { item: item, img: img, start: Date.now() };
    ['exposure-today', 'exposure-week'].forEach(function (id) {
      var count = document.getElementById(id);
      if (count) count.textContent = String(Number(count.textContent) + 1);
    });
  }
  function hide() {
    if (!shown) return;
    var ms = Date.now() - shown.start;
    shown.img.removeAttribute('src');
    shown.img.remove();
    shown = null;
    var body = new URLSearchParams({ csrf: csrf, ms: String(ms) });
    fetch('/review/revealed', { method: 'POST', body: body, credentials: 'same-origin' });
  }
  main.addEventListener('pointerdown', function (e) {
    var b = e.target.closest('button.reveal');
    if (b) { e.preventDefault(); reveal(b.closest('article.review-item'), b.getAttribute('data-frame')); }
  });
  document.addEventListener('pointerup', hide);
  document.addEventListener('pointercancel', hide);
  window.addEventListener('blur', hide);
  main.addEventListener('focusin', function (e) {
    var item = e.target.closest('article.review-item');
    if (item && focusMode && focusMode.checked && e.target === item) { hide(); reveal(item, 0); }
  });
  main.addEventListener('focusout', function (e) {
    if (shown && !shown.item.contains(e.relatedTarget)) hide();
  });
  var keys = { a: 'A', b: 'B', c: 'C', n: 'not-indecent', u: 'unsure' };
  document.addEventListener('keydown', function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var item = document.activeElement && document.activeElement.closest && document.activeElement.closest('article.review-item');
    if (!item || /^(INPUT|SELECT|TEXTAREA)$/.test(document.activeElement.tagName)) return;
    var k = e.key.toLowerCase();
    if (k === 'r') { e.preventDefault(); if (!e.repeat) reveal(item, 0); return; }
    if (keys[k]) {
      e.preventDefault();
      var form = item.querySelector('form.decide');
      var input = document.createElement('input');
      input.type = 'hidden'; input.name = 'category'; input.value = keys[k];
      form.appendChild(input);
      form.submit();
    }
  });
  document.addEventListener('keyup', function (e) { if (e.key.toLowerCase() === 'r') hide(); });
})();
"#;

pub(crate) async fn script() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], SCRIPT)
}
