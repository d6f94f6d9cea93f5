//! How file bytes reach the hashers: copied by `read` into a buffer, or
//! mapped into memory so the hashers read the page cache directly.
//!
//! Mapping saves one copy of every byte, which is most of the cost left when
//! the only digest is BLAKE3. Its hazard: if another process truncates a
//! mapped file while it is being hashed, the kernel kills the scan with
//! SIGBUS (the checkpoint lets `--resume` carry on). So `auto` maps only
//! files on a read-only mount, the normal way to examine seized media, and
//! `mmap` is the examiner's explicit choice for other sources.

use std::fs::File;

/// Files smaller than this are read: one `read` call is cheaper than
/// setting up and tearing down a mapping.
pub const MAP_MIN: u64 = 256 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadMode {
    /// Map files on read-only mounts, read the rest.
    Auto,
    Read,
    Mmap,
}

impl ReadMode {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "auto" => Some(ReadMode::Auto),
            "read" => Some(ReadMode::Read),
            "mmap" => Some(ReadMode::Mmap),
            _ => None,
        }
    }

    /// Whether this open regular file of `len` bytes should be mapped.
    pub fn maps(self, f: &File, len: u64) -> bool {
        if len < MAP_MIN || usize::try_from(len).is_err() {
            return false;
        }
        match self {
            ReadMode::Read => false,
            ReadMode::Mmap => true,
            ReadMode::Auto => read_only_mount(f),
        }
    }
}

fn read_only_mount(f: &File) -> bool {
    rustix::fs::fstatvfs(f).map(|s| s.f_flag.contains(rustix::fs::StatVfsMountFlags::RDONLY)).unwrap_or(false)
}

/// Maps the whole file read-only, advising the kernel that it will be read in order.
pub fn map(f: &File) -> std::io::Result<memmap2::Mmap> {
    // SAFETY: the map is read-only and private to this process. The one
    // hazard, truncation by another process while mapped, is the documented
    // reason mapping is opt-in (or limited to read-only mounts) above.
    #[allow(unsafe_code)]
    let m = unsafe { memmap2::Mmap::map(f) }?;
    let _ = m.advise(memmap2::Advice::Sequential);
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_names_each_mode() {
        assert_eq!(ReadMode::parse("auto"), Some(ReadMode::Auto));
        assert_eq!(ReadMode::parse("read"), Some(ReadMode::Read));
        assert_eq!(ReadMode::parse("mmap"), Some(ReadMode::Mmap));
        assert_eq!(ReadMode::parse("MMAP"), None);
    }

    #[test]
    fn small_files_and_read_mode_are_never_mapped() {
        let f = tempfile::tempfile().unwrap();
        assert!(!ReadMode::Mmap.maps(&f, MAP_MIN - 1));
        assert!(ReadMode::Mmap.maps(&f, MAP_MIN));
        assert!(!ReadMode::Read.maps(&f, 1 << 30));
        // A temp directory is on a writable mount.
        assert!(!ReadMode::Auto.maps(&f, 1 << 30));
    }
}
