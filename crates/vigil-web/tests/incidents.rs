//! Issue 26 in the browser's terms: an activist group's call opened as an
//! incident in one form, the group and its people added on the case page,
//! the group's page with what is still to do, and the repeat-reporter
//! alert for supervisors on the queue.

mod support;

use support::{b32decode, call, enc, keep_for_screenshot};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use vigil_core::Vigil;
use vigil_domain::{Actor, PublicReport, ReportKind, Role};

const PW: &str = "correct horse battery staple";

fn session(v: &mut Vigil, user: &str, secret: &[u8]) -> (String, String) {
    let step = vigil_core::totp_step(vigil_core::now().unix_millis());
    let (token, s) = v.login(user, PW, &format!("{:06}", vigil_core::totp_code(secret, step))).unwrap().unwrap();
    (format!("vigil_session={token}"), s.csrf)
}

fn get(path: &str, cookie: &str) -> Request<Body> {
    Request::get(path).header("cookie", cookie).body(Body::empty()).unwrap()
}

fn post(path: &str, cookie: &str, fields: &[(&str, &str)]) -> Request<Body> {
    let body: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={}", enc(v))).collect();
    Request::post(path)
        .header("cookie", cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body.join("&")))
        .unwrap()
}

#[tokio::test]
async fn an_incident_opened_from_a_call_becomes_a_case_with_its_group() {
    let d = tempfile::tempdir().unwrap();
    let data = d.path().join("data");
    Vigil::init(&data, None).unwrap();
    let mut v = Vigil::open(&data).unwrap();
    let adm = Actor::parse("ADM").unwrap();
    let inv_secret = b32decode(&v.add_user("i.inv", Role::Investigator, PW, &adm).unwrap().secret_base32);
    let sup_secret = b32decode(&v.add_user("s.sup", Role::Supervisor, PW, &adm).unwrap().secret_base32);
    let aud_secret = b32decode(&v.add_user("a.aud", Role::Auditor, PW, &adm).unwrap().secret_base32);
    for contact in ["Group admin 07700 900123", "07700900123", "admin, +44 7700 900 123"] {
        v.submit_public_report(&PublicReport {
            kind: ReportKind::Grooming,
            immediate_danger: false,
            meeting_planned: true,
            images_exchanged: false,
            platform: "ExampleChat".into(),
            identifiers: vec!["target_user".into()],
            child: "decoy said 13".into(),
            dates: "this week".into(),
            account: "SYNTHETIC TEST: the group reports again.".into(),
            contact: Some(contact.into()),
            about: Default::default(),
        })
        .unwrap();
    }
    let (inv, inv_csrf) = session(&mut v, "i.inv", &inv_secret);
    let (sup, _) = session(&mut v, "s.sup", &sup_secret);
    let (aud, aud_csrf) = session(&mut v, "a.aud", &aud_secret);
    let app = vigil_web::app(v);

    let (s, _, html) = call(&app, get("/incidents/new", &inv)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Open the incident") && html.contains("His risk of self-harm"), "{html}");
    keep_for_screenshot(&app, "incident-new.html", &html).await;

    let incident = [
        ("case", "INC-20261206-1912"),
        ("title", "Group confrontation, Example Retail Park"),
        ("place", "Car park, Example Retail Park (SYNTHETIC)"),
        ("present", "the man confronted\nthree members of the group\nhis partner"),
        ("crowd", "yes"),
        ("stream_live", "yes"),
        ("self_harm_risk", "high"),
        ("welfare_check", "Spoke with him apart from the group; he said he had thought of ending it."),
        ("referral", ""),
        ("handed_over", ""),
        ("family", "His partner arrived during the stream; a second unit took her home."),
    ];
    // The auditor cannot open one; a high risk without a referral is refused, naming the field.
    let mut a = incident.to_vec();
    a.push(("csrf", &aud_csrf));
    assert_eq!(call(&app, post("/incidents", &aud, &a)).await.0, StatusCode::FORBIDDEN);
    let mut f = incident.to_vec();
    f.push(("csrf", &inv_csrf));
    let (s, _, html) = call(&app, post("/incidents", &inv, &f)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{html}");
    assert!(html.contains("referral"), "{html}");
    let mut f: Vec<(&str, &str)> = f.into_iter().filter(|(k, _)| *k != "referral").collect();
    f.push(("referral", "street triage nurse, 19:40"));
    let (s, h, html) = call(&app, post("/incidents", &inv, &f)).await;
    assert!(s.is_redirection(), "{s} {html}");
    assert_eq!(h["location"], "/cases/INC-20261206-1912");

    let form = |kind: &str, fields: &[(&str, &str)]| {
        let mut f = fields.to_vec();
        f.push(("csrf", &inv_csrf));
        post(&format!("/cases/INC-20261206-1912/records/{kind}"), &inv, &f)
    };
    for (kind, fields) in [
        (
            "activist-group",
            vec![
                ("name", "Example Hunters (SYNTHETIC)"),
                ("platforms", "ExampleTube live\nExampleBook page"),
                ("police_contact", "Two calls to the force this year; no arrangement of any kind."),
            ],
        ),
        ("person", vec![("name", "Man A"), ("role", "suspect")]),
        ("person", vec![("name", "Decoy B (an adult)"), ("role", "decoy")]),
        (
            "group-member",
            vec![("group", "2"), ("person", "4"), ("role", "decoy"), ("convictions", "Harassment, 2024 (SYNTHETIC)")],
        ),
        (
            "group-request",
            vec![
                ("group", "2"),
                ("requested", "the unedited livestream recording"),
                ("answer", "refused"),
                ("detail", "Asked by phone 20:10; the admin said they only share the posted clip."),
            ],
        ),
        (
            "group-post",
            vec![
                ("group", "2"),
                ("platform", "ExampleBook page"),
                ("posted", "6 Dec 2026 19:30"),
                ("content", "Names the man and his street; says 'we caught him'."),
            ],
        ),
        (
            "group-offence",
            vec![
                ("group", "2"),
                ("offence", "publishing-details"),
                ("inquiry", "The post names his street; his family has been threatened since."),
                (
                    "sequencing",
                    "Charge decision on him first; the group's offences after, to avoid prejudicing either trial.",
                ),
            ],
        ),
    ] {
        let (s, _, html) = call(&app, form(kind, &fields)).await;
        assert!(s.is_redirection(), "{kind}: {s} {html}");
    }
    let (_, _, html) = call(&app, get("/cases/INC-20261206-1912", &inv)).await;
    assert!(html.contains("Charging: a decoy took part") && html.contains("Criminal Attempts Act 1981"), "{html}");
    assert!(html.contains("The confrontation: still owed") && html.contains("handed over"), "{html}");
    assert!(html.contains("witness summons"), "a refusal prompts the summons route: {html}");
    assert!(html.contains("/cases/INC-20261206-1912/groups/2"), "{html}");
    keep_for_screenshot(&app, "incident-case.html", &html).await;

    let (s, _, html) = call(&app, get("/cases/INC-20261206-1912/groups/2", &inv)).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(
        html.contains("Example Hunters")
            && html.contains("Decoy B (an adult)")
            && html.contains("(disclosure material)")
    );
    assert!(html.contains("Attendance of Witnesses") && html.contains("Sequencing"), "{html}");
    keep_for_screenshot(&app, "activist-group.html", &html).await;
    // Need-to-know: the group page answers like any case page.
    assert_eq!(call(&app, get("/cases/INC-20261206-1912/groups/2", &aud)).await.0, StatusCode::OK, "auditors read");
    assert_eq!(call(&app, get("/cases/INC-20261206-1912/groups/3", &inv)).await.0, StatusCode::NOT_FOUND);

    // The supervisor's queue alerts to the repeat reporter; the investigator's does not list them.
    let (_, _, html) = call(&app, get("/queue", &sup)).await;
    assert!(html.contains("Repeat reporters to review") && html.contains("3 reports from the same person"), "{html}");
    keep_for_screenshot(&app, "queue-repeat-reporter.html", &html).await;
}
