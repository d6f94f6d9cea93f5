//! `vigil scan` and `vigil hashset`: argument checks, then the libraries.

use crate::cli::{Cli, HashsetCommand, ScanArgs};
use anyhow::{anyhow, bail, Context, Result};
use serde_json::json;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use vigil_core::Vigil;
use vigil_domain::{CaseId, Initials};
use vigil_hashset::{Category, CategoryMap, ImportFormat, ImportOptions, SetKind};
use vigil_scan::{write_report, AlgoSet, OutputFormat, Report, ScanOptions};

pub fn scan(cli: &Cli, a: &ScanArgs) -> Result<ExitCode> {
    let algos = AlgoSet::parse(&a.algos).map_err(|e| anyhow!("--algos: {e}"))?;
    let format = OutputFormat::parse(&a.format)
        .ok_or_else(|| anyhow!("--format must be dfxml, hashdeep, csv or json, not {:?}", a.format))?;
    if format == OutputFormat::Hashdeep && !(algos.md5 || algos.sha1 || algos.sha256) {
        bail!("the hashdeep format needs md5, sha1 or sha256 among --algos");
    }
    if a.review && !algos.sha256 {
        bail!("--review needs sha256 among --algos: an item of the review set is its SHA-256");
    }
    let case = match (&a.case, &a.by) {
        (Some(c), Some(b)) => Some((CaseId::parse(c)?, Initials::parse(b)?)),
        _ => None,
    };
    let checkpoint = match (&a.checkpoint, &a.out) {
        // The queue in the store is a distributed scan's journal.
        _ if a.distributed => None,
        (Some(c), _) => Some(c.clone()),
        (None, Some(o)) => Some(PathBuf::from(format!("{}.checkpoint", o.display()))),
        (None, None) if a.resume => bail!("--resume needs --out or --checkpoint"),
        (None, None) => None,
    };
    if a.distributed {
        crate::shared_scan::check_sources(&a.sources)?;
    }
    let jobs = hashing_threads(a.jobs)?;
    let mut vigil = if case.is_some() || !a.hashsets.is_empty() || a.distributed {
        Some(Vigil::open(&cli.data).with_context(|| format!("opening {}", cli.data.display()))?)
    } else {
        None
    };
    let (sets, pdq_sets) = match &vigil {
        Some(v) => v.open_sets(&a.hashsets)?,
        None => (Vec::new(), Vec::new()),
    };
    let record = match (&mut vigil, &case) {
        (Some(v), Some((c, b))) => Some(v.scan_started(c, b, &a.sources, &a.hashsets)?),
        _ => None,
    };
    // What every hashing process must do alike (here, or each worker of a
    // distributed scan), then this process's own part.
    let work = crate::shared_scan::WorkOptions {
        algos,
        archives: !a.no_archives,
        pdq: a.pdq || a.review || !pdq_sets.is_empty(),
        read: a.read.clone(),
        digests: a.digests.clone(),
    };
    let opts = ScanOptions {
        checkpoint: checkpoint.clone(),
        resume: a.resume,
        progress: !a.quiet && std::io::stderr().is_terminal(),
        ..work.scan_options(jobs)?
    };
    let vpdq_sets = crate::video_command::read_vpdq_sets(&a.vpdq_sets)?;
    let started = std::time::Instant::now();
    let outcome = match &vigil {
        Some(v) if a.distributed => {
            let entries = vigil_scan::plan(&a.sources, jobs)?;
            let per_entry =
                crate::shared_scan::distribute(v, &entries, &work, a.batch_files, a.gather.as_deref(), a.quiet)?;
            let n = per_entry.len() as u64;
            vigil_scan::conclude(per_entry, &sets, &pdq_sets, 0, n)
        }
        _ => vigil_scan::scan(&a.sources, &opts, &sets, &pdq_sets)?,
    };
    let videos = if a.vpdq || !vpdq_sets.is_empty() { video_pass(&outcome.records, &vpdq_sets) } else { Vec::new() };
    let secs = started.elapsed().as_secs_f64();
    let report = Report {
        sources: &a.sources,
        algos,
        records: &outcome.records,
        matches: &outcome.matches,
        summary: &outcome.summary,
    };
    let report_path = match (&a.out, &record) {
        (Some(o), _) => Some(o.clone()),
        (None, Some(r)) => Some(cli.data.join(format!("scan-{}.report", r.id))),
        (None, None) => None,
    };
    match &report_path {
        Some(p) => {
            let tmp = PathBuf::from(format!("{}.part", p.display()));
            let f = std::fs::File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
            let mut w = std::io::BufWriter::new(f);
            write_report(format, &report, &mut w).with_context(|| format!("writing {}", tmp.display()))?;
            let f = w.into_inner().map_err(|e| anyhow!("writing {}: {}", tmp.display(), e.error()))?;
            f.sync_all()?;
            std::fs::rename(&tmp, p).with_context(|| format!("renaming to {}", p.display()))?;
        }
        None => {
            let stdout = std::io::stdout();
            let mut w = std::io::BufWriter::new(stdout.lock());
            write_report(format, &report, &mut w)?;
            w.flush()?;
        }
    }
    let exhibit = match (&mut vigil, &record, &report_path) {
        (Some(v), Some(r), Some(p)) => Some(v.scan_finished(r, p, &outcome)?),
        _ => None,
    };
    let review = match (&vigil, &record) {
        (Some(v), Some(r)) if a.review => Some(v.build_review_set(&vigil_core::ReviewBuild {
            case: &r.case,
            by: &r.by,
            scan: &r.id,
            records: &outcome.records,
            matches: &outcome.matches,
            radius: a.stack_distance,
            previews: true,
        })?),
        _ => None,
    };
    if let Some(c) = &checkpoint {
        // The report is complete; the journal has done its job.
        let _ = std::fs::remove_file(c);
    }
    let s = &outcome.summary;
    if cli.json && a.out.is_some() {
        println!(
            "{}",
            serde_json::to_string_pretty(
                &json!({ "summary": s, "resumed": outcome.resumed, "hashed": outcome.hashed, "report_exhibit": exhibit.as_ref().map(|e| e.reference.to_string()), "videos": videos, "review": review })
            )?
        );
    }
    if !a.quiet {
        let mut e = std::io::stderr().lock();
        writeln!(e, "scanned {} files and {} archive members, {} bytes, in {secs:.2} s ({} entries resumed from the checkpoint, {} read)", s.files, s.archive_members, s.bytes, outcome.resumed, outcome.hashed)?;
        writeln!(e, "known-good (set aside): {}; known-bad: {}", s.known_good, s.known_bad)?;
        if opts.pdq {
            writeln!(
                e,
                "PDQ: {} images hashed, {} of low quality (below {}, not matched)",
                s.pdq_hashed,
                s.pdq_low_quality,
                vigil_scan::PDQ_MIN_QUALITY
            )?;
        }
        if a.vpdq || !vpdq_sets.is_empty() {
            let bad = videos.iter().filter(|v| !v.matches.is_empty()).count();
            writeln!(
                e,
                "vPDQ: {} videos hashed, {bad} matching a known-bad video",
                videos.iter().filter(|v| v.error.is_none()).count()
            )?;
            for v in &videos {
                for m in &v.matches {
                    writeln!(
                        e,
                        "  known-bad video [{}, {:.0}% / {:.0}%]: {}",
                        m.label, m.query_percent, m.target_percent, v.path
                    )?;
                }
                if let Some(why) = &v.error {
                    writeln!(e, "  video not hashed: {}: {why}", v.path)?;
                }
            }
        }
        for (cat, n) in &s.known_bad_by_category {
            writeln!(e, "  category {cat}: {n}")?;
        }
        for (p, cat, set) in &s.known_bad_paths {
            writeln!(e, "  known-bad [{cat}, {set}]: {p}")?;
        }
        if s.unhashable > 0 {
            writeln!(e, "could not be hashed: {}", s.unhashable)?;
            for (p, why) in &s.unhashable_paths {
                writeln!(e, "  {p}: {why}")?;
            }
        }
        if let Some(r) = &review {
            writeln!(
                e,
                "review set: {} new items ({} videos, {} pre-categorised by a known-bad set), {} more copies, {} stacks of near-duplicates; {} known-good files left out",
                r.items, r.videos, r.pre_categorised, r.copies, r.stacks, r.known_good
            )?;
            for (p, why) in &r.no_preview {
                writeln!(e, "  no preview: {p}: {why}")?;
            }
        }
        if let Some(x) = &exhibit {
            writeln!(e, "report stored as exhibit {} (sha256 {})", x.reference, x.hashes.sha256)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `--jobs`, or one thread per core.
pub fn hashing_threads(given: Option<usize>) -> Result<usize> {
    let jobs = given.unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    if jobs == 0 || jobs > 256 {
        bail!("--jobs must be between 1 and 256");
    }
    Ok(jobs)
}

pub fn hashset(cli: &Cli, cmd: &HashsetCommand) -> Result<ExitCode> {
    let v = Vigil::open(&cli.data).with_context(|| format!("opening {}", cli.data.display()))?;
    match cmd {
        HashsetCommand::Import { name, file, format, kind, source, category, replace, actor, .. }
            if format == "pdq" =>
        {
            let kind = SetKind::parse(kind).ok_or_else(|| anyhow!("--kind must be known-bad or known-good"))?;
            let default_category =
                Category::parse(category).ok_or_else(|| anyhow!("--category must be A, B, C or other"))?;
            let by = crate::commands::actor(actor)?;
            let req = vigil_core::PdqSetImport { name, file, kind, default_category, source, replace: *replace };
            let h = v.import_pdq_set(&req, &by)?;
            if cli.json {
                println!("{}", serde_json::to_string_pretty(&h)?);
            } else {
                println!("imported {} ({}, PDQ): {} hashes", h.name, h.kind, h.entries);
            }
        }
        HashsetCommand::Import { name, file, format, kind, source, category, category_map, replace, actor } => {
            let fmt = ImportFormat::parse(format).ok_or_else(|| {
                anyhow!("--format must be vics, nsrl, hashdeep, md5sum, sha1sum, sha256sum, csv or pdq")
            })?;
            let kind = SetKind::parse(kind).ok_or_else(|| anyhow!("--kind must be known-bad or known-good"))?;
            let default_category =
                Category::parse(category).ok_or_else(|| anyhow!("--category must be A, B, C or other"))?;
            let category_map = CategoryMap::parse(category_map).map_err(|e| anyhow!("--category-map: {e}"))?;
            let by = crate::commands::actor(actor)?;
            let options = ImportOptions { kind, default_category, category_map };
            let req =
                vigil_core::HashSetImport { name, file, format: fmt, options: &options, source, replace: *replace };
            let h = v.import_hashset(&req, &by)?;
            if cli.json {
                println!("{}", serde_json::to_string_pretty(&h)?);
            } else {
                println!("imported {} ({}): {} entries", h.name, h.kind, h.entries());
                for t in &h.tables {
                    println!("  {}: {} {:?}", t.algo, t.count, t.by_category);
                }
            }
        }
        HashsetCommand::List => {
            let sets = v.hashsets()?;
            if cli.json {
                println!("{}", serde_json::to_string_pretty(&sets)?);
            } else {
                for h in sets {
                    let algos: Vec<String> = h.algorithms.iter().map(|(a, n)| format!("{a} {n}")).collect();
                    println!(
                        "{:<20} {:<10} {:>10} entries  ({})  source: {}",
                        h.name,
                        h.kind,
                        h.entries,
                        algos.join(", "),
                        h.source
                    );
                }
            }
        }
        HashsetCommand::Export { name, format, out, category_map } => {
            let set = v.open_hashset(name)?;
            if out.exists() {
                bail!("{} already exists; Vigil will not overwrite it", out.display());
            }
            let f = std::fs::File::create(out).with_context(|| format!("creating {}", out.display()))?;
            let mut w = std::io::BufWriter::new(f);
            let n = match format.as_str() {
                "vics" => vigil_hashset::export_vics(
                    &set,
                    &CategoryMap::parse(category_map).map_err(|e| anyhow!("--category-map: {e}"))?,
                    &mut w,
                )?,
                "csv" => vigil_hashset::export_csv(&set, &mut w)?,
                _ => bail!("--format must be vics or csv"),
            };
            w.flush()?;
            println!("exported {n} entries of {name} to {}", out.display());
        }
        HashsetCommand::Remove { name, reason, actor } => {
            let by = crate::commands::actor(actor)?;
            v.remove_hashset(name, &by, reason)?;
            println!("removed hash set {name} (logged)");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A video found by the scan, with its vPDQ matches.
#[derive(serde::Serialize)]
struct ScannedVideo {
    path: String,
    frames: usize,
    matches: Vec<VideoMatch>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

#[derive(serde::Serialize)]
struct VideoMatch {
    label: String,
    query_percent: f64,
    target_percent: f64,
}

/// vPDQ for each video file the scan read (files, not archive members:
/// FFmpeg reads from a path), matched against the sets as the reference
/// matches two videos.
fn video_pass(records: &[vigil_scan::FileRecord], sets: &[crate::video_command::SetVideo]) -> Vec<ScannedVideo> {
    use vigil_video::{VPDQ_DISTANCE, VPDQ_MATCH_PERCENT, VPDQ_QUALITY};
    let mut out = Vec::new();
    for r in records.iter().filter(|r| !r.member && r.error.is_none()) {
        let path = String::from_utf8_lossy(&r.path).into_owned();
        if !vigil_video::looks_like_video(&path) {
            continue;
        }
        #[cfg(unix)]
        let p = std::path::PathBuf::from(<std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(&r.path));
        #[cfg(not(unix))]
        let p = std::path::PathBuf::from(&path);
        match vigil_video::hash_video(&p, vigil_video::HashOptions::default()) {
            Ok(h) => {
                let matches = sets
                    .iter()
                    .filter_map(|s| {
                        let (q, t) = vigil_video::match_percent(&h.frames, &s.features, VPDQ_DISTANCE, VPDQ_QUALITY);
                        (q >= VPDQ_MATCH_PERCENT && t >= VPDQ_MATCH_PERCENT).then(|| VideoMatch {
                            label: s.label.clone(),
                            query_percent: (q * 10.0).round() / 10.0,
                            target_percent: (t * 10.0).round() / 10.0,
                        })
                    })
                    .collect();
                out.push(ScannedVideo { path, frames: h.frames.len(), matches, error: None });
            }
            Err(e) => out.push(ScannedVideo { path, frames: 0, matches: Vec::new(), error: Some(e.to_string()) }),
        }
    }
    out
}
