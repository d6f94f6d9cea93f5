//! The scan itself: walk, hash in parallel, checkpoint, match, summarise.

use crate::algo::{AlgoSet, Hashers};
use crate::archive;
use crate::checkpoint::{Checkpoint, Finished, Header, Line};
use crate::escape::escape_path;
use crate::read_mode::ReadMode;
use crate::record::{FileRecord, MatchResult, PdqRecord, ScanSummary};
use crate::walk::walk;
pub use crate::walk::Entry;
use std::fs::File;
use std::io::Read;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use vigil_hashset::{Category, HashSet};

/// Read size: files are read sequentially in chunks of this size. A chunk
/// that stays in the L2 cache between the copy and the hashing measured
/// faster than 1 and 4 MiB chunks on every corpus in bench/scan.sh.
const READ_BUF: usize = 256 * 1024;

#[derive(Debug, Clone)]
pub struct ScanOptions {
    pub algos: AlgoSet,
    pub jobs: usize,
    /// Open ZIP and TAR archives and hash their members.
    pub archives: bool,
    pub checkpoint: Option<PathBuf>,
    pub resume: bool,
    pub progress: bool,
    /// Compute PDQ for image files (PNG, JPEG, GIF, BMP, WebP).
    pub pdq: bool,
    /// Read files into a buffer or map them (see `ReadMode`).
    pub read_mode: ReadMode,
    /// Runs MD5 and SHA-1 over several files at once where it is wider
    /// than one lane (`Kernel::detect()`); the scalar kernel reads one file
    /// at a time.
    pub kernel: crate::multi_buffer::Kernel,
}

/// PDQ matches are hashes within this Hamming distance (HMA's threshold).
pub const PDQ_RADIUS: u32 = 31;
/// Images whose PDQ quality is below this are recorded as low quality, not matched.
pub const PDQ_MIN_QUALITY: u32 = 50;
/// Images larger than this are not decoded for PDQ.
pub(crate) const PDQ_MAX_BYTES: u64 = 256 << 20;

/// A perceptual hash set: its name, kind and index. Labels of a known-bad
/// set are its categories.
pub struct PdqSet {
    pub name: String,
    pub kind: vigil_hashset::SetKind,
    pub index: vigil_pdq::PdqIndex,
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

/// An image's PDQ record, or why it could not be decoded.
pub(crate) fn pdq_record(bytes: &[u8]) -> PdqRecord {
    match vigil_pdq::hash_bytes(bytes) {
        Ok((r, d)) => PdqRecord {
            hash: Some(r.hash.to_hex()),
            quality: r.quality,
            dihedral: d.hashes.iter().map(|x| x.to_hex()).collect(),
            error: None,
        },
        Err(why) => PdqRecord {
            hash: None,
            quality: 0,
            dihedral: Vec::new(),
            error: Some(format!("cannot decode the image: {why}")),
        },
    }
}

fn error_record(e: &Entry, why: String) -> FileRecord {
    FileRecord {
        path: e.bytes().to_vec(),
        size: 0,
        digests: Default::default(),
        error: Some(why),
        member: false,
        pdq: None,
    }
}

/// What a worker reports for one entry.
pub(crate) struct Hashed {
    records: Vec<FileRecord>,
    size: u64,
    mtime_ns: i128,
    /// Taken from the checkpoint: the file was opened and stat'ed, not read.
    resumed: bool,
}

/// An entry opened for reading, or what a worker reports for it already:
/// an error, or its records from the checkpoint.
pub(crate) enum Opened {
    File { file: File, len: u64, mtime_ns: i128 },
    Done(Hashed),
}

pub(crate) fn open_entry(e: &Entry, pb: &Progress, finished: &Finished) -> Opened {
    let fail = |why: String| Opened::Done(Hashed::failed(e, why));
    if let Some(err) = &e.error {
        return fail(err.clone());
    }
    let f = match File::open(&e.path) {
        Ok(f) => f,
        Err(err) => return fail(format!("cannot open: {err}")),
    };
    let meta = match f.metadata() {
        Ok(m) => m,
        Err(err) => return fail(format!("cannot stat: {err}")),
    };
    let (len, mtime_ns) = (meta.len(), crate::walk::mtime_ns(&meta));
    if let Some((size, mtime, recs)) = finished.get(e.bytes()) {
        if *size == len && *mtime == mtime_ns {
            pb.file_done(0);
            return Opened::Done(Hashed { records: recs.clone(), size: len, mtime_ns, resumed: true });
        }
    }
    Opened::File { file: f, len, mtime_ns }
}

impl Hashed {
    pub(crate) fn failed(e: &Entry, why: String) -> Hashed {
        Hashed { records: vec![error_record(e, why)], size: 0, mtime_ns: 0, resumed: false }
    }
}

/// What each chunk of a file read feeds: the digests computed one file at
/// a time, the first 512 bytes (to recognise archives and images), the
/// whole image for PDQ, the count of bytes and the progress bar.
pub(crate) struct Feed<'p> {
    hashers: Hashers,
    head: Vec<u8>,
    whole: Option<Vec<u8>>,
    size: u64,
    len: u64,
    pdq: bool,
    pb: &'p Progress,
}

impl<'p> Feed<'p> {
    pub(crate) fn new(algos: &AlgoSet, len: u64, pdq: bool, pb: &'p Progress) -> Self {
        Feed { hashers: Hashers::new(algos), head: Vec::new(), whole: None, size: 0, len, pdq, pb }
    }

    pub(crate) fn feed(&mut self, chunk: &[u8]) {
        if self.head.len() < 512 {
            let take = (512 - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..take]);
            // An image to be PDQ-hashed is kept whole from the same read.
            if self.size == 0 && self.pdq && self.len <= PDQ_MAX_BYTES && vigil_pdq::looks_like_image(&self.head) {
                self.whole = Some(Vec::with_capacity(self.len as usize));
            }
        }
        if let Some(w) = &mut self.whole {
            w.extend_from_slice(chunk);
        }
        self.hashers.update(chunk);
        self.size += chunk.len() as u64;
        self.pb.bytes(chunk.len() as u64);
    }

    pub(crate) fn size(&self) -> u64 {
        self.size
    }

    /// The file's records: its own (with `lanes`' digests put in beside
    /// the feed's), then its archive's members; `buf` is scratch space.
    pub(crate) fn finish(
        self,
        e: &Entry,
        opts: &ScanOptions,
        lanes: crate::algo::Digests,
        buf: &mut [u8],
        mtime_ns: i128,
    ) -> Hashed {
        self.pb.file_done(0);
        let pdq = self.whole.map(|bytes| pdq_record(&bytes));
        let mut digests = self.hashers.finish();
        digests.md5 = digests.md5.or(lanes.md5);
        digests.sha1 = digests.sha1.or(lanes.sha1);
        let mut records =
            vec![FileRecord { path: e.bytes().to_vec(), size: self.size, digests, error: None, member: false, pdq }];
        if opts.archives {
            if let Some(kind) = archive::detect(&self.head, &e.path) {
                records.extend(archive::members(&e.path, kind, &opts.algos, buf, opts.pdq));
            }
        }
        Hashed { records, size: self.len, mtime_ns, resumed: false }
    }
}

fn hash_entry(e: &Entry, opts: &ScanOptions, buf: &mut Vec<u8>, pb: &Progress, finished: &Finished) -> Hashed {
    let (mut f, len, mtime_ns) = match open_entry(e, pb, finished) {
        Opened::File { file, len, mtime_ns } => (file, len, mtime_ns),
        Opened::Done(h) => return h,
    };
    let mut feed = Feed::new(&opts.algos, len, opts.pdq, pb);
    let mapped = if opts.read_mode.maps(&f, len) { crate::read_mode::map(&f).ok() } else { None };
    if let Some(map) = &mapped {
        // The same chunk size as the read path, so a chunk stays in cache
        // while each digest passes over it.
        for chunk in map.chunks(READ_BUF) {
            feed.feed(chunk);
        }
    } else {
        let want = READ_BUF;
        if buf.len() < want {
            buf.resize(want, 0);
        }
        let mut got = 0u64;
        loop {
            let n = match f.read(&mut buf[..want]) {
                Ok(0) => break,
                Ok(n) => n,
                Err(err) if err.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(err) => return Hashed::failed(e, format!("read failed after {got} bytes: {err}")),
            };
            feed.feed(&buf[..n]);
            got += n as u64;
            // A short read that reaches the size fstat gave is the end of a
            // regular file: skip the extra read that would only return 0.
            if n < want && got == len {
                break;
            }
        }
    }
    drop(mapped);
    feed.finish(e, opts, Default::default(), &mut buf[..], mtime_ns)
}

/// A worker's results on their way to the collecting thread, a few dozen
/// at a time: one channel message (and wake-up) per tiny file cost more
/// than hashing it. Sent at least every 50 ms, so the checkpoint journal
/// stays close behind the work.
pub(crate) struct Outbox {
    tx: mpsc::SyncSender<Vec<(usize, Hashed)>>,
    items: Vec<(usize, Hashed)>,
    since: std::time::Instant,
}

impl Outbox {
    const BATCH: usize = 64;
    const EVERY: std::time::Duration = std::time::Duration::from_millis(50);

    fn new(tx: mpsc::SyncSender<Vec<(usize, Hashed)>>) -> Self {
        Outbox { tx, items: Vec::with_capacity(Self::BATCH), since: std::time::Instant::now() }
    }

    /// False once the collector has gone (nothing more is wanted).
    pub(crate) fn send(&mut self, i: usize, h: Hashed) -> bool {
        self.items.push((i, h));
        if self.items.len() >= Self::BATCH || self.since.elapsed() >= Self::EVERY {
            return self.flush();
        }
        true
    }

    fn flush(&mut self) -> bool {
        self.since = std::time::Instant::now();
        if self.items.is_empty() {
            return true;
        }
        self.tx.send(std::mem::replace(&mut self.items, Vec::with_capacity(Self::BATCH))).is_ok()
    }
}

impl Drop for Outbox {
    fn drop(&mut self) {
        self.flush();
    }
}

/// The terminal progress bar: files against the total, bytes and rate in the message.
pub(crate) struct Progress {
    bar: indicatif::ProgressBar,
    bytes: std::sync::atomic::AtomicU64,
    start: std::time::Instant,
}

impl Progress {
    pub(crate) fn bytes(&self, n: u64) {
        self.bytes.fetch_add(n, Ordering::Relaxed);
    }

    pub(crate) fn file_done(&self, _: u64) {
        if self.bar.is_hidden() {
            return;
        }
        self.bar.inc(1);
        let b = self.bytes.load(Ordering::Relaxed);
        let secs = self.start.elapsed().as_secs_f64().max(1e-3);
        self.bar.set_message(format!(
            "{} read, {}/s",
            indicatif::HumanBytes(b),
            indicatif::HumanBytes((b as f64 / secs) as u64)
        ));
    }
}

fn progress_bar(files: u64, enabled: bool) -> Progress {
    let bar = if enabled {
        let pb = indicatif::ProgressBar::with_draw_target(Some(files), indicatif::ProgressDrawTarget::stderr());
        pb.set_style(
            indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} files  {msg}  ETA {eta}")
                .expect("a valid template"),
        );
        pb
    } else {
        indicatif::ProgressBar::hidden()
    };
    Progress { bar, bytes: std::sync::atomic::AtomicU64::new(0), start: std::time::Instant::now() }
}

/// Checks every source exists, then walks them: the entries a scan hashes,
/// sorted by path bytes.
pub fn plan(sources: &[PathBuf], jobs: usize) -> Result<Vec<Entry>, ScanError> {
    for s in sources {
        if std::fs::symlink_metadata(s).is_err() {
            return Err(ScanError::Source(format!("{}: no such file or directory", s.display())));
        }
    }
    Ok(walk(sources, jobs.max(1)))
}

/// Runs `opts.jobs` hashing threads over `entries` and hands each result,
/// with its entry's index, to `each` on the calling thread, in the order
/// they finish.
fn hash_all(
    entries: &[Entry],
    opts: &ScanOptions,
    pb: &Progress,
    finished: &Finished,
    mut each: impl FnMut(usize, Hashed),
) {
    let next = AtomicUsize::new(0);
    let lanes = opts.kernel.lanes() > 1 && (opts.algos.md5 || opts.algos.sha1);
    let (tx, rx) = mpsc::sync_channel::<Vec<(usize, Hashed)>>(64);
    std::thread::scope(|sc| {
        for _ in 0..opts.jobs.max(1) {
            let tx = tx.clone();
            let next = &next;
            sc.spawn(move || {
                let mut out = Outbox::new(tx);
                if lanes {
                    crate::lane_worker::run(entries, next, opts, pb, finished, &mut out);
                    return;
                }
                let mut buf = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(e) = entries.get(i) else { break };
                    let h = hash_entry(e, opts, &mut buf, pb, finished);
                    if !out.send(i, h) {
                        break;
                    }
                }
            });
        }
        drop(tx);
        for (i, h) in rx.into_iter().flatten() {
            each(i, h);
        }
    });
}

/// Hashes one batch of a scan's entries (a scan worker's share of a
/// distributed scan): each entry's records, in the entries' order, exactly
/// as [`scan`] would record them.
pub fn hash_batch(entries: &[Entry], opts: &ScanOptions) -> Vec<Vec<FileRecord>> {
    let pb = progress_bar(entries.len() as u64, false);
    let mut results: Vec<Option<Vec<FileRecord>>> = vec![None; entries.len()];
    hash_all(entries, opts, &pb, &Finished::new(), |i, h| results[i] = Some(h.records));
    results.into_iter().map(|r| r.expect("every entry was hashed")).collect()
}

/// The outcome of a scan from every entry's records in entry order (from
/// one process or gathered from the batches of several): matched against
/// the sets and summarised, the same way whoever hashed them.
pub fn conclude(
    per_entry: Vec<Vec<FileRecord>>,
    sets: &[HashSet],
    pdq_sets: &[PdqSet],
    resumed: u64,
    hashed: u64,
) -> ScanOutcome {
    let records: Vec<FileRecord> = per_entry.into_iter().flatten().collect();
    let mut matches = match_all(&records, sets);
    match_pdq(&records, pdq_sets, &mut matches);
    let summary = summarise(&records, &matches);
    ScanOutcome { records, matches, summary, resumed, hashed }
}

pub fn scan(
    sources: &[PathBuf],
    opts: &ScanOptions,
    sets: &[HashSet],
    pdq_sets: &[PdqSet],
) -> Result<ScanOutcome, ScanError> {
    let entries = plan(sources, opts.jobs)?;
    let mut results: Vec<Option<Vec<FileRecord>>> = vec![None; entries.len()];
    let mut journal = None;
    let mut finished = Finished::new();
    if let Some(path) = &opts.checkpoint {
        let header = Header::new(sources, opts.algos, opts.archives, opts.pdq);
        let (cp, f) = Checkpoint::open(path, &header, opts.resume).map_err(ScanError::Checkpoint)?;
        journal = Some(cp);
        finished = f;
    }
    let pb = progress_bar(entries.len() as u64, opts.progress);
    let mut journal_error = None;
    let (mut resumed, mut hashed) = (0u64, 0u64);
    hash_all(&entries, opts, &pb, &finished, |i, h| {
        if h.resumed {
            resumed += 1;
        } else {
            hashed += 1;
            if let (Some(cp), None) = (&mut journal, &journal_error) {
                let line = Line {
                    entry: hex::encode(entries[i].bytes()),
                    size: h.size,
                    mtime_ns: h.mtime_ns,
                    records: h.records.clone(),
                };
                if let Err(err) = cp.append(&line) {
                    journal_error = Some(err);
                }
            }
        }
        results[i] = Some(h.records);
    });
    pb.bar.finish_and_clear();
    if let Some(err) = journal_error {
        return Err(ScanError::Checkpoint(err));
    }
    if let Some(cp) = &mut journal {
        cp.sync().map_err(ScanError::Checkpoint)?;
    }
    let per_entry = results.into_iter().map(|r| r.expect("every entry was scanned")).collect();
    Ok(conclude(per_entry, sets, pdq_sets, resumed, hashed))
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
                out[i].push(MatchResult {
                    set: s.header().name.clone(),
                    category: c.as_str().to_owned(),
                    pdq_distance: None,
                });
            }
        }
    }
    out
}

/// Matches each image of good enough quality, all 8 dihedral variants,
/// against each PDQ set; the closest hash gives the category.
fn match_pdq(records: &[FileRecord], sets: &[PdqSet], out: &mut [Vec<MatchResult>]) {
    let mut found = Vec::new();
    for (i, r) in records.iter().enumerate() {
        let Some(p) = &r.pdq else { continue };
        if p.hash.is_none() || p.quality < PDQ_MIN_QUALITY {
            continue;
        }
        let variants: Vec<vigil_pdq::Hash256> =
            p.dihedral.iter().filter_map(|h| vigil_pdq::Hash256::from_hex(h).ok()).collect();
        for s in sets {
            let mut best: Option<(u32, u32)> = None;
            for v in &variants {
                s.index.query(v, PDQ_RADIUS, &mut found);
                for m in &found {
                    if best.is_none_or(|(d, _)| m.distance < d) {
                        best = Some((m.distance, m.id));
                    }
                }
            }
            if let Some((d, id)) = best {
                let category = match s.kind {
                    vigil_hashset::SetKind::KnownGood => Category::Good.as_str().to_owned(),
                    vigil_hashset::SetKind::KnownBad => {
                        Category::parse(s.index.label(id)).unwrap_or(Category::Other).as_str().to_owned()
                    }
                };
                out[i].push(MatchResult { set: s.name.clone(), category, pdq_distance: Some(d) });
            }
        }
    }
}

fn summarise(records: &[FileRecord], matches: &[Vec<MatchResult>]) -> ScanSummary {
    let mut s = ScanSummary::default();
    for (r, m) in records.iter().zip(matches) {
        if r.member {
            s.archive_members += 1;
        } else {
            s.files += 1;
        }
        if let Some(p) = &r.pdq {
            if p.hash.is_some() {
                s.pdq_hashed += 1;
                if p.quality < PDQ_MIN_QUALITY {
                    s.pdq_low_quality += 1;
                }
            }
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
