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
        .any(|n| names.windows(n.len()).any(|w| w == *n))
}

/// Bytes the content streams of one PDF may unpack to, in all: within
/// this, every stream is read; past it, the PDF cannot be checked.
const MAX_PDF_INFLATED: usize = 64 << 20;

/// How far after `BI` its `ID` is looked for: an inline image's
/// dictionary is a handful of short keys.
const INLINE_DICT_SPAN: usize = 1024;

/// What reading a PDF's content streams found.
#[derive(Debug, PartialEq, Eq)]
enum Streams {
    Clean,
    /// An inline image (`BI … ID … EI`): a picture drawn inside a content
    /// stream, with no image object to find.
    InlineImage,
    /// More to unpack than the budget allows.
    TooLarge,
}

/// Reads every stream of a PDF, unpacking those that are Flate-compressed
/// (as content streams usually are), for inline images.
fn pdf_streams(b: &[u8]) -> Streams {
    let mut budget = MAX_PDF_INFLATED;
    let mut rest = b;
    while let Some(at) = find(rest, b"stream") {
        let mut data = &rest[at + b"stream".len()..];
        // `endstream` also contains "stream": step over it.
        if rest[..at].ends_with(b"end") {
            rest = data;
            continue;
        }
        data = data.strip_prefix(b"\r\n").or_else(|| data.strip_prefix(b"\n")).unwrap_or(data);
        let end = find(data, b"endstream").unwrap_or(data.len());
        let raw = &data[..end];
        if has_inline_image(raw) {
            return Streams::InlineImage;
        }
        // A stream that does not inflate was read as it is (above); one that
        // does is read unpacked, as far as it goes, a piece at a time, keeping
        // enough of the last piece for an inline image's dictionary to span two.
        let mut z = flate2::read::ZlibDecoder::new(raw);
        let mut piece = vec![0u8; 64 << 10];
        let mut seen: Vec<u8> = Vec::new();
        loop {
            let n = match std::io::Read::read(&mut z, &mut piece) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            if n > budget {
                return Streams::TooLarge;
            }
            budget -= n;
            seen.extend_from_slice(&piece[..n]);
            if has_inline_image(&seen) {
                return Streams::InlineImage;
            }
            seen.drain(..seen.len().saturating_sub(INLINE_DICT_SPAN + 8));
        }
        rest = &data[end..];
    }
    Streams::Clean
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The inline-image operators: `BI`, then (within its short dictionary)
/// `ID`, each a token of its own.
fn has_inline_image(ops: &[u8]) -> bool {
    let delimited = |i: usize, n: usize| {
        (i == 0 || ops[i - 1].is_ascii_whitespace()) && ops.get(i + n).is_none_or(|c| c.is_ascii_whitespace())
    };
    let mut i = 0;
    while let Some(at) = find(&ops[i..], b"BI") {
        let bi = i + at;
        if delimited(bi, 2) {
            let window = &ops[bi + 2..ops.len().min(bi + 2 + INLINE_DICT_SPAN)];
            let mut j = 0;
            while let Some(k) = find(&window[j..], b"ID") {
                if delimited(bi + 2 + j + k, 2) {
                    return true;
                }
                j += k + 2;
            }
        }
        i = bi + 2;
    }
    false
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

/// Decides what an attachment is, or why it is refused.
pub fn classify(name: &str, declared_type: &str, bytes: &[u8]) -> Result<AttachmentType, AttachmentError> {
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
        return match pdf_streams(bytes) {
            Streams::Clean => Ok(AttachmentType::Pdf),
            Streams::InlineImage => fail(IMAGE_REFUSED),
            Streams::TooLarge => fail(PDF_UNCHECKED),
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
