//! Issue 27 over HTTP: the review page carries no picture, only assigned
//! reviewers reach it (others get 404), a preview is a PNG served with
//! no-store and counted, a decision is a form post with its CSRF token,
//! and supervisors see second opinions and their team's totals.

mod support;

use axum::http::{header, StatusCode};
use support::{b32decode, call, demo_secret, get, keep_for_screenshot, post, seeded_demo, session};
use vigil_core::Vigil;
use vigil_domain::{Actor, Role};

const PW: &str = "correct horse battery staple";

#[tokio::test]
async fn the_review_page_shows_placeholders_to_assigned_reviewers_only() {
    let (_d, data, demo) = seeded_demo();
    let secret = |name: &str| demo_secret(&demo, name);
    let mut v = Vigil::open(&data).unwrap();
    let adm = Actor::parse("ADM").unwrap();
    let outsider = b32decode(&v.add_user("x.examiner", Role::ForensicExaminer, PW, &adm).unwrap().secret_base32);
    let (exam, csrf) = session(&mut v, "demo.examiner", vigil_core::DEMO_PASSWORD, &secret("demo.examiner"));
    let (out, _) = session(&mut v, "x.examiner", PW, &outsider);
    let (inv, _) = session(&mut v, "demo.investigator", vigil_core::DEMO_PASSWORD, &secret("demo.investigator"));
    let (sup, _) = session(&mut v, "demo.supervisor", vigil_core::DEMO_PASSWORD, &secret("demo.supervisor"));
    let app = vigil_web::app(v);

    let (s, _, html) = call(&app, get("/cases/DEMO-1/review", &exam)).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("Item 1") && html.contains("stack of 2"), "{html}");
    assert!(!html.contains("<img") && !html.contains("/preview?"), "no picture and no picture address in the page");
    keep_for_screenshot(&app, "review-page.html", &html).await;

    // Not assigned: as if there were no such case, for the page and each preview.
    for path in ["/cases/DEMO-1/review", "/cases/DEMO-1/review/items/1/preview"] {
        let (s, _, body) = call(&app, get(path, &out)).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}: {body}");
        assert!(body.contains("case DEMO-1 does not exist"), "{body}");
    }
    // Assigned, but an investigator is no reviewer: they may read the counts, not see pictures.
    assert_eq!(call(&app, get("/cases/DEMO-1/review/items/1/preview", &inv)).await.0, StatusCode::FORBIDDEN);
    assert_eq!(call(&app, get("/cases/DEMO-1/review/counts", &inv)).await.0, StatusCode::OK);

    let res = call(&app, get("/cases/DEMO-1/review/items/1/preview", &exam)).await;
    assert_eq!(res.0, StatusCode::OK);
    assert_eq!(res.1.get(header::CONTENT_TYPE).unwrap(), "image/png");
    assert_eq!(res.1.get(header::CACHE_CONTROL).unwrap(), "no-store");
    let (_, _, html) = call(&app, get("/cases/DEMO-1/review", &exam)).await;
    assert!(html.contains("<strong id=\"exposure-today\">1</strong>"), "the reveal counted");

    // A decision needs the form's token; with it, it is recorded.
    let forged = call(&app, post("/cases/DEMO-1/review/items/1", &exam, &[("category", "B")])).await;
    assert_eq!(forged.0, StatusCode::FORBIDDEN);
    let (s, h, _) =
        call(&app, post("/cases/DEMO-1/review/items/1", &exam, &[("csrf", &csrf), ("category", "unsure")])).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(h.get(header::LOCATION).unwrap(), "/cases/DEMO-1/review#item-1");
    let (_, _, html) = call(&app, get("/review/second-opinions", &sup)).await;
    assert!(html.contains("DEMO-1, item 1") && html.contains("demo.examiner"), "{html}");
    keep_for_screenshot(&app, "review-second-opinions.html", &html).await;
    assert_eq!(call(&app, get("/review/second-opinions", &exam)).await.0, StatusCode::FORBIDDEN);
    let bad = call(&app, post("/cases/DEMO-1/review/items/1", &exam, &[("csrf", &csrf), ("category", "D")])).await;
    assert_eq!(bad.0, StatusCode::BAD_REQUEST, "{}", bad.2);
    let (s, h, body) = call(&app, get("/cases/DEMO-1/review/counts.pdf", &inv)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(h.get(header::CONTENT_TYPE).unwrap(), "application/pdf");
    assert!(body.starts_with("%PDF"));
}

#[tokio::test]
async fn who_has_seen_this_is_for_auditors_and_supervisors_and_matches_the_log() {
    let (_d, data, demo) = seeded_demo();
    let secret = |name: &str| demo_secret(&demo, name);
    let mut v = Vigil::open(&data).unwrap();
    let adm = Actor::parse("ADM").unwrap();
    let auditor = b32decode(&v.add_user("a.auditor", Role::Auditor, PW, &adm).unwrap().secret_base32);
    let (aud, _) = session(&mut v, "a.auditor", PW, &auditor);
    let (inv, _) = session(&mut v, "demo.investigator", vigil_core::DEMO_PASSWORD, &secret("demo.investigator"));
    let expected = v.accesses("exhibit:DM/1").unwrap();
    let app = vigil_web::app(v);
    assert_eq!(call(&app, get("/access?object=exhibit:DM/1", &inv)).await.0, StatusCode::FORBIDDEN);
    let (s, _, html) = call(&app, get("/access?object=exhibit:DM/1", &aud)).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(!expected.is_empty());
    for a in &expected {
        assert!(html.contains(&format!("#{}", a.event)) && html.contains(&a.why), "{a:?}: {html}");
    }
    keep_for_screenshot(&app, "access.html", &html).await;
    let (s, h, csv) = call(&app, get("/access.csv?object=exhibit:DM/1", &aud)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(h.get(header::CONTENT_TYPE).unwrap().to_str().unwrap().starts_with("text/csv"));
    // The page's own question is the newest access now.
    assert_eq!(csv.lines().count(), expected.len() + 2, "{csv}");
    assert!(csv.lines().last().unwrap().contains("a.auditor,accessed exhibit:DM/1,asked who has seen it"), "{csv}");
    assert_eq!(call(&app, get("/access?object=nothing:1", &aud)).await.0, StatusCode::BAD_REQUEST);
}
