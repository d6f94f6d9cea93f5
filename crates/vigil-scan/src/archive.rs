//! ZIP and TAR (plain or gzip) archives: each member is hashed as
//! `archive!member`. Archives inside archives are hashed as files, not opened.

use crate::algo::{AlgoSet, Hashers};
use crate::record::FileRecord;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

/// Decompressed bytes read from one archive at most, whatever its size.
const MAX_ARCHIVE_BYTES: u64 = 256 << 30;
/// An archive may expand to this many times its own size (seized media
/// compresses a few times at most; a zip bomb a million times)...
const MAX_EXPANSION: u64 = 1000;
/// ...but a small archive of text may always expand this far.
const MIN_ARCHIVE_BUDGET: u64 = 1 << 30;
/// Members opened from one archive at most: a million empty members would
/// otherwise cost a record each, in memory and CPU, with no bytes to count.
const MAX_ARCHIVE_MEMBERS: usize = 1_000_000;

/// How much of one archive is read before the scan stops opening it.
#[derive(Debug, Clone, Copy)]
struct Limits {
    bytes: u64,
    members: usize,
}

impl Limits {
    fn for_archive(compressed: u64) -> Self {
        Limits {
            bytes: compressed.saturating_mul(MAX_EXPANSION).clamp(MIN_ARCHIVE_BUDGET, MAX_ARCHIVE_BYTES),
            members: MAX_ARCHIVE_MEMBERS,
        }
    }
}

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

/// What one member's read gave: its size and digests, and its PDQ when
/// it is an image and PDQ was asked for (from the same read).
type Hashed = (u64, crate::algo::Digests, Option<crate::record::PdqRecord>);

fn hash_stream(
    r: &mut impl Read,
    algos: &AlgoSet,
    buf: &mut [u8],
    budget: &mut u64,
    pdq: bool,
) -> Result<Hashed, String> {
    let mut h = Hashers::new(algos);
    let mut size = 0u64;
    // An image is kept whole from the same read, as the scan does for files.
    let mut whole: Option<Vec<u8>> = pdq.then(Vec::new);
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
        if let Some(w) = &mut whole {
            w.extend_from_slice(&buf[..n]);
            // Twelve bytes tell every format Vigil decodes (WebP needs the most).
            if (w.len() >= 12 && !vigil_pdq::looks_like_image(w)) || size > crate::scanner::PDQ_MAX_BYTES {
                whole = None;
            }
        }
    }
    *budget -= size;
    let pdq = whole.filter(|w| vigil_pdq::looks_like_image(w)).map(|w| crate::scanner::pdq_record(&w));
    Ok((size, h.finish(), pdq))
}

/// Reads one member of a ZIP or TAR (plain or gzip) archive, by its name as
/// the scan recorded it (`archive!name`), up to `max` bytes: for a review
/// preview of an image found inside an archive.
pub fn member_bytes(archive: &Path, name: &[u8], max: u64) -> Result<Vec<u8>, String> {
    let file = File::open(archive).map_err(|e| format!("cannot reopen the archive: {e}"))?;
    let mut head = [0u8; 512];
    let n = File::open(archive).and_then(|mut f| f.read(&mut head)).map_err(|e| e.to_string())?;
    let kind = detect(&head[..n], archive).ok_or("not an archive Vigil opens")?;
    let take = |r: &mut dyn Read| -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        r.take(max + 1).read_to_end(&mut out).map_err(|e| format!("reading the member failed: {e}"))?;
        if out.len() as u64 > max {
            return Err(format!("the member is larger than {max} bytes"));
        }
        Ok(out)
    };
    match kind {
        ArchiveKind::Zip => {
            let mut z = zip::ZipArchive::new(BufReader::new(file)).map_err(|e| format!("cannot open as ZIP: {e}"))?;
            for i in 0..z.len() {
                let mut m = z.by_index(i).map_err(|e| format!("cannot read ZIP member: {e}"))?;
                if m.name_raw() == name {
                    return take(&mut m);
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
            for entry in t.entries().map_err(|e| format!("cannot open as TAR: {e}"))? {
                let mut m = entry.map_err(|e| format!("the archive is damaged: {e}"))?;
                if m.path_bytes().as_ref() == name {
                    return take(&mut m);
                }
            }
        }
    }
    Err("no member of that name".into())
}

fn error_record(path: Vec<u8>, why: String) -> FileRecord {
    FileRecord { path, size: 0, digests: Default::default(), error: Some(why), member: true, pdq: None }
}

/// Hashes every regular member of an archive; problems become error records.
pub(crate) fn members(path: &Path, kind: ArchiveKind, algos: &AlgoSet, buf: &mut [u8], pdq: bool) -> Vec<FileRecord> {
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    members_within(path, kind, algos, buf, Limits::for_archive(size), pdq)
}

fn too_many(ap: &[u8], limits: Limits) -> FileRecord {
    error_record(
        member_path(ap, b""),
        format!("stopped: the archive has more than {} members; the rest were not opened", limits.members),
    )
}

fn members_within(
    path: &Path,
    kind: ArchiveKind,
    algos: &AlgoSet,
    buf: &mut [u8],
    limits: Limits,
    pdq: bool,
) -> Vec<FileRecord> {
    use std::os::unix::ffi::OsStrExt;
    let ap = path.as_os_str().as_bytes();
    let mut out = Vec::new();
    let mut budget = limits.bytes;
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
                if i == limits.members {
                    out.push(too_many(ap, limits));
                    break;
                }
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
                match hash_stream(&mut m, algos, buf, &mut budget, pdq) {
                    Ok((size, digests, pdq)) => {
                        out.push(FileRecord { path: p, size, digests, error: None, member: true, pdq })
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
                if i == limits.members {
                    out.push(too_many(ap, limits));
                    break;
                }
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
                match hash_stream(&mut m, algos, buf, &mut budget, pdq) {
                    Ok((size, digests, pdq)) => {
                        out.push(FileRecord { path: p, size, digests, error: None, member: true, pdq })
                    }
                    Err(why) => out.push(error_record(p, why)),
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tar_of(members: &[(&str, usize)]) -> tempfile::NamedTempFile {
        let f = tempfile::NamedTempFile::new().unwrap();
        let mut b = tar::Builder::new(f.reopen().unwrap());
        for (name, size) in members {
            let mut h = tar::Header::new_gnu();
            h.set_size(*size as u64);
            h.set_mode(0o644);
            h.set_cksum();
            b.append_data(&mut h, name, &vec![b'x'; *size][..]).unwrap();
        }
        b.finish().unwrap();
        f
    }

    fn run(f: &tempfile::NamedTempFile, limits: Limits) -> Vec<FileRecord> {
        let mut buf = vec![0u8; 4096];
        members_within(f.path(), ArchiveKind::Tar, &AlgoSet::ALL, &mut buf, limits, false)
    }

    /// Issue 11, finding 8: the byte limit alone left a million empty
    /// members free to cost a record each.
    #[test]
    fn an_archive_stops_at_its_member_limit_and_says_so() {
        let f = tar_of(&[("a", 1), ("b", 0), ("c", 0), ("d", 0), ("e", 0)]);
        let out = run(&f, Limits { bytes: 1 << 20, members: 3 });
        assert_eq!(out.len(), 4, "three members and the stop");
        assert!(out[..3].iter().all(|r| r.error.is_none()));
        let why = out[3].error.as_deref().unwrap();
        assert!(why.contains("more than 3 members"), "{why}");
        assert_eq!(run(&f, Limits { bytes: 1 << 20, members: 5 }).len(), 5, "at the limit, all are read");
    }

    #[test]
    fn a_member_past_the_byte_budget_is_named_and_the_rest_still_read() {
        let f = tar_of(&[("small", 10), ("bomb", 5000), ("after", 10)]);
        let out = run(&f, Limits { bytes: 1000, members: 10 });
        assert_eq!(out.len(), 3);
        assert!(out[1].error.as_deref().unwrap().contains("decompression limit"));
        assert!(out[0].error.is_none() && out[2].error.is_none());
    }

    #[test]
    fn the_budget_follows_the_archive_size_within_bounds() {
        assert_eq!(Limits::for_archive(0).bytes, MIN_ARCHIVE_BUDGET);
        assert_eq!(Limits::for_archive(10 << 20).bytes, 10_000 << 20);
        assert_eq!(Limits::for_archive(u64::MAX).bytes, MAX_ARCHIVE_BYTES);
    }
}
