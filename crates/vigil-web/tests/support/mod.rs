//! Helpers shared by the web tests.

// Each test binary compiles this module and uses a different part of it.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

/// RFC 4648 base32, as `vigil admin user add` prints a TOTP secret.
pub fn b32decode(s: &str) -> Vec<u8> {
    vigil_core::base32_decode(s).expect("a base32 TOTP secret")
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

/// Signs `user` in through `/login` with their password and the current
/// TOTP code; returns the session cookie (`vigil_session=…`).
pub async fn sign_in(app: &axum::Router, user: &str, password: &str, secret: &[u8]) -> String {
    let (_, _, html) = call(app, Request::get("/login").body(Body::empty()).unwrap()).await;
    let s = html.find("name=\"csrf\" value=\"").unwrap() + 19;
    let t = &html[s..s + html[s..].find('"').unwrap()];
    let code = format!("{:06}", vigil_core::totp_code(secret, vigil_core::totp_step(vigil_core::now().unix_millis())));
    let body = format!("csrf={t}&username={user}&password={}&code={code}", password.replace(' ', "+"));
    let (st, h, _) = call(
        app,
        Request::post("/login")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap(),
    )
    .await;
    assert!(st.is_redirection(), "sign-in failed for {user}");
    h["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned()
}

/// Saves a file under `target/screenshots/`, for looking at it (a PDF as images, `pdftoppm`).
pub fn keep_file(name: &str, bytes: &[u8]) {
    let dir = screenshots();
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), bytes).unwrap();
}

pub fn screenshots() -> std::path::PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    target.join("screenshots")
}

/// Saves a page with its stylesheet inline under `target/screenshots/`, for
/// looking at it in a browser (`chromium --headless --screenshot`).
pub async fn keep_for_screenshot(app: &axum::Router, name: &str, html: &str) {
    let (_, _, css) = call(app, Request::get("/static/vigil.css").body(Body::empty()).unwrap()).await;
    let dir = screenshots();
    std::fs::create_dir_all(&dir).unwrap();
    let inline = html.replace("<link rel=\"stylesheet\" href=\"/static/vigil.css\">", &format!("<style>{css}</style>"));
    std::fs::write(dir.join(name), inline).unwrap();
}

/// Signs in through the core with the current TOTP code: the session
/// cookie and its CSRF token.
pub fn session(v: &mut vigil_core::Vigil, user: &str, password: &str, secret: &[u8]) -> (String, String) {
    let step = vigil_core::totp_step(vigil_core::now().unix_millis());
    let (token, s) = v.login(user, password, &format!("{:06}", vigil_core::totp_code(secret, step))).unwrap().unwrap();
    (format!("vigil_session={token}"), s.csrf)
}

/// A GET with the session cookie.
pub fn get(path: &str, cookie: &str) -> Request<Body> {
    Request::get(path).header("cookie", cookie).body(Body::empty()).unwrap()
}

/// A form POST with the session cookie.
pub fn post(path: &str, cookie: &str, fields: &[(&str, &str)]) -> Request<Body> {
    let body: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={}", enc(v))).collect();
    Request::post(path)
        .header("cookie", cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body.join("&")))
        .unwrap()
}

/// A data directory seeded with the demo, kept while the returned
/// directory lives: the directory, the data path and the demo's report.
pub fn seeded_demo() -> (tempfile::TempDir, std::path::PathBuf, vigil_core::DemoReport) {
    let d = tempfile::tempdir().unwrap();
    let data = d.path().join("data");
    let demo = vigil_core::Vigil::demo(&data).unwrap();
    (d, data, demo)
}

/// A demo officer's TOTP secret, as the demo printed it.
pub fn demo_secret(demo: &vigil_core::DemoReport, name: &str) -> Vec<u8> {
    b32decode(&demo.officers.iter().find(|o| o.0 == name).unwrap().2)
}
