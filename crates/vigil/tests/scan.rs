//! `vigil scan` against generated trees: digests agree with the coreutils
//! and b3sum, hashdeep audits Vigil's output, odd names survive every
//! format, errors are per file, a killed scan resumes to the same report,
//! and hash-set matches are counted without showing content.

mod support;

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use support::{ok, vigil, Dir};

/// A peer tool, or `None` with the reason printed. In CI a missing peer fails.
fn peer(tool: &str) -> Option<PathBuf> {
    let found =
        std::env::var_os("PATH").and_then(|p| std::env::split_paths(&p).map(|d| d.join(tool)).find(|p| p.is_file()));
    if found.is_none() {
        assert_ne!(std::env::var("CI").as_deref(), Ok("true"), "{tool} is required in CI (.ci/run installs it)");
        eprintln!("SKIPPED: {tool} is not installed");
    }
    found
}

fn tree(root: &Path, odd_names: bool) {
    std::fs::create_dir_all(root.join("dir/deeper")).unwrap();
    std::fs::write(root.join("empty"), b"").unwrap();
    std::fs::write(root.join("small.txt"), b"benign synthetic text\n").unwrap();
    let big: Vec<u8> = (0..5_000_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    std::fs::write(root.join("dir/big.bin"), &big).unwrap();
    for i in 0..40 {
        std::fs::write(root.join(format!("dir/deeper/f{i:03}.dat")), format!("file {i} ").repeat(i * 37 + 1)).unwrap();
    }
    std::fs::write(root.join("dir/with,comma and space.txt"), b"comma").unwrap();
    if odd_names {
        std::fs::write(root.join(OsStr::from_bytes(b"latin1-\xe9t\xe9.txt")), b"not utf-8 name").unwrap();
        std::fs::write(root.join("new\nline.txt"), b"newline name").unwrap();
        std::fs::write(root.join("quote\"and\\back.txt"), b"quotes").unwrap();
    }
}

fn escape(b: &[u8]) -> String {
    vigil_scan_escape(b)
}

// The documented rule, restated independently for the test.
fn vigil_scan_escape(b: &[u8]) -> String {
    let mut out = String::new();
    for chunk in b.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c == '\\' {
                out.push_str("\\\\");
            } else if c.is_control() {
                for x in c.to_string().bytes() {
                    out.push_str(&format!("\\x{x:02x}"));
                }
            } else {
                out.push(c);
            }
        }
        for x in chunk.invalid() {
            out.push_str(&format!("\\x{x:02x}"));
        }
    }
    out
}

fn scan_json(args: &[&str]) -> serde_json::Value {
    let out = vigil().args(["scan", "--quiet", "--format", "json"]).args(args).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn digests_match_coreutils_and_b3sum() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path().join("t");
    tree(&root, true);
    // Both ways of reading: dir/big.bin (5 MB) is mapped with --read mmap.
    for mode in ["read", "mmap"] {
        let j = scan_json(&["--read", mode, root.to_str().unwrap()]);
        let files = j["files"].as_array().unwrap();
        assert_eq!(files.len(), 47);
        for (tool, key) in [("md5sum", "md5"), ("sha1sum", "sha1"), ("sha256sum", "sha256"), ("b3sum", "blake3")] {
            let Some(tool) = peer(tool) else { continue };
            for f in files {
                // Recover the raw path from the escaped one (only our odd names need it).
                let esc = f["path"].as_str().unwrap();
                let raw: Vec<u8> =
                    walk_raw(&root).into_iter().find(|p| escape(p) == esc).expect("every record is a real file");
                let out = Command::new(&tool).arg("--").arg(OsStr::from_bytes(&raw)).output().unwrap();
                assert!(out.status.success());
                let text = String::from_utf8_lossy(&out.stdout);
                let theirs = text.trim_start_matches('\\').split_whitespace().next().unwrap();
                assert_eq!(f[key].as_str().unwrap(), theirs, "{key} of {esc} with --read {mode}");
            }
        }
    }
}

fn walk_raw(root: &Path) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.as_os_str().as_bytes().to_vec());
            }
        }
    }
    out
}

#[test]
fn hashdeep_audits_vigil_output() {
    let Some(hashdeep) = peer("hashdeep") else { return };
    let d = tempfile::tempdir().unwrap();
    let root = d.path().join("t");
    tree(&root, false);
    for algos in ["md5,sha256", "md5,sha1,sha256"] {
        let known = d.path().join(format!("known-{algos}.hd"));
        let out = vigil()
            .current_dir(d.path())
            .args(["scan", "t", "--quiet", "--no-archives", "--format", "hashdeep", "--algos", algos, "--out"])
            .arg(&known)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let audit = Command::new(&hashdeep)
            .current_dir(d.path())
            .args(["-r", "-a", "-k"])
            .arg(&known)
            .arg("t")
            .output()
            .unwrap();
        assert!(
            audit.status.success(),
            "hashdeep -a -k rejected Vigil's output ({algos}): {}{}",
            String::from_utf8_lossy(&audit.stdout),
            String::from_utf8_lossy(&audit.stderr)
        );
        // And it notices a changed file.
        std::fs::write(root.join("small.txt"), b"changed").unwrap();
        let audit = Command::new(&hashdeep)
            .current_dir(d.path())
            .args(["-r", "-a", "-k"])
            .arg(&known)
            .arg("t")
            .output()
            .unwrap();
        assert!(!audit.status.success(), "a changed file must fail the audit");
        std::fs::write(root.join("small.txt"), b"benign synthetic text\n").unwrap();
    }
}

#[test]
fn odd_names_in_every_format() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path().join("t");
    tree(&root, true);
    let r = root.to_str().unwrap();
    let nl = format!("{r}/new\\x0aline.txt");
    let latin = format!("{r}/latin1-\\xe9t\\xe9.txt");
    let quote = format!("{r}/quote\"and\\\\back.txt");
    // JSON: one parseable document, the escaped names as strings.
    let j = scan_json(&[r]);
    let names: Vec<&str> = j["files"].as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap()).collect();
    for want in [&nl, &latin, &quote] {
        assert!(names.contains(&want.as_str()), "{want} in {names:?}");
    }
    // CSV: every record on one line; a field with a comma or quote is quoted.
    let csv =
        String::from_utf8(vigil().args(["scan", "--quiet", "--format", "csv", r]).output().unwrap().stdout).unwrap();
    assert_eq!(csv.lines().count(), 1 + 47);
    assert!(csv.contains(&format!("\"{}\"", quote.replace('"', "\"\""))), "{csv}");
    assert!(csv.contains(&format!("\"{r}/dir/with,comma and space.txt\"")));
    assert!(csv.lines().any(|l| l.starts_with(&nl)));
    // DFXML: names escaped for XML too, no raw line break inside an element.
    let x =
        String::from_utf8(vigil().args(["scan", "--quiet", "--format", "dfxml", r]).output().unwrap().stdout).unwrap();
    assert!(x.contains(&format!("<filename>{nl}</filename>")));
    assert!(x.contains(&format!("<filename>{}</filename>", quote.replace('"', "&quot;"))));
    assert!(x.lines().all(|l| l.trim().is_empty() || l.trim_start().starts_with('<')), "every line is markup");
    assert_eq!(x.matches("<fileobject>").count(), 47);
    assert!(x.contains("<hashdigest type=\"sha256\">"));
    // hashdeep: raw bytes except for a line break, which is escaped and flagged.
    let h = vigil().args(["scan", "--quiet", "--format", "hashdeep", r]).output().unwrap().stdout;
    assert!(h.windows(5).any(|w| w == b"\xe9t\xe9.t"), "raw non-UTF-8 bytes kept for hashdeep");
    let text = String::from_utf8_lossy(&h);
    assert!(text.contains("new\\x0aline.txt\n## the name above holds a line break"));
}

#[test]
fn errors_are_per_file_and_the_scan_goes_on() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path().join("t");
    tree(&root, false);
    std::os::unix::fs::symlink("/nonexistent/target", root.join("broken-link")).unwrap();
    std::os::unix::fs::symlink("/proc/self/mem", root.join("unreadable")).unwrap();
    let fifo = root.join("fifo");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let j = scan_json(&[root.to_str().unwrap()]);
    let s = &j["summary"];
    assert_eq!(s["unhashable"], 3, "{s}");
    let why: Vec<String> = s["unhashable_paths"].as_array().unwrap().iter().map(|p| p.to_string()).collect();
    let all = why.join("\n");
    assert!(all.contains("broken symbolic link") && all.contains("FIFO") && all.contains("read failed"), "{all}");
    assert_eq!(s["files"].as_u64().unwrap(), 44 + 3);
    let missing = vigil().args(["scan", "--quiet", "/nonexistent/source"]).output().unwrap();
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/nonexistent/source: no such file or directory"));
    let bad_algo = vigil().args(["scan", "--quiet", "--algos", "md5,crc32", "."]).output().unwrap();
    assert!(String::from_utf8_lossy(&bad_algo.stderr).contains("unknown algorithm \"crc32\""));
}

#[test]
fn archive_members_are_hashed_as_archive_bang_member() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path().join("t");
    std::fs::create_dir_all(root.join("src")).unwrap();
    std::fs::write(root.join("src/a.txt"), b"member a").unwrap();
    std::fs::write(root.join("src/b.txt"), b"member b").unwrap();
    assert!(Command::new("tar")
        .current_dir(root.join("src"))
        .args(["czf", "../x.tar.gz", "a.txt", "b.txt"])
        .status()
        .unwrap()
        .success());
    assert!(Command::new("tar")
        .current_dir(root.join("src"))
        .args(["cf", "../y.tar", "a.txt"])
        .status()
        .unwrap()
        .success());
    let py = "import zipfile,sys; z=zipfile.ZipFile(sys.argv[1],'w',zipfile.ZIP_DEFLATED); z.writestr('in/z.txt','member b'); z.close()";
    assert!(Command::new("python3").args(["-c", py]).arg(root.join("z.zip")).status().unwrap().success());
    std::fs::write(root.join("fake.zip"), b"PK\x03\x04 this is not really a zip").unwrap();
    let j = scan_json(&[root.to_str().unwrap(), "--algos", "sha256"]);
    let f: Vec<(String, String)> = j["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].as_str().unwrap().to_owned(), f["sha256"].as_str().unwrap_or("").to_owned()))
        .collect();
    let get = |suffix: &str| {
        f.iter().find(|(p, _)| p.ends_with(suffix)).unwrap_or_else(|| panic!("{suffix} in {f:?}")).1.clone()
    };
    assert_eq!(get("x.tar.gz!a.txt"), get("src/a.txt"));
    assert_eq!(get("x.tar.gz!b.txt"), get("src/b.txt"));
    assert_eq!(get("y.tar!a.txt"), get("src/a.txt"));
    assert_eq!(get("z.zip!in/z.txt"), get("src/b.txt"));
    let fake =
        j["files"].as_array().unwrap().iter().find(|f| f["path"].as_str().unwrap().ends_with("fake.zip!")).unwrap();
    assert!(fake["error"].as_str().unwrap().contains("cannot open as ZIP"), "{fake}");
}

#[test]
fn a_killed_scan_resumes_to_the_same_report() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path().join("t");
    std::fs::create_dir_all(&root).unwrap();
    let block: Vec<u8> = (0..262_144u32).map(|i| (i * 7 % 256) as u8).collect();
    for i in 0..800u32 {
        let mut b = block.clone();
        b[..4].copy_from_slice(&i.to_be_bytes());
        std::fs::write(root.join(format!("f{i:04}.bin")), &b).unwrap();
    }
    let r = root.to_str().unwrap();
    let full = d.path().join("full.csv");
    ok(
        &d.path().join("unused"),
        &["scan", "--quiet", "--format", "csv", "--jobs", "1", r, "--out", full.to_str().unwrap()],
    );

    let out = d.path().join("resumed.csv");
    let cp = PathBuf::from(format!("{}.checkpoint", out.display()));
    let mut child = vigil()
        .args(["scan", "--quiet", "--format", "csv", "--jobs", "1", r, "--out", out.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let t = std::time::Instant::now();
    loop {
        let lines = std::fs::read(&cp).map(|b| b.iter().filter(|&&c| c == b'\n').count()).unwrap_or(0);
        if lines > 200 || t.elapsed().as_secs() > 60 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(!out.exists(), "the scan was killed before it finished");
    assert!(cp.exists());
    let res = vigil()
        .args([
            "--json",
            "scan",
            "--quiet",
            "--format",
            "csv",
            "--jobs",
            "1",
            "--resume",
            r,
            "--out",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(res.status.success(), "{}", String::from_utf8_lossy(&res.stderr));
    let j: serde_json::Value = serde_json::from_slice(&res.stdout).unwrap();
    let (resumed, hashed) = (j["resumed"].as_u64().unwrap(), j["hashed"].as_u64().unwrap());
    assert!(resumed >= 150, "finished files were taken from the checkpoint ({resumed})");
    assert_eq!(resumed + hashed, 800);
    assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(&full).unwrap(), "identical to an uninterrupted scan");
    assert!(!cp.exists(), "the checkpoint is removed once the report is complete");
}

#[test]
fn matches_are_counted_by_category_and_recorded_in_the_case() {
    let dir = Dir::init();
    let root = dir.path("seized");
    std::fs::create_dir_all(&root).unwrap();
    let files = [
        ("a.bin", "synthetic item A"),
        ("b.bin", "synthetic item B"),
        ("c.bin", "synthetic item C"),
        ("os.dll", "benign system file"),
        ("new.txt", "unknown"),
    ];
    for (n, body) in files {
        std::fs::write(root.join(n), body).unwrap();
    }
    let md5 = |s: &str| {
        let out = Command::new("md5sum").stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
        use std::io::Write;
        out.stdin.as_ref().unwrap().write_all(s.as_bytes()).unwrap();
        String::from_utf8(out.wait_with_output().unwrap().stdout).unwrap()[..32].to_uppercase()
    };
    let bad = dir.file(
        "bad.csv",
        format!("hash,category\n{},A\n{},2\n{},C\n", md5(files[0].1), md5(files[1].1), md5(files[2].1)).as_bytes(),
    );
    let good = dir.file("good.txt", format!("{}  os.dll\n", md5(files[3].1).to_lowercase()).as_bytes());
    let data = dir.data();
    ok(
        &data,
        &[
            "hashset",
            "import",
            "caid-test",
            bad.to_str().unwrap(),
            "--format",
            "csv",
            "--kind",
            "known-bad",
            "--category-map",
            "2=B",
            "--by",
            "FE1",
        ],
    );
    ok(
        &data,
        &[
            "hashset",
            "import",
            "nsrl-test",
            good.to_str().unwrap(),
            "--format",
            "md5sum",
            "--kind",
            "known-good",
            "--by",
            "FE1",
        ],
    );
    let list = ok(&data, &["hashset", "list"]);
    assert!(list.contains("caid-test") && list.contains("known-bad") && list.contains("nsrl-test"), "{list}");
    let out = vigil()
        .arg("--data")
        .arg(&data)
        .args([
            "scan",
            root.to_str().unwrap(),
            "--hashsets",
            "caid-test,nsrl-test",
            "--case",
            "OP-TEST-1",
            "--by",
            "FE",
            "--format",
            "json",
            "--out",
        ])
        .arg(dir.path("report.json"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("known-good (set aside): 1; known-bad: 3"), "{err}");
    assert!(err.contains("category A: 1") && err.contains("category B: 1") && err.contains("category C: 1"), "{err}");
    assert!(err.contains("report stored as exhibit FE/1"), "{err}");
    assert!(!err.contains("synthetic item"), "content is never shown");
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.path("report.json")).unwrap()).unwrap();
    assert_eq!(report["summary"]["known_bad"], 3);
    let h = ok(&data, &["exhibit", "history", "FE/1"]);
    assert!(h.contains("received") && h.contains("forensic scan report"), "{h}");
    let exp = dir.path("log.jsonl");
    ok(&data, &["log", "export", exp.to_str().unwrap()]);
    let log = std::fs::read_to_string(&exp).unwrap();
    assert!(
        log.contains("scan-started") && log.contains("scan-finished") && log.contains("known-bad 3 (A: 1, B: 1, C: 1)"),
        "custody events carry the counts"
    );
    assert!(log.contains("hashset:caid-test"));
    assert!(ok(&data, &["verify"]).contains("OK"));
}

/// The shared PDQ fixtures, or `None` outside CI when they are missing.
fn pdq_fixtures() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/pdq");
    if dir.join("expected.jsonl").is_file() {
        return Some(dir);
    }
    assert_ne!(std::env::var("CI").as_deref(), Ok("true"), "PDQ fixtures missing at {}", dir.display());
    eprintln!("SKIPPED: PDQ fixtures not found at {}", dir.display());
    None
}

/// A flat 16x16 grey BMP: a valid image with PDQ quality 0.
fn flat_bmp() -> Vec<u8> {
    let (w, h) = (16u32, 16u32);
    let row = w * 3;
    let size = 54 + row * h;
    let mut b = Vec::new();
    b.extend_from_slice(b"BM");
    b.extend_from_slice(&size.to_le_bytes());
    b.extend_from_slice(&[0; 4]);
    b.extend_from_slice(&54u32.to_le_bytes());
    b.extend_from_slice(&40u32.to_le_bytes());
    b.extend_from_slice(&w.to_le_bytes());
    b.extend_from_slice(&h.to_le_bytes());
    b.extend_from_slice(&1u16.to_le_bytes());
    b.extend_from_slice(&24u16.to_le_bytes());
    b.extend_from_slice(&[0; 24]);
    b.resize(size as usize, 128);
    b
}

#[test]
fn images_get_pdq_and_near_duplicates_match_through_dihedrals() {
    let Some(fx) = pdq_fixtures() else { return };
    let dir = Dir::init();
    let seized = dir.path("seized");
    std::fs::create_dir_all(&seized).unwrap();
    for f in ["astronaut-rot90.png", "coffee-mirror.png", "camera-jpeg40.png", "chelsea-orig.png"] {
        std::fs::copy(fx.join(f), seized.join(f)).unwrap();
    }
    std::fs::write(seized.join("flat.bmp"), flat_bmp()).unwrap();
    std::fs::write(seized.join("broken.png"), b"\x89PNG\r\n\x1a\n but then nothing valid").unwrap();
    // A known-bad PDQ set holding the originals of three sources (not chelsea).
    let mut lines = String::new();
    for l in std::fs::read_to_string(fx.join("expected.jsonl")).unwrap().lines() {
        let r: serde_json::Value = serde_json::from_str(l).unwrap();
        let src = r["source"].as_str().unwrap();
        if r["transform"] == "orig" && ["astronaut", "coffee", "camera"].contains(&src) {
            lines += &format!(
                "{},{},{}\n",
                r["pdq"].as_str().unwrap(),
                r["quality"],
                if src == "camera" { "B" } else { "A" }
            );
        }
    }
    let set = dir.file("pdq-set.txt", lines.as_bytes());
    let data = dir.data();
    ok(
        &data,
        &[
            "hashset",
            "import",
            "pdq-test",
            set.to_str().unwrap(),
            "--format",
            "pdq",
            "--kind",
            "known-bad",
            "--by",
            "FE1",
        ],
    );
    assert!(ok(&data, &["hashset", "list"]).contains("pdq 3"));
    let out = vigil()
        .arg("--data")
        .arg(&data)
        .args(["scan", "--format", "json", "--hashsets", "pdq-test"])
        .arg(&seized)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let by = |suffix: &str| {
        j["files"].as_array().unwrap().iter().find(|f| f["path"].as_str().unwrap().ends_with(suffix)).unwrap().clone()
    };
    // Rotated and mirrored copies match their originals through the dihedral hashes.
    assert_eq!(by("astronaut-rot90.png")["matches"][0]["category"], "A");
    assert_eq!(by("coffee-mirror.png")["matches"][0]["set"], "pdq-test");
    assert!(by("camera-jpeg40.png")["matches"][0]["pdq_distance"].as_u64().unwrap() <= 31);
    assert_eq!(by("camera-jpeg40.png")["matches"][0]["category"], "B");
    assert!(by("chelsea-orig.png").get("matches").is_none(), "an unrelated image does not match");
    assert_eq!(by("flat.bmp")["pdq_quality"], 0);
    assert!(by("broken.png")["pdq_error"].as_str().unwrap().contains("cannot decode"));
    let s = &j["summary"];
    assert_eq!(s["known_bad"], 3, "{s}");
    assert_eq!(s["known_bad_by_category"]["A"], 2);
    assert_eq!(s["pdq_hashed"], 5);
    assert_eq!(s["pdq_low_quality"], 1);
    assert!(err.contains("PDQ: 5 images hashed, 1 of low quality"), "{err}");
    // The reported hash is the reference's, as `vigil pdq` prints it.
    let direct = ok(&data, &["pdq", seized.join("chelsea-orig.png").to_str().unwrap()]);
    assert!(direct.starts_with(by("chelsea-orig.png")["pdq"].as_str().unwrap()));
}
