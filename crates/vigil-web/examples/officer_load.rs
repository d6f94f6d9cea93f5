//! Load generator for officers' pages (a benchmark, not a test), driven by
//! bench/load.sh while public submissions run beside it. It signs in once
//! (password and TOTP code), then asks for each path in turn at a fixed
//! rate, open loop, latency measured from the scheduled time.
//!
//! `officer_load HOST:PORT USER PASSWORD TOTP_SECRET_BASE32 RATE SECONDS PATH...`
//! prints one line per path: requests, failures, p50, p99 and max.

#[path = "support/open_loop.rs"]
mod open_loop;
use open_loop::{drive, http, percentiles_ms};

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
    let (addr, user, password, secret) =
        (a[1].clone(), &a[2], &a[3], vigil_core::base32_decode(&a[4]).expect("the TOTP secret is base32"));
    let rate: f64 = a[5].parse().unwrap();
    let secs: f64 = a[6].parse().unwrap();
    let paths: Vec<String> = a[7..].to_vec();
    let cookie = sign_in(&addr, user, password, &secret);
    let pages = paths.clone();
    let results = drive(rate, (rate * secs) as u64, 32, move |n| {
        let path = &pages[n as usize % pages.len()];
        let req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n");
        http(&addr, &req).is_ok_and(|r| r.starts_with("HTTP/1.1 200"))
    });
    for (i, path) in paths.iter().enumerate() {
        let mine: Vec<_> = results.iter().filter(|r| r.0 as usize % paths.len() == i).collect();
        let failed = mine.iter().filter(|r| !r.2).count();
        let (p50, p99, max) = percentiles_ms(mine.iter().map(|r| r.1).collect());
        println!(
            "officer GET {path}: {} requests, {failed} failed; latency p50 {p50:.1} ms, p99 {p99:.1} ms, max {max:.1} ms",
            mine.len()
        );
    }
}
