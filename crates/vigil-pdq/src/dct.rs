//! The 16×64 DCT-II matrix (rows 1 to 16: the DC row is skipped) and the
//! 64×64 → 16×16 transform.

use std::sync::OnceLock;

/// `D[i][j] = s · cos(π/128 · (i+1) · (2j+1))`, computed in f64 with the
/// scale `s = sqrt(2/64)` first rounded to f32 (as the reference declares
/// it), then the product rounded to f32.
pub fn dct_matrix() -> &'static [[f32; 64]; 16] {
    static D: OnceLock<[[f32; 64]; 16]> = OnceLock::new();
    D.get_or_init(|| {
        let scale = f64::from((2.0f64 / 64.0).sqrt() as f32);
        let mut d = [[0.0f32; 64]; 16];
        for (i, row) in d.iter_mut().enumerate() {
            for (j, v) in row.iter_mut().enumerate() {
                *v = (scale * ((std::f64::consts::PI / 2.0 / 64.0) * (i + 1) as f64 * (2 * j + 1) as f64).cos()) as f32;
            }
        }
        d
    })
}

/// `B = D A Dᵀ`, each sum in f32 in increasing k, as the reference.
pub(crate) fn dct64_to_16(a: &[[f32; 64]; 64]) -> [[f32; 16]; 16] {
    let d = dct_matrix();
    let mut t = [[0.0f32; 64]; 16];
    for (i, trow) in t.iter_mut().enumerate() {
        // Accumulate over k for all 64 columns at once: each t[i][j] still
        // adds its terms in k order.
        for (k, arow) in a.iter().enumerate() {
            let dik = d[i][k];
            for (tv, av) in trow.iter_mut().zip(arow.iter()) {
                *tv += dik * *av;
            }
        }
    }
    let mut b = [[0.0f32; 16]; 16];
    for (i, brow) in b.iter_mut().enumerate() {
        for (j, bv) in brow.iter_mut().enumerate() {
            let mut s = 0.0f32;
            for k in 0..64 {
                s += t[i][k] * d[j][k];
            }
            *bv = s;
        }
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_matches_f64_values_cast() {
        let d = dct_matrix();
        for (i, j) in [(0, 0), (0, 63), (7, 31), (15, 0), (15, 63)] {
            let s = (2.0f64 / 64.0).sqrt() as f32;
            let want =
                (f64::from(s) * ((std::f64::consts::PI / 128.0) * (i + 1) as f64 * (2 * j + 1) as f64).cos()) as f32;
            assert_eq!(d[i][j].to_bits(), want.to_bits(), "D[{i}][{j}]");
            let close = ((2.0f64 / 64.0).sqrt()
                * ((std::f64::consts::PI / 128.0) * (i + 1) as f64 * (2 * j + 1) as f64).cos())
                as f32;
            assert!((d[i][j] - close).abs() < 1e-6);
        }
    }

    #[test]
    fn transform_matches_the_naive_order() {
        let mut a = [[0.0f32; 64]; 64];
        for (i, row) in a.iter_mut().enumerate() {
            for (j, v) in row.iter_mut().enumerate() {
                *v = ((i * 31 + j * 17) % 97) as f32 * 1.37;
            }
        }
        let d = dct_matrix();
        let b = dct64_to_16(&a);
        for i in 0..16 {
            let mut t = [0.0f32; 64];
            for (j, tv) in t.iter_mut().enumerate() {
                let mut s = 0.0f32;
                for k in 0..64 {
                    s += d[i][k] * a[k][j];
                }
                *tv = s;
            }
            for j in 0..16 {
                let mut s = 0.0f32;
                for k in 0..64 {
                    s += t[k] * d[j][k];
                }
                assert_eq!(b[i][j].to_bits(), s.to_bits());
            }
        }
    }
}
