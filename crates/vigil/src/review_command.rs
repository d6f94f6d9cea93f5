//! `vigil review`: a case's review set, from the command line. Paths,
//! hashes and counts only: pictures are shown on the review page alone.

use crate::cli::{Cli, ReviewCommand};
use anyhow::{bail, Context, Result};
use std::process::ExitCode;
use vigil_core::Vigil;
use vigil_domain::CaseId;

pub fn review(cli: &Cli, cmd: &ReviewCommand) -> Result<ExitCode> {
    let v = Vigil::open(&cli.data).with_context(|| format!("opening {}", cli.data.display()))?;
    match cmd {
        ReviewCommand::Stacks { case, actor } => {
            let case = CaseId::parse(case)?;
            let by = crate::commands::actor(actor)?;
            let s = v.review_stacks(&case, &by)?;
            if cli.json {
                println!("{}", serde_json::to_string_pretty(&s)?);
            } else {
                for st in &s.stacks {
                    println!(
                        "stack of {} (representative item {}: {})",
                        st.members.len() + 1,
                        st.representative.item,
                        st.representative.path
                    );
                    for m in &st.members {
                        println!("  item {} at distance {}: {}", m.item, m.distance.unwrap_or(0), m.path);
                    }
                }
                println!("{} stacks; {} items on their own", s.stacks.len(), s.unstacked.len());
            }
        }
        ReviewCommand::Counts { case, pdf, actor } => {
            let case = CaseId::parse(case)?;
            let by = crate::commands::actor(actor)?;
            let c = v.review_counts_as(&case, &by)?;
            if let Some(p) = pdf {
                if p.exists() {
                    bail!("{} already exists; Vigil will not overwrite it", p.display());
                }
                std::fs::write(p, c.pdf()).with_context(|| format!("writing {}", p.display()))?;
            }
            if cli.json {
                println!("{}", serde_json::to_string_pretty(&c)?);
            } else {
                for l in &c.lines {
                    println!("{:<26} {:>7} unique {:>7} copies   {}", l.category, l.unique, l.copies, l.method);
                }
            }
        }
        ReviewCommand::Export { case, format, out, actor } => {
            let case = CaseId::parse(case)?;
            let by = crate::commands::actor(actor)?;
            if out.exists() {
                bail!("{} already exists; Vigil will not overwrite it", out.display());
            }
            let e = v.export_review_as(&case, format, &by)?;
            std::fs::write(out, &e.bytes).with_context(|| format!("writing {}", out.display()))?;
            println!("exported {} categorised items of case {case} as {format} to {}", e.items, out.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}
