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

fn ffmpeg(args: &[&str]) -> bool {
    let ok = std::process::Command::new("ffmpeg").args(["-nostdin", "-v", "error", "-y"]).args(args).status();
    match ok {
        Ok(s) => s.success(),
        Err(_) => {
            assert_ne!(std::env::var("CI").as_deref(), Ok("true"), "FFmpeg is required in CI (.ci/run installs it)");
            eprintln!("skipped: ffmpeg not found (apt-get install ffmpeg)");
            false
        }
    }
}

#[tokio::test]
async fn a_comparison_is_a_report_on_both_recordings_with_frames_on_request() {
    let d = tempfile::tempdir().unwrap();
    // 30 s of a slowly turning Mandelbrot zoom, and a "posted" version
    // with 10–18 s cut out, smaller and at another frame rate.
    let orig = d.path().join("livestream.mp4");
    let posted = d.path().join("posted.mp4");
    let src = "mandelbrot=size=320x240:rate=30:end_pts=1600:start_x=-0.743643887037151:start_y=0.13182590420533";
    if !ffmpeg(&[
        "-f",
        "lavfi",
        "-t",
        "30",
        "-i",
        src,
        "-vf",
        "rotate=a=0.05*t:c=gray",
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-pix_fmt",
        "yuv420p",
        orig.to_str().unwrap(),
    ]) {
        return;
    }
    assert!(ffmpeg(&[
        "-i", orig.to_str().unwrap(), "-filter_complex",
        "[0:v]trim=0:10,setpts=PTS-STARTPTS[a];[0:v]trim=18:30,setpts=PTS-STARTPTS[b];[a][b]concat=n=2:v=1:a=0,scale=240:180,fps=25[v]",
        "-map", "[v]", "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", posted.to_str().unwrap(),
    ]));
    let data = d.path().join("data");
    Vigil::init(&data, None).unwrap();
    let mut v = Vigil::open(&data).unwrap();
    let adm = Actor::parse("ADM").unwrap();
    let secret = b32decode(&v.add_user("i.inv", Role::Investigator, PW, &adm).unwrap().secret_base32);
    let other = b32decode(&v.add_user("x.inv", Role::Investigator, PW, &adm).unwrap().secret_base32);
    let officer =
        vigil_core::OfficerSession { username: "i.inv".into(), role: Role::Investigator, csrf: String::new() };
    let case = vigil_domain::CaseId::parse("INC-0415").unwrap();
    let confrontation = vigil_domain::CaseRecord::Confrontation {
        place: "Retail park (SYNTHETIC)".into(),
        present: vec!["the man".into()],
        crowd: false,
        stream_live: true,
        group: None,
        suspect: None,
        self_harm_risk: vigil_domain::RiskLevel::Low,
        welfare_check: "Spoke with him; no concerns raised.".into(),
        referral: None,
        handed_over: Some("to his brother".into()),
        family: "none present".into(),
    };
    v.open_incident(&case, "Confrontation (SYNTHETIC)", &confrontation, &officer).unwrap();
    let gr = vigil_domain::Initials::parse("GR").unwrap();
    let a = v.add_exhibit(&orig, &case, &gr, Some("unedited livestream recording")).unwrap().reference;
    let b = v.add_exhibit(&posted, &case, &gr, Some("version posted by the group")).unwrap().reference;
    let (inv, csrf) = session(&mut v, "i.inv", &secret);
    let (out, out_csrf) = session(&mut v, "x.inv", &other);
    let app = vigil_web::app(v);

    let fields = [("original", a.to_string()), ("edited", b.to_string()), ("producer", "IV".to_string())];
    let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    // Need-to-know: an officer not on the case is answered as if it did not exist.
    let mut fo = f.clone();
    fo.push(("csrf", &out_csrf));
    assert_eq!(call(&app, post("/cases/INC-0415/comparisons", &out, &fo)).await.0, StatusCode::NOT_FOUND);
    let mut fi = f.clone();
    fi.push(("csrf", &csrf));
    let (s, h, html) = call(&app, post("/cases/INC-0415/comparisons", &inv, &fi)).await;
    assert!(s.is_redirection(), "{s} {html}");
    let page = h["location"].to_str().unwrap().to_string();
    let (s, _, html) = call(&app, get(&page, &inv)).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("1 cut(s)") && html.contains("0 insertion(s)"), "{html}");
    assert!(html.contains("<svg class=\"strip\""), "{html}");
    // No frame is shown until asked for.
    assert!(!html.contains("/frame?"), "{html}");
    let (_, _, shown) = call(&app, get(&format!("{page}?show=m0"), &inv)).await;
    assert!(shown.contains("img class=\"blurred\"") && shown.contains("/frame?side=original"), "{shown}");
    keep_for_screenshot(&app, "video-comparison.html", &shown).await;
    let src = shown.split("/frame?side=original&amp;t=").nth(1).unwrap().split('"').next().unwrap().to_string();
    let (s, h, png) = call(&app, get(&format!("{page}/frame?side=original&t={src}"), &inv)).await;
    assert_eq!((s, h["content-type"].to_str().unwrap()), (StatusCode::OK, "image/png"));
    assert!(png.len() > 100);
    let (_, _, case_html) = call(&app, get("/cases/INC-0415", &inv)).await;
    assert!(case_html.contains(&format!("{page}\"")) || case_html.contains(&page), "{case_html}");
}
