//! A parallel directory walk: worker threads share a stack of directories.
//! Symbolic links to directories are not followed (no loops, no double
//! counting); links to files are hashed as the file; broken links are errors.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex};

/// A file to hash. Size and modification time are read by the worker that
/// opens it (one `fstat` on the open file), so the walk itself needs no
/// `stat` per file: it runs on the directory listings alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub path: PathBuf,
    /// Set when the entry cannot be hashed (broken link, not a regular file, unreadable directory).
    pub error: Option<String>,
}

impl Entry {
    pub fn bytes(&self) -> &[u8] {
        self.path.as_os_str().as_bytes()
    }

    /// The entry whose path is these bytes (as [`Entry::bytes`] gives them).
    pub fn from_bytes(path: &[u8], error: Option<String>) -> Entry {
        Entry { path: PathBuf::from(OsStr::from_bytes(path)), error }
    }
}

pub(crate) fn mtime_ns(m: &std::fs::Metadata) -> i128 {
    use std::os::unix::fs::MetadataExt;
    i128::from(m.mtime()) * 1_000_000_000 + i128::from(m.mtime_nsec())
}

fn classify(path: PathBuf, ft: std::io::Result<std::fs::FileType>, out: &mut Vec<Entry>, dirs: &mut Vec<PathBuf>) {
    let ft = match ft {
        Ok(t) => t,
        Err(e) => {
            out.push(Entry { path, error: Some(format!("cannot stat: {e}")) });
            return;
        }
    };
    if ft.is_dir() {
        dirs.push(path);
    } else if ft.is_file() {
        out.push(Entry { path, error: None });
    } else if ft.is_symlink() {
        match std::fs::metadata(&path) {
            Err(_) => out.push(Entry { path, error: Some("broken symbolic link".into()) }),
            Ok(t) if t.is_file() => out.push(Entry { path, error: None }),
            Ok(_) => {} // a link to a directory: not followed
        }
    } else {
        let what = {
            use std::os::unix::fs::FileTypeExt;
            if ft.is_fifo() {
                "a FIFO"
            } else if ft.is_socket() {
                "a socket"
            } else if ft.is_block_device() {
                "a block device"
            } else {
                "a character device"
            }
        };
        out.push(Entry { path, error: Some(format!("not a regular file ({what})")) });
    }
}

struct Queue {
    dirs: Vec<PathBuf>,
    busy: usize,
}

/// Walks every source; returns entries sorted by path bytes.
pub(crate) fn walk(sources: &[PathBuf], jobs: usize) -> Vec<Entry> {
    let mut entries = Vec::new();
    let mut dirs = Vec::new();
    for s in sources {
        classify(s.clone(), std::fs::symlink_metadata(s).map(|m| m.file_type()), &mut entries, &mut dirs);
    }
    let state = Mutex::new(Queue { dirs, busy: 0 });
    let wake = Condvar::new();
    let found = Mutex::new(entries);
    std::thread::scope(|sc| {
        for _ in 0..jobs.max(1) {
            sc.spawn(|| {
                let mut mine = Vec::new();
                loop {
                    let dir = {
                        let mut q = state.lock().expect("walk queue");
                        loop {
                            if let Some(d) = q.dirs.pop() {
                                q.busy += 1;
                                break Some(d);
                            }
                            if q.busy == 0 {
                                break None;
                            }
                            q = wake.wait(q).expect("walk queue");
                        }
                    };
                    let Some(dir) = dir else { break };
                    let mut sub = Vec::new();
                    read_dir(&dir, &mut mine, &mut sub);
                    let mut q = state.lock().expect("walk queue");
                    q.dirs.extend(sub);
                    q.busy -= 1;
                    wake.notify_all();
                }
                found.lock().expect("walk results").extend(mine);
            });
        }
    });
    let mut all = found.into_inner().expect("walk results");
    all.sort_by(|a, b| a.bytes().cmp(b.bytes()));
    all
}

fn read_dir(dir: &Path, out: &mut Vec<Entry>, dirs: &mut Vec<PathBuf>) {
    let rd = match std::fs::read_dir(dir) {
        Ok(r) => r,
        Err(e) => {
            out.push(Entry { path: dir.to_owned(), error: Some(format!("cannot read directory: {e}")) });
            return;
        }
    };
    for item in rd {
        match item {
            // The listing's own file type (d_type) spares a stat per file.
            Ok(de) => classify(de.path(), de.file_type(), out, dirs),
            Err(e) => out.push(Entry {
                path: dir.join(OsStr::from_bytes(b"?")),
                error: Some(format!("directory listing failed: {e}")),
            }),
        }
    }
}
