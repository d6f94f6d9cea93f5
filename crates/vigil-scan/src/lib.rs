//! Forensic triage scanning: walk seized media in parallel, read each file
//! once to feed every requested digest, open ZIP and TAR archives, record
//! per-file errors without stopping, checkpoint as it goes so a killed scan
//! resumes without re-reading finished files, match against known-hash sets,
//! and write DFXML, hashdeep, CSV or JSON.
//!
//! ## How paths are written
//! File names are bytes. In CSV, JSON and DFXML a path is UTF-8 text in
//! which a backslash is written `\\`, and every byte that is not part of
//! printable UTF-8 (invalid UTF-8, control characters such as newline or tab)
//! is written `\xNN`; so every record is one line and no name can forge
//! another record. CSV then quotes fields per RFC 4180. hashdeep output keeps
//! the raw bytes, which `hashdeep -a -k` needs to match names, except that a
//! name holding a newline or carriage return (which hashdeep's own format
//! cannot carry) is written in the escaped form, with a `##` comment.

mod algo;
mod archive;
mod checkpoint;
mod escape;
mod lane_worker;
// The one module with SIMD kernels; its safe functions check what they need.
#[allow(unsafe_code)]
pub mod multi_buffer;
mod output;
mod read_mode;
mod record;
mod scanner;
mod walk;

pub use algo::{digest_bytes, AlgoSet, Digests};
pub use archive::member_bytes;
pub use escape::escape_path;
pub use output::{write_report, OutputFormat, Report};
pub use read_mode::ReadMode;
pub use record::{FileRecord, MatchResult, PdqRecord, ScanSummary};
pub use scanner::{
    conclude, hash_batch, plan, scan, Entry, PdqSet, ScanError, ScanOptions, ScanOutcome, PDQ_MIN_QUALITY, PDQ_RADIUS,
};
