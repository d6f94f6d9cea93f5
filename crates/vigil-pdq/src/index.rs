//! An exact radius search over PDQ hashes by multi-index hashing.
//!
//! The 256 bits are cut into sixteen 16-bit words. If two hashes differ in
//! at most `r` bits, then by the pigeonhole principle some word differs in at
//! most `r / 16` bits (1 for the usual radius 31). Each word position has a
//! table from word value to the hashes holding it; a query probes, at each
//! position, every word value within `r / 16` bits of its own word, and
//! checks each candidate's full distance. A match is reported only at the
//! first position that could have found it, so nothing is reported twice
//! and nothing within the radius is missed. Below a few thousand hashes a
//! flat scan is used instead.

use crate::hash256::Hash256;
use std::io::{Read, Write};

const MAGIC: &[u8; 8] = b"VIGILPDQ";
/// Below this many hashes, scanning them all beats building tables.
const FLAT_MAX: usize = 4096;

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("line {line}: {why}")]
    Line { line: u64, why: String },
    #[error("not a Vigil PDQ index file: {0}")]
    BadFile(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// One hash with its quality and label (a category or set name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexEntry {
    pub hash: Hash256,
    pub quality: u8,
    pub label: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexMatch {
    pub id: u32,
    pub distance: u32,
}

/// Word tables for one position: `ids[offsets[w]..offsets[w+1]]` hold word value `w`.
struct WordTable {
    offsets: Vec<u32>,
    ids: Vec<u32>,
}

pub struct PdqIndex {
    hashes: Vec<[u64; 4]>,
    qualities: Vec<u8>,
    labels: Vec<u16>,
    label_names: Vec<String>,
    tables: Vec<WordTable>,
}

fn words(h: &Hash256) -> [u64; 4] {
    let w = &h.0;
    let mut out = [0u64; 4];
    for (k, o) in out.iter_mut().enumerate() {
        *o = u64::from(w[4 * k])
            | u64::from(w[4 * k + 1]) << 16
            | u64::from(w[4 * k + 2]) << 32
            | u64::from(w[4 * k + 3]) << 48;
    }
    out
}

fn word(h: &[u64; 4], p: usize) -> u16 {
    (h[p / 4] >> (16 * (p % 4))) as u16
}

fn distance(a: &[u64; 4], b: &[u64; 4]) -> u32 {
    (a[0] ^ b[0]).count_ones() + (a[1] ^ b[1]).count_ones() + (a[2] ^ b[2]).count_ones() + (a[3] ^ b[3]).count_ones()
}

/// All 16-bit masks with at most `s` bits set.
fn masks(s: u32) -> Vec<u16> {
    (0..=u16::MAX).filter(|m| m.count_ones() <= s).collect()
}

impl PdqIndex {
    pub fn build(entries: &[IndexEntry]) -> Self {
        let mut label_names: Vec<String> = Vec::new();
        let mut labels = Vec::with_capacity(entries.len());
        for e in entries {
            let i = match label_names.iter().position(|l| *l == e.label) {
                Some(i) => i,
                None => {
                    label_names.push(e.label.clone());
                    label_names.len() - 1
                }
            };
            labels.push(i as u16);
        }
        let hashes: Vec<[u64; 4]> = entries.iter().map(|e| words(&e.hash)).collect();
        let qualities = entries.iter().map(|e| e.quality).collect();
        let mut idx = PdqIndex { hashes, qualities, labels, label_names, tables: Vec::new() };
        idx.build_tables();
        idx
    }

    fn build_tables(&mut self) {
        if self.hashes.len() <= FLAT_MAX {
            return;
        }
        let n = self.hashes.len();
        self.tables = (0..16)
            .map(|p| {
                // Counting sort of ids by this position's word.
                let mut offsets = vec![0u32; 65537];
                for h in &self.hashes {
                    offsets[word(h, p) as usize + 1] += 1;
                }
                for w in 0..65536 {
                    offsets[w + 1] += offsets[w];
                }
                let mut fill = offsets.clone();
                let mut ids = vec![0u32; n];
                for (id, h) in self.hashes.iter().enumerate() {
                    let w = word(h, p) as usize;
                    ids[fill[w] as usize] = id as u32;
                    fill[w] += 1;
                }
                WordTable { offsets, ids }
            })
            .collect();
    }

    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    /// Bytes held in memory (hashes, qualities, labels and word tables).
    pub fn memory_bytes(&self) -> usize {
        self.hashes.len() * (32 + 1 + 2)
            + self.tables.iter().map(|t| 4 * (t.offsets.len() + t.ids.len())).sum::<usize>()
    }

    pub fn hash(&self, id: u32) -> Hash256 {
        let h = &self.hashes[id as usize];
        let mut w = [0u16; 16];
        for (p, v) in w.iter_mut().enumerate() {
            *v = word(h, p);
        }
        Hash256(w)
    }

    pub fn quality(&self, id: u32) -> u8 {
        self.qualities[id as usize]
    }

    pub fn label(&self, id: u32) -> &str {
        &self.label_names[self.labels[id as usize] as usize]
    }

    /// Every hash within `radius` bits of `q`, in id order.
    pub fn query(&self, q: &Hash256, radius: u32, out: &mut Vec<IndexMatch>) {
        out.clear();
        let qw = words(q);
        if self.tables.is_empty() || radius >= 64 {
            for (id, h) in self.hashes.iter().enumerate() {
                let d = distance(h, &qw);
                if d <= radius {
                    out.push(IndexMatch { id: id as u32, distance: d });
                }
            }
            return;
        }
        let s = radius / 16;
        let probe = masks(s);
        for (p, t) in self.tables.iter().enumerate() {
            let base = word(&qw, p);
            for m in &probe {
                let w = (base ^ m) as usize;
                for &id in &t.ids[t.offsets[w] as usize..t.offsets[w + 1] as usize] {
                    let h = &self.hashes[id as usize];
                    let d = distance(h, &qw);
                    if d > radius {
                        continue;
                    }
                    // Report only at the first position that finds it.
                    let first = (0..16).find(|&k| (word(h, k) ^ word(&qw, k)).count_ones() <= s);
                    if first == Some(p) {
                        out.push(IndexMatch { id, distance: d });
                    }
                }
            }
        }
        out.sort_unstable_by_key(|m| m.id);
    }

    /// The compact file: header, then hashes (32 bytes each, bit 255 first),
    /// qualities and label numbers. Word tables are rebuilt on load.
    pub fn save(&self, out: &mut impl Write, meta: &str) -> Result<(), IndexError> {
        let header = serde_json::to_string(&Header {
            format: "vigil-pdq-index".into(),
            version: 1,
            count: self.hashes.len(),
            labels: self.label_names.clone(),
            meta: meta.to_owned(),
        })
        .expect("a header serialises");
        out.write_all(MAGIC)?;
        out.write_all(&(header.len() as u32).to_le_bytes())?;
        out.write_all(header.as_bytes())?;
        for id in 0..self.hashes.len() {
            out.write_all(&self.hash(id as u32).to_bytes())?;
        }
        out.write_all(&self.qualities)?;
        for l in &self.labels {
            out.write_all(&l.to_le_bytes())?;
        }
        Ok(())
    }

    /// Loads a file written by [`save`](Self::save); returns the index and its `meta` text.
    pub fn load(input: &mut impl Read) -> Result<(Self, String), IndexError> {
        let bad = |why: &str| IndexError::BadFile(why.to_owned());
        let mut magic = [0u8; 12];
        input.read_exact(&mut magic).map_err(|_| bad("too short"))?;
        if &magic[..8] != MAGIC {
            return Err(bad("wrong magic bytes"));
        }
        let hlen = u32::from_le_bytes(magic[8..12].try_into().expect("4 bytes")) as usize;
        if hlen > 1 << 20 {
            return Err(bad("header too large"));
        }
        let mut header = vec![0u8; hlen];
        input.read_exact(&mut header).map_err(|_| bad("header cut short"))?;
        let h: Header = serde_json::from_slice(&header).map_err(|e| bad(&format!("header: {e}")))?;
        if h.format != "vigil-pdq-index" || h.version != 1 {
            return Err(bad("unknown format or version"));
        }
        let n = h.count;
        let mut raw = vec![0u8; n.checked_mul(32).ok_or_else(|| bad("count too large"))?];
        input.read_exact(&mut raw).map_err(|_| bad("hashes cut short"))?;
        let mut qualities = vec![0u8; n];
        input.read_exact(&mut qualities).map_err(|_| bad("qualities cut short"))?;
        let mut lab = vec![0u8; 2 * n];
        input.read_exact(&mut lab).map_err(|_| bad("labels cut short"))?;
        let labels: Vec<u16> = lab.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
        if labels.iter().any(|l| *l as usize >= h.labels.len()) {
            return Err(bad("a label number is out of range"));
        }
        let hashes = raw
            .chunks_exact(32)
            .map(|c| {
                let mut w = [0u16; 16];
                for (i, pair) in c.chunks_exact(2).enumerate() {
                    w[15 - i] = u16::from_be_bytes([pair[0], pair[1]]);
                }
                words(&Hash256(w))
            })
            .collect();
        let mut idx = PdqIndex { hashes, qualities, labels, label_names: h.labels, tables: Vec::new() };
        idx.build_tables();
        Ok((idx, h.meta))
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    format: String,
    version: u32,
    count: usize,
    labels: Vec<String>,
    meta: String,
}

/// Parses ThreatExchange-style PDQ lines: `hex`, `hex,quality` or
/// `hex,quality,label`. Blank lines and `#` comments are skipped.
pub fn parse_pdq_lines(text: &str, default_label: &str) -> Result<Vec<IndexEntry>, IndexError> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line_no = n as u64 + 1;
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = t.split(',').map(str::trim).collect();
        if cols.len() > 3 {
            return Err(IndexError::Line {
                line: line_no,
                why: format!("expected hex[,quality[,label]], found {} columns", cols.len()),
            });
        }
        let hash = Hash256::from_hex(cols[0]).map_err(|e| IndexError::Line { line: line_no, why: e.to_string() })?;
        let quality = match cols.get(1) {
            Some(q) if !q.is_empty() => q
                .parse::<u8>()
                .ok()
                .filter(|q| *q <= 100)
                .ok_or_else(|| IndexError::Line { line: line_no, why: format!("quality {q:?} is not 0 to 100") })?,
            _ => 100,
        };
        let label = cols.get(2).filter(|l| !l.is_empty()).map_or(default_label, |l| *l).to_owned();
        out.push(IndexEntry { hash, quality, label });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn hash(&mut self) -> Hash256 {
            let mut w = [0u16; 16];
            for v in w.iter_mut() {
                *v = self.next() as u16;
            }
            Hash256(w)
        }
    }

    fn flip(h: &Hash256, bits: &[usize]) -> Hash256 {
        let mut o = *h;
        for b in bits {
            o.0[b / 16] ^= 1 << (b % 16);
        }
        o
    }

    #[test]
    fn multi_index_equals_a_flat_scan() {
        let mut r = Rng(99);
        let mut entries: Vec<IndexEntry> =
            (0..20_000).map(|_| IndexEntry { hash: r.hash(), quality: 90, label: "A".into() }).collect();
        let queries: Vec<Hash256> = (0..50).map(|_| r.hash()).collect();
        // Plant near-duplicates at distances 0..=40, spread across words.
        for (k, q) in queries.iter().enumerate() {
            let d = k % 41;
            let bits: Vec<usize> = (0..d).map(|i| (i * 37 + k) % 256).collect();
            let mut uniq = bits.clone();
            uniq.sort();
            uniq.dedup();
            entries.push(IndexEntry { hash: flip(q, &uniq), quality: 80, label: "B".into() });
        }
        let idx = PdqIndex::build(&entries);
        assert!(!idx.tables.is_empty());
        let mut got = Vec::new();
        for q in &queries {
            for radius in [0, 15, 31, 47] {
                idx.query(q, radius, &mut got);
                let want: Vec<u32> =
                    (0..entries.len() as u32).filter(|&i| entries[i as usize].hash.hamming(q) <= radius).collect();
                let ids: Vec<u32> = got.iter().map(|m| m.id).collect();
                assert_eq!(ids, want, "radius {radius}");
            }
        }
    }

    #[test]
    fn save_load_round_trip_and_parsing() {
        let text = "# test set\n2d6b1af3a956c529e79ca3d2526fa834d4196c81cedd04de0a26b855fc99b724,100,A\n\
                    3da7e51dad47bd78e16e670c4e2943fe4c7219cbf30992499ab254c2e6182d19,55\n";
        let e = parse_pdq_lines(text, "other").unwrap();
        assert_eq!(e.len(), 2);
        assert_eq!(e[1].label, "other");
        let idx = PdqIndex::build(&e);
        let mut buf = Vec::new();
        idx.save(&mut buf, "name \"x\"").unwrap();
        let (back, meta) = PdqIndex::load(&mut &buf[..]).unwrap();
        assert_eq!(meta, "name \"x\"");
        assert_eq!(back.hash(0), e[0].hash);
        assert_eq!(back.quality(1), 55);
        assert_eq!(back.label(0), "A");
        assert!(PdqIndex::load(&mut &buf[..20]).is_err());
        let err = parse_pdq_lines("zz,1\n", "x").unwrap_err().to_string();
        assert!(err.contains("line 1"), "{err}");
        assert!(parse_pdq_lines(&format!("{},101\n", e[0].hash), "x").unwrap_err().to_string().contains("quality"));
    }
}
