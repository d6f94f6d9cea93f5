//! `vigil video hash|compare`.

use crate::cli::{Cli, VideoCommand};
use anyhow::{bail, Result};
use serde_json::json;
use std::process::ExitCode;
use vigil_video::{compare, hash_video, CompareOptions, HashOptions, VideoHash};

fn frames_json(h: &VideoHash) -> serde_json::Value {
    let frames: Vec<_> = h
        .frames
        .iter()
        .map(|f| json!({ "frame": f.frame, "seconds": f.seconds(), "pdq": f.pdq.to_hex(), "quality": f.quality }))
        .collect();
    json!({ "frames": frames })
}

pub fn video(cli: &Cli, cmd: &VideoCommand) -> Result<ExitCode> {
    match cmd {
        VideoCommand::Hash { file, seconds_per_hash, vpdq_lines } => {
            if !seconds_per_hash.is_finite() || *seconds_per_hash <= 0.0 {
                bail!("--seconds-per-hash must be a number above 0");
            }
            let h = hash_video(file, HashOptions { seconds_per_hash: *seconds_per_hash, for_comparison: false })?;
            if cli.json {
                println!("{}", frames_json(&h));
            } else if *vpdq_lines {
                print!("{}", vigil_video::format_features(&h.frames));
            } else {
                for f in &h.frames {
                    println!("{} {:.3} {} {}", f.frame, f.seconds(), f.pdq, f.quality);
                }
            }
        }
        VideoCommand::Compare { original, edited, match_distance } => {
            let opts = HashOptions { seconds_per_hash: 1.0, for_comparison: true };
            let a = hash_video(original, opts)?;
            let b = hash_video(edited, opts)?;
            let c = compare(&a, &b, CompareOptions { match_distance: *match_distance, ..CompareOptions::default() });
            if cli.json {
                println!("{}", serde_json::to_string(&c)?);
            } else {
                println!(
                    "{} ({:.0} s) against {} ({:.0} s)",
                    original.display(),
                    a.end_seconds(),
                    edited.display(),
                    b.end_seconds()
                );
                if c.missing.is_empty() && c.inserted.is_empty() {
                    println!("no cut or insertion found");
                }
                for s in &c.missing {
                    println!("missing from the edited version: {:.1}–{:.1} s of the original", s.start, s.end);
                }
                for s in &c.inserted {
                    println!("inserted in the edited version: {:.1}–{:.1} s of it", s.start, s.end);
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A video of a vPDQ set: its label and features.
pub struct SetVideo {
    pub label: String,
    pub features: Vec<vigil_video::FrameFeature>,
}

/// Reads `--vpdq-set` paths: features files, or folders of them.
pub fn read_vpdq_sets(paths: &[std::path::PathBuf]) -> Result<Vec<SetVideo>> {
    use anyhow::Context;
    let mut out = Vec::new();
    for p in paths {
        let files: Vec<std::path::PathBuf> = if p.is_dir() {
            let mut v: Vec<_> = std::fs::read_dir(p)
                .with_context(|| format!("--vpdq-set {}", p.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.is_file())
                .collect();
            v.sort();
            v
        } else {
            vec![p.clone()]
        };
        for f in files {
            let text = std::fs::read_to_string(&f).with_context(|| format!("--vpdq-set {}", f.display()))?;
            let features = vigil_video::parse_features(&text).with_context(|| format!("--vpdq-set {}", f.display()))?;
            let label = f.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            out.push(SetVideo { label, features });
        }
    }
    Ok(out)
}
