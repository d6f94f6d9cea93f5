//! Every request gets an ID, one log line (route template, status,
//! latency) and a guard: a panic anywhere in its handler answers 500 for
//! that request alone, and the next request is served as usual.
//!
//! What is logged is chosen so that nothing a reporter sent can reach the
//! log: the matched route template (`/reports/{n}`), never the path, query,
//! headers, client address or body.

use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::FutureExt;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// Request IDs count up from a random start, so two runs' logs never share one.
fn next_id() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    static START: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    let start = *START.get_or_init(|| {
        let mut b = [0u8; 4];
        let _ = getrandom::getrandom(&mut b);
        u64::from(u32::from_le_bytes(b)) << 20
    });
    format!("{:x}", start + NEXT.fetch_add(1, Ordering::Relaxed))
}

pub(crate) async fn apply(req: Request, next: Next) -> Response {
    let id = next_id();
    let route = req.extensions().get::<MatchedPath>().map_or("(no route)", |m| m.as_str()).to_owned();
    let method = req.method().clone();
    let started = Instant::now();
    let mut response = match AssertUnwindSafe(next.run(req)).catch_unwind().await {
        Ok(r) => r,
        Err(_) => {
            // Not the panic's message: it may quote what was sent. Where it
            // happened is logged by the panic hook (`quiet_panics`).
            tracing::error!(request = %id, %method, route = %route, "handler panicked; this request alone failed");
            (StatusCode::INTERNAL_SERVER_ERROR, crate::html::internal_error_page(&id)).into_response()
        }
    };
    let status = response.status().as_u16();
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    if status >= 500 {
        tracing::warn!(request = %id, %method, route = %route, status, ms, "request failed");
    } else {
        tracing::info!(request = %id, %method, route = %route, status, ms, "request");
    }
    if let Ok(v) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", v);
    }
    response
}

/// Replaces the panic hook for a serving process: a panic is logged with
/// where it happened and never its message, which may quote a request
/// (Rust's default hook prints the message to standard error).
pub fn quiet_panics() {
    std::panic::set_hook(Box::new(|info| {
        let at = info.location().map(|l| format!("{}:{}", l.file(), l.line())).unwrap_or_else(|| "unknown".into());
        tracing::error!(location = %at, "a panic (its message is not logged: it may quote what was sent)");
    }));
}
