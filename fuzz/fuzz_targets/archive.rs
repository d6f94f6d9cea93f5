//! Seized-media triage of one file with archives opened: ZIP, TAR and
//! TAR.GZ walking, member hashing and PDQ of members, and reading a member
//! again by name. The first byte picks
//! the file's name (a `.tar.gz` name is what makes gzip count as an archive).
#![no_main]
use libfuzzer_sys::fuzz_target;
use vigil_fuzz::{file, scratch};

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let name = ["media.zip", "media.tar", "media.tar.gz", "media.bin"][usize::from(pick % 4)];
    let d = scratch();
    let p = file(d.path(), name, rest);
    let opts = vigil_scan::ScanOptions {
        algos: vigil_scan::AlgoSet { md5: true, sha1: true, sha256: true, blake3: true },
        jobs: 1,
        archives: true,
        checkpoint: None,
        resume: false,
        progress: false,
        pdq: true,
        read_mode: vigil_scan::ReadMode::Read,
        kernel: vigil_scan::multi_buffer::Kernel::detect(),
    };
    let Ok(out) = vigil_scan::scan(&[p.clone()], &opts, &[], &[]) else { return };
    // Each member read again by name, as a review preview is (issue 27).
    let archive = p.as_os_str().as_encoded_bytes();
    for r in out.records.iter().filter(|r| r.member && r.error.is_none()) {
        let name = &r.path[archive.len() + 1..];
        if let Ok(bytes) = vigil_scan::member_bytes(&p, name, 1 << 20) {
            assert!(bytes.len() <= 1 << 20, "the limit holds");
        }
    }
});
