//! PDQ image input: decoding PNG, JPEG, GIF, BMP and WebP from seized media.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok((r, d)) = vigil_pdq::hash_bytes(data) {
        assert!(r.quality <= 100);
        assert_eq!(d.quality, r.quality, "the dihedral hashes come from the same pixels");
    }
});
