//! Writes a synthetic chat export and prints its ground truth as JSON:
//! `chat_gen whatsapp|telegram MESSAGES OUT [--cut-start]`. For the
//! benchmarks and for trying the import by hand; the tests call the
//! generators directly.

use std::io::Write;
use vigil_chat::synthetic::{self, Spec};

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        eprintln!("usage: chat_gen whatsapp|telegram MESSAGES OUT [--cut-start]");
        std::process::exit(2);
    }
    let n: u64 = args[2].parse().expect("MESSAGES is a number");
    let mut spec = Spec::new(n);
    spec.cut_start = args.iter().any(|a| a == "--cut-start");
    let mut out = std::fs::File::create(&args[3])?;
    let truth = match args[1].as_str() {
        "whatsapp" => synthetic::whatsapp(&spec, &mut out)?,
        "telegram" => synthetic::telegram(&spec, &mut out)?,
        other => panic!("unknown format {other}"),
    };
    out.sync_all()?;
    let mut stdout = std::io::stdout();
    writeln!(
        stdout,
        "{{\"messages\":{},\"deleted\":{},\"edited\":{},\"missing_references\":{},\"id_gaps\":{},\"possible_gaps\":{},\"ambiguous_times\":{},\"impossible_times\":{}}}",
        truth.messages,
        truth.deleted,
        truth.edited,
        truth.missing_references.len(),
        truth.id_gaps.len(),
        truth.possible_gaps,
        truth.ambiguous_times,
        truth.impossible_times
    )
}
