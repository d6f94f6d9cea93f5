//! The public report form, URL-encoded or multipart, through the real
//! router. `CSRFTOKEN` in the input is replaced by a fresh token so the
//! fuzzer reaches the parsing behind the CSRF check. No answer is a 5xx.
#![no_main]
use axum::body::Body;
use axum::http::Request;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use vigil_fuzz::Web;

static WEB: OnceLock<Web> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let web = WEB.get_or_init(Web::new);
    let Some((&mode, rest)) = data.split_first() else { return };
    let body = replace(rest, b"CSRFTOKEN", web.csrf().as_bytes());
    let content_type = if mode & 1 == 0 {
        "application/x-www-form-urlencoded".to_owned()
    } else {
        "multipart/form-data; boundary=FUZZBOUNDARY".to_owned()
    };
    let path = if mode & 2 == 0 { "/report" } else { "/report/add" };
    let req = Request::post(path).header("content-type", content_type).body(Body::from(body)).unwrap();
    web.expect_no_5xx(req);
});

fn replace(hay: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(hay.len());
    let mut i = 0;
    while i < hay.len() {
        if hay[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(hay[i]);
            i += 1;
        }
    }
    out
}
