//! Luma as the reference wrapper computes it: `(0.299 R + 0.587 G) + 0.114 B`
//! in f64, then cast to f32. A grey image is treated as R = G = B with the
//! same formula (no shortcut), and alpha is ignored.

fn y(r: u8, g: u8, b: u8) -> f32 {
    (0.299 * f64::from(r) + 0.587 * f64::from(g) + 0.114 * f64::from(b)) as f32
}

/// The three products for every byte value: the same f64 values the formula
/// computes, looked up instead of multiplied.
struct Tables {
    r: [f64; 256],
    g: [f64; 256],
    b: [f64; 256],
}

fn tables() -> &'static Tables {
    static T: std::sync::OnceLock<Tables> = std::sync::OnceLock::new();
    T.get_or_init(|| Tables {
        r: std::array::from_fn(|v| 0.299 * v as f64),
        g: std::array::from_fn(|v| 0.587 * v as f64),
        b: std::array::from_fn(|v| 0.114 * v as f64),
    })
}

/// `rgb` is row-major, 3 bytes per pixel.
pub fn luma_from_rgb(rgb: &[u8], width: usize, height: usize) -> Vec<f32> {
    let mut out = Vec::new();
    fill_luma_from_rgb(rgb, width, height, &mut out);
    out
}

/// Like [`luma_from_rgb`], into a reused buffer.
pub(crate) fn fill_luma_from_rgb(rgb: &[u8], width: usize, height: usize, out: &mut Vec<f32>) {
    assert_eq!(rgb.len(), width * height * 3, "RGB buffer size");
    let t = tables();
    out.clear();
    out.extend(rgb.chunks_exact(3).map(|p| ((t.r[p[0] as usize] + t.g[p[1] as usize]) + t.b[p[2] as usize]) as f32));
}

/// `rgba` is row-major, 4 bytes per pixel; alpha is ignored.
pub fn luma_from_rgba(rgba: &[u8], width: usize, height: usize) -> Vec<f32> {
    assert_eq!(rgba.len(), width * height * 4, "RGBA buffer size");
    rgba.chunks_exact(4).map(|p| y(p[0], p[1], p[2])).collect()
}

pub fn luma_from_grey(grey: &[u8], width: usize, height: usize) -> Vec<f32> {
    assert_eq!(grey.len(), width * height, "grey buffer size");
    grey.iter().map(|&v| y(v, v, v)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luma_matches_the_f64_formula_and_grey_is_not_a_shortcut() {
        let l = luma_from_rgb(&[255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30], 4, 1);
        assert_eq!(l[0], (0.299f64 * 255.0) as f32);
        assert_eq!(l[1], (0.587f64 * 255.0) as f32);
        assert_eq!(l[2], (0.114f64 * 255.0) as f32);
        assert_eq!(l[3], ((0.299f64 * 10.0 + 0.587 * 20.0) + 0.114 * 30.0) as f32);
        // 0.299 + 0.587 + 0.114 is not exactly 1 in floating point: grey 255
        // must go through the formula, not be copied.
        let g = luma_from_grey(&[255, 7], 2, 1);
        assert_eq!(g[0], ((0.299f64 * 255.0 + 0.587 * 255.0) + 0.114 * 255.0) as f32);
        assert_eq!(g, luma_from_rgb(&[255, 255, 255, 7, 7, 7], 2, 1));
        assert_eq!(luma_from_rgba(&[10, 20, 30, 0], 1, 1), luma_from_rgb(&[10, 20, 30], 1, 1));
        // The lookup tables give exactly the formula's values for every byte triple tested.
        for (r, g, b) in [(0, 0, 0), (255, 255, 255), (1, 2, 3), (200, 17, 99), (128, 128, 127)] {
            assert_eq!(luma_from_rgb(&[r, g, b], 1, 1)[0].to_bits(), y(r, g, b).to_bits());
        }
    }
}
