//! The requirements `vigil validate` runs, each against ground truth that
//! ships with Vigil or is generated reproducibly here: published digest
//! vectors, coreutils and b3sum, hashdeep's audit, the reference PDQ's
//! hashes of generated pictures, and tamper and crash runs on scratch data
//! directories. Every check works in its own folder under the scratch
//! directory and never touches the data directory being validated.

use anyhow::{anyhow, Context, Result};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use vigil_core::{Outcome, RequirementResult, Vigil};
use vigil_domain::{Actor, CaseId, Initials};
use vigil_hashset::HashAlgo;
use vigil_scan::{digest_bytes, AlgoSet, Digests};

/// What the checks share: this binary, the scratch folder, and the
/// test-only fault (a digest corrupted on purpose, so a test can show the
/// pack catches a broken method).
pub struct Checks {
    pub exe: PathBuf,
    pub work: PathBuf,
    pub broken: Option<HashAlgo>,
}

fn result(id: &str, requirement: &str, criterion: &str, r: Result<(Outcome, String)>) -> RequirementResult {
    let (result, evidence) = r.unwrap_or_else(|e| (Outcome::Fail, format!("the check could not run: {e:#}")));
    RequirementResult { id: id.into(), requirement: requirement.into(), criterion: criterion.into(), result, evidence }
}

/// The first few failures name what went wrong; the rest are counted.
fn verdict(failures: Vec<String>, passed: String) -> (Outcome, String) {
    const SHOWN: usize = 3;
    if failures.is_empty() {
        return (Outcome::Pass, passed);
    }
    let mut text = failures.iter().take(SHOWN).cloned().collect::<Vec<_>>().join("; ");
    if failures.len() > SHOWN {
        text += &format!("; and {} more", failures.len() - SHOWN);
    }
    (Outcome::Fail, text)
}

/// Deterministic bytes: xorshift64* from a seed.
fn bytes_from(seed: u64, len: usize) -> Vec<u8> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            s ^= s >> 12;
            s ^= s << 25;
            s ^= s >> 27;
            (s.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 56) as u8
        })
        .collect()
}

fn all_algos() -> AlgoSet {
    AlgoSet::parse("md5,sha1,sha256,blake3").expect("the four algorithms parse")
}

const ALGOS: [HashAlgo; 4] = [HashAlgo::Md5, HashAlgo::Sha1, HashAlgo::Sha256, HashAlgo::Blake3];

impl Checks {
    /// Vigil's digests of bytes, by the scan's hashers; with the test-only
    /// fault, one algorithm's digest has its first bit flipped.
    fn ours(&self, bytes: &[u8]) -> Digests {
        let mut d = digest_bytes(&all_algos(), bytes);
        if let Some(a) = self.broken {
            let slot = match a {
                HashAlgo::Md5 => &mut d.md5,
                HashAlgo::Sha1 => &mut d.sha1,
                HashAlgo::Sha256 => &mut d.sha256,
                HashAlgo::Blake3 => &mut d.blake3,
            };
            if let Some(v) = slot.as_mut() {
                v[0] ^= 0x80;
            }
        }
        d
    }

    fn dir(&self, name: &str) -> Result<PathBuf> {
        let d = self.work.join(name);
        std::fs::create_dir_all(&d).with_context(|| format!("creating {}", d.display()))?;
        Ok(d)
    }

    pub fn run_all(&self) -> Vec<RequirementResult> {
        vec![
            result(
                "DIG-01",
                "MD5, SHA-1, SHA-256 and BLAKE3 digests are correct",
                "Equal to the published test vectors: RFC 1321 (MD5); FIPS 180-4 examples \"abc\", the 448-bit message \
                 and one million 'a' (SHA-1, SHA-256); the BLAKE3 reference's vectors for 0, 1, 1024 and 1025 bytes",
                self.published_vectors(),
            ),
            result(
                "DIG-02",
                "Digests agree with independent tools",
                "On 12 generated files of 0 bytes to 5 MiB, the digests of `vigil scan` (MD5 and SHA-1 in SIMD lanes where \
                 the CPU has them) are identical to the one-file code's, to coreutils md5sum, sha1sum, sha256sum and to \
                 b3sum",
                self.independent_tools(),
            ),
            result(
                "SCAN-01",
                "A scan's hashdeep report audits clean against the tree it describes",
                "hashdeep -r -a -k REPORT passes on the scanned tree (every file matched, none missing), and fails once \
                 one byte of one file is changed",
                self.hashdeep_audit(),
            ),
            result(
                "PDQ-01",
                "PDQ hashes agree with the reference implementation",
                "For 6 generated pictures as PNG: hash and quality identical to the reference C++ (PyPI pdqhash 0.2.8); \
                 as JPEG quality 90: within 10 bits of the reference",
                self.pdq_reference(),
            ),
            result(
                "HSET-01",
                "Hash sets import, match and export without loss",
                "A sha256sum list of 20 of 30 generated files, imported as a known-bad set: a scan matches exactly \
                 those 20, and the set exported as CSV holds exactly their digests",
                self.hashset_round_trip(),
            ),
            result(
                "TAMP-01",
                "A changed byte in a vault blob is detected",
                "vigil verify passes on a fresh data directory, fails naming the exhibit after one byte of its sealed blob \
                 is flipped, and passes again once it is restored",
                self.tamper_blob(),
            ),
            result(
                "TAMP-02",
                "A changed custody event is detected",
                "vigil verify fails naming the event after one byte of one stored event is flipped in the database",
                self.tamper_event(),
            ),
            result(
                "TAMP-03",
                "A changed signed tree head is detected",
                "vigil verify fails naming the head after one byte of its signature is flipped in the database",
                self.tamper_head(),
            ),
            result(
                "BUND-01",
                "A prosecutor bundle verifies offline and carries CASE/UCO provenance",
                "vigil verify BUNDLE --public-key passes; provenance.jsonld is JSON-LD with the CASE/UCO context and \
                 names every exhibit's SHA-256; the manifest names this build",
                self.bundle_round_trip(),
            ),
            result(
                "TAMP-04",
                "A changed file in a bundle is detected",
                "Bundle verification fails naming the file after one byte of an exhibit is flipped, and after one byte of \
                 the signed manifest is flipped",
                self.tamper_bundle(),
            ),
            result(
                "CRASH-01",
                "A crash never loses an acknowledged exhibit",
                "Three `vigil exhibit add` runs of 12 files each, killed with SIGKILL after the 2nd, 5th and 9th \
                 reference is printed: every printed reference opens with its printed SHA-256 and vigil verify passes",
                self.crash_safety(),
            ),
        ]
    }

    fn published_vectors(&self) -> Result<(Outcome, String)> {
        let pattern = |n: usize| -> Vec<u8> { (0..n).map(|i| (i % 251) as u8).collect() };
        let million = vec![b'a'; 1_000_000];
        // (name, input, [md5, sha1, sha256, blake3]); "" where no vector is published.
        let vectors: Vec<(&str, Vec<u8>, [&str; 4])> = vec![
            (
                "empty",
                vec![],
                [
                    "d41d8cd98f00b204e9800998ecf8427e",
                    "da39a3ee5e6b4b0d3255bfef95601890afd80709",
                    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                    "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262",
                ],
            ),
            (
                "\"abc\"",
                b"abc".to_vec(),
                [
                    "900150983cd24fb0d6963f7d28e17f72",
                    "a9993e364706816aba3e25717850c26c9cd0d89d",
                    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                    "",
                ],
            ),
            (
                "448-bit message",
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".to_vec(),
                [
                    "8215ef0796a20bcaaae116d3876c664a",
                    "84983e441c3bd26ebaae4aa1f95129e5e54670f1",
                    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
                    "",
                ],
            ),
            (
                "one million 'a'",
                million,
                [
                    "7707d6ae4e027c70eea2a935c2296f21",
                    "34aa973cd4c4daa4f61eeb2bdbad27316534016f",
                    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
                    "",
                ],
            ),
            (
                "BLAKE3 1 byte",
                pattern(1),
                ["", "", "", "2d3adedff11b61f14c886e35afa036736dcd87a74d27b5c1510225d0f592e213"],
            ),
            (
                "BLAKE3 1024 bytes",
                pattern(1024),
                ["", "", "", "42214739f095a406f3fc83deb889744ac00df831c10daa55189b5d121c855af7"],
            ),
            (
                "BLAKE3 1025 bytes",
                pattern(1025),
                ["", "", "", "d00278ae47eb27b34faecf67b4fe263f82d5412916c1ffd97c8cb7fb814b8444"],
            ),
        ];
        let mut failures = Vec::new();
        let mut compared = 0;
        for (name, input, want) in &vectors {
            let got = self.ours(input);
            for (a, w) in ALGOS.iter().zip(want) {
                if w.is_empty() {
                    continue;
                }
                compared += 1;
                let g = got.get(*a).map(hex::encode).unwrap_or_default();
                if g != *w {
                    failures.push(format!("{} of {name}: got {g}, published {w}", a.name()));
                }
            }
        }
        Ok(verdict(failures, format!("{compared} digests of {} inputs equal their published vectors", vectors.len())))
    }

    fn generated_files(&self, dir: &Path) -> Result<Vec<(PathBuf, Vec<u8>)>> {
        let sizes = [0usize, 1, 55, 56, 63, 64, 65, 1000, 4096, 65_537, 1_048_579, 5 * 1_048_576 + 7];
        let mut out = Vec::new();
        for (i, n) in sizes.iter().enumerate() {
            let p = dir.join(format!("file-{i:02}-{n}.bin"));
            let b = bytes_from(i as u64 + 1, *n);
            std::fs::write(&p, &b).with_context(|| format!("writing {}", p.display()))?;
            out.push((p, b));
        }
        Ok(out)
    }

    /// The digests `vigil scan` gives each file of `dir` (its lanes where
    /// the CPU has them), by file name, with the test-only fault applied as
    /// in [`Checks::ours`].
    fn scanned(&self, dir: &Path) -> Result<BTreeMap<String, BTreeMap<String, String>>> {
        let out = self.vigil(&[
            "scan",
            &dir.to_string_lossy(),
            "--format",
            "json",
            "--quiet",
            "--algos",
            "md5,sha1,sha256,blake3",
        ])?;
        let report: serde_json::Value = serde_json::from_str(&out).context("reading the scan's JSON report")?;
        let mut by_name = BTreeMap::new();
        for f in report["files"].as_array().map(Vec::as_slice).unwrap_or_default() {
            let name = f["path"].as_str().unwrap_or_default().rsplit('/').next().unwrap_or_default().to_owned();
            let mut digests = BTreeMap::new();
            for a in ALGOS {
                let mut d = hex::decode(f[a.name()].as_str().unwrap_or_default()).unwrap_or_default();
                if self.broken == Some(a) {
                    if let Some(b) = d.first_mut() {
                        *b ^= 0x80;
                    }
                }
                digests.insert(a.name().to_owned(), hex::encode(d));
            }
            by_name.insert(name, digests);
        }
        Ok(by_name)
    }

    fn independent_tools(&self) -> Result<(Outcome, String)> {
        let dir = self.dir("digests")?;
        let files = self.generated_files(&dir)?;
        // The scan (MD5 and SHA-1 in SIMD lanes where the CPU has them) and
        // the one-file code must agree before either meets the tools.
        let scanned = self.scanned(&dir)?;
        let mut failures = Vec::new();
        for (p, bytes) in &files {
            let name = p.file_name().unwrap_or_default().to_string_lossy().into_owned();
            for a in ALGOS {
                let one = self.ours(bytes).get(a).map(hex::encode).unwrap_or_default();
                let lanes = scanned.get(&name).and_then(|d| d.get(a.name())).cloned().unwrap_or_default();
                if one != lanes {
                    failures.push(format!("{} of {name}: vigil scan {lanes}, one file at a time {one}", a.name()));
                }
            }
        }
        let tools = [
            (HashAlgo::Md5, "md5sum"),
            (HashAlgo::Sha1, "sha1sum"),
            (HashAlgo::Sha256, "sha256sum"),
            (HashAlgo::Blake3, "b3sum"),
        ];
        let mut ran = Vec::new();
        let mut missing = Vec::new();
        for (algo, tool) in tools {
            let out = match Command::new(tool).args(files.iter().map(|(p, _)| p)).output() {
                Ok(o) if o.status.success() => o,
                Ok(o) => {
                    failures.push(format!("{tool} failed: {}", String::from_utf8_lossy(&o.stderr).trim()));
                    continue;
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    missing.push(tool);
                    continue;
                }
                Err(e) => return Err(anyhow!("running {tool}: {e}")),
            };
            ran.push(tool);
            let text = String::from_utf8_lossy(&out.stdout);
            for ((p, _), line) in files.iter().zip(text.lines()) {
                let theirs = line.split_whitespace().next().unwrap_or("");
                let name = p.file_name().unwrap_or_default().to_string_lossy().into_owned();
                let ours = scanned.get(&name).and_then(|d| d.get(algo.name())).cloned().unwrap_or_default();
                if ours != theirs {
                    failures.push(format!("{} of {name}: vigil scan {ours}, {tool} {theirs}", algo.name()));
                }
            }
        }
        if ran.is_empty() && failures.is_empty() {
            return Ok((Outcome::NotRun, format!("none of {} is installed", missing.join(", "))));
        }
        let mut passed = format!(
            "{} files scanned ({} for MD5 and SHA-1): every digest identical to the one-file code and to {}",
            files.len(),
            vigil_scan::multi_buffer::Kernel::detect().name(),
            ran.join(", ")
        );
        if !missing.is_empty() {
            passed +=
                &format!(" ({} not installed: compared with the published vectors only, DIG-01)", missing.join(", "));
        }
        Ok(verdict(failures, passed))
    }

    /// Runs this binary; an error names the command and what it said.
    fn vigil(&self, args: &[&str]) -> Result<String> {
        let out = Command::new(&self.exe)
            .args(args)
            .env_remove("VIGIL_ACTOR")
            .output()
            .with_context(|| format!("running {}", self.exe.display()))?;
        if !out.status.success() {
            return Err(anyhow!(
                "vigil {} exited {}: {}",
                args.join(" "),
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    fn tree(&self, name: &str) -> Result<PathBuf> {
        let root = self.dir(name)?;
        for (i, sub) in ["", "a", "a/b", "with space", "c/d/e"].iter().enumerate() {
            let d = root.join(sub);
            std::fs::create_dir_all(&d)?;
            for k in 0..6 {
                let n = [0usize, 3, 700, 4096, 70_000, 300_001][k];
                std::fs::write(d.join(format!("f{i}-{k}.dat")), bytes_from((i * 10 + k) as u64 + 100, n))?;
            }
        }
        Ok(root)
    }

    fn hashdeep_audit(&self) -> Result<(Outcome, String)> {
        if Command::new("hashdeep").arg("-V").output().is_err() {
            return Ok((Outcome::NotRun, "hashdeep is not installed".into()));
        }
        let root = self.tree("scan-tree")?;
        let report = self.work.join("scan-tree.hashdeep");
        let root_s = root.to_str().ok_or_else(|| anyhow!("the scratch path is not UTF-8"))?;
        let report_s = report.to_str().ok_or_else(|| anyhow!("the scratch path is not UTF-8"))?;
        self.vigil(&[
            "scan",
            root_s,
            "--algos",
            "md5,sha1,sha256",
            "--format",
            "hashdeep",
            "--out",
            report_s,
            "--quiet",
        ])?;
        let audit = |label: &str| -> Result<(bool, String)> {
            let o = Command::new("hashdeep").args(["-r", "-a", "-k", report_s, root_s]).output()?;
            let said = String::from_utf8_lossy(&o.stdout).trim().to_owned();
            Ok((o.status.success() && said.contains("Audit passed"), format!("{label}: hashdeep said {said:?}")))
        };
        let report_text = std::fs::read_to_string(&report)?;
        let files = report_text.lines().filter(|l| !l.starts_with('%') && !l.starts_with('#')).count();
        let names_build = report_text.contains(&format!("## made by {}", vigil_build::BUILD));
        let (clean, clean_said) = audit("unchanged tree")?;
        let victim = root.join("a/b/f2-4.dat");
        let mut b = std::fs::read(&victim)?;
        b[0] ^= 1;
        std::fs::write(&victim, &b)?;
        let (changed, changed_said) = audit("one byte changed")?;
        let mut failures = Vec::new();
        if !clean {
            failures.push(clean_said.clone());
        }
        if changed {
            failures.push(format!("{changed_said}: the audit did not notice the change"));
        }
        if !names_build {
            failures.push("the report does not name the build that made it".into());
        }
        Ok(verdict(
            failures,
            format!(
                "{files} files: {clean_said}; after one byte changed the audit failed, as it must; the report names {}",
                vigil_build::BUILD
            ),
        ))
    }

    fn pdq_reference(&self) -> Result<(Outcome, String)> {
        // Computed by PyPI pdqhash 0.2.8 (the reference C++) from these
        // generated pictures (vigil_pdq::synthetic::pattern(seed, w, h),
        // PNG, and JPEG quality 90 from the image crate's encoder).
        const REFERENCE: [(u64, u32, u32, &str, u32, &str); 6] = [
            (
                1,
                640,
                480,
                "16dbb69bb6272fea496248534add97b4e91f8924494b9634b6a4b62483a44edb",
                100,
                "16dbb69bb6272fea496248534add97b4c91f8924495b9634b6a4b62483a44edb",
            ),
            (
                2,
                333,
                517,
                "57a09254b4369fe9a496480b4fd84097976ebda4a86755cb4a9950dbe1a997d6",
                50,
                "57a09254b4369fe9a496480b4fd84097976ebda4a86755cb4a9950dbe1a997d6",
            ),
            (
                3,
                64,
                64,
                "31beb1be695edf61cea1ce614d7032bc009e31bc0edc5e72f6419ca1513a11dc",
                59,
                "319eb1be695ede71cea1de614d7030bc029e31bc0edc5e72f6419ca1513a11dc",
            ),
            (
                4,
                1024,
                768,
                "31473e663466ff47e519c79ae55009451ee732671ef6c38ddfd8c3815c380047",
                96,
                "31473e663466ffc3e519c79ae55009451ee732671ef6c38ddfd8c3815c380047",
            ),
            (
                5,
                97,
                211,
                "f07cc7800700707534ff07c7878ff81c17a71fc307bfac54a9051568f951fa55",
                100,
                "f07cc7800700707534ff07c7c78ff81c17a71fc307bfac54a9051568f951ea55",
            ),
            (
                6,
                800,
                600,
                "e81242f5fe25e1eb291afb5aa80512adc78a0b5af691142db67d68da05faf033",
                100,
                "e81242f5fe25e1eb291afb5aa80512adc78a0b5af691142db67d68da05faf033",
            ),
        ];
        let mut failures = Vec::new();
        let mut worst_jpeg = 0;
        for (seed, w, h, png_hex, quality, jpeg_hex) in REFERENCE {
            let img = vigil_pdq::synthetic::pattern(seed, w, h);
            let png = vigil_pdq::hash_bytes(&vigil_pdq::synthetic::png(&img))
                .map_err(|e| anyhow!("hashing picture {seed}: {e}"))?
                .0;
            if png.hash.to_string() != png_hex || png.quality != quality {
                failures.push(format!(
                    "picture {seed} ({w}x{h}) PNG: vigil {} quality {}, reference {png_hex} quality {quality}",
                    png.hash, png.quality
                ));
            }
            let jpeg = vigil_pdq::hash_bytes(&vigil_pdq::synthetic::jpeg(&img, 90))
                .map_err(|e| anyhow!("hashing picture {seed}: {e}"))?
                .0;
            let want = vigil_pdq::Hash256::from_hex(jpeg_hex).map_err(|e| anyhow!("{e}"))?;
            let d = jpeg.hash.hamming(&want);
            worst_jpeg = worst_jpeg.max(d);
            if d > 10 {
                failures.push(format!("picture {seed} JPEG: {d} bits from the reference (more than 10)"));
            }
        }
        Ok(verdict(
            failures,
            format!(
                "6 PNG pictures: hash and quality identical to the reference; 6 JPEG pictures: at most {worst_jpeg} bits \
                 from the reference"
            ),
        ))
    }

    fn hashset_round_trip(&self) -> Result<(Outcome, String)> {
        let dir = self.dir("hashset")?;
        let data = dir.join("data");
        let data_s = data.to_str().ok_or_else(|| anyhow!("the scratch path is not UTF-8"))?;
        self.vigil(&["--data", data_s, "init"])?;
        let files = dir.join("files");
        std::fs::create_dir_all(&files)?;
        let mut listed = std::collections::BTreeSet::new();
        let mut list = String::new();
        for i in 0..30u64 {
            let b = bytes_from(i + 500, 100 + i as usize * 37);
            let p = files.join(format!("g{i:02}.bin"));
            std::fs::write(&p, &b)?;
            if i % 3 != 0 {
                let sha = hex::encode(digest_bytes(&all_algos(), &b).sha256.unwrap_or_default());
                list += &format!("{sha}  g{i:02}.bin\n");
                listed.insert(sha);
            }
        }
        let set_file = dir.join("set.sha256");
        std::fs::write(&set_file, &list)?;
        let set_s = set_file.to_str().unwrap_or_default();
        self.vigil(&[
            "--data",
            data_s,
            "hashset",
            "import",
            "validation-set",
            set_s,
            "--format",
            "sha256sum",
            "--kind",
            "known-bad",
            "--category",
            "B",
            "--source",
            "vigil validate",
            "--by",
            "VAL",
        ])?;
        let report = dir.join("scan.json");
        self.vigil(&[
            "--data",
            data_s,
            "scan",
            files.to_str().unwrap_or_default(),
            "--hashsets",
            "validation-set",
            "--algos",
            "sha256",
            "--format",
            "json",
            "--out",
            report.to_str().unwrap_or_default(),
            "--quiet",
        ])?;
        let j: serde_json::Value = serde_json::from_slice(&std::fs::read(&report)?)?;
        let mut failures = Vec::new();
        let mut matched = 0;
        for f in j["files"].as_array().ok_or_else(|| anyhow!("the scan report has no files"))? {
            let sha = f["sha256"].as_str().unwrap_or_default();
            let hit = f["matches"].as_array().is_some_and(|m| !m.is_empty());
            matched += usize::from(hit);
            if hit != listed.contains(sha) {
                failures.push(format!("{}: matched {hit}, listed {}", f["path"], listed.contains(sha)));
            }
        }
        let export = dir.join("export.csv");
        self.vigil(&[
            "--data",
            data_s,
            "hashset",
            "export",
            "validation-set",
            "--format",
            "csv",
            "--out",
            export.to_str().unwrap_or_default(),
        ])?;
        let exported: std::collections::BTreeSet<String> = std::fs::read_to_string(&export)?
            .lines()
            .flat_map(|l| l.split(',').map(|c| c.trim_matches('"').to_ascii_lowercase()))
            .filter(|c| c.len() == 64 && c.bytes().all(|b| b.is_ascii_hexdigit()))
            .collect();
        if exported != listed {
            failures.push(format!(
                "the exported set holds {} SHA-256 digests, {} were imported",
                exported.len(),
                listed.len()
            ));
        }
        Ok(verdict(
            failures,
            format!(
                "{matched} of 30 files matched, exactly the {} listed; the export holds the same digests",
                listed.len()
            ),
        ))
    }

    /// The scratch data directory the tamper and bundle checks share: the
    /// seeded demo (a complete synthetic case), plus one exhibit large
    /// enough to live as a blob file.
    fn tamper_dir(&self) -> Result<PathBuf> {
        let data = self.work.join("tamper");
        if data.join("vigil.db").exists() {
            return Ok(data);
        }
        Vigil::demo(&data).context("seeding the demo data directory")?;
        let v = Vigil::open(&data)?;
        v.add_exhibit_bytes(
            &bytes_from(7, 200_000),
            "large.bin",
            &CaseId::parse("VALIDATION-TAMPER")?,
            &Initials::parse("SCR")?,
            Some("synthetic exhibit for the tamper checks"),
        )?;
        Ok(data)
    }

    fn verify_problems(data: &Path) -> Result<Vec<String>> {
        Ok(Vigil::open(data)?.verify()?.problems)
    }

    fn sqlite(data: &Path) -> Result<rusqlite::Connection> {
        let c = rusqlite::Connection::open(data.join("vigil.db"))?;
        // An attacker with the file drops the append-only triggers first.
        c.execute_batch(
            "DROP TRIGGER IF EXISTS events_append_only_u; DROP TRIGGER IF EXISTS events_append_only_d; \
             DROP TRIGGER IF EXISTS heads_append_only_u; DROP TRIGGER IF EXISTS heads_append_only_d;",
        )?;
        Ok(c)
    }

    /// Clean, then tampered (naming `expect`), then clean again once restored.
    fn detect(
        &self,
        data: &Path,
        what: &str,
        expect: &str,
        tamper: impl FnOnce() -> Result<()>,
        restore: impl FnOnce() -> Result<()>,
    ) -> Result<(Outcome, String)> {
        let before = Self::verify_problems(data)?;
        if !before.is_empty() {
            return Ok((Outcome::Fail, format!("verify failed before any change: {}", before.join("; "))));
        }
        tamper()?;
        let found = Self::verify_problems(data)?;
        restore()?;
        let after = Self::verify_problems(data)?;
        let named = found.iter().find(|p| p.contains(expect));
        let mut failures = Vec::new();
        if named.is_none() {
            failures.push(format!("after {what}, verify did not name {expect}: {found:?}"));
        }
        if !after.is_empty() {
            failures.push(format!("once restored, verify still failed: {}", after.join("; ")));
        }
        Ok(verdict(
            failures,
            format!(
                "passed before; after {what} it said {:?}; passed once restored",
                named.cloned().unwrap_or_default()
            ),
        ))
    }

    fn tamper_blob(&self) -> Result<(Outcome, String)> {
        let data = self.tamper_dir()?;
        let v = Vigil::open(&data)?;
        let row = v
            .exhibits()?
            .into_iter()
            .find(|e| e.original_name.as_deref() == Some("large.bin"))
            .ok_or_else(|| anyhow!("the large exhibit is missing"))?;
        drop(v);
        let sha = row.sha256.to_hex();
        let blob = data.join("vault/blobs").join(&sha[..2]).join(&sha);
        let original = std::fs::read(&blob).with_context(|| format!("reading {}", blob.display()))?;
        let mut changed = original.clone();
        let last = changed.len() - 1;
        changed[last] ^= 1;
        self.detect(
            &data,
            "one byte of its blob was flipped",
            &format!("exhibit {}", row.reference),
            || Ok(std::fs::write(&blob, &changed)?),
            || Ok(std::fs::write(&blob, &original)?),
        )
    }

    fn tamper_event(&self) -> Result<(Outcome, String)> {
        let data = self.tamper_dir()?;
        let c = Self::sqlite(&data)?;
        let n: i64 = c.query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0))?;
        let idx = n / 2;
        let original: Vec<u8> = c.query_row("SELECT leaf FROM events WHERE idx = ?1", [idx], |r| r.get(0))?;
        let mut changed = original.clone();
        let i = changed.len() - 5;
        changed[i] ^= 1;
        self.detect(
            &data,
            &format!("one byte of event #{idx} was flipped"),
            &format!("event #{idx}"),
            || {
                Ok(c.execute("UPDATE events SET leaf = ?1 WHERE idx = ?2", rusqlite::params![changed, idx])
                    .map(drop)?)
            },
            || {
                Ok(c.execute("UPDATE events SET leaf = ?1 WHERE idx = ?2", rusqlite::params![original, idx])
                    .map(drop)?)
            },
        )
    }

    fn tamper_head(&self) -> Result<(Outcome, String)> {
        let data = self.tamper_dir()?;
        let c = Self::sqlite(&data)?;
        let (size, original): (i64, Vec<u8>) =
            c.query_row("SELECT tree_size, signature FROM tree_heads ORDER BY tree_size DESC LIMIT 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
        let mut changed = original.clone();
        changed[0] ^= 1;
        let set = |sig: &Vec<u8>| -> Result<()> {
            c.execute("UPDATE tree_heads SET signature = ?1 WHERE tree_size = ?2", rusqlite::params![sig, size])?;
            Ok(())
        };
        self.detect(
            &data,
            &format!("one byte of the signature of the head for size {size} was flipped"),
            &format!("signed tree head for size {size}"),
            || set(&changed),
            || set(&original),
        )
    }

    fn bundle_dir(&self) -> Result<PathBuf> {
        let data = self.tamper_dir()?;
        let out = self.work.join("bundle");
        if !out.exists() {
            let v = Vigil::open(&data)?;
            let case = CaseId::parse(vigil_core::DEMO_FULL_CASE)?;
            v.export_bundle(&case, &out, &Initials::parse("SCR")?, None, vigil_core::Audience::Prosecutor)?;
        }
        Ok(out)
    }

    fn bundle_problems(&self) -> Result<Vec<String>> {
        let key = vigil_core::read_public_key(&self.work.join("tamper/keys/signing.pub"))?;
        // A manifest too damaged to read is a detection too: the error names it.
        Ok(match vigil_core::verify_bundle(&self.bundle_dir()?, &key, None) {
            Ok(r) => r.problems,
            Err(e) => vec![e.to_string()],
        })
    }

    fn bundle_round_trip(&self) -> Result<(Outcome, String)> {
        let dir = self.bundle_dir()?;
        let mut failures = self.bundle_problems()?;
        let manifest: vigil_core::Manifest = serde_json::from_slice(&std::fs::read(dir.join("manifest.json"))?)?;
        // CASE writes hash values as xsd:hexBinary, in capitals.
        let prov_text = std::fs::read_to_string(dir.join("provenance.jsonld"))?.to_ascii_lowercase();
        let prov: serde_json::Value = serde_json::from_str(&prov_text).context("provenance.jsonld is not JSON")?;
        let context = prov["@context"].to_string();
        if !context.contains("ontology.unifiedcyberontology.org") || !context.contains("ontology.caseontology.org") {
            failures.push("provenance.jsonld lacks the CASE/UCO context".into());
        }
        if prov["@graph"].as_array().is_none_or(|g| g.is_empty()) {
            failures.push("provenance.jsonld has no graph".into());
        }
        for e in &manifest.exhibits {
            if !prov_text.contains(&e.sha256) {
                failures.push(format!("provenance.jsonld does not name the SHA-256 of {}", e.reference));
            }
        }
        if manifest.build.as_ref() != Some(&vigil_core::BuildInfo::this()) {
            failures.push(format!("the manifest names build {:?}, not this one", manifest.build));
        }
        Ok(verdict(
            failures,
            format!(
                "bundle of case {} ({} exhibits, {} files) verified with the public key; provenance.jsonld names every \
                 exhibit's SHA-256; the manifest names this build",
                manifest.case,
                manifest.exhibits.len(),
                manifest.files.len()
            ),
        ))
    }

    fn tamper_bundle(&self) -> Result<(Outcome, String)> {
        let dir = self.bundle_dir()?;
        let manifest: vigil_core::Manifest = serde_json::from_slice(&std::fs::read(dir.join("manifest.json"))?)?;
        let first = manifest.exhibits.first().ok_or_else(|| anyhow!("the bundle holds no exhibit"))?;
        let mut failures = Vec::new();
        let mut said = Vec::new();
        for rel in [first.path.as_str(), "manifest.json"] {
            let p = dir.join(rel);
            let original = std::fs::read(&p)?;
            let mut changed = original.clone();
            let mid = changed.len() / 2;
            changed[mid] ^= 1;
            std::fs::write(&p, &changed)?;
            let found = self.bundle_problems()?;
            std::fs::write(&p, &original)?;
            match found.first() {
                Some(f) => said.push(format!("{rel}: {f:?}")),
                None => failures.push(format!("a flipped byte in {rel} went unnoticed")),
            }
        }
        let after = self.bundle_problems()?;
        if !after.is_empty() {
            failures.push(format!("once restored, the bundle still failed: {}", after.join("; ")));
        }
        Ok(verdict(failures, format!("detected: {}; verified again once restored", said.join("; "))))
    }

    fn crash_safety(&self) -> Result<(Outcome, String)> {
        let dir = self.dir("crash")?;
        let data = dir.join("data");
        let data_s = data.to_str().ok_or_else(|| anyhow!("the scratch path is not UTF-8"))?.to_owned();
        self.vigil(&["--data", &data_s, "init"])?;
        let mut printed: Vec<(String, String)> = Vec::new();
        let mut killed = 0;
        for (run, kill_after) in [2usize, 5, 9].into_iter().enumerate() {
            let files: Vec<PathBuf> = (0..12)
                .map(|i| {
                    let p = dir.join(format!("run{run}-{i:02}.bin"));
                    std::fs::write(&p, bytes_from((run * 100 + i) as u64 + 9000, 20_000 + i * 15_000)).map(|_| p)
                })
                .collect::<std::io::Result<_>>()?;
            let mut child = Command::new(&self.exe)
                .args(["--data", &data_s, "exhibit", "add"])
                .args(&files)
                .args(["--case", "CRASH-CHECK", "--by", "SCR"])
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()?;
            let mut lines = BufReader::new(child.stdout.take().ok_or_else(|| anyhow!("no stdout"))?).lines();
            let mut seen = 0;
            while seen < kill_after {
                match lines.next() {
                    Some(l) => {
                        let l = l?;
                        let (r, sha) = l.split_once(' ').ok_or_else(|| anyhow!("unexpected line {l:?}"))?;
                        printed.push((r.to_owned(), sha.to_owned()));
                        seen += 1;
                    }
                    None => break,
                }
            }
            // SIGKILL: no destructor, no flush, no chance to tidy up.
            if child.try_wait()?.is_none() {
                killed += 1;
            }
            child.kill().ok();
            child.wait()?;
            for l in lines {
                let l = l?;
                if let Some((r, sha)) = l.split_once(' ') {
                    printed.push((r.to_owned(), sha.to_owned()));
                }
            }
        }
        let v = Vigil::open(&data)?;
        let mut failures = Vec::new();
        let actor = Actor::parse("SCR")?;
        for (r, sha) in &printed {
            let reference = vigil_domain::ExhibitRef::parse(r)?;
            let out = dir.join(format!("check-{}", r.replace('/', "-")));
            match v.get_exhibit(&reference, &out, "vigil validate: crash-safety check", &actor) {
                Ok(got) if got.hashes.sha256.to_hex() == *sha => {}
                Ok(got) => failures.push(format!("{r}: printed {sha}, opens as {}", got.hashes.sha256.to_hex())),
                Err(e) => failures.push(format!("{r} was printed but does not open: {e}")),
            }
        }
        let problems = v.verify()?.problems;
        if !problems.is_empty() {
            failures.push(format!("verify failed after the kills: {}", problems.join("; ")));
        }
        if killed == 0 {
            failures.push("no run was still going when it was killed".into());
        }
        Ok(verdict(
            failures,
            format!(
                "{killed} of 3 runs killed mid-way; all {} printed references open with their printed SHA-256; verify \
                 passed",
                printed.len()
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_bytes_are_reproducible() {
        assert_eq!(bytes_from(3, 64), bytes_from(3, 64));
        assert_ne!(bytes_from(3, 64), bytes_from(4, 64));
    }

    #[test]
    fn a_broken_digest_fails_the_vectors() {
        let c = Checks { exe: PathBuf::new(), work: PathBuf::new(), broken: None };
        assert_eq!(c.published_vectors().unwrap().0, Outcome::Pass);
        let c = Checks { broken: Some(HashAlgo::Sha1), ..c };
        let (o, e) = c.published_vectors().unwrap();
        assert_eq!(o, Outcome::Fail);
        assert!(e.contains("sha1 of") && !e.contains("md5 of"), "{e}");
    }
}
