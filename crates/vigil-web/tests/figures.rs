//! Issue 13: the team's dashboard counts what was recorded. Reports,
//! grades and an outcome are seeded at known times (a manual clock), and
//! the page and its CSV show the medians, percentiles and counts those
//! times give; workload is for supervisors only.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use support::{b32decode, call};
use vigil_core::{Clock, OfficerSession, Vigil};
use vigil_domain::{Actor, CaseId, CaseRecord, Grade, PublicReport, ReportKind, Role, Timestamp};

const PW: &str = "correct horse battery staple";
const MIN: i64 = 60_000;
const H: i64 = 60 * MIN;
/// Monday 23 Nov 2026 09:00 UTC.
const T0: i64 = 1_795_424_400_000;

fn report(kind: ReportKind, danger: bool) -> PublicReport {
    PublicReport {
        kind,
        immediate_danger: danger,
        meeting_planned: false,
        images_exchanged: false,
        platform: "ExampleChat".into(),
        identifiers: vec![],
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
async fn the_dashboard_shows_the_figures_the_recorded_times_give() {
    let d = tempfile::tempdir().unwrap();
    let data = d.path().join("data");
    Vigil::init(&data, None).unwrap();
    let clock = Clock::manual(Timestamp::from_unix_millis(T0));
    let v = Vigil::open(&data).unwrap().with_clock(clock.clone());
    let adm = Actor::parse("ADM").unwrap();
    let secret = |name: &str, role| b32decode(&v.add_user(name, role, PW, &adm).unwrap().secret_base32);
    let (sup, aud, inv) =
        (secret("ssup", Role::Supervisor), secret("aaud", Role::Auditor), secret("iinv", Role::Investigator));
    let _ = secret("jsmith", Role::TriageOfficer);
    let jsmith = OfficerSession { username: "jsmith".into(), role: Role::TriageOfficer, csrf: String::new() };
    let grade = Grade::parse("2/B/P").unwrap();

    // Four public reports in the week of 23 Nov: graded after 2 hours, after
    // 30 hours, immediate danger after 10 minutes, and one still open.
    let a = v.submit_public_report(&report(ReportKind::Grooming, false)).unwrap().exhibit;
    clock.advance(H);
    let b = v.submit_public_report(&report(ReportKind::Sextortion, false)).unwrap().exhibit;
    clock.advance(H);
    let c = v.submit_public_report(&report(ReportKind::Grooming, true)).unwrap().exhibit;
    clock.advance(10 * MIN);
    v.grade_report(&c, &grade, "SYNTHETIC", &jsmith).unwrap();
    clock.set(Timestamp::from_unix_millis(T0 + 2 * H));
    v.grade_report(&a, &grade, "SYNTHETIC", &jsmith).unwrap();
    clock.set(Timestamp::from_unix_millis(T0 + 3 * H));
    let _open = v.submit_public_report(&report(ReportKind::Grooming, false)).unwrap().exhibit;
    clock.set(Timestamp::from_unix_millis(T0 + H + 30 * H));
    v.grade_report(&b, &grade, "SYNTHETIC", &jsmith).unwrap();
    // An arrest recorded in the week of 30 Nov.
    let case = CaseId::parse("OP-FIGURES-2026").unwrap();
    clock.set(Timestamp::from_unix_millis(T0 + 8 * 24 * H));
    v.report_to_case(&a, &case, Some("Synthetic figures case"), &jsmith).unwrap();
    // An arrest is an action (issue 25, point 10): counted where it is made.
    let ssup = OfficerSession { username: "ssup".into(), role: Role::Supervisor, csrf: String::new() };
    let person = v
        .add_case_record(
            &case,
            &CaseRecord::Person {
                name: "Synthetic Person".into(),
                role: vigil_domain::PersonRole::Suspect,
                works_with_children: None,
            },
            &ssup,
        )
        .unwrap();
    let arrest = CaseRecord::UrgentAction {
        person,
        action: vigil_domain::ActionKind::Arrest,
        power: "PACE 1984 s.24 (synthetic)".into(),
        justification: "SYNTHETIC".into(),
        wrong_person: Some("identity confirmed at the address (synthetic)".into()),
    };
    v.add_case_record(&case, &arrest, &ssup).unwrap();
    // Now: Wednesday 2 Dec 2026 09:00 UTC.
    clock.set(Timestamp::from_unix_millis(T0 + 9 * 24 * H));

    let app = vigil_web::app(v);
    let c_sup = sign_in(&app, "ssup", &sup).await;
    let get = |path: &str, cookie: &str| Request::get(path).header("cookie", cookie).body(Body::empty()).unwrap();
    let (s, _, html) = call(&app, get("/figures", &c_sup)).await;
    assert_eq!(s, StatusCode::OK);
    let row = |cells: &[&str]| format!("<tr><td>{}</td></tr>", cells.join("</td><td>"));
    // Time to triage: others 2 h and 30 h (median 16 h, 90th percentile 30 h), one waiting.
    assert!(html.contains(&row(&["All others", "1 d", "2", "16 h", "1 d 6 h", "1", "1"])), "time to triage");
    assert!(html.contains(&row(&["Immediate danger", "15 min", "1", "10 min", "10 min", "1", "0"])));
    // Received that week: three grooming (one immediate) and one sextortion, all public.
    assert!(html.contains(&row(&["23 Nov 2026", "3", "1", "0", "0", "0", "4", "0", "4"])), "reports by week");
    // Open (new or graded, not in a case or closed): the two graded and the
    // one waiting, each received over 7 days ago; one is immediate danger.
    assert!(html.contains(&row(&["Over 7 days", "3", "1"])));
    assert!(html.contains(&row(&["30 Nov 2026", "1", "0", "0", "0"])), "the arrest in its week");
    assert!(html.contains("<svg") && html.contains("Reports received per week, by kind"), "charts are drawn");
    assert!(html.contains(&row(&["jsmith", "0", "3", "1", "0"])), "workload: 3 grades and a report put in a case");
    assert!(html.contains(&row(&["ssup", "0", "0", "0", "2"])), "workload: the person and the arrest recorded");

    let (s, h, csv) = call(&app, get("/figures/time-to-triage.csv", &c_sup)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(h["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert!(csv.contains("All others,1 d,2,16 h,1 d 6 h,1,1\r\n"), "{csv}");
    assert_eq!(call(&app, get("/figures/nothing.csv", &c_sup)).await.0, StatusCode::NOT_FOUND);

    // An auditor sees the figures but not who did the work.
    let c_aud = sign_in(&app, "aaud", &aud).await;
    let (s, _, html) = call(&app, get("/figures", &c_aud)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(!html.contains("Workload per officer") && !html.contains("jsmith"));
    assert_eq!(call(&app, get("/figures/workload.csv", &c_aud)).await.0, StatusCode::NOT_FOUND);
    // Other roles do not see the figures at all.
    let c_inv = sign_in(&app, "iinv", &inv).await;
    assert_eq!(call(&app, get("/figures", &c_inv)).await.0, StatusCode::FORBIDDEN);
    assert_eq!(call(&app, get("/figures/outcomes.csv", &c_inv)).await.0, StatusCode::FORBIDDEN);
}
