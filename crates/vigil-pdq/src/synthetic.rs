//! Benign synthetic pictures (gradients, discs and bars from a seed) for
//! tests, benchmarks and the demo: never a photograph of anything. The
//! same seed gives the same picture, and different seeds give pictures
//! far apart in PDQ.

use image::{Rgb, RgbImage};

/// A small deterministic generator (SplitMix64), so no dependency is needed.
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u32) -> u32 {
        (self.next() % u64::from(n.max(1))) as u32
    }
}

/// A picture of `w` x `h` drawn from `seed`: waves between two colours,
/// with discs and bars of other colours.
pub fn pattern(seed: u64, w: u32, h: u32) -> RgbImage {
    let mut r = Mix(seed.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ 0x5851_F42D_4C95_7F2D);
    let colour = |r: &mut Mix| [r.below(256) as u8, r.below(256) as u8, r.below(256) as u8];
    let (a, b) = (colour(&mut r), colour(&mut r));
    // Waves of a few cycles across the picture: strong low frequencies,
    // which is what PDQ's 16x16 DCT reads.
    let waves: Vec<(f64, f64, f64, f64)> = (0..5)
        .map(|_| {
            let fx = f64::from(r.below(7)) + 0.5;
            let fy = f64::from(r.below(7)) + 0.5;
            let phase = f64::from(r.below(628)) / 100.0;
            let amp = 0.4 + f64::from(r.below(60)) / 100.0;
            (fx, fy, phase, amp)
        })
        .collect();
    let total: f64 = waves.iter().map(|w| w.3).sum();
    let mut img = RgbImage::from_fn(w, h, |x, y| {
        let (u, v) = (f64::from(x) / f64::from(w), f64::from(y) / f64::from(h));
        let s: f64 = waves
            .iter()
            .map(|(fx, fy, p, amp)| amp * (std::f64::consts::TAU * (fx * u + fy * v) + p).cos())
            .sum::<f64>()
            / total;
        let t = (s * 0.5 + 0.5).clamp(0.0, 1.0);
        let mix = |i: usize| (f64::from(a[i]) * (1.0 - t) + f64::from(b[i]) * t) as u8;
        Rgb([mix(0), mix(1), mix(2)])
    });
    let shapes = 3 + r.below(4);
    for _ in 0..shapes {
        let c = colour(&mut r);
        let (cx, cy) = (r.below(w), r.below(h));
        let size = (w.min(h) / 16 + r.below(w.min(h) / 8 + 1)).max(2);
        let disc = r.below(2) == 0;
        for y in cy.saturating_sub(size)..(cy + size).min(h) {
            for x in cx.saturating_sub(size)..(cx + size).min(w) {
                let (dx, dy) = (i64::from(x) - i64::from(cx), i64::from(y) - i64::from(cy));
                let inside = if disc {
                    dx * dx + dy * dy <= i64::from(size) * i64::from(size)
                } else {
                    dy.abs() * 3 < i64::from(size)
                };
                if inside {
                    img.put_pixel(x, y, Rgb(c));
                }
            }
        }
    }
    img
}

/// A near-copy: the same picture made smaller and a little brighter, as a
/// re-post through another app would be.
pub fn near_copy(img: &RgbImage) -> RgbImage {
    let (w, h) = img.dimensions();
    let mut out =
        image::imageops::resize(img, (w * 4 / 5).max(1), (h * 4 / 5).max(1), image::imageops::FilterType::Triangle);
    for p in out.pixels_mut() {
        for c in &mut p.0 {
            *c = c.saturating_add(6);
        }
    }
    out
}

/// A hash with its 256 bits drawn from `seed` (xorshift): for tests and
/// benchmarks of matching and stacking that need no picture.
pub fn random_hash(seed: u64) -> crate::Hash256 {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut h = crate::Hash256::default();
    for w in h.0.iter_mut() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        *w = x as u16;
    }
    h
}

/// PNG bytes of a picture.
pub fn png(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png).expect("PNG encodes in memory");
    out
}

/// JPEG bytes of a picture at a quality from 1 to 100.
pub fn jpeg(img: &RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(img)
        .expect("JPEG encodes in memory");
    out
}

/// A file of a generated review tree, and what it was made as.
#[derive(Debug, Clone)]
pub struct TreeFile {
    pub path: std::path::PathBuf,
    /// The seed of the picture it shows: files of one seed (above the
    /// quality floor) belong in one stack.
    pub seed: u64,
    /// original, copy, rotation, mirror, re-encode, near-copy, unrelated or low-quality.
    pub made_as: &'static str,
}

/// Writes a tree of benign pictures under `root` for review tests: for each
/// of `groups` seeds an original PNG, and by turns an exact copy, a
/// rotation, a mirror image, a JPEG re-encode and a near-copy; `unrelated`
/// pictures of their own; and two nearly flat pictures whose quality is
/// below PDQ's floor.
pub fn review_tree(root: &std::path::Path, groups: u64, unrelated: u64) -> std::io::Result<Vec<TreeFile>> {
    let mut out = Vec::new();
    let mut put = |rel: String, bytes: &[u8], seed: u64, made_as: &'static str| -> std::io::Result<()> {
        let path = root.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(&path, bytes)?;
        out.push(TreeFile { path, seed, made_as });
        Ok(())
    };
    let mut seed = 999;
    for g in 0..groups {
        // Pictures whose PDQ quality is well above the floor, so that each
        // group is expected to stack.
        let img = loop {
            seed += 1;
            let img = pattern(seed, 320, 240);
            if crate::hash_rgb(img.as_raw(), 320, 240).0.quality >= 60 {
                break img;
            }
        };
        put(format!("DCIM/group{g}/original.png"), &png(&img), seed, "original")?;
        match g % 5 {
            0 => put(format!("Downloads/copy-of-{g}.png"), &png(&img), seed, "copy")?,
            1 => put(format!("Pictures/rotated-{g}.png"), &png(&image::imageops::rotate90(&img)), seed, "rotation")?,
            2 => put(
                format!("Pictures/mirrored-{g}.png"),
                &png(&image::imageops::flip_horizontal(&img)),
                seed,
                "mirror",
            )?,
            3 => put(format!("Telegram/reencoded-{g}.jpg"), &jpeg(&img, 70), seed, "re-encode")?,
            _ => put(format!("WhatsApp/near-{g}.png"), &png(&near_copy(&img)), seed, "near-copy")?,
        }
    }
    for u in 0..unrelated {
        let seed = 50_000 + u;
        put(format!("Misc/unrelated-{u}.jpg"), &jpeg(&pattern(seed, 240, 320), 90), seed, "unrelated")?;
    }
    for (k, v) in [(0u64, 128u8), (1, 129)] {
        let flat = RgbImage::from_pixel(200, 200, Rgb([v, v, v]));
        put(format!("Misc/flat-{k}.png"), &png(&flat), 90_000 + k, "low-quality")?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(img: &RgbImage) -> crate::Hash256 {
        crate::hash_rgb(img.as_raw(), img.width() as usize, img.height() as usize).0.hash
    }

    #[test]
    fn seeds_are_far_apart_and_near_copies_near() {
        let imgs: Vec<RgbImage> = (0..12).map(|s| pattern(s, 320, 240)).collect();
        assert_eq!(pattern(3, 320, 240), imgs[3], "deterministic");
        for i in 0..imgs.len() {
            for j in i + 1..imgs.len() {
                let d = hash(&imgs[i]).hamming(&hash(&imgs[j]));
                assert!(d > 62, "seeds {i} and {j} are only {d} apart");
            }
            let d = hash(&imgs[i]).hamming(&hash(&near_copy(&imgs[i])));
            assert!(d <= 31, "near copy of {i} is {d} apart");
        }
    }
}
