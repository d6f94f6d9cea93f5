//! Decoding image files (PNG, JPEG, GIF, BMP, WebP) to RGB for hashing.
//! EXIF orientation is deliberately not applied, as in the reference.

use crate::luma::luma_from_rgb;
use crate::pdq::{dihedral_from_luma, hash_from_luma, Dihedral, PdqResult};
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("{path}: {why}")]
    Decode { path: String, why: String },
}

/// Hash and dihedral hashes of RGB pixels (row-major, 3 bytes per pixel).
pub fn hash_rgb(rgb: &[u8], width: usize, height: usize) -> (PdqResult, Dihedral) {
    let mut luma = luma_from_rgb(rgb, width, height);
    let mut copy = luma.clone();
    let r = hash_from_luma(&mut luma, height, width);
    let d = dihedral_from_luma(&mut copy, height, width);
    (r, d)
}

/// Decodes and hashes an image file.
pub fn hash_file(path: &Path) -> Result<(PdqResult, Dihedral), ImageError> {
    let err = |why: String| ImageError::Decode { path: path.display().to_string(), why };
    let reader = image::ImageReader::open(path).map_err(|e| err(e.to_string()))?;
    let reader = reader.with_guessed_format().map_err(|e| err(e.to_string()))?;
    if reader.format().is_none() {
        return Err(err("not an image format Vigil decodes (PNG, JPEG, GIF, BMP, WebP)".into()));
    }
    let img = reader.decode().map_err(|e| err(e.to_string()))?;
    let rgb = img.to_rgb8();
    let (w, h) = (rgb.width() as usize, rgb.height() as usize);
    Ok(hash_rgb(rgb.as_raw(), w, h))
}

/// Whether the first bytes look like an image Vigil decodes.
pub fn looks_like_image(head: &[u8]) -> bool {
    head.starts_with(b"\x89PNG\r\n\x1a\n")
        || head.starts_with(&[0xFF, 0xD8, 0xFF])
        || head.starts_with(b"GIF87a")
        || head.starts_with(b"GIF89a")
        || head.starts_with(b"BM")
        || (head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP")
}

/// Decodes and hashes an image held in memory.
pub fn hash_bytes(bytes: &[u8]) -> Result<(PdqResult, Dihedral), String> {
    let img = image::load_from_memory(bytes).map_err(|e| e.to_string())?;
    let rgb = img.to_rgb8();
    let (w, h) = (rgb.width() as usize, rgb.height() as usize);
    Ok(hash_rgb(rgb.as_raw(), w, h))
}
