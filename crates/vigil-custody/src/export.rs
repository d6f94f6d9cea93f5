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

use crate::checker::{LogChecker, LogError};
use crate::merkle::Hash;
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

/// Verifies an export against a public key the caller trusts (never the one
/// inside the file: that is only compared, so a mismatch is named plainly).
pub fn verify_export<R: BufRead>(mut input: R, key: &VerifyingKey) -> Result<ExportSummary, ExportError> {
    let mut checker = LogChecker::new(*key);
    let mut line_no = 0u64;
    let mut buf = Vec::new();
    let mut header: Option<ExportHeader> = None;
    let mut ended: Option<(u64, u64)> = None;
    loop {
        buf.clear();
        let n = std::io::Read::take(&mut input, MAX_LINE + 1)
            .read_until(b'\n', &mut buf)
            .map_err(|e| ExportError::Io(e.to_string()))?;
        if n == 0 {
            break;
        }
        line_no += 1;
        let fmt = |why: String| ExportError::Format { line: line_no, why };
        if buf.len() as u64 > MAX_LINE {
            return Err(fmt(format!("line is longer than {MAX_LINE} bytes")));
        }
        if ended.is_some() {
            return Err(fmt("content after the end line".into()));
        }
        let line: ExportLine =
            serde_json::from_slice(&buf).map_err(|e| fmt(format!("not a valid export line: {e}")))?;
        match (line, &header) {
            (ExportLine::Header(h), None) => {
                if h.format != EXPORT_FORMAT || h.version != 1 {
                    return Err(fmt(format!(
                        "not a Vigil custody log export (format {:?} version {})",
                        h.format, h.version
                    )));
                }
                let supplied = hex::encode(key.as_bytes());
                if h.public_key != supplied {
                    return Err(fmt(format!(
                        "the export was signed by key {} but the public key given is {supplied}",
                        h.public_key
                    )));
                }
                header = Some(h);
            }
            (_, None) => return Err(fmt("the first line must be the header".into())),
            (ExportLine::Header(_), Some(_)) => return Err(fmt("a second header".into())),
            (ExportLine::Leaf(s), Some(_)) => {
                checker.add_leaf(s.as_bytes()).map_err(|source| ExportError::Log { line: line_no, source })?;
            }
            (ExportLine::Head(sth), Some(_)) => {
                checker.check_head(&sth).map_err(|source| ExportError::Log { line: line_no, source })?;
            }
            (ExportLine::End { events, heads }, Some(_)) => ended = Some((events, heads)),
        }
    }
    let fmt = |why: String| ExportError::Format { line: line_no, why };
    let header = header.ok_or_else(|| fmt("the export is empty".into()))?;
    let (events, heads) = ended.ok_or_else(|| fmt("the export has no end line: it was cut short".into()))?;
    if events != checker.size() || heads != checker.heads_checked() {
        return Err(fmt(format!(
            "the end line counts {events} events and {heads} heads but the file holds {} and {}",
            checker.size(),
            checker.heads_checked()
        )));
    }
    if header.tree_size != checker.size() {
        return Err(fmt(format!("the header says {} events but the file holds {}", header.tree_size, checker.size())));
    }
    checker.finish().map_err(|source| ExportError::Log { line: line_no, source })?;
    Ok(ExportSummary {
        events,
        heads,
        root: checker.root(),
        last_head: checker.last_head().copied(),
        exported_at: header.exported_at,
    })
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
}
