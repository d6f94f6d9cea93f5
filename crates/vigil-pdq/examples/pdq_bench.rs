//! PDQ benchmark helper (not a test), driven by bench/pdq.sh.
//!
//! `pdq_bench hash DIR N`: decodes every PNG in DIR, then times hashing N
//! images (cycling through them) on one core, after decode.
//! `pdq_bench index DB.bin QUERIES.bin PLANTED.txt RADIUS`: builds the index
//! over DB (32 bytes per hash), times one-core queries, checks recall of the
//! planted matches (lines `query_number db_id`).

use std::time::Instant;
use vigil_pdq::{Hash256, IndexEntry, PdqIndex};

fn main() {
    let a: Vec<String> = std::env::args().collect();
    match a.get(1).map(String::as_str) {
        Some("hash") => hash(&a[2], a[3].parse().unwrap()),
        Some("index") => index(&a[2], &a[3], &a[4], a[5].parse().unwrap()),
        _ => eprintln!("usage: pdq_bench hash DIR N | index DB QUERIES PLANTED RADIUS"),
    }
}

fn hash(dir: &str, n: usize) {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "png"))
        .collect();
    paths.sort();
    let imgs: Vec<(Vec<u8>, usize, usize)> = paths
        .iter()
        .map(|p| {
            let i = image::open(p).unwrap().to_rgb8();
            let (w, h) = (i.width() as usize, i.height() as usize);
            (i.into_raw(), w, h)
        })
        .collect();
    let t = Instant::now();
    let mut first = Vec::new();
    let mut hasher = vigil_pdq::PdqHasher::new();
    for k in 0..n {
        let (px, w, h) = &imgs[k % imgs.len()];
        let r = hasher.hash_rgb(px, *w, *h);
        if k < imgs.len() {
            first.push(r.hash.to_hex());
        }
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "vigil: {n} images of {}x{} hashed on one core in {secs:.2} s: {:.1} images/s",
        imgs[0].1,
        imgs[0].2,
        n as f64 / secs
    );
    // The hashes of the distinct images, for the script to compare with the reference.
    for (p, h) in paths.iter().zip(first) {
        println!("HASH {} {h}", p.file_name().unwrap().to_string_lossy());
    }
}

fn read_hashes(path: &str) -> Vec<Hash256> {
    let b = std::fs::read(path).unwrap();
    b.chunks_exact(32).map(|c| Hash256::from_bytes(c.try_into().unwrap())).collect()
}

fn index(db: &str, queries: &str, planted: &str, radius: u32) {
    let hashes = read_hashes(db);
    let qs = read_hashes(queries);
    let entries: Vec<IndexEntry> =
        hashes.iter().map(|h| IndexEntry { hash: *h, quality: 100, label: "A".into() }).collect();
    drop(hashes);
    let t = Instant::now();
    let idx = PdqIndex::build(&entries);
    let build = t.elapsed().as_secs_f64();
    drop(entries);
    let t = Instant::now();
    let mut out = Vec::new();
    let mut results: Vec<Vec<u32>> = Vec::new();
    for q in &qs {
        idx.query(q, radius, &mut out);
        results.push(out.iter().map(|m| m.id).collect());
    }
    let secs = t.elapsed().as_secs_f64();
    let plant: Vec<(usize, u32)> = std::fs::read_to_string(planted)
        .unwrap()
        .lines()
        .map(|l| {
            let mut it = l.split_whitespace();
            (it.next().unwrap().parse().unwrap(), it.next().unwrap().parse().unwrap())
        })
        .collect();
    let found = plant.iter().filter(|(q, id)| results[*q].contains(id)).count();
    println!(
        "vigil multi-index: {} hashes, build {build:.2} s, {} MiB in memory; {} queries at radius {radius} in {secs:.2} s: {:.0} queries/s; recall of planted matches {found}/{}",
        idx.len(),
        idx.memory_bytes() >> 20,
        qs.len(),
        qs.len() as f64 / secs,
        plant.len()
    );
}
