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

fn image_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".jpg", ".jpeg", ".png", ".gif", ".bmp", ".webp", ".tif", ".tiff", ".heic", ".avif"]
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
        return Ok(AttachmentType::Pdf);
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return fail("only text or HTML chat exports (UTF-8) and PDF files can be attached");
    };
    if text.contains('\0') {
        return fail("only text or HTML chat exports (UTF-8) and PDF files can be attached");
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

    #[test]
    fn binaries_empty_and_oversized_files_are_refused() {
        assert!(classify("a.txt", "text/plain", &[0xC3, 0x28]).unwrap_err().why.contains("UTF-8"));
        assert!(classify("a.txt", "text/plain", b"a\0b").is_err());
        assert!(classify("a.txt", "text/plain", b"").unwrap_err().why.contains("empty"));
        let big = vec![b'a'; MAX_ATTACHMENT_BYTES + 1];
        assert!(classify("a.txt", "text/plain", &big).unwrap_err().why.contains("5 MB"));
    }
}
