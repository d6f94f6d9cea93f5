//! The prosecutor bundle verifier. The input is: the log's public key in
//! hex, a newline, `manifest.sig`, a newline, the bundle's `manifest.json`,
//! a 0xFF byte (never in JSON), then the contents of any file the manifest
//! names as `proofs.json`. Every check must only report problems.
#![no_main]
use libfuzzer_sys::fuzz_target;
use vigil_fuzz::{file, key_line, scratch};

fuzz_target!(|data: &[u8]| {
    let Some((key, rest)) = key_line(data) else { return };
    let (sig, rest) = match rest.iter().position(|&b| b == b'\n') {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, &b""[..]),
    };
    let (manifest, proofs) = match rest.iter().position(|&b| b == 0xFF) {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, &b""[..]),
    };
    let d = scratch();
    file(d.path(), "manifest.json", manifest);
    file(d.path(), "manifest.sig", sig);
    file(d.path(), "proofs.json", proofs);
    let _ = vigil_core::verify_bundle(d.path(), &key, None);
});
