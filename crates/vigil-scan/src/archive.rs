//! ZIP and TAR (plain or gzip) archives: each member is hashed as
//! `archive!member`. Archives inside archives are hashed as files, not opened.

use crate::algo::{AlgoSet, Hashers};
use crate::record::FileRecord;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

/// Decompressed bytes read from one archive at most: a zip bomb stops here.
const MAX_ARCHIVE_BYTES: u64 = 256 << 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ArchiveKind {
    Zip,
    Tar,
    TarGz,
}

/// Recognises an archive by its first bytes (names lie; magic numbers rarely do).
pub(crate) fn detect(head: &[u8], path: &Path) -> Option<ArchiveKind> {
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return Some(ArchiveKind::Zip);
    }
    if head.len() >= 262 && &head[257..262] == b"ustar" {
        return Some(ArchiveKind::Tar);
    }
    let name = path.to_string_lossy().to_ascii_lowercase();
    if head.starts_with(&[0x1f, 0x8b]) && (name.ends_with(".tar.gz") || name.ends_with(".tgz")) {
        return Some(ArchiveKind::TarGz);
    }
    None
}

fn member_path(archive: &[u8], name: &[u8]) -> Vec<u8> {
    let mut p = archive.to_vec();
    p.push(b'!');
    p.extend_from_slice(name);
    p
}

fn hash_stream(
    r: &mut impl Read,
    algos: &AlgoSet,
    buf: &mut [u8],
    budget: &mut u64,
) -> Result<(u64, crate::algo::Digests), String> {
    let mut h = Hashers::new(algos);
    let mut size = 0u64;
    loop {
        let n = match r.read(buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(format!("reading the member failed: {e}")),
        };
        size += n as u64;
        if size > *budget {
            return Err("stopped: the archive expands beyond the decompression limit (a zip bomb?)".into());
        }
        h.update(&buf[..n]);
    }
    *budget -= size;
    Ok((size, h.finish()))
}

fn error_record(path: Vec<u8>, why: String) -> FileRecord {
    FileRecord { path, size: 0, digests: Default::default(), error: Some(why), member: true, pdq: None }
}

/// Hashes every regular member of an archive; problems become error records.
pub(crate) fn members(path: &Path, kind: ArchiveKind, algos: &AlgoSet, buf: &mut [u8]) -> Vec<FileRecord> {
    use std::os::unix::ffi::OsStrExt;
    let ap = path.as_os_str().as_bytes();
    let mut out = Vec::new();
    let mut budget = MAX_ARCHIVE_BYTES;
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) => return vec![error_record(member_path(ap, b""), format!("cannot reopen the archive: {e}"))],
    };
    match kind {
        ArchiveKind::Zip => {
            let mut z = match zip::ZipArchive::new(BufReader::new(file)) {
                Ok(z) => z,
                Err(e) => return vec![error_record(member_path(ap, b""), format!("cannot open as ZIP: {e}"))],
            };
            for i in 0..z.len() {
                let mut m = match z.by_index(i) {
                    Ok(m) => m,
                    Err(e) => {
                        out.push(error_record(
                            member_path(ap, format!("#{i}").as_bytes()),
                            format!("cannot read ZIP member: {e}"),
                        ));
                        continue;
                    }
                };
                if m.is_dir() {
                    continue;
                }
                let p = member_path(ap, m.name_raw());
                match hash_stream(&mut m, algos, buf, &mut budget) {
                    Ok((size, digests)) => {
                        out.push(FileRecord { path: p, size, digests, error: None, member: true, pdq: None })
                    }
                    Err(why) => out.push(error_record(p, why)),
                }
            }
        }
        ArchiveKind::Tar | ArchiveKind::TarGz => {
            let reader: Box<dyn Read> = if kind == ArchiveKind::TarGz {
                Box::new(flate2::read::GzDecoder::new(BufReader::new(file)))
            } else {
                Box::new(BufReader::new(file))
            };
            let mut t = tar::Archive::new(reader);
            let entries = match t.entries() {
                Ok(e) => e,
                Err(e) => return vec![error_record(member_path(ap, b""), format!("cannot open as TAR: {e}"))],
            };
            for (i, entry) in entries.enumerate() {
                let mut m = match entry {
                    Ok(m) => m,
                    Err(e) => {
                        // A TAR stream cannot be resynchronised after a bad header.
                        out.push(error_record(
                            member_path(ap, format!("#{i}").as_bytes()),
                            format!("the archive is damaged from member {i} on: {e}"),
                        ));
                        break;
                    }
                };
                if !m.header().entry_type().is_file() {
                    continue;
                }
                let p = member_path(ap, &m.path_bytes());
                match hash_stream(&mut m, algos, buf, &mut budget) {
                    Ok((size, digests)) => {
                        out.push(FileRecord { path: p, size, digests, error: None, member: true, pdq: None })
                    }
                    Err(why) => out.push(error_record(p, why)),
                }
            }
        }
    }
    out
}
