//! PDQ's quality: the sum of neighbour gradients over the 64×64 sample, each
//! `(u - v) · 100 / 255` in f32 truncated toward zero, divided by 90, capped at 100.

pub fn quality(a: &[[f32; 64]; 64]) -> u32 {
    let step = |u: f32, v: f32| -> i64 { ((((u - v) * 100.0) / 255.0) as i32).unsigned_abs() as i64 };
    let mut sum: i64 = 0;
    for pair in a.windows(2) {
        for (u, v) in pair[0].iter().zip(pair[1].iter()) {
            sum += step(*u, *v);
        }
    }
    for row in a.iter() {
        for pair in row.windows(2) {
            sum += step(pair[0], pair[1]);
        }
    }
    (sum / 90).min(100) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_is_zero_and_stripes_saturate() {
        assert_eq!(quality(&[[7.0; 64]; 64]), 0);
        let mut s = [[0.0f32; 64]; 64];
        for row in s.iter_mut() {
            for (j, v) in row.iter_mut().enumerate() {
                *v = if j % 2 == 0 { 0.0 } else { 255.0 };
            }
        }
        assert_eq!(quality(&s), 100);
        // Each pair contributes a truncated value: 2.54 → 0 per pair.
        let mut g = [[0.0f32; 64]; 64];
        for row in g.iter_mut() {
            for (j, v) in row.iter_mut().enumerate() {
                *v = j as f32 * 2.54;
            }
        }
        assert_eq!(quality(&g), 0);
    }
}
