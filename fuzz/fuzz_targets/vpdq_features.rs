//! vPDQ features files (a hash set's videos, from outside): never panic;
//! what parses writes back in the reference's format and parses to the
//! same features.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(frames) = vigil_video::parse_features(text) {
        let again =
            vigil_video::parse_features(&vigil_video::format_features(&frames)).expect("written features parse");
        assert_eq!(again.len(), frames.len());
        for (a, b) in frames.iter().zip(&again) {
            assert_eq!((a.frame, a.quality, a.pdq), (b.frame, b.quality, b.pdq));
        }
    }
});
