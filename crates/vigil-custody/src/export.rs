//! The log export: JSON Lines that a defence expert can verify offline with
//! only the file and the log's public key.
//!
//! ```text
//! {"header":{"format":"vigil-custody-log","version":1,"public_key":"…","exported_at":"…","tree_size":N}}
//! {"leaf":"{\"v\":1,\"index\":0,\"event\":{…}}"}      one line per event, in order
//! {"head":{"tree_size":1,"root":"…","timestamp":"…","signature":"…"}}   after the leaf that completes it
//! {"end":{"events":N,"heads":H}}                        so a cut-short file is detected
//! ```
//! Leaves are carried as strings so the verifier hashes exactly the stored bytes.

use crate::checker::{prepare_leaf, LogChecker, LogError};
use crate::leaf::LeafError;
use crate::merkle::Hash;
use crate::stop_on_panic::StopOnPanic;
use crate::tree_head::SignedTreeHead;
use ed25519_dalek::VerifyingKey;
use serde::{Deserialize, Serialize};
use std::io::{BufRead, Write};
use vigil_domain::Timestamp;

pub const EXPORT_FORMAT: &str = "vigil-custody-log";
/// Longest line the verifier reads; a leaf is a few kilobytes at most.
const MAX_LINE: u64 = 256 * 1024;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportHeader {
    pub format: String,
    pub version: u32,
    pub public_key: String,
    pub exported_at: Timestamp,
    pub tree_size: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
pub enum ExportLine {
    Header(ExportHeader),
    Leaf(String),
    Head(SignedTreeHead),
    End { events: u64, heads: u64 },
}

pub struct ExportWriter<W: Write> {
    out: W,
    events: u64,
    heads: u64,
}

impl<W: Write> ExportWriter<W> {
    pub fn new(mut out: W, header: &ExportHeader) -> std::io::Result<Self> {
        write_line(&mut out, &ExportLine::Header(header.clone()))?;
        Ok(ExportWriter { out, events: 0, heads: 0 })
    }

    pub fn leaf(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        let s = std::str::from_utf8(bytes)
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "leaf is not UTF-8"))?;
        self.events += 1;
        write_line(&mut self.out, &ExportLine::Leaf(s.to_owned()))
    }

    pub fn head(&mut self, sth: &SignedTreeHead) -> std::io::Result<()> {
        self.heads += 1;
        write_line(&mut self.out, &ExportLine::Head(*sth))
    }

    pub fn finish(mut self) -> std::io::Result<W> {
        write_line(&mut self.out, &ExportLine::End { events: self.events, heads: self.heads })?;
        self.out.flush()?;
        Ok(self.out)
    }
}

fn write_line<W: Write>(out: &mut W, line: &ExportLine) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, line)?;
    out.write_all(b"\n")
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    #[error("line {line}: {why}")]
    Format { line: u64, why: String },
    #[error("line {line}: {source}")]
    Log { line: u64, source: LogError },
    #[error("reading the export: {0}")]
    Io(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportSummary {
    pub events: u64,
    pub heads: u64,
    pub root: Hash,
    pub last_head: Option<SignedTreeHead>,
    pub exported_at: Timestamp,
}

/// Lines go to a worker in batches of at most this many lines or bytes.
const BATCH_LINES: usize = 4096;
const BATCH_BYTES: usize = 4 << 20;

/// Lines read in order, cut into a batch, with what ended the reading if
/// it ended inside this batch.
struct Batch {
    text: Vec<u8>,
    ends: Vec<usize>,
    stop: Option<Stop>,
}

/// Why reading ended after a batch's last line.
enum Stop {
    /// The line after the batch's lines is longer than [`MAX_LINE`].
    TooLong,
    Io(String),
}

/// One line as a worker leaves it: everything that needs no other line is
/// done (the JSON read, a leaf's hash and its decoding), so the fold in
/// order only places it.
enum Parsed {
    Header(ExportHeader),
    Leaf { hash: Hash, claimed: Result<u64, LeafError> },
    Head(SignedTreeHead),
    End { events: u64, heads: u64 },
    Bad(String),
}

fn parse_line(line: &[u8]) -> Parsed {
    match serde_json::from_slice::<ExportLine>(line) {
        Ok(ExportLine::Header(h)) => Parsed::Header(h),
        Ok(ExportLine::Leaf(s)) => {
            let p = prepare_leaf(s.as_bytes());
            Parsed::Leaf { hash: p.hash, claimed: p.decoded.map(|(index, _)| index) }
        }
        Ok(ExportLine::Head(sth)) => Parsed::Head(sth),
        Ok(ExportLine::End { events, heads }) => Parsed::End { events, heads },
        Err(e) => Parsed::Bad(format!("not a valid export line: {e}")),
    }
}

/// Reads the next batch of lines; false with it where reading ended
/// (the end of the input, a line too long, a failed read).
fn read_batch<R: BufRead>(input: &mut R) -> (Batch, bool) {
    let mut batch = Batch { text: Vec::new(), ends: Vec::new(), stop: None };
    while batch.ends.len() < BATCH_LINES && batch.text.len() < BATCH_BYTES {
        let from = batch.text.len();
        match std::io::Read::take(&mut *input, MAX_LINE + 1).read_until(b'\n', &mut batch.text) {
            Ok(0) => return (batch, false),
            Ok(n) if n as u64 > MAX_LINE => {
                batch.text.truncate(from);
                batch.stop = Some(Stop::TooLong);
                return (batch, false);
            }
            Ok(_) => batch.ends.push(batch.text.len()),
            Err(e) => {
                batch.text.truncate(from);
                batch.stop = Some(Stop::Io(e.to_string()));
                return (batch, false);
            }
        }
    }
    (batch, true)
}

impl Batch {
    fn parse(&self) -> Vec<Parsed> {
        let mut from = 0;
        self.ends
            .iter()
            .map(|&end| {
                let line = &self.text[from..end];
                from = end;
                parse_line(line)
            })
            .collect()
    }
}

/// Verifies an export against a public key the caller trusts (never the one
/// inside the file: that is only compared, so a mismatch is named plainly).
///
/// The calling thread reads the lines in batches; one worker per core
/// parses each batch and hashes and decodes its leaves; one thread folds
/// the lines in order into the tree and checks each head where it stands.
/// A few batches are in flight at most, so memory stays a few megabytes for
/// any length, and the first problem in file order is the one reported, as
/// a reading in one pass would report it. An export of one batch is
/// verified on the calling thread alone.
pub fn verify_export<R: BufRead>(mut input: R, key: &VerifyingKey) -> Result<ExportSummary, ExportError> {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{mpsc, Condvar, Mutex};
    let (first, more) = read_batch(&mut input);
    if !more {
        let mut fold = ExportFold::new(key);
        fold.take_batch(first.parse(), first.stop)?;
        return fold.finish();
    }
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8);
    let most_in_flight = 2 * workers + 2;
    let in_flight = Mutex::new(0usize);
    let moved = Condvar::new();
    let stop = AtomicBool::new(false);
    let (work_tx, work_rx) = mpsc::channel::<(u64, Batch)>();
    let work_rx = Mutex::new(work_rx);
    let (done_tx, done_rx) = mpsc::channel::<(u64, Vec<Parsed>, Option<Stop>)>();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let (work_rx, done_tx) = (&work_rx, done_tx.clone());
            let alarm = StopOnPanic { stop: &stop, lock: &in_flight, moved: &moved };
            scope.spawn(move || {
                let _alarm = alarm;
                loop {
                    let next = work_rx.lock().unwrap_or_else(|p| p.into_inner()).recv();
                    let Ok((seq, batch)) = next else { break };
                    if done_tx.send((seq, batch.parse(), batch.stop)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(done_tx);
        let (in_flight, moved, stop) = (&in_flight, &moved, &stop);
        let fold = scope.spawn(move || {
            let _alarm = StopOnPanic { stop, lock: in_flight, moved };
            let mut fold = ExportFold::new(key);
            let outcome = (|| {
                let mut waiting = std::collections::BTreeMap::new();
                let mut next = 0u64;
                for (seq, parsed, ended) in done_rx.iter() {
                    waiting.insert(seq, (parsed, ended));
                    while let Some((parsed, ended)) = waiting.remove(&next) {
                        fold.take_batch(parsed, ended)?;
                        next += 1;
                        *in_flight.lock().unwrap_or_else(|p| p.into_inner()) -= 1;
                        moved.notify_all();
                    }
                }
                fold.finish()
            })();
            // Done or broken: the reader stops reading.
            stop.store(true, Ordering::Relaxed);
            let _guard = in_flight.lock().unwrap_or_else(|p| p.into_inner());
            moved.notify_all();
            outcome
        });
        let (mut batch, mut more) = (first, true);
        let mut seq = 0u64;
        loop {
            {
                let mut n = in_flight.lock().unwrap_or_else(|p| p.into_inner());
                while *n >= most_in_flight && !stop.load(Ordering::Relaxed) {
                    n = moved.wait(n).unwrap_or_else(|p| p.into_inner());
                }
                *n += 1;
            }
            if work_tx.send((seq, batch)).is_err() || !more || stop.load(Ordering::Relaxed) {
                break;
            }
            seq += 1;
            (batch, more) = read_batch(&mut input);
        }
        drop(work_tx);
        fold.join().unwrap_or_else(|p| std::panic::resume_unwind(p))
    })
}

/// The export's lines folded in order: the header, each leaf into the
/// tree, each head checked where it stands, the end line's counts.
struct ExportFold<'k> {
    key: &'k VerifyingKey,
    checker: LogChecker,
    line: u64,
    header: Option<ExportHeader>,
    ended: Option<(u64, u64)>,
}

impl<'k> ExportFold<'k> {
    fn new(key: &'k VerifyingKey) -> Self {
        ExportFold { key, checker: LogChecker::new(*key), line: 0, header: None, ended: None }
    }

    /// Takes a batch's lines, then what ended the reading after them.
    fn take_batch(&mut self, parsed: Vec<Parsed>, ended: Option<Stop>) -> Result<(), ExportError> {
        for p in parsed {
            self.take(p)?;
        }
        match ended {
            Some(Stop::TooLong) => {
                Err(ExportError::Format { line: self.line + 1, why: format!("line is longer than {MAX_LINE} bytes") })
            }
            Some(Stop::Io(e)) => Err(ExportError::Io(e)),
            None => Ok(()),
        }
    }

    fn take(&mut self, parsed: Parsed) -> Result<(), ExportError> {
        self.line += 1;
        let line = self.line;
        let fmt = |why: String| ExportError::Format { line, why };
        if self.ended.is_some() {
            return Err(fmt("content after the end line".into()));
        }
        match (parsed, &self.header) {
            (Parsed::Bad(why), _) => return Err(fmt(why)),
            (Parsed::Header(h), None) => {
                if h.format != EXPORT_FORMAT || h.version != 1 {
                    return Err(fmt(format!(
                        "not a Vigil custody log export (format {:?} version {})",
                        h.format, h.version
                    )));
                }
                let supplied = hex::encode(self.key.as_bytes());
                if h.public_key != supplied {
                    return Err(fmt(format!(
                        "the export was signed by key {} but the public key given is {supplied}",
                        h.public_key
                    )));
                }
                self.header = Some(h);
            }
            (_, None) => return Err(fmt("the first line must be the header".into())),
            (Parsed::Header(_), Some(_)) => return Err(fmt("a second header".into())),
            (Parsed::Leaf { hash, claimed }, Some(_)) => {
                self.checker.add_hashed(hash, claimed).map_err(|source| ExportError::Log { line, source })?;
            }
            (Parsed::Head(sth), Some(_)) => {
                self.checker.check_head(&sth).map_err(|source| ExportError::Log { line, source })?;
            }
            (Parsed::End { events, heads }, Some(_)) => self.ended = Some((events, heads)),
        }
        Ok(())
    }

    fn finish(self) -> Result<ExportSummary, ExportError> {
        let line = self.line;
        let fmt = |why: String| ExportError::Format { line, why };
        let checker = self.checker;
        let header = self.header.ok_or_else(|| fmt("the export is empty".into()))?;
        let (events, heads) = self.ended.ok_or_else(|| fmt("the export has no end line: it was cut short".into()))?;
        if events != checker.size() || heads != checker.heads_checked() {
            return Err(fmt(format!(
                "the end line counts {events} events and {heads} heads but the file holds {} and {}",
                checker.size(),
                checker.heads_checked()
            )));
        }
        if header.tree_size != checker.size() {
            return Err(fmt(format!(
                "the header says {} events but the file holds {}",
                header.tree_size,
                checker.size()
            )));
        }
        checker.finish().map_err(|source| ExportError::Log { line, source })?;
        Ok(ExportSummary {
            events,
            heads,
            root: checker.root(),
            last_head: checker.last_head().copied(),
            exported_at: header.exported_at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontier::Frontier;
    use crate::leaf::encode_leaf;
    use crate::merkle::leaf_hash;
    use crate::tree_head::TreeHead;
    use ed25519_dalek::SigningKey;
    use vigil_domain::{Actor, CustodyEvent, EventKind, ObjectRef};

    fn export(n: u64, key: &SigningKey) -> String {
        let header = ExportHeader {
            format: EXPORT_FORMAT.into(),
            version: 1,
            public_key: hex::encode(key.verifying_key().as_bytes()),
            exported_at: Timestamp(99),
            tree_size: n,
        };
        let mut w = ExportWriter::new(Vec::new(), &header).unwrap();
        let mut f = Frontier::new();
        for i in 0..n {
            let ev = CustodyEvent::new(
                EventKind::Reviewed,
                Actor::parse("ABC").unwrap(),
                Timestamp(i as i64),
                ObjectRef::log(),
            );
            let leaf = encode_leaf(i, &ev);
            f.push(leaf_hash(&leaf));
            w.leaf(&leaf).unwrap();
            if i % 2 == 1 || i == n - 1 {
                w.head(&TreeHead { tree_size: i + 1, root: f.root(), timestamp: Timestamp(i as i64) }.sign(key))
                    .unwrap();
            }
        }
        String::from_utf8(w.finish().unwrap()).unwrap()
    }

    #[test]
    fn a_clean_export_verifies() {
        let key = SigningKey::from_bytes(&[1; 32]);
        let s = verify_export(export(9, &key).as_bytes(), &key.verifying_key()).unwrap();
        assert_eq!((s.events, s.heads), (9, 5));
    }

    #[test]
    fn tampering_is_named() {
        let key = SigningKey::from_bytes(&[1; 32]);
        let text = export(9, &key);
        let vk = key.verifying_key();
        // Change an actor in event 3.
        let lines: Vec<&str> = text.lines().collect();
        let mut edited = lines.clone();
        let l4 = lines[5].replace("ABC", "XYZ");
        edited[5] = &l4;
        let e = verify_export(edited.join("\n").as_bytes(), &vk).unwrap_err().to_string();
        assert!(e.contains("does not match the recomputed tree"), "{e}");
        // Drop an event line.
        let mut dropped = lines.clone();
        dropped.remove(2);
        let e = verify_export(dropped.join("\n").as_bytes(), &vk).unwrap_err().to_string();
        assert!(e.contains("line 3") && e.contains("events were removed"), "{e}");
        // Cut short.
        let cut = lines[..lines.len() - 1].join("\n");
        let e = verify_export(cut.as_bytes(), &vk).unwrap_err().to_string();
        assert!(e.contains("cut short"), "{e}");
        // Wrong key.
        let other = SigningKey::from_bytes(&[2; 32]).verifying_key();
        let e = verify_export(text.as_bytes(), &other).unwrap_err().to_string();
        assert!(e.contains("public key given"), "{e}");
        // Garbage.
        let e = verify_export(&b"\x00\x01garbage\n"[..], &vk).unwrap_err().to_string();
        assert!(e.contains("line 1"), "{e}");
    }

    /// Lines of a long export, in batches on several workers: the first
    /// problem in file order is named by its line, wherever the batches
    /// are cut, as one reading in order would name it.
    #[test]
    fn a_long_export_names_the_first_problem_by_its_line() {
        let key = SigningKey::from_bytes(&[1; 32]);
        let vk = key.verifying_key();
        let text = export(10_000, &key);
        let lines: Vec<String> = text.lines().map(str::to_owned).collect();
        assert!(lines.len() > 3 * BATCH_LINES, "the export spans several batches");
        let s = verify_export(text.as_bytes(), &vk).unwrap();
        assert_eq!((s.events, s.heads), (10_000, 5_000));
        let join = |l: &[String]| l.join("\n") + "\n";

        // Event 7000 (line 10502) altered: the head after it (line 10504)
        // no longer matches.
        let mut altered = lines.clone();
        assert!(altered[10_501].contains("\\\"index\\\":7000,"), "{}", altered[10_501]);
        altered[10_501] = altered[10_501].replace("ABC", "XYZ");
        let e = verify_export(join(&altered).as_bytes(), &vk).unwrap_err().to_string();
        assert!(e.starts_with("line 10504: signed tree head for size 7002 does not match"), "{e}");

        // A line too long further on is not reached; alone, it is named.
        let mut long = altered.clone();
        long[14_000] = "x".repeat(MAX_LINE as usize + 10);
        let e = verify_export(join(&long).as_bytes(), &vk).unwrap_err().to_string();
        assert!(e.starts_with("line 10504: "), "{e}");
        let mut long = lines.clone();
        long[14_000] = "x".repeat(MAX_LINE as usize + 10);
        let e = verify_export(join(&long).as_bytes(), &vk).unwrap_err().to_string();
        assert_eq!(e, format!("line 14001: line is longer than {MAX_LINE} bytes"));

        // A line removed in a later batch.
        let mut dropped = lines.clone();
        dropped.remove(12_001);
        let e = verify_export(join(&dropped).as_bytes(), &vk).unwrap_err().to_string();
        assert!(e.starts_with("line 12002: event #8000 says it is event #8001"), "{e}");

        // Content after the end line, and an end line that miscounts.
        let mut after = lines.clone();
        after.push(lines[1].clone());
        let e = verify_export(join(&after).as_bytes(), &vk).unwrap_err().to_string();
        assert_eq!(e, format!("line {}: content after the end line", lines.len() + 1));
        let mut short = lines.clone();
        short.truncate(lines.len() - 3);
        short.push(lines[lines.len() - 1].clone());
        let e = verify_export(join(&short).as_bytes(), &vk).unwrap_err().to_string();
        assert!(e.contains("the end line counts 10000 events and 5000 heads but the file holds 9999 and 4999"), "{e}");
    }

    /// A read that fails part way is the error, not a verdict on the log.
    #[test]
    fn a_failing_read_is_named() {
        struct Failing<'a>(&'a [u8]);
        impl std::io::Read for Failing<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                if self.0.is_empty() {
                    return Err(std::io::Error::other("the disk went away"));
                }
                let n = buf.len().min(self.0.len()).min(1000);
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let key = SigningKey::from_bytes(&[1; 32]);
        let text = export(10_000, &key);
        let cut = &text.as_bytes()[..text.len() / 2];
        let e = verify_export(std::io::BufReader::new(Failing(cut)), &key.verifying_key()).unwrap_err();
        assert_eq!(e, ExportError::Io("the disk went away".into()));
    }
}
