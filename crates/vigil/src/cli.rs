//! Command-line arguments, as clap parses them.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "vigil",
    version,
    about = "Evidence vault and tamper-evident custody log for online child-protection investigations"
)]
pub struct Cli {
    /// The data directory (store settings, vault, keys).
    #[arg(long, global = true, env = "VIGIL_DATA", default_value = "vigil-data")]
    pub data: PathBuf,
    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Create a data directory: keys (mode 0600), the store and the custody log.
    Init {
        /// A postgres:// URL for the scale-out store; SQLite in the data directory if omitted.
        #[arg(long)]
        store: Option<String>,
    },
    /// Initialise the data directory if needed, seed a synthetic demo case, verify, and show what to try.
    Demo,
    /// Add, read, list, trace and delete exhibits.
    #[command(subcommand)]
    Exhibit(ExhibitCommand),
    /// Re-hash every blob, recompute the log's tree and check every signed head.
    Verify,
    /// Export, verify and prove the custody log.
    #[command(subcommand)]
    Log(LogCommand),
    /// Manage the vault's master key.
    #[command(subcommand)]
    Keys(KeysCommand),
}

#[derive(Subcommand, Debug)]
pub enum ExhibitCommand {
    /// Add files as exhibits; prints each reference and SHA-256 as soon as it is durable.
    Add {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The case the exhibit belongs to, such as OP-LANTERN-2026.
        #[arg(long = "case")]
        case: String,
        /// The producer's initials (2-4 capitals); references count up per producer.
        #[arg(long)]
        by: String,
        #[arg(long)]
        note: Option<String>,
    },
    /// Decrypt an exhibit to a new file, check its hash, and log the access.
    Get {
        reference: String,
        #[arg(long)]
        out: PathBuf,
        /// Why the exhibit is being accessed; recorded in the custody log.
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        actor: ActorArg,
    },
    /// Show the continuity: every custody event for an exhibit.
    History { reference: String },
    /// List exhibits.
    List,
    /// Delete an exhibit for retention: logs it and crypto-shreds the content.
    Delete {
        reference: String,
        /// The retention decision this deletion carries out.
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        actor: ActorArg,
    },
}

#[derive(Args, Debug)]
pub struct ActorArg {
    /// Who is acting (initials or user name); defaults to VIGIL_ACTOR, then local:$USER.
    #[arg(long = "by")]
    pub by: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum LogCommand {
    /// Write the log and its signed heads to a file for offline checking.
    Export { out: PathBuf },
    /// Check an export offline, with only the file and the log's public key.
    Verify {
        export: PathBuf,
        #[arg(long = "public-key")]
        public_key: PathBuf,
    },
    /// Print inclusion proofs for every event of an exhibit.
    Prove { reference: String },
    /// Print a consistency proof from an earlier size to the latest signed head.
    Consistency {
        #[arg(long)]
        from: u64,
    },
    /// Print the latest signed tree head.
    Head,
}

#[derive(Subcommand, Debug)]
pub enum KeysCommand {
    /// Re-wrap every blob key under a new master key; no blob is rewritten.
    Rotate {
        #[command(flatten)]
        actor: ActorArg,
    },
}
