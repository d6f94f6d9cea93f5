//! Files Vigil reads back that may have been altered: a scan's resume
//! journal (`vigil scan --checkpoint F --resume`) and a log checkpoint
//! (`vigil verify --checkpoint F`). The first byte picks which.
#![no_main]
use libfuzzer_sys::fuzz_target;
use vigil_fuzz::{file, scratch};

const MEDIA: &str = "/tmp/vigil-fuzz-resume/media";

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let d = scratch();
    if pick & 1 == 0 {
        let _ = vigil_core::Checkpoint::read(&file(d.path(), "log.checkpoint", rest));
        return;
    }
    // A fixed source, so a journal in the seeds (made by `vigil scan` of
    // this very folder) matches its header and the fuzzer reaches the lines.
    let media = std::path::PathBuf::from(MEDIA);
    if !media.join("b.txt").exists() {
        std::fs::create_dir_all(&media).unwrap();
        file(&media, "a.txt", b"synthetic file a");
        file(&media, "b.txt", b"synthetic file b");
    }
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
        kernel: vigil_scan::multi_buffer::Kernel::detect(),
    };
    let _ = vigil_scan::scan(&[media], &opts, &[], &[]);
});
