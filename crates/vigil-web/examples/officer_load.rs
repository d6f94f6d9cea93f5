//! Load generator for officers' pages (a benchmark, not a test), driven by
//! bench/load.sh while public submissions run beside it. It signs in once
//! (password and TOTP code), then asks for each path in turn at a fixed
//! rate, open loop, latency measured from the scheduled time.
//!
//! `officer_load HOST:PORT USER PASSWORD TOTP_SECRET_BASE32 RATE SECONDS PATH...`
//! prints one line per path: requests, failures, p50, p99 and max.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

fn http(addr: &str, req: &str) -> std::io::Result<String> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    s.write_all(req.as_bytes())?;
    let mut out = Vec::new();
    s.read_to_end(&mut out)?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// RFC 4648 base32 without padding, as `vigil demo` prints TOTP secrets.
fn base32(s: &str) -> Vec<u8> {
    let (mut buf, mut bits, mut out) = (0u32, 0, Vec::new());
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'2'..=b'7' => c - b'2' + 26,
            _ => panic!("{s:?} is not base32"),
        };
        buf = (buf << 5) | u32::from(v);
        bits += 5;
        if bits >= 8 {
            out.push((buf >> (bits - 8)) as u8);
            bits -= 8;
        }
    }
    out
}

fn sign_in(addr: &str, user: &str, password: &str, secret: &[u8]) -> String {
    let page = http(addr, &format!("GET /login HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n")).unwrap();
    let at = page.find("name=\"csrf\" value=\"").expect("a sign-in form") + 19;
    let token = &page[at..at + page[at..].find('"').unwrap()];
    let code = format!("{:06}", vigil_core::totp_code(secret, vigil_core::totp_step(vigil_core::now().unix_millis())));
    let body = format!("csrf={token}&username={user}&password={}&code={code}", password.replace(' ', "+"));
    let res = http(
        addr,
        &format!(
            "POST /login HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        ),
    )
    .unwrap();
    let cookie = res
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: ").or_else(|| l.strip_prefix("Set-Cookie: ")))
        .unwrap_or_else(|| panic!("sign-in as {user} failed: {}", res.lines().next().unwrap_or("")));
    cookie.split(';').next().unwrap().to_owned()
}

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let (addr, user, password, secret) = (a[1].clone(), &a[2], &a[3], base32(&a[4]));
    let rate: f64 = a[5].parse().unwrap();
    let secs: f64 = a[6].parse().unwrap();
    let paths: Vec<String> = a[7..].to_vec();
    let cookie = sign_in(&addr, user, password, &secret);
    let total = (rate * secs) as usize;
    let (tx, rx) = mpsc::channel::<(usize, Instant)>();
    let rx = Arc::new(Mutex::new(rx));
    let results = Arc::new(Mutex::new(Vec::new()));
    let workers: Vec<_> = (0..32)
        .map(|_| {
            let (rx, results, addr, cookie, paths) =
                (rx.clone(), results.clone(), addr.clone(), cookie.clone(), paths.clone());
            std::thread::spawn(move || loop {
                let job = rx.lock().unwrap().recv();
                let Ok((n, scheduled)) = job else { break };
                let path = &paths[n % paths.len()];
                let req =
                    format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n");
                let ok = http(&addr, &req).is_ok_and(|r| r.starts_with("HTTP/1.1 200"));
                results.lock().unwrap().push((n % paths.len(), scheduled.elapsed(), ok));
            })
        })
        .collect();
    let start = Instant::now();
    for n in 0..total {
        let at = start + Duration::from_secs_f64(n as f64 / rate);
        if let Some(wait) = at.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        tx.send((n, at)).unwrap();
    }
    drop(tx);
    for w in workers {
        w.join().unwrap();
    }
    let results = results.lock().unwrap();
    for (i, path) in paths.iter().enumerate() {
        let mut lat: Vec<Duration> = results.iter().filter(|r| r.0 == i).map(|r| r.1).collect();
        let failed = results.iter().filter(|r| r.0 == i && !r.2).count();
        lat.sort();
        let pct = |p: f64| lat[((lat.len() as f64 - 1.0) * p) as usize].as_secs_f64() * 1000.0;
        println!(
            "officer GET {path}: {} requests, {failed} failed; latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            lat.len(),
            pct(0.5),
            pct(0.99),
            pct(1.0)
        );
    }
}
