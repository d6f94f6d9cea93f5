//! Multi-buffer MD5 and SHA-1: up to sixteen independent messages hashed at
//! once, one per SIMD lane.
//!
//! One MD5 or SHA-1 stream cannot be spread over SIMD lanes (each block
//! needs the state the one before left), but a scan holds many files, so
//! sixteen of them can share each pass of AVX-512 instructions, which also
//! rotate and compute the round functions in one instruction each. This
//! module is the only place in Vigil with unsafe SIMD code: the kernels sit
//! behind safe functions that check every lane's length first, and a
//! [`Kernel`] that is not scalar can only be had from [`Kernel::detect`]
//! after the CPU said it has the features. The scalar functions here are
//! the reference: every kernel is tested (and fuzzed) against them, and they
//! against the RustCrypto crates.

/// The most lanes any kernel runs.
pub const MAX_LANES: usize = 16;

pub const MD5_INIT: [u32; 4] = [0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476];
pub const SHA1_INIT: [u32; 5] = [0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476, 0xc3d2_e1f0];

/// Which code compresses the lanes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kernel(Simd);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Simd {
    Scalar,
    /// AVX-512F and AVX-512BW, seen by the CPU's feature flags.
    Avx512,
}

impl Kernel {
    /// The widest kernel this CPU runs.
    pub fn detect() -> Kernel {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx512f") && std::arch::is_x86_feature_detected!("avx512bw") {
            return Kernel(Simd::Avx512);
        }
        Kernel(Simd::Scalar)
    }

    /// One block at a time, lane after lane.
    pub fn scalar() -> Kernel {
        Kernel(Simd::Scalar)
    }

    /// How many lanes it hashes at once (1 for the scalar code).
    pub fn lanes(self) -> usize {
        match self.0 {
            Simd::Scalar => 1,
            Simd::Avx512 => MAX_LANES,
        }
    }

    pub fn name(self) -> &'static str {
        match self.0 {
            Simd::Scalar => "scalar",
            Simd::Avx512 => "avx512 (16 lanes)",
        }
    }

    /// Worth running for this many lanes: one lane is faster scalar.
    fn wide_for(self, lanes: usize) -> bool {
        self.0 != Simd::Scalar && lanes > 1
    }

    /// The kernel worth running SHA-1 on for this many lanes. Where the CPU
    /// has the SHA instructions, one SHA-1 stream at a time runs at about
    /// half the sixteen lanes' total (2.05 against 4.48 GB/s on an AMD
    /// EPYC), so the lanes pay only from [`SHA1_WIDE_FROM`] files at once;
    /// with fewer (the last large files of a scan, each keeping its lane to
    /// its end) the files are hashed one after another. MD5 has no such
    /// instructions: its lanes pay from two.
    pub fn for_sha1(self, lanes: usize) -> Kernel {
        if lanes < SHA1_WIDE_FROM && sha_instructions() {
            Kernel::scalar()
        } else {
            self
        }
    }
}

/// The fewest lanes for which the wide SHA-1 kernel beats the SHA
/// instructions one stream at a time (see [`Kernel::for_sha1`]).
pub const SHA1_WIDE_FROM: usize = 8;

fn sha_instructions() -> bool {
    #[cfg(target_arch = "x86_64")]
    return std::arch::is_x86_feature_detected!("sha");
    #[cfg(not(target_arch = "x86_64"))]
    false
}

fn check_lanes(states: usize, data: &[&[u8]], blocks: usize) {
    assert_eq!(states, data.len(), "one state per lane");
    assert!(states <= MAX_LANES, "at most {MAX_LANES} lanes");
    let need = blocks.checked_mul(64).expect("block count overflows");
    assert!(data.iter().all(|d| d.len() >= need), "every lane holds the blocks asked for");
}

/// A wide kernel over lanes of `W`-word states (the caller's contract is
/// in `avx512`).
type Wide<const W: usize> = unsafe fn(&mut [[u32; W]], &[*const u8; MAX_LANES], &[usize; MAX_LANES], usize);

fn run_lanes<const W: usize>(
    kernel: Kernel,
    states: &mut [[u32; W]],
    data: &[&[u8]],
    blocks: usize,
    wide: Option<Wide<W>>,
    scalar: fn(&mut [u32; W], &[u8]),
) {
    check_lanes(states.len(), data, blocks);
    if blocks == 0 {
        return;
    }
    if let (true, Some(wide)) = (kernel.wide_for(states.len()), wide) {
        let (ptrs, strides) = lane_pointers(data);
        // SAFETY: a wide kernel comes only from `detect`, which saw AVX-512F
        // and AVX-512BW; every lane's slice holds `blocks * 64` bytes
        // (checked above) and the unused lanes read the same 64 zero bytes
        // each block (stride 0).
        unsafe { wide(states, &ptrs, &strides, blocks) };
        return;
    }
    for (s, d) in states.iter_mut().zip(data) {
        scalar(s, &d[..blocks * 64]);
    }
}

/// Compresses the first `blocks` 64-byte blocks of each lane's bytes into
/// that lane's MD5 state.
pub fn md5_blocks(kernel: Kernel, states: &mut [[u32; 4]], data: &[&[u8]], blocks: usize) {
    #[cfg(target_arch = "x86_64")]
    let wide: Option<Wide<4>> = Some(avx512::md5);
    #[cfg(not(target_arch = "x86_64"))]
    let wide: Option<Wide<4>> = None;
    run_lanes(kernel, states, data, blocks, wide, |s, d| {
        for b in d.chunks_exact(64) {
            md5_compress(s, b.try_into().expect("64 bytes"));
        }
    });
}

/// The same for SHA-1.
pub fn sha1_blocks(kernel: Kernel, states: &mut [[u32; 5]], data: &[&[u8]], blocks: usize) {
    #[cfg(target_arch = "x86_64")]
    let wide: Option<Wide<5>> = Some(avx512::sha1);
    #[cfg(not(target_arch = "x86_64"))]
    let wide: Option<Wide<5>> = None;
    run_lanes(kernel, states, data, blocks, wide, sha1_run);
}

/// Read by the lanes no message uses.
static ZERO_BLOCK: [u8; 64] = [0; 64];

fn lane_pointers(data: &[&[u8]]) -> ([*const u8; MAX_LANES], [usize; MAX_LANES]) {
    let mut ptrs = [ZERO_BLOCK.as_ptr(); MAX_LANES];
    let mut strides = [0usize; MAX_LANES];
    for (i, d) in data.iter().enumerate() {
        ptrs[i] = d.as_ptr();
        strides[i] = 64;
    }
    (ptrs, strides)
}

const MD5_K: [u32; 64] = [
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501, 0x698098d8,
    0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821, 0xf61e2562, 0xc040b340,
    0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8, 0x21e1cde6, 0xc33707d6, 0xf4d50d87,
    0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a, 0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c,
    0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70, 0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039,
    0xe6db99e5, 0x1fa27cf8, 0xc4ac5665, 0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92,
    0xffeff47d, 0x85845dd1, 0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb,
    0xeb86d391,
];

const MD5_S: [[u32; 4]; 4] = [[7, 12, 17, 22], [5, 9, 14, 20], [4, 11, 16, 23], [6, 10, 15, 21]];

/// The message word step `i` of MD5 reads (RFC 1321, section 3.4).
const fn md5_word(i: usize) -> usize {
    match i / 16 {
        0 => i,
        1 => (5 * i + 1) % 16,
        2 => (3 * i + 5) % 16,
        _ => (7 * i) % 16,
    }
}

/// One MD5 block, plainly (RFC 1321).
pub fn md5_compress(state: &mut [u32; 4], block: &[u8; 64]) {
    let mut m = [0u32; 16];
    for (w, b) in m.iter_mut().zip(block.chunks_exact(4)) {
        *w = u32::from_le_bytes(b.try_into().expect("4 bytes"));
    }
    let [mut a, mut b, mut c, mut d] = *state;
    for i in 0..64 {
        let f = match i / 16 {
            0 => (b & c) | (!b & d),
            1 => (d & b) | (!d & c),
            2 => b ^ c ^ d,
            _ => c ^ (b | !d),
        };
        let t = a.wrapping_add(f).wrapping_add(MD5_K[i]).wrapping_add(m[md5_word(i)]);
        a = d;
        d = c;
        c = b;
        b = b.wrapping_add(t.rotate_left(MD5_S[i / 16][i % 4]));
    }
    for (s, v) in state.iter_mut().zip([a, b, c, d]) {
        *s = s.wrapping_add(v);
    }
}

/// SHA-1 over whole blocks, by the RustCrypto crate (SHA-NI where the CPU
/// has it).
fn sha1_run(state: &mut [u32; 5], blocks: &[u8]) {
    use sha1::digest::generic_array::GenericArray;
    for b in blocks.chunks_exact(64) {
        sha1::compress(state, std::slice::from_ref(GenericArray::from_slice(b)));
    }
}

/// The final blocks: the bytes after the last whole block, the 0x80 byte,
/// and the message's length in bits.
fn padded(tail: &[u8], total: u64, big_endian: bool) -> ([u8; 128], usize) {
    assert!(tail.len() < 64, "whole blocks go through the lanes");
    let mut buf = [0u8; 128];
    buf[..tail.len()].copy_from_slice(tail);
    buf[tail.len()] = 0x80;
    let n = if tail.len() < 56 { 64 } else { 128 };
    let bits = total.wrapping_mul(8);
    buf[n - 8..n].copy_from_slice(&if big_endian { bits.to_be_bytes() } else { bits.to_le_bytes() });
    (buf, n)
}

/// The MD5 digest of a message whose whole blocks are in `state`, `tail`
/// (under 64 bytes) the rest, `total` its length in bytes.
pub fn md5_finish(mut state: [u32; 4], tail: &[u8], total: u64) -> [u8; 16] {
    let (buf, n) = padded(tail, total, false);
    for b in buf[..n].chunks_exact(64) {
        md5_compress(&mut state, b.try_into().expect("64 bytes"));
    }
    let mut out = [0u8; 16];
    for (o, s) in out.chunks_exact_mut(4).zip(state) {
        o.copy_from_slice(&s.to_le_bytes());
    }
    out
}

/// The same for SHA-1.
pub fn sha1_finish(mut state: [u32; 5], tail: &[u8], total: u64) -> [u8; 20] {
    let (buf, n) = padded(tail, total, true);
    sha1_run(&mut state, &buf[..n]);
    let mut out = [0u8; 20];
    for (o, s) in out.chunks_exact_mut(4).zip(state) {
        o.copy_from_slice(&s.to_be_bytes());
    }
    out
}

/// The AVX-512 kernels: sixteen lanes of 32-bit words in one register.
#[cfg(target_arch = "x86_64")]
mod avx512 {
    use super::{md5_word, MAX_LANES, MD5_K, MD5_S};
    use std::arch::x86_64::*;

    /// Word `j` of every lane's block in register `j`: a 16 x 16 transpose
    /// of 32-bit words in four rounds of shuffles (64 instructions).
    #[inline]
    #[target_feature(enable = "avx512f,avx512bw")]
    unsafe fn columns(p: &[*const u8; MAX_LANES]) -> [__m512i; 16] {
        let mut r = [_mm512_setzero_si512(); 16];
        for i in 0..16 {
            // SAFETY: the caller guarantees 64 readable bytes at each pointer.
            r[i] = unsafe { _mm512_loadu_si512(p[i].cast()) };
        }
        // Rows 2k and 2k+1 interleaved by 32-bit words within each 128-bit chunk.
        let mut t = [_mm512_setzero_si512(); 16];
        for k in 0..8 {
            t[2 * k] = _mm512_unpacklo_epi32(r[2 * k], r[2 * k + 1]);
            t[2 * k + 1] = _mm512_unpackhi_epi32(r[2 * k], r[2 * k + 1]);
        }
        // u[4g + k]: rows 4g..4g+3 at words k, k+4, k+8, k+12 (one per chunk).
        let mut u = [_mm512_setzero_si512(); 16];
        for g in 0..4 {
            let (a, b, c, d) = (t[4 * g], t[4 * g + 1], t[4 * g + 2], t[4 * g + 3]);
            u[4 * g] = _mm512_unpacklo_epi64(a, c);
            u[4 * g + 1] = _mm512_unpackhi_epi64(a, c);
            u[4 * g + 2] = _mm512_unpacklo_epi64(b, d);
            u[4 * g + 3] = _mm512_unpackhi_epi64(b, d);
        }
        let mut out = [_mm512_setzero_si512(); 16];
        for k in 0..4 {
            let v = _mm512_shuffle_i32x4::<0x88>(u[k], u[4 + k]);
            let w = _mm512_shuffle_i32x4::<0xDD>(u[k], u[4 + k]);
            let x = _mm512_shuffle_i32x4::<0x88>(u[8 + k], u[12 + k]);
            let y = _mm512_shuffle_i32x4::<0xDD>(u[8 + k], u[12 + k]);
            out[k] = _mm512_shuffle_i32x4::<0x88>(v, x);
            out[k + 8] = _mm512_shuffle_i32x4::<0xDD>(v, x);
            out[k + 4] = _mm512_shuffle_i32x4::<0x88>(w, y);
            out[k + 12] = _mm512_shuffle_i32x4::<0xDD>(w, y);
        }
        out
    }

    /// Lane `i` of register `j` is word `j` of state `i` (unused lanes 0).
    fn gather_state<const W: usize>(states: &[[u32; W]]) -> [[u32; MAX_LANES]; W] {
        let mut s = [[0u32; MAX_LANES]; W];
        for (i, st) in states.iter().enumerate() {
            for j in 0..W {
                s[j][i] = st[j];
            }
        }
        s
    }

    fn scatter_state<const W: usize>(s: &[[u32; MAX_LANES]; W], states: &mut [[u32; W]]) {
        for (i, st) in states.iter_mut().enumerate() {
            for j in 0..W {
                st[j] = s[j][i];
            }
        }
    }

    /// # Safety
    /// The CPU has AVX-512F and AVX-512BW; `ptrs[i]` has `blocks * strides[i]`
    /// readable bytes, plus 64 (the last block); `states.len() <= 16`.
    #[target_feature(enable = "avx512f,avx512bw")]
    pub(super) unsafe fn md5(
        states: &mut [[u32; 4]],
        ptrs: &[*const u8; MAX_LANES],
        strides: &[usize; MAX_LANES],
        blocks: usize,
    ) {
        let mut s = gather_state(states);
        // SAFETY: each array is 16 u32s, one register.
        let load = |w: &[u32; MAX_LANES]| unsafe { _mm512_loadu_si512(w.as_ptr().cast()) };
        let (mut a, mut b, mut c, mut d) = (load(&s[0]), load(&s[1]), load(&s[2]), load(&s[3]));
        let mut p = *ptrs;
        for _ in 0..blocks {
            // SAFETY: 64 bytes at each pointer (the caller's contract).
            let m = unsafe { columns(&p) };
            let (a0, b0, c0, d0) = (a, b, c, d);
            // One step: a = b + rotl(a + f(b, c, d) + K[i] + M[g], s), the
            // round function in one ternary-logic instruction.
            macro_rules! step {
                ($f:literal, $a:ident, $b:ident, $c:ident, $d:ident, $i:expr) => {
                    let t =
                        _mm512_add_epi32(_mm512_add_epi32($a, _mm512_set1_epi32(MD5_K[$i] as i32)), m[md5_word($i)]);
                    let t = _mm512_add_epi32(t, _mm512_ternarylogic_epi32::<$f>($b, $c, $d));
                    $a = _mm512_add_epi32($b, _mm512_rol_epi32::<{ MD5_S[$i / 16][$i % 4] as i32 }>(t));
                };
            }
            macro_rules! four {
                ($f:literal, $i:expr) => {
                    step!($f, a, b, c, d, $i);
                    step!($f, d, a, b, c, $i + 1);
                    step!($f, c, d, a, b, $i + 2);
                    step!($f, b, c, d, a, $i + 3);
                };
            }
            // F = b ? c : d (0xCA), G = d ? b : c (0xE4), H = b ^ c ^ d
            // (0x96), I = c ^ (b | !d) (0x39), as truth tables over (b, c, d).
            four!(0xCA, 0);
            four!(0xCA, 4);
            four!(0xCA, 8);
            four!(0xCA, 12);
            four!(0xE4, 16);
            four!(0xE4, 20);
            four!(0xE4, 24);
            four!(0xE4, 28);
            four!(0x96, 32);
            four!(0x96, 36);
            four!(0x96, 40);
            four!(0x96, 44);
            four!(0x39, 48);
            four!(0x39, 52);
            four!(0x39, 56);
            four!(0x39, 60);
            a = _mm512_add_epi32(a, a0);
            b = _mm512_add_epi32(b, b0);
            c = _mm512_add_epi32(c, c0);
            d = _mm512_add_epi32(d, d0);
            for i in 0..MAX_LANES {
                p[i] = p[i].wrapping_add(strides[i]);
            }
        }
        // SAFETY: each array is 16 u32s, one register.
        let store = |w: &mut [u32; MAX_LANES], v: __m512i| unsafe { _mm512_storeu_si512(w.as_mut_ptr().cast(), v) };
        store(&mut s[0], a);
        store(&mut s[1], b);
        store(&mut s[2], c);
        store(&mut s[3], d);
        scatter_state(&s, states);
    }

    /// # Safety
    /// As for [`md5`].
    #[target_feature(enable = "avx512f,avx512bw")]
    pub(super) unsafe fn sha1(
        states: &mut [[u32; 5]],
        ptrs: &[*const u8; MAX_LANES],
        strides: &[usize; MAX_LANES],
        blocks: usize,
    ) {
        let mut s = gather_state(states);
        // SAFETY: each array is 16 u32s, one register.
        let load = |w: &[u32; MAX_LANES]| unsafe { _mm512_loadu_si512(w.as_ptr().cast()) };
        let mut h = [load(&s[0]), load(&s[1]), load(&s[2]), load(&s[3]), load(&s[4])];
        // SHA-1 reads big-endian words: reverse the bytes of each.
        let swap = _mm512_set_epi8(
            60, 61, 62, 63, 56, 57, 58, 59, 52, 53, 54, 55, 48, 49, 50, 51, 44, 45, 46, 47, 40, 41, 42, 43, 36, 37, 38,
            39, 32, 33, 34, 35, 28, 29, 30, 31, 24, 25, 26, 27, 20, 21, 22, 23, 16, 17, 18, 19, 12, 13, 14, 15, 8, 9,
            10, 11, 4, 5, 6, 7, 0, 1, 2, 3,
        );
        let mut p = *ptrs;
        for _ in 0..blocks {
            // SAFETY: 64 bytes at each pointer (the caller's contract).
            let mut w = unsafe { columns(&p) };
            for x in w.iter_mut() {
                *x = _mm512_shuffle_epi8(*x, swap);
            }
            let [mut a, mut b, mut c, mut d, mut e] = h;
            macro_rules! round {
                ($f:literal, $k:literal, $t:expr) => {
                    let t = $t;
                    if t >= 16 {
                        // W[t] = rotl1(W[t-3] ^ W[t-8] ^ W[t-14] ^ W[t-16]), in a ring of 16.
                        let x = _mm512_ternarylogic_epi32::<0x96>(w[(t + 13) % 16], w[(t + 8) % 16], w[(t + 2) % 16]);
                        w[t % 16] = _mm512_rol_epi32::<1>(_mm512_xor_si512(x, w[t % 16]));
                    }
                    let f = _mm512_ternarylogic_epi32::<$f>(b, c, d);
                    let tmp = _mm512_add_epi32(
                        _mm512_add_epi32(_mm512_rol_epi32::<5>(a), f),
                        _mm512_add_epi32(_mm512_add_epi32(e, _mm512_set1_epi32($k as i32)), w[t % 16]),
                    );
                    e = d;
                    d = c;
                    c = _mm512_rol_epi32::<30>(b);
                    b = a;
                    a = tmp;
                };
            }
            // Ch = b ? c : d (0xCA), parity (0x96), Maj (0xE8).
            for t in 0..20 {
                round!(0xCA, 0x5a82_7999u32, t);
            }
            for t in 20..40 {
                round!(0x96, 0x6ed9_eba1u32, t);
            }
            for t in 40..60 {
                round!(0xE8, 0x8f1b_bcdcu32, t);
            }
            for t in 60..80 {
                round!(0x96, 0xca62_c1d6u32, t);
            }
            for (x, v) in h.iter_mut().zip([a, b, c, d, e]) {
                *x = _mm512_add_epi32(*x, v);
            }
            for i in 0..MAX_LANES {
                p[i] = p[i].wrapping_add(strides[i]);
            }
        }
        // SAFETY: each array is 16 u32s, one register.
        let store = |w: &mut [u32; MAX_LANES], v: __m512i| unsafe { _mm512_storeu_si512(w.as_mut_ptr().cast(), v) };
        for (j, v) in h.into_iter().enumerate() {
            store(&mut s[j], v);
        }
        scatter_state(&s, states);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use md5::Digest as _;

    fn bytes(n: usize, seed: u64) -> Vec<u8> {
        let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect()
    }

    /// Hashes each message in lanes, the whole blocks all together, as a
    /// scan does, and finishes each one.
    fn lanes_digest(kernel: Kernel, msgs: &[Vec<u8>]) -> Vec<([u8; 16], [u8; 20])> {
        let mut out = Vec::new();
        for group in msgs.chunks(MAX_LANES) {
            let blocks = group.iter().map(|m| m.len() / 64).min().unwrap_or(0);
            let mut md5s = vec![MD5_INIT; group.len()];
            let mut sha1s = vec![SHA1_INIT; group.len()];
            let data: Vec<&[u8]> = group.iter().map(Vec::as_slice).collect();
            md5_blocks(kernel, &mut md5s, &data, blocks);
            sha1_blocks(kernel, &mut sha1s, &data, blocks);
            for (i, m) in group.iter().enumerate() {
                // The rest of each lane's whole blocks, then its tail.
                let rest = &m[blocks * 64..];
                let whole = rest.len() / 64 * 64;
                md5_blocks(kernel, &mut md5s[i..=i], &[rest], whole / 64);
                sha1_blocks(kernel, &mut sha1s[i..=i], &[rest], whole / 64);
                out.push((
                    md5_finish(md5s[i], &rest[whole..], m.len() as u64),
                    sha1_finish(sha1s[i], &rest[whole..], m.len() as u64),
                ));
            }
        }
        out
    }

    fn reference(m: &[u8]) -> ([u8; 16], [u8; 20]) {
        (md5::Md5::digest(m).into(), sha1::Sha1::digest(m).into())
    }

    #[test]
    fn the_scalar_code_gives_the_published_vectors() {
        // RFC 1321 appendix A.5 and FIPS 180 "abc".
        let (m, _) = lanes_digest(Kernel::scalar(), &[b"abc".to_vec()])[0];
        assert_eq!(hex::encode(m), "900150983cd24fb0d6963f7d28e17f72");
        let (_, s) = lanes_digest(Kernel::scalar(), &[b"abc".to_vec()])[0];
        assert_eq!(hex::encode(s), "a9993e364706816aba3e25717850c26c9cd0d89d");
        let (m, _) = lanes_digest(Kernel::scalar(), &[Vec::new()])[0];
        assert_eq!(hex::encode(m), "d41d8cd98f00b204e9800998ecf8427e");
    }

    #[test]
    fn every_kernel_equals_the_crates_on_every_lane_count() {
        for kernel in [Kernel::scalar(), Kernel::detect()] {
            for lanes in 1..=MAX_LANES {
                // Lengths around the block and padding edges, and longer.
                let msgs: Vec<Vec<u8>> = (0..lanes)
                    .map(|i| {
                        bytes(
                            [0, 1, 55, 56, 63, 64, 65, 119, 120, 127, 128, 1000, 4096, 65_536, 100_003][i % 15] + i,
                            i as u64,
                        )
                    })
                    .collect();
                let got = lanes_digest(kernel, &msgs);
                for (m, g) in msgs.iter().zip(&got) {
                    assert_eq!(*g, reference(m), "{} with {lanes} lanes, {} bytes", kernel.name(), m.len());
                }
            }
        }
    }

    #[test]
    fn random_lengths_to_one_mebibyte_agree() {
        let kernel = Kernel::detect();
        let mut seed = 7u64;
        for round in 0..6 {
            let msgs: Vec<Vec<u8>> = (0..MAX_LANES)
                .map(|i| {
                    seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    let len = if round == 0 { (seed >> 33) as usize % (1 << 20) } else { (seed >> 33) as usize % 5000 };
                    bytes(len, seed ^ i as u64)
                })
                .collect();
            for (m, g) in msgs.iter().zip(lanes_digest(kernel, &msgs)) {
                assert_eq!(g, reference(m), "{} bytes", m.len());
            }
        }
    }
}
