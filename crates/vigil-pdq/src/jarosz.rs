//! Jarosz box filtering and the 64×64 point sample.

/// The box window for shrinking `old` to 64: `(old + 127) / 128`.
pub fn window_size(old: usize) -> usize {
    old.div_ceil(2 * 64)
}

/// Phase lengths of the reference's 1-D box filter for one vector.
struct Phases {
    half: usize,
    p2: usize,
    p3: usize,
}

fn phases(len: usize, window: usize) -> Phases {
    let half = (window + 2) / 2;
    Phases { half, p2: window + 1 - half, p3: len.saturating_sub(window) }
}

/// One 1-D pass over a contiguous vector, as the reference's `box1DFloat`:
/// a running f32 sum, divided by the current window size.
fn box_row(input: &[f32], out: &mut [f32], window: usize) {
    let Phases { half, p2, p3 } = phases(input.len(), window);
    let (mut li, mut ri, mut oi) = (0usize, 0usize, 0usize);
    let mut sum = 0.0f32;
    let mut n = 0i32;
    for _ in 0..half - 1 {
        sum += input[ri];
        n += 1;
        ri += 1;
    }
    for _ in 0..p2 {
        sum += input[ri];
        n += 1;
        out[oi] = sum / n as f32;
        ri += 1;
        oi += 1;
    }
    for _ in 0..p3 {
        sum += input[ri];
        sum -= input[li];
        out[oi] = sum / n as f32;
        li += 1;
        ri += 1;
        oi += 1;
    }
    for _ in 0..half - 1 {
        sum -= input[li];
        n -= 1;
        out[oi] = sum / n as f32;
        li += 1;
        oi += 1;
    }
}

/// The row pass for 8 rows at a time. The strip is first packed column by
/// column (`strip[c][lane]`), so the 8 rows' running sums advance together as
/// one vector: each row's chain keeps the reference's operations in the
/// reference's order, and additions, subtractions and divisions run 8 wide.
fn box_rows_strip(
    input: &[f32],
    out: &mut [f32],
    cols: usize,
    window: usize,
    packed: &mut Vec<[f32; 8]>,
    result: &mut Vec<[f32; 8]>,
) {
    packed.clear();
    packed.extend((0..cols).map(|c| std::array::from_fn(|l| input[l * cols + c])));
    result.clear();
    result.resize(cols, [0.0; 8]);
    let Phases { half, p2, p3 } = phases(cols, window);
    let mut sum = [0.0f32; 8];
    let (mut li, mut ri, mut oi) = (0usize, 0usize, 0usize);
    let mut n = 0i32;
    for _ in 0..half - 1 {
        for l in 0..8 {
            sum[l] += packed[ri][l];
        }
        n += 1;
        ri += 1;
    }
    for _ in 0..p2 {
        n += 1;
        let d = n as f32;
        for l in 0..8 {
            sum[l] += packed[ri][l];
            result[oi][l] = sum[l] / d;
        }
        ri += 1;
        oi += 1;
    }
    for _ in 0..p3 {
        let d = n as f32;
        let (a, b) = (packed[ri], packed[li]);
        let o = &mut result[oi];
        for l in 0..8 {
            sum[l] += a[l];
            sum[l] -= b[l];
            o[l] = sum[l] / d;
        }
        li += 1;
        ri += 1;
        oi += 1;
    }
    for _ in 0..half - 1 {
        n -= 1;
        let d = n as f32;
        for l in 0..8 {
            sum[l] -= packed[li][l];
            result[oi][l] = sum[l] / d;
        }
        li += 1;
        oi += 1;
    }
    for (c, v) in result.iter().enumerate() {
        for (l, x) in v.iter().enumerate() {
            out[l * cols + c] = *x;
        }
    }
}

/// The column pass, run across every column at once. Each column's sum sees
/// exactly the additions, subtractions and divisions of the reference, in
/// the same order; only the interleaving between columns differs, which
/// changes no result.
fn box_cols(input: &[f32], out: &mut [f32], rows: usize, cols: usize, window: usize, sums: &mut [f32]) {
    let Phases { half, p2, p3 } = phases(rows, window);
    sums.iter_mut().for_each(|s| *s = 0.0);
    let row = |r: usize| &input[r * cols..(r + 1) * cols];
    let (mut li, mut ri, mut oi) = (0usize, 0usize, 0usize);
    let mut n = 0i32;
    for _ in 0..half - 1 {
        for (s, v) in sums.iter_mut().zip(row(ri)) {
            *s += *v;
        }
        n += 1;
        ri += 1;
    }
    for _ in 0..p2 {
        n += 1;
        let d = n as f32;
        for ((s, v), o) in sums.iter_mut().zip(row(ri)).zip(out[oi * cols..(oi + 1) * cols].iter_mut()) {
            *s += *v;
            *o = *s / d;
        }
        ri += 1;
        oi += 1;
    }
    for _ in 0..p3 {
        let d = n as f32;
        let (add, sub) = (row(ri), row(li));
        for (((s, a), b), o) in sums.iter_mut().zip(add).zip(sub).zip(out[oi * cols..(oi + 1) * cols].iter_mut()) {
            *s += *a;
            *s -= *b;
            *o = *s / d;
        }
        li += 1;
        ri += 1;
        oi += 1;
    }
    for _ in 0..half - 1 {
        n -= 1;
        let d = n as f32;
        for ((s, v), o) in sums.iter_mut().zip(row(li)).zip(out[oi * cols..(oi + 1) * cols].iter_mut()) {
            *s -= *v;
            *o = *s / d;
        }
        li += 1;
        oi += 1;
    }
}

/// Two passes of (rows, then columns), in place in `buf`, using `tmp`.
pub fn jarosz_filter(buf: &mut [f32], tmp: &mut [f32], rows: usize, cols: usize, passes: usize) {
    let (wr, wc) = (window_size(cols), window_size(rows));
    let mut sums = vec![0.0f32; cols];
    let (mut packed, mut result) = (Vec::new(), Vec::new());
    for _ in 0..passes {
        let mut r = 0;
        while r + 8 <= rows {
            box_rows_strip(
                &buf[r * cols..(r + 8) * cols],
                &mut tmp[r * cols..(r + 8) * cols],
                cols,
                wr,
                &mut packed,
                &mut result,
            );
            r += 8;
        }
        for r in r..rows {
            box_row(&buf[r * cols..(r + 1) * cols], &mut tmp[r * cols..(r + 1) * cols], wr);
        }
        box_cols(tmp, buf, rows, cols, wc, &mut sums);
    }
}

/// Samples 64×64 points at the centres of a 64×64 grid over the image.
pub fn decimate(input: &[f32], rows: usize, cols: usize) -> [[f32; 64]; 64] {
    let mut out = [[0.0f32; 64]; 64];
    for (i, orow) in out.iter_mut().enumerate() {
        let ini = (((i as f64 + 0.5) * rows as f64) / 64.0) as usize;
        for (j, o) in orow.iter_mut().enumerate() {
            let inj = (((j as f64 + 0.5) * cols as f64) / 64.0) as usize;
            *o = input[ini * cols + inj];
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_sizes() {
        assert_eq!(window_size(5), 1);
        assert_eq!(window_size(128), 1);
        assert_eq!(window_size(129), 2);
        assert_eq!(window_size(512), 4);
        assert_eq!(window_size(1024), 8);
        assert_eq!(window_size(4000), 32);
    }

    /// The column pass across all columns must equal a strided 1-D pass per column.
    #[test]
    fn column_pass_equals_per_column_reference_order() {
        let (rows, cols) = (37usize, 11usize);
        let input: Vec<f32> = (0..rows * cols).map(|i| ((i * 7919) % 1000) as f32 / 3.7).collect();
        for window in [1, 2, 3, 4, 7, 8, 13] {
            let mut fast = vec![0.0; rows * cols];
            let mut sums = vec![0.0; cols];
            box_cols(&input, &mut fast, rows, cols, window, &mut sums);
            for c in 0..cols {
                let col: Vec<f32> = (0..rows).map(|r| input[r * cols + c]).collect();
                let mut want = vec![0.0; rows];
                box_row(&col, &mut want, window);
                for r in 0..rows {
                    assert_eq!(fast[r * cols + c].to_bits(), want[r].to_bits(), "window {window} r {r} c {c}");
                }
            }
        }
    }

    #[test]
    fn interleaved_rows_equal_one_row_at_a_time() {
        let (rows, cols) = (8usize, 53usize);
        let input: Vec<f32> = (0..rows * cols).map(|i| ((i * 7919) % 1000) as f32 / 3.7).collect();
        for window in [1, 2, 5, 8, 13] {
            let mut fast = vec![0.0; rows * cols];
            box_rows_strip(&input, &mut fast, cols, window, &mut Vec::new(), &mut Vec::new());
            for r in 0..rows {
                let mut want = vec![0.0; cols];
                box_row(&input[r * cols..(r + 1) * cols], &mut want, window);
                for c in 0..cols {
                    assert_eq!(fast[r * cols + c].to_bits(), want[c].to_bits());
                }
            }
        }
    }

    #[test]
    fn box_of_a_constant_is_the_constant() {
        let input = vec![3.0f32; 20];
        let mut out = vec![0.0; 20];
        box_row(&input, &mut out, 5);
        assert!(out.iter().all(|v| *v == 3.0));
    }
}
