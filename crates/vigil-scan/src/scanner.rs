//! The scan itself: walk, hash in parallel, checkpoint, match, summarise.

use crate::algo::{AlgoSet, Hashers};
use crate::archive;
use crate::checkpoint::{Checkpoint, Header, Line};
use crate::escape::escape_path;
use crate::record::{FileRecord, MatchResult, ScanSummary};
use crate::walk::{walk, Entry};
use std::fs::File;
use std::io::Read;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use vigil_hashset::{Category, HashSet};

/// Read size for a file: small files in one go, large ones in big sequential chunks.
const SMALL_BUF: usize = 256 * 1024;
const LARGE_BUF: usize = 4 << 20;

#[derive(Debug, Clone)]
pub struct ScanOptions {
    pub algos: AlgoSet,
    pub jobs: usize,
    /// Open ZIP and TAR archives and hash their members.
    pub archives: bool,
    pub checkpoint: Option<PathBuf>,
    pub resume: bool,
    pub progress: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("checkpoint: {0}")]
    Checkpoint(String),
    #[error("{0}")]
    Source(String),
}

pub struct ScanOutcome {
    pub records: Vec<FileRecord>,
    /// Matches per record, parallel to `records`.
    pub matches: Vec<Vec<MatchResult>>,
    pub summary: ScanSummary,
    /// Entries taken from the checkpoint without being read again.
    pub resumed: u64,
    /// Entries read and hashed in this run.
    pub hashed: u64,
}

fn error_record(e: &Entry, why: String) -> FileRecord {
    FileRecord { path: e.bytes().to_vec(), size: e.size, digests: Default::default(), error: Some(why), member: false }
}

fn hash_entry(e: &Entry, opts: &ScanOptions, buf: &mut Vec<u8>, pb: &indicatif::ProgressBar) -> Vec<FileRecord> {
    if let Some(err) = &e.error {
        return vec![error_record(e, err.clone())];
    }
    let mut f = match File::open(&e.path) {
        Ok(f) => f,
        Err(err) => return vec![error_record(e, format!("cannot open: {err}"))],
    };
    let want = if e.size > LARGE_BUF as u64 { LARGE_BUF } else { SMALL_BUF };
    if buf.len() < want {
        buf.resize(want, 0);
    }
    let mut h = Hashers::new(&opts.algos);
    let mut head: Vec<u8> = Vec::new();
    let mut size = 0u64;
    loop {
        let n = match f.read(&mut buf[..want]) {
            Ok(0) => break,
            Ok(n) => n,
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(err) => return vec![error_record(e, format!("read failed after {size} bytes: {err}"))],
        };
        if head.len() < 512 {
            let take = (512 - head.len()).min(n);
            head.extend_from_slice(&buf[..take]);
        }
        h.update(&buf[..n]);
        size += n as u64;
        pb.inc(n as u64);
    }
    let mut out = vec![FileRecord { path: e.bytes().to_vec(), size, digests: h.finish(), error: None, member: false }];
    if opts.archives {
        if let Some(kind) = archive::detect(&head, &e.path) {
            out.extend(archive::members(&e.path, kind, &opts.algos, &mut buf[..]));
        }
    }
    out
}

fn progress_bar(total: u64, enabled: bool) -> indicatif::ProgressBar {
    if !enabled {
        return indicatif::ProgressBar::hidden();
    }
    let pb = indicatif::ProgressBar::with_draw_target(Some(total), indicatif::ProgressDrawTarget::stderr());
    pb.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:30} {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta} {msg}",
        )
        .expect("a valid template"),
    );
    pb
}

pub fn scan(sources: &[PathBuf], opts: &ScanOptions, sets: &[HashSet]) -> Result<ScanOutcome, ScanError> {
    for s in sources {
        if std::fs::symlink_metadata(s).is_err() {
            return Err(ScanError::Source(format!("{}: no such file or directory", s.display())));
        }
    }
    let jobs = opts.jobs.max(1);
    let entries = walk(sources, jobs);
    let mut results: Vec<Option<Vec<FileRecord>>> = vec![None; entries.len()];
    let mut journal = None;
    if let Some(path) = &opts.checkpoint {
        let header = Header::new(sources, opts.algos, opts.archives);
        let (cp, finished) = Checkpoint::open(path, &header, opts.resume).map_err(ScanError::Checkpoint)?;
        for (i, e) in entries.iter().enumerate() {
            if let Some((size, mtime, recs)) = finished.get(e.bytes()) {
                if *size == e.size && *mtime == e.mtime_ns {
                    results[i] = Some(recs.clone());
                }
            }
        }
        journal = Some(cp);
    }
    let todo: Vec<usize> = (0..entries.len()).filter(|i| results[*i].is_none()).collect();
    let resumed = (entries.len() - todo.len()) as u64;
    let total: u64 = todo.iter().map(|i| entries[*i].size).sum();
    let pb = progress_bar(total, opts.progress);
    pb.set_message(format!("{} files", todo.len()));
    let next = AtomicUsize::new(0);
    let (tx, rx) = mpsc::sync_channel::<(usize, Vec<FileRecord>)>(1024);
    let mut journal_error = None;
    std::thread::scope(|sc| {
        for _ in 0..jobs {
            let tx = tx.clone();
            let (next, todo, entries, pb) = (&next, &todo, &entries, &pb);
            sc.spawn(move || {
                let mut buf = Vec::new();
                loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&i) = todo.get(k) else { break };
                    let recs = hash_entry(&entries[i], opts, &mut buf, pb);
                    if tx.send((i, recs)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        for (i, recs) in rx {
            if let (Some(cp), None) = (&mut journal, &journal_error) {
                let e = &entries[i];
                let line =
                    Line { entry: hex::encode(e.bytes()), size: e.size, mtime_ns: e.mtime_ns, records: recs.clone() };
                if let Err(err) = cp.append(&line) {
                    journal_error = Some(err);
                }
            }
            results[i] = Some(recs);
        }
    });
    pb.finish_and_clear();
    if let Some(err) = journal_error {
        return Err(ScanError::Checkpoint(err));
    }
    if let Some(cp) = &mut journal {
        cp.sync().map_err(ScanError::Checkpoint)?;
    }
    let records: Vec<FileRecord> = results.into_iter().flat_map(|r| r.expect("every entry was scanned")).collect();
    let matches = match_all(&records, sets);
    let summary = summarise(&records, &matches);
    Ok(ScanOutcome { records, matches, summary, resumed, hashed: todo.len() as u64 })
}

/// Matches every record against every set, a whole table at a time so the
/// set's batched lookup can overlap its memory reads.
fn match_all(records: &[FileRecord], sets: &[HashSet]) -> Vec<Vec<MatchResult>> {
    let mut out: Vec<Vec<MatchResult>> = vec![Vec::new(); records.len()];
    let mut found = Vec::new();
    for s in sets {
        let mut best: Vec<Option<Category>> = vec![None; records.len()];
        for algo in s.algos().collect::<Vec<_>>() {
            let (idx, keys): (Vec<usize>, Vec<&[u8]>) = records
                .iter()
                .enumerate()
                .filter(|(_, r)| r.error.is_none())
                .filter_map(|(i, r)| r.digests.get(algo).map(|d| (i, d)))
                .unzip();
            s.lookup_many(algo, &keys, &mut found);
            for (i, c) in idx.into_iter().zip(&found) {
                if let Some(c) = c {
                    best[i] = Some(best[i].map_or(*c, |b| b.min(*c)));
                }
            }
        }
        for (i, c) in best.into_iter().enumerate() {
            if let Some(c) = c {
                out[i].push(MatchResult { set: s.header().name.clone(), category: c.as_str().to_owned() });
            }
        }
    }
    out
}

fn summarise(records: &[FileRecord], matches: &[Vec<MatchResult>]) -> ScanSummary {
    let mut s = ScanSummary::default();
    for (r, m) in records.iter().zip(matches) {
        if r.member {
            s.archive_members += 1;
        } else {
            s.files += 1;
        }
        if let Some(err) = &r.error {
            s.unhashable += 1;
            s.unhashable_paths.push((escape_path(&r.path), err.clone()));
            continue;
        }
        s.bytes += r.size;
        // Known-bad outranks known-good: a file in both is never set aside.
        let bad = m
            .iter()
            .filter(|x| x.category != Category::Good.as_str())
            .min_by_key(|x| Category::parse(&x.category).map_or(Category::Other, |c| c));
        if let Some(b) = bad {
            s.known_bad += 1;
            *s.known_bad_by_category.entry(b.category.clone()).or_insert(0) += 1;
            s.known_bad_paths.push((escape_path(&r.path), b.category.clone(), b.set.clone()));
        } else if !m.is_empty() {
            s.known_good += 1;
        }
    }
    s
}
