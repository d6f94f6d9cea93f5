//! The resume journal: one JSON line per finished entry (a file and, for an
//! archive, its members), appended as the scan goes and fsync'd every few
//! seconds. A scan run again with `--resume` takes finished entries from here
//! when their size and modification time are unchanged.

use crate::algo::AlgoSet;
use crate::record::FileRecord;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const FORMAT: &str = "vigil-scan-checkpoint";
const SYNC_EVERY: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Header {
    pub format: String,
    pub version: u32,
    /// Sources as hex bytes.
    pub sources: Vec<String>,
    pub algos: AlgoSet,
    pub archives: bool,
    pub pdq: bool,
}

impl Header {
    pub fn new(sources: &[PathBuf], algos: AlgoSet, archives: bool, pdq: bool) -> Self {
        use std::os::unix::ffi::OsStrExt;
        Header {
            format: FORMAT.into(),
            version: 1,
            sources: sources.iter().map(|s| hex::encode(s.as_os_str().as_bytes())).collect(),
            algos,
            archives,
            pdq,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Line {
    pub entry: String,
    pub size: u64,
    pub mtime_ns: i128,
    pub records: Vec<FileRecord>,
}

pub(crate) type Finished = HashMap<Vec<u8>, (u64, i128, Vec<FileRecord>)>;

pub(crate) struct Checkpoint {
    path: PathBuf,
    out: BufWriter<File>,
    last_sync: Instant,
}

impl Checkpoint {
    /// Starts a fresh journal, or (with `resume`) loads and continues an existing one.
    pub fn open(path: &Path, header: &Header, resume: bool) -> Result<(Self, Finished), String> {
        let mut finished = Finished::new();
        let file = if resume && path.exists() {
            let mut f =
                OpenOptions::new().read(true).write(true).open(path).map_err(|e| format!("{}: {e}", path.display()))?;
            let keep = load(&mut f, header, &mut finished).map_err(|e| format!("{}: {e}", path.display()))?;
            // Drop a last line cut short by a kill, then append after it.
            f.set_len(keep).map_err(|e| format!("{}: {e}", path.display()))?;
            f.seek(SeekFrom::End(0)).map_err(|e| format!("{}: {e}", path.display()))?;
            f
        } else {
            let mut f = File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
            serde_json::to_writer(&mut f, header).map_err(|e| e.to_string())?;
            f.write_all(b"\n").and_then(|_| f.sync_all()).map_err(|e| format!("{}: {e}", path.display()))?;
            f
        };
        Ok((Checkpoint { path: path.to_owned(), out: BufWriter::new(file), last_sync: Instant::now() }, finished))
    }

    pub fn append(&mut self, line: &Line) -> Result<(), String> {
        let io = |e: std::io::Error| format!("{}: {e}", self.path.display());
        serde_json::to_writer(&mut self.out, line).map_err(|e| e.to_string())?;
        self.out.write_all(b"\n").map_err(io)?;
        if self.last_sync.elapsed() >= SYNC_EVERY {
            self.sync()?;
        }
        Ok(())
    }

    pub fn sync(&mut self) -> Result<(), String> {
        let p = self.path.display().to_string();
        self.out.flush().map_err(|e| format!("{p}: {e}"))?;
        self.out.get_ref().sync_data().map_err(|e| format!("{p}: {e}"))?;
        self.last_sync = Instant::now();
        Ok(())
    }
}

/// Reads a journal; returns the length of its complete lines.
fn load(f: &mut File, header: &Header, finished: &mut Finished) -> Result<u64, String> {
    let mut r = BufReader::new(&mut *f);
    let mut line = Vec::new();
    let mut pos = 0u64;
    let mut n = 0u64;
    loop {
        line.clear();
        let got = r.read_until(b'\n', &mut line).map_err(|e| e.to_string())?;
        if got == 0 || line.last() != Some(&b'\n') {
            return Ok(pos);
        }
        n += 1;
        if n == 1 {
            let h: Header =
                serde_json::from_slice(&line).map_err(|e| format!("line 1 is not a scan checkpoint header: {e}"))?;
            if h != *header {
                return Err(
                    "this checkpoint belongs to a scan with other sources or options; start afresh without --resume"
                        .into(),
                );
            }
        } else {
            let l: Line = serde_json::from_slice(&line).map_err(|e| format!("line {n} is damaged: {e}"))?;
            let key = hex::decode(&l.entry).map_err(|_| format!("line {n}: entry is not hex"))?;
            finished.insert(key, (l.size, l.mtime_ns, l.records));
        }
        pos += got as u64;
    }
}
