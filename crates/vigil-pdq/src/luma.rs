//! Luma as the reference wrapper computes it: `(0.299 R + 0.587 G) + 0.114 B`
//! in f64, then cast to f32. A grey image is treated as R = G = B with the
//! same formula (no shortcut), and alpha is ignored.

fn y(r: u8, g: u8, b: u8) -> f32 {
    (0.299 * f64::from(r) + 0.587 * f64::from(g) + 0.114 * f64::from(b)) as f32
}

/// `rgb` is row-major, 3 bytes per pixel.
pub fn luma_from_rgb(rgb: &[u8], width: usize, height: usize) -> Vec<f32> {
    assert_eq!(rgb.len(), width * height * 3, "RGB buffer size");
    rgb.chunks_exact(3).map(|p| y(p[0], p[1], p[2])).collect()
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
    }
}
