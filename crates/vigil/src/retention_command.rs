//! `vigil retention`: the review queue, decisions, legal holds and
//! disposal certificates, from the command line.

use crate::cli::{Cli, RetentionCommand};
use crate::commands::{actor, open, print_json, TAMPERED};
use anyhow::{Context, Result};
use std::process::ExitCode;
use vigil_core::RetentionItem;
use vigil_domain::{CaseId, CourtResult, Initials};

fn print_item(i: &RetentionItem) {
    let mut flags = Vec::new();
    if i.disposed {
        flags.push("DISPOSED".to_owned());
    } else if i.due {
        flags.push("DUE".to_owned());
    }
    if let Some(h) = &i.hold {
        flags.push(format!("legal hold: {}", h.reason));
    }
    if i.live_prosecution {
        flags.push("live prosecution".to_owned());
    }
    println!(
        "{:<24} review {}  {}  [{}] {}",
        i.subject,
        &i.review_due.to_string()[..10],
        i.outcome,
        i.rule,
        if flags.is_empty() { String::new() } else { format!("({})", flags.join("; ")) }
    );
}

fn show(cli: &Cli, i: &RetentionItem) {
    if cli.json {
        print_json(i);
    } else {
        print_item(i);
    }
}

pub fn retention(cli: &Cli, cmd: &RetentionCommand) -> Result<ExitCode> {
    if let RetentionCommand::Check { certificate, public_key } = cmd {
        let key = vigil_core::read_public_key(public_key)?;
        let bytes = std::fs::read(certificate).with_context(|| format!("reading {}", certificate.display()))?;
        return match vigil_core::verify_disposal_certificate(&bytes, &key) {
            Ok(c) => {
                if cli.json {
                    print_json(&serde_json::json!({ "ok": true, "subject": c.subject, "items": c.items.len() }));
                } else {
                    println!(
                        "OK: {} disposed of by {} at {} under \"{}\": {} item(s), each deletion and the decision in the \
                         log signed at size {}",
                        c.subject,
                        c.disposed_by,
                        c.disposed_at,
                        c.rule,
                        c.items.len(),
                        c.tree_head.head.tree_size
                    );
                }
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => {
                eprintln!("TAMPERED: {}: {e}", certificate.display());
                Ok(ExitCode::from(TAMPERED))
            }
        };
    }
    let v = open(cli)?;
    match cmd {
        RetentionCommand::Check { .. } => unreachable!("answered above"),
        RetentionCommand::Queue { due } => {
            let items: Vec<RetentionItem> =
                v.retention_queue()?.into_iter().filter(|i| !due || (i.due && !i.disposed)).collect();
            if cli.json {
                print_json(&serde_json::json!({ "items": items }));
            } else {
                for i in &items {
                    print_item(i);
                }
                println!(
                    "{} item(s), {} due for review",
                    items.len(),
                    items.iter().filter(|i| i.due && !i.disposed).count()
                );
            }
        }
        RetentionCommand::Show { subject } => show(cli, &v.retention_item(subject)?),
        RetentionCommand::Retain { subject, reason, next_review_days, actor: a } => {
            show(cli, &v.retain(subject, reason, *next_review_days, &actor(a)?)?)
        }
        RetentionCommand::Hold { subject, reason, actor: a } => {
            show(cli, &v.set_legal_hold(subject, reason, &actor(a)?)?)
        }
        RetentionCommand::Release { subject, reason, actor: a } => {
            show(cli, &v.release_legal_hold(subject, reason, &actor(a)?)?)
        }
        RetentionCommand::CourtResult { case, result, actor: a } => {
            let case = CaseId::parse(case)?;
            show(cli, &v.record_court_result(&case, CourtResult::parse(result)?, &actor(a)?)?)
        }
        RetentionCommand::Policy { set, actor: a } => {
            let policy = match set {
                Some(f) => {
                    let text = std::fs::read_to_string(f).with_context(|| format!("reading {}", f.display()))?;
                    v.set_retention_policy(&text, &actor(a)?)?
                }
                None => v.retention_policy()?,
            };
            print_json(&policy);
        }
        RetentionCommand::Dispose { subject, reason, out, initials, actor: a } => {
            let by = Initials::parse(initials)?;
            let (cert, stored) = v.dispose(subject, reason, &actor(a)?, &by)?;
            if let Some(dir) = out {
                std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
                let stem = cert.subject.replace(['/', ':'], "-");
                for (name, bytes) in [
                    (format!("disposal-{stem}.json"), serde_json::to_vec_pretty(&cert)?),
                    (format!("disposal-{stem}.pdf"), cert.pdf()),
                ] {
                    std::fs::write(dir.join(&name), bytes).with_context(|| format!("writing {name}"))?;
                }
            }
            if cli.json {
                print_json(&serde_json::json!({ "certificate": cert, "kept_as": stored }));
            } else {
                for i in &cert.items {
                    println!("deleted {} (sha256 {}) at event #{}", i.exhibit, i.sha256, i.deleted_event);
                }
                println!(
                    "{} disposed of: {} exhibit(s); certificate kept as {} and {} (case {})",
                    cert.subject,
                    cert.items.len(),
                    stored.json,
                    stored.pdf,
                    vigil_core::DISPOSALS_CASE
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
