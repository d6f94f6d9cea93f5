//! Issue 27's benchmark: building a review set and its stacks for N
//! images whose PDQ is already computed (a scan's records: N/5 pictures,
//! each with four near copies a few bits away, and one exact duplicate in
//! twenty), into a fresh SQLite data directory: deduplication, stacking,
//! rows and custody events. Previews are left out (there are no files).
//!
//! The peer, on the same hashes in the same run: the same stacking rule
//! (best quality first; join the nearest representative within 31 over
//! any of the 8 dihedral hashes, else become one) by a linear scan of the
//! representatives, as a straightforward implementation would do it.
//!
//! usage: review_bench [N]   (default 100000)

use std::time::Instant;
use vigil_core::{ReviewBuild, Vigil};
use vigil_domain::{CaseId, Initials};
use vigil_pdq::synthetic::random_hash;
use vigil_pdq::{Hash256, StackInput, STACK_MIN_QUALITY, STACK_RADIUS};
use vigil_scan::{Digests, FileRecord, PdqRecord};

fn peak_rss_mib() -> String {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse::<u64>().ok())
        .map_or("?".into(), |k| (k / 1024).to_string())
}

/// The peer: linear scan of the representatives.
fn linear_stacks(items: &[StackInput]) -> (usize, usize) {
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by(|&a, &b| items[b].quality.cmp(&items[a].quality).then(a.cmp(&b)));
    let mut reps: Vec<(Hash256, usize)> = Vec::new();
    for i in order {
        let it = &items[i];
        if it.quality < STACK_MIN_QUALITY {
            continue;
        }
        let mut best: Option<(u32, usize)> = None;
        for (r, (h, _)) in reps.iter().enumerate() {
            let d = it.dihedral.iter().map(|x| x.hamming(h)).min().expect("8 hashes");
            if d <= STACK_RADIUS && best.is_none_or(|(bd, _)| d < bd) {
                best = Some((d, r));
            }
        }
        match best {
            Some((_, r)) => reps[r].1 += 1,
            None => reps.push((it.dihedral[0], 0)),
        }
    }
    let stacks = reps.iter().filter(|r| r.1 > 0).count();
    (stacks, reps.iter().map(|r| r.1).sum())
}

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let mut records = Vec::with_capacity(n);
    let mut inputs = Vec::with_capacity(n);
    let mut k = 0u64;
    while records.len() < n {
        let base = random_hash(k);
        for c in 0..5u64 {
            if records.len() == n {
                break;
            }
            let mut h = base;
            if c > 0 {
                for b in 0..(5 * c as usize) {
                    let bit = ((k as usize * 31 + b * 53 + c as usize * 7) % 256) as u16;
                    h.0[(bit / 16) as usize] ^= 1 << (bit % 16);
                }
            }
            let mut dihedral = vec![h.to_hex()];
            let mut d = [h; 8];
            for (i, x) in d.iter_mut().enumerate().skip(1) {
                *x = random_hash((k * 10 + c) * 8 + i as u64 + 1_000_000_000);
                dihedral.push(x.to_hex());
            }
            let quality = 100 - c as u32;
            inputs.push(StackInput { dihedral: d, quality });
            // One record in twenty is an exact copy of the one before: one item, two locations.
            let id = if records.len() % 20 == 19 { records.len() as u64 - 1 } else { records.len() as u64 };
            let mut sha = [0u8; 32];
            sha[..8].copy_from_slice(&id.to_le_bytes());
            records.push(FileRecord {
                path: format!("/media/DCIM/{}/{:06}.jpg", records.len() / 1000, records.len()).into_bytes(),
                size: 250_000,
                digests: Digests {
                    md5: Some(vec![1; 16]),
                    sha1: Some(vec![2; 20]),
                    sha256: Some(sha.to_vec()),
                    blake3: None,
                },
                error: None,
                member: false,
                pdq: Some(PdqRecord { hash: Some(h.to_hex()), quality, dihedral, error: None }),
            });
        }
        k += 1;
    }
    let matches = vec![Vec::new(); records.len()];
    println!("generated {n} scan records with PDQ; peak memory so far {} MiB", peak_rss_mib());

    let t = Instant::now();
    let s = vigil_pdq::stack(&inputs, STACK_RADIUS, STACK_MIN_QUALITY);
    let ours = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let (peer_stacks, peer_members) = linear_stacks(&inputs);
    let peer = t.elapsed().as_secs_f64();
    let members: usize = s.stacks.iter().map(|s| s.members.len()).sum();
    println!(
        "stacking {n} images: vigil {ours:.2} s, linear scan of representatives {peer:.2} s ({:.0}x); \
         {} stacks / {members} members against {peer_stacks} / {peer_members}",
        peer / ours,
        s.stacks.len()
    );

    let dir = tempfile::tempdir().expect("a temporary directory");
    let data = dir.path().join("data");
    Vigil::init(&data, None).expect("init");
    let v = Vigil::open(&data).expect("open");
    let case = CaseId::parse("BENCH-1").expect("a case ID");
    let by = Initials::parse("FE").expect("initials");
    let t = Instant::now();
    let built = v
        .build_review_set(&ReviewBuild {
            case: &case,
            by: &by,
            scan: "bench",
            records: &records,
            matches: &matches,
            radius: STACK_RADIUS,
            previews: false,
        })
        .expect("build");
    let secs = t.elapsed().as_secs_f64();
    println!(
        "review set of {n} images (SQLite, one custody event per 200 items): {secs:.2} s; {} items, {} copies, {} stacks; peak memory {} MiB",
        built.items,
        built.copies,
        built.stacks,
        peak_rss_mib()
    );
    let t = Instant::now();
    let listed = v.review_stacks(&case, &vigil_domain::Actor::parse("FE").expect("an actor")).expect("stacks");
    println!(
        "listing it in stacks: {:.2} s ({} stacks, {} alone)",
        t.elapsed().as_secs_f64(),
        listed.stacks.len(),
        listed.unstacked.len()
    );
}
