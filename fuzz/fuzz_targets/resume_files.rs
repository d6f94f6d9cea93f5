//! Files Vigil reads back that may have been altered: a scan's resume
//! journal (`vigil scan --checkpoint F --resume`) and a log checkpoint
//! (`vigil verify --checkpoint F`). The first byte picks which.
#![no_main]
use libfuzzer_sys::fuzz_target;
use vigil_fuzz::{file, scratch};

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let d = scratch();
    if pick & 1 == 0 {
        let _ = vigil_core::Checkpoint::read(&file(d.path(), "log.checkpoint", rest));
        return;
    }
    let media = d.path().join("media");
    std::fs::create_dir(&media).unwrap();
    file(&media, "a.txt", b"synthetic file a");
    file(&media, "b.txt", b"synthetic file b");
    let journal = file(d.path(), "scan.checkpoint", rest);
    let opts = vigil_scan::ScanOptions {
        algos: vigil_scan::AlgoSet { md5: true, sha1: false, sha256: true, blake3: false },
        jobs: 1,
        archives: true,
        checkpoint: Some(journal),
        resume: true,
        progress: false,
        pdq: false,
        read_mode: vigil_scan::ReadMode::Read,
    };
    let _ = vigil_scan::scan(&[media], &opts, &[], &[]);
});
