//! PDQ image input: decoding PNG, JPEG, GIF, BMP and WebP from seized media,
//! and the review preview made from the same bytes (issue 27).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok((r, d)) = vigil_pdq::hash_bytes(data) {
        assert!(r.quality <= 100);
        assert_eq!(d.quality, r.quality, "the dihedral hashes come from the same pixels");
    }
    if let Ok(jpeg) = vigil_pdq::preview_jpeg(data) {
        let png = vigil_pdq::render_preview(&jpeg, vigil_pdq::ViewSettings { blur: 4, grey: true })
            .expect("a preview Vigil made renders");
        assert!(png.starts_with(b"\x89PNG"));
    }
});
