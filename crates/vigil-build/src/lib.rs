//! Which build of Vigil made an output: the version and the git commit it
//! was built from (compiled in by `build.rs`). Scan reports, schedules,
//! bundles, chat timelines and the validation report all state it, so a
//! court can tie an output to the validated build.

use serde::Serialize;
use std::fmt;

/// The version and commit of this build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Build {
    pub version: &'static str,
    pub commit: &'static str,
}

/// This build.
pub const BUILD: Build = Build { version: env!("CARGO_PKG_VERSION"), commit: env!("VIGIL_COMMIT") };

impl Build {
    /// The commit's first 12 hex digits (all of it when it is not a hash).
    pub fn short_commit(&self) -> &'static str {
        if self.commit.len() > 12 && self.commit.bytes().all(|b| b.is_ascii_hexdigit()) {
            &self.commit[..12]
        } else {
            self.commit
        }
    }
}

impl fmt::Display for Build {
    /// `vigil 0.1.0 (build 1a2b3c4d5e6f)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "vigil {} (build {})", self.version, self.short_commit())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_version_and_commit() {
        assert_eq!(BUILD.version, env!("CARGO_PKG_VERSION"));
        assert!(!BUILD.commit.is_empty());
        let s = BUILD.to_string();
        assert!(s.starts_with("vigil ") && s.contains(BUILD.short_commit()), "{s}");
        let b = Build { version: "1.0.0", commit: "0123456789abcdef0123456789abcdef01234567" };
        assert_eq!(b.to_string(), "vigil 1.0.0 (build 0123456789ab)");
        assert_eq!(Build { version: "1", commit: "unknown" }.short_commit(), "unknown");
    }
}
