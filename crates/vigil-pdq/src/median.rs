//! Torben's median, as the reference uses it (the lower median for an even
//! count, found by bisection on values without sorting).

pub fn torben(m: &[f32]) -> f32 {
    let n = m.len();
    assert!(n > 0, "the median of nothing");
    let half = n.div_ceil(2);
    let (mut min, mut max) = (m[0], m[0]);
    for &v in &m[1..] {
        if v < min {
            min = v;
        }
        if v > max {
            max = v;
        }
    }
    loop {
        let guess = (min + max) / 2.0;
        let (mut less, mut greater, mut equal) = (0usize, 0usize, 0usize);
        let (mut max_lt, mut min_gt) = (min, max);
        for &v in m {
            if v < guess {
                less += 1;
                if v > max_lt {
                    max_lt = v;
                }
            } else if v > guess {
                greater += 1;
                if v < min_gt {
                    min_gt = v;
                }
            } else {
                equal += 1;
            }
        }
        if less <= half && greater <= half {
            return if less >= half {
                max_lt
            } else if less + equal >= half {
                guess
            } else {
                min_gt
            };
        } else if less > greater {
            max = max_lt;
        } else {
            min = min_gt;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lower_median() {
        assert_eq!(torben(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(torben(&[4.0, 1.0, 3.0, 2.0]), 2.0);
        assert_eq!(torben(&[5.0; 7]), 5.0);
        let v: Vec<f32> = (0..256).map(|i| ((i * 73) % 256) as f32 - 100.5).collect();
        let mut s = v.clone();
        s.sort_by(f32::total_cmp);
        assert_eq!(torben(&v), s[127]);
    }
}
