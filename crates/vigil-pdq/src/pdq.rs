//! The PDQ pipeline from luma to hash, quality and dihedral hashes.

use crate::dct::dct64_to_16;
use crate::hash256::Hash256;
use crate::jarosz::{decimate, jarosz_filter};
use crate::median::torben;
use crate::quality::quality;

/// Images smaller than this in either dimension hash to zero with quality 0.
pub const MIN_HASHABLE_DIM: usize = 5;
const PASSES: usize = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PdqResult {
    pub hash: Hash256,
    pub quality: u32,
}

/// The 8 hashes in ThreatExchange's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dihedral {
    pub quality: u32,
    /// original, rot90, rot180, rot270, flipX, flipY, flipPlus1, flipMinus1.
    pub hashes: [Hash256; 8],
}

fn bits(b: &[[f32; 16]; 16]) -> Hash256 {
    let flat: Vec<f32> = b.iter().flatten().copied().collect();
    let median = torben(&flat);
    let mut h = Hash256::default();
    for (k, v) in flat.iter().enumerate() {
        if *v > median {
            h.set_bit(k);
        }
    }
    h
}

fn downsample(luma: &mut [f32], tmp: &mut Vec<f32>, rows: usize, cols: usize) -> [[f32; 64]; 64] {
    tmp.resize(luma.len(), 0.0);
    jarosz_filter(luma, tmp, rows, cols, PASSES);
    decimate(luma, rows, cols)
}

/// Reusable buffers for hashing many images: the luma plane and the
/// filter's scratch plane are allocated once, not per image.
#[derive(Default)]
pub struct PdqHasher {
    luma: Vec<f32>,
    tmp: Vec<f32>,
}

impl PdqHasher {
    pub fn new() -> Self {
        Self::default()
    }

    /// Hash and quality of RGB pixels (row-major, 3 bytes per pixel).
    pub fn hash_rgb(&mut self, rgb: &[u8], width: usize, height: usize) -> PdqResult {
        crate::luma::fill_luma_from_rgb(rgb, width, height, &mut self.luma);
        hash_with(&mut self.luma, &mut self.tmp, height, width)
    }
}

/// Hash and quality of a `rows × cols` luma image. `luma` is used as scratch.
pub fn hash_from_luma(luma: &mut [f32], rows: usize, cols: usize) -> PdqResult {
    hash_with(luma, &mut Vec::new(), rows, cols)
}

fn hash_with(luma: &mut [f32], tmp: &mut Vec<f32>, rows: usize, cols: usize) -> PdqResult {
    assert_eq!(luma.len(), rows * cols, "luma buffer size");
    if rows < MIN_HASHABLE_DIM || cols < MIN_HASHABLE_DIM {
        return PdqResult { hash: Hash256::default(), quality: 0 };
    }
    // The reference skips filtering for an image already 64×64 (on this path only).
    let a = if rows == 64 && cols == 64 {
        let mut a = [[0.0f32; 64]; 64];
        for (i, row) in a.iter_mut().enumerate() {
            row.copy_from_slice(&luma[i * 64..(i + 1) * 64]);
        }
        a
    } else {
        downsample(luma, tmp, rows, cols)
    };
    let q = quality(&a);
    PdqResult { hash: bits(&dct64_to_16(&a)), quality: q }
}

/// All 8 dihedral hashes, from one DCT.
pub fn dihedral_from_luma(luma: &mut [f32], rows: usize, cols: usize) -> Dihedral {
    assert_eq!(luma.len(), rows * cols, "luma buffer size");
    if rows < MIN_HASHABLE_DIM || cols < MIN_HASHABLE_DIM {
        return Dihedral { quality: 0, hashes: [Hash256::default(); 8] };
    }
    let a = downsample(luma, &mut Vec::new(), rows, cols);
    let q = quality(&a);
    let b = dct64_to_16(&a);
    // Each transform flips signs of odd frequencies and/or transposes.
    let t = |f: &dyn Fn(usize, usize) -> (usize, usize, bool)| {
        let mut out = [[0.0f32; 16]; 16];
        for (i, row) in b.iter().enumerate() {
            for (j, v) in row.iter().enumerate() {
                let (oi, oj, negate) = f(i, j);
                out[oi][oj] = if negate { -*v } else { *v };
            }
        }
        bits(&out)
    };
    let hashes = [
        bits(&b),
        t(&|i, j| (j, i, j & 1 == 0)),
        t(&|i, j| (i, j, (i + j) & 1 == 1)),
        t(&|i, j| (j, i, i & 1 == 0)),
        t(&|i, j| (i, j, i & 1 == 0)),
        t(&|i, j| (i, j, j & 1 == 0)),
        t(&|i, j| (j, i, false)),
        t(&|i, j| (j, i, (i + j) & 1 == 1)),
    ];
    Dihedral { quality: q, hashes }
}
