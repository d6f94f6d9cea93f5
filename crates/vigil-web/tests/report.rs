//! The public form through the real router (no socket): durability before
//! the answer, receipts, CSRF, hostile input, rate limiting, headers.

mod support;

use support::{call, enc};

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use std::net::SocketAddr;
use vigil_core::Vigil;
use vigil_domain::ExhibitRef;

fn setup() -> (tempfile::TempDir, axum::Router) {
    let d = tempfile::tempdir().unwrap();
    Vigil::init(&d.path().join("data"), None).unwrap();
    let app = vigil_web::app(Vigil::open(&d.path().join("data")).unwrap());
    (d, app)
}

async fn token(app: &axum::Router) -> String {
    let (_, _, html) = call(app, Request::get("/report").body(Body::empty()).unwrap()).await;
    let start = html.find("name=\"csrf\" value=\"").unwrap() + 19;
    html[start..start + html[start..].find('"').unwrap()].to_owned()
}

fn form(token: &str, fields: &[(&str, &str)]) -> String {
    let mut s = format!("csrf={}", enc(token));
    for (k, v) in fields {
        s += &format!("&{k}={}", enc(v));
    }
    s
}

const GOOD: &[(&str, &str)] = &[
    ("kind", "grooming"),
    ("immediate_danger", "no"),
    ("meeting_planned", "yes"),
    ("images_exchanged", "no"),
    ("platform", "ExampleChat"),
    ("identifiers", "demo_user_a\nhttps://example.invalid/u/demo"),
    ("account", "SYNTHETIC TEST: an adult account asked a child to move to a private app."),
];

fn post(body: String, ip: &str) -> Request<Body> {
    let mut r = Request::post("/report")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    r.extensions_mut().insert(ConnectInfo(ip.parse::<SocketAddr>().unwrap()));
    r
}

fn exhibits(d: &tempfile::TempDir) -> usize {
    Vigil::open(&d.path().join("data")).unwrap().exhibits().unwrap().len()
}

#[tokio::test]
async fn a_report_is_stored_before_the_receipt_is_shown() {
    let (d, app) = setup();
    let t = token(&app).await;
    let (status, headers, html) = call(&app, post(form(&t, GOOD), "192.0.2.10:5000")).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(headers["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
    assert_eq!(headers["referrer-policy"], "no-referrer");
    let code_at = html.find("VR-").unwrap();
    let code = &html[code_at..code_at + 12];
    let secret_at = html[code_at + 12..].find("class=\"receipt\">").unwrap() + code_at + 12 + 16;
    let secret = &html[secret_at..secret_at + 23];
    let v = Vigil::open(&d.path().join("data")).unwrap();
    assert_eq!(v.check_receipt(code, secret).unwrap(), Some(ExhibitRef::parse("PR/1").unwrap()));
    assert_eq!(v.check_receipt(code, "WRONG-SECRT-00000-00000").unwrap(), None, "a wrong secret opens nothing");
    let h = v.history(&ExhibitRef::parse("PR/1").unwrap()).unwrap();
    assert_eq!(h[0].event.case.as_ref().unwrap().as_str(), "INTAKE-PUBLIC");
    let out = d.path().join("r.json");
    v.get_exhibit(
        &ExhibitRef::parse("PR/1").unwrap(),
        &out,
        "test reads the stored report",
        &vigil_domain::Actor::parse("TEST").unwrap(),
    )
    .unwrap();
    let stored = std::fs::read_to_string(out).unwrap();
    assert!(stored.contains("demo_user_a") && stored.contains("\"immediate_danger\": false"), "{stored}");
    assert!(!stored.contains("192.0.2.10"), "the reporter's address is never stored");
    assert!(v.verify().unwrap().ok());
}

#[tokio::test]
async fn hostile_and_broken_input_gets_a_clear_4xx_and_stores_nothing() {
    let (d, app) = setup();
    // Replayed token.
    let t = token(&app).await;
    assert_eq!(call(&app, post(form(&t, GOOD), "192.0.2.1:1")).await.0, StatusCode::OK);
    let (s, _, html) = call(&app, post(form(&t, GOOD), "192.0.2.1:1")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(html.contains("already been sent"));
    // Forged token.
    let (s, _, _) = call(&app, post(form("123.abc.def", GOOD), "192.0.2.1:1")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    // Missing answers: the error summary names each field.
    let t = token(&app).await;
    let (s, _, html) = call(&app, post(form(&t, &[("kind", "grooming")]), "192.0.2.1:1")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(
        html.contains("There is a problem")
            && html.contains("href=\"#immediate_danger\"")
            && html.contains("href=\"#account\""),
        "{html}"
    );
    // Wrong content type.
    let mut r = Request::post("/report").header("content-type", "application/json").body(Body::from("{}")).unwrap();
    r.extensions_mut().insert(ConnectInfo("192.0.2.1:1".parse::<SocketAddr>().unwrap()));
    assert_eq!(call(&app, r).await.0, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // Oversized body.
    let t = token(&app).await;
    let huge = form(&t, &[("account", &"x".repeat(200_000))]);
    assert_eq!(call(&app, post(huge, "192.0.2.1:1")).await.0, StatusCode::PAYLOAD_TOO_LARGE);
    // Broken UTF-8.
    let t = token(&app).await;
    let (s, _, _) = call(&app, post(format!("csrf={}&account=%FF%FE", enc(&t)), "192.0.2.1:1")).await;
    assert!(s.is_client_error(), "{s}");
    // Control characters.
    let t = token(&app).await;
    let mut bad: Vec<(&str, &str)> = GOOD.to_vec();
    bad.push(("platform", "Example\u{1b}[31mChat"));
    let body = form(&t, &bad).replacen("platform=ExampleChat&", "", 1);
    let (s, _, html) = call(&app, post(body, "192.0.2.1:1")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{html}");
    assert_eq!(exhibits(&d), 1, "only the one good report was stored");
}

/// Waits, if need be, until the current 10-minute rate window has `secs`
/// left, so a test's requests all fall in one window (every node's windows
/// follow the clock, as the shared ones in the store do).
async fn within_one_window(secs: u64) {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let left = 600 - now % 600;
    if left < secs {
        tokio::time::sleep(std::time::Duration::from_secs(left + 1)).await;
    }
}

#[tokio::test]
async fn submissions_are_rate_limited_per_client() {
    within_one_window(20).await;
    let (_d, app) = setup();
    let mut last = StatusCode::OK;
    for _ in 0..21 {
        let t = token(&app).await;
        last = call(&app, post(form(&t, &[("kind", "other")]), "198.51.100.7:9")).await.0;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    let t = token(&app).await;
    assert_eq!(
        call(&app, post(form(&t, GOOD), "198.51.100.8:9")).await.0,
        StatusCode::OK,
        "another client is not limited"
    );
}

/// Two nodes on one PostgreSQL database (issue 28): a client's limit holds
/// across both. A well-formed report of fields alone is counted in the unit
/// that stores it, so the node that refuses it need not have seen the
/// client before; a form that is refused for what it is, or one with
/// files, is counted before its work, in the same window.
#[test]
fn two_nodes_on_one_database_share_each_clients_limit() {
    let admin = std::env::var("VIGIL_TEST_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let (mut pg, db) = match postgres::Client::connect(&admin, postgres::NoTls) {
        Ok(c) => (c, format!("vigil_web_limits_{}", std::process::id())),
        Err(e) if std::env::var("CI").as_deref() != Ok("true") => {
            eprintln!("SKIPPED: shared rate windows: cannot reach {admin}: {e}");
            return;
        }
        Err(e) => panic!("PostgreSQL at {admin} is required in CI: {e}"),
    };
    pg.batch_execute(&format!("DROP DATABASE IF EXISTS {db}")).unwrap();
    pg.batch_execute(&format!("CREATE DATABASE {db}")).unwrap();
    let url = format!("{}/{db}", admin.rsplit_once('/').unwrap().0);
    let d = tempfile::tempdir().unwrap();
    let data = d.path().join("data");
    Vigil::init(&data, Some(&url)).unwrap();
    // The store is opened outside the runtime: its client blocks.
    let (node_a, node_b) = (Vigil::open(&data).unwrap(), Vigil::open(&data).unwrap());
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let settings = || vigil_web::Settings { reports_per_window: 5, ..Default::default() };
        let a = vigil_web::app_with(node_a, settings());
        let b = vigil_web::app_with(node_b, settings());
        within_one_window(30).await;

        // Five reports from one client, three to one node and two to the other.
        for (k, app) in [&a, &b, &a, &b, &a].into_iter().enumerate() {
            let t = token(app).await;
            let (s, _, html) = call(app, post(form(&t, GOOD), "198.51.100.20:1")).await;
            assert_eq!(s, StatusCode::OK, "report {k}: {html}");
        }
        // The sixth: node b has counted three of them itself, the store six.
        let t = token(&b).await;
        let sixth = form(&t, GOOD);
        let (s, _, html) = call(&b, post(sixth.clone(), "198.51.100.20:1")).await;
        assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{html}");
        // Refused for its limit, not stored: the same form is not "already sent".
        let (s, _, html) = call(&a, post(sixth, "198.51.100.20:1")).await;
        assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{html}");
        assert!(html.contains("Too many reports"), "{html}");

        // Forms refused for what they are count too: five with a bad token,
        // then a good one on the other node.
        for _ in 0..5 {
            let (s, _, _) = call(&a, post(form("not-a-token", GOOD), "198.51.100.21:1")).await;
            assert_eq!(s, StatusCode::BAD_REQUEST);
        }
        let t = token(&b).await;
        assert_eq!(call(&b, post(form(&t, GOOD), "198.51.100.21:1")).await.0, StatusCode::TOO_MANY_REQUESTS);

        // A form with files, from a client over its limit on the other node.
        for _ in 0..5 {
            let t = token(&a).await;
            assert_eq!(call(&a, post(form(&t, GOOD), "192.0.2.44:1")).await.0, StatusCode::OK);
        }
        let t = token(&b).await;
        let (ct, body) = multipart(&t, GOOD, &[("chat.txt", "text/plain", b"SYNTHETIC chat\nuser_a: hello\n")]);
        assert_eq!(call(&b, post_multipart(ct, body)).await.0, StatusCode::TOO_MANY_REQUESTS);

        // Another client is not limited.
        let t = token(&a).await;
        assert_eq!(call(&a, post(form(&t, GOOD), "198.51.100.22:1")).await.0, StatusCode::OK);
    });
    drop(rt);
    let v = Vigil::open(&data).unwrap();
    assert_eq!(v.exhibits().unwrap().len(), 11, "five, five and one reports stored, nothing else");
    assert!(v.verify().unwrap().ok());
    drop(v);
    pg.batch_execute(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)")).unwrap();
}

#[tokio::test]
async fn health_and_headers_everywhere() {
    let (_d, app) = setup();
    let (s, h, body) = call(&app, Request::get("/healthz").body(Body::empty()).unwrap()).await;
    assert_eq!((s, body.as_str()), (StatusCode::OK, "ok\n"));
    assert_eq!(h["x-frame-options"], "DENY");
    let (s, h, _) = call(&app, Request::get("/").body(Body::empty()).unwrap()).await;
    assert!(s.is_redirection());
    assert!(h.contains_key("content-security-policy"));
    assert_eq!(call(&app, Request::get("/nope").body(Body::empty()).unwrap()).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        call(&app, Request::get("/events").body(Body::empty()).unwrap()).await.0,
        StatusCode::UNAUTHORIZED,
        "alerts need a session"
    );
}

#[tokio::test]
async fn the_reporter_adds_information_with_code_and_secret_only() {
    let (d, app) = setup();
    let t = token(&app).await;
    let (_, _, html) = call(&app, post(form(&t, GOOD), "192.0.2.20:1")).await;
    let code_at = html.find("VR-").unwrap();
    let code = html[code_at..code_at + 12].to_owned();
    let secret_at = html[code_at + 12..].find("class=\"receipt\">").unwrap() + code_at + 12 + 16;
    let secret = html[secret_at..secret_at + 23].to_owned();
    let add = |token: &str, secret: &str| {
        let mut r = Request::post("/report/add")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(form(
                token,
                &[("code", &code), ("secret", secret), ("text", "They also use the name demo_user_b.")],
            )))
            .unwrap();
        r.extensions_mut().insert(ConnectInfo("192.0.2.20:1".parse::<SocketAddr>().unwrap()));
        r
    };
    let (_, _, page) = call(&app, Request::get("/report/add").body(Body::empty()).unwrap()).await;
    let start = page.find("name=\"csrf\" value=\"").unwrap() + 19;
    let t1 = page[start..start + page[start..].find('"').unwrap()].to_owned();
    let (s, _, body) = call(&app, add(&t1, "WRONG-WRONG-WRONG-WRONG")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(body.contains("do not match a report"), "{body}");
    assert!(!body.contains("demo_user_a"), "nothing about the report is shown back");
    let t2 = token(&app).await;
    let (s, _, body) = call(&app, add(&t2, &secret)).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert!(!body.contains("demo_user_a"));
    let v = Vigil::open(&d.path().join("data")).unwrap();
    assert_eq!(v.exhibits().unwrap().len(), 2);
    let h = v.history(&ExhibitRef::parse("PR/1").unwrap()).unwrap();
    assert!(
        h.iter().any(|e| e.event.note.as_deref().is_some_and(|n| n.contains("PR/2"))),
        "the original's continuity links the addition"
    );
    assert!(v.verify().unwrap().ok());
}

/// A multipart/form-data body with the form's fields and files.
fn multipart(token: &str, fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----vigil-test-boundary-7f3a";
    let mut b = Vec::new();
    let mut add = |head: String, value: &[u8]| {
        b.extend_from_slice(format!("--{boundary}\r\n{head}\r\n\r\n").as_bytes());
        b.extend_from_slice(value);
        b.extend_from_slice(b"\r\n");
    };
    add("Content-Disposition: form-data; name=\"csrf\"".into(), token.as_bytes());
    for (k, v) in fields {
        add(format!("Content-Disposition: form-data; name=\"{k}\""), v.as_bytes());
    }
    for (name, ty, bytes) in files {
        add(
            format!("Content-Disposition: form-data; name=\"attachments\"; filename=\"{name}\"\r\nContent-Type: {ty}"),
            bytes,
        );
    }
    b.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), b)
}

fn post_multipart(ctype: String, body: Vec<u8>) -> Request<Body> {
    let mut r = Request::post("/report").header("content-type", ctype).body(Body::from(body)).unwrap();
    r.extensions_mut().insert(ConnectInfo("192.0.2.44:1".parse::<SocketAddr>().unwrap()));
    r
}

#[tokio::test]
async fn chat_exports_and_pdfs_are_attached_as_exhibits_of_their_own() {
    let (d, app) = setup();
    let t = token(&app).await;
    let chat = b"SYNTHETIC chat export\nuser_a: hello\n";
    let html = b"<!DOCTYPE html><p>SYNTHETIC export</p>";
    let pdf = b"%PDF-1.4\n% synthetic\n";
    let (ct, body) = multipart(
        &t,
        GOOD,
        &[("chat.txt", "text/plain", chat), ("export.html", "text/html", html), ("notes.pdf", "application/pdf", pdf)],
    );
    let (s, _, page) = call(&app, post_multipart(ct, body)).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert!(page.contains("VR-"));
    // The report and its three files: four exhibits, the files linked to the report.
    assert_eq!(exhibits(&d), 4);
    let v = Vigil::open(&d.path().join("data")).unwrap();
    let mut store = vigil_store::open(d.path().join("data/vigil.db").to_str().unwrap()).unwrap();
    let files = store.report_files(&ExhibitRef::parse("PR/1").unwrap()).unwrap();
    assert_eq!(files.len(), 3);
    assert_eq!(files[0].name, "chat.txt");
    assert_eq!(files[2].content_type, "application/pdf");
    let ex = v.exhibit(files[0].exhibit.as_ref().unwrap()).unwrap();
    assert_eq!(ex.size, chat.len() as u64);
    assert!(v.verify().unwrap().ok());
}

#[tokio::test]
async fn images_are_refused_even_disguised_as_text_and_nothing_is_stored() {
    let (d, app) = setup();
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR synthetic";
    for (name, ty, bytes) in [
        ("chat.txt", "text/plain", &png[..]),
        ("photo.jpg", "image/jpeg", &b"not really a jpeg"[..]),
        ("blob.bin", "application/octet-stream", &[0u8, 159, 146, 150][..]),
    ] {
        let t = token(&app).await;
        let (ct, body) = multipart(&t, GOOD, &[("ok.txt", "text/plain", b"fine text"), (name, ty, bytes)]);
        let (s, _, page) = call(&app, post_multipart(ct, body)).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{name}: {page}");
        assert!(page.contains("href=\"#attachments\""), "{page}");
        if name != "blob.bin" {
            assert!(page.contains("Pictures cannot be sent"), "{page}");
        }
    }
    // Too many files.
    let t = token(&app).await;
    let f: &[u8] = b"text";
    let (ct, body) = multipart(
        &t,
        GOOD,
        &[
            ("a.txt", "text/plain", f),
            ("b.txt", "text/plain", f),
            ("c.txt", "text/plain", f),
            ("d.txt", "text/plain", f),
        ],
    );
    assert_eq!(call(&app, post_multipart(ct, body)).await.0, StatusCode::BAD_REQUEST);
    // A file over the size limit.
    let t = token(&app).await;
    let big = vec![b'a'; vigil_domain::MAX_ATTACHMENT_BYTES + 10];
    let (ct, body) = multipart(&t, GOOD, &[("big.txt", "text/plain", &big)]);
    assert_eq!(call(&app, post_multipart(ct, body)).await.0, StatusCode::BAD_REQUEST);
    // A body over the form's limit.
    let t = token(&app).await;
    let huge = vec![b'a'; 17 << 20];
    let (ct, body) = multipart(&t, GOOD, &[("huge.txt", "text/plain", &huge)]);
    assert_eq!(call(&app, post_multipart(ct, body)).await.0, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(exhibits(&d), 0, "nothing half-written is left behind");
}

/// Issue 11, finding 1 (and issue 10): one report naming `http://\u{212A}x`
/// panicked inside the store lock and took the whole service down.
#[tokio::test]
async fn a_kelvin_sign_identifier_fails_alone_and_the_next_report_gets_a_receipt() {
    let (d, app) = setup();
    let mut hostile: Vec<(&str, &str)> = GOOD.iter().filter(|(k, _)| *k != "identifiers").copied().collect();
    hostile.push(("identifiers", "http://\u{212A}x\n\u{0130}@example.com\nHTTP://\u{212A}\u{0130}.example.com/A"));
    let t = token(&app).await;
    let (status, _, html) = call(&app, post(form(&t, &hostile), "192.0.2.30:5000")).await;
    assert!(status == StatusCode::OK || status.is_client_error(), "{status}: {html}");
    let t = token(&app).await;
    let (status, _, html) = call(&app, post(form(&t, GOOD), "192.0.2.31:5000")).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("VR-"), "the next ordinary report gets a receipt");
    let (status, _, _) = call(&app, Request::get("/healthz").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(exhibits(&d) >= 1);
}

/// Issue 10: a panic in one handler, even one holding the store's writer
/// inside a unit of work, answers 500 for that request alone; nothing it
/// half-wrote survives, and the next report, sign-in page and health check
/// are served.
#[tokio::test]
async fn a_panicking_handler_fails_alone() {
    let (d, app) = setup();
    let (status, headers, html) = call(&app, Request::get("/__test/panic").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(html.contains("something went wrong"), "{html}");
    assert!(headers.contains_key("x-request-id"));
    for _ in 0..2 {
        let t = token(&app).await;
        let (status, _, html) = call(&app, post(form(&t, GOOD), "192.0.2.40:5000")).await;
        assert_eq!(status, StatusCode::OK, "{html}");
        assert!(html.contains("VR-"));
    }
    let (status, _, _) = call(&app, Request::get("/healthz").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = call(&app, Request::get("/login").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    let mut store = vigil_store::open(d.path().join("data/vigil.db").to_str().unwrap()).unwrap();
    assert_eq!(store.meta("test-hook").unwrap(), None, "the panicking unit of work was rolled back");
    assert!(Vigil::open(&d.path().join("data")).unwrap().verify().unwrap().ok());
}

/// Issue 12, "the public form asks what a grader and a force need": how the
/// reporter knows, roughly where the child is, whether they are a child,
/// would give a statement, or contacted the person. All optional.
#[tokio::test]
async fn the_optional_questions_are_asked_and_kept() {
    let (d, app) = setup();
    let (_, _, html) = call(&app, Request::get("/report").body(Body::empty()).unwrap()).await;
    for q in ["How do you know about this?", "Roughly where is the child?", "Are you under 18?", "give a statement"] {
        assert!(html.contains(q), "{q}");
    }
    assert!(html.contains("Please do not contact the person"), "the form says plainly not to");
    let t = token(&app).await;
    let mut fields = GOOD.to_vec();
    fields.extend([
        ("how_known", "saw-it-myself"),
        ("child_location", "Exampletown (synthetic)"),
        ("reporter_is_child", "no"),
        ("would_give_statement", "yes"),
        ("contacted_or_posed", "no"),
    ]);
    let (status, _, html) = call(&app, post(form(&t, &fields), "192.0.2.20:5000")).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    // Left unanswered, they are simply absent.
    let t = token(&app).await;
    let (status, _, html) = call(&app, post(form(&t, GOOD), "192.0.2.21:5000")).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let v = Vigil::open(&d.path().join("data")).unwrap();
    let tri = vigil_core::OfficerSession {
        username: "t.tri".into(),
        role: vigil_domain::Role::TriageOfficer,
        csrf: String::new(),
    };
    let (_, first) = v.read_report(&ExhibitRef::parse("PR/1").unwrap(), &tri, "test").unwrap();
    let about: vigil_domain::ReporterAnswers = serde_json::from_value(first["report"]["about"].clone()).unwrap();
    assert_eq!(about.how_known, Some(vigil_domain::HowKnown::SawItMyself));
    assert_eq!(about.how_known.unwrap().suggested_intelligence(), 'A');
    assert_eq!(about.child_location.as_deref(), Some("Exampletown (synthetic)"));
    assert_eq!(
        (about.reporter_is_child, about.would_give_statement, about.contacted_or_posed),
        (Some(false), Some(true), Some(false))
    );
    let (_, second) = v.read_report(&ExhibitRef::parse("PR/2").unwrap(), &tri, "test").unwrap();
    assert!(second["report"].get("about").is_none(), "{second}");
}

fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Write;
    let mut c = std::io::Cursor::new(Vec::new());
    let mut w = zip::ZipWriter::new(&mut c);
    for (n, b) in files {
        w.start_file(*n, zip::write::SimpleFileOptions::default()).unwrap();
        w.write_all(b).unwrap();
    }
    w.finish().unwrap();
    c.into_inner()
}

/// Issue 14: from a WhatsApp zip only `_chat.txt` is kept; its pictures are
/// not, and the reporter is told what was kept and what was not.
#[tokio::test]
async fn a_whatsapp_zip_keeps_only_its_chat_and_the_reporter_is_told() {
    let (d, app) = setup();
    let chat = b"31/12/2023, 23:59 - Messages and calls are end-to-end encrypted.\n31/12/2023, 23:59 - Ann: SYNTHETIC hello\n01/01/2024, 00:01 - Bo: <Media omitted>\n";
    let zipped = zip_of(&[("IMG-20231231-WA0001.jpg", b"\xff\xd8\xff\xe0 synthetic"), ("_chat.txt", chat)]);
    let tg = br#"{"name": "Ann", "type": "personal_chat", "id": 5, "messages": [{"id": 1, "type": "message", "date": "2024-01-01T10:00:00", "date_unixtime": "1704103200", "from": "Ann", "text": "SYNTHETIC hi"}]}"#;
    let t = token(&app).await;
    let (ct, body) = multipart(
        &t,
        GOOD,
        &[("WhatsApp Chat - Ann.zip", "application/zip", &zipped), ("result.json", "application/json", tg)],
    );
    let (s, _, page) = call(&app, post_multipart(ct, body)).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert!(page.contains("From WhatsApp Chat - Ann.zip we kept only the chat, _chat.txt."), "{page}");
    assert!(
        page.contains("1 picture(s) or video(s) in WhatsApp Chat - Ann.zip were not kept: pictures cannot be sent.")
    );
    assert!(page.contains("Kept _chat.txt: a WhatsApp chat export of 3 messages."), "{page}");
    assert!(page.contains("Kept result.json: a Telegram chat export of 1 message."), "{page}");
    // The report and two files; the kept file is the chat text itself, not the zip.
    assert_eq!(exhibits(&d), 3);
    let mut store = vigil_store::open(d.path().join("data/vigil.db").to_str().unwrap()).unwrap();
    let files = store.report_files(&ExhibitRef::parse("PR/1").unwrap()).unwrap();
    assert_eq!((files[0].name.as_str(), files[0].size), ("_chat.txt", chat.len() as u64));

    // A zip with no chat in it is refused, naming the file, and nothing is stored.
    let t = token(&app).await;
    let pictures = zip_of(&[("IMG-1.jpg", b"\xff\xd8\xff\xe0 synthetic")]);
    let (ct, body) = multipart(&t, GOOD, &[("photos.zip", "application/zip", &pictures)]);
    let (s, _, page) = call(&app, post_multipart(ct, body)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(page.contains("photos.zip: The zip holds no WhatsApp chat text (_chat.txt)"), "{page}");
    assert_eq!(exhibits(&d), 3);
}
