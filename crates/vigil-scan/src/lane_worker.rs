//! A scan worker that reads several files at once so their MD5 and SHA-1
//! run side by side in SIMD lanes (see `multi_buffer`).
//!
//! Each lane holds one open file and a window of its bytes not yet through
//! MD5 and SHA-1. Every chunk read goes at once through what is computed
//! one file at a time (SHA-256, BLAKE3, the head, a PDQ image), as in the
//! one-file worker; the whole 64-byte blocks of all the lanes then go
//! through the kernel together, as many as the shortest window holds. A
//! lane whose file has ended finishes it (the last partial block and the
//! padding, in scalar code) and takes the next entry, so small files
//! stream through the lanes beside a large one, which keeps its lane until
//! its end: MD5 and SHA-1 cannot split one file's stream.

use crate::algo::{AlgoSet, Digests};
use crate::checkpoint::Finished;
use crate::multi_buffer::{self, MD5_INIT, SHA1_INIT};
use crate::scanner::{open_entry, Feed, Hashed, Opened, Outbox, Progress, ScanOptions};
use crate::walk::Entry;
use std::fs::File;
use std::io::Read;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Bytes read per lane at a time: sixteen of them fit the L2 cache with
/// room to spare, so a chunk is still there when the kernel reaches it.
const CHUNK: usize = 64 * 1024;

/// The most files all the lane workers of a scan hold open at once.
const OPEN_FILES: usize = 512;

/// Where a lane's bytes come from.
enum Source {
    /// Read into the lane's buffer; `start..end` is not yet through the lanes.
    Read { file: File, buf: Vec<u8>, start: usize, end: usize },
    /// Mapped; `start..end` is not yet through the lanes, `end` how far the
    /// feed has read.
    Map { map: memmap2::Mmap, start: usize, end: usize },
}

struct Lane<'e, 'p> {
    index: usize,
    entry: &'e Entry,
    mtime_ns: i128,
    len: u64,
    source: Source,
    eof: bool,
    error: Option<String>,
    feed: Feed<'p>,
    md5: [u32; 4],
    sha1: [u32; 5],
}

impl Lane<'_, '_> {
    /// The bytes not yet through MD5 and SHA-1.
    fn window(&self) -> &[u8] {
        match &self.source {
            Source::Read { buf, start, end, .. } => &buf[*start..*end],
            Source::Map { map, start, end } => &map[*start..*end],
        }
    }

    fn consume(&mut self, n: usize) {
        match &mut self.source {
            Source::Read { start, .. } | Source::Map { start, .. } => *start += n,
        }
    }

    /// Reads the next chunk behind what is left of the window (under one
    /// block), feeding it to the one-file digests as it comes.
    fn refill(&mut self) {
        match &mut self.source {
            Source::Map { map, end, .. } => {
                let to = (*end + CHUNK).min(map.len());
                self.feed.feed(&map[*end..to]);
                *end = to;
                self.eof = to == map.len();
            }
            Source::Read { file, buf, start, end } => {
                // The few bytes left (less than a block) move to the front.
                buf.copy_within(*start..*end, 0);
                *end -= *start;
                *start = 0;
                let from = *end;
                // Fill the chunk, so that every window but a file's last is
                // whole blocks.
                while *end < buf.len() {
                    match file.read(&mut buf[*end..]) {
                        Ok(0) => {
                            self.eof = true;
                            break;
                        }
                        Ok(n) => *end += n,
                        Err(err) if err.kind() == std::io::ErrorKind::Interrupted => continue,
                        Err(err) => {
                            let got = self.feed.size() + (*end - from) as u64;
                            self.error = Some(format!("read failed after {got} bytes: {err}"));
                            return;
                        }
                    }
                    // A short read that reaches the size fstat gave is the
                    // end of a regular file: skip the read that would return 0.
                    if self.feed.size() + (*end - from) as u64 == self.len {
                        self.eof = true;
                        break;
                    }
                }
                self.feed.feed(&buf[from..*end]);
            }
        }
    }

    fn done(&self) -> bool {
        self.error.is_some() || (self.eof && self.window().len() < 64)
    }
}

/// Runs one worker: entries taken in turn from `next`, results sent as
/// each file finishes (not in order; the caller puts them in place).
pub(crate) fn run(
    entries: &[Entry],
    next: &AtomicUsize,
    opts: &ScanOptions,
    pb: &Progress,
    finished: &Finished,
    out: &mut Outbox,
) {
    // The digests the lanes compute are taken out of the one-file feed.
    let (algos, kernel) = (opts.algos, opts.kernel);
    let feed_algos = AlgoSet { md5: false, sha1: false, ..algos };
    // Each lane holds a file open: across all workers, at most
    // OPEN_FILES, well inside the usual limit of 1,024 descriptors.
    let width = kernel.lanes().min((OPEN_FILES / opts.jobs.max(1)).max(1));
    let mut lanes: Vec<Lane<'_, '_>> = Vec::with_capacity(width);
    let mut spare: Vec<Vec<u8>> = Vec::new();
    let mut scratch = vec![0u8; CHUNK];
    let mut more = true;
    loop {
        while more && lanes.len() < width {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(e) = entries.get(i) else {
                more = false;
                break;
            };
            match open_entry(e, pb, finished) {
                Opened::Done(h) => {
                    if !out.send(i, h) {
                        return;
                    }
                }
                Opened::File { file, len, mtime_ns } => {
                    let mapped = if opts.read_mode.maps(&file, len) { crate::read_mode::map(&file).ok() } else { None };
                    let source = match mapped {
                        Some(map) => Source::Map { map, start: 0, end: 0 },
                        None => {
                            let buf = spare.pop().unwrap_or_else(|| vec![0u8; CHUNK]);
                            Source::Read { file, buf, start: 0, end: 0 }
                        }
                    };
                    lanes.push(Lane {
                        index: i,
                        entry: e,
                        mtime_ns,
                        len,
                        source,
                        eof: false,
                        error: None,
                        feed: Feed::new(&feed_algos, len, opts.pdq, pb),
                        md5: MD5_INIT,
                        sha1: SHA1_INIT,
                    });
                }
            }
        }
        if lanes.is_empty() {
            return;
        }
        for lane in lanes.iter_mut() {
            if !lane.eof && lane.error.is_none() && lane.window().len() < 64 {
                lane.refill();
            }
        }
        // Lanes whose files have ended leave, and are reported.
        let mut k = 0;
        while k < lanes.len() {
            if !lanes[k].done() {
                k += 1;
                continue;
            }
            let lane = lanes.swap_remove(k);
            let (index, h, buf) = finish(lane, opts, &algos, &mut scratch);
            spare.extend(buf);
            if !out.send(index, h) {
                return;
            }
        }
        if lanes.is_empty() {
            continue;
        }
        let blocks = lanes.iter().map(|l| l.window().len() / 64).min().unwrap_or(0);
        if blocks > 0 {
            let mut md5: Vec<[u32; 4]> = lanes.iter().map(|l| l.md5).collect();
            let mut sha1: Vec<[u32; 5]> = lanes.iter().map(|l| l.sha1).collect();
            let data: Vec<&[u8]> = lanes.iter().map(Lane::window).collect();
            if algos.md5 {
                multi_buffer::md5_blocks(kernel, &mut md5, &data, blocks);
            }
            if algos.sha1 {
                multi_buffer::sha1_blocks(kernel.for_sha1(data.len()), &mut sha1, &data, blocks);
            }
            drop(data);
            for ((l, m), s) in lanes.iter_mut().zip(md5).zip(sha1) {
                l.md5 = m;
                l.sha1 = s;
            }
            for l in lanes.iter_mut() {
                l.consume(blocks * 64);
            }
        }
    }
}

/// A finished lane's report, and its buffer back for the next file.
fn finish(
    lane: Lane<'_, '_>,
    opts: &ScanOptions,
    algos: &AlgoSet,
    scratch: &mut [u8],
) -> (usize, Hashed, Option<Vec<u8>>) {
    let Lane { index, entry, mtime_ns, source, error, feed, md5, sha1, .. } = lane;
    if let Some(why) = error {
        let buf = match source {
            Source::Read { buf, .. } => Some(buf),
            Source::Map { .. } => None,
        };
        return (index, Hashed::failed(entry, why), buf);
    }
    let total = feed.size();
    let (tail, buf): (Vec<u8>, Option<Vec<u8>>) = match source {
        Source::Read { buf, start, end, .. } => (buf[start..end].to_vec(), Some(buf)),
        Source::Map { map, start, end } => (map[start..end].to_vec(), None),
    };
    let lanes = Digests {
        md5: algos.md5.then(|| multi_buffer::md5_finish(md5, &tail, total).to_vec()),
        sha1: algos.sha1.then(|| multi_buffer::sha1_finish(sha1, &tail, total).to_vec()),
        ..Default::default()
    };
    (index, feed.finish(entry, opts, lanes, scratch, mtime_ns), buf)
}
