//! Issue 29 over HTTP: the retention review queue (supervisors decide,
//! auditors read, others are refused before their form is read; a legal
//! hold stops a disposal, saying why), and break-glass reads (a
//! justification opens a case for reading only, for an hour, and appears
//! on the supervisors' list and in "who has seen this").

mod support;

use axum::http::{header, StatusCode};
use support::{b32decode, call, demo_secret, get, keep_for_screenshot, post, seeded_demo, session};
use vigil_core::{Clock, Vigil};
use vigil_domain::{Actor, Role, Timestamp};

const PW: &str = "correct horse battery staple";
const DAY: i64 = 86_400_000;

#[tokio::test]
async fn supervisors_review_retention_and_a_legal_hold_stops_a_disposal() {
    let (_d, data, demo) = seeded_demo();
    let secret = |name: &str| demo_secret(&demo, name);
    let mut v = Vigil::open(&data).unwrap();
    let adm = Actor::parse("ADM").unwrap();
    let auditor = b32decode(&v.add_user("a.auditor", Role::Auditor, PW, &adm).unwrap().secret_base32);
    let (sup, csrf) = session(&mut v, "demo.supervisor", vigil_core::DEMO_PASSWORD, &secret("demo.supervisor"));
    let (inv, inv_csrf) = session(&mut v, "demo.investigator", vigil_core::DEMO_PASSWORD, &secret("demo.investigator"));
    let (aud, _) = session(&mut v, "a.auditor", PW, &auditor);
    // A second case, opened from a synthetic report and left open.
    let receipt = v
        .submit_public_report(&vigil_domain::PublicReport {
            kind: vigil_domain::ReportKind::Grooming,
            immediate_danger: false,
            meeting_planned: false,
            images_exchanged: false,
            platform: "ExampleChat".into(),
            identifiers: vec!["retention_web_user".into()],
            child: "about 12".into(),
            dates: "today".into(),
            account: "SYNTHETIC TEST report for the retention page".into(),
            contact: None,
            about: Default::default(),
        })
        .unwrap();
    let tri =
        vigil_core::OfficerSession { username: "demo.triage".into(), role: Role::TriageOfficer, csrf: String::new() };
    v.grade_report(&receipt.exhibit, &vigil_domain::Grade::parse("2/B/P").unwrap(), "synthetic grading", &tri).unwrap();
    let case = vigil_domain::CaseId::parse("OP-RETAIN-WEB").unwrap();
    v.report_to_case(&receipt.exhibit, &case, Some("Retention page walk (synthetic)"), &tri).unwrap();
    // Seven years on: the open case is due for review.
    let later = Timestamp::from_unix_millis(vigil_core::now().unix_millis() + 7 * 365 * DAY);
    let app = vigil_web::app(v.with_clock(Clock::manual(later)));

    let (s, _, html) = call(&app, get("/retention", &sup)).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("case:OP-RETAIN-WEB") && html.contains("DUE"), "{html}");
    assert!(html.contains("name=\"action\" value=\"dispose\""), "a due item can be disposed of");
    let (s, _, read_only) = call(&app, get("/retention", &aud)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(read_only.contains("case:OP-RETAIN-WEB") && !read_only.contains("value=\"dispose\""), "auditors only read");
    assert_eq!(call(&app, get("/retention", &inv)).await.0, StatusCode::FORBIDDEN);
    let refused = call(
        &app,
        post(
            "/retention",
            &inv,
            &[("csrf", &inv_csrf), ("subject", "case:OP-RETAIN-WEB"), ("action", "dispose"), ("reason", "x")],
        ),
    )
    .await;
    assert_eq!(refused.0, StatusCode::FORBIDDEN);
    let forged =
        call(&app, post("/retention", &sup, &[("subject", "case:OP-RETAIN-WEB"), ("action", "hold"), ("reason", "x")]))
            .await;
    assert_eq!(forged.0, StatusCode::FORBIDDEN);

    let decide = |action: &'static str, reason: &'static str| {
        post(
            "/retention",
            &sup,
            &[("csrf", &csrf), ("subject", "case:OP-RETAIN-WEB"), ("action", action), ("reason", reason)],
        )
    };
    let (s, _, html) = call(&app, decide("hold", "civil claim notified (synthetic)")).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("is under a legal hold") && html.contains("LEGAL HOLD"), "{html}");
    keep_for_screenshot(&app, "retention-queue.html", &html).await;
    let (s, _, html) = call(&app, decide("dispose", "review after seven years")).await;
    assert_eq!(s, StatusCode::CONFLICT, "{html}");
    assert!(html.contains("legal hold") && html.contains("civil claim"), "the refusal says why: {html}");
    call(&app, decide("release", "claim withdrawn (synthetic)")).await;
    let (s, _, html) = call(&app, decide("dispose", "review after seven years: nothing further")).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("case:OP-RETAIN-WEB disposed of") && html.contains("Disposed of"), "{html}");
    // DEMO-1's schedules were served on the defence: a live prosecution,
    // offered no disposal at all.
    let row = html.split("case:DEMO-1<").nth(1).unwrap_or_default().split("</tr>").next().unwrap_or_default();
    assert!(row.contains("LIVE PROSECUTION") && !row.contains("value=\"dispose\""), "{row}");
}

#[tokio::test]
async fn a_break_glass_read_opens_a_case_for_reading_and_is_flagged() {
    let (_d, data, demo) = seeded_demo();
    let secret = |name: &str| demo_secret(&demo, name);
    let mut v = Vigil::open(&data).unwrap();
    let adm = Actor::parse("ADM").unwrap();
    let other = b32decode(&v.add_user("x.investigator", Role::Investigator, PW, &adm).unwrap().secret_base32);
    let (inv, csrf) = session(&mut v, "x.investigator", PW, &other);
    let (sup, _) = session(&mut v, "demo.supervisor", vigil_core::DEMO_PASSWORD, &secret("demo.supervisor"));
    let (pros, pros_csrf) = session(&mut v, "demo.prosecutor", vigil_core::DEMO_PASSWORD, &secret("demo.prosecutor"));
    let app = vigil_web::app(v);

    assert_eq!(call(&app, get("/cases/DEMO-1", &inv)).await.0, StatusCode::NOT_FOUND);
    let (s, _, form) = call(&app, get("/break-glass", &inv)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(form.contains("name=\"justification\""), "{form}");
    keep_for_screenshot(&app, "break-glass-form.html", &form).await;
    let short =
        call(&app, post("/break-glass", &inv, &[("csrf", &csrf), ("case", "DEMO-1"), ("justification", "need it")]))
            .await;
    assert_eq!(short.0, StatusCode::BAD_REQUEST, "{}", short.2);
    assert!(short.2.contains("justification"), "{}", short.2);
    // A prosecutor may not break glass; their form is not even read.
    let p = call(
        &app,
        post(
            "/break-glass",
            &pros,
            &[("csrf", &pros_csrf), ("case", "DEMO-1"), ("justification", "x".repeat(30).as_str())],
        ),
    )
    .await;
    assert_eq!(p.0, StatusCode::FORBIDDEN);

    let why = "linked report PR/9 names the same account; checking for a child at risk (synthetic)";
    let (s, h, _) =
        call(&app, post("/break-glass", &inv, &[("csrf", &csrf), ("case", "DEMO-1"), ("justification", why)])).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(h.get(header::LOCATION).unwrap(), "/cases/DEMO-1");
    let (s, _, page) = call(&app, get("/cases/DEMO-1", &inv)).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    // Reading only: the case's work stays closed to them.
    let (s, _, _) = call(&app, post("/cases/DEMO-1/records/note", &inv, &[("csrf", &csrf), ("text", "a note")])).await;
    assert!(s == StatusCode::NOT_FOUND || s == StatusCode::FORBIDDEN, "{s}");

    // Flagged: on the supervisors' list and in "who has seen this".
    let (s, _, list) = call(&app, get("/break-glass", &sup)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(list.contains("x.investigator") && list.contains("checking for a child at risk"), "{list}");
    keep_for_screenshot(&app, "break-glass-reads.html", &list).await;
    let (_, _, access) = call(&app, get("/access?object=case:DEMO-1", &sup)).await;
    assert!(access.contains("x.investigator") && access.contains("checking for a child at risk"), "{access}");
    assert!(access.contains("(break-glass read)"), "{access}");
    keep_for_screenshot(&app, "access-page.html", &access).await;
}
