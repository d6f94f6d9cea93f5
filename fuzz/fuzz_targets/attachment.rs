//! Attachment classification of the public's uploads: the first line of
//! the input is "name\tdeclared type", the rest the file's bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (head, bytes) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (&b""[..], data),
    };
    let head = String::from_utf8_lossy(head);
    let (name, declared) = head.split_once('\t').unwrap_or((&head, ""));
    let _ = vigil_domain::classify_attachment(name, declared, bytes);
});
