//! `vigil chat import` and `vigil chat show`.

use crate::cli::{ChatCommand, Cli};
use crate::commands::{actor, open, print_json};
use anyhow::Result;
use std::process::ExitCode;
use vigil_core::{ChatImport, ChatSettings};
use vigil_domain::{CaseId, ExhibitRef, Initials};

pub fn chat(cli: &Cli, cmd: &ChatCommand) -> Result<ExitCode> {
    match cmd {
        ChatCommand::Import { file, case, by, format, timezone, date_order } => {
            let case = CaseId::parse(case)?;
            let by = Initials::parse(by)?;
            let settings = ChatSettings {
                format: vigil_chat::Format::parse(format)?,
                timezone: timezone.clone(),
                date_order: date_order.as_deref().and_then(vigil_chat::DateOrder::from_code),
            };
            let v = open(cli)?;
            let imported = v.import_chat(file, &case, &by, &settings)?;
            if cli.json {
                print_json(&imported);
            } else {
                print_import(&imported);
            }
        }
        ChatCommand::Check { reference, reason, actor: a } => {
            let r = ExhibitRef::parse(reference)?;
            let by = actor(a)?;
            let v = open(cli)?;
            let c = v.check_timeline(&r, reason, &by)?;
            if cli.json {
                print_json(&c);
            } else if c.same {
                println!(
                    "{} derives afresh from {}: the same bytes (sha256 {}); made by {}, checked by {}",
                    c.timeline, c.original, c.stored_sha256, c.importer_then, c.importer_now
                );
            } else {
                println!(
                    "{} does NOT derive from {}: stored sha256 {}, derived {}; made by {}, checked by {}",
                    c.timeline, c.original, c.stored_sha256, c.derived_sha256, c.importer_then, c.importer_now
                );
            }
            if !c.same {
                return Ok(ExitCode::from(crate::commands::TAMPERED));
            }
        }
        ChatCommand::Show { reference, reason, search, actor: a } => {
            let r = ExhibitRef::parse(reference)?;
            let by = actor(a)?;
            let v = open(cli)?;
            let t = v.chat_timeline(&r, reason, &by)?;
            let needle = search.as_deref().map(str::to_lowercase);
            let shown = |l: &vigil_chat::timeline::Line| {
                needle.as_deref().is_none_or(|n| {
                    l.text.to_lowercase().contains(n)
                        || l.sender.as_deref().is_some_and(|s| s.to_lowercase().contains(n))
                })
            };
            if cli.json {
                let lines: Vec<_> = t.lines.iter().filter(|l| shown(l)).collect();
                print_json(&serde_json::json!({ "timeline": t.reference, "header": t.header, "messages": lines }));
            } else {
                // A reader such as `head` may stop early; that is no error.
                match print_timeline(&t, &shown) {
                    Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
                    other => other?,
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_timeline(
    t: &vigil_core::ChatTimeline,
    shown: &dyn Fn(&vigil_chat::timeline::Line) -> bool,
) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let h = &t.header;
    writeln!(
        out,
        "timeline {} of {} ({}, sha256 {}), made by {}",
        t.reference, h.original.name, h.format, h.original.sha256, h.importer
    )?;
    if let (Some(z), Some(who)) = (&h.timezone, &h.zone_given_by) {
        writeln!(out, "local times placed in {z} (zone given by {who})")?;
    }
    for n in &h.notes {
        writeln!(out, "note: {n}")?;
    }
    for l in t.lines.iter().filter(|l| shown(l)) {
        let when = vigil_core::shown_time(l);
        let who = l.sender.as_deref().unwrap_or("(notice)");
        let flags = if l.flags.is_empty() { String::new() } else { format!("  [{}]", l.flags.join(", ")) };
        writeln!(out, "#{} {when} {who}: {}{flags}  <{}>", l.n, l.text.replace('\n', "\n    "), l.source)?;
    }
    out.flush()
}

fn print_import(i: &ChatImport) {
    println!("{} {} chat export as received, sha256 {}", i.exhibit, i.format, i.exhibit_sha256);
    if !i.members.is_empty() {
        let skipped = if i.skipped.is_empty() { "nothing".into() } else { i.skipped.join(", ") };
        println!("  read {} from the zip; not read: {skipped}", i.members.join(", "));
    }
    println!(
        "{} timeline of {} message(s), sha256 {}, derived by {}",
        i.timeline, i.messages, i.timeline_sha256, i.importer
    );
    if let (Some(z), Some(who)) = (&i.timezone, &i.zone_given_by) {
        println!("  local times placed in {z} (zone given by {who})");
    }
    for n in &i.notes {
        println!("  note: {n}");
    }
    for c in &i.conversations {
        let title = c.title.as_deref().unwrap_or("(untitled)");
        println!("conversation {}: {title}: {} message(s)", c.index + 1, c.messages);
        let people: Vec<String> = c.participants.iter().map(|p| format!("{} ({})", p.name, p.messages)).collect();
        println!("  participants: {}", people.join(", "));
        if let (Some(f), Some(l)) = (&c.first, &c.last) {
            println!("  first {}, last {}", f.time, l.time);
        }
        println!(
            "  deleted {}, edited {}, with media {}, ambiguous times {}, impossible times {}, out of order {}, duplicates {}",
            c.deleted, c.edited, c.media, c.ambiguous_times, c.impossible_times, c.out_of_order, c.duplicates
        );
        if let Some(first) = c.missing_references.first() {
            println!(
                "  replies to messages not in the export: {} (first: {} replies to {})",
                c.missing_references.len(),
                first.message,
                first.refers_to
            );
        }
        if let Some(first) = c.id_gaps.first() {
            let missing: i64 = c.id_gaps.iter().map(|g| g.missing).sum();
            println!(
                "  message-ID gaps: {} ({missing} number(s) missing; first between {} and {})",
                c.id_gaps.len(),
                first.after_id,
                first.before_id
            );
        }
        for n in &c.notes {
            println!("  the export says: {n}");
        }
        for g in &c.possible_gaps {
            println!(
                "  possible gap to check: {} h of silence from {} to {} (usual interval {} min), before {}",
                g.silence_hours, g.from.time, g.to.time, g.typical_minutes, g.before_message
            );
        }
        if let Some(late) = &c.starts_late {
            println!("  may start late: {late}");
        }
    }
    let shared = i.identifiers.iter().filter(|x| !x.reports.is_empty()).count();
    println!("identifiers found: {} ({shared} also in reports)", i.identifiers.len());
}
