//! Issue 13: search by identifier, reference, case ID and person name
//! finds only what the officer may see, for every role, and each search
//! is recorded in the custody log.

mod support;

use support::{b32decode, call};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use vigil_core::{OfficerSession, Vigil};
use vigil_domain::{Actor, Role};

const PW: &str = "correct horse battery staple";

fn session(name: &str, role: Role) -> OfficerSession {
    OfficerSession { username: name.into(), role, csrf: String::new() }
}

#[test]
fn search_never_finds_what_the_officer_may_not_see_whatever_their_role() {
    let d = tempfile::tempdir().unwrap();
    let data = d.path().join("data");
    Vigil::demo(&data).unwrap();
    let v = Vigil::open(&data).unwrap();
    let adm = Actor::parse("ADM").unwrap();
    for (name, role) in [
        ("x.investigator", Role::Investigator),
        ("x.disclosure", Role::DisclosureOfficer),
        ("x.forensic", Role::ForensicExaminer),
        ("x.triage", Role::TriageOfficer),
        ("a.auditor", Role::Auditor),
    ] {
        v.add_user(name, role, PW, &adm).unwrap();
    }
    // (officer, sees DEMO-1, sees the public report PR/1)
    let expectations = [
        (session("demo.investigator", Role::Investigator), true, true),
        (session("demo.disclosure", Role::DisclosureOfficer), true, true),
        (session("demo.triage", Role::TriageOfficer), true, true),
        (session("demo.supervisor", Role::Supervisor), true, true),
        (session("a.auditor", Role::Auditor), true, true),
        (session("x.investigator", Role::Investigator), false, false),
        (session("x.disclosure", Role::DisclosureOfficer), false, false),
        (session("x.forensic", Role::ForensicExaminer), false, false),
        // A triage officer sees every report, but only the cases they are on.
        (session("x.triage", Role::TriageOfficer), false, true),
    ];
    for (o, sees_case, sees_report) in &expectations {
        for q in ["DEMO-1", "Synthetic Person A", "operation lantern"] {
            let r = v.search(q, o).unwrap();
            let found = r.cases.iter().any(|c| c.case.as_str() == "DEMO-1");
            assert_eq!(found, *sees_case, "{} ({}) searching {q:?}: {:?}", o.username, o.role, r.cases);
        }
        let r = v.search("demo_user_a", o).unwrap();
        assert_eq!(r.as_identifier.as_deref(), Some("username:demo_user_a"));
        let found = r.reports.iter().any(|h| h.report.to_string() == "PR/1");
        assert_eq!(found, *sees_report, "{} ({}) searching demo_user_a: {:?}", o.username, o.role, r.reports);
        let r = v.search("pr/1", o).unwrap();
        assert_eq!(r.reports.iter().any(|h| h.matched == "reference"), *sees_report, "{}", o.username);
    }
    for o in [session("demo.prosecutor", Role::Prosecutor), session("adm", Role::Admin)] {
        assert!(matches!(v.search("DEMO-1", &o), Err(vigil_core::CoreError::Forbidden(_))), "{}", o.role);
    }
    assert!(matches!(v.search("x", &expectations[0].0), Err(vigil_core::CoreError::InvalidInput { .. })));
    // Every search was recorded, with who searched and for what.
    let out = d.path().join("log.jsonl");
    v.export_log(&out).unwrap();
    let log = std::fs::read_to_string(&out).unwrap();
    let searched = log.lines().filter(|l| l.contains("\\\"kind\\\":\\\"searched\\\"")).count();
    assert_eq!(searched, expectations.len() * 5);
    assert!(
        log.contains("x.investigator (investigator) searched for \\\\\\\"DEMO-1\\\\\\\": 0 report(s), 0 case(s)"),
        "the note names who and what"
    );
}

#[tokio::test]
async fn the_search_page_links_what_it_finds() {
    let d = tempfile::tempdir().unwrap();
    let data = d.path().join("data");
    let demo = Vigil::demo(&data).unwrap();
    let secret = b32decode(&demo.officers.iter().find(|o| o.0 == "demo.investigator").unwrap().2);
    let v = Vigil::open(&data).unwrap();
    let step = vigil_core::totp_step(vigil_core::now().unix_millis());
    let code = format!("{:06}", vigil_core::totp_code(&secret, step));
    let (token, _) = v.login("demo.investigator", vigil_core::DEMO_PASSWORD, &code).unwrap().unwrap();
    let app = vigil_web::app(v);
    let get = |p: &str| Request::get(p).header("cookie", format!("vigil_session={token}")).body(Body::empty()).unwrap();
    let (s, _, html) = call(&app, get("/search?q=Synthetic+Person+A")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("<a href=\"/cases/DEMO-1\">DEMO-1</a>") && html.contains("person Synthetic Person A"));
    assert!(
        html.contains("<a href=\"/search\" aria-current=\"page\">Search</a>"),
        "the shell links the search, marked as the page shown"
    );
    let (s, _, _) = call(&app, get("/search?q=x")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "a query too short is refused, naming it");
}
