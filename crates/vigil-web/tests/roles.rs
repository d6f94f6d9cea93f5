//! The role × route matrix: every route, as every role and as an anonymous
//! user, against the allowed set.

mod support;

use support::b32decode;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use tower::ServiceExt;
use vigil_core::Vigil;
use vigil_domain::{Actor, PublicReport, ReportKind, Role};

const PW: &str = "correct horse battery staple";

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Outcome {
    /// 2xx (or a redirect that is the route's own success, such as `/`).
    Allowed,
    /// Sent to sign in (redirect) or 401.
    SignIn,
    Forbidden,
}

fn classify(path: &str, status: StatusCode, location: Option<&str>) -> Outcome {
    if status == StatusCode::FORBIDDEN {
        Outcome::Forbidden
    } else if status == StatusCode::UNAUTHORIZED || location == Some("/login") && path != "/logout" {
        Outcome::SignIn
    } else {
        Outcome::Allowed
    }
}

#[tokio::test]
async fn every_route_as_every_role() {
    let d = tempfile::tempdir().unwrap();
    let data = d.path().join("data");
    Vigil::init(&data, None).unwrap();
    let v = Vigil::open(&data).unwrap();
    v.submit_public_report(&PublicReport {
        kind: ReportKind::Other,
        immediate_danger: false,
        meeting_planned: false,
        images_exchanged: false,
        platform: String::new(),
        identifiers: vec![],
        child: String::new(),
        dates: String::new(),
        account: "SYNTHETIC TEST".into(),
        contact: None,
        about: Default::default(),
    })
    .unwrap();
    let mut sessions: Vec<(String, Option<(String, String)>)> = vec![("anonymous".into(), None)];
    for role in Role::ALL {
        let name = role.as_str().replace('-', ".");
        let secret = b32decode(&v.add_user(&name, role, PW, &Actor::parse("ADM").unwrap()).unwrap().secret_base32);
        let step = vigil_core::totp_step(vigil_core::now().unix_millis());
        let (token, s) = v.login(&name, PW, &format!("{:06}", vigil_core::totp_code(&secret, step))).unwrap().unwrap();
        sessions.push((role.as_str().to_owned(), Some((token, s.csrf))));
    }
    // A partner's API key is a subject of its own: it opens the API and nothing else.
    let partner_key = v.add_partner("Matrix Partner (synthetic)", &Actor::parse("ADM").unwrap()).unwrap().key;
    sessions.push(("partner".into(), None));
    let app = vigil_web::app(v);
    let public = [
        "anonymous",
        "triage-officer",
        "investigator",
        "forensic-examiner",
        "disclosure-officer",
        "supervisor",
        "auditor",
        "admin",
        "prosecutor",
        "partner",
    ];
    let officers = &public[1..9];
    let triage = ["triage-officer", "supervisor"];
    let searchers =
        ["triage-officer", "investigator", "forensic-examiner", "disclosure-officer", "supervisor", "auditor"];
    // (method, path, who may use it)
    let routes: Vec<(&str, &str, Vec<&str>)> = vec![
        ("GET", "/", public.to_vec()),
        ("GET", "/healthz", public.to_vec()),
        ("GET", "/report", public.to_vec()),
        ("GET", "/report/add", public.to_vec()),
        ("GET", "/login", public.to_vec()),
        ("GET", "/static/vigil.css", public.to_vec()),
        ("GET", "/static/alerts.js", public.to_vec()),
        ("GET", "/officer", officers.to_vec()),
        ("GET", "/queue", triage.to_vec()),
        ("GET", "/reports/1", triage.to_vec()),
        ("POST", "/reports/1/grade", triage.to_vec()),
        ("POST", "/reports/1/case", triage.to_vec()),
        ("GET", "/events", triage.to_vec()),
        ("GET", "/queue?state=closed&page=2", triage.to_vec()),
        ("POST", "/reports/1/close", triage.to_vec()),
        ("POST", "/reports/1/handoff", triage.to_vec()),
        ("GET", "/reports/1/sanitised.json", triage.to_vec()),
        ("POST", "/reports/1/link", triage.to_vec()),
        ("POST", "/reports/1/unlink", triage.to_vec()),
        ("GET", "/api/v1/openapi.json", public.to_vec()),
        ("GET", "/cases", officers.to_vec()),
        ("GET", "/figures", vec!["supervisor", "auditor"]),
        ("GET", "/figures/outcomes.csv", vec!["supervisor", "auditor"]),
        // For an auditor the workload table is not there at all (404, as
        // tests/figures.rs checks); the other roles are refused before that.
        ("GET", "/figures/workload.csv", vec!["supervisor", "auditor"]),
        ("GET", "/queue?sort=age", triage.to_vec()),
        ("GET", "/search", searchers.to_vec()),
        ("GET", "/search?q=demo_user_a", searchers.to_vec()),
        // Case routes answer 404 for a case that does not exist (or may not be seen).
        ("GET", "/cases/NO-SUCH-1/chats/JS/1", officers.to_vec()),
        ("GET", "/cases/NO-SUCH-1/chats/JS/1/timeline.csv", officers.to_vec()),
        ("GET", "/cases/NO-SUCH-1/schedules/versions/1", officers.to_vec()),
        ("GET", "/cases/NO-SUCH-1/schedules/versions/1/MG6E.pdf", officers.to_vec()),
        ("POST", "/api/v1/referrals", vec!["partner"]),
        ("PUT", "/api/v1/referrals/1/files/0", vec!["partner"]),
    ];
    for (method, path, allowed) in &routes {
        for (who, session) in &sessions {
            let mut req = Request::builder().method(*method).uri(*path);
            let mut body = String::new();
            if let Some((token, csrf)) = session {
                req = req.header("cookie", format!("vigil_session={token}"));
                body = format!("csrf={csrf}&source=2&intelligence=B&handling=P");
            }
            if who == "partner" {
                req = req.header("authorization", format!("Bearer {partner_key}"));
            }
            if *method == "POST" || *method == "PUT" {
                req = req.header("content-type", "application/x-www-form-urlencoded");
            }
            let res = app.clone().oneshot(req.body(Body::from(body)).unwrap()).await.unwrap();
            let location = res.headers().get("location").and_then(|v| v.to_str().ok()).map(str::to_owned);
            let got = classify(path, res.status(), location.as_deref());
            let want = if allowed.contains(&who.as_str()) {
                Outcome::Allowed
            } else if session.is_none() || path.starts_with("/api/v1/referrals") {
                // The API knows only partner keys: an officer's session is no key.
                Outcome::SignIn
            } else {
                Outcome::Forbidden
            };
            assert_eq!(got, want, "{method} {path} as {who}: status {}", res.status());
        }
    }
}
