//! Load generator for the public submit endpoint (a benchmark, not a test),
//! driven by bench/load.sh. Open loop: requests are scheduled at a fixed
//! rate and latency is measured from the scheduled time, so a slow server
//! cannot hide its queueing. Each request fetches a fresh form (for its
//! single-use CSRF token) and posts a synthetic report over a plain
//! HTTP/1.1 connection.
//!
//! `submit_load HOST:PORT RATE SECONDS` prints the POST latency percentiles
//! and the receipt codes acknowledged, one per line prefixed `RECEIPT `.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

fn http(addr: &str, req: &str) -> std::io::Result<String> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    s.write_all(req.as_bytes())?;
    let mut out = String::new();
    s.read_to_string(&mut out)?;
    Ok(out)
}

fn one(addr: &str, n: u64) -> Result<String, String> {
    let page = http(addr, &format!("GET /report HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"))
        .map_err(|e| e.to_string())?;
    let at = page.find("name=\"csrf\" value=\"").ok_or("no form")? + 19;
    let token = &page[at..at + page[at..].find('"').ok_or("no token end")?];
    let body = format!(
        "csrf={token}&kind=other&immediate_danger=no&meeting_planned=no&images_exchanged=no&platform=LoadTest&identifiers=load_user_{n}&account=SYNTHETIC+LOAD+TEST+report+{n}"
    );
    let res = http(
        addr,
        &format!(
            "POST /report HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        ),
    )
    .map_err(|e| e.to_string())?;
    if !res.starts_with("HTTP/1.1 200") {
        return Err(res.lines().next().unwrap_or("").to_owned());
    }
    let at = res.find("VR-").ok_or("no receipt")?;
    Ok(res[at..at + 12].to_owned())
}

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let addr = a[1].clone();
    let rate: f64 = a[2].parse().unwrap();
    let secs: f64 = a[3].parse().unwrap();
    let total = (rate * secs) as u64;
    let (tx, rx) = mpsc::channel::<(u64, Instant)>();
    let rx = Arc::new(Mutex::new(rx));
    let results = Arc::new(Mutex::new(Vec::new()));
    let workers: Vec<_> = (0..64)
        .map(|_| {
            let (rx, results, addr) = (rx.clone(), results.clone(), addr.clone());
            std::thread::spawn(move || loop {
                let job = rx.lock().unwrap().recv();
                let Ok((n, scheduled)) = job else { break };
                let r = one(&addr, n);
                results.lock().unwrap().push((scheduled.elapsed(), r));
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
    let mut lat: Vec<Duration> = results.iter().map(|(d, _)| *d).collect();
    lat.sort();
    let pct = |p: f64| lat[((lat.len() as f64 - 1.0) * p) as usize].as_secs_f64() * 1000.0;
    let ok = results.iter().filter(|(_, r)| r.is_ok()).count();
    println!(
        "rate {rate}/s for {secs}s: {} sent, {ok} acknowledged, {} failed; latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        results.len(),
        results.len() - ok,
        pct(0.5),
        pct(0.99),
        pct(1.0)
    );
    for (_, r) in results.iter() {
        match r {
            Ok(code) => println!("RECEIPT {code}"),
            Err(e) => println!("FAILED {e}"),
        }
    }
}
