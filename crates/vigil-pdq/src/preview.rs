//! Small previews of seized images for review, and the blurred, grey
//! rendering an officer sees of one. A preview is made once, at most
//! [`PREVIEW_SIDE`] pixels a side, and kept sealed; what is sent to a
//! screen is rendered from it each time with the officer's own settings,
//! so clear pixels reach a browser only when the officer has chosen no
//! blur and colour.

use crate::image_input::decode_bytes;
use std::io::Cursor;

/// Longest side of a preview, in pixels.
pub const PREVIEW_SIDE: u32 = 256;

/// A JPEG at most [`PREVIEW_SIDE`] a side of an image file's bytes.
pub fn preview_jpeg(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let rgb = decode_bytes(bytes)?;
    preview_of_rgb(&rgb)
}

/// The same, of RGB pixels already decoded (a video frame).
pub fn preview_of_rgb(rgb: &image::RgbImage) -> Result<Vec<u8>, String> {
    let (w, h) = rgb.dimensions();
    let scale = f64::from(PREVIEW_SIDE) / f64::from(w.max(h));
    let small = if scale < 1.0 {
        let nw = ((f64::from(w) * scale).round() as u32).max(1);
        let nh = ((f64::from(h) * scale).round() as u32).max(1);
        image::imageops::resize(rgb, nw, nh, image::imageops::FilterType::Triangle)
    } else {
        rgb.clone()
    };
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85).encode_image(&small).map_err(|e| e.to_string())?;
    Ok(out)
}

/// How a preview is shown: Gaussian blur (sigma in pixels of the preview;
/// 0 for none) and greyscale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ViewSettings {
    pub blur: u32,
    pub grey: bool,
}

/// Renders a preview as PNG with the blur and greyscale asked for.
pub fn render_preview(jpeg: &[u8], view: ViewSettings) -> Result<Vec<u8>, String> {
    let rgb = decode_bytes(jpeg)?;
    let img = image::DynamicImage::ImageRgb8(rgb);
    let img = if view.blur > 0 { img.blur(view.blur as f32) } else { img };
    let img = if view.grey { image::DynamicImage::ImageLuma8(img.to_luma8()) } else { img };
    let mut out = Vec::new();
    img.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png).map_err(|e| e.to_string())?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = crate::synthetic::pattern(7, w, h);
        let mut out = Vec::new();
        img.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png).unwrap();
        out
    }

    #[test]
    fn previews_are_small_and_render_grey_and_blurred() {
        let p = preview_jpeg(&png(800, 400)).unwrap();
        let d = decode_bytes(&p).unwrap();
        assert_eq!(d.dimensions(), (256, 128));
        let clear = render_preview(&p, ViewSettings { blur: 0, grey: false }).unwrap();
        let grey = render_preview(&p, ViewSettings { blur: 8, grey: true }).unwrap();
        let g = image::load_from_memory(&grey).unwrap();
        assert!(matches!(g, image::DynamicImage::ImageLuma8(_)));
        // Blurring removes detail: neighbouring pixels differ less.
        let detail = |img: &image::GrayImage| -> u64 {
            img.pixels().zip(img.pixels().skip(1)).map(|(a, b)| u64::from(a.0[0].abs_diff(b.0[0]))).sum()
        };
        let c = image::load_from_memory(&clear).unwrap().to_luma8();
        let (dg, dc) = (detail(&g.to_luma8()), detail(&c));
        assert!(dg * 3 < dc * 2, "blur keeps detail: {dg} against {dc}");
        assert!(preview_jpeg(b"not an image").is_err());
    }
}
