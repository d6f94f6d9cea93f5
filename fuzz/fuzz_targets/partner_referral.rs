//! The partner API's referral JSON, through the real router with a valid
//! partner key, and the domain's own parse and validation. No answer is a 5xx.
#![no_main]
use axum::body::Body;
use axum::http::Request;
use libfuzzer_sys::fuzz_target;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use vigil_fuzz::Web;

static WEB: OnceLock<Web> = OnceLock::new();
static N: AtomicU64 = AtomicU64::new(0);

fuzz_target!(|data: &[u8]| {
    if let Ok(r) = serde_json::from_slice::<vigil_domain::Referral>(data) {
        if r.validate().is_ok() {
            let _ = r.as_report();
        }
    }
    let web = WEB.get_or_init(Web::new);
    let req = Request::post("/api/v1/referrals")
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {}", web.partner_key))
        .header("idempotency-key", format!("fuzz-{}", N.fetch_add(1, Ordering::Relaxed)))
        .body(Body::from(data.to_vec()))
        .unwrap();
    web.expect_no_5xx(req);
});
