//! Importers. Each streams its input and names the line or record of the
//! first problem it finds.

use crate::algo::HashAlgo;
use crate::category::{Category, CategoryMap, SetKind};
use crate::error::HashSetError;
use crate::set_file::SetBuilder;
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportFormat {
    /// Project VIC VICS JSON (OData `value[]`), versions 1.3 and 2.0.
    Vics,
    /// NSRL RDS v3 SQLite database (its `FILE` table or view).
    Nsrl,
    /// hashdeep's `%%%% HASHDEEP-1.0` format.
    Hashdeep,
    /// md5sum, sha1sum or sha256sum output (the algorithm follows from the hex length).
    Sums,
    /// `hash,category` CSV, with or without a header row.
    Csv,
}

impl ImportFormat {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "vics" => Some(ImportFormat::Vics),
            "nsrl" => Some(ImportFormat::Nsrl),
            "hashdeep" => Some(ImportFormat::Hashdeep),
            "md5sum" | "sha1sum" | "sha256sum" | "sums" => Some(ImportFormat::Sums),
            "csv" => Some(ImportFormat::Csv),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub kind: SetKind,
    /// The category for formats that carry none (hashdeep, sums), and for CSV rows without one.
    pub default_category: Category,
    pub category_map: CategoryMap,
}

/// Longest line a line-based importer accepts.
const MAX_LINE: usize = 64 * 1024;

pub fn import(path: &Path, format: ImportFormat, opts: &ImportOptions) -> Result<SetBuilder, HashSetError> {
    let mut b = SetBuilder::new(opts.kind);
    match format {
        ImportFormat::Vics => import_vics(path, opts, &mut b)?,
        ImportFormat::Nsrl => import_nsrl(path, &mut b)?,
        ImportFormat::Hashdeep => import_hashdeep(path, opts, &mut b)?,
        ImportFormat::Sums => import_sums(path, opts, &mut b)?,
        ImportFormat::Csv => import_csv(path, opts, &mut b)?,
    }
    if b.is_empty() {
        return Err(HashSetError::Format { path: path.to_owned(), why: "holds no hashes".into() });
    }
    Ok(b)
}

fn open(path: &Path) -> Result<File, HashSetError> {
    let meta = std::fs::metadata(path).map_err(|e| HashSetError::Io { path: path.to_owned(), source: e })?;
    if meta.is_dir() {
        return Err(HashSetError::Format { path: path.to_owned(), why: "is a directory".into() });
    }
    File::open(path).map_err(|e| HashSetError::Io { path: path.to_owned(), source: e })
}

/// Calls `f(line_number, line)` for each line, refusing over-long lines and non-UTF-8.
fn lines(path: &Path, mut f: impl FnMut(u64, &str) -> Result<(), String>) -> Result<(), HashSetError> {
    let mut r = BufReader::with_capacity(1 << 20, open(path)?);
    let mut buf = Vec::new();
    let mut n = 0u64;
    loop {
        buf.clear();
        let got = std::io::Read::take(&mut r, MAX_LINE as u64 + 1)
            .read_until(b'\n', &mut buf)
            .map_err(|e| HashSetError::Io { path: path.to_owned(), source: e })?;
        if got == 0 {
            return Ok(());
        }
        n += 1;
        let err = |why: String| HashSetError::Line { path: path.to_owned(), line: n, why };
        if buf.len() > MAX_LINE {
            return Err(err(format!("line is longer than {MAX_LINE} bytes")));
        }
        let text = std::str::from_utf8(&buf).map_err(|_| err("is not UTF-8 text".into()))?;
        f(n, text.trim_end_matches(['\n', '\r'])).map_err(err)?;
    }
}

fn hex_digest(algo: HashAlgo, text: &str, what: &str) -> Result<Vec<u8>, String> {
    algo.decode(text).ok_or_else(|| format!("{what} {text:?} is not {} hex characters", algo.width() * 2))
}

fn import_sums(path: &Path, opts: &ImportOptions, b: &mut SetBuilder) -> Result<(), HashSetError> {
    lines(path, |_, line| {
        if line.trim().is_empty() || line.starts_with('#') {
            return Ok(());
        }
        // md5sum writes `\HEX  name` when the name was escaped.
        let line = line.strip_prefix('\\').unwrap_or(line);
        let (hexpart, rest) = line.split_once(' ').ok_or("expected `HASH  FILENAME`")?;
        if !(rest.starts_with(' ') || rest.starts_with('*')) {
            return Err("expected two spaces (or ` *`) between the hash and the file name".into());
        }
        let algo = HashAlgo::by_hex_len(hexpart.len())
            .ok_or_else(|| format!("hash {hexpart:?} is not 32, 40 or 64 hex characters"))?;
        b.add(algo, &hex_digest(algo, hexpart, "hash")?, opts.default_category);
        Ok(())
    })
}

fn import_csv(path: &Path, opts: &ImportOptions, b: &mut SetBuilder) -> Result<(), HashSetError> {
    lines(path, |n, line| {
        if line.trim().is_empty() {
            return Ok(());
        }
        let cols: Vec<&str> = line.split(',').map(|c| c.trim().trim_matches('"')).collect();
        if n == 1
            && cols.first().is_some_and(|c| {
                c.eq_ignore_ascii_case("hash")
                    || c.eq_ignore_ascii_case("md5")
                    || c.eq_ignore_ascii_case("sha1")
                    || c.eq_ignore_ascii_case("sha256")
            })
        {
            return Ok(());
        }
        if cols.len() > 2 {
            return Err(format!("expected 1 or 2 columns (hash,category), found {}", cols.len()));
        }
        let algo = HashAlgo::by_hex_len(cols[0].len())
            .ok_or_else(|| format!("hash {:?} is not 32, 40 or 64 hex characters", cols[0]))?;
        let cat = match cols.get(1) {
            Some(c) if !c.is_empty() => opts.category_map.resolve(c),
            _ => opts.default_category,
        };
        b.add(algo, &hex_digest(algo, cols[0], "hash")?, cat);
        Ok(())
    })
}

fn import_hashdeep(path: &Path, opts: &ImportOptions, b: &mut SetBuilder) -> Result<(), HashSetError> {
    let mut columns: Option<Vec<String>> = None;
    lines(path, |n, line| {
        if n == 1 {
            return if line == "%%%% HASHDEEP-1.0" {
                Ok(())
            } else {
                Err("the first line must be `%%%% HASHDEEP-1.0`".into())
            };
        }
        if let Some(spec) = line.strip_prefix("%%%% ") {
            let cols: Vec<String> = spec.split(',').map(str::to_owned).collect();
            if cols.first().map(String::as_str) != Some("size") || cols.last().map(String::as_str) != Some("filename") {
                return Err("the column line must start with `size` and end with `filename`".into());
            }
            columns = Some(cols);
            return Ok(());
        }
        if line.starts_with("##") || line.trim().is_empty() {
            return Ok(());
        }
        let cols = columns.as_ref().ok_or("a data row comes before the `%%%% size,…,filename` line")?;
        // The file name is last and may itself contain commas.
        let fields: Vec<&str> = line.splitn(cols.len(), ',').collect();
        if fields.len() != cols.len() {
            return Err(format!("expected {} columns ({}), found {}", cols.len(), cols.join(","), fields.len()));
        }
        fields[0].parse::<u64>().map_err(|_| format!("size {:?} is not a number", fields[0]))?;
        for (name, value) in cols.iter().zip(&fields).skip(1).take(cols.len() - 2) {
            if let Some(algo) = HashAlgo::parse(name) {
                b.add(algo, &hex_digest(algo, value, name)?, opts.default_category);
            }
        }
        Ok(())
    })?;
    if columns.is_none() {
        return Err(HashSetError::Format {
            path: path.to_owned(),
            why: "no `%%%% size,…,filename` column line".into(),
        });
    }
    Ok(())
}

/// Interrupts a SQLite connection when no progress is reported for `limit`.
/// Its thread ends, and is joined, when the watchdog is dropped: an import
/// never leaves a thread behind it.
struct Watchdog {
    last: std::sync::Arc<std::sync::atomic::AtomicU64>,
    fired: std::sync::Arc<std::sync::atomic::AtomicBool>,
    started: std::time::Instant,
    /// Dropping it wakes the thread at once.
    stop: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Watchdog {
    fn start(handle: rusqlite::InterruptHandle, limit: std::time::Duration) -> Self {
        use std::sync::atomic::Ordering::Relaxed;
        use std::sync::mpsc::RecvTimeoutError;
        let started = std::time::Instant::now();
        let (last, fired) = (std::sync::Arc::default(), std::sync::Arc::default());
        let (l, f): (std::sync::Arc<std::sync::atomic::AtomicU64>, std::sync::Arc<std::sync::atomic::AtomicBool>) =
            (std::sync::Arc::clone(&last), std::sync::Arc::clone(&fired));
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::spawn(move || loop {
            match stopped.recv_timeout(std::time::Duration::from_millis(200)) {
                Err(RecvTimeoutError::Timeout) => {}
                _ => return,
            }
            let idle = started.elapsed().as_millis() as u64 - l.load(Relaxed);
            if idle > limit.as_millis() as u64 {
                f.store(true, Relaxed);
                handle.interrupt();
                return;
            }
        });
        Watchdog { last, fired, started, stop: Some(stop), thread: Some(thread) }
    }

    fn progress(&self) {
        self.last.store(self.started.elapsed().as_millis() as u64, std::sync::atomic::Ordering::Relaxed);
    }

    fn fired(&self) -> bool {
        self.fired.load(std::sync::atomic::Ordering::Relaxed)
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn import_nsrl(path: &Path, b: &mut SetBuilder) -> Result<(), HashSetError> {
    open(path)?;
    let fmt = |why: String| HashSetError::Format { path: path.to_owned(), why };
    let conn = rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| fmt(format!("cannot open as SQLite: {e}")))?;
    // The file comes from outside: its schema may hold views and triggers
    // that call functions, or queries that never end. Untrusted schema
    // objects may not call functions, and a watchdog interrupts a query that
    // produces no row for a minute.
    conn.pragma_update(None, "trusted_schema", "OFF").map_err(|e| fmt(format!("cannot open as SQLite: {e}")))?;
    let watchdog = Watchdog::start(conn.get_interrupt_handle(), std::time::Duration::from_secs(60));
    let cols: Vec<String> = conn
        .prepare("SELECT name FROM pragma_table_info('FILE')")
        .and_then(|mut st| st.query_map([], |r| r.get::<_, String>(0))?.collect())
        .map_err(|e| fmt(format!("not an NSRL RDS v3 database: {e}")))?;
    let have = |c: &str| cols.iter().any(|x| x.eq_ignore_ascii_case(c));
    if !(have("sha256") && have("sha1") && have("md5")) {
        return Err(fmt(format!(
            "not an NSRL RDS v3 database: it needs a FILE table or view with sha256, sha1 and md5 columns (found: {})",
            if cols.is_empty() { "no FILE table".to_string() } else { cols.join(", ") }
        )));
    }
    let mut st = conn.prepare("SELECT sha256, sha1, md5 FROM FILE").map_err(|e| fmt(e.to_string()))?;
    let mut rows = st.query([]).map_err(|e| fmt(e.to_string()))?;
    let mut record = 0u64;
    while let Some(r) = rows.next().map_err(|e| {
        if watchdog.fired() {
            fmt(format!("stopped after record {record}: no row came for a minute (a looping view?)"))
        } else {
            fmt(e.to_string())
        }
    })? {
        watchdog.progress();
        record += 1;
        for (i, algo) in [(0, HashAlgo::Sha256), (1, HashAlgo::Sha1), (2, HashAlgo::Md5)] {
            let v: Option<String> = r.get(i).map_err(|e| HashSetError::Record {
                path: path.to_owned(),
                record,
                why: format!("FILE: {e}"),
            })?;
            let Some(v) = v.filter(|v| !v.is_empty()) else { continue };
            let d = algo.decode(&v).ok_or_else(|| HashSetError::Record {
                path: path.to_owned(),
                record,
                why: format!("FILE: {algo} {v:?} is not {} hex characters", algo.width() * 2),
            })?;
            b.add(algo, &d, Category::Good);
        }
    }
    Ok(())
}

/// One media item of a VICS `value` array.
#[derive(Deserialize)]
struct VicsMedia {
    #[serde(rename = "MediaID", default)]
    media_id: Option<serde_json::Value>,
    #[serde(rename = "Category", default)]
    category: Option<serde_json::Value>,
    #[serde(rename = "MD5", default)]
    md5: Option<String>,
    #[serde(rename = "SHA1", default)]
    sha1: Option<String>,
    #[serde(rename = "Hashes", default)]
    hashes: Vec<VicsHash>,
}

#[derive(Deserialize)]
struct VicsHash {
    #[serde(rename = "HashName")]
    name: String,
    #[serde(rename = "HashValue")]
    value: String,
}

struct VicsTop<'a> {
    b: &'a mut SetBuilder,
    opts: &'a ImportOptions,
    records: &'a mut u64,
    problem: &'a mut Option<String>,
}

impl<'de> Visitor<'de> for VicsTop<'_> {
    type Value = bool;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a VICS JSON object with a `value` array")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        let mut saw_value = false;
        let VicsTop { b, opts, records, problem } = self;
        while let Some(key) = map.next_key::<String>()? {
            if key == "value" {
                saw_value = true;
                map.next_value_seed(VicsValues { b, opts, records, problem })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(saw_value)
    }
}

impl<'de> DeserializeSeed<'de> for VicsTop<'_> {
    type Value = bool;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_map(self)
    }
}

struct VicsValues<'a> {
    b: &'a mut SetBuilder,
    opts: &'a ImportOptions,
    records: &'a mut u64,
    problem: &'a mut Option<String>,
}

impl<'de> DeserializeSeed<'de> for VicsValues<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for VicsValues<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an array of media items")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        // One media item at a time: a multi-gigabyte file never sits in memory.
        while let Some(m) = seq.next_element::<VicsMedia>()? {
            *self.records += 1;
            if let Err(why) = add_media(self.b, self.opts, &m) {
                let id = m.media_id.as_ref().map(|v| format!(" (MediaID {v})")).unwrap_or_default();
                *self.problem = Some(format!("{why}{id}"));
                return Err(serde::de::Error::custom("stopped at a bad record"));
            }
        }
        Ok(())
    }
}

fn add_media(b: &mut SetBuilder, opts: &ImportOptions, m: &VicsMedia) -> Result<(), String> {
    let cat = match &m.category {
        Some(serde_json::Value::Number(n)) => opts.category_map.resolve(&n.to_string()),
        Some(serde_json::Value::String(s)) => opts.category_map.resolve(s),
        _ => opts.default_category,
    };
    let mut any = false;
    if let Some(h) = m.md5.as_deref().filter(|h| !h.is_empty()) {
        b.add(HashAlgo::Md5, &hex_digest(HashAlgo::Md5, h, "MD5")?, cat);
        any = true;
    }
    if let Some(h) = m.sha1.as_deref().filter(|h| !h.is_empty()) {
        b.add(HashAlgo::Sha1, &hex_digest(HashAlgo::Sha1, h, "SHA1")?, cat);
        any = true;
    }
    for h in &m.hashes {
        // Perceptual hashes (PhotoDNA, PDQ) live elsewhere; only cryptographic ones go here.
        if let Some(algo) = HashAlgo::parse(&h.name) {
            b.add(algo, &hex_digest(algo, &h.value, &h.name)?, cat);
            any = true;
        }
    }
    if !any {
        return Err("has no MD5, SHA1 or SHA256 hash".into());
    }
    Ok(())
}

fn import_vics(path: &Path, opts: &ImportOptions, b: &mut SetBuilder) -> Result<(), HashSetError> {
    let reader = BufReader::with_capacity(1 << 20, open(path)?);
    let mut de = serde_json::Deserializer::from_reader(reader);
    let mut records = 0u64;
    let mut problem = None;
    let res = VicsTop { b, opts, records: &mut records, problem: &mut problem }.deserialize(&mut de);
    match (res, problem) {
        (_, Some(why)) => Err(HashSetError::Record { path: path.to_owned(), record: records, why }),
        (Err(e), None) => Err(HashSetError::Format {
            path: path.to_owned(),
            why: format!("not valid VICS JSON after {records} records (line {}, column {}): {e}", e.line(), e.column()),
        }),
        (Ok(false), None) => {
            Err(HashSetError::Format { path: path.to_owned(), why: "no `value` array: not a VICS file".into() })
        }
        (Ok(true), None) => de.end().map_err(|e| HashSetError::Format {
            path: path.to_owned(),
            why: format!("trailing content after the JSON: {e}"),
        }),
    }
}

#[cfg(test)]
mod tests {
    /// Found by the `nsrl` fuzz target: the watchdog's thread outlived the
    /// import by up to 200 ms. Dropping the watchdog now ends and joins it.
    #[test]
    fn dropping_the_watchdog_ends_its_thread() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let dog = Watchdog::start(conn.get_interrupt_handle(), std::time::Duration::from_secs(60));
        let last = std::sync::Arc::clone(&dog.last);
        assert_eq!(std::sync::Arc::strong_count(&last), 3, "the thread holds its own reference");
        drop(dog);
        assert_eq!(std::sync::Arc::strong_count(&last), 1, "the thread has ended and dropped its reference");
    }

    use super::Watchdog;

    /// Issue 11, finding 8: an untrusted NSRL file could hold a view that
    /// never ends. The watchdog interrupts a query that yields no row.
    #[test]
    fn a_query_that_never_yields_a_row_is_interrupted() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let dog = Watchdog::start(conn.get_interrupt_handle(), std::time::Duration::from_millis(300));
        let started = std::time::Instant::now();
        let r: rusqlite::Result<i64> = conn.query_row(
            "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT x FROM n WHERE x < 0",
            [],
            |r| r.get(0),
        );
        assert!(r.is_err(), "interrupted");
        assert!(dog.fired());
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
    }
}
