//! The custody log export verifier (`vigil verify --export`), as a
//! defence expert runs it on a file they were given. The input's first line
//! is the log's public key in hex, so seeds can be real, verifying exports.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((key, export)) = vigil_fuzz::key_line(data) else { return };
    let _ = vigil_custody::verify_export(export, &key);
});
