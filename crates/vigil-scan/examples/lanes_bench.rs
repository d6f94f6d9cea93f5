//! Single-core rates of the digests a scan computes: the RustCrypto crates
//! one stream at a time, and the multi-buffer kernel over 16 lanes, on the
//! same bytes in the same run. `cargo run --release -p vigil-scan --example lanes_bench`
use sha2::Digest;
use std::time::Instant;
use vigil_scan::multi_buffer::{self, Kernel, MAX_LANES};

fn rate(bytes: usize, f: impl Fn()) -> f64 {
    f();
    let mut best = f64::MAX;
    for _ in 0..5 {
        let t = Instant::now();
        f();
        best = best.min(t.elapsed().as_secs_f64());
    }
    bytes as f64 / best / 1e9
}

fn main() {
    let per_lane = 4 << 20;
    let data: Vec<Vec<u8>> =
        (0..MAX_LANES).map(|i| (0..per_lane).map(|j| (j as u8).wrapping_mul(31) ^ i as u8).collect()).collect();
    let total = per_lane * MAX_LANES;
    let kernel = Kernel::detect();
    let lanes: Vec<&[u8]> = data.iter().map(Vec::as_slice).collect();
    let md5_crate = rate(total, || {
        for d in &data {
            std::hint::black_box(md5::Md5::digest(d));
        }
    });
    let sha1_crate = rate(total, || {
        for d in &data {
            std::hint::black_box(sha1::Sha1::digest(d));
        }
    });
    let sha256_crate = rate(total, || {
        for d in &data {
            std::hint::black_box(sha2::Sha256::digest(d));
        }
    });
    let md5_lanes = rate(total, || {
        let mut s = vec![multi_buffer::MD5_INIT; MAX_LANES];
        multi_buffer::md5_blocks(kernel, &mut s, &lanes, per_lane / 64);
        std::hint::black_box(s);
    });
    let sha1_lanes = rate(total, || {
        let mut s = vec![multi_buffer::SHA1_INIT; MAX_LANES];
        multi_buffer::sha1_blocks(kernel, &mut s, &lanes, per_lane / 64);
        std::hint::black_box(s);
    });
    let md5_scalar = rate(total, || {
        let mut s = vec![multi_buffer::MD5_INIT; MAX_LANES];
        multi_buffer::md5_blocks(Kernel::scalar(), &mut s, &lanes, per_lane / 64);
        std::hint::black_box(s);
    });
    println!("kernel: {}", kernel.name());
    println!(
        "md5:    crate {md5_crate:.2} GB/s, own scalar {md5_scalar:.2}, lanes {md5_lanes:.2} ({:.1}x the crate)",
        md5_lanes / md5_crate
    );
    println!("sha1:   crate {sha1_crate:.2} GB/s, lanes {sha1_lanes:.2} ({:.1}x)", sha1_lanes / sha1_crate);
    println!("sha256: crate {sha256_crate:.2} GB/s");
    // One pass feeds every digest, so a core's best is the harmonic sum of
    // each digest's best rate: the limit a scan of md5,sha1,sha256 can reach.
    let best = |a: f64, b: f64| a.max(b);
    let per_core = 1.0 / (1.0 / best(md5_lanes, md5_crate) + 1.0 / best(sha1_lanes, sha1_crate) + 1.0 / sha256_crate);
    println!("one-pass limit for md5,sha1,sha256: {per_core:.2} GB/s per core");
    println!("ONE_PASS_LIMIT_PER_CORE={per_core:.4}");
}
