//! Identifier normalisation: never panics, gives the same answer every
//! time, and never an empty value. (Idempotence per kind needs the
//! kind's own normaliser, so the property test beside the code checks it:
//! `identifier::tests::never_panics_and_is_idempotent`.)
#![no_main]
use libfuzzer_sys::fuzz_target;
use vigil_domain::Identifier;

fuzz_target!(|input: (&str, &str)| {
    let (raw, platform) = input;
    let first = Identifier::normalise(raw, platform);
    assert_eq!(first, Identifier::normalise(raw, platform), "normalising {raw:?} is not deterministic");
    if let Some(id) = &first {
        assert!(!id.value.is_empty(), "{raw:?} normalised to an empty value");
    }
    let _ = vigil_core::normalise_identifier(raw, platform);
});
