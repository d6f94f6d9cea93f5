//! Conformance with the reference PDQ on the shared fixtures
//! (`../shared/fixtures/pdq`, beside the clone): every PNG gives the
//! identical hash, quality and dihedral hashes; every JPEG of quality ≥ 80 is
//! within Hamming distance 10 of the reference (decoders differ).
//! In CI (`CI=true`) missing fixtures fail the test; elsewhere they skip it.

use std::path::PathBuf;
use vigil_pdq::{hash_file, Hash256};

fn fixtures() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/pdq");
    if dir.join("expected.jsonl").is_file() {
        return Some(dir);
    }
    assert_ne!(std::env::var("CI").as_deref(), Ok("true"), "PDQ fixtures missing at {}", dir.display());
    eprintln!("SKIPPED: PDQ fixtures not found at {} (they live in ../shared beside the clone)", dir.display());
    None
}

#[test]
fn fixtures_match_the_reference() {
    let Some(dir) = fixtures() else { return };
    let text = std::fs::read_to_string(dir.join("expected.jsonl")).unwrap();
    let (mut png, mut jpg, mut worst) = (0, 0, 0);
    let mut failures = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let row: serde_json::Value = serde_json::from_str(line).unwrap();
        let file = row["file"].as_str().unwrap();
        let want = Hash256::from_hex(row["pdq"].as_str().unwrap()).unwrap();
        let want_q = row["quality"].as_u64().unwrap() as u32;
        let (got, dihedral) = hash_file(&dir.join(file)).unwrap();
        if file.ends_with(".png") {
            png += 1;
            if got.hash != want || got.quality != want_q {
                failures.push(format!(
                    "{file}: got {} q{} want {} q{want_q} (distance {})",
                    got.hash,
                    got.quality,
                    want,
                    got.hash.hamming(&want)
                ));
            }
            if let Some(d) = row["dihedral"].as_array() {
                for (k, h) in d.iter().enumerate() {
                    let w = Hash256::from_hex(h.as_str().unwrap()).unwrap();
                    if dihedral.hashes[k] != w {
                        failures.push(format!("{file}: dihedral {k} got {} want {w}", dihedral.hashes[k]));
                    }
                }
            }
        } else {
            jpg += 1;
            let dist = got.hash.hamming(&want);
            worst = worst.max(dist);
            if dist > 10 {
                failures.push(format!("{file}: JPEG distance {dist} > 10"));
            }
        }
    }
    eprintln!("{png} PNG fixtures compared for identity, {jpg} JPEG fixtures: largest distance {worst}");
    assert!(png > 0 && jpg > 0, "fixtures present: {png} PNG, {jpg} JPEG");
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
}
