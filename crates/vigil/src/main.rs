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

fn main() -> std::process::ExitCode {
    commands::run(cli::Cli::parse())
}
