//! The one escaping rule for paths in text formats (see the crate docs).

/// Writes a byte path as printable UTF-8: `\\` for a backslash, `\xNN` for
/// invalid UTF-8 and control characters. Never produces a newline.
pub fn escape_path(bytes: &[u8]) -> String {
    // Most names are printable ASCII with no backslash: kept as they are.
    if bytes.iter().all(|b| (0x20..0x7f).contains(b) && *b != b'\\') {
        return String::from_utf8(bytes.to_vec()).expect("printable ASCII");
    }
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                c if c.is_control() => {
                    let mut buf = [0u8; 4];
                    for b in c.encode_utf8(&mut buf).bytes() {
                        out.push_str(&format!("\\x{b:02x}"));
                    }
                }
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_would_break_a_line_or_a_parser() {
        assert_eq!(escape_path(b"plain/name.txt"), "plain/name.txt");
        assert_eq!(escape_path(b"a,b\"c"), "a,b\"c");
        assert_eq!(escape_path(b"new\nline\r"), "new\\x0aline\\x0d");
        assert_eq!(escape_path(b"back\\slash"), "back\\\\slash");
        assert_eq!(escape_path(b"bad\xffutf8"), "bad\\xffutf8");
        assert_eq!(escape_path("caf\u{e9}".as_bytes()), "caf\u{e9}");
        assert_eq!(escape_path(b"tab\there"), "tab\\x09here");
    }
}
