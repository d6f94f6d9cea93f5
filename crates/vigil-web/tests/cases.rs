//! The case pages on the seeded DEMO-1 case: need-to-know (an unassigned
//! investigator gets 404, not 403, and the attempt is audited), the exhibit
//! list and schedules, downloads, and the decision log form.

mod support;

use support::{b32decode, call, demo_secret, get, keep_for_screenshot, seeded_demo, session};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use vigil_core::Vigil;
use vigil_domain::{Actor, Role};

const PW: &str = "correct horse battery staple";

#[tokio::test]
async fn need_to_know_and_the_case_pages() {
    let (_d, data, demo) = seeded_demo();
    let secret = |name: &str| demo_secret(&demo, name);
    let mut v = Vigil::open(&data).unwrap();
    let adm = Actor::parse("ADM").unwrap();
    let outsider = b32decode(&v.add_user("x.investigator", Role::Investigator, PW, &adm).unwrap().secret_base32);
    let auditor = b32decode(&v.add_user("a.auditor", Role::Auditor, PW, &adm).unwrap().secret_base32);
    let (inv, inv_csrf) = session(&mut v, "demo.investigator", vigil_core::DEMO_PASSWORD, &secret("demo.investigator"));
    let (out, _) = session(&mut v, "x.investigator", PW, &outsider);
    let (aud, aud_csrf) = session(&mut v, "a.auditor", PW, &auditor);
    let (disc, disc_csrf) = session(&mut v, "demo.disclosure", vigil_core::DEMO_PASSWORD, &secret("demo.disclosure"));
    let app = vigil_web::app(v);

    // Assigned: the case, its exhibit list and its schedules.
    let (s, _, html) = call(&app, get("/cases/DEMO-1", &inv)).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("Operation Lantern"), "{html}");
    assert!(
        html.contains("WARNING: graded B (corroborated), but the corroborating source is not recorded"),
        "the wrong-person warning is shown: {html}"
    );
    assert!(html.contains("Possibly the wrong person"), "and the flag, in words");
    assert!(html.contains("Alternatives considered"), "the decision log shows alternatives");
    assert!(html.contains("<dt>URN</dt><dd>99XX0000126</dd>"), "the case heads with its URN");
    assert!(html.contains("R v "), "and the defendants");
    let (s, _, html) = call(&app, get("/cases/DEMO-1/exhibits", &inv)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("PR/1") && html.contains("DI/1") && html.contains("SHA-256"), "{html}");
    // Issue 25, point 12: the MG12 lists used material only; the register of
    // everything held is apart from it.
    let mg12 = html.split("id=\"mg12\"").nth(1).unwrap().split("id=\"held\"").next().unwrap();
    assert!(mg12.contains("DI/1") && !mg12.contains("PR/1") && !mg12.contains("DI/2"), "{mg12}");
    let (s, _, html) = call(&app, get("/cases/DEMO-1/schedules", &inv)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("MG6C") && html.contains("Household statement") && html.contains("would identify the reporter")
    );
    let (s, h, body) = call(&app, get("/cases/DEMO-1/schedules/MG6C.csv", &inv)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(h["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert!(body.starts_with("No.,Description"));
    let (s, h, _) = call(&app, get("/cases/DEMO-1/schedules/MG6C.pdf", &inv)).await;
    assert_eq!((s, h["content-type"].to_str().unwrap()), (StatusCode::OK, "application/pdf"));
    assert_eq!(call(&app, get("/cases/DEMO-1/schedules/secret.txt", &inv)).await.0, StatusCode::NOT_FOUND);
    let (s, h, _) = call(&app, get("/cases/DEMO-1/labels.pdf", &inv)).await;
    assert_eq!((s, h["content-type"].to_str().unwrap()), (StatusCode::OK, "application/pdf"));
    assert_eq!(call(&app, get("/cases/DEMO-1/labels.pdf", &out)).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        call(&app, get("/figures", &inv)).await.0,
        StatusCode::FORBIDDEN,
        "figures are for supervisors and auditors"
    );
    let (_, _, html) = call(&app, get("/cases", &inv)).await;
    assert!(html.contains("/cases/DEMO-1"));

    // Not assigned: 404 on every case page, the same as a case that does not exist.
    for path in [
        "/cases/DEMO-1",
        "/cases/DEMO-1/exhibits",
        "/cases/DEMO-1/schedules",
        "/cases/DEMO-1/timeline",
        "/cases/DEMO-1/schedules/MG6C.pdf",
    ] {
        let (s, _, html) = call(&app, get(path, &out)).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}: {html}");
        assert!(html.contains("case DEMO-1 does not exist"), "{html}");
    }
    assert_eq!(call(&app, get("/cases/NO-SUCH-CASE", &inv)).await.0, StatusCode::NOT_FOUND);
    assert_eq!(call(&app, get("/cases/..%2F..", &inv)).await.0, StatusCode::NOT_FOUND);
    let (_, _, html) = call(&app, get("/cases", &out)).await;
    assert!(!html.contains("DEMO-1"), "the case is not even listed");
    // Anonymous: sign in first.
    let r = call(&app, Request::get("/cases/DEMO-1").body(Body::empty()).unwrap()).await;
    assert_eq!(r.1.get("location").map(|l| l.to_str().unwrap()), Some("/login"));

    // The auditor reads, and sees the team's figures, but cannot record.
    let (s, _, html) = call(&app, get("/figures", &aud)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Children safeguarded</td><td>1"), "{html}");
    assert_eq!(call(&app, get("/cases/DEMO-1/timeline", &aud)).await.0, StatusCode::OK);
    let post = |cookie: &str, csrf: &str| {
        Request::post("/cases/DEMO-1/records/decision")
            .header("cookie", cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(format!(
                "csrf={csrf}&decision=Interview+under+caution&reason=corroborated&alternatives=Wait"
            )))
            .unwrap()
    };
    assert_eq!(call(&app, post(&aud, &aud_csrf)).await.0, StatusCode::FORBIDDEN);
    assert_eq!(call(&app, post(&inv, "forged")).await.0, StatusCode::FORBIDDEN);
    assert!(call(&app, post(&inv, &inv_csrf)).await.0.is_redirection());
    let (_, _, html) = call(&app, get("/cases/DEMO-1", &inv)).await;
    assert!(html.contains("Decided: Interview under caution"), "{html}");

    // Records through the forms: refused with a reason where the library refuses them.
    let form = |cookie: &str, kind: &str, body: String| {
        Request::post(format!("/cases/DEMO-1/records/{kind}"))
            .header("cookie", cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap()
    };
    let r =
        call(&app, form(&inv, "person", format!("csrf={inv_csrf}&name=Second+Person+%28fictional%29&role=suspect")))
            .await;
    assert!(r.0.is_redirection(), "{}", r.2);
    let (s, _, html) = call(
        &app,
        form(&inv, "attribution", format!("csrf={inv_csrf}&person=5&identifier=x&supporting=&grade=2/B/P&reason=r")),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{html}");
    assert!(html.contains("supporting"), "{html}");
    let (s, _, html) =
        call(&app, form(&inv, "flag", format!("csrf={inv_csrf}&person=abc&flag=vulnerable-adult&reason=r"))).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(html.contains("person: give a record number"), "{html}");
    assert_eq!(call(&app, form(&inv, "no-such-kind", format!("csrf={inv_csrf}"))).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        call(&app, form(&out, "note", "csrf=x&text=hello".into())).await.0,
        StatusCode::FORBIDDEN,
        "forged CSRF first"
    );

    // Redaction through the schedules page: the disclosure officer only; the original is untouched.
    let v2 = Vigil::open(&data).unwrap();
    let before = v2.exhibit(&vigil_domain::ExhibitRef::parse("DI/1").unwrap()).unwrap().sha256;
    drop(v2);
    let redact = |cookie: &str, csrf: &str, terms: &str| {
        Request::post("/cases/DEMO-1/redactions")
            .header("cookie", cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(format!("csrf={csrf}&original=DI/1&terms={terms}&reason=third+party&producer=DD")))
            .unwrap()
    };
    assert_eq!(
        call(&app, redact(&inv, &inv_csrf, "demo_user_a")).await.0,
        StatusCode::FORBIDDEN,
        "investigators do not redact"
    );
    assert!(call(&app, redact(&disc, &disc_csrf, "demo_user_a")).await.0.is_redirection());
    let (s, _, html) = call(&app, redact(&disc, &disc_csrf, "no+such+words")).await;
    assert_eq!(s, StatusCode::CONFLICT, "a refusal by rule, not malformed input");
    assert!(html.contains("none of the terms occurs"), "{html}");
    let v2 = Vigil::open(&data).unwrap();
    assert_eq!(v2.exhibit(&vigil_domain::ExhibitRef::parse("DI/1").unwrap()).unwrap().sha256, before);
    assert!(v2.exhibit(&vigil_domain::ExhibitRef::parse("DD/2").unwrap()).is_ok(), "the second redacted copy");
    drop(v2);

    // The refused attempts are audited, on the case's timeline.
    let (_, _, html) = call(&app, get("/cases/DEMO-1/timeline", &aud)).await;
    assert!(html.contains("access-refused") && html.contains("x.investigator"), "{html}");
    assert!(html.contains("viewed the case page"), "reads are on the timeline too");
}

/// Issue 12, point 1, and issue 25, points 2, 3, 5 and 7: the prosecutor
/// works from what was revealed (never the case page or its exhibit list):
/// inspects items of a revealed version (each read recorded), asks to
/// inspect ("I", a task for the disclosure officer), decides, sees pending
/// amendments as pending, and serves; service is refused while an item is
/// awaiting inspection or anything is pending. The disclosure officer
/// reveals a new version from the schedules page.
#[tokio::test]
async fn the_prosecutor_works_from_revealed_versions_and_serves() {
    let (_d, data, demo) = seeded_demo();
    let secret = |name: &str| demo_secret(&demo, name);
    let mut v = Vigil::open(&data).unwrap();
    let (cps, cps_csrf) = session(&mut v, "demo.prosecutor", vigil_core::DEMO_PASSWORD, &secret("demo.prosecutor"));
    let (disc, disc_csrf) = session(&mut v, "demo.disclosure", vigil_core::DEMO_PASSWORD, &secret("demo.disclosure"));
    let do_session = vigil_core::OfficerSession {
        username: "demo.disclosure".into(),
        role: Role::DisclosureOfficer,
        csrf: String::new(),
    };
    let case = vigil_domain::CaseId::parse("DEMO-1").unwrap();
    let live = v.schedules(&case, &do_session).unwrap();
    let alibi = live.mg6c.iter().find(|l| l.item == "exhibit:DI/2").unwrap().record;
    let app = vigil_web::app(v);
    for path in ["/cases/DEMO-1", "/cases/DEMO-1/exhibits", "/cases/DEMO-1/timeline", "/cases/DEMO-1/ledger"] {
        let (s, _, _) = call(&app, get(path, &cps)).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{path} is not the prosecutor's");
    }
    let (_, _, html) = call(&app, get("/cases", &cps)).await;
    assert!(
        html.contains("href=\"/cases/DEMO-1/schedules\""),
        "the prosecutor's case list leads to the workspace: {html}"
    );
    let (s, _, html) = call(&app, get("/cases/DEMO-1/schedules", &cps)).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("Prosecutor&#39;s workspace") || html.contains("Prosecutor's workspace"), "{html}");
    assert!(html.contains("working on version 3"), "{html}");
    assert!(html.contains("None: the schedules stand as revealed"), "{html}");
    assert!(html.contains("Disclosure management, lines of inquiry, redactions and reviews"), "{html}");
    assert!(
        html.contains("Redaction log: DD/1 is a redacted copy of DI/3") && html.contains("07700 900123 (1×)"),
        "{html}"
    );
    assert!(html.contains("the tablet is shared"), "the defence statement and its review are shown: {html}");
    assert!(!html.contains("Redact an exhibit") && !html.contains("Reveal to the prosecutor"), "{html}");
    assert!(html.contains("action=\"/cases/DEMO-1/records/prosecutor-decision\""), "{html}");
    assert!(html.contains("action=\"/cases/DEMO-1/serve\""), "{html}");

    // Inspection of an item of the version: its content, the read recorded.
    let (s, _, html) = call(&app, get("/cases/DEMO-1/inspect?item=exhibit%3ADI%2F3", &cps)).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("I told my mum"), "the phone's export, as inspected: {html}");
    // An item on no version (a redacted copy) answers as one that does not exist.
    let (s, _, _) = call(&app, get("/cases/DEMO-1/inspect?item=exhibit%3ADD%2F1", &cps)).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, _, timeline) = call(&app, get("/cases/DEMO-1/timeline", &disc)).await;
    assert!(timeline.contains("inspected exhibit:DI/3 for disclosure"), "the inspection is in the log");
    assert!(timeline.contains("asked to inspect exhibit:DD/1"), "the refused attempt is in the log");

    let post = |path: &str, cookie: &str, body: String| {
        Request::post(path)
            .header("cookie", cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap()
    };
    let decide = |item: &str, decision: &str, extra: &str| {
        post(
            "/cases/DEMO-1/records/prosecutor-decision",
            &cps,
            format!("csrf={cps_csrf}&item={item}&decision={decision}&reason=reviewed{extra}"),
        )
    };
    // "I" on an MG6D item is the prosecutor's request to inspect: a task
    // for the disclosure officer; service waits for the decision after it.
    let (s, h, msg) = call(&app, decide("exhibit%3APR%2F1", "inspect", "")).await;
    assert!(s.is_redirection(), "{s} {msg}");
    assert_eq!(h.get("location").unwrap(), "/cases/DEMO-1/schedules");
    let (_, _, case_page) = call(&app, get("/cases/DEMO-1", &disc)).await;
    assert!(case_page.contains("The prosecutor asks to inspect exhibit:PR/1"), "a task for the disclosure officer");
    let serve = |letter: &str| post("/cases/DEMO-1/serve", &cps, format!("csrf={cps_csrf}&letter={letter}"));
    let (s, _, msg) = call(&app, serve("s.3+letter")).await;
    assert_ne!(s, StatusCode::SEE_OTHER, "{msg}");
    assert!(
        msg.contains("awaiting the prosecutor&#39;s inspection")
            || msg.contains("awaiting the prosecutor's inspection"),
        "{msg}"
    );
    // A CND on the first account (presumed to meet the test) needs its rebuttal.
    let (s, _, msg) = call(&app, decide("exhibit%3APR%2F1", "clearly-not-disclosable", "")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{msg}");
    assert!(msg.contains("rebuttal"), "{msg}");
    let (s, _, msg) =
        call(&app, decide("exhibit%3APR%2F1", "clearly-not-disclosable", "&rebuttal=only+the+reporter%27s+identity"))
            .await;
    assert!(s.is_redirection(), "{s} {msg}");

    // The disclosure officer re-describes an item: pending for the
    // prosecutor, never merged in; their decision on it still shows.
    let amend = format!(
        "csrf={disc_csrf}&item=exhibit%3ADI%2F2&schedule=MG6C&description=Household+statement+%28amended%29\
         &location=Vigil+vault&sensitivity=&prosecutor=disclose&reason=re-described&category=previous-account\
         &rebuttal=&amends={alibi}"
    );
    let (s, _, msg) = call(&app, post("/cases/DEMO-1/records/scheduled", &disc, amend)).await;
    assert!(s.is_redirection(), "{s} {msg}");
    let (_, _, html) = call(&app, get("/cases/DEMO-1/schedules", &cps)).await;
    let pending = html.split("id=\"pending\"").nth(1).unwrap().split("id=\"items\"").next().unwrap();
    assert!(pending.contains("exhibit:DI/2") && pending.contains("re-described"), "{pending}");
    let items = html.split("id=\"items\"").nth(1).unwrap().split("id=\"service\"").next().unwrap();
    let di2 = items.split("exhibit:DI/2").nth(2).unwrap_or("");
    assert!(!di2.trim_start().starts_with("</a></td><td>Household statement (amended)"), "the version is as revealed");
    assert!(!items.contains("TO DECIDE"), "every decision on version 3 stands: {items}");
    let (s, _, msg) = call(&app, serve("s.3+letter")).await;
    assert!(msg.contains("changed since version 3 was revealed"), "{s} {msg}");

    // The disclosure officer reveals version 4; the prosecutor may not reveal.
    let reveal = |cookie: &str, csrf: &str| {
        post(
            "/cases/DEMO-1/reveal",
            cookie,
            format!("csrf={csrf}&to=demo.prosecutor&note=household+statement+re-described"),
        )
    };
    assert_eq!(call(&app, reveal(&cps, &cps_csrf)).await.0, StatusCode::FORBIDDEN);
    assert!(call(&app, reveal(&disc, &disc_csrf)).await.0.is_redirection());
    let (_, _, html) = call(&app, get("/cases/DEMO-1/schedules", &cps)).await;
    assert!(html.contains("working on version 4") && html.contains("household statement re-described"), "{html}");
    let items = html.split("id=\"items\"").nth(1).unwrap().split("id=\"service\"").next().unwrap();
    assert_eq!(items.matches("TO DECIDE").count(), 1, "only the re-described line needs a new decision: {items}");
    let (s, _, msg) = call(&app, decide("exhibit%3ADI%2F2", "disclose", "")).await;
    assert!(s.is_redirection(), "{s} {msg}");
    let (s, h, msg) = call(&app, serve("s.3+letter+with+version+4")).await;
    assert!(s.is_redirection(), "{s} {msg}");
    assert_eq!(h.get("location").unwrap(), "/cases/DEMO-1/schedules#service");
    let (_, _, html) = call(&app, get("/cases/DEMO-1/schedules", &cps)).await;
    let service = html.split("id=\"service\"").nth(1).unwrap().split("id=\"dmd\"").next().unwrap();
    assert!(service.contains("Version 4") && service.contains("s.3 letter with version 4"), "{service}");
    keep_for_screenshot(&app, "prosecutor-workspace.html", &html).await;
    let (s, _, ledger) = call(&app, get("/cases/DEMO-1/ledger", &disc)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(ledger.contains("none unaccounted for") && ledger.contains("exhibit:DI/3"), "{ledger}");
    keep_for_screenshot(&app, "disclosure-ledger.html", &ledger).await;

    // Every version is the CPS's: the prosecutor reaches each one.
    let (_, _, html) = call(&app, get("/cases/DEMO-1/schedules", &cps)).await;
    assert!(html.contains("href=\"/cases/DEMO-1/schedules/versions/1\""), "the versions are listed");
    let (s, _, html) = call(&app, get("/cases/DEMO-1/schedules/versions/1", &cps)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Schedules version 1 as revealed"), "{html}");
    let mg6c_v1 = html.split("id=\"mg6d\"").next().unwrap();
    assert!(mg6c_v1.contains("Officer note of a family request"), "version 1 had the family note on the MG6C");
    // Issue 25: a version shows what was added, moved or re-described since the one before.
    let (_, _, v2) = call(&app, get("/cases/DEMO-1/schedules/versions/2", &cps)).await;
    let changes = v2.split("id=\"changes\"").nth(1).unwrap().split("id=\"mg6c\"").next().unwrap();
    assert!(changes.contains("moved") && changes.contains("MG6C 13 → MG6D 8"), "{changes}");
    let (s, h, csv) = call(&app, get("/cases/DEMO-1/schedules/versions/1/MG6E.csv", &cps)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(h.get("content-disposition").unwrap().to_str().unwrap().contains("DEMO-1-v1-MG6E.csv"));
    assert!(csv.contains("schedules version 1 revealed to demo.prosecutor"), "{csv}");
    for missing in ["/cases/DEMO-1/schedules/versions/9", "/cases/DEMO-1/schedules/versions/x"] {
        assert_eq!(call(&app, get(missing, &cps)).await.0, StatusCode::NOT_FOUND, "{missing}");
    }
    let (_, _, timeline) = call(&app, get("/cases/DEMO-1/timeline", &disc)).await;
    assert!(
        timeline.contains("access-refused") && timeline.contains("viewed version 9 of the schedules as revealed"),
        "the prosecutor's attempt at a version never revealed is recorded"
    );
    // An MG6E entry made after version 4 is on the live MG6E only.
    let r = call(
        &app,
        post(
            "/cases/DEMO-1/records/disclosure-test",
            &disc,
            format!("csrf={disc_csrf}&item=exhibit%3ADI%2F2&reason=LATER-ENTRY-AFTER-VERSION-4"),
        ),
    )
    .await;
    assert!(r.0.is_redirection(), "{}", r.2);
    let (_, _, live) = call(&app, get("/cases/DEMO-1/schedules/MG6E.csv", &disc)).await;
    assert!(live.contains("LATER-ENTRY-AFTER-VERSION-4"));
    for (who, path) in [
        (&cps, "/cases/DEMO-1/schedules/MG6E.csv"),
        (&disc, "/cases/DEMO-1/schedules/versions/4/MG6E.csv"),
        (&cps, "/cases/DEMO-1/schedules/versions/4/MG6E.csv"),
    ] {
        let (s, _, csv) = call(&app, get(path, who)).await;
        assert_eq!(s, StatusCode::OK, "{path}");
        assert!(!csv.contains("LATER-ENTRY-AFTER-VERSION-4"), "{path} is as revealed");
        assert!(csv.contains("might undermine"), "{path} keeps the entries revealed");
    }
}

/// Issue 25, point 1: the ledger page names what is unaccounted for and
/// accounts for it from a form filled in as proposed; "not relevant" is
/// refused for material presumed to meet the test.
#[tokio::test]
async fn the_ledger_names_what_is_unaccounted_for_and_accounts_for_it() {
    let (d, data, demo) = seeded_demo();
    let secret = |name: &str| demo_secret(&demo, name);
    let mut v = Vigil::open(&data).unwrap();
    let late = d.path().join("late.txt");
    std::fs::write(&late, "SYNTHETIC DEMO: a statement that arrived late").unwrap();
    let case = vigil_domain::CaseId::parse("DEMO-1").unwrap();
    let added =
        v.add_exhibit(&late, &case, &vigil_domain::Initials::parse("DI").unwrap(), Some("late statement")).unwrap();
    let item = format!("exhibit:{}", added.reference);
    let (disc, csrf) = session(&mut v, "demo.disclosure", vigil_core::DEMO_PASSWORD, &secret("demo.disclosure"));
    let app = vigil_web::app(v);
    let (s, _, html) = call(&app, get("/cases/DEMO-1/ledger", &disc)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("1 UNACCOUNTED FOR") && html.contains(&format!("<summary>{item}: late statement")), "{html}");
    keep_for_screenshot(&app, "disclosure-ledger-unaccounted.html", &html).await;
    let post = |path: &str, body: String| {
        Request::post(path)
            .header("cookie", &disc)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap()
    };
    let enc = |s: &str| support::enc(s);
    let (s, _, msg) = call(
        &app,
        post(
            "/cases/DEMO-1/records/not-relevant",
            format!("csrf={csrf}&return_to=ledger&item={}&category=previous-account&reason=no+bearing", enc(&item)),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{msg}");
    assert!(msg.contains("presumed to meet the test"), "{msg}");
    let body = format!(
        "csrf={csrf}&return_to=ledger&item={}&schedule=MG6C&description=Late+statement&location=Vigil+vault\
         &sensitivity=&category=previous-account&prosecutor=disclose&reason=bears+on+the+issues&rebuttal=",
        enc(&item)
    );
    let (s, h, msg) = call(&app, post("/cases/DEMO-1/records/scheduled", body)).await;
    assert!(s.is_redirection(), "{s} {msg}");
    assert_eq!(h.get("location").unwrap(), "/cases/DEMO-1/ledger");
    let (_, _, html) = call(&app, get("/cases/DEMO-1/ledger", &disc)).await;
    assert!(html.contains("none unaccounted for"), "{html}");
}
