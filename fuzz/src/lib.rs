//! What the fuzz targets share: a scratch directory on a RAM disk where
//! there is one, and an in-process web application (no socket) to send
//! hostile requests to.

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use tower::ServiceExt;
use vigil_core::Vigil;
use vigil_domain::Actor;

/// A fresh directory for one run; on tmpfs when the machine has one, so
/// the store's fsyncs cost nothing and a long run wears no disk.
pub fn scratch() -> tempfile::TempDir {
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        if let Ok(d) = tempfile::tempdir_in(shm) {
            return d;
        }
    }
    tempfile::tempdir().expect("a temporary directory")
}

/// Writes `bytes` to `name` inside `dir`.
pub fn file(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("write a scratch file");
    p
}

/// The web application with a fresh data directory and a partner key,
/// built once per fuzzing process.
pub struct Web {
    pub runtime: tokio::runtime::Runtime,
    pub app: axum::Router,
    pub partner_key: String,
    client: AtomicU32,
    _dir: tempfile::TempDir,
}

impl Web {
    pub fn new() -> Web {
        let dir = scratch();
        let data = dir.path().join("data");
        Vigil::init(&data, None).expect("init");
        let vigil = Vigil::open(&data).expect("open");
        let partner_key =
            vigil.add_partner("Fuzz Partner (synthetic)", &Actor::parse("ADM").unwrap()).expect("partner").key;
        let settings = vigil_web::Settings {
            reports_per_window: u32::MAX,
            partner_requests_per_window: u32::MAX,
            public_ceiling_per_window: u32::MAX,
            ..vigil_web::Settings::default()
        };
        let app = vigil_web::app_with(vigil, settings);
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        Web { runtime, app, partner_key, client: AtomicU32::new(1), _dir: dir }
    }

    /// A fresh CSRF token for the public form (each is good for one submission).
    pub fn csrf(&self) -> String {
        let (_, html) = self.send(Request::get("/report").body(Body::empty()).unwrap());
        let start = html.find("name=\"csrf\" value=\"").expect("a CSRF field") + 19;
        html[start..start + html[start..].find('"').unwrap()].to_owned()
    }

    /// Sends one request from a client address of its own; returns status and body.
    pub fn send(&self, mut req: Request<Body>) -> (StatusCode, String) {
        let n = self.client.fetch_add(1, Ordering::Relaxed);
        let ip = format!("10.{}.{}.{}:1", (n >> 16) & 255, (n >> 8) & 255, n & 255);
        req.extensions_mut().insert(ConnectInfo(ip.parse::<SocketAddr>().unwrap()));
        self.runtime.block_on(async {
            let res = self.app.clone().oneshot(req).await.expect("the router answers");
            let (parts, body) = res.into_parts();
            let bytes = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
            (parts.status, String::from_utf8_lossy(&bytes).into_owned())
        })
    }

    /// Sends a request and fails the run on any 5xx: hostile input must get
    /// a 4xx (or be accepted), never an internal error.
    pub fn expect_no_5xx(&self, req: Request<Body>) -> StatusCode {
        let (status, body) = self.send(req);
        assert!(!status.is_server_error(), "{status}: {}", &body[..body.len().min(500)]);
        status
    }
}

impl Default for Web {
    fn default() -> Self {
        Web::new()
    }
}

/// Splits off a first line holding an Ed25519 public key in hex. Inputs
/// whose first line is no key are skipped (the fuzzer learns to keep it).
pub fn key_line(data: &[u8]) -> Option<(vigil_custody::VerifyingKey, &[u8])> {
    let i = data.iter().position(|&b| b == b'\n')?;
    let mut key = [0u8; 32];
    hex::decode_to_slice(&data[..i], &mut key).ok()?;
    let key = vigil_custody::VerifyingKey::from_bytes(&key).ok()?;
    Some((key, &data[i + 1..]))
}
