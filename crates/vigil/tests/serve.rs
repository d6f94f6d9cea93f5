//! `vigil serve` as operators run it: its logs, and what it refuses to
//! share a data directory with.

mod support;

use support::{http, receipt_of, run, submit_report, Dir, Server};

/// Issue 10: structured logs say what happened to each request, and never
/// what a reporter wrote, named or attached.
#[test]
fn logs_carry_request_lines_but_nothing_a_reporter_sent() {
    let d = Dir::init();
    let log = d.path("serve.log");
    let marker = "MARKER7f3a9c";
    let mut s = Server::start(&d.data(), &["--reports-per-window", "1000"], Some(&log));
    let good = [
        ("kind", "grooming"),
        ("immediate_danger", "no"),
        ("meeting_planned", "no"),
        ("images_exchanged", "no"),
        ("platform", &format!("Platform{marker}") as &str),
        ("identifiers", &format!("{marker}@example.com\nhttps://example.invalid/{marker}\n@{marker}")),
        ("account", &format!("SYNTHETIC TEST {marker}: an adult asked a child to move apps.")),
    ];
    let (status, page) = submit_report(&s.addr, &good).unwrap();
    assert_eq!(status, 200, "{page}");
    let (code, secret) = receipt_of(&page).unwrap();
    // A refused report and an addition carry the marker too.
    let mut bad = good.to_vec();
    bad.retain(|(k, _)| *k != "kind");
    let (status, _) = submit_report(&s.addr, &bad).unwrap();
    assert_eq!(status, 400);
    let (_, form) = http(&s.addr, "GET", "/report/add", None, b"").unwrap();
    let token = support::csrf_of(&form).unwrap();
    let body = format!(
        "csrf={}&code={}&secret={}&text={}",
        support::enc(&token),
        support::enc(&code),
        support::enc(&secret),
        support::enc(&format!("more from {marker}"))
    );
    let (status, _) =
        http(&s.addr, "POST", "/report/add", Some("application/x-www-form-urlencoded"), body.as_bytes()).unwrap();
    assert_eq!(status, 200);
    s.kill();
    let text = std::fs::read_to_string(&log).unwrap();
    eprintln!("{text}");
    assert!(text.contains("route=/report") && text.contains("status=200"), "request lines are logged:\n{text}");
    assert!(text.contains("request="), "{text}");
    assert!(!text.contains(marker), "a reporter's words reached the log:\n{text}");
    assert!(!text.contains("127.0.0.1:"), "a client address reached the log:\n{text}");
}

/// Issue 10, point 6: `keys rotate` under a running server once left the
/// server sealing new reports under the retired key (unreadable after a
/// restart). Now the rotation refuses, and reports stay readable.
#[test]
fn a_rotation_is_refused_while_serving() {
    let d = Dir::init();
    let mut s = Server::start(&d.data(), &[], None);
    let fields = [
        ("kind", "other"),
        ("immediate_danger", "no"),
        ("meeting_planned", "no"),
        ("images_exchanged", "no"),
        ("account", "SYNTHETIC TEST: before and after a rotation."),
    ];
    assert_eq!(submit_report(&s.addr, &fields).unwrap().0, 200);
    let r = run(&d.data(), &["keys", "rotate", "--by", "ADM1"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stderr.contains("vigil serve") && r.stderr.contains("stop it"), "{}", r.stderr);
    assert_eq!(submit_report(&s.addr, &fields).unwrap().0, 200);
    s.kill();
    // Once the server has stopped, the rotation goes ahead and every report still reads.
    let r = run(&d.data(), &["keys", "rotate", "--by", "ADM1"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = run(&d.data(), &["verify"]);
    assert_eq!(v.code, 0, "{}", v.stdout);
    let mut s = Server::start(&d.data(), &[], None);
    assert_eq!(submit_report(&s.addr, &fields).unwrap().0, 200);
    s.kill();
    assert_eq!(run(&d.data(), &["verify"]).code, 0);
}

/// Issue 11, finding 7: `serve --checkpoint FILE` keeps a checkpoint
/// outside the store from the moment it starts.
#[test]
fn serve_writes_a_checkpoint_at_start() {
    let d = Dir::init();
    let cp = d.path("outside/checkpoint.json");
    std::fs::create_dir_all(cp.parent().unwrap()).unwrap();
    let mut s = Server::start(&d.data(), &["--checkpoint", cp.to_str().unwrap(), "--checkpoint-every", "1"], None);
    let text = std::fs::read_to_string(&cp).unwrap();
    assert!(text.contains("vigil-checkpoint-1") && text.contains("\"tree_size\": 1"), "{text}");
    s.kill();
    let v = run(&d.data(), &["verify", "--checkpoint", cp.to_str().unwrap()]);
    assert_eq!(v.code, 0, "{}", v.stderr);
}
