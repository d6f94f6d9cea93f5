//! The offline checkers of what Vigil signs for others: a validation report
//! (`vigil verify --validation`) and a disposal certificate (`vigil
//! retention check`), and the retention policy parser (`vigil retention
//! policy --set`). The input is the log's public key in hex, a newline,
//! then the JSON. Each must only answer with an error.
#![no_main]
use libfuzzer_sys::fuzz_target;
use vigil_fuzz::key_line;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = vigil_domain::RetentionPolicy::parse(text);
    }
    let Some((key, json)) = key_line(data) else { return };
    let _ = vigil_core::verify_validation(json, &key);
    let _ = vigil_core::verify_disposal_certificate(json, &key);
});
