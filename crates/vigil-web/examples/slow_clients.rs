//! The slow-client check (issue 24, finding 2), run by `scripts/slow_clients.sh`
//! in CI on loopback: while partners hold many uploads open at a trickle,
//! half-open connections send headers that never end, and the public sends
//! PDFs that unpack to a stream of `BI` tokens, an officer's `/queue` and
//! `/healthz` must keep answering: p99 under 200 ms, no failures. Half-open
//! connections must also be closed by the server (header timeout).
//!
//! `slow_clients HOST:PORT USER PASSWORD TOTP_SECRET_BASE32 SECONDS PARTNER_KEY...`
//! Each partner key gets uploads of its own; every upload declares a file
//! it then sends one byte every two seconds.

#[path = "support/open_loop.rs"]
mod open_loop;
#[path = "support/per_path.rs"]
mod per_path;
#[path = "support/sign_in.rs"]
mod sign_in;
use open_loop::{drive, http};
use per_path::per_path;
use sha2::Digest;
use sign_in::sign_in;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const SLOW_UPLOADS: usize = 200;
const HALF_OPEN: usize = 50;
const BOMBS: usize = 4;
const P99_LIMIT_MS: f64 = 200.0;

/// A referral declaring one file of `size` bytes; returns its upload path.
fn declare(addr: &str, key: &str, n: usize, size: usize) -> String {
    let file = vec![b'x'; size];
    let sha = hex::encode(sha2::Sha256::digest(&file));
    let body = format!(
        r#"{{"incident":{{"kind":"grooming","summary":"SYNTHETIC LOAD TEST {n}","platform":"ExampleChat","immediate_danger":false,"meeting_planned":false,"images_exchanged":false}},"reported_users":[{{"display_name":"synthetic","identifiers":[{{"kind":"username","value":"@load_{n}"}}]}}],"files":[{{"name":"chat.txt","size":{size},"content_type":"text/plain","sha256":"{sha}"}}]}}"#
    );
    let res = http(
        addr,
        &format!(
            "POST /api/v1/referrals HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {key}\r\nIdempotency-Key: slow-{n}\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        ),
    )
    .unwrap();
    let at = res.find("\"upload\":\"").unwrap_or_else(|| panic!("a referral: {res}")) + 10;
    res[at..at + res[at..].find('"').unwrap()].to_owned()
}

/// A 17 KB PDF whose one stream unpacks to 32 MiB of `BI ` tokens.
fn bi_bomb() -> Vec<u8> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    for _ in 0..(32 << 20) / 3 / 4096 {
        z.write_all(&b"BI ".repeat(4096)).unwrap();
    }
    let data = z.finish().unwrap();
    let mut pdf = format!("%PDF-1.7\n4 0 obj <</Length {}/Filter/FlateDecode>>\nstream\n", data.len()).into_bytes();
    pdf.extend_from_slice(&data);
    pdf.extend_from_slice(b"\nendstream\nendobj\n%%EOF\n");
    pdf
}

fn submit_bomb(addr: &str, pdf: &[u8]) -> String {
    let page = http(addr, &format!("GET /report HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n")).unwrap();
    let at = page.find("name=\"csrf\" value=\"").expect("the report form") + 19;
    let token = page[at..at + page[at..].find('"').unwrap()].to_owned();
    let b = "----vigilslowclients";
    let mut body = Vec::new();
    for (k, v) in [
        ("csrf", token.as_str()),
        ("kind", "other"),
        ("immediate_danger", "no"),
        ("meeting_planned", "no"),
        ("images_exchanged", "no"),
        ("account", "SYNTHETIC LOAD TEST: a PDF of BI tokens"),
    ] {
        body.extend_from_slice(
            format!("--{b}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes(),
        );
    }
    body.extend_from_slice(
        format!("--{b}\r\nContent-Disposition: form-data; name=\"attachments\"; filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\n").as_bytes(),
    );
    body.extend_from_slice(pdf);
    body.extend_from_slice(format!("\r\n--{b}--\r\n").as_bytes());
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    s.write_all(
        format!(
            "POST /report HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: multipart/form-data; boundary={b}\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .as_bytes(),
    )
    .unwrap();
    s.write_all(&body).unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out.lines().next().unwrap_or("no answer").to_owned()
}

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let (addr, user, password) = (a[1].clone(), &a[2], &a[3]);
    let secret = vigil_core::base32_decode(&a[4]).expect("the TOTP secret is base32");
    let secs: f64 = a[5].parse().unwrap();
    let keys: Vec<String> = a[6..].to_vec();
    assert!(!keys.is_empty(), "give at least one partner key");
    let cookie = sign_in(&addr, user, password, &secret);

    // Each slow upload declares a file larger than it will ever finish sending.
    let size = 4096;
    let uploads: Vec<(String, String)> = (0..SLOW_UPLOADS)
        .map(|n| (keys[n % keys.len()].clone(), declare(&addr, &keys[n % keys.len()], n, size)))
        .collect();
    let refused = Arc::new(AtomicUsize::new(0));
    let held = Arc::new(AtomicUsize::new(0));
    let stop_at = Instant::now() + Duration::from_secs_f64(secs + 2.0);
    let mut threads = Vec::new();
    for (key, path) in uploads {
        let (addr, refused, held) = (addr.clone(), refused.clone(), held.clone());
        threads.push(std::thread::spawn(move || {
            let mut s = TcpStream::connect(&addr).unwrap();
            s.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
            let head = format!(
                "PUT {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {key}\r\nContent-Type: application/octet-stream\r\nContent-Length: {size}\r\n\r\nx"
            );
            s.write_all(head.as_bytes()).unwrap();
            let mut counted = false;
            while Instant::now() < stop_at {
                let mut buf = [0u8; 512];
                if let Ok(n) = s.read(&mut buf) {
                    // Answered before the body ended: refused (429) at once.
                    if n > 0 && buf.starts_with(b"HTTP/1.1 429") {
                        refused.fetch_add(1, Ordering::Relaxed);
                    }
                    return;
                }
                if !counted {
                    held.fetch_add(1, Ordering::Relaxed);
                    counted = true;
                }
                std::thread::sleep(Duration::from_secs(2));
                if s.write_all(b"x").is_err() {
                    return;
                }
            }
        }));
    }
    // Half-open connections: headers that never end. The server must close them.
    let closed = Arc::new(AtomicUsize::new(0));
    for _ in 0..HALF_OPEN {
        let (addr, closed) = (addr.clone(), closed.clone());
        threads.push(std::thread::spawn(move || {
            let mut s = TcpStream::connect(&addr).unwrap();
            s.write_all(format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nX-Slow: ").as_bytes()).unwrap();
            s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
            let mut buf = [0u8; 256];
            if s.read(&mut buf).is_ok() {
                closed.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    // The public's PDFs that used to cost seconds of CPU each, on async workers.
    let pdf = Arc::new(bi_bomb());
    let bomb_answers = Arc::new(std::sync::Mutex::new(Vec::new()));
    for _ in 0..BOMBS {
        let (addr, pdf, answers) = (addr.clone(), pdf.clone(), bomb_answers.clone());
        threads.push(std::thread::spawn(move || {
            let answer = submit_bomb(&addr, &pdf);
            answers.lock().unwrap().push(answer);
        }));
    }
    std::thread::sleep(Duration::from_secs(1));

    let rate = 20.0;
    let paths = ["/healthz".to_owned(), "/queue".to_owned()];
    let pages = paths.clone();
    let target = addr.clone();
    let results = drive(rate, (rate * secs) as u64, 16, move |n| {
        let path = &pages[n as usize % pages.len()];
        let req = format!("GET {path} HTTP/1.1\r\nHost: {target}\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n");
        http(&target, &req).is_ok_and(|r| r.starts_with("HTTP/1.1 200"))
    });
    threads.into_iter().for_each(|t| t.join().unwrap());

    let mut ok = true;
    println!(
        "slow uploads: {SLOW_UPLOADS} started, {} held open at a trickle, {} refused at once (bounds: {} per partner, {} overall)",
        held.load(Ordering::Relaxed),
        refused.load(Ordering::Relaxed),
        vigil_web::UPLOADS_PER_PARTNER,
        vigil_web::UPLOADS_OVERALL
    );
    let closed = closed.load(Ordering::Relaxed);
    println!("half-open connections: {HALF_OPEN}, closed by the server within 30 s: {closed}");
    ok &= closed == HALF_OPEN;
    let answers = bomb_answers.lock().unwrap();
    println!("PDFs of BI tokens: {} sent, answers: {:?}", answers.len(), *answers);
    ok &= answers.iter().all(|a| a.starts_with("HTTP/1.1 200") || a.starts_with("HTTP/1.1 400"));
    for f in per_path(&results, &paths) {
        println!(
            "GET {} beside them: {} requests, {} failed; p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms (limit p99 {P99_LIMIT_MS} ms)",
            f.path, f.requests, f.failed, f.p50, f.p99, f.max
        );
        ok &= f.failed == 0 && f.p99 < P99_LIMIT_MS;
    }
    if !ok {
        eprintln!("slow_clients: FAILED");
        std::process::exit(1);
    }
    println!("slow_clients: ok");
}
