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

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// Issue 24, finding 8: a panic's message may quote what a client sent,
    /// and Rust's own hook printed it. The serving process's hook logs where
    /// the panic happened, never its message.
    #[test]
    fn a_panic_is_logged_by_place_never_by_message() {
        let out = Captured::default();
        let sink = out.clone();
        let subscriber = tracing_subscriber::fmt().with_writer(move || sink.clone()).with_ansi(false).finish();
        let before = std::panic::take_hook();
        super::quiet_panics();
        tracing::subscriber::with_default(subscriber, || {
            let r = std::panic::catch_unwind(|| panic!("reporter wrote MARKER-d41d8cd9 in the form"));
            assert!(r.is_err());
        });
        std::panic::set_hook(before);
        let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
        assert!(text.contains("a panic") && text.contains("request_log.rs"), "{text}");
        assert!(!text.contains("MARKER-d41d8cd9"), "{text}");
    }
}
