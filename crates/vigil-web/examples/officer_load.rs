//! Load generator for officers' pages (a benchmark, not a test), driven by
//! bench/load.sh while public submissions run beside it. It signs in once
//! (password and TOTP code), then asks for each path in turn at a fixed
//! rate, open loop, latency measured from the scheduled time.
//!
//! `officer_load HOST:PORT USER PASSWORD TOTP_SECRET_BASE32 RATE SECONDS PATH...`
//! prints one line per path: requests, failures, p50, p99 and max.

#[path = "support/open_loop.rs"]
mod open_loop;
#[path = "support/per_path.rs"]
mod per_path;
#[path = "support/sign_in.rs"]
mod sign_in;
use open_loop::{drive, http};
use per_path::per_path;
use sign_in::sign_in;

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
    for f in per_path(&results, &paths) {
        println!(
            "officer GET {}: {} requests, {} failed; latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            f.path, f.requests, f.failed, f.p50, f.p99, f.max
        );
    }
}
