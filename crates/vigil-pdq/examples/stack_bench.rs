//! Stacking N images whose PDQ is already computed (issue 27's review
//! sets): N/5 distinct pictures, each with four near copies a few bits
//! away, the dihedral hashes as for a picture with no symmetry. Prints the
//! time, the stacks found and the peak memory of the process.
//!
//! usage: stack_bench [N]   (default 100000)

use std::time::Instant;
use vigil_pdq::synthetic::random_hash;
use vigil_pdq::{stack, Hash256, StackInput, STACK_MIN_QUALITY, STACK_RADIUS};

fn peak_rss_kib() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    s.lines().find_map(|l| l.strip_prefix("VmHWM:")).and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
}

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let mut items = Vec::with_capacity(n);
    let mut k = 0u64;
    while items.len() < n {
        let base = random_hash(k);
        // Seven other orientations: unrelated hashes, as for a picture with no symmetry.
        let dihedral = |h: Hash256, salt: u64| {
            let mut d = [h; 8];
            for (i, x) in d.iter_mut().enumerate().skip(1) {
                *x = random_hash(salt * 8 + i as u64 + 1_000_000_000);
            }
            d
        };
        items.push(StackInput { dihedral: dihedral(base, k), quality: 100 });
        for c in 0..4u64 {
            if items.len() == n {
                break;
            }
            let mut h = base;
            for b in 0..(5 + 5 * c as usize) {
                let bit = ((k as usize * 31 + b * 53 + c as usize * 7) % 256) as u16;
                h.0[(bit / 16) as usize] ^= 1 << (bit % 16);
            }
            items.push(StackInput { dihedral: dihedral(h, k * 10 + c + 1), quality: 90 - c as u32 });
        }
        k += 1;
    }
    let t = Instant::now();
    let s = stack(&items, STACK_RADIUS, STACK_MIN_QUALITY);
    let secs = t.elapsed().as_secs_f64();
    let members: usize = s.stacks.iter().map(|s| s.members.len()).sum();
    println!(
        "stacked {n} images in {secs:.2} s: {} stacks holding {members} members, {} unstacked; peak memory {} MiB",
        s.stacks.len(),
        s.unstacked.len(),
        peak_rss_kib().map_or("?".into(), |k| (k / 1024).to_string())
    );
}
