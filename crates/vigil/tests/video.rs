//! `vigil video hash|compare` on recordings generated with FFmpeg's test
//! sources: every cut and insertion found within 2 s whatever the re-post
//! did to the picture, and nothing found where nothing was edited.

mod support;

use serde_json::Value;
use std::path::Path;
use std::process::Command;
use support::{run, Dir};

fn ffmpeg_or_skip() -> bool {
    if vigil_video_available() {
        return true;
    }
    assert_ne!(std::env::var("CI").as_deref(), Ok("true"), "FFmpeg is required in CI (.ci/run installs it)");
    eprintln!("skipped: ffmpeg/ffprobe not found (apt-get install ffmpeg)");
    false
}

fn vigil_video_available() -> bool {
    ["ffmpeg", "ffprobe"].iter().all(|p| Command::new(p).arg("-version").output().is_ok_and(|o| o.status.success()))
}

fn ffmpeg(args: &[&str]) {
    let out = Command::new("ffmpeg").args(["-nostdin", "-v", "error", "-y"]).args(args).output().unwrap();
    assert!(out.status.success(), "ffmpeg {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// 72 s: nine 8-second shots of the Mandelbrot set, each zooming on its own
/// point, the ninth a repeat of the first, slowly turning so every second
/// differs from the next few.
fn original(out: &Path) {
    let points = [
        "-0.743643887037151:0.13182590420533",
        "-0.75:0.1",
        "-1.25066:0.02012",
        "-0.1011:0.9563",
        "0.285:0.01",
        "-1.768778833:0.001738996",
        "-0.7269:0.1889",
        "0.001643721971153:0.822467633298876",
        "-0.743643887037151:0.13182590420533",
    ];
    let mut args: Vec<String> = Vec::new();
    let mut graph = String::new();
    for (i, p) in points.iter().enumerate() {
        let (x, y) = p.split_once(':').unwrap();
        let scale = if i == 8 { 1 } else { i % 3 + 1 };
        args.extend(["-f", "lavfi", "-t", "8", "-i"].map(String::from));
        args.push(format!("mandelbrot=size=320x240:rate=30:end_pts=1600:start_x={x}:start_y={y}:start_scale={scale}"));
        graph.push_str(&format!("[{i}:v]"));
    }
    graph.push_str(&format!("concat=n={}:v=1:a=0,rotate=a=0.03*t:c=gray[v]", points.len()));
    args.extend(
        ["-filter_complex", &graph, "-map", "[v]", "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p"]
            .map(String::from),
    );
    args.push(out.display().to_string());
    ffmpeg(&args.iter().map(String::as_str).collect::<Vec<_>>());
}

/// The original's kept stretches, a 5 s foreign clip after `insert_after`,
/// then `finish` (scaling, padding, cropping, frame rate) and a low bitrate.
fn edited(original: &Path, keep: &[(f64, f64)], insert_after: Option<f64>, finish: &str, out: &Path) {
    let mut graph = String::new();
    let mut n = 0;
    let mut part = |graph: &mut String, input: u8, s: f64, e: f64| {
        graph.push_str(&format!("[{input}:v]trim={s}:{e},setpts=PTS-STARTPTS[p{n}];"));
        n += 1;
    };
    for &(s, e) in keep {
        match insert_after {
            Some(at) if s < at && at < e => {
                part(&mut graph, 0, s, at);
                part(&mut graph, 1, 0.0, 5.0);
                part(&mut graph, 0, at, e);
            }
            _ => part(&mut graph, 0, s, e),
        }
    }
    graph.push_str(&(0..n).map(|i| format!("[p{i}]")).collect::<String>());
    graph.push_str(&format!("concat=n={n}:v=1:a=0,{finish}[v]"));
    let foreign = "mandelbrot=size=320x240:rate=30:start_x=-0.5:start_y=0.6:end_pts=1600";
    let (o, f) = (original.display().to_string(), out.display().to_string());
    ffmpeg(&[
        "-i",
        &o,
        "-f",
        "lavfi",
        "-i",
        foreign,
        "-filter_complex",
        &graph,
        "-map",
        "[v]",
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-b:v",
        "250k",
        "-pix_fmt",
        "yuv420p",
        &f,
    ]);
}

fn spans(v: &Value) -> Vec<(f64, f64)> {
    v.as_array().unwrap().iter().map(|s| (s["start"].as_f64().unwrap(), s["end"].as_f64().unwrap())).collect()
}

/// Each expected span found with both edges within 2 s, and nothing else.
fn assert_spans(what: &str, found: &[(f64, f64)], expected: &[(f64, f64)]) {
    assert_eq!(found.len(), expected.len(), "{what}: found {found:?}, expected {expected:?}");
    for (f, e) in found.iter().zip(expected) {
        assert!((f.0 - e.0).abs() <= 2.0 && (f.1 - e.1).abs() <= 2.0, "{what}: found {found:?}, expected {expected:?}");
    }
}

#[test]
fn compare_finds_every_cut_and_insertion_within_two_seconds_and_no_false_alarm() {
    if !ffmpeg_or_skip() {
        return;
    }
    let d = Dir::init();
    let orig = d.path("original.mp4");
    original(&orig);
    // Cuts inside shots (13.5–19.5 spans two), inside the repeated shot
    // (66–70, which a set-membership test would miss: its pictures are
    // also at 0–8), and a 5 s insertion after the original's 30 s.
    let keep = [(0.0, 13.5), (19.5, 44.0), (50.5, 66.0), (70.0, 72.0)];
    let missing = [(13.5, 19.5), (44.0, 50.5), (66.0, 70.0)];
    let inserted = [(24.0, 29.0)];
    let finishes = [
        ("re-encoded at 480×360, 25 fps", "scale=480:360,fps=25"),
        ("letterboxed", "scale=320:180,pad=320:240:0:30,fps=30"),
        ("cropped to 90%, 29.97 fps", "crop=iw*0.9:ih*0.9,scale=320:240,fps=30000/1001"),
    ];
    for (i, (what, finish)) in finishes.iter().enumerate() {
        let cut = d.path(&format!("edited-{i}.mp4"));
        edited(&orig, &keep, Some(30.0), finish, &cut);
        let out = run(&d.data(), &["--json", "video", "compare", orig.to_str().unwrap(), cut.to_str().unwrap()]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        let v: Value = serde_json::from_str(&out.stdout).unwrap();
        assert_spans(&format!("{what}: missing"), &spans(&v["missing"]), &missing);
        assert_spans(&format!("{what}: inserted"), &spans(&v["inserted"]), &inserted);

        let whole = d.path(&format!("whole-{i}.mp4"));
        edited(&orig, &[(0.0, 72.0)], None, finish, &whole);
        let out = run(&d.data(), &["--json", "video", "compare", orig.to_str().unwrap(), whole.to_str().unwrap()]);
        let v: Value = serde_json::from_str(&out.stdout).unwrap();
        assert_eq!(v, serde_json::json!({"missing": [], "inserted": []}), "{what} without edits");
    }
}

#[test]
fn video_hash_prints_one_frame_per_second_with_pdq_and_quality() {
    if !ffmpeg_or_skip() {
        return;
    }
    let d = Dir::init();
    let f = d.path("clip.mp4");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=160x120:rate=25:duration=6",
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv420p",
        f.to_str().unwrap(),
    ]);
    let out = run(&d.data(), &["--json", "video", "hash", f.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    let frames = v["frames"].as_array().unwrap();
    assert_eq!(frames.len(), 6);
    for (k, fr) in frames.iter().enumerate() {
        assert_eq!(fr["frame"], k * 25);
        assert_eq!(fr["seconds"].as_f64().unwrap(), k as f64);
        assert_eq!(fr["pdq"].as_str().unwrap().len(), 64);
        assert!(fr["quality"].as_u64().unwrap() <= 100);
    }
    // Not a video: a clear error naming the file, nothing printed as frames.
    let junk = d.file("notes.txt", b"not a video");
    let out = run(&d.data(), &["--json", "video", "hash", junk.to_str().unwrap()]);
    assert_ne!(out.code, 0);
    assert!(out.stderr.contains("notes.txt"), "{}", out.stderr);
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    assert!(v["error"].as_str().unwrap().contains("Invalid data"), "{v}");
    assert!(v.get("frames").is_none());
}

#[test]
fn scan_hashes_videos_and_matches_a_reencoded_copy_against_a_vpdq_set() {
    if !ffmpeg_or_skip() {
        return;
    }
    let d = Dir::init();
    let media = d.path("media");
    let sets = d.path("sets");
    std::fs::create_dir_all(&media).unwrap();
    std::fs::create_dir_all(&sets).unwrap();
    let known = d.path("known.mp4");
    let src = "mandelbrot=size=320x240:rate=25:end_pts=1600:start_x=-0.743643887037151:start_y=0.13182590420533";
    ffmpeg(&[
        "-f",
        "lavfi",
        "-t",
        "12",
        "-i",
        src,
        "-vf",
        "rotate=a=0.05*t:c=gray",
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv420p",
        known.to_str().unwrap(),
    ]);
    // The known video's features, in the reference's format, as the set.
    let out = run(&d.data(), &["video", "hash", "--vpdq-lines", known.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.lines().next().unwrap().split(',').count() == 4, "{}", out.stdout);
    std::fs::write(sets.join("SYNTHETIC-known-1.txt"), &out.stdout).unwrap();
    // On the seized media: the same video re-encoded smaller, and another.
    let copy = media.join("holiday.MP4");
    ffmpeg(&[
        "-i",
        known.to_str().unwrap(),
        "-vf",
        "scale=240:180",
        "-b:v",
        "200k",
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv420p",
        copy.to_str().unwrap(),
    ]);
    let other = media.join("other.webm");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=160x120:rate=25:duration=5",
        "-c:v",
        "libvpx-vp9",
        "-deadline",
        "realtime",
        other.to_str().unwrap(),
    ]);
    std::fs::write(media.join("notes.txt"), b"not a video").unwrap();
    let report = d.path("scan.json");
    let out = run(
        &d.data(),
        &[
            "--json",
            "scan",
            media.to_str().unwrap(),
            "--format",
            "json",
            "--out",
            report.to_str().unwrap(),
            "--vpdq-set",
            sets.to_str().unwrap(),
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    let videos = v["videos"].as_array().unwrap();
    assert_eq!(videos.len(), 2, "{v}");
    let find = |name: &str| videos.iter().find(|x| x["path"].as_str().unwrap().ends_with(name)).unwrap();
    let m = find("holiday.MP4")["matches"].as_array().unwrap();
    assert_eq!(m.len(), 1, "{v}");
    assert_eq!(m[0]["label"], "SYNTHETIC-known-1");
    assert!(m[0]["query_percent"].as_f64().unwrap() >= 80.0 && m[0]["target_percent"].as_f64().unwrap() >= 80.0);
    assert!(find("other.webm")["matches"].as_array().unwrap().is_empty(), "{v}");
    assert!(out.stderr.contains("vPDQ: 2 videos hashed, 1 matching a known-bad video"), "{}", out.stderr);
}
