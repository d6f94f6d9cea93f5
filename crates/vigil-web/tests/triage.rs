//! The triage queue: risk order with factors, audited reading, 3x5x2
//! grading, and roles.

mod support;

use support::{b32decode, call};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use vigil_core::Vigil;
use vigil_domain::{Actor, ExhibitRef, PublicReport, ReportKind, Role};

const PW: &str = "correct horse battery staple";

fn report(danger: bool, ids: &[&str]) -> PublicReport {
    PublicReport {
        kind: ReportKind::Grooming,
        immediate_danger: danger,
        meeting_planned: !danger,
        images_exchanged: false,
        platform: "ExampleChat".into(),
        identifiers: ids.iter().map(|s| s.to_string()).collect(),
        child: "about 12".into(),
        dates: String::new(),
        account: "SYNTHETIC TEST report".into(),
        contact: None,
        about: Default::default(),
    }
}

async fn sign_in(app: &axum::Router, user: &str, secret: &[u8]) -> String {
    support::sign_in(app, user, PW, secret).await
}

#[tokio::test]
async fn queue_orders_by_risk_and_grading_is_audited() {
    let d = tempfile::tempdir().unwrap();
    let data = d.path().join("data");
    Vigil::init(&data, None).unwrap();
    let v = Vigil::open(&data).unwrap();
    let adm = Actor::parse("ADM").unwrap();
    let tri = b32decode(&v.add_user("jsmith", Role::TriageOfficer, PW, &adm).unwrap().secret_base32);
    let inv = b32decode(&v.add_user("kjones", Role::Investigator, PW, &adm).unwrap().secret_base32);
    v.submit_public_report(&report(false, &["Demo_User_A"])).unwrap();
    v.submit_public_report(&report(true, &["other_user"])).unwrap();
    v.submit_public_report(&report(false, &["demo_user_a "])).unwrap();
    let app = vigil_web::app(v);

    assert!(call(&app, Request::get("/queue").body(Body::empty()).unwrap()).await.0.is_redirection());
    let ci = sign_in(&app, "kjones", &inv).await;
    assert_eq!(
        call(&app, Request::get("/queue").header("cookie", &ci).body(Body::empty()).unwrap()).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        call(&app, Request::get("/reports/1").header("cookie", &ci).body(Body::empty()).unwrap()).await.0,
        StatusCode::FORBIDDEN
    );

    let c = sign_in(&app, "jsmith", &tri).await;
    let (s, _, html) = call(&app, Request::get("/queue").header("cookie", &c).body(Body::empty()).unwrap()).await;
    assert_eq!(s, StatusCode::OK);
    let pos = |r: &str| html.find(&format!(">{r}</a>")).unwrap();
    assert!(pos("PR/2") < pos("PR/3") && pos("PR/3") < pos("PR/1"), "immediate danger first, then score: {html}");
    assert!(html.contains("IMMEDIATE DANGER") && html.contains("a child is in immediate danger (+100)"));
    assert!(
        html.contains("1 identifier(s) seen in other reports (up to 1) (+30)"),
        "normalised identifiers link reports: {html}"
    );

    let (s, _, page) = call(&app, Request::get("/reports/3").header("cookie", &c).body(Body::empty()).unwrap()).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("SYNTHETIC TEST report"));
    // Issue 13: each answer under the question the form asked, identifiers with their normalised form.
    assert!(page.contains("<dt>Is a child in immediate danger?</dt><dd>No</dd>"), "{page}");
    assert!(page.contains("<dt>What happened?</dt><dd>Grooming or enticement</dd>"));
    assert!(page.contains("demo_user_a  (normalised: username:examplechat/demo_user_a)"));
    assert!(page.contains("<dt>Files attached</dt><dd>None</dd>") && page.contains("<p>Sent "));
    assert!(
        page.contains("href=\"/reports/1\">PR/1</a>: username:examplechat/demo_user_a"),
        "linked reports side by side: {page}"
    );
    let at = page.find("name=\"csrf\" value=\"").unwrap() + 19;
    let csrf = page[at..at + 32].to_owned();
    let grade = |body: String| {
        Request::post("/reports/3/grade")
            .header("cookie", &c)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap()
    };
    let to_case = |body: String| {
        Request::post("/reports/3/case")
            .header("cookie", &c)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap()
    };
    let (s, _, msg) = call(&app, to_case(format!("csrf={csrf}&case=OP-TEST-2026&title=Test+case"))).await;
    assert_eq!(s, StatusCode::CONFLICT, "an ungraded report cannot be acted on");
    assert!(msg.contains("must be graded"), "{msg}");
    assert_eq!(
        call(&app, grade("csrf=forged&source=2&intelligence=B&handling=P".to_string())).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        call(&app, grade(format!("csrf={csrf}&source=2&intelligence=B&handling=C&conditions="))).await.0,
        StatusCode::BAD_REQUEST
    );
    // Issue 12, point 7: every grade carries its reason, and a re-grade keeps the history.
    let (s, _, msg) = call(&app, grade(format!("csrf={csrf}&source=2&intelligence=B&handling=P"))).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "a grade needs its reason: {msg}");
    assert!(msg.contains("reason"), "{msg}");
    assert!(call(&app, grade(format!("csrf={csrf}&source=3&intelligence=C&handling=P&reason=first+look")))
        .await
        .0
        .is_redirection());
    assert!(call(
        &app,
        grade(format!("csrf={csrf}&source=2&intelligence=B&handling=P&reason=chat+export+corroborates"))
    )
    .await
    .0
    .is_redirection());
    let (_, _, page) = call(&app, Request::get("/reports/3").header("cookie", &c).body(Body::empty()).unwrap()).await;
    let history = &page[page.find("Grade history").expect("the grade history is shown")..];
    let (first, second) = (history.find("first look").unwrap(), history.find("chat export corroborates").unwrap());
    assert!(first < second && history.contains("3/C/P") && history.contains("2/B/P"), "{history}");
    let queue = |q: &'static str| Request::get(q).header("cookie", &c).body(Body::empty()).unwrap();
    let (_, _, html) = call(&app, queue("/queue?state=graded")).await;
    assert!(html.contains("2/B/P") && html.contains("href=\"/reports/3\""), "{html}");
    let (_, _, html) = call(&app, queue("/queue")).await;
    assert!(!html.contains("href=\"/reports/3\""), "a graded report leaves the new tab: {html}");
    assert!(html.contains("Graded (1)"), "{html}");
    assert_eq!(
        call(&app, to_case(format!("csrf={csrf}&case=OP-TEST-2026&title="))).await.0,
        StatusCode::CONFLICT,
        "a new case needs a title"
    );
    assert!(call(&app, to_case(format!("csrf={csrf}&case=OP-TEST-2026&title=Test+case"))).await.0.is_redirection());
    let (_, _, page) = call(&app, Request::get("/reports/3").header("cookie", &c).body(Body::empty()).unwrap()).await;
    assert!(page.contains("In case(s): <a href=\"/cases/OP-TEST-2026\">OP-TEST-2026</a>"), "{page}");
    let (_, _, html) = call(&app, queue("/queue?state=in-case")).await;
    assert!(html.contains("href=\"/reports/3\""), "{html}");
    // Closing needs a reason from the list; a closed report shows its reason.
    let close = |body: String| {
        Request::post("/reports/1/close")
            .header("cookie", &c)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap()
    };
    assert_eq!(call(&app, close(format!("csrf={csrf}&reason=bored"))).await.0, StatusCode::BAD_REQUEST);
    assert!(call(&app, close(format!("csrf={csrf}&reason=duplicate&note=same+as+PR%2F2"))).await.0.is_redirection());
    let (_, _, html) = call(&app, queue("/queue?state=closed")).await;
    assert!(html.contains("href=\"/reports/1\"") && html.contains("Duplicate of another report"), "{html}");
    assert_eq!(call(&app, close(format!("csrf={csrf}&reason=duplicate"))).await.0, StatusCode::CONFLICT);
    drop(app);
    let v = Vigil::open(&data).unwrap();
    let h = v.history(&ExhibitRef::parse("PR/3").unwrap()).unwrap();
    assert!(
        h.iter().any(|e| e.event.kind == vigil_domain::EventKind::Accessed && e.event.actor.as_str() == "jsmith"),
        "reading is audited"
    );
    assert!(h.iter().any(|e| e.event.note.as_deref() == Some("graded 2/B/P")), "grading is a custody event");
    assert!(
        h.iter().any(|e| e.event.note.as_deref() == Some("added to case OP-TEST-2026")),
        "so is adding it to a case"
    );
    assert!(v.verify().unwrap().ok());
}

#[tokio::test]
async fn officers_link_and_unlink_reports_by_hand_with_a_reason() {
    let d = tempfile::tempdir().unwrap();
    let data = d.path().join("data");
    Vigil::init(&data, None).unwrap();
    let v = Vigil::open(&data).unwrap();
    let adm = Actor::parse("ADM").unwrap();
    let tri = b32decode(&v.add_user("jsmith", Role::TriageOfficer, PW, &adm).unwrap().secret_base32);
    v.submit_public_report(&report(false, &["shared_name"])).unwrap();
    v.submit_public_report(&report(false, &["shared_name"])).unwrap();
    v.submit_public_report(&report(false, &["someone_else"])).unwrap();
    let app = vigil_web::app(v);
    let c = sign_in(&app, "jsmith", &tri).await;
    let page = |n: u32| Request::get(format!("/reports/{n}")).header("cookie", &c).body(Body::empty()).unwrap();
    let (_, _, html) = call(&app, page(1)).await;
    assert!(html.contains("href=\"/reports/2\">PR/2</a>"), "linked by the shared identifier");
    let at = html.find("name=\"csrf\" value=\"").unwrap() + 19;
    let csrf = html[at..at + 32].to_owned();
    let post = |path: &str, body: String| {
        Request::post(path)
            .header("cookie", &c)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap()
    };
    // A reason is required; a report cannot be linked to itself or to nothing.
    assert_eq!(
        call(&app, post("/reports/1/link", format!("csrf={csrf}&other=PR/3&reason="))).await.0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        call(&app, post("/reports/1/link", format!("csrf={csrf}&other=PR/1&reason=x"))).await.0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        call(&app, post("/reports/1/link", format!("csrf={csrf}&other=PR/99&reason=x"))).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        call(&app, post("/reports/1/link", "csrf=forged&other=PR/3&reason=x".to_string())).await.0,
        StatusCode::FORBIDDEN
    );
    // Link 1 and 3 by hand; unlink 1 and 2 (a common name, a coincidence).
    let r = call(&app, post("/reports/1/link", format!("csrf={csrf}&other=PR/3&reason=same+phrasing+and+times"))).await;
    assert!(r.0.is_redirection(), "{}", r.2);
    let r = call(&app, post("/reports/1/unlink", format!("csrf={csrf}&other=PR/2&reason=different+platforms"))).await;
    assert!(r.0.is_redirection(), "{}", r.2);
    let (_, _, html) = call(&app, page(1)).await;
    assert!(html.contains("href=\"/reports/3\">PR/3</a>"), "{html}");
    assert!(html.contains("linked by jsmith: same phrasing and times"), "{html}");
    assert!(!html.contains("href=\"/reports/2\">PR/2</a>"), "unlinked by hand: {html}");
    // Seen from the other side too.
    let (_, _, html) = call(&app, page(3)).await;
    assert!(html.contains("href=\"/reports/1\">PR/1</a>"), "{html}");
    drop(app);
    let v = Vigil::open(&data).unwrap();
    let h = v.history(&ExhibitRef::parse("PR/2").unwrap()).unwrap();
    assert!(
        h.iter().any(|e| e.event.note.as_deref() == Some("unlinked from report PR/1 by hand: different platforms")
            && e.event.actor.as_str() == "jsmith"),
        "unlinking is audited on both reports"
    );
}

/// Issue 14: a report's identifier found in a chat export held as evidence
/// is shown on the report, with the case and the message it is first in.
#[tokio::test]
async fn a_report_shows_the_chat_exports_holding_its_identifiers() {
    let (_d, v, tri) = data_dir_with_triage_officer();
    v.submit_public_report(&report(false, &["07700 900031"])).unwrap();
    let mut chat = Vec::new();
    vigil_chat::synthetic::whatsapp(&vigil_chat::synthetic::Spec::new(200), &mut chat).unwrap();
    let case = vigil_domain::CaseId::parse("OP-CHAT-1").unwrap();
    let imported = v
        .import_chat_bytes(&chat, "chat.txt", &case, &vigil_domain::Initials::parse("JS").unwrap(), &Default::default())
        .unwrap();
    let app = vigil_web::app(v);
    let c = sign_in(&app, "jsmith", &tri).await;
    let (s, _, page) = call(&app, Request::get("/reports/1").header("cookie", &c).body(Body::empty()).unwrap()).await;
    assert_eq!(s, StatusCode::OK);
    let line = format!(
        "phone:+447700900031 in exhibit {} (case OP-CHAT-1): 1 time(s), first at chat.txt line 34",
        imported.exhibit
    );
    assert!(page.contains(&line), "{page}");
}

/// Issue 13: the queue says how long each report has waited and marks one
/// past its time to triage.
#[tokio::test]
async fn the_queue_says_how_long_reports_have_waited_and_which_are_overdue() {
    let (_d, v, tri) = data_dir_with_triage_officer();
    v.submit_public_report(&report(true, &["someone"])).unwrap();
    v.submit_public_report(&report(false, &["someone_else"])).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(5));
    // Immediate danger is due at once here; anything else never.
    let targets = vigil_domain::TriageTargets { immediate_danger_ms: 0, other_ms: i64::MAX / 2 };
    let app = vigil_web::app_with(v, vigil_web::Settings { triage_targets: targets, ..Default::default() });
    let c = sign_in(&app, "jsmith", &tri).await;
    let (_, _, html) = call(&app, Request::get("/queue").header("cookie", &c).body(Body::empty()).unwrap()).await;
    let rows: Vec<&str> = html.split("<tr><td><a href=\"/reports/").skip(1).collect();
    assert_eq!(rows.len(), 2);
    assert!(
        rows[0].starts_with("1\"") && rows[0].contains("under a minute ago") && rows[0].contains("OVERDUE"),
        "{}",
        rows[0]
    );
    assert!(rows[1].contains("under a minute ago") && !rows[1].contains("OVERDUE"), "{}", rows[1]);
}

/// Issue 13: what a reporter adds later with their receipt appears on the
/// officer's report view, marked new until that officer has read it.
#[tokio::test]
async fn a_reporters_addition_appears_on_the_report_marked_new_until_read() {
    let (_d, v, tri) = data_dir_with_triage_officer();
    let receipt = v.submit_public_report(&report(false, &["someone"])).unwrap();
    let added = v
        .add_to_public_report(&receipt.code, &receipt.secret, "SYNTHETIC: they wrote again this morning")
        .unwrap()
        .unwrap()
        .addition;
    let app = vigil_web::app(v);
    let c = sign_in(&app, "jsmith", &tri).await;
    let view = || Request::get("/reports/1").header("cookie", &c).body(Body::empty()).unwrap();
    let (_, _, page) = call(&app, view()).await;
    assert!(page.contains("Added later by the reporter (1, 1 new to you)"), "{page}");
    assert!(page.contains(&format!("({added}) <strong class=\"tag tag-new\">NEW</strong>")));
    assert!(page.contains("SYNTHETIC: they wrote again this morning"));
    let (_, _, page) = call(&app, view()).await;
    assert!(page.contains("Added later by the reporter (1)") && !page.contains(">NEW<"), "read once, no longer new");

    // A second addition, through the public form, while the officer's page
    // is open: it raises the officers' alert, naming the report and its page.
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let res =
        app.clone().oneshot(Request::get("/events").header("cookie", &c).body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let mut stream = res.into_body();
    let (_, _, html) = call(&app, Request::get("/report/add").body(Body::empty()).unwrap()).await;
    let at = html.find("name=\"csrf\" value=\"").unwrap() + 19;
    let token = &html[at..at + html[at..].find('"').unwrap()];
    let enc = |s: &str| s.replace('+', "%2B").replace('/', "%2F").replace('=', "%3D");
    let form = format!(
        "csrf={}&code={}&secret={}&text=SYNTHETIC+a+second+message+arrived",
        enc(token),
        enc(&receipt.code),
        enc(&receipt.secret)
    );
    let mut r = Request::post("/report/add")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(form))
        .unwrap();
    r.extensions_mut().insert(axum::extract::ConnectInfo("192.0.2.81:1".parse::<std::net::SocketAddr>().unwrap()));
    let (s, _, done) = call(&app, r).await;
    assert_eq!(s, StatusCode::OK, "{done}");
    let mut seen = String::new();
    while !seen.contains("report-addition") {
        let frame = tokio::time::timeout(std::time::Duration::from_secs(10), stream.frame())
            .await
            .expect("the alert arrives")
            .expect("the stream stays open")
            .unwrap();
        if let Ok(d) = frame.into_data() {
            seen += &String::from_utf8_lossy(&d);
        }
    }
    assert!(seen.contains("event: report-addition") && seen.contains("data: PR/1 /reports/1"), "{seen}");
    let (_, _, page) = call(&app, view()).await;
    assert!(page.contains("Added later by the reporter (2, 1 new to you)"), "the new one is marked new");
}

/// A closed report's addition is kept and shown, but raises no alert: no
/// one is working it. (Core tells the web whether the report is live.)
#[test]
fn an_addition_to_a_closed_report_is_not_live() {
    let (_d, v, _) = data_dir_with_triage_officer();
    let receipt = v.submit_public_report(&report(false, &["someone"])).unwrap();
    let officer =
        vigil_core::OfficerSession { username: "jsmith".into(), role: Role::TriageOfficer, csrf: String::new() };
    v.close_report(&receipt.exhibit, vigil_domain::CloseReason::NotACrime, "", &officer).unwrap();
    let added = v.add_to_public_report(&receipt.code, &receipt.secret, "SYNTHETIC: more").unwrap().unwrap();
    assert!(!added.report_live && added.report == receipt.exhibit);
}

/// A fresh data directory with one triage officer, `jsmith`; returns the
/// directory (kept alive), Vigil and the officer's TOTP secret.
fn data_dir_with_triage_officer() -> (tempfile::TempDir, Vigil, Vec<u8>) {
    let d = tempfile::tempdir().unwrap();
    let data = d.path().join("data");
    Vigil::init(&data, None).unwrap();
    let v = Vigil::open(&data).unwrap();
    let adm = Actor::parse("ADM").unwrap();
    let tri = b32decode(&v.add_user("jsmith", Role::TriageOfficer, PW, &adm).unwrap().secret_base32);
    (d, v, tri)
}
