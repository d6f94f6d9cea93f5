//! SIGKILL at random points during `exhibit add` loops: every reference that
//! was printed must survive, and the store must still verify.

mod support;

use std::io::Read;
use std::process::Stdio;
use std::time::{Duration, Instant};
use support::{ok, vigil, Dir};

const TRIALS: usize = 60;
const FILES_PER_RUN: usize = 6;

/// xorshift64*: enough randomness to spread kill points, with a printed seed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

#[test]
fn sigkill_during_adds_never_loses_a_printed_exhibit() {
    let seed = std::env::var("VIGIL_CRASH_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1
    });
    eprintln!("crash test seed {seed} (set VIGIL_CRASH_SEED to replay)");
    let mut rng = Rng(seed);
    let d = Dir::init();
    let data = d.data();
    let mut printed: Vec<(String, String)> = Vec::new();
    let mut killed_mid_run = 0;
    // Time three uninterrupted runs so kill points cover a whole run; the
    // quickest, since the first pays for a cold start and a loaded machine
    // makes any one run long.
    let mut span = Duration::MAX;
    for trial in 0..TRIALS {
        let files: Vec<String> = (0..FILES_PER_RUN)
            .map(|i| {
                let len = (rng.next() % 300_000) as usize;
                let mut body = format!("trial {trial} file {i} ").into_bytes();
                body.resize(len.max(body.len()), (trial * 7 + i) as u8);
                d.file(&format!("t{trial}-{i}.bin"), &body).to_str().unwrap().to_owned()
            })
            .collect();
        let mut cmd = vigil();
        cmd.arg("--data").arg(&data).args(["exhibit", "add"]).args(&files).args(["--case", "CRASH-TEST", "--by", "KT"]);
        let start = Instant::now();
        let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
        if trial < 3 {
            child.wait().unwrap();
            span = span.min(start.elapsed());
        } else {
            let delay = Duration::from_micros(rng.next() % (span.as_micros() as u64 * 11 / 10 + 1));
            std::thread::sleep(delay);
            if child.try_wait().unwrap().is_none() {
                killed_mid_run += 1;
            }
            child.kill().ok(); // SIGKILL on Unix
            child.wait().unwrap();
        }
        let mut out = String::new();
        child.stdout.take().unwrap().read_to_string(&mut out).unwrap();
        for line in out.lines() {
            let (r, sha) = line.split_once(' ').expect("each printed line is REF SHA256");
            printed.push((r.to_owned(), sha.to_owned()));
        }
    }
    eprintln!("{} exhibits printed over {TRIALS} runs, {killed_mid_run} killed mid-run", printed.len());
    assert!(killed_mid_run >= 30, "too few runs were actually interrupted ({killed_mid_run})");
    for (i, (r, sha)) in printed.iter().enumerate() {
        let out = d.path(&format!("check-{i}"));
        let got = ok(
            &data,
            &["exhibit", "get", r, "--out", out.to_str().unwrap(), "--reason", "crash test check", "--by", "KT"],
        );
        assert!(got.contains(sha), "{r}: printed {sha} but got {got}");
    }
    let v = ok(&data, &["verify"]);
    assert!(v.contains("OK"), "{v}");
}

/// Issue 10: SIGKILL the server at random moments while several clients
/// submit reports. Every receipt a client was shown still opens its report
/// (`/report/add` accepts it), no report exhibit exists without its report
/// row and receipt, and `vigil verify` passes.
#[test]
fn sigkill_during_public_intake_never_loses_an_acknowledged_report() {
    use std::sync::{Arc, Mutex};
    use support::{http, receipt_of, submit_report, Server};
    const KILLS: usize = 32;
    const CLIENTS: usize = 3;
    let seed = std::env::var("VIGIL_CRASH_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1
    });
    eprintln!("intake crash test seed {seed} (set VIGIL_CRASH_SEED to replay)");
    let mut rng = Rng(seed);
    let d = Dir::init();
    let data = d.data();
    let receipts: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let mut clients_ended_cleanly = 0;
    for kill in 0..KILLS {
        let mut server = Server::start(&data, &["--reports-per-window", "1000000"], None);
        let addr = server.addr.clone();
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let clients: Vec<_> = (0..CLIENTS)
            .map(|c| {
                let (addr, receipts, stop) = (addr.clone(), receipts.clone(), stop.clone());
                std::thread::spawn(move || {
                    let mut n = 0;
                    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                        let account = format!("SYNTHETIC TEST: crash run {kill}, client {c}, report {n}.");
                        let fields = [
                            ("kind", "grooming"),
                            ("immediate_danger", "no"),
                            ("meeting_planned", "no"),
                            ("images_exchanged", "no"),
                            ("identifiers", "crash_test_user"),
                            ("account", account.as_str()),
                        ];
                        match submit_report(&addr, &fields) {
                            Some((200, page)) => {
                                receipts.lock().unwrap().push(receipt_of(&page).expect("a receipt on the page"))
                            }
                            _ => break,
                        }
                        n += 1;
                    }
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(20 + rng.next() % 250));
        server.kill();
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if clients.into_iter().all(|c| c.join().is_ok()) {
            clients_ended_cleanly += 1;
        }
    }
    let receipts = receipts.lock().unwrap().clone();
    eprintln!("{} receipts shown over {KILLS} kills", receipts.len());
    assert_eq!(clients_ended_cleanly, KILLS);
    assert!(receipts.len() > KILLS, "the clients got receipts between kills ({})", receipts.len());

    // Every receipt shown opens its report.
    let server = Server::start(&data, &["--reports-per-window", "1000000"], None);
    for (code, secret) in &receipts {
        let (_, form) = http(&server.addr, "GET", "/report/add", None, b"").unwrap();
        let token = support::csrf_of(&form).unwrap();
        let body = format!(
            "csrf={}&code={}&secret={}&text=checked+after+the+crash+test",
            support::enc(&token),
            support::enc(code),
            support::enc(secret)
        );
        let (status, page) =
            http(&server.addr, "POST", "/report/add", Some("application/x-www-form-urlencoded"), body.as_bytes())
                .unwrap();
        assert_eq!(status, 200, "receipt {code} was shown but is not accepted: {page}");
    }
    drop(server);

    // No report exhibit without its report row and receipt.
    let db = rusqlite::Connection::open(data.join("vigil.db")).unwrap();
    let orphans: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM exhibits WHERE original_name = 'report.json'
               AND (reference NOT IN (SELECT exhibit FROM reports)
                    OR reference NOT IN (SELECT exhibit FROM report_receipts))",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(orphans, 0, "report exhibits without their report row or receipt");
    let reports: i64 = db.query_row("SELECT COUNT(*) FROM reports", [], |r| r.get(0)).unwrap();
    assert!(reports as usize >= receipts.len());
    let v = ok(&data, &["verify"]);
    assert!(v.contains("OK"), "{v}");
}
