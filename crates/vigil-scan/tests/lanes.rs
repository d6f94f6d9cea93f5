//! Issue 30, point 1: a scan whose MD5 and SHA-1 run in SIMD lanes gives
//! exactly the records of the one-file-at-a-time scan (the RustCrypto code),
//! on files of every size around the block edges, small files beside large
//! ones, archives, unreadable entries, both read modes and any job count.

use std::io::Write;
use std::path::{Path, PathBuf};
use vigil_scan::multi_buffer::Kernel;
use vigil_scan::{scan, AlgoSet, FileRecord, ReadMode, ScanOptions};

fn opts(kernel: Kernel, read_mode: ReadMode, jobs: usize, algos: &str) -> ScanOptions {
    ScanOptions {
        algos: AlgoSet::parse(algos).unwrap(),
        jobs,
        archives: true,
        checkpoint: None,
        resume: false,
        progress: false,
        pdq: false,
        read_mode,
        kernel,
    }
}

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

/// A tree of 300 files: every length from 0 to 130 bytes, random ones up
/// to 1 MiB, three of several MiB (one not a multiple of the read size), a
/// ZIP, and a file no one may read.
fn tree(root: &Path) -> Vec<PathBuf> {
    let mut seed = 11u64;
    for n in 0..=130usize {
        std::fs::write(root.join(format!("edge-{n:03}")), bytes(n, n as u64)).unwrap();
    }
    std::fs::create_dir(root.join("sub")).unwrap();
    for i in 0..160 {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let len = (seed >> 33) as usize % (1 << 20);
        std::fs::write(root.join("sub").join(format!("r{i:03}")), bytes(len, seed)).unwrap();
    }
    for (i, len) in [(0, 5 << 20), (1, (3 << 20) + 12_345), (2, 256 * 1024)] {
        std::fs::write(root.join(format!("large-{i}")), bytes(len, 99 + i as u64)).unwrap();
    }
    let mut zip = zip::ZipWriter::new(std::fs::File::create(root.join("members.zip")).unwrap());
    for i in 0..5 {
        zip.start_file(format!("m{i}.bin"), zip::write::SimpleFileOptions::default()).unwrap();
        zip.write_all(&bytes(1000 * i + 7, 500 + i as u64)).unwrap();
    }
    zip.finish().unwrap();
    vec![root.to_path_buf()]
}

fn records(o: &ScanOptions, sources: &[PathBuf]) -> Vec<FileRecord> {
    let mut r = scan(sources, o, &[], &[]).unwrap().records;
    r.sort_by(|a, b| a.path.cmp(&b.path));
    r
}

#[test]
fn lanes_give_the_records_of_the_one_file_scan() {
    let dir = tempfile::tempdir().unwrap();
    let sources = tree(dir.path());
    let want = records(&opts(Kernel::scalar(), ReadMode::Read, 2, "md5,sha1,sha256,blake3"), &sources);
    assert_eq!(want.len(), 131 + 160 + 3 + 1 + 5, "every file and member");
    assert!(want.iter().all(|r| r.error.is_none()));
    let kernel = Kernel::detect();
    eprintln!("kernel: {}", kernel.name());
    // 64 jobs: eight lanes each, so no more than 512 files are open at once.
    for (mode, jobs) in
        [(ReadMode::Read, 1), (ReadMode::Read, 2), (ReadMode::Mmap, 2), (ReadMode::Mmap, 3), (ReadMode::Read, 64)]
    {
        let got = records(&opts(kernel, mode, jobs, "md5,sha1,sha256,blake3"), &sources);
        assert_eq!(got, want, "{mode:?} with {jobs} jobs");
    }
    // MD5 alone and SHA-1 alone take the lanes without the other.
    for algos in ["md5", "sha1", "sha1,blake3"] {
        let one = records(&opts(Kernel::scalar(), ReadMode::Read, 2, algos), &sources);
        assert_eq!(records(&opts(kernel, ReadMode::Read, 2, algos), &sources), one, "{algos}");
    }
}

#[test]
fn an_unreadable_file_fails_alone_in_its_lane() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..40 {
        std::fs::write(dir.path().join(format!("f{i:02}")), bytes(i * 3000, i as u64)).unwrap();
    }
    // A directory where a file is expected to be read: open succeeds, read fails.
    let sources = vec![dir.path().to_path_buf(), dir.path().join("f05"), PathBuf::from("/proc/self/mem")];
    let kernel = Kernel::detect();
    let got = records(&opts(kernel, ReadMode::Read, 2, "md5,sha1"), &sources);
    let want = records(&opts(Kernel::scalar(), ReadMode::Read, 2, "md5,sha1"), &sources);
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g.path, w.path);
        assert_eq!(g.digests, w.digests, "{}", String::from_utf8_lossy(&g.path));
        assert_eq!(g.error.is_some(), w.error.is_some(), "{}", String::from_utf8_lossy(&g.path));
    }
    assert!(got.iter().any(|r| r.error.as_deref().is_some_and(|e| e.contains("read failed"))), "{got:?}");
}

/// Issue 28, point 3: a scan cut into batches, each hashed on its own (as
/// scan workers on several hosts do) and concluded in entry order, gives
/// the one-process scan's outcome, whatever the batch size or the kernel.
#[test]
fn batches_hashed_apart_conclude_as_one_scan() {
    let d = tempfile::tempdir().unwrap();
    let sources = tree(d.path());
    let o = opts(Kernel::detect(), ReadMode::Read, 2, "md5,sha1,sha256,blake3");
    let whole = scan(&sources, &o, &[], &[]).unwrap();
    let entries = vigil_scan::plan(&sources, 2).unwrap();
    for (size, kernel) in
        [(1, Kernel::scalar()), (7, Kernel::detect()), (64, Kernel::scalar()), (10_000, Kernel::detect())]
    {
        let mut o = o.clone();
        o.kernel = kernel;
        let per_entry: Vec<Vec<FileRecord>> =
            entries.chunks(size).flat_map(|batch| vigil_scan::hash_batch(batch, &o)).collect();
        assert_eq!(per_entry.len(), entries.len());
        let n = entries.len() as u64;
        let got = vigil_scan::conclude(per_entry, &[], &[], 0, n);
        assert_eq!(got.records, whole.records, "batches of {size}");
        assert_eq!(got.matches, whole.matches);
        assert_eq!(serde_json::to_string(&got.summary).unwrap(), serde_json::to_string(&whole.summary).unwrap());
    }
    // An entry goes between hosts as its path's bytes.
    for e in &entries {
        assert_eq!(&vigil_scan::Entry::from_bytes(e.bytes(), e.error.clone()), e);
    }
}
