//! Issue 28, point 1: the vault in an S3-compatible bucket (Garage in CI,
//! from scripts/garage.sh through VIGIL_TEST_S3). `exhibit add`, `exhibit
//! get` and `verify` work as on the folder vault; a tampered object is
//! named; a folder vault moves into a bucket with every blob checked; a
//! backup of a bucket vault is a folder vault that verifies on its own; the
//! keys are never written to the data directory or printed.

mod support;

use support::{ok, run, Dir};
use vigil_vault::BucketLocation;

/// Content above the size the store keeps itself, so it goes to the vault:
/// bytes that differ by seed and do not repeat within a chunk.
fn content(seed: u8, len: usize) -> Vec<u8> {
    let mul = 0x9E37_79B9_7F4A_7C15u64 ^ u64::from(seed);
    (0..len as u64).map(|i| (i.wrapping_add(1).wrapping_mul(mul) >> 56) as u8).collect()
}

fn secret_of(loc: &BucketLocation) -> String {
    let text = std::fs::read_to_string(loc.credentials.as_ref().expect("the test URL names its credentials")).unwrap();
    text.lines().find_map(|l| l.strip_prefix("aws_secret_access_key = ")).unwrap().trim().to_owned()
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex(&sha2::Sha256::digest(bytes))
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[test]
fn exhibits_live_in_the_bucket_and_verify_names_a_tampered_object() {
    let Some(loc) = BucketLocation::for_tests("exhibits_live_in_the_bucket") else { return };
    let d = Dir { tmp: tempfile::tempdir().unwrap() };
    let data = d.data();
    let url = loc.to_string();
    let said = ok(&data, &["init", "--vault", &url]);
    assert!(said.contains(&format!("vault:       {url}")), "{said}");
    let secret = secret_of(&loc);
    assert!(!said.contains(&secret));
    let config = std::fs::read_to_string(data.join("vigil.json")).unwrap();
    assert!(config.contains(&url) && !config.contains(&secret), "{config}");

    // 20 MiB goes up in parts; 100 KiB in one request.
    let big = content(1, 20 << 20);
    let small = content(2, 100 << 10);
    let mut refs = Vec::new();
    for (name, bytes) in [("big.bin", &big), ("small.bin", &small)] {
        let f = d.file(name, bytes);
        let out = ok(&data, &["exhibit", "add", f.to_str().unwrap(), "--case", "S3-1", "--by", "SB"]);
        let (r, sha) = out.trim().split_once(' ').unwrap();
        assert_eq!(sha, sha256_hex(bytes));
        refs.push(r.to_owned());
    }
    // Nothing sits in the folder: the blobs are in the bucket.
    let blobs = data.join("vault/blobs");
    assert!(!blobs.exists() || std::fs::read_dir(&blobs).unwrap().next().is_none(), "blobs left in the folder");
    assert_eq!(std::fs::read_dir(data.join("vault/tmp")).unwrap().count(), 0, "no temp file left behind");

    for (r, bytes) in refs.iter().zip([&big, &small]) {
        let out = d.path(&format!("{}.out", r.replace('/', "-")));
        ok(&data, &["exhibit", "get", r, "--out", out.to_str().unwrap(), "--reason", "check", "--by", "SB"]);
        assert!(std::fs::read(&out).unwrap() == **bytes, "{r} reads back the same");
    }
    let v = ok(&data, &["verify"]);
    assert!(v.contains("OK"), "{v}");

    // The same content again is not uploaded again.
    let again = d.file("again.bin", &small);
    let out = ok(&data, &["--json", "exhibit", "add", again.to_str().unwrap(), "--case", "S3-1", "--by", "SB"]);
    assert!(out.contains("\"deduplicated\": true") || out.contains("\"deduplicated\":true"), "{out}");

    // A byte changed in the bucket is named by verify.
    let tmp = tempfile::tempdir().unwrap();
    let vault = vigil_vault::Vault::open_bucket(tmp.path(), &loc).unwrap();
    let sha: vigil_domain::Sha256Digest = sha256_hex(&big).parse().unwrap();
    assert_eq!(vault.rewrite_for_tests(&sha, |b| b[5 << 20] ^= 1).unwrap(), 1);
    let bad = run(&data, &["verify"]);
    assert_ne!(bad.code, 0, "{}", bad.stdout);
    let said = format!("{}{}", bad.stdout, bad.stderr);
    assert!(said.contains(&refs[0]) && said.contains("altered"), "{said}");
}

#[test]
fn a_folder_vault_moves_into_a_bucket_and_its_backup_comes_home() {
    let Some(loc) = BucketLocation::for_tests("a_folder_vault_moves_into_a_bucket") else { return };
    let d = Dir::init();
    let data = d.data();
    let contents: Vec<Vec<u8>> = (0..3u8).map(|i| content(10 + i, (70 << 10) * (i as usize + 1))).collect();
    let mut refs = Vec::new();
    for (i, c) in contents.iter().enumerate() {
        let f = d.file(&format!("m{i}"), c);
        let out = ok(&data, &["exhibit", "add", f.to_str().unwrap(), "--case", "MV-1", "--by", "MV"]);
        refs.push(out.split(' ').next().unwrap().to_owned());
    }
    let url = loc.to_string();
    let said = ok(&data, &["vault", "migrate", "--to", &url, "--by", "ADM1"]);
    assert!(said.contains("3 blobs uploaded, 0 already there"), "{said}");
    assert!(std::fs::read_to_string(data.join("vigil.json")).unwrap().contains(&url));
    // The folder's copies are no longer needed: every read now goes to the bucket.
    std::fs::remove_dir_all(data.join("vault/blobs")).unwrap();
    let v = ok(&data, &["verify"]);
    assert!(v.contains("OK"), "{v}");
    let exported = d.path("log.json");
    ok(&data, &["log", "export", exported.to_str().unwrap()]);
    let log = std::fs::read_to_string(&exported).unwrap();
    assert!(log.contains("transferred") && log.contains("vault moved from the folder"), "the move is on the log");
    for (r, c) in refs.iter().zip(&contents) {
        let out = d.path(&format!("{}.out", r.replace('/', "-")));
        ok(&data, &["exhibit", "get", r, "--out", out.to_str().unwrap(), "--reason", "check", "--by", "MV"]);
        assert!(std::fs::read(&out).unwrap() == *c);
    }
    // Moved again, nothing is left to move.
    let again = run(&data, &["vault", "migrate", "--to", &url, "--by", "ADM1"]);
    assert_ne!(again.code, 0);
    assert!(again.stderr.contains("already in bucket"), "{}", again.stderr);

    // A backup of the bucket vault holds its blobs in its own folder and verifies offline.
    let out = d.path("backup");
    let said = ok(&data, &["backup", "--out", out.to_str().unwrap(), "--by", "ADM1"]);
    assert!(said.contains("3 blobs"), "{said}");
    assert!(!std::fs::read_to_string(out.join("vigil.json")).unwrap().contains("s3://"));
    let v = ok(&out, &["verify"]);
    assert!(v.contains("OK"), "{v}");
}

#[test]
fn a_wrong_key_or_endpoint_is_named_at_init() {
    let Some(loc) = BucketLocation::for_tests("a_wrong_key_or_endpoint_is_named_at_init") else { return };
    let d = tempfile::tempdir().unwrap();
    let creds = d.path().join("creds");
    std::fs::write(&creds, "aws_access_key_id = GKnope\naws_secret_access_key = nope\n").unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&creds, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let mut wrong = loc.clone();
    wrong.credentials = Some(creds);
    let r = run(&d.path().join("a"), &["init", "--vault", &wrong.to_string()]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains(&format!("bucket {}", loc.bucket)), "{}", r.stderr);
    assert!(!d.path().join("a/vigil.json").exists(), "a failed init leaves no config");
    let r = run(&d.path().join("b"), &["init", "--vault", "s3://vigil?secret_access_key=x"]);
    assert!(r.stderr.contains("never go in the vault URL"), "{}", r.stderr);
}
