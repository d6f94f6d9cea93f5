//! Files a member of the public may attach to a report: chat exports as
//! text or HTML, and PDFs. Pictures are refused whatever they are called,
//! because the public must never send images (they may be indecent images
//! of children); the reporter is told to give the web address instead.
//! The type is decided from the bytes, never from the name alone.

use serde::{Deserialize, Serialize};

pub const MAX_ATTACHMENT_BYTES: usize = 5 << 20;
pub const MAX_ATTACHMENTS: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AttachmentType {
    Text,
    Html,
    Pdf,
}

impl AttachmentType {
    pub fn mime(self) -> &'static str {
        match self {
            AttachmentType::Text => "text/plain; charset=utf-8",
            AttachmentType::Html => "text/html; charset=utf-8",
            AttachmentType::Pdf => "application/pdf",
        }
    }
}

/// Why an attachment was refused, in words for the reporter.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name}: {why}")]
pub struct AttachmentError {
    pub name: String,
    pub why: String,
}

pub const IMAGE_REFUSED: &str = "pictures cannot be sent. Never download, screenshot or send images, even to us: \
it is a crime and it harms the child. Give the web address (URL) or the username instead";

fn looks_like_image(b: &[u8]) -> bool {
    b.starts_with(b"\x89PNG")
        || b.starts_with(&[0xFF, 0xD8, 0xFF])
        || b.starts_with(b"GIF87a")
        || b.starts_with(b"GIF89a")
        || b.starts_with(b"BM")
        || (b.len() >= 12 && &b[..4] == b"RIFF" && &b[8..12] == b"WEBP")
        || b.starts_with(b"II*\0")
        || b.starts_with(b"MM\0*")
        || (b.len() >= 12 && &b[4..8] == b"ftyp" && matches!(&b[8..12], b"heic" | b"heix" | b"mif1" | b"avif"))
}

/// Whether `hay` holds `needle`, ignoring ASCII case.
fn contains_ci(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle))
}

/// A PDF that draws a picture: an image XObject, or a stream in one of
/// the image-only encodings. PDF names may be written with `#xx` escapes
/// and whitespace between key and value, so names are compared after
/// undoing both.
fn pdf_has_picture(b: &[u8]) -> bool {
    let mut names = Vec::with_capacity(b.len() / 4);
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'#' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = ((b[i + 1] as char).to_digit(16), (b[i + 2] as char).to_digit(16)) {
                names.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        if !b[i].is_ascii_whitespace() {
            names.push(b[i]);
        }
        i += 1;
    }
    [&b"/Subtype/Image"[..], b"/DCTDecode", b"/JPXDecode", b"/JBIG2Decode", b"/CCITTFaxDecode", b"/ImageMask"]
        .iter()
        .any(|n| memchr::memmem::find(&names, n).is_some())
}

/// Bytes the content streams of one PDF may unpack to, in all: within
/// this, every stream is read; past it, the PDF cannot be checked.
pub const MAX_PDF_INFLATED: usize = 64 << 20;

/// What opening one stream costs the budget besides what it unpacks to, so
/// that a file of a million empty streams is not free to check.
const STREAM_COST: usize = 4 << 10;

/// How far after `BI` its `ID` is looked for: an inline image's
/// dictionary is a handful of short keys.
const INLINE_DICT_SPAN: usize = 1024;

/// How much checking attachments may cost: bytes unpacked (each stream
/// opened counts for a few kilobytes more), and a stop the caller may set
/// (a deadline, say: the domain reads no clock), asked between pieces.
/// One budget may be shared by all the files of one request; once spent,
/// every PDF still to check is refused as one Vigil cannot check.
pub struct CheckBudget<'a> {
    bytes_left: usize,
    stop: Option<&'a dyn Fn() -> bool>,
}

impl<'a> CheckBudget<'a> {
    /// A budget of `bytes` unpacked, with no other stop.
    pub fn new(bytes: usize) -> Self {
        CheckBudget { bytes_left: bytes, stop: None }
    }

    /// The same, also spent once `stop` answers true.
    pub fn with_stop(bytes: usize, stop: &'a dyn Fn() -> bool) -> Self {
        CheckBudget { bytes_left: bytes, stop: Some(stop) }
    }

    /// Takes `n` from the budget; false once it is spent.
    fn spend(&mut self, n: usize) -> bool {
        if n > self.bytes_left || self.stop.is_some_and(|s| s()) {
            self.bytes_left = 0;
            return false;
        }
        self.bytes_left -= n;
        true
    }

    pub fn is_spent(&self) -> bool {
        self.bytes_left == 0
    }
}

/// What reading a PDF's content streams found.
#[derive(Debug, PartialEq, Eq)]
enum Streams {
    Clean,
    /// An inline image (`BI … ID … EI`): a picture drawn inside a content
    /// stream, with no image object to find.
    InlineImage,
    /// More to unpack than the budget allows.
    TooCostly,
}

/// Whether two bytes open a zlib stream (RFC 1950: deflate, and a header
/// check that is a multiple of 31), as every Flate stream in a PDF does.
/// Anything else is not worth a decoder.
fn zlib_header(b: &[u8]) -> bool {
    b.len() >= 2 && b[0] & 0x0F == 8 && b[0] >> 4 <= 7 && (u16::from(b[0]) << 8 | u16::from(b[1])) % 31 == 0
}

/// Reads every stream of a PDF, unpacking those that are Flate-compressed
/// (as content streams usually are), for inline images. Each byte, raw or
/// unpacked, is looked at once, and one decoder and one buffer serve
/// every stream.
fn pdf_streams(b: &[u8], budget: &mut CheckBudget<'_>) -> Streams {
    let stream_finder = memchr::memmem::Finder::new(b"stream");
    let end_finder = memchr::memmem::Finder::new(b"endstream");
    let mut z = flate2::Decompress::new(true);
    let mut piece = vec![0u8; 64 << 10];
    let mut rest = b;
    while let Some(at) = stream_finder.find(rest) {
        let mut data = &rest[at + b"stream".len()..];
        // `endstream` also contains "stream": step over it.
        if rest[..at].ends_with(b"end") {
            rest = data;
            continue;
        }
        if !budget.spend(STREAM_COST) {
            return Streams::TooCostly;
        }
        data = data.strip_prefix(b"\r\n").or_else(|| data.strip_prefix(b"\n")).unwrap_or(data);
        let end = end_finder.find(data).unwrap_or(data.len());
        let raw = &data[..end];
        let mut scan = InlineImageScan::default();
        if scan.feed(raw) || scan.finish() {
            return Streams::InlineImage;
        }
        // A stream that does not inflate was read as it is (above); one that
        // does is read unpacked, as far as it goes, a piece at a time.
        if zlib_header(raw) {
            z.reset(true);
            let mut scan = InlineImageScan::default();
            loop {
                let (before_in, before_out) = (z.total_in() as usize, z.total_out());
                let status = z.decompress(&raw[before_in..], &mut piece, flate2::FlushDecompress::None);
                let n = (z.total_out() - before_out) as usize;
                if !budget.spend(n) {
                    return Streams::TooCostly;
                }
                if scan.feed(&piece[..n]) {
                    return Streams::InlineImage;
                }
                let progressed = n > 0 || z.total_in() as usize > before_in;
                match status {
                    Ok(flate2::Status::Ok) if progressed => continue,
                    _ => break,
                }
            }
            if scan.finish() {
                return Streams::InlineImage;
            }
        }
        rest = &data[end..];
    }
    Streams::Clean
}

/// Finds the inline-image operators in a content stream fed to it a piece
/// at a time: `BI`, then within its short dictionary `ID`, each a token of
/// its own (whitespace, or the stream's start or end, on both sides). One
/// pass, constant state: only the latest `BI` matters, because an `ID`
/// within reach of any earlier `BI` is within reach of a later one too.
#[derive(Default)]
struct InlineImageScan {
    /// Bytes fed so far.
    at: u64,
    /// The last three bytes fed, oldest first; before the start, spaces
    /// (the start delimits a token as whitespace does).
    last: [u8; 3],
    started: bool,
    /// Where the latest delimited `BI` began.
    bi: Option<u64>,
}

impl InlineImageScan {
    fn feed(&mut self, bytes: &[u8]) -> bool {
        if !self.started {
            self.last = [b' '; 3];
            self.started = true;
        }
        for &c in bytes {
            if c.is_ascii_whitespace() && self.token_ends() {
                return true;
            }
            self.last = [self.last[1], self.last[2], c];
            self.at += 1;
        }
        false
    }

    /// The end of the stream delimits its last token too.
    fn finish(&mut self) -> bool {
        self.started && self.token_ends()
    }

    /// A two-letter token just ended (the next byte is whitespace, or there
    /// is none): note a `BI`; answer whether an `ID` is within its reach.
    fn token_ends(&mut self) -> bool {
        let [before, a, b] = self.last;
        if !before.is_ascii_whitespace() || self.at < 2 {
            return false;
        }
        let start = self.at - 2;
        match [a, b] {
            [b'B', b'I'] => self.bi = Some(start),
            [b'I', b'D'] => {
                if let Some(bi) = self.bi {
                    return bi + 2 <= start && start + 2 <= bi + 2 + INLINE_DICT_SPAN as u64;
                }
            }
            _ => {}
        }
        false
    }
}

/// Object streams hide their objects' dictionaries behind compression, so
/// a PDF that uses them cannot be checked for pictures without unpacking.
fn pdf_unreadable(b: &[u8]) -> bool {
    contains_ci(b, b"/ObjStm")
}

pub const PDF_UNCHECKED: &str = "this PDF is packed in a way Vigil cannot check for pictures, so it cannot be sent. \
Copy the text into the form instead, or give the web address";

fn image_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".jpg", ".jpeg", ".png", ".gif", ".bmp", ".webp", ".tif", ".tiff", ".heic", ".avif", ".svg", ".svgz"]
        .iter()
        .any(|e| lower.ends_with(e))
}

/// Decides what an attachment is, or why it is refused, within a budget
/// of its own ([`MAX_PDF_INFLATED`] unpacked).
pub fn classify(name: &str, declared_type: &str, bytes: &[u8]) -> Result<AttachmentType, AttachmentError> {
    classify_within(name, declared_type, bytes, &mut CheckBudget::new(MAX_PDF_INFLATED))
}

/// As [`classify`], spending `budget`, which may be shared with the other
/// files of the same request.
pub fn classify_within(
    name: &str,
    declared_type: &str,
    bytes: &[u8],
    budget: &mut CheckBudget<'_>,
) -> Result<AttachmentType, AttachmentError> {
    let fail = |why: &str| Err(AttachmentError { name: name.chars().take(100).collect(), why: why.to_owned() });
    let declared = declared_type.trim().to_ascii_lowercase();
    if looks_like_image(bytes) || declared.starts_with("image/") || image_name(name) {
        return fail(IMAGE_REFUSED);
    }
    if bytes.is_empty() {
        return fail("the file is empty");
    }
    if bytes.len() > MAX_ATTACHMENT_BYTES {
        return fail("the file is larger than 5 MB");
    }
    if bytes.starts_with(b"%PDF-") {
        if pdf_has_picture(bytes) {
            return fail(IMAGE_REFUSED);
        }
        if pdf_unreadable(bytes) {
            return fail(PDF_UNCHECKED);
        }
        return match pdf_streams(bytes, budget) {
            Streams::Clean => Ok(AttachmentType::Pdf),
            Streams::InlineImage => fail(IMAGE_REFUSED),
            Streams::TooCostly => fail(PDF_UNCHECKED),
        };
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return fail("only text or HTML chat exports (UTF-8) and PDF files can be attached");
    };
    if text.contains('\0') {
        return fail("only text or HTML chat exports (UTF-8) and PDF files can be attached");
    }
    // Pictures inside text: SVG drawings, HTML image tags, and images
    // written out as data: URLs (also in CSS).
    if contains_ci(bytes, b"<svg") || contains_ci(bytes, b"<img") || contains_ci(bytes, b"data:image") {
        return fail(IMAGE_REFUSED);
    }
    let lower = name.to_ascii_lowercase();
    let head = text.trim_start().get(..15).unwrap_or(text.trim_start()).to_ascii_lowercase();
    if declared.starts_with("text/html")
        || lower.ends_with(".html")
        || lower.ends_with(".htm")
        || head.starts_with("<!doctype html")
        || head.starts_with("<html")
    {
        Ok(AttachmentType::Html)
    } else {
        Ok(AttachmentType::Text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_html_and_pdf_are_accepted() {
        assert_eq!(classify("chat.txt", "text/plain", b"hello").unwrap(), AttachmentType::Text);
        assert_eq!(classify("chat.html", "", b"<p>hi</p>").unwrap(), AttachmentType::Html);
        assert_eq!(classify("x", "application/octet-stream", b"<!DOCTYPE html><p>").unwrap(), AttachmentType::Html);
        assert_eq!(classify("log.pdf", "application/pdf", b"%PDF-1.7\n...").unwrap(), AttachmentType::Pdf);
    }

    #[test]
    fn images_are_refused_even_when_disguised() {
        for (name, ty, bytes) in [
            ("chat.txt", "text/plain", &b"\x89PNG\r\n\x1a\n...."[..]),
            ("chat.txt", "text/plain", &[0xFF, 0xD8, 0xFF, 0xE0, 0, 0][..]),
            ("notes.txt", "text/plain", &b"GIF89a...."[..]),
            ("photo.jpg", "text/plain", &b"plain words"[..]),
            ("a", "image/png", &b"plain words"[..]),
            ("a", "", &b"RIFF\0\0\0\0WEBPVP8 "[..]),
        ] {
            let e = classify(name, ty, bytes).unwrap_err();
            assert_eq!(e.why, IMAGE_REFUSED, "{name} {ty}");
        }
    }

    /// Issue 11, finding 6: a PDF with an image object, HTML with `<img>`
    /// or `data:image`, and SVG slipped past the byte check.
    #[test]
    fn pictures_inside_pdf_html_and_svg_are_refused() {
        for (name, ty, bytes) in [
            ("a.pdf", "application/pdf", &b"%PDF-1.7\n1 0 obj << /Type /XObject /Subtype /Image /Width 8 >>"[..]),
            ("a.pdf", "application/pdf", &b"%PDF-1.4\n<</Subtype /Im#61ge>>"[..]),
            ("a.pdf", "application/pdf", &b"%PDF-1.4\n<</Filter/DCTDecode/Length 9>>stream"[..]),
            ("chat.html", "text/html", &b"<p>hi</p><IMG src=x.jpg>"[..]),
            ("chat.html", "text/html", &b"<p style=\"background:url(DATA:image/png;base64,AAAA)\">"[..]),
            ("chat.txt", "text/plain", &b"look data:image/jpeg;base64,/9j/4AAQ"[..]),
            ("drawing.txt", "text/plain", &b"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\">"[..]),
            ("drawing.svg", "", &b"plain words"[..]),
        ] {
            let e = classify(name, ty, bytes).unwrap_err();
            assert_eq!(e.why, IMAGE_REFUSED, "{name}: {}", String::from_utf8_lossy(bytes));
        }
        let e = classify("a.pdf", "application/pdf", b"%PDF-1.5\n5 0 obj <</Type/ObjStm/N 3>>").unwrap_err();
        assert_eq!(e.why, PDF_UNCHECKED);
        // Words about pictures are not pictures.
        assert!(classify("chat.txt", "text/plain", b"he said he would send an image").is_ok());
        assert!(classify("a.pdf", "application/pdf", b"%PDF-1.7\n<</Type/Page/Contents 4 0 R>>").is_ok());
    }

    fn deflate(b: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(b).unwrap();
        z.finish().unwrap()
    }

    fn pdf_with_stream(filter: &str, data: &[u8]) -> Vec<u8> {
        let mut pdf = format!("%PDF-1.7\n4 0 obj <</Length {}{filter}>>\nstream\n", data.len()).into_bytes();
        pdf.extend_from_slice(data);
        pdf.extend_from_slice(b"\nendstream\nendobj\n%%EOF\n");
        pdf
    }

    /// Issue 11: an inline image (`BI … ID … EI`) draws a picture with no
    /// image object, and content streams are usually compressed.
    #[test]
    fn inline_images_are_refused_compressed_or_not() {
        let inline = b"q 8 0 0 8 0 0 cm BI /W 2 /H 2 /BPC 8 /CS /G ID \x00\xff\xff\x00 EI Q";
        for pdf in [pdf_with_stream("", inline), pdf_with_stream("/Filter/FlateDecode", &deflate(inline))] {
            assert_eq!(classify("a.pdf", "application/pdf", &pdf).unwrap_err().why, IMAGE_REFUSED);
        }
        // Across the pieces a compressed stream is read in.
        let mut late = vec![b' '; (64 << 10) - 10];
        late.extend_from_slice(inline);
        let pdf = pdf_with_stream("/Filter/FlateDecode", &deflate(&late));
        assert_eq!(classify("a.pdf", "application/pdf", &pdf).unwrap_err().why, IMAGE_REFUSED);
        // Text that merely mentions the letters is not an image.
        let text = b"BT /F1 12 Tf (BI and ID are initials) Tj ET";
        for pdf in [pdf_with_stream("", text), pdf_with_stream("/Filter/FlateDecode", &deflate(text))] {
            assert_eq!(classify("a.pdf", "application/pdf", &pdf).unwrap(), AttachmentType::Pdf);
        }
    }

    /// Issue 24, finding 1: a 17 KB PDF whose stream unpacked to `BI BI BI
    /// …` cost about ten seconds (a look-ahead of 1,024 bytes for every
    /// `BI`). Each byte is now looked at once; 32 MiB of it is checked, and
    /// found clean, as fast as any other stream.
    #[test]
    fn a_stream_of_bi_tokens_is_read_once() {
        let bomb = deflate(&b"BI ".repeat(MAX_PDF_INFLATED / 2 / 3));
        let pdf = pdf_with_stream("/Filter/FlateDecode", &bomb);
        assert!(pdf.len() < 300 << 10, "{}", pdf.len());
        assert_eq!(classify("a.pdf", "application/pdf", &pdf).unwrap(), AttachmentType::Pdf);
        // The same with an ID at the very end, out of reach of every BI but the last.
        let mut ops = b"BI ".repeat(100_000);
        ops.extend_from_slice(b"/W 2 ID \x00 EI");
        let pdf = pdf_with_stream("/Filter/FlateDecode", &deflate(&ops));
        assert_eq!(classify("a.pdf", "application/pdf", &pdf).unwrap_err().why, IMAGE_REFUSED);
    }

    /// A million empty streams cost a few kilobytes each, so they too run
    /// out of budget rather than of patience.
    #[test]
    fn many_streams_spend_the_budget() {
        let mut pdf = b"%PDF-1.7\n".to_vec();
        pdf.extend_from_slice(&b"stream\nx\nendstream\n".repeat(20_000));
        assert_eq!(classify("a.pdf", "application/pdf", &pdf).unwrap_err().why, PDF_UNCHECKED);
        let mut budget = CheckBudget::new(200 * STREAM_COST);
        assert_eq!(classify_within("a.pdf", "", &pdf[..2000], &mut budget).unwrap(), AttachmentType::Pdf);
    }

    /// The caller's stop (a deadline, in the web) refuses what is left.
    #[test]
    fn a_spent_budget_refuses_every_pdf_after_it() {
        let stopped = || true;
        let mut budget = CheckBudget::with_stop(MAX_PDF_INFLATED, &stopped);
        let pdf = pdf_with_stream("", b"BT (hello) Tj ET");
        assert_eq!(classify_within("a.pdf", "", &pdf, &mut budget).unwrap_err().why, PDF_UNCHECKED);
        assert!(budget.is_spent());
        // Text needs no budget.
        assert_eq!(classify_within("a.txt", "", b"hello", &mut budget).unwrap(), AttachmentType::Text);
    }

    /// The one-pass scanner against the rule written plainly (each `BI`,
    /// then an `ID` within its dictionary's reach), fed whole or in pieces.
    fn plain_rule(ops: &[u8], span: usize) -> bool {
        let ws = |i: usize| ops.get(i).is_none_or(|c| c.is_ascii_whitespace());
        let delimited = |i: usize| (i == 0 || ws(i - 1)) && ws(i + 2);
        (0..ops.len().saturating_sub(1)).any(|bi| {
            &ops[bi..bi + 2] == b"BI"
                && delimited(bi)
                && (bi + 2..(bi + span).min(ops.len().saturating_sub(1)) + 1)
                    .any(|id| id + 2 <= ops.len() && &ops[id..id + 2] == b"ID" && delimited(id))
        })
    }

    proptest::proptest! {
        #[test]
        fn one_pass_scan_agrees_with_the_plain_rule(
            ops in proptest::collection::vec(proptest::sample::select(vec![b'B', b'I', b'D', b' ', b'\n', b'x']), 0..2600),
            cut in 0usize..2600,
        ) {
            let expected = plain_rule(&ops, INLINE_DICT_SPAN);
            let mut whole = InlineImageScan::default();
            let got = whole.feed(&ops) || whole.finish();
            proptest::prop_assert_eq!(got, expected);
            let cut = cut.min(ops.len());
            let mut pieces = InlineImageScan::default();
            let got = pieces.feed(&ops[..cut]) || pieces.feed(&ops[cut..]) || pieces.finish();
            proptest::prop_assert_eq!(got, expected);
        }
    }

    #[test]
    fn a_pdf_that_unpacks_past_the_budget_cannot_be_checked() {
        let bomb = deflate(&vec![b' '; MAX_PDF_INFLATED + 10]);
        let pdf = pdf_with_stream("/Filter/FlateDecode", &bomb);
        assert!(pdf.len() < MAX_ATTACHMENT_BYTES);
        assert_eq!(classify("a.pdf", "application/pdf", &pdf).unwrap_err().why, PDF_UNCHECKED);
    }

    #[test]
    fn binaries_empty_and_oversized_files_are_refused() {
        assert!(classify("a.txt", "text/plain", &[0xC3, 0x28]).unwrap_err().why.contains("UTF-8"));
        assert!(classify("a.txt", "text/plain", b"a\0b").is_err());
        assert!(classify("a.txt", "text/plain", b"").unwrap_err().why.contains("empty"));
        let big = vec![b'a'; MAX_ATTACHMENT_BYTES + 1];
        assert!(classify("a.txt", "text/plain", &big).unwrap_err().why.contains("5 MB"));
    }
}
