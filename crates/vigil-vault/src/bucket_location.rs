//! Where an S3-compatible vault is: `s3://BUCKET?endpoint=URL&region=R`,
//! and the credentials for it, which never travel in that URL.

use crate::error::VaultError;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// A bucket named by an `s3://` URL. Holds no secret, so it can be written
/// into `vigil.json` and printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketLocation {
    pub bucket: String,
    /// The service's base URL (Garage, MinIO); `None` for AWS itself.
    pub endpoint: Option<String>,
    pub region: String,
    /// A credentials file (mode 0600) named in the URL.
    pub credentials: Option<PathBuf>,
    /// A folder inside the bucket for this vault's objects, so several
    /// vaults (a region's units, or test runs) can share one bucket.
    pub prefix: Option<String>,
}

/// An access key pair, kept out of logs and `Debug` output.
pub(crate) struct Credentials {
    pub(crate) key_id: String,
    pub(crate) secret: Zeroizing<String>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials").field("key_id", &self.key_id).finish_non_exhaustive()
    }
}

/// The environment variable naming a credentials file when the URL does not.
pub const CREDENTIALS_ENV: &str = "VIGIL_S3_CREDENTIALS";

fn bad(why: impl Into<String>) -> VaultError {
    VaultError::Location { why: why.into() }
}

impl BucketLocation {
    /// Whether `text` names a bucket rather than a folder.
    pub fn is_bucket_url(text: &str) -> bool {
        text.starts_with("s3://")
    }

    pub fn parse(text: &str) -> Result<Self, VaultError> {
        let rest = text.strip_prefix("s3://").ok_or_else(|| bad("a bucket vault is named s3://BUCKET?endpoint=URL"))?;
        let (bucket, query) = rest.split_once('?').unwrap_or((rest, ""));
        let bucket = bucket.trim_end_matches('/');
        let valid = (3..=63).contains(&bucket.len())
            && bucket.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
            && bucket.as_bytes()[0].is_ascii_alphanumeric();
        if !valid {
            return Err(bad(format!(
                "bucket name {bucket:?}: 3 to 63 lower-case letters, digits, dots or hyphens, starting with a letter or digit"
            )));
        }
        let mut loc = BucketLocation {
            bucket: bucket.to_owned(),
            endpoint: None,
            region: "us-east-1".into(),
            credentials: None,
            prefix: None,
        };
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').ok_or_else(|| bad(format!("{pair:?} has no value")))?;
            if value.is_empty() {
                return Err(bad(format!("{name} is empty")));
            }
            match name {
                "endpoint" => {
                    if !(value.starts_with("http://") || value.starts_with("https://")) {
                        return Err(bad(format!("endpoint {value:?} is not an http:// or https:// URL")));
                    }
                    loc.endpoint = Some(value.trim_end_matches('/').to_owned());
                }
                "region" => loc.region = value.to_owned(),
                "prefix" => {
                    let ok = value.split('/').all(|part| {
                        !part.is_empty()
                            && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
                            && part != "."
                            && part != ".."
                    });
                    if !ok {
                        return Err(bad(format!(
                            "prefix {value:?}: folder names of letters, digits, '-', '_' or '.', joined by '/'"
                        )));
                    }
                    loc.prefix = Some(value.to_owned());
                }
                "credentials" => {
                    let p = PathBuf::from(value);
                    if !p.is_absolute() {
                        return Err(bad(format!("credentials {value:?}: give the file's absolute path")));
                    }
                    loc.credentials = Some(p);
                }
                "access_key_id" | "secret_access_key" | "key" | "secret" | "password" => {
                    return Err(bad(format!(
                        "{name}: keys never go in the vault URL (it is stored and printed); \
                         name a 0600 credentials file with credentials=FILE or {CREDENTIALS_ENV}, \
                         or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
                    )))
                }
                other => {
                    return Err(bad(format!(
                        "unknown setting {other:?} (known: endpoint, region, prefix, credentials)"
                    )))
                }
            }
        }
        Ok(loc)
    }

    /// The access key pair: the file the URL names, else the file
    /// `VIGIL_S3_CREDENTIALS` names, else `AWS_ACCESS_KEY_ID` and
    /// `AWS_SECRET_ACCESS_KEY`.
    pub(crate) fn credentials(&self) -> Result<Credentials, VaultError> {
        let named = self
            .credentials
            .clone()
            .or_else(|| std::env::var_os(CREDENTIALS_ENV).filter(|v| !v.is_empty()).map(PathBuf::from));
        if let Some(path) = named {
            return read_credentials(&path);
        }
        match (std::env::var("AWS_ACCESS_KEY_ID"), std::env::var("AWS_SECRET_ACCESS_KEY")) {
            (Ok(id), Ok(secret)) if !id.is_empty() && !secret.is_empty() => {
                Ok(Credentials { key_id: id, secret: Zeroizing::new(secret) })
            }
            _ => Err(bad(format!(
                "no credentials for bucket {}: add credentials=FILE to the URL, set {CREDENTIALS_ENV}=FILE, \
                 or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
                self.bucket
            ))),
        }
    }
}

impl std::fmt::Display for BucketLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "s3://{}?", self.bucket)?;
        if let Some(e) = &self.endpoint {
            write!(f, "endpoint={e}&")?;
        }
        write!(f, "region={}", self.region)?;
        if let Some(p) = &self.prefix {
            write!(f, "&prefix={p}")?;
        }
        if let Some(c) = &self.credentials {
            write!(f, "&credentials={}", c.display())?;
        }
        Ok(())
    }
}

/// Reads `aws_access_key_id` and `aws_secret_access_key` from `key = value`
/// lines (the AWS credentials file's form; `[section]` lines and `#`
/// comments are skipped). The file must be readable by its owner alone.
fn read_credentials(path: &Path) -> Result<Credentials, VaultError> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(path).map_err(VaultError::io(path))?;
    if meta.mode() & 0o077 != 0 {
        return Err(VaultError::Location {
            why: format!(
                "credentials file {}: mode {:o} lets others read it; chmod 600 it",
                path.display(),
                meta.mode() & 0o777
            ),
        });
    }
    let text = Zeroizing::new(std::fs::read_to_string(path).map_err(VaultError::io(path))?);
    let (mut id, mut secret) = (None, None);
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') || line.starts_with('[') {
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            return Err(bad(format!("credentials file {}, line {}: expected key = value", path.display(), n + 1)));
        };
        match k.trim() {
            "aws_access_key_id" => id = Some(v.trim().to_owned()),
            "aws_secret_access_key" => secret = Some(Zeroizing::new(v.trim().to_owned())),
            _ => {}
        }
    }
    match (id, secret) {
        (Some(key_id), Some(secret)) if !key_id.is_empty() && !secret.is_empty() => Ok(Credentials { key_id, secret }),
        _ => Err(bad(format!(
            "credentials file {}: needs aws_access_key_id and aws_secret_access_key lines",
            path.display()
        ))),
    }
}

impl BucketLocation {
    /// The bucket the tests use (`VIGIL_TEST_S3`, which `.ci/run` sets
    /// from `scripts/garage.sh`), under a folder of its own per call so
    /// tests never see each other's blobs. Unset, tests that need it skip
    /// with a printed reason, except under `CI=true`, where they fail.
    #[doc(hidden)]
    pub fn for_tests(test: &str) -> Option<BucketLocation> {
        let url = std::env::var("VIGIL_TEST_S3").ok().filter(|u| !u.is_empty());
        let Some(url) = url else {
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("{test}: VIGIL_TEST_S3 is not set (CI starts Garage with scripts/garage.sh and sets it)");
            }
            eprintln!("{test}: skipped on the bucket backend: VIGIL_TEST_S3 is not set (see scripts/garage.sh)");
            return None;
        };
        let mut loc = BucketLocation::parse(&url).expect("VIGIL_TEST_S3 is a valid s3:// URL");
        let mut r = [0u8; 8];
        getrandom::getrandom(&mut r).expect("OS randomness");
        loc.prefix = Some(format!("test/{test}-{}", hex::encode(r)));
        Some(loc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn parses_and_prints_a_garage_url() {
        let l = BucketLocation::parse(
            "s3://vigil-evidence?endpoint=http://127.0.0.1:3900/&region=garage&prefix=unit-a/2026",
        )
        .unwrap();
        assert_eq!(l.prefix.as_deref(), Some("unit-a/2026"));
        assert_eq!(l.bucket, "vigil-evidence");
        assert_eq!(l.endpoint.as_deref(), Some("http://127.0.0.1:3900"));
        assert_eq!(l.region, "garage");
        assert_eq!(BucketLocation::parse(&l.to_string()).unwrap(), l);
        assert_eq!(BucketLocation::parse("s3://abc").unwrap().region, "us-east-1");
    }

    #[test]
    fn refuses_keys_in_the_url_and_names_what_is_wrong() {
        for (url, says) in [
            ("s3://bucket1?secret_access_key=x", "never go in the vault URL"),
            ("s3://B?endpoint=http://x", "bucket name"),
            ("s3://bucket?endpoint=ftp://x", "not an http"),
            ("s3://bucket?colour=red", "unknown setting \"colour\""),
            ("s3://bucket?region=", "region is empty"),
            ("s3://bucket?credentials=rel/path", "absolute path"),
            ("s3://bucket?prefix=a/../b", "prefix"),
            ("s3://bucket?prefix=/a", "prefix"),
        ] {
            let e = BucketLocation::parse(url).unwrap_err().to_string();
            assert!(e.contains(says), "{url}: {e}");
        }
    }

    #[test]
    fn a_credentials_file_must_be_private_and_complete() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("creds");
        std::fs::write(&p, "[default]\naws_access_key_id = GK1\naws_secret_access_key = s3cr3t\n").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
        let loc = BucketLocation::parse(&format!("s3://bucket?credentials={}", p.display())).unwrap();
        let e = loc.credentials().unwrap_err().to_string();
        assert!(e.contains("chmod 600"), "{e}");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
        let c = loc.credentials().unwrap();
        assert_eq!((c.key_id.as_str(), c.secret.as_str()), ("GK1", "s3cr3t"));
        assert!(!format!("{c:?}").contains("s3cr3t"), "the secret never reaches Debug output");
        std::fs::write(&p, "aws_access_key_id = GK1\n").unwrap();
        assert!(loc
            .credentials()
            .unwrap_err()
            .to_string()
            .contains("needs aws_access_key_id and aws_secret_access_key"));
    }
}
