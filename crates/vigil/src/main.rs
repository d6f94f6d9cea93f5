//! The `vigil` command: parses arguments and hands them to the commands.

mod chat_command;
mod cli;
mod commands;
mod pdq_command;
mod retention_command;
mod review_command;
mod scan_command;
mod shared_scan;
mod telemetry;
mod validate_command;
mod validation_checks;
mod video_command;

use clap::Parser;

// verify allocates and frees across threads for every event of the log, and
// glibc's malloc was a fifth of its time (ARCHITECTURE: dependencies).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    commands::run(cli::Cli::parse())
}
