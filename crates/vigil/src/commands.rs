//! Runs a parsed command and prints its result as text or JSON.

use crate::cli::{ActorArg, Cli, Command, ExhibitCommand, KeysCommand, LogCommand, VaultCommand};
use anyhow::{anyhow, bail, Context, Result};
use serde_json::json;
use std::fs::File;
use std::io::BufReader;
use std::process::ExitCode;
use vigil_core::Vigil;
use vigil_domain::{Actor, CaseId, Choice, ExhibitRef, Initials};

/// Exit status when verification finds tampering (1 is any other error).
pub(crate) const TAMPERED: u8 = 3;

pub fn run(cli: Cli) -> ExitCode {
    match dispatch(&cli) {
        Ok(code) => code,
        Err(e) => {
            if cli.json {
                println!("{}", json!({ "error": format!("{e:#}") }));
            }
            eprintln!("vigil: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

pub(crate) fn actor(arg: &ActorArg) -> Result<Actor> {
    let name = match &arg.by {
        Some(b) => b.clone(),
        None => match std::env::var("VIGIL_ACTOR") {
            Ok(a) if !a.is_empty() => a,
            _ => format!("local:{}", std::env::var("USER").unwrap_or_else(|_| "unknown".into())),
        },
    };
    Ok(Actor::parse(&name)?)
}

pub(crate) fn open(cli: &Cli) -> Result<Vigil> {
    Vigil::open(&cli.data).with_context(|| format!("opening {}", cli.data.display()))
}

pub(crate) fn print_json(v: &impl serde::Serialize) {
    println!("{}", serde_json::to_string_pretty(v).expect("output serialises"));
}

fn dispatch(cli: &Cli) -> Result<ExitCode> {
    match &cli.command {
        Command::Init { store, vault } => {
            let r = Vigil::init_with(&cli.data, store.as_deref(), vault.as_deref())
                .with_context(|| format!("initialising {}", cli.data.display()))?;
            if cli.json {
                print_json(&r);
            } else {
                println!("initialised {}", r.data_dir.display());
                println!("store:       {}", r.store);
                println!("vault:       {}", r.vault);
                println!("public key:  {} (also in {})", r.public_key, r.public_key_file.display());
                println!("master key:  id {} (the key itself is in keys/master.key, mode 0600)", r.master_key_id);
            }
        }
        Command::Serve {
            listen,
            reports_per_window,
            partner_requests_per_window,
            alert_webhook,
            trusted_proxies,
            public_ceiling_per_window,
            checkpoint,
            checkpoint_every,
            triage_target_danger_minutes,
            triage_target_hours,
            chis_alert_reports,
            tls_cert,
            tls_key,
        } => {
            let trusted_proxies = trusted_proxies
                .iter()
                .map(|c| vigil_web::Cidr::parse(c))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| anyhow!("--trusted-proxy {e}"))?;
            let alert_webhook = alert_webhook
                .as_deref()
                .map(vigil_web::Webhook::parse)
                .transpose()
                .map_err(|e| anyhow!("--alert-webhook: {e}"))?;
            // Opening takes the data directory's lock before it loads any key.
            let v = open(cli)?;
            crate::telemetry::init();
            if let Some(file) = checkpoint {
                // The first is written now, so a bad path fails at start.
                let writer = open(cli)?;
                writer.write_checkpoint(file).with_context(|| format!("--checkpoint {}", file.display()))?;
                let (file, every) = (file.clone(), std::time::Duration::from_secs(checkpoint_every.max(&1) * 60));
                std::thread::spawn(move || loop {
                    std::thread::sleep(every);
                    if let Err(e) = writer.write_checkpoint(&file) {
                        eprintln!("vigil: writing the checkpoint {}: {e}", file.display());
                    }
                });
            }
            let settings = vigil_web::Settings {
                reports_per_window: *reports_per_window,
                partner_requests_per_window: *partner_requests_per_window,
                alert_webhook,
                trusted_proxies,
                public_ceiling_per_window: *public_ceiling_per_window,
                triage_targets: vigil_domain::TriageTargets {
                    immediate_danger_ms: i64::from(*triage_target_danger_minutes) * 60_000,
                    other_ms: i64::from(*triage_target_hours) * 3_600_000,
                },
                chis_alert_reports: *chis_alert_reports,
            };
            let tls = match (tls_cert, tls_key) {
                (Some(cert), Some(key)) => Some(vigil_web::TlsFiles { cert: cert.clone(), key: key.clone() }),
                _ => None,
            };
            let scheme = if tls.is_some() { "https" } else { "http" };
            vigil_web::serve(v, *listen, settings, tls.as_ref(), |addr| {
                println!("Vigil is serving {} at {scheme}://{addr}/ (public report form at {scheme}://{addr}/report); Ctrl-C stops it", cli.data.display());
            })
            .with_context(|| format!("serving on {listen}"))?;
        }
        Command::Demo { listen, seed_only } => {
            let r = Vigil::demo(&cli.data).with_context(|| format!("seeding the demo in {}", cli.data.display()))?;
            if cli.json {
                print_json(&r);
            } else {
                let d = r.data_dir.display();
                if r.initialised {
                    println!("initialised a new data directory at {d}");
                }
                if r.seeded.is_empty() {
                    println!("the demo case {} was already seeded", vigil_core::DEMO_CASE);
                } else {
                    println!(
                        "seeded the synthetic demo case {} with exhibits {}",
                        vigil_core::DEMO_CASE,
                        r.seeded.join(", ")
                    );
                }
                if !r.seeded_full_case.is_empty() {
                    println!(
                        "seeded the complete synthetic case {} (report, grading, attribution, approval with a welfare check, schedules, a review set of seized pictures) with exhibits {}",
                        vigil_core::DEMO_FULL_CASE,
                        r.seeded_full_case.join(", ")
                    );
                }
                println!(
                    "{} exhibits, {} custody events; verify: {}",
                    r.exhibits,
                    r.events,
                    if r.verified { "OK" } else { "FAILED" }
                );
                if !r.officers.is_empty() {
                    println!();
                    println!(
                        "demo officer accounts (password {:?}; add the TOTP secret to an authenticator app):",
                        vigil_core::DEMO_PASSWORD
                    );
                    for (name, role, secret) in &r.officers {
                        println!("  {name:<18} {role:<18} TOTP secret {secret}");
                    }
                }
                println!();
                println!("data directory: {d}");
                println!("try:");
                println!("  vigil --data {d} exhibit list");
                println!("  vigil --data {d} exhibit history DM/1");
                println!("  vigil --data {d} log prove DM/1");
                println!("  vigil --data {d} chat show DI/4      # DEMO-1's WhatsApp chat as a timeline (from DI/3)");
                println!(
                    "  vigil --data {d} review stacks DEMO-1 # its seized pictures (synthetic) in stacks; demo.examiner reviews them at /cases/DEMO-1/review"
                );
                println!("  vigil --data {d} access case:DEMO-1   # who has seen it");
                println!(
                    "  vigil --data {d} export bundle {} {d}/bundle --for prosecutor --by DO && vigil verify {d}/bundle --public-key {}",
                    vigil_core::DEMO_FULL_CASE,
                    r.public_key_file.display()
                );
                println!(
                    "  vigil --data {d} log export {d}/log.jsonl && vigil log verify {d}/log.jsonl --public-key {}",
                    r.public_key_file.display()
                );
            }
            if !r.verified {
                return Ok(ExitCode::from(TAMPERED));
            }
            if !*seed_only {
                let v = open(cli)?;
                crate::telemetry::init();
                vigil_web::serve(v, *listen, vigil_web::Settings::default(), None, |addr| {
                    println!();
                    println!(
                        "Vigil demo running at http://{addr}/ — the public report form is at http://{addr}/report"
                    );
                    println!(
                        "Officers sign in at http://{addr}/login with the accounts above; the triage queue is at \
                         http://{addr}/queue and the demo case at http://{addr}/cases/DEMO-1 (Ctrl-C stops it)"
                    );
                })
                .with_context(|| format!("serving on {listen}"))?;
            }
        }
        Command::Exhibit(cmd) => return exhibit(cli, cmd),
        Command::Verify { bundle: Some(dir), public_key, passphrase_file, .. } => {
            let Some(pk) = public_key else { bail!("--public-key FILE is needed to verify a bundle") };
            let key = vigil_core::read_public_key(pk)?;
            if !dir.join("manifest.json").is_file() {
                bail!("{} is not a bundle: it has no manifest.json", dir.display());
            }
            let passphrase = passphrase_file.as_deref().map(read_passphrase).transpose()?;
            let r = vigil_core::verify_bundle(dir, &key, passphrase.as_deref().map(str::as_bytes))?;
            if cli.json {
                print_json(&json!({ "ok": r.ok(), "report": r }));
            } else {
                println!(
                    "{} exhibits, {} custody events with inclusion proofs, {} other files",
                    r.exhibits, r.events, r.files
                );
                if r.sealed_unchecked > 0 {
                    println!(
                        "{} sealed exhibit(s) checked as shipped; give --passphrase-file to check their content too",
                        r.sealed_unchecked
                    );
                }
            }
            if !r.ok() {
                for p in &r.problems {
                    eprintln!("TAMPERED: {p}");
                }
                eprintln!("vigil: bundle verification FAILED: {} problem(s)", r.problems.len());
                return Ok(ExitCode::from(TAMPERED));
            }
            if !cli.json {
                println!("OK: the manifest is signed, every file matches it, and every event is in the signed log");
            }
        }
        Command::Disclosure(crate::cli::DisclosureCommand::Ledger { case, actor: a }) => {
            let case = vigil_domain::CaseId::parse(case)?;
            let ledger = open(cli)?.material_ledger_as(&case, &actor(a)?)?;
            if cli.json {
                print_json(&ledger);
            } else {
                println!(
                    "Disclosure ledger of case {}: {} item(s), {} unaccounted for",
                    ledger.case,
                    ledger.items.len(),
                    ledger.unaccounted
                );
                for i in &ledger.items {
                    let place = i.schedule_line.clone().unwrap_or_else(|| i.status.label().to_owned());
                    let proposed = match (i.proposed, i.status) {
                        (Some(s), vigil_core::LedgerStatus::Unaccounted) => format!(" (proposed: {})", s.as_str()),
                        _ => String::new(),
                    };
                    println!("{:<16} {:<18} {:<20} {}{proposed}", i.item, place, i.category.as_str(), i.description);
                }
            }
            if ledger.unaccounted > 0 {
                return Ok(ExitCode::from(3));
            }
        }
        Command::Export(crate::cli::ExportCommand::Bundle { case, out, audience, encrypt_with, actor: a }) => {
            let audience = vigil_core::Audience::parse(audience).context("--for is prosecutor or defence")?;
            let passphrase = encrypt_with.as_deref().map(read_passphrase).transpose()?;
            let by = actor(a)?;
            let initials = vigil_domain::Initials::parse(by.as_str())
                .with_context(|| "--by must be the exporting officer's initials (they produce the bundle)")?;
            let case = vigil_domain::CaseId::parse(case)?;
            let v = open(cli)?;
            let s = v.export_bundle(&case, out, &initials, passphrase.as_deref().map(str::as_bytes), audience)?;
            if cli.json {
                print_json(&s);
            } else {
                println!(
                    "wrote {} (for the {}): {} exhibits, {} custody events with inclusion proofs at tree size {}",
                    s.dir.display(),
                    match audience {
                        vigil_core::Audience::Prosecutor => "prosecutor",
                        vigil_core::Audience::Defence => "defence, for service",
                    },
                    s.exhibits,
                    s.events,
                    s.tree_size
                );
            }
        }
        Command::Verify { bundle: None, validation: Some(file), validation_key: Some(key), .. } => {
            return crate::validate_command::verify_validation(cli, file, key);
        }
        Command::Validate { out, by, keep_scratch, break_digest } => {
            return crate::validate_command::validate(cli, out, by, break_digest.as_deref(), *keep_scratch);
        }
        Command::Verify { bundle: None, since: Some(file), .. } => {
            let v = open(cli)?;
            let cp = vigil_core::Checkpoint::read(file)?;
            let r = v.verify_since(&cp)?;
            let size = cp.head.head.tree_size;
            if cli.json {
                print_json(&json!({ "ok": r.ok(), "report": r }));
            } else {
                println!(
                    "since the checkpoint at {size} events (signed {}): {} new events, {} signed heads, root {}",
                    cp.head.head.timestamp, r.events, r.heads, r.root
                );
            }
            if !r.ok() {
                return Ok(tampered(&r.problems));
            }
            if !cli.json {
                println!(
                    "OK: every event from #{size} on and every head signed since verifies; the events before it, \
                     blobs and tables are checked by a full `vigil verify`"
                );
            }
        }
        Command::Verify { bundle: None, checkpoints, .. } => {
            let v = open(cli)?;
            let mut r = v.verify()?;
            for path in checkpoints {
                let cp = vigil_core::Checkpoint::read(path)?;
                r.problems.extend(v.check_checkpoint(&cp, &path.display().to_string())?);
            }
            if cli.json {
                print_json(&json!({ "ok": r.ok(), "report": r }));
            } else {
                println!(
                    "{} events, {} signed heads, root {}; {} exhibits ({} deleted), {} blobs re-hashed ({} bytes); {} case records; {} rows of {} tables rebuilt from the log and compared",
                    r.events,
                    r.heads,
                    r.root,
                    r.exhibits,
                    r.deleted_exhibits,
                    r.blobs_checked,
                    r.bytes_checked,
                    r.case_records,
                    r.projected_rows,
                    r.projected_tables
                );
            }
            if !r.ok() {
                return Ok(tampered(&r.problems));
            }
            if !cli.json {
                println!("OK: every blob, event and signed head verifies");
            }
        }
        Command::Log(cmd) => return log(cli, cmd),
        Command::Scan(a) => return crate::scan_command::scan(cli, a),
        Command::ScanWorker(a) => return crate::shared_scan::run(cli, a),
        Command::Chat(cmd) => return crate::chat_command::chat(cli, cmd),
        Command::Video(cmd) => return crate::video_command::video(cli, cmd),
        Command::Review(cmd) => return crate::review_command::review(cli, cmd),
        Command::Retention(cmd) => return crate::retention_command::retention(cli, cmd),
        Command::Audit { from, to, actor } => {
            let v = Vigil::open(&cli.data).with_context(|| format!("opening {}", cli.data.display()))?;
            let (from_ms, to_ms) = (day_or_instant(from, "--from", false)?, day_or_instant(to, "--to", true)?);
            let lines = v.audit_export(from_ms, to_ms)?;
            // Handing the trail to the data protection officer is itself a disclosure.
            let mut ev = vigil_domain::CustodyEvent::new(
                vigil_domain::EventKind::Exported,
                self::actor(actor)?,
                v.now(),
                vigil_domain::ObjectRef::log(),
            );
            ev.note = Some(format!("audit export for {from} to {to}: {} events", lines.len()));
            v.append_events(&[ev])?;
            if cli.json {
                println!("{}", serde_json::to_string_pretty(&json!({ "from": from, "to": to, "events": lines }))?);
            } else {
                print!("{}", vigil_core::audit_csv(&lines));
            }
        }
        Command::Access { object } => {
            let v = Vigil::open(&cli.data).with_context(|| format!("opening {}", cli.data.display()))?;
            let accesses = v.accesses(object)?;
            if cli.json {
                println!("{}", serde_json::to_string_pretty(&json!({ "accesses": accesses }))?);
            } else {
                for a in &accesses {
                    println!("#{:<7} {}  {:<20} {}  {}", a.event, a.when, a.who, a.what, a.why);
                }
                println!("{} accesses", accesses.len());
            }
        }
        Command::Pdq { index: Some(crate::cli::PdqCommand::Index(cmd)), .. } => {
            return crate::pdq_command::index(cli, cmd)
        }
        Command::Pdq { index: None, files, dihedral } => {
            if files.is_empty() {
                bail!("give image files to hash, or `vigil pdq index build|query`");
            }
            let mut failed = 0;
            for f in files {
                match vigil_pdq::hash_file(f) {
                    Ok((r, d)) => {
                        if cli.json {
                            let mut o = json!({ "path": f, "pdq": r.hash.to_hex(), "quality": r.quality });
                            if *dihedral {
                                o["dihedral"] = d.hashes.iter().map(|h| h.to_hex()).collect::<Vec<_>>().into();
                            }
                            println!("{o}");
                        } else if *dihedral {
                            let hs: Vec<String> = d.hashes.iter().map(|h| h.to_hex()).collect();
                            println!("{} {} {} {}", r.hash, r.quality, f.display(), hs.join(" "));
                        } else {
                            println!("{} {} {}", r.hash, r.quality, f.display());
                        }
                    }
                    Err(e) => {
                        failed += 1;
                        eprintln!("vigil: error: {e}");
                    }
                }
            }
            if failed > 0 {
                bail!("{failed} of {} file(s) could not be hashed", files.len());
            }
        }
        Command::Hashset(cmd) => return crate::scan_command::hashset(cli, cmd),
        Command::Admin(crate::cli::AdminCommand::User(crate::cli::UserCommand::Disable {
            username,
            reason,
            actor: a,
        })) => {
            let by = actor(a)?;
            let ended = open(cli)?.disable_user(username, reason, &by)?;
            if cli.json {
                print_json(&json!({ "disabled": username, "sessions_ended": ended }));
            } else {
                println!("{username} is disabled: no more sign-ins, {ended} session(s) ended (custody log records it)");
            }
        }
        Command::Admin(crate::cli::AdminCommand::User(crate::cli::UserCommand::Add { username, role, actor: a })) => {
            let role = vigil_domain::Role::parse(role)?;
            let by = actor(a)?;
            let mut line = String::new();
            std::io::stdin().read_line(&mut line).context("reading the password from standard input")?;
            let password = line.trim_end_matches(['\n', '\r']);
            let v = open(cli)?;
            let e = v.add_user(username, role, password, &by)?;
            if cli.json {
                print_json(&e);
            } else {
                println!("created {username} ({role})");
                println!("TOTP secret (give it to the officer once, for their authenticator app): {}", e.secret_base32);
                println!("{}", e.otpauth_uri);
            }
        }
        Command::Admin(crate::cli::AdminCommand::Partner(crate::cli::PartnerCommand::Add { name, actor: a })) => {
            let by = actor(a)?;
            let v = open(cli)?;
            let k = v.add_partner(name, &by)?;
            if cli.json {
                print_json(&k);
            } else {
                println!("registered partner {} ({})", k.name, k.id);
                println!("API key (give it to the partner once; it is not stored): {}", k.key);
            }
        }
        Command::Admin(crate::cli::AdminCommand::Partner(crate::cli::PartnerCommand::Revoke {
            id,
            reason,
            actor: a,
        })) => {
            let by = actor(a)?;
            let v = open(cli)?;
            v.revoke_partner(id, reason, &by)?;
            if cli.json {
                print_json(&json!({ "revoked": id }));
            } else {
                println!("revoked the API key of partner {id}");
            }
        }
        Command::Backup { out, actor: a } => {
            let by = actor(a)?;
            let r = open(cli)?.backup(out, &by)?;
            if cli.json {
                print_json(&r);
            } else {
                println!(
                    "backed up to {}: the store ({}, the log at {} events), {} blobs ({} bytes), the keys and \
                     settings; check it with: vigil --data {} verify",
                    r.dir.display(),
                    r.store,
                    r.events,
                    r.blobs,
                    r.bytes,
                    r.dir.display()
                );
                if r.store.starts_with("pg_dump") {
                    println!(
                        "the backup opens once its dump is restored: createdb NEW; pg_restore --no-owner -d NEW {}/{}; \
                         then set \"store\" in {}/vigil.json to NEW's URL (or run with VIGIL_STORE=URL)",
                        r.dir.display(),
                        vigil_core::PG_DUMP_FILE,
                        r.dir.display()
                    );
                }
            }
        }
        Command::Vault(VaultCommand::Migrate { to, actor: a }) => {
            let by = actor(a)?;
            let mut v = open(cli)?;
            let r = v.migrate_vault(to, &by).context("moving the vault into the bucket")?;
            if cli.json {
                print_json(&r);
            } else {
                println!(
                    "vault moved to {}: {} blobs uploaded, {} already there, {} sealed bytes read back and checked; \
                     {} keyless files not moved (custody event #{})",
                    r.vault, r.uploaded, r.already_there, r.bytes, r.keyless, r.event
                );
                println!(
                    "run `vigil --data {} verify`; once it passes, {} may be removed",
                    cli.data.display(),
                    v.layout().vault().join("blobs").display()
                );
            }
        }
        Command::Keys(KeysCommand::Rotate { actor: a }) => {
            let by = actor(a)?;
            let mut v = open(cli)?;
            let r = v.rotate_master_key(&by)?;
            if cli.json {
                print_json(&r);
            } else {
                println!(
                    "master key {} replaced by {}: {} blob keys re-wrapped, {} page indexes sealed again (custody event #{})",
                    r.old_master_key, r.new_master_key, r.keys_rewrapped, r.page_indexes_resealed, r.event
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn exhibit(cli: &Cli, cmd: &ExhibitCommand) -> Result<ExitCode> {
    match cmd {
        ExhibitCommand::Add { files, case, by, note } => {
            let case = CaseId::parse(case)?;
            let by = Initials::parse(by)?;
            let v = open(cli)?;
            let mut failed = 0;
            for f in files {
                match v.add_exhibit(f, &case, &by, note.as_deref()) {
                    Ok(a) if cli.json => println!("{}", serde_json::to_string(&a)?),
                    Ok(a) => println!("{} {}", a.reference, a.hashes.sha256),
                    Err(e) => {
                        failed += 1;
                        eprintln!("vigil: error: {e}");
                    }
                }
            }
            if failed > 0 {
                bail!("{failed} of {} file(s) were not added", files.len());
            }
        }
        ExhibitCommand::Get { reference, out, reason, actor: a } => {
            let r = ExhibitRef::parse(reference)?;
            let by = actor(a)?;
            let v = open(cli)?;
            let got = v.get_exhibit(&r, out, reason, &by)?;
            if cli.json {
                print_json(&got);
            } else {
                println!(
                    "{} written to {} (sha256 {} verified; access logged as event #{})",
                    got.reference,
                    got.out.display(),
                    got.hashes.sha256,
                    got.event
                );
            }
        }
        ExhibitCommand::History { reference } => {
            let r = ExhibitRef::parse(reference)?;
            let v = open(cli)?;
            let h = v.history(&r)?;
            if cli.json {
                print_json(&json!({ "exhibit": r, "events": h }));
            } else {
                println!("continuity for exhibit {r}:");
                for e in h {
                    let ev = &e.event;
                    let mut line = format!("#{:<6} {}  {:<11} by {}", e.index, ev.time, ev.kind, ev.actor);
                    if let Some(c) = &ev.case {
                        line += &format!("  case {c}");
                    }
                    if let Some(d) = &ev.digest {
                        line += &format!("  sha256 {d}");
                    }
                    if let Some(r) = &ev.reason {
                        line += &format!("  reason: {}", r.escape_debug());
                    }
                    if let Some(n) = &ev.note {
                        line += &format!("  note: {}", n.escape_debug());
                    }
                    println!("{line}");
                }
            }
        }
        ExhibitCommand::List => {
            let v = open(cli)?;
            let rows = v.exhibits()?;
            if cli.json {
                let list: Vec<_> = rows
                    .iter()
                    .map(|e| {
                        json!({ "reference": e.reference, "case": e.case_id, "sha256": e.sha256, "size": e.size,
                                "received_event": e.received_event, "deleted_event": e.deleted_event })
                    })
                    .collect();
                print_json(&list);
            } else {
                for e in rows {
                    let state = e.deleted_event.map_or("held".to_string(), |d| format!("deleted at event #{d}"));
                    println!(
                        "{:<10} {:<20} {} {:>12} bytes  {state}",
                        e.reference.to_string(),
                        e.case_id,
                        e.sha256,
                        e.size
                    );
                }
            }
        }
        ExhibitCommand::Delete { reference, reason, actor: a } => {
            let r = ExhibitRef::parse(reference)?;
            let by = actor(a)?;
            let v = open(cli)?;
            let d = v.delete_exhibit(&r, reason, &by)?;
            if cli.json {
                print_json(&d);
            } else if d.shredded {
                println!(
                    "{r} deleted (custody event #{}); its content key is destroyed, its digest stays in the log",
                    d.event
                );
            } else {
                let others: Vec<String> = d.sharing.iter().map(|r| r.to_string()).collect();
                println!(
                    "{r} deleted (custody event #{}); the content is kept because {} still hold(s) identical bytes",
                    d.event,
                    others.join(", ")
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn log(cli: &Cli, cmd: &LogCommand) -> Result<ExitCode> {
    match cmd {
        LogCommand::Export { out } => {
            let v = open(cli)?;
            let (events, heads) = v.export_log(out)?;
            if cli.json {
                print_json(&json!({ "out": out, "events": events, "heads": heads }));
            } else {
                println!("exported {events} events and {heads} signed heads to {}", out.display());
            }
        }
        LogCommand::Verify { export, public_key } => {
            let key = vigil_core::read_public_key(public_key)?;
            let f = File::open(export).with_context(|| format!("opening {}", export.display()))?;
            let meta = f.metadata()?;
            if meta.is_dir() {
                bail!("{} is a directory, not a log export", export.display());
            }
            match vigil_custody::verify_export(BufReader::with_capacity(1 << 20, f), &key) {
                Ok(s) => {
                    let root = hex::encode(s.root);
                    if cli.json {
                        print_json(
                            &json!({ "ok": true, "events": s.events, "heads": s.heads, "root": root, "last_head": s.last_head }),
                        );
                    } else {
                        println!("OK: {} events, {} signed heads verify; root {root}", s.events, s.heads);
                    }
                }
                Err(e) => {
                    if cli.json {
                        print_json(&json!({ "ok": false, "error": e.to_string() }));
                    }
                    eprintln!("TAMPERED: {}: {e}", export.display());
                    return Ok(ExitCode::from(TAMPERED));
                }
            }
        }
        LogCommand::Prove { reference } => {
            let r = ExhibitRef::parse(reference)?;
            let v = open(cli)?;
            let b = v.prove_exhibit(&r)?;
            if cli.json {
                print_json(&b);
            } else {
                let h = &b.tree_head.head;
                println!("inclusion proofs for {} against the signed tree head:", b.object);
                println!("  tree size {}  root {}  signed {}", h.tree_size, hex::encode(h.root), h.timestamp);
                println!("  signature {}  public key {}", hex::encode(b.tree_head.signature), b.public_key);
                for p in &b.proofs {
                    println!("event #{} {} by {} at {}  leaf hash {}", p.index, p.kind, p.actor, p.time, p.leaf_hash);
                    for (i, n) in p.audit_path.iter().enumerate() {
                        println!("  path[{i}] {n}");
                    }
                }
            }
        }
        LogCommand::Consistency { from } => {
            let v = open(cli)?;
            let p = v.prove_consistency(*from)?;
            if cli.json {
                print_json(&p);
            } else {
                let h = &p.second_head.head;
                println!(
                    "size {} (root {}) is a prefix of size {} (root {})",
                    p.first_size,
                    p.first_root,
                    h.tree_size,
                    hex::encode(h.root)
                );
                for (i, n) in p.proof.iter().enumerate() {
                    println!("  proof[{i}] {n}");
                }
            }
        }
        LogCommand::Head => {
            let v = open(cli)?;
            let h = v.latest_head()?.ok_or_else(|| anyhow!("the log has no signed head yet"))?;
            let root = hex::encode(h.head.root);
            if cli.json {
                print_json(
                    &json!({ "tree_size": h.head.tree_size, "root": root, "timestamp_ms": h.head.timestamp.unix_millis(), "signature": hex::encode(h.signature) }),
                );
            } else {
                println!("tree size {}  root {root}  signed at {}", h.head.tree_size, h.head.timestamp);
            }
        }
        LogCommand::Checkpoint { out } => {
            let v = open(cli)?;
            let cp = v.write_checkpoint(out)?;
            if cli.json {
                print_json(&cp);
            } else {
                println!(
                    "checkpoint of {} events (root {}, signed at {}) written to {}; keep it outside the data directory",
                    cp.head.head.tree_size,
                    hex::encode(cp.head.head.root),
                    cp.head.head.timestamp,
                    out.display()
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The first line of a passphrase file.
fn read_passphrase(p: &std::path::Path) -> Result<String> {
    let meta = std::fs::metadata(p).with_context(|| format!("reading {}", p.display()))?;
    if meta.len() > 4096 {
        bail!("{} is too large to be a passphrase file", p.display());
    }
    let text = std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
    Ok(text.lines().next().unwrap_or("").to_owned())
}

/// Milliseconds of a `YYYY-MM-DD` day's start (its end, for the last day
/// of a period) or of an RFC 3339 instant.
fn day_or_instant(text: &str, flag: &str, end_of_day: bool) -> Result<i64> {
    let t = text.trim();
    if t.len() == 10 {
        let start = vigil_domain::Timestamp::parse(&format!("{t}T00:00:00.000Z"))
            .map_err(|e| anyhow!("{flag}: {e} (use YYYY-MM-DD or an RFC 3339 time)"))?;
        return Ok(start.unix_millis() + if end_of_day { 86_400_000 } else { 0 });
    }
    vigil_domain::Timestamp::parse(t)
        .map(|ts| ts.unix_millis())
        .map_err(|e| anyhow!("{flag}: {e} (use YYYY-MM-DD or an RFC 3339 time)"))
}

/// Names each problem a verify found; the exit status says tampered.
fn tampered(problems: &[String]) -> ExitCode {
    for p in problems {
        eprintln!("TAMPERED: {p}");
    }
    eprintln!("vigil: verification FAILED: {} problem(s)", problems.len());
    ExitCode::from(TAMPERED)
}
