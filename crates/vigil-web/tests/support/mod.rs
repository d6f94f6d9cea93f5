//! Helpers shared by the web tests.

// Each test binary compiles this module and uses a different part of it.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

/// RFC 4648 base32, as `vigil admin user add` prints a TOTP secret.
pub fn b32decode(s: &str) -> Vec<u8> {
    let (mut buf, mut bits, mut out) = (0u32, 0, Vec::new());
    for c in s.bytes() {
        let v = if c.is_ascii_uppercase() { c - b'A' } else { c - b'2' + 26 };
        buf = (buf << 5) | u32::from(v);
        bits += 5;
        if bits >= 8 {
            out.push((buf >> (bits - 8)) as u8);
            bits -= 8;
        }
    }
    out
}

/// Runs one request through the router (no socket); returns status, headers and body text.
pub async fn call(app: &axum::Router, req: Request<Body>) -> (StatusCode, HeaderMap, String) {
    let res = app.clone().oneshot(req).await.unwrap();
    let (p, b) = res.into_parts();
    (p.status, p.headers, String::from_utf8_lossy(&b.collect().await.unwrap().to_bytes()).into_owned())
}

/// Percent-encodes a form value.
pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
