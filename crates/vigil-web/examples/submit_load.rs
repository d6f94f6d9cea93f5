//! Load generator for the public submit endpoint (a benchmark, not a test),
//! driven by bench/load.sh. Open loop: requests are scheduled at a fixed
//! rate and latency is measured from the scheduled time, so a slow server
//! cannot hide its queueing. Each request fetches a fresh form (for its
//! single-use CSRF token) and posts a synthetic report over a plain
//! HTTP/1.1 connection.
//!
//! `submit_load HOST:PORT RATE SECONDS` prints the POST latency percentiles
//! and the receipt codes acknowledged, one per line prefixed `RECEIPT `.

#[path = "support/open_loop.rs"]
mod open_loop;
use open_loop::{drive, http, percentiles_ms};

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
    let results = drive(rate, (rate * secs) as u64, 64, move |n| one(&addr, n));
    let (p50, p99, max) = percentiles_ms(results.iter().map(|r| r.1).collect());
    let ok = results.iter().filter(|r| r.2.is_ok()).count();
    println!(
        "rate {rate}/s for {secs}s: {} sent, {ok} acknowledged, {} failed; latency p50 {p50:.1} ms, p99 {p99:.1} ms, max {max:.1} ms",
        results.len(),
        results.len() - ok,
    );
    for (_, _, r) in &results {
        match r {
            Ok(code) => println!("RECEIPT {code}"),
            Err(e) => println!("FAILED {e}"),
        }
    }
}
