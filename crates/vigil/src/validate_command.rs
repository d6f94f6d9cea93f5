//! `vigil validate`: runs the validation pack (validation_checks.rs), then
//! writes the report as JSON and PDF with its signatures, and keeps both
//! as exhibits of the case `VALIDATION`.

use crate::cli::Cli;
use anyhow::{bail, Context, Result};
use std::path::Path;
use std::process::ExitCode;
use vigil_core::{BuildInfo, Machine, Outcome, ValidationReport, Vigil, VALIDATION_FORMAT};
use vigil_domain::Initials;

/// What the report says it may not show (FSR-G-201 asks for them).
const LIMITATIONS: [&str; 7] = [
    "JPEG decoding may differ from other decoders by a few PDQ bits: JPEG pictures are accepted within 10 of 256 bits \
     of the reference; PNG pictures must be identical.",
    "Archives inside archives are not opened: an inner archive is hashed as one file and its members are not listed.",
    "The CASE/UCO graph is checked here for its context and hashes only; its conformance to the ontology (SHACL) is \
     checked by case_validate in Vigil's CI (scripts/case_validate.sh).",
    "Comparisons with hashdeep and b3sum run only where those tools are installed; a requirement that could not run \
     says so and is not counted as passed.",
    "The checks run on synthetic material in a scratch directory: they show the methods work in this build on this \
     machine, not that any particular exhibit is intact (that is what vigil verify shows).",
    "Crash safety is sampled (three runs killed at fixed points), not proven for every instant; Vigil's own test \
     suite kills 60 runs at random points.",
    "CSV outputs (scan reports, schedules) carry no build line, as the format has no place for one; the hashdeep, \
     JSON and DFXML reports, every PDF, each bundle manifest and each chat timeline name the build.",
];

fn first_line_of(path: &str, key: &str) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    text.lines().find_map(|l| l.strip_prefix(key)).map(|v| v.trim().trim_matches('"').to_owned())
}

fn machine() -> Machine {
    let read = |p: &str| std::fs::read_to_string(p).map(|s| s.trim().to_owned()).unwrap_or_else(|_| "unknown".into());
    Machine {
        host: read("/proc/sys/kernel/hostname"),
        os: first_line_of("/etc/os-release", "PRETTY_NAME=").unwrap_or_else(|| std::env::consts::OS.into()),
        kernel: read("/proc/sys/kernel/osrelease"),
        arch: std::env::consts::ARCH.into(),
        cpu: std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|t| {
                t.lines().find_map(|l| {
                    l.strip_prefix("model name").map(|v| v.trim_start_matches([' ', '\t', ':']).to_owned())
                })
            })
            .unwrap_or_else(|| "unknown".into()),
        cpus: std::thread::available_parallelism().map_or(1, |n| n.get()),
    }
}

pub fn validate(cli: &Cli, out: &Path, by: &str, broken: Option<&str>, keep_scratch: bool) -> Result<ExitCode> {
    let by = Initials::parse(by)?;
    let broken = broken
        .map(|b| {
            vigil_hashset::HashAlgo::parse(b).ok_or_else(|| anyhow::anyhow!("--break-digest {b}: not an algorithm"))
        })
        .transpose()?;
    let v = Vigil::open(&cli.data).with_context(|| format!("opening {}", cli.data.display()))?;
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    for name in ["validation.json", "validation.pdf", "validation.sig"] {
        if out.join(name).exists() {
            bail!("{} already exists; Vigil will not overwrite a validation report", out.join(name).display());
        }
    }
    let work = out.join(format!("scratch-{}", std::process::id()));
    if work.exists() {
        std::fs::remove_dir_all(&work).with_context(|| format!("removing {}", work.display()))?;
    }
    std::fs::create_dir_all(&work).with_context(|| format!("creating {}", work.display()))?;
    let checks = crate::validation_checks::Checks {
        exe: std::env::current_exe().context("finding this program")?,
        work: work.clone(),
        broken,
    };
    let requirements = checks.run_all();
    let mut report = ValidationReport {
        format: VALIDATION_FORMAT.into(),
        build: BuildInfo::this(),
        machine: machine(),
        made: v.now().to_string(),
        made_by: by.to_string(),
        requirements,
        limitations: LIMITATIONS.iter().map(|l| l.split_whitespace().collect::<Vec<_>>().join(" ")).collect(),
        signature: None,
    };
    v.sign_validation(&mut report);
    let json = serde_json::to_vec_pretty(&report)?;
    let pdf = report.pdf();
    let sig = format!("ed25519 {} validation.json\ned25519 {} validation.pdf\n", v.sign_file(&json), v.sign_file(&pdf));
    for (name, bytes) in
        [("validation.json", &json[..]), ("validation.pdf", &pdf[..]), ("validation.sig", sig.as_bytes())]
    {
        std::fs::write(out.join(name), bytes).with_context(|| format!("writing {}", out.join(name).display()))?;
    }
    let stored = v.store_validation(&report, &json, &pdf, &by)?;
    if !keep_scratch {
        std::fs::remove_dir_all(&work).with_context(|| format!("removing {}", work.display()))?;
    }
    if cli.json {
        crate::commands::print_json(&serde_json::json!({
            "ok": report.passed(),
            "summary": report.summary(),
            "report": out.join("validation.json"),
            "exhibits": stored,
        }));
    } else {
        for r in &report.requirements {
            let mark = match r.result {
                Outcome::Pass => "pass",
                Outcome::Fail => "FAIL",
                Outcome::NotRun => "not run",
            };
            println!("{:<9} {:<8} {}", r.id, mark, r.requirement);
            if r.result != Outcome::Pass {
                println!("          {}", r.evidence);
            }
        }
        println!(
            "{}: {}; report in {} (JSON, PDF, signatures), kept as exhibits {} and {} of case {}",
            vigil_build::BUILD,
            report.summary(),
            out.display(),
            stored.json,
            stored.pdf,
            vigil_core::VALIDATION_CASE
        );
    }
    Ok(if report.passed() { ExitCode::SUCCESS } else { ExitCode::from(crate::commands::TAMPERED) })
}

/// `vigil verify --validation FILE --public-key KEY`: the embedded
/// signature, and the detached ones in `validation.sig` beside it.
pub fn verify_validation(cli: &Cli, file: &Path, key: &Path) -> Result<ExitCode> {
    let key = vigil_core::read_public_key(key)?;
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let mut problems = Vec::new();
    let report = match vigil_core::verify_validation(&bytes, &key) {
        Ok(r) => Some(r),
        Err(e) => {
            problems.push(format!("{}: {e}", file.display()));
            None
        }
    };
    let dir = file.parent().unwrap_or(Path::new("."));
    let sig_path = dir.join("validation.sig");
    let mut files_checked = 0;
    if let Ok(text) = std::fs::read_to_string(&sig_path) {
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let parts: Vec<&str> = line.split_whitespace().collect();
            let [alg, sig, name] = parts[..] else {
                problems.push(format!("{}: unreadable line {line:?}", sig_path.display()));
                continue;
            };
            if alg != "ed25519" || name.contains('/') {
                problems.push(format!("{}: unexpected line {line:?}", sig_path.display()));
                continue;
            }
            match std::fs::read(dir.join(name)) {
                Ok(b) if vigil_core::verify_file_signature(&b, sig, &key) => files_checked += 1,
                Ok(_) => problems.push(format!("{name}: its signature in validation.sig does not match")),
                Err(e) => problems.push(format!("{name}: {e}")),
            }
        }
    }
    if cli.json {
        crate::commands::print_json(&serde_json::json!({
            "ok": problems.is_empty(),
            "passed": report.as_ref().map(ValidationReport::passed),
            "summary": report.as_ref().map(ValidationReport::summary),
            "files_checked": files_checked,
            "problems": problems,
        }));
    }
    if !problems.is_empty() {
        for p in &problems {
            eprintln!("TAMPERED: {p}");
        }
        return Ok(ExitCode::from(crate::commands::TAMPERED));
    }
    if !cli.json {
        let r = report.expect("no problems means the report verified");
        println!(
            "OK: the validation report of vigil {} (build {}) is signed by this key{}; it says: {}",
            r.build.version,
            r.build.commit,
            if files_checked > 0 {
                format!(", and {files_checked} file(s) match validation.sig")
            } else {
                String::new()
            },
            r.summary()
        );
    }
    Ok(ExitCode::SUCCESS)
}
