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

/// Largest image decoded, in pixels. A seized phone's photos are up to
/// about 50 megapixels; a crafted header can claim billions, and the RGB
/// copy plus two luma planes cost about 11 bytes a pixel.
pub const MAX_PIXELS: u64 = 64 * 1024 * 1024;
/// Longest side decoded, in pixels.
pub const MAX_SIDE: u32 = 32_768;
/// Most memory the decoder itself may allocate.
const MAX_DECODER_ALLOC: u64 = 768 * 1024 * 1024;

/// Decodes with limits read from the image's header before any pixel
/// buffer is allocated, so a hostile header cannot exhaust memory.
fn decode_limited<R: std::io::BufRead + std::io::Seek>(
    reader: image::ImageReader<R>,
) -> Result<image::RgbImage, String> {
    if reader.format().is_none() {
        return Err("not an image format Vigil decodes (PNG, JPEG, GIF, BMP, WebP)".into());
    }
    let mut decoder = reader.into_decoder().map_err(|e| e.to_string())?;
    let (w, h) = image::ImageDecoder::dimensions(&decoder);
    if w == 0 || h == 0 {
        return Err(format!("has no pixels ({w}x{h})"));
    }
    if w > MAX_SIDE || h > MAX_SIDE || u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(format!(
            "is too large to hash ({w}x{h} pixels; the limit is {MAX_SIDE} a side and {} megapixels)",
            MAX_PIXELS / (1024 * 1024)
        ));
    }
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODER_ALLOC);
    image::ImageDecoder::set_limits(&mut decoder, limits).map_err(|e| e.to_string())?;
    let img = image::DynamicImage::from_decoder(decoder).map_err(|e| e.to_string())?;
    Ok(img.to_rgb8())
}

/// Decodes and hashes an image file.
pub fn hash_file(path: &Path) -> Result<(PdqResult, Dihedral), ImageError> {
    let err = |why: String| ImageError::Decode { path: path.display().to_string(), why };
    let reader = image::ImageReader::open(path).map_err(|e| err(e.to_string()))?;
    let reader = reader.with_guessed_format().map_err(|e| err(e.to_string()))?;
    let rgb = decode_limited(reader).map_err(err)?;
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

/// Decodes an image held in memory, within the same limits.
pub(crate) fn decode_bytes(bytes: &[u8]) -> Result<image::RgbImage, String> {
    let reader =
        image::ImageReader::new(std::io::Cursor::new(bytes)).with_guessed_format().map_err(|e| e.to_string())?;
    decode_limited(reader)
}

/// Decodes and hashes an image held in memory.
pub fn hash_bytes(bytes: &[u8]) -> Result<(PdqResult, Dihedral), String> {
    let reader =
        image::ImageReader::new(std::io::Cursor::new(bytes)).with_guessed_format().map_err(|e| e.to_string())?;
    let rgb = decode_limited(reader)?;
    let (w, h) = (rgb.width() as usize, rgb.height() as usize);
    Ok(hash_rgb(rgb.as_raw(), w, h))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A PNG whose header claims 30,000 x 30,000 pixels (900 megapixels,
    /// about 10 GB once decoded), with no pixel data behind it.
    fn huge_png_header() -> Vec<u8> {
        let mut ihdr = Vec::new();
        ihdr.extend_from_slice(&30_000u32.to_be_bytes());
        ihdr.extend_from_slice(&30_000u32.to_be_bytes());
        ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        for (kind, data) in [(&b"IHDR"[..], &ihdr[..]), (b"IDAT", &[0x78, 0x9c, 0x03, 0x00][..]), (b"IEND", &[][..])] {
            let mut chunk = kind.to_vec();
            chunk.extend_from_slice(data);
            png.extend_from_slice(&(data.len() as u32).to_be_bytes());
            png.extend_from_slice(&chunk);
            png.extend_from_slice(&crc32(&chunk).to_be_bytes());
        }
        png
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut c = 0xFFFF_FFFFu32;
        for &b in data {
            c ^= u32::from(b);
            for _ in 0..8 {
                c = if c & 1 == 1 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
            }
        }
        !c
    }

    #[test]
    fn a_header_claiming_a_huge_image_is_refused_before_decoding() {
        let e = hash_bytes(&huge_png_header()).unwrap_err();
        assert!(e.contains("too large to hash (30000x30000 pixels"), "{e}");
    }

    #[test]
    fn an_ordinary_image_still_hashes() {
        let mut png = Vec::new();
        let img = image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([(x * 4) as u8, (y * 5) as u8, 128]));
        img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).unwrap();
        let (r, _) = hash_bytes(&png).unwrap();
        assert!(r.quality > 0);
    }

    #[test]
    fn bytes_that_are_no_image_are_named_so() {
        let e = hash_bytes(b"plain text, not a picture").unwrap_err();
        assert!(e.contains("not an image format"), "{e}");
    }
}
