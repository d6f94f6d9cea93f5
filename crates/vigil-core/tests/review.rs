//! Issue 27: categorising a review set. One decision on a stack's
//! representative covers its stack; "unsure" goes to a supervisor; only
//! assigned reviewers see anything, and every picture shown is recorded
//! and counted; the counts per category and the VICS export round-trip,
//! so a second scan of the same media arrives categorised.

#[allow(dead_code)] // The helpers other suites use.
mod support;

use std::collections::HashMap;
use support::{Backend, TestEnv};
use vigil_core::{OfficerSession, ReviewBuild, ReviewItem, Vigil};
use vigil_domain::{Actor, CaseId, Initials, ReviewCategory, ReviewMethod, Role};
use vigil_hashset::{Category, CategoryMap, ImportFormat, ImportOptions, SetKind};
use vigil_scan::{AlgoSet, ReadMode, ScanOptions};

fn session(name: &str, role: Role) -> OfficerSession {
    OfficerSession { username: name.into(), role, csrf: String::new() }
}

fn case_with_reviewers(v: &Vigil) -> CaseId {
    let admin = Actor::parse("ADM").unwrap();
    for (n, r) in [
        ("t.tri", Role::TriageOfficer),
        ("s.sup", Role::Supervisor),
        ("f.exam", Role::ForensicExaminer),
        ("f.other", Role::ForensicExaminer),
        ("i.inv", Role::Investigator),
    ] {
        v.add_user(n, r, "correct horse battery staple", &admin).unwrap();
    }
    let id = support::case_from_report(
        v,
        "t.tri",
        "REVIEW-1",
        "Image review (SYNTHETIC)",
        "SYNTHETIC TEST: an adult sent and asked for pictures.",
    );
    let sup = session("s.sup", Role::Supervisor);
    for who in ["f.exam", "s.sup", "i.inv"] {
        v.assign_to_case(&id, who, &sup).unwrap();
    }
    id
}

fn scan_into(v: &Vigil, case: &CaseId, root: &std::path::Path, sets: &[String]) {
    let (exact, pdq) = v.open_sets(sets).unwrap();
    let opts = ScanOptions {
        algos: AlgoSet::ALL,
        jobs: 2,
        archives: true,
        checkpoint: None,
        resume: false,
        progress: false,
        pdq: true,
        read_mode: ReadMode::Read,
        kernel: vigil_scan::multi_buffer::Kernel::detect(),
    };
    let out = vigil_scan::scan(&[root.to_owned()], &opts, &exact, &pdq).unwrap();
    let by = Initials::parse("FE").unwrap();
    let rec = v.scan_started(case, &by, &[root.to_owned()], sets).unwrap();
    v.build_review_set(&ReviewBuild {
        case,
        by: &by,
        scan: &rec.id,
        records: &out.records,
        matches: &out.matches,
        radius: 31,
        previews: true,
    })
    .unwrap();
}

fn all_items(v: &Vigil, case: &CaseId, who: &OfficerSession) -> Vec<ReviewItem> {
    let s = v.review_set(case, who).unwrap();
    let mut out: Vec<ReviewItem> = s.unstacked;
    for st in s.stacks {
        out.push(st.representative);
        out.extend(st.members);
    }
    out.sort_by_key(|i| i.item);
    out
}

#[test]
fn decisions_cover_stacks_feed_the_counts_and_round_trip_through_vics_sqlite() {
    decisions_cover_stacks_feed_the_counts_and_round_trip_through_vics(Backend::Sqlite);
}

#[test]
fn decisions_cover_stacks_feed_the_counts_and_round_trip_through_vics_postgres() {
    decisions_cover_stacks_feed_the_counts_and_round_trip_through_vics(Backend::Postgres);
}

fn decisions_cover_stacks_feed_the_counts_and_round_trip_through_vics(backend: Backend) {
    let Some(env) = TestEnv::new(backend) else { return };
    let dir = &env.dir;
    let v = env.open();
    let case = case_with_reviewers(&v);
    let media = dir.path().join("media");
    vigil_pdq::synthetic::review_tree(&media, 10, 5).unwrap();
    scan_into(&v, &case, &media, &[]);

    let exam = session("f.exam", Role::ForensicExaminer);
    let sup = session("s.sup", Role::Supervisor);
    // Need-to-know: an examiner not on the case is answered as if there
    // were no such case; an investigator on it has no reviewer role.
    let e = v.review_set(&case, &session("f.other", Role::ForensicExaminer)).unwrap_err();
    assert_eq!(e.kind(), vigil_core::ErrorKind::NotFound, "{e}");
    let e = v.reveal_preview(&case, 1, 0, &session("f.other", Role::ForensicExaminer)).unwrap_err();
    assert_eq!(e.kind(), vigil_core::ErrorKind::NotFound, "{e}");
    let e = v.review_set(&case, &session("i.inv", Role::Investigator)).unwrap_err();
    assert_eq!(e.kind(), vigil_core::ErrorKind::Forbidden, "{e}");

    // A reveal is a blurred grey PNG by default, recorded and counted.
    assert_eq!(v.my_exposure(&exam).unwrap().today_items, 0);
    let png = v.reveal_preview(&case, 1, 0, &exam).unwrap();
    let shown = image::load_from_memory(&png).unwrap();
    assert!(matches!(shown, image::DynamicImage::ImageLuma8(_)), "grey by default");
    v.reveal_ended(&exam, 2_500).unwrap();
    let mine = v.my_exposure(&exam).unwrap();
    assert_eq!((mine.today_items, mine.today_ms, mine.week_items), (1, 2_500, 1));
    // The case's audit timeline shows who looked at which item, and why.
    let trail = v.case_timeline(&case, &sup).unwrap();
    let shown = trail.iter().find(|h| h.event.object.as_str() == format!("review-item:{case}/1")).expect("the reveal");
    assert_eq!((shown.event.kind.as_str(), shown.event.actor.as_str()), ("accessed", "f.exam"));
    assert!(shown.event.reason.as_deref().unwrap().starts_with("shown for review"));
    let team = v.team_exposure(&sup).unwrap();
    assert!(team.iter().any(|o| o.username == "f.exam" && o.exposure.today_items == 1));
    assert!(v.team_exposure(&exam).is_err(), "only supervisors see everyone's totals");

    // Decide: each stack by its representative, each lone item on its own.
    let s = v.review_set(&case, &exam).unwrap();
    assert_eq!(s.stacks.len(), 8, "10 groups, two of them exact copies");
    let cats = [ReviewCategory::A, ReviewCategory::B, ReviewCategory::C];
    let mut expected: HashMap<String, ReviewCategory> = HashMap::new();
    for (k, st) in s.stacks.iter().enumerate() {
        let c = cats[k % 3];
        let covered = v.categorise(&case, st.representative.item, c, None, &exam).unwrap();
        assert_eq!(covered.len(), st.members.len());
        expected.insert(st.representative.sha256.clone(), c);
        for m in &st.members {
            expected.insert(m.sha256.clone(), c);
        }
    }
    let lone: Vec<&ReviewItem> = s.unstacked.iter().collect();
    let (not_indecent, unsure) = (lone[0].item, lone[1].item);
    v.categorise(&case, not_indecent, ReviewCategory::NotIndecent, None, &exam).unwrap();
    v.categorise(&case, unsure, ReviewCategory::Unsure, None, &exam).unwrap();
    for (k, i) in lone.iter().enumerate().skip(2) {
        v.categorise(&case, i.item, cats[k % 3], None, &exam).unwrap();
        expected.insert(i.sha256.clone(), cats[k % 3]);
    }
    assert!(v.categorise(&case, 1, ReviewCategory::Other, None, &exam).is_err(), "other comes from sets only");
    assert!(v.categorise(&case, 9_999, ReviewCategory::A, None, &exam).is_err());

    // The unsure item waits for a supervisor, who gives the second opinion.
    let queue = v.second_opinions(&sup).unwrap();
    assert_eq!(queue.len(), 1);
    assert_eq!((queue[0].item, queue[0].asked_by.as_deref()), (unsure, Some("f.exam")));
    assert!(v.second_opinions(&exam).is_err());
    v.categorise(&case, unsure, ReviewCategory::C, None, &sup).unwrap();
    expected.insert(lone[1].sha256.clone(), ReviewCategory::C);
    assert!(v.second_opinions(&sup).unwrap().is_empty());

    let items = all_items(&v, &case, &exam);
    for i in &items {
        assert!(i.category.is_some(), "item {} undecided", i.item);
        if !i.is_representative() {
            assert_eq!(i.method, Some(ReviewMethod::Stack));
            assert_eq!(i.source.as_deref(), Some(format!("item {}", i.stack).as_str()));
        }
    }

    // Splitting a stack withdraws what the stack decision gave its members.
    let st = &s.stacks[0];
    let split = v.split_stack(&case, st.representative.item, &exam).unwrap();
    assert_eq!(split.len(), st.members.len());
    let after = all_items(&v, &case, &exam);
    for m in &st.members {
        let now = after.iter().find(|i| i.item == m.item).unwrap();
        assert!(now.is_representative() && now.category.is_none());
        v.categorise(&case, m.item, expected[&m.sha256], None, &exam).unwrap();
    }

    // Counts: unique items and every copy, with the method.
    let counts = v.review_counts(&case, &session("i.inv", Role::Investigator)).unwrap();
    let total: u64 = counts.lines.iter().map(|l| l.unique).sum();
    assert_eq!(total, items.len() as u64);
    let copies: u64 = counts.lines.iter().map(|l| l.copies).sum();
    assert_eq!(copies, items.iter().map(|i| i.paths.len() as u64).sum::<u64>());
    assert!(copies > total, "exact copies are counted as copies");
    let a = counts.lines.iter().find(|l| l.category == "A").unwrap();
    assert!(a.method.contains("reviewed by officer f.exam") && a.method.contains("stack decision (f.exam)"), "{a:?}");
    let ni = counts.lines.iter().find(|l| l.category == "Not indecent").unwrap();
    assert_eq!(ni.unique, 1);
    let pdf = counts.pdf();
    assert!(pdf.starts_with(b"%PDF"));

    // Export, import as a known-bad set, scan the same media again into
    // another case: every image reviewed as indecent arrives categorised.
    let out = dir.path().join("reviewed.vics.json");
    let export = v.export_review(&case, "vics", &exam).unwrap();
    assert_eq!(export.items, expected.len() as u64);
    std::fs::write(&out, &export.bytes).unwrap();
    let csv = v.export_review(&case, "csv", &exam).unwrap();
    assert_eq!(String::from_utf8(csv.bytes).unwrap().lines().count() as u64, expected.len() as u64 + 1);
    let options = ImportOptions {
        kind: SetKind::KnownBad,
        default_category: Category::Other,
        category_map: CategoryMap::default(),
    };
    v.import_hashset(
        &vigil_core::HashSetImport {
            name: "reviewed",
            file: &out,
            format: ImportFormat::Vics,
            options: &options,
            source: "REVIEW-1 export",
            replace: false,
        },
        &Actor::parse("FE").unwrap(),
    )
    .unwrap();
    let second = CaseId::parse("REVIEW-2").unwrap();
    scan_into(&v, &second, &media, &["reviewed".to_string()]);
    let again = v.review_stacks(&second, &Actor::parse("FE").unwrap()).unwrap();
    let mut seen = 0;
    for i in again
        .unstacked
        .iter()
        .chain(again.stacks.iter().flat_map(|s| std::iter::once(&s.representative).chain(&s.members)))
    {
        match expected.get(&i.sha256) {
            Some(c) => {
                assert_eq!((i.category, i.method), (Some(*c), Some(ReviewMethod::HashMatch)), "item {}", i.item);
                seen += 1;
            }
            None => assert_eq!(i.category, None, "the not-indecent picture waits for review again"),
        }
    }
    assert_eq!(seen, expected.len());
    let report = v.verify().unwrap();
    assert!(report.ok(), "{report:?}");
}

fn ffmpeg_or_skip() -> bool {
    let have = ["ffmpeg", "ffprobe"]
        .iter()
        .all(|p| std::process::Command::new(p).arg("-version").output().is_ok_and(|o| o.status.success()));
    if !have {
        assert_ne!(std::env::var("CI").as_deref(), Ok("true"), "FFmpeg is required in CI (.ci/run installs it)");
        eprintln!("skipped: ffmpeg/ffprobe not found (apt-get install ffmpeg)");
    }
    have
}

#[test]
fn a_video_joins_the_set_as_a_strip_of_keyframes_decided_from_its_worst_frame() {
    if !ffmpeg_or_skip() {
        return;
    }
    let Some(env) = TestEnv::new(Backend::Sqlite) else { return };
    let v = env.open();
    let case = case_with_reviewers(&v);
    let media = env.dir.path().join("media");
    std::fs::create_dir_all(&media).unwrap();
    // Three shots of FFmpeg's own test sources, 4 s each: benign by construction.
    let video = media.join("clip.mp4");
    let out = std::process::Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-y"])
        .args(["-f", "lavfi", "-t", "4", "-i", "testsrc2=size=320x240:rate=10"])
        .args(["-f", "lavfi", "-t", "4", "-i", "mandelbrot=size=320x240:rate=10"])
        .args(["-f", "lavfi", "-t", "4", "-i", "smptebars=size=320x240:rate=10"])
        .args(["-filter_complex", "[0:v][1:v][2:v]concat=n=3:v=1:a=0[v]", "-map", "[v]", "-pix_fmt", "yuv420p"])
        .arg(&video)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    scan_into(&v, &case, &media, &[]);
    let exam = session("f.exam", Role::ForensicExaminer);
    let set = v.review_set(&case, &exam).unwrap();
    assert_eq!(set.unstacked.len(), 1, "one video, never stacked with images");
    let item = &set.unstacked[0];
    assert_eq!(item.kind, "video");
    assert!(item.previews >= 3 && item.previews <= 8, "a keyframe per shot at least: {item:?}");
    assert_eq!(item.frames.len(), item.previews);
    assert!(item.frames.windows(2).all(|w| w[0] < w[1]) && item.frames[0] < 1.0);
    // Each keyframe is shown on its own, grey by default, and recorded.
    let last = item.previews - 1;
    let png = v.reveal_preview(&case, item.item, last, &exam).unwrap();
    assert!(matches!(image::load_from_memory(&png).unwrap(), image::DynamicImage::ImageLuma8(_)));
    assert!(v.reveal_preview(&case, item.item, item.previews, &exam).is_err());
    // The decision is taken from the worst frame, which is recorded.
    v.categorise(&case, item.item, ReviewCategory::B, Some(last), &exam).unwrap();
    let decided = &v.review_set(&case, &exam).unwrap().unstacked[0];
    assert_eq!(decided.worst_frame, Some(last));
    assert_eq!(decided.category, Some(ReviewCategory::B));
    assert!(decided.source.as_deref().unwrap().starts_with(&format!("keyframe {}", last + 1)));
    assert!(v.categorise(&case, item.item, ReviewCategory::B, Some(99), &exam).is_err());
    assert!(v.verify().unwrap().ok());
}

#[test]
fn verify_opens_every_review_preview_and_names_one_that_is_gone() {
    let Some(env) = TestEnv::new(Backend::Sqlite) else { return };
    let v = env.open();
    let case = CaseId::parse("REVIEW-9").unwrap();
    let media = env.dir.path().join("media");
    vigil_pdq::synthetic::review_tree(&media, 2, 1).unwrap();
    scan_into(&v, &case, &media, &[]);
    let before = v.verify().unwrap();
    assert!(before.ok(), "{before:?}");
    let items = v.review_stacks(&case, &Actor::parse("FE").unwrap()).unwrap();
    let total = items.stacks.iter().map(|s| s.members.len() + 1).sum::<usize>() + items.unstacked.len();
    assert!(before.blobs_checked as usize >= total, "each preview opened: {before:?}");
    // A preview's sealed bytes removed behind Vigil's back (small ones live in the store).
    drop(v);
    env.tamper("DELETE FROM inline_blobs WHERE rowid IN (SELECT rowid FROM inline_blobs LIMIT 1)");
    let after = env.open().verify().unwrap();
    assert!(
        after
            .problems
            .iter()
            .any(|p| p.starts_with("table review_items, row (case_id=REVIEW-9, item=") && p.contains("preview 1")),
        "{after:?}"
    );
}

fn racing_scans_into_one_case_lose_nothing(backend: Backend) {
    let Some(env) = TestEnv::new(backend) else { return };
    let v = std::sync::Arc::new(env.open());
    let case = CaseId::parse("RACE-1").unwrap();
    let trees: Vec<std::path::PathBuf> = (0..2).map(|k| env.dir.path().join(format!("media{k}"))).collect();
    vigil_pdq::synthetic::review_tree(&trees[0], 12, 6).unwrap();
    // The second tree: other pictures (its seeds start where the first's end).
    for k in 0..20u64 {
        let p = trees[1].join(format!("other-{k}.png"));
        std::fs::create_dir_all(&trees[1]).unwrap();
        std::fs::write(&p, vigil_pdq::synthetic::png(&vigil_pdq::synthetic::pattern(70_000 + k, 160, 120))).unwrap();
    }
    let handles: Vec<_> = trees
        .iter()
        .map(|t| {
            let (v, case, t) = (v.clone(), case.clone(), t.clone());
            std::thread::spawn(move || scan_into(&v, &case, &t, &[]))
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let s = v.review_stacks(&case, &Actor::parse("FE").unwrap()).unwrap();
    let mut items: Vec<&ReviewItem> = s
        .unstacked
        .iter()
        .chain(s.stacks.iter().flat_map(|st| std::iter::once(&st.representative).chain(&st.members)))
        .collect();
    items.sort_by_key(|i| i.item);
    let numbers: Vec<u64> = items.iter().map(|i| i.item).collect();
    assert_eq!(numbers, (1..=items.len() as u64).collect::<Vec<_>>(), "numbers given once each");
    let shas: std::collections::HashSet<&str> = items.iter().map(|i| i.sha256.as_str()).collect();
    assert_eq!(shas.len(), items.len());
    // 12 groups (three of them exact copies: one item each), 6 unrelated and 2 flat; then 20 others.
    assert_eq!(items.len(), 12 * 2 - 3 + 6 + 2 + 20, "nothing lost");
    assert!(v.verify().unwrap().ok());
}

#[test]
fn racing_scans_into_one_case_lose_nothing_sqlite() {
    racing_scans_into_one_case_lose_nothing(Backend::Sqlite);
}

#[test]
fn racing_scans_into_one_case_lose_nothing_postgres() {
    racing_scans_into_one_case_lose_nothing(Backend::Postgres);
}

#[test]
fn a_later_scans_near_copies_join_the_stacks_still_to_be_decided() {
    let Some(env) = TestEnv::new(Backend::Sqlite) else { return };
    let v = env.open();
    let case = case_with_reviewers(&v);
    let exam = session("f.exam", Role::ForensicExaminer);
    let media = env.dir.path().join("media");
    let files = vigil_pdq::synthetic::review_tree(&media, 10, 3).unwrap();
    // First the originals alone (the phone's camera folder), then the whole device.
    scan_into(&v, &case, &media.join("DCIM"), &[]);
    let first = v.review_set(&case, &exam).unwrap();
    assert!(first.stacks.is_empty(), "ten different pictures");
    // One original (the last group's: its variant is a near-copy, not an
    // exact copy) is decided before the rest of the device is scanned.
    let decided = first.unstacked.iter().find(|i| i.path.ends_with("group9/original.png")).unwrap().clone();
    v.categorise(&case, decided.item, ReviewCategory::C, None, &exam).unwrap();
    scan_into(&v, &case, &media, &[]);
    let s = v.review_set(&case, &exam).unwrap();
    let original_of = |sha: &str| {
        files.iter().find(|f| {
            f.made_as == "original"
                && std::fs::read(&f.path).is_ok_and(|b| {
                    use sha2::Digest;
                    hex::encode(sha2::Sha256::digest(b)) == sha
                })
        })
    };
    for st in &s.stacks {
        assert!(original_of(&st.representative.sha256).is_some(), "the earlier original stays the representative");
        assert!(st.representative.item <= 10 && st.members.iter().all(|m| m.item > 10 && m.category.is_none()));
    }
    // 10 groups: 2 exact copies (no new item), one decided original (its
    // variant waits alone rather than join a decided stack): 7 stacks.
    assert_eq!(s.stacks.len(), 7, "{:?}", s.stacks.iter().map(|x| x.representative.item).collect::<Vec<_>>());
    assert!(s.stacks.iter().all(|st| st.representative.item != decided.item));
    assert!(v.verify().unwrap().ok());
}
