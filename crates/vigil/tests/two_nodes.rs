//! Issue 28, point 2: two `vigil serve` nodes on one PostgreSQL database and
//! one bucket (Garage) behave as one service. Public reports (the form
//! fetched from one node, sent to the other) and partner referrals go to
//! both nodes in turn; an officer signs in on one node (with the other's
//! form) and the session works on the other; an immediate-danger report
//! sent to one node reaches an officer watching the other (PostgreSQL
//! LISTEN/NOTIFY); one node is killed with
//! SIGKILL mid-load; then every acknowledged report is readable from the
//! survivor, and `vigil verify` passes (the log has no fork and no gap).

mod support;

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use support::{csrf_of, enc, http, http_with, ok, receipt_of, Server};
use vigil_vault::BucketLocation;

const PASSWORD: &str = "synthetic two node passphrase";

fn add_officer(data: &std::path::Path) -> Vec<u8> {
    let mut c = support::vigil()
        .arg("--data")
        .arg(data)
        .args(["admin", "user", "add", "tn.officer", "--role", "triage-officer", "--by", "ADM1"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(c.stdin.take().unwrap(), "{PASSWORD}").unwrap();
    let out = c.wait_with_output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let secret = text.lines().find_map(|l| l.split_once("authenticator app): ").map(|(_, s)| s.trim())).unwrap();
    vigil_core::base32_decode(secret).unwrap()
}

/// Signs in: the form from `form_node`, the answer to `post_node`.
fn sign_in(form_node: &str, post_node: &str, secret: &[u8]) -> String {
    let (_, page) = http(form_node, "GET", "/login", None, b"").unwrap();
    let token = csrf_of(&page).unwrap();
    let code = format!("{:06}", vigil_core::totp_code(secret, vigil_core::totp_step(vigil_core::now().unix_millis())));
    let body = format!("csrf={}&username=tn.officer&password={}&code={code}", enc(&token), enc(PASSWORD));
    let ct = [("Content-Type", "application/x-www-form-urlencoded")];
    let (status, head, page) = http_with(post_node, "POST", "/login", &ct, body.as_bytes()).unwrap();
    assert_eq!(status, 303, "sign-in with the other node's form: {page}");
    let cookie = head.lines().find_map(|l| l.strip_prefix("set-cookie: ").or_else(|| l.strip_prefix("Set-Cookie: ")));
    cookie.unwrap().split(';').next().unwrap().to_owned()
}

/// A public report with the form from `form_node`, sent to `post_node`.
fn report(form_node: &str, post_node: &str, account: &str) -> Option<(String, String)> {
    let (_, page) = http(form_node, "GET", "/report", None, b"")?;
    let token = csrf_of(&page)?;
    let body = format!(
        "csrf={}&kind=grooming&immediate_danger=no&meeting_planned=no&images_exchanged=no&identifiers=two_node_user&account={}",
        enc(&token),
        enc(account)
    );
    match http(post_node, "POST", "/report", Some("application/x-www-form-urlencoded"), body.as_bytes())? {
        (200, page) => receipt_of(&page),
        _ => None,
    }
}

fn referral(node: &str, key: &str, n: usize) -> Option<String> {
    let body = format!(
        r#"{{"incident":{{"kind":"grooming","summary":"SYNTHETIC TEST: two-node referral {n}","platform":"ExampleChat",
            "immediate_danger":false,"meeting_planned":false,"images_exchanged":false}},
          "reported_users":[{{"display_name":"synthetic","identifiers":[{{"kind":"username","value":"@two_node_{n}"}}]}}],
          "files":[],"partner_reference":"TN-{n}"}}"#
    );
    let auth = format!("Bearer {key}");
    let idem = format!("two-node-{n}");
    let headers = [("Content-Type", "application/json"), ("Authorization", auth.as_str()), ("Idempotency-Key", &idem)];
    match http_with(node, "POST", "/api/v1/referrals", &headers, body.as_bytes())? {
        (200 | 201, _, body) => {
            let v: serde_json::Value = serde_json::from_str(&body).ok()?;
            Some(v["referral"].as_str()?.to_owned())
        }
        _ => None,
    }
}

#[test]
fn two_nodes_on_one_database_and_one_bucket_behave_as_one_service() {
    let Some(bucket) = BucketLocation::for_tests("two_nodes") else { return };
    let Some((mut pg, url, db)) = support::postgres_database("two_nodes") else { return };
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("node-a"), tmp.path().join("node-b"));
    ok(&a, &["init", "--store", &url, "--vault", &bucket.to_string()]);
    let secret = add_officer(&a);
    let said = ok(&a, &["admin", "partner", "add", "Two Node Partner", "--by", "ADM1"]);
    let key = said.lines().find_map(|l| l.split_once("not stored): ").map(|(_, k)| k.trim().to_owned())).unwrap();
    // The second node's directory: the same keys and settings, as on another host.
    let copied = std::process::Command::new("cp").arg("-a").arg(&a).arg(&b).status().unwrap();
    assert!(copied.success());

    let limits = ["--reports-per-window", "1000000", "--partner-requests-per-window", "1000000"];
    let mut node_a = Server::start(&a, &limits, None);
    let node_b = Server::start(&b, &limits, None);
    let (na, nb) = (node_a.addr.clone(), node_b.addr.clone());

    // A session made on one node works on the other; so does a form.
    let cookie = sign_in(&na, &nb, &secret);
    let (status, _, page) = http_with(&na, "GET", "/queue", &[("Cookie", &cookie)], b"").unwrap();
    assert_eq!(status, 200, "the session from node B on node A: {page}");
    // A form token is spent once across both nodes.
    let (_, page) = http(&na, "GET", "/report", None, b"").unwrap();
    let token = csrf_of(&page).unwrap();
    let body = format!(
        "csrf={}&kind=grooming&immediate_danger=no&meeting_planned=no&images_exchanged=no&identifiers=x&account=SYNTHETIC+replay",
        enc(&token)
    );
    let ct = Some("application/x-www-form-urlencoded");
    assert_eq!(http(&nb, "POST", "/report", ct, body.as_bytes()).unwrap().0, 200);
    let (status, page) = http(&na, "POST", "/report", ct, body.as_bytes()).unwrap();
    assert_eq!(status, 400, "the same form sent to the other node is refused: {page}");
    assert!(page.contains("already been sent"), "{page}");

    // An immediate-danger report sent to node B reaches an officer watching node A.
    let mut events = std::net::TcpStream::connect(&na).unwrap();
    events.set_read_timeout(Some(std::time::Duration::from_secs(20))).unwrap();
    write!(events, "GET /events HTTP/1.1\r\nHost: {na}\r\nCookie: {cookie}\r\nAccept: text/event-stream\r\n\r\n")
        .unwrap();
    let mut heard = String::new();
    let mut buf = [0u8; 4096];
    // The stream's headers first: the officer is listening before the report is sent.
    while !heard.contains("\r\n\r\n") {
        let n = std::io::Read::read(&mut events, &mut buf).unwrap();
        assert!(n > 0, "the event stream closed: {heard}");
        heard.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    assert!(heard.starts_with("HTTP/1.1 200"), "{heard}");
    let danger = format!(
        "csrf={}&kind=grooming&immediate_danger=yes&meeting_planned=yes&images_exchanged=no&identifiers=two_node_danger&account=SYNTHETIC+TEST+danger",
        enc(&csrf_of(&http(&nb, "GET", "/report", None, b"").unwrap().1).unwrap())
    );
    let (status, page) = http(&nb, "POST", "/report", ct, danger.as_bytes()).unwrap();
    assert_eq!(status, 200, "{page}");
    let started = std::time::Instant::now();
    while !heard.contains("event: immediate-danger") {
        assert!(started.elapsed() < std::time::Duration::from_secs(20), "no alert reached node A: {heard}");
        let n = std::io::Read::read(&mut events, &mut buf).unwrap();
        assert!(n > 0, "the event stream closed: {heard}");
        heard.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    drop(events);

    // Load on both nodes; node A is killed in the middle of it.
    let receipts: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let referrals: Arc<Mutex<Vec<String>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..4)
        .map(|c: usize| {
            let (na, nb, key) = (na.clone(), nb.clone(), key.clone());
            let (receipts, referrals, stop) = (receipts.clone(), referrals.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut i = 0usize;
                while !stop.load(Ordering::Relaxed) {
                    // Alternate nodes, as a load balancer would; a node that
                    // does not answer simply gives no acknowledgement.
                    let (x, y) = if i.is_multiple_of(2) { (&na, &nb) } else { (&nb, &na) };
                    // The form from one node and the answer to the other;
                    // when either does not answer, the client tries again
                    // on one node alone, as a balancer that has noticed.
                    if c.is_multiple_of(2) {
                        let account = format!("SYNTHETIC TEST: two-node client {c}, report {i}.");
                        let got = report(x, y, &account)
                            .or_else(|| report(y, y, &account))
                            .or_else(|| report(x, x, &account));
                        if let Some(r) = got {
                            receipts.lock().unwrap().push(r);
                        }
                    } else {
                        // The same Idempotency-Key on the retry: at most one referral.
                        let n = c * 1_000_000 + i;
                        if let Some(r) = referral(y, &key, n).or_else(|| referral(x, &key, n)) {
                            referrals.lock().unwrap().push(r);
                        }
                    }
                    i += 1;
                }
            })
        })
        .collect();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    node_a.kill(); // SIGKILL
    let at_kill = (receipts.lock().unwrap().len(), referrals.lock().unwrap().len());
    std::thread::sleep(std::time::Duration::from_millis(1000));
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.join().unwrap();
    }
    let receipts = receipts.lock().unwrap().clone();
    let referrals = referrals.lock().unwrap().clone();
    eprintln!(
        "{} receipts and {} referrals acknowledged ({at_kill:?} when node A was killed)",
        receipts.len(),
        referrals.len()
    );
    assert!(at_kill.0 > 0 && at_kill.1 > 0, "both kinds were acknowledged before the kill");
    assert!(receipts.len() > at_kill.0 && referrals.len() > at_kill.1, "the survivor went on taking work");

    // Every acknowledged report is there on the survivor.
    for (code, secret) in &receipts {
        let (_, form) = http(&nb, "GET", "/report/add", None, b"").unwrap();
        let token = csrf_of(&form).unwrap();
        let body =
            format!("csrf={}&code={}&secret={}&text=checked+on+the+survivor", enc(&token), enc(code), enc(secret));
        let (status, page) = http(&nb, "POST", "/report/add", ct, body.as_bytes()).unwrap();
        assert_eq!(status, 200, "receipt {code} was shown but the survivor does not know it: {page}");
    }
    let listed: Vec<serde_json::Value> = serde_json::from_str(&ok(&b, &["--json", "exhibit", "list"])).unwrap();
    let known: std::collections::HashSet<&str> = listed.iter().filter_map(|e| e["reference"].as_str()).collect();
    for r in &referrals {
        assert!(known.contains(r.as_str()), "referral {r} was acknowledged but is not on the survivor");
    }
    let (status, _, _) = http_with(&nb, "GET", "/queue", &[("Cookie", &cookie)], b"").unwrap();
    assert_eq!(status, 200, "the session outlives the node that made it");
    drop(node_b);
    let v = ok(&b, &["verify"]);
    assert!(v.contains("OK"), "{v}");
    pg.batch_execute(&format!("DROP DATABASE {db} WITH (FORCE)")).unwrap();
}
