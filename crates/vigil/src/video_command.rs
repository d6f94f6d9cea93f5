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
        VideoCommand::Hash { file, seconds_per_hash } => {
            if !seconds_per_hash.is_finite() || *seconds_per_hash <= 0.0 {
                bail!("--seconds-per-hash must be a number above 0");
            }
            let h = hash_video(file, HashOptions { seconds_per_hash: *seconds_per_hash, for_comparison: false })?;
            if cli.json {
                println!("{}", frames_json(&h));
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
