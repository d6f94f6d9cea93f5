//! `vigil pdq index build|query`.

use crate::cli::{Cli, PdqIndexCommand};
use anyhow::{bail, Context, Result};
use serde_json::json;
use std::io::{BufReader, BufWriter, Write};
use std::process::ExitCode;
use vigil_pdq::{hash_file, parse_pdq_lines, Hash256, PdqIndex};

pub fn index(cli: &Cli, cmd: &PdqIndexCommand) -> Result<ExitCode> {
    match cmd {
        PdqIndexCommand::Build { inputs, out, label } => {
            let mut entries = Vec::new();
            for p in inputs {
                let text = std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
                entries.extend(parse_pdq_lines(&text, label).with_context(|| format!("{}", p.display()))?);
            }
            let t = std::time::Instant::now();
            let idx = PdqIndex::build(&entries);
            let secs = t.elapsed().as_secs_f64();
            let tmp = std::path::PathBuf::from(format!("{}.part", out.display()));
            let f = std::fs::File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
            let mut w = BufWriter::with_capacity(1 << 20, f);
            idx.save(&mut w, &format!("built from {} file(s)", inputs.len()))?;
            w.into_inner().map_err(|e| anyhow::anyhow!("writing {}: {}", tmp.display(), e.error()))?.sync_all()?;
            std::fs::rename(&tmp, out)?;
            println!(
                "indexed {} hashes in {secs:.2} s ({} MiB in memory) -> {}",
                idx.len(),
                idx.memory_bytes() >> 20,
                out.display()
            );
        }
        PdqIndexCommand::Query { index, hashes, images, radius, min_quality } => {
            if hashes.is_empty() && images.is_empty() {
                bail!("give --hash HEX or --image FILE to look up");
            }
            if *radius > 128 {
                bail!("--radius must be at most 128");
            }
            let f = std::fs::File::open(index).with_context(|| format!("opening {}", index.display()))?;
            let (idx, _) = PdqIndex::load(&mut BufReader::with_capacity(1 << 20, f))
                .with_context(|| format!("{}", index.display()))?;
            let mut queries: Vec<(String, Vec<Hash256>, Option<u32>)> = Vec::new();
            for h in hashes {
                queries.push((h.clone(), vec![Hash256::from_hex(h)?], None));
            }
            for p in images {
                let (r, d) = hash_file(p)?;
                queries.push((p.display().to_string(), d.hashes.to_vec(), Some(r.quality)));
            }
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            let mut found = Vec::new();
            for (name, variants, quality) in queries {
                if quality.is_some_and(|q| q < *min_quality) {
                    writeln!(out, "{name}: low quality ({}), not matched", quality.unwrap_or(0))?;
                    continue;
                }
                let mut best: std::collections::BTreeMap<u32, u32> = Default::default();
                for v in &variants {
                    idx.query(v, *radius, &mut found);
                    for m in &found {
                        let e = best.entry(m.id).or_insert(m.distance);
                        *e = (*e).min(m.distance);
                    }
                }
                for (id, d) in &best {
                    if cli.json {
                        writeln!(
                            out,
                            "{}",
                            json!({ "query": name, "match": idx.hash(*id).to_hex(), "distance": d, "quality": idx.quality(*id), "label": idx.label(*id) })
                        )?;
                    } else {
                        writeln!(
                            out,
                            "{name}: {} distance {d} label {} quality {}",
                            idx.hash(*id),
                            idx.label(*id),
                            idx.quality(*id)
                        )?;
                    }
                }
                if best.is_empty() && !cli.json {
                    writeln!(out, "{name}: no match within {radius}")?;
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
