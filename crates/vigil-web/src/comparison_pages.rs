//! Video comparisons in a case: the form that compares two recordings, the
//! report as a timeline strip, and the frames at a cut's edges, shown only
//! when the officer asks for that cut, blurred and grey until they hover
//! or focus on one (each shown frame is an `accessed` event).

use crate::case_pages::{case_failure as failure, case_post_then, nav, on_case};
use crate::components::table;
use crate::html::{officer_page, Section};
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup, PreEscaped};
use std::collections::HashMap;
use std::sync::Arc;
use vigil_core::{CoreError, RecordingSide};
use vigil_domain::{ExhibitRef, Initials};
use vigil_video::Span;

use crate::form_input::field;
use crate::AppState;

/// The form on the case page.
pub(crate) fn compare_form(case: &str, csrf: &str) -> Markup {
    html! {
        details {
            summary { "Compare two recordings (the unedited livestream against a posted version)" }
            form method="post" action={ "/cases/" (case) "/comparisons" } {
                (crate::components::csrf(csrf))
                label for="cmp-original" { "The original (exhibit, e.g. GR/2)" }
                input type="text" id="cmp-original" name="original";
                label for="cmp-edited" { "The edited or posted version (exhibit)" }
                input type="text" id="cmp-edited" name="edited";
                label for="cmp-producer" { "Your initials, as producer of the report" }
                input type="text" id="cmp-producer" name="producer";
                button type="submit" { "Compare" }
            }
        }
    }
}

pub(crate) async fn create(State(state): State<Arc<AppState>>, Path(id): Path<String>, req: Request) -> Response {
    case_post_then(&state, &id, req, move |v, case, o, values| {
        let exhibit = |name: &str| {
            ExhibitRef::parse(field(&values, name).trim().trim_start_matches("exhibit:"))
                .map_err(|e| CoreError::InvalidInput { field: name.into(), why: e.to_string() })
        };
        let (original, edited) = (exhibit("original")?, exhibit("edited")?);
        let by = Initials::parse(field(&values, "producer").trim())?;
        let (record, _, _) = v.compare_video_exhibits(case, &original, &edited, &by, o)?;
        Ok(format!("/comparisons/{record}"))
    })
    .await
}

/// Two bars, the original above the edited version, with what one lacks
/// of the other marked: an SVG drawn from the report's numbers alone.
fn strip(original_seconds: f64, edited_seconds: f64, missing: &[Span], inserted: &[Span]) -> Markup {
    const W: f64 = 800.0;
    let longest = original_seconds.max(edited_seconds).max(1.0);
    let x = |t: f64| t / longest * W;
    let mut svg = format!(
        "<svg class=\"strip\" viewBox=\"0 0 {w} 110\" role=\"img\" aria-label=\"Timeline strip: the original above, \
         the edited version below; red marks what the edited version lacks, orange what it adds\">\
         <text x=\"0\" y=\"12\" font-size=\"12\">Original ({o:.0} s)</text>\
         <rect x=\"0\" y=\"18\" width=\"{ow:.1}\" height=\"24\" fill=\"#b1b4b6\"/>\
         <text x=\"0\" y=\"66\" font-size=\"12\">Edited ({e:.0} s)</text>\
         <rect x=\"0\" y=\"72\" width=\"{ew:.1}\" height=\"24\" fill=\"#b1b4b6\"/>",
        w = W + 10.0,
        o = original_seconds,
        e = edited_seconds,
        ow = x(original_seconds),
        ew = x(edited_seconds),
    );
    for s in missing {
        svg.push_str(&format!(
            "<rect x=\"{:.1}\" y=\"18\" width=\"{:.1}\" height=\"24\" fill=\"#d4351c\"><title>missing {:.1}–{:.1} s</title></rect>",
            x(s.start),
            (x(s.end) - x(s.start)).max(2.0),
            s.start,
            s.end
        ));
    }
    for s in inserted {
        svg.push_str(&format!(
            "<rect x=\"{:.1}\" y=\"72\" width=\"{:.1}\" height=\"24\" fill=\"#f47738\"><title>inserted {:.1}–{:.1} s</title></rect>",
            x(s.start),
            (x(s.end) - x(s.start)).max(2.0),
            s.start,
            s.end
        ));
    }
    svg.push_str("</svg>");
    // Every value in it is a number this code formatted.
    PreEscaped(svg)
}

pub(crate) async fn show(
    State(state): State<Arc<AppState>>,
    Path((id, n)): Path<(String, u64)>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let (case, officer, report) = match on_case(&state, &id, &headers, move |v, c, o| v.video_comparison(c, n, o)).await
    {
        Ok(x) => x,
        Err(r) => return r,
    };
    let shown: Option<String> = q.get("show").cloned();
    let base = format!("/cases/{}/comparisons/{n}", case.as_str());
    let rows = |spans: &[Span], kind: &str, side: &str| -> Vec<(String, Span, String)> {
        spans.iter().enumerate().map(|(k, s)| (format!("{kind}{k}"), *s, side.to_owned())).collect()
    };
    let mut edits = rows(&report.missing, "m", "original");
    edits.extend(rows(&report.inserted, "i", "edited"));
    let table_rows: Vec<Vec<String>> = edits
        .iter()
        .map(|(key, s, side)| {
            let what =
                if side == "original" { "Missing from the edited version" } else { "Inserted in the edited version" };
            vec![what.to_string(), format!("{:.1}–{:.1} s of the {side}", s.start, s.end), key.clone()]
        })
        .collect();
    let body = html! {
        (nav(&case, "Video comparison"))
        h1 { "Video comparison: " (report.edited) " against " (report.original) }
        p { "Report exhibit recorded in the case; each recording's history names it. " (report.summary()) "." }
        (strip(report.original_seconds, report.edited_seconds, &report.missing, &report.inserted))
        p.hint { (report.method) " PDQ match distance " (report.match_distance) ". Made by " (report.tool) "." }
        dl.summary {
            dt { "Original" } dd { (report.original) " (SHA-256 " code { (report.original_sha256) } ")" }
            dt { "Edited" } dd { (report.edited) " (SHA-256 " code { (report.edited_sha256) } ")" }
        }
        h2 { "Cuts and insertions" }
        @if edits.is_empty() {
            p { "No cut or insertion of 2 s or more was found." }
        } @else {
            (table(&["What", "Where", "Key"], &table_rows))
            @for (key, s, side) in &edits {
                h3 { (if side == "original" { "Missing" } else { "Inserted" }) " " (format!("{:.1}–{:.1} s", s.start, s.end)) }
                @if shown.as_deref() == Some(key.as_str()) {
                    p.hint { "Frames at this edit's edges, blurred and grey until you hover over or focus on one. Each was recorded as a view of the recording." }
                    div.frames {
                        @for t in [s.start, s.end] {
                            figure {
                                img.blurred tabindex="0" width="320" alt={ "frame of the " (side) " at " (format!("{t:.1}")) " s" }
                                    src={ (base) "/frame?side=" (side) "&t=" (format!("{t:.1}")) };
                                figcaption { (side) " at " (format!("{t:.1}")) " s" }
                            }
                        }
                    }
                } @else {
                    p { a href={ (base) "?show=" (key) } { "Show the frames at this edit's edges" } " (recorded; blurred until you look)" }
                }
            }
        }
    };
    officer_page(&officer, Section::Cases, "Video comparison", body).into_response()
}

pub(crate) async fn frame(
    State(state): State<Arc<AppState>>,
    Path((id, n)): Path<(String, u64)>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let side = match q.get("side").map(String::as_str) {
        Some("original") => RecordingSide::Original,
        Some("edited") => RecordingSide::Edited,
        _ => return failure(CoreError::InvalidInput { field: "side".into(), why: "original or edited".into() }),
    };
    let Some(t) = q.get("t").and_then(|t| t.parse::<f64>().ok()) else {
        return failure(CoreError::InvalidInput { field: "t".into(), why: "a time in seconds".into() });
    };
    match on_case(&state, &id, &headers, move |v, c, o| v.comparison_frame(c, n, side, t, o)).await {
        Ok((_, _, png)) => {
            ([(header::CONTENT_TYPE, "image/png"), (header::CACHE_CONTROL, "no-store")], png).into_response()
        }
        Err(r) => r,
    }
}
