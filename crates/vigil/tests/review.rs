//! Issue 27: `vigil scan --review` on a generated tree of benign pictures
//! (copies, rotations, mirror images, JPEG re-encodes, near-copies,
//! unrelated and low-quality pictures) builds the review set, and `vigil
//! review stacks` groups exactly what was generated together.

mod support;

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use support::{ok, vigil, Dir};

fn scan_review(data: &std::path::Path, root: &std::path::Path, extra: &[&str]) -> (String, Value) {
    let out = vigil()
        .arg("--data")
        .arg(data)
        .arg("--json")
        .args(["scan", root.to_str().unwrap(), "--case", "OP-REVIEW-1", "--by", "FE", "--review", "--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{err}");
    let stacks = ok(data, &["--json", "review", "stacks", "OP-REVIEW-1"]);
    (err, serde_json::from_str(&stacks).unwrap())
}

fn paths_of(entry: &Value) -> Vec<String> {
    entry["paths"].as_array().unwrap().iter().map(|p| p.as_str().unwrap().to_owned()).collect()
}

#[test]
fn the_review_set_stacks_what_was_generated_together_and_nothing_else() {
    let dir = Dir::init();
    let data = dir.data();
    let root = dir.path("media");
    let files = vigil_pdq::synthetic::review_tree(&root, 10, 6).unwrap();
    // One unrelated picture is known-good (a set of software images, say)
    // and one group's original is in a known-bad set: the first is left
    // out, the second arrives categorised.
    let good = files.iter().find(|f| f.made_as == "unrelated").unwrap();
    let originals: Vec<&vigil_pdq::synthetic::TreeFile> = files.iter().filter(|f| f.made_as == "original").collect();
    let bad = originals[9];
    let sha = |p: &std::path::Path| {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(std::fs::read(p).unwrap()))
    };
    let good_set = dir.file("good.sums", format!("{}  x\n", sha(&good.path)).as_bytes());
    let bad_set = dir.file("bad.csv", format!("{},B\n", sha(&bad.path)).as_bytes());
    ok(
        &data,
        &[
            "hashset",
            "import",
            "good",
            good_set.to_str().unwrap(),
            "--format",
            "sha256sum",
            "--kind",
            "known-good",
            "--source",
            "test",
        ],
    );
    ok(
        &data,
        &[
            "hashset",
            "import",
            "bad",
            bad_set.to_str().unwrap(),
            "--format",
            "csv",
            "--kind",
            "known-bad",
            "--source",
            "test",
        ],
    );
    let (err, s) = scan_review(&data, &root, &["--hashsets", "good,bad"]);
    assert!(err.contains("review set:"), "{err}");

    let rel = |p: &std::path::Path| p.display().to_string();
    let seed_of: BTreeMap<String, (u64, &str)> = files.iter().map(|f| (rel(&f.path), (f.seed, f.made_as))).collect();
    // Every stack holds one seed's pictures, and every seed whose pictures
    // are still to be decided is one stack.
    let mut stacked: BTreeMap<u64, BTreeSet<String>> = BTreeMap::new();
    for st in s["stacks"].as_array().unwrap() {
        let mut seeds = BTreeSet::new();
        let mut all = paths_of(&st["representative"]);
        for m in st["members"].as_array().unwrap() {
            assert!(m["distance"].as_u64().unwrap() <= 31, "{m}");
            all.extend(paths_of(m));
        }
        for p in &all {
            seeds.insert(seed_of[p].0);
        }
        assert_eq!(seeds.len(), 1, "a stack mixes pictures: {all:?}");
        stacked.insert(*seeds.iter().next().unwrap(), all.into_iter().collect());
        let r = &st["representative"];
        assert!(r["sha256"].as_str().unwrap().len() == 64 && r["pdq"].as_str().unwrap().len() == 64, "{r}");
        assert!(r["quality"].as_u64().unwrap() >= 50 && r["path"].is_string());
    }
    for o in &originals {
        let seed = o.seed;
        let group: BTreeSet<String> = files.iter().filter(|f| f.seed == seed).map(|f| rel(&f.path)).collect();
        let made_as = files.iter().find(|f| f.seed == seed && f.made_as != "original").unwrap().made_as;
        if seed == bad.seed {
            // Its original matched the known-bad set: categorised, not stacked.
            continue;
        }
        if made_as == "copy" {
            // An exact copy: one item with two locations, nothing to stack.
            let alone = s["unstacked"]
                .as_array()
                .unwrap()
                .iter()
                .find(|u| paths_of(u).len() == 2 && group.contains(&paths_of(u)[0]));
            assert!(alone.is_some(), "copies of seed {seed} are not one item: {s}");
            assert_eq!(paths_of(alone.unwrap()).into_iter().collect::<BTreeSet<_>>(), group);
            continue;
        }
        assert_eq!(stacked.get(&seed), Some(&group), "seed {seed} ({made_as})");
    }
    let unstacked = s["unstacked"].as_array().unwrap();
    let alone: BTreeSet<&str> = unstacked.iter().map(|u| seed_of[&paths_of(u)[0]].1).collect();
    assert!(alone.contains("low-quality") && alone.contains("unrelated"), "{alone:?}");
    for u in unstacked {
        assert!(u["sha256"].is_string());
        assert_ne!(paths_of(u)[0], rel(&good.path), "a known-good file is left out");
    }
    let pre =
        unstacked.iter().find(|u| paths_of(u)[0] == rel(&bad.path)).expect("the known-bad original is in the set");
    assert_eq!((pre["category"].as_str(), pre["method"].as_str()), (Some("B"), Some("hash-match")));
    // Low-quality pictures never stack, even with each other (they differ by one grey level).
    assert_eq!(unstacked.iter().filter(|u| seed_of[&paths_of(u)[0]].1 == "low-quality").count(), 2);
    // 10 groups: 2 exact copies (one item each), and one whose original is
    // known-bad (its near-copy waits alone); 7 stacks of two.
    assert_eq!(s["stacks"].as_array().unwrap().len(), 7, "{s}");

    // A second scan of the same tree adds nothing new: every file is a copy of an item.
    let (err, again) = scan_review(&data, &root, &["--hashsets", "good,bad"]);
    assert!(err.contains("review set: 0 new items"), "{err}");
    assert_eq!(again["stacks"], s["stacks"]);
    // Previews are sealed in the vault, never left in clear on disk.
    let pngs = walk(&data)
        .into_iter()
        .filter(|p| std::fs::read(p).is_ok_and(|b| b.starts_with(b"\x89PNG") || b.starts_with(&[0xFF, 0xD8, 0xFF])));
    assert_eq!(pngs.count(), 0, "a clear picture in the data directory");
    // The counts and the export, from the command line.
    let pdf = dir.path("counts.pdf");
    let counts = ok(&data, &["--json", "review", "counts", "OP-REVIEW-1", "--pdf", pdf.to_str().unwrap()]);
    let counts: Value = serde_json::from_str(&counts).unwrap();
    let b = counts["lines"].as_array().unwrap().iter().find(|l| l["category"] == "B").unwrap();
    assert_eq!((b["unique"].as_u64(), b["method"].as_str()), (Some(1), Some("hash match (bad): 1")));
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF"));
    let vics = dir.path("out.json");
    let said = ok(&data, &["review", "export", "OP-REVIEW-1", "--format", "vics", "--out", vics.to_str().unwrap()]);
    assert!(said.contains("exported 1 categorised items"), "{said}");
    let doc: Value = serde_json::from_slice(&std::fs::read(&vics).unwrap()).unwrap();
    assert_eq!(doc["value"][0]["Category"], "B");
    assert_eq!(doc["SourceCase"], "OP-REVIEW-1");
    // Who has seen this case's material: every listing and the export, from the log.
    let seen: Value = serde_json::from_str(&ok(&data, &["--json", "access", "case:OP-REVIEW-1"])).unwrap();
    let whats: Vec<&str> = seen["accesses"].as_array().unwrap().iter().map(|a| a["what"].as_str().unwrap()).collect();
    assert_eq!(whats.iter().filter(|w| **w == "accessed review-set:OP-REVIEW-1").count(), 2, "{whats:?}");
    assert!(whats.contains(&"exported review-set:OP-REVIEW-1"), "{whats:?}");
    for a in seen["accesses"].as_array().unwrap() {
        assert!(a["who"].is_string() && a["when"].is_string() && a["why"].is_string() && a["event"].is_u64(), "{a}");
    }
    ok(&data, &["verify"]);
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn images_inside_archives_join_the_review_set_with_previews() {
    let dir = Dir::init();
    let data = dir.data();
    let root = dir.path("media");
    let files = vigil_pdq::synthetic::review_tree(&root, 1, 2).unwrap();
    let loose = files.iter().find(|f| f.made_as == "unrelated").unwrap();
    let inner = dir.path("inner.png");
    std::fs::write(&inner, vigil_pdq::synthetic::png(&vigil_pdq::synthetic::pattern(777, 200, 150))).unwrap();
    // A ZIP holding a copy of a loose picture and a picture found nowhere else.
    let py = "import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1], 'w')\nz.write(sys.argv[2], 'Chats/copy.jpg')\nz.write(sys.argv[3], 'Chats/only-here.png')\nz.close()";
    let zip = root.join("Backup/chats.zip");
    std::fs::create_dir_all(zip.parent().unwrap()).unwrap();
    let made =
        std::process::Command::new("python3").args(["-c", py]).arg(&zip).arg(&loose.path).arg(&inner).status().unwrap();
    assert!(made.success());
    let (err, s) = scan_review(&data, &root, &[]);
    assert!(!err.contains("no preview"), "{err}");
    let all: Vec<&Value> = s["unstacked"]
        .as_array()
        .unwrap()
        .iter()
        .chain(
            s["stacks"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|st| std::iter::once(&st["representative"]).chain(st["members"].as_array().unwrap())),
        )
        .collect();
    let zipped = format!("{}!Chats/only-here.png", zip.display());
    let only = all.iter().find(|i| paths_of(i) == vec![zipped.clone()]).unwrap_or_else(|| panic!("{zipped} in {s}"));
    assert!(only["pdq"].is_string() && only["previews"] == 1 && only["no_preview"].is_null(), "{only}");
    let copied = all.iter().find(|i| paths_of(i).contains(&loose.path.display().to_string())).unwrap();
    let mut want = vec![loose.path.display().to_string(), format!("{}!Chats/copy.jpg", zip.display())];
    want.sort();
    let mut got = paths_of(copied);
    got.sort();
    assert_eq!(got, want, "one item, found loose and inside the archive");
}
