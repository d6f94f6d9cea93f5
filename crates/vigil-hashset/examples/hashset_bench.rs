//! Hash-set benchmark helper (not a test).
//!
//! `hashset_bench gen N FILE` writes N synthetic MD5 entries as `hash,category` CSV.
//! `hashset_bench lookup SET.vhs N LOOKUPS` times random lookups on one core,
//! half of them for digests in the set (regenerated from the same seed).

use std::io::Write;
use std::time::Instant;
use vigil_hashset::{HashAlgo, HashSet};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn digest(&mut self) -> [u8; 16] {
        let mut d = [0u8; 16];
        d[..8].copy_from_slice(&self.next().to_be_bytes());
        d[8..].copy_from_slice(&self.next().to_be_bytes());
        d
    }
}

const SEED: u64 = 0x5EED_1234_ABCD_9876;

fn main() {
    let a: Vec<String> = std::env::args().collect();
    match a.get(1).map(String::as_str) {
        Some("gen") => {
            let n: u64 = a[2].parse().unwrap();
            let f = std::fs::File::create(&a[3]).unwrap();
            let mut w = std::io::BufWriter::with_capacity(1 << 20, f);
            let mut r = Rng(SEED);
            let cats = ["A", "B", "C", "other"];
            for i in 0..n {
                writeln!(w, "{},{}", hex::encode(r.digest()), cats[(i % 4) as usize]).unwrap();
            }
            w.flush().unwrap();
        }
        Some("lookup") => {
            let set = HashSet::open(std::path::Path::new(&a[2])).unwrap();
            let n: u64 = a[3].parse().unwrap();
            let lookups: u64 = a[4].parse().unwrap();
            // Present keys: every (n / lookups)-th generated digest; absent: a different stream.
            let mut present = Vec::with_capacity((lookups / 2) as usize);
            let mut r = Rng(SEED);
            let step = (n / (lookups / 2)).max(1);
            for i in 0..n {
                let d = r.digest();
                if i % step == 0 && (present.len() as u64) < lookups / 2 {
                    present.push(d);
                }
            }
            let mut other = Rng(SEED ^ 0xFFFF);
            let absent: Vec<[u8; 16]> = (0..lookups / 2).map(|_| other.digest()).collect();
            let mut keys: Vec<[u8; 16]> = present.iter().chain(absent.iter()).copied().collect();
            let mut shuffle = Rng(7);
            for i in (1..keys.len()).rev() {
                keys.swap(i, (shuffle.next() % (i as u64 + 1)) as usize);
            }
            let t = Instant::now();
            let mut hits = 0u64;
            for k in &keys {
                if set.lookup(HashAlgo::Md5, k).is_some() {
                    hits += 1;
                }
            }
            let secs = t.elapsed().as_secs_f64();
            println!(
                "one at a time: {} lookups on one core in {secs:.2} s: {:.0} lookups/s; {hits} hits (expected {})",
                keys.len(),
                keys.len() as f64 / secs,
                present.len()
            );
            assert_eq!(hits, present.len() as u64, "every present key is found, no absent key is");
            let refs: Vec<&[u8]> = keys.iter().map(|k| &k[..]).collect();
            let mut out = Vec::with_capacity(refs.len());
            let t = Instant::now();
            set.lookup_many(HashAlgo::Md5, &refs, &mut out);
            let secs = t.elapsed().as_secs_f64();
            let hits = out.iter().filter(|o| o.is_some()).count();
            println!(
                "batched: {} lookups on one core in {secs:.2} s: {:.0} lookups/s; {hits} hits",
                refs.len(),
                refs.len() as f64 / secs
            );
            assert_eq!(hits, present.len());
        }
        _ => eprintln!("usage: hashset_bench gen N FILE | lookup SET.vhs N LOOKUPS"),
    }
}
