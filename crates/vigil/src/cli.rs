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
        /// Keep the blobs in an S3-compatible bucket rather than the data
        /// directory's vault/ folder: s3://BUCKET?endpoint=URL&region=R[&prefix=P][&credentials=FILE].
        /// Keys come from the 0600 file the URL or VIGIL_S3_CREDENTIALS names, else
        /// AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; they are never stored or printed.
        #[arg(long)]
        vault: Option<String>,
    },
    /// Initialise the data directory if needed, seed a synthetic demo case, verify it, and serve it.
    Demo {
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
        /// Seed and verify, then exit without serving.
        #[arg(long)]
        seed_only: bool,
    },
    /// Serve the public reporting form and health check over HTTP.
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
        /// Public reports accepted per client address in each 10-minute window.
        #[arg(long, default_value_t = 20)]
        reports_per_window: u32,
        /// Partner API requests accepted per partner in each 10-minute window.
        #[arg(long, default_value_t = 3000)]
        partner_requests_per_window: u32,
        /// POST immediate-danger alerts (report reference and time only) to this http:// address.
        #[arg(long)]
        alert_webhook: Option<String>,
        /// A proxy (such as the TLS terminator) whose X-Forwarded-For names the
        /// client, as an address or CIDR block; repeat for several.
        #[arg(long = "trusted-proxy", value_name = "CIDR")]
        trusted_proxies: Vec<String>,
        /// Public reports from all clients together per 10-minute window above
        /// which an operator alert is logged (the public is still served).
        #[arg(long, default_value_t = 20_000)]
        public_ceiling_per_window: u32,
        /// Write a checkpoint of the custody log (as `vigil log checkpoint`)
        /// to this file, at start and every --checkpoint-every minutes; keep
        /// it on another disk or share.
        #[arg(long = "checkpoint", value_name = "FILE")]
        checkpoint: Option<PathBuf>,
        #[arg(long = "checkpoint-every", value_name = "MINUTES", default_value_t = 15, requires = "checkpoint")]
        checkpoint_every: u64,
        /// Minutes within which a report of immediate danger should be
        /// triaged; the queue marks it overdue after that.
        #[arg(long = "triage-target-danger-minutes", value_name = "MINUTES", default_value_t = 15)]
        triage_target_danger_minutes: u32,
        /// Hours within which any other report should be triaged.
        #[arg(long = "triage-target-hours", value_name = "HOURS", default_value_t = 24)]
        triage_target_hours: u32,
        /// Serve HTTPS with this certificate chain (PEM); needs --tls-key.
        /// Without it Vigil speaks plain HTTP: fine on localhost or behind a
        /// TLS-terminating proxy (--trusted-proxy), as the session cookie is
        /// Secure and browsers send it only over HTTPS or to localhost.
        #[arg(long = "tls-cert", requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// The certificate's private key (PEM, mode 0600).
        #[arg(long = "tls-key", requires = "tls_cert")]
        tls_key: Option<PathBuf>,
        /// One person's reports at which supervisors are alerted that repeat tasking may make them a CHIS (RIPA s.26(8)).
        #[arg(long = "chis-alert-reports", value_name = "N", default_value_t = 3, value_parser = clap::value_parser!(u32).range(2..))]
        chis_alert_reports: u32,
    },
    /// Add, read, list, trace and delete exhibits.
    #[command(subcommand)]
    Exhibit(ExhibitCommand),
    /// Import a chat export (WhatsApp text or zip, Telegram JSON, Discord,
    /// Instagram or Messenger) as an exhibit and its message timeline;
    /// show a timeline.
    #[command(subcommand)]
    Chat(ChatCommand),
    /// Re-hash every blob, recompute the log's tree and check every signed head;
    /// or, given a prosecutor bundle, check it offline with the public key.
    Verify {
        /// A bundle directory from `vigil export bundle` (no data directory needed).
        bundle: Option<PathBuf>,
        /// The log's public key (DATA/keys/signing.pub), for a bundle.
        #[arg(long = "public-key", requires = "bundle")]
        public_key: Option<PathBuf>,
        /// For a sealed bundle: the passphrase file, to check the exhibits' clear content too.
        #[arg(long = "passphrase-file", requires = "bundle")]
        passphrase_file: Option<PathBuf>,
        /// A checkpoint from `vigil log checkpoint`, kept outside the store: the
        /// log must still hold its events, hashing to its root. Repeat for several.
        #[arg(long = "checkpoint", conflicts_with_all = ["bundle", "validation"])]
        checkpoints: Vec<PathBuf>,
        /// Incremental verify, for daily runs: only the events appended since
        /// this checkpoint (from `vigil log checkpoint`) and the heads signed
        /// since, the tree grown from the checkpoint's frontier. Earlier
        /// events, blobs and tables are left to a full verify.
        #[arg(long, value_name = "CHECKPOINT", conflicts_with_all = ["bundle", "validation", "checkpoints"])]
        since: Option<PathBuf>,
        /// A validation report from `vigil validate` (its validation.json):
        /// checks its signature, and validation.sig beside it, with --public-key.
        #[arg(long, conflicts_with = "bundle", requires = "validation_key")]
        validation: Option<PathBuf>,
        /// The log's public key, for --validation.
        #[arg(long = "validation-key", value_name = "PUBLIC_KEY", requires = "validation")]
        validation_key: Option<PathBuf>,
    },
    /// Back up the data directory into OUT (new or empty), itself a data
    /// directory: the store as one snapshot taken while others work (SQLite;
    /// PostgreSQL through pg_dump, kept as OUT/store.pgdump), then the vault's
    /// blobs, the keys and the settings. `vigil --data OUT verify` checks it.
    Backup {
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        actor: ActorArg,
    },
    /// Run the validation pack (Forensic Science Regulator's Code, FSR-G-201):
    /// each method against ground truth, written to OUT as validation.json,
    /// validation.pdf and validation.sig, signed with the log's key and kept as
    /// exhibits of case VALIDATION. Exits 3 when a requirement fails.
    Validate {
        #[arg(long)]
        out: PathBuf,
        /// The initials the report exhibits are produced under.
        #[arg(long, default_value = "VAL")]
        by: String,
        /// Keep the scratch directory the checks ran in (OUT/scratch-PID).
        #[arg(long)]
        keep_scratch: bool,
        /// Test only: corrupt this algorithm's digests, to show the pack
        /// catches a broken method.
        #[arg(long, hide = true)]
        break_digest: Option<String>,
    },
    /// CPIA disclosure: the material ledger.
    #[command(subcommand)]
    Disclosure(DisclosureCommand),
    /// Export material for others: the prosecutor bundle.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Export, verify and prove the custody log.
    #[command(subcommand)]
    Log(LogCommand),
    /// Hash every file under the sources in one pass per file and match against hash sets.
    Scan(ScanArgs),
    /// Take batches of distributed scans (`scan --distributed`) from the store and hash them.
    ScanWorker(ScanWorkerArgs),
    /// Print the PDQ perceptual hash of images: `hex quality path` per file.
    #[command(args_conflicts_with_subcommands = true)]
    Pdq {
        #[command(subcommand)]
        index: Option<PdqCommand>,
        files: Vec<PathBuf>,
        /// Also print the 8 dihedral hashes (original, rot90, rot180, rot270, flipX, flipY, flipPlus1, flipMinus1).
        #[arg(long)]
        dihedral: bool,
    },
    /// vPDQ video hashes (frames decoded by FFmpeg) and the comparison of two recordings.
    #[command(subcommand)]
    Video(VideoCommand),
    /// Import, list, export and remove known-hash sets.
    #[command(subcommand)]
    Hashset(HashsetCommand),
    /// Who has seen this: every read, copy, export and refused attempt on
    /// `exhibit:REF`, `report:REF` or `case:ID` (a case with its exhibits,
    /// reports and review set), with who, when and the reason given.
    Access { object: String },
    /// The data protection officer's audit export for a period: every
    /// consultation, disclosure, alteration and erasure, each with its
    /// custody event and leaf hash (CSV; JSON with --json).
    Audit {
        /// First day (YYYY-MM-DD, UTC) or instant (RFC 3339).
        #[arg(long)]
        from: String,
        /// Last day, included (YYYY-MM-DD), or instant, excluded (RFC 3339).
        #[arg(long)]
        to: String,
        #[command(flatten)]
        actor: ActorArg,
    },
    /// A case's review set of seized images (built by `scan --review`).
    #[command(subcommand)]
    Review(ReviewCommand),
    /// Retention review (MoPI-style): review dates from the force's policy,
    /// retain or dispose decisions, legal holds, disposal certificates.
    #[command(subcommand)]
    Retention(RetentionCommand),
    /// Administration: officer accounts.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Manage the vault's master key.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Where the blobs are kept.
    #[command(subcommand)]
    Vault(VaultCommand),
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

#[derive(Subcommand, Debug)]
pub enum ChatCommand {
    /// Seal the export as received, read it into a timeline that says what
    /// is missing, and seal the timeline as a second exhibit.
    Import {
        file: PathBuf,
        /// The case both exhibits belong to.
        #[arg(long = "case")]
        case: String,
        /// The producer's initials (2-4 capitals).
        #[arg(long)]
        by: String,
        /// auto (from the content), whatsapp, telegram, discord or instagram.
        #[arg(long, default_value = "auto")]
        format: String,
        /// The IANA zone the export's local times are in (such as
        /// Europe/London); recorded as given by you. Without it, local
        /// times are shown as written, zone unknown.
        #[arg(long)]
        timezone: Option<String>,
        /// For a WhatsApp export whose dates could all be either way round:
        /// dmy (day first) or mdy (month first), as the phone writes them.
        /// Without it such an export is read day-first (month-first for a
        /// 12-hour clock) and every time in it is marked uncertain.
        #[arg(long = "date-order", value_parser = ["dmy", "mdy"])]
        date_order: Option<String>,
    },
    /// Derive a timeline afresh from its original export, with the settings
    /// it records, and compare the bytes (exit 3 when they differ).
    Check {
        reference: String,
        /// Why the exhibits are read; recorded in the custody log.
        #[arg(long, default_value = "timeline checked against its original with vigil chat check")]
        reason: String,
        #[command(flatten)]
        actor: ActorArg,
    },
    /// Print a timeline exhibit (the access is logged).
    Show {
        reference: String,
        /// Why the timeline is read; recorded in the custody log.
        #[arg(long, default_value = "timeline read with vigil chat show")]
        reason: String,
        /// Only messages whose text or sender contains this (case-insensitive).
        #[arg(long)]
        search: Option<String>,
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
pub enum ExportCommand {
    /// Write a case's bundle for one audience: exhibits, manifest, schedules,
    /// inclusion proofs, signed tree head and CASE/UCO provenance.
    Bundle {
        case: String,
        out: PathBuf,
        /// Who it is for: `prosecutor` (MG6C, MG6D, MG6E, every scheduled
        /// item) or `defence` (service: the MG6C items the prosecutor has
        /// decided, the MG12, used exhibits and those decided "disclose";
        /// nothing sensitive).
        #[arg(long = "for", value_parser = ["prosecutor", "defence"])]
        audience: String,
        /// Seal the exhibits under a key from the passphrase in this file (first
        /// line, at least 12 characters); send the passphrase separately.
        #[arg(long = "encrypt-with")]
        encrypt_with: Option<PathBuf>,
        #[command(flatten)]
        actor: ActorArg,
    },
}

#[derive(Subcommand, Debug)]
pub enum DisclosureCommand {
    /// Every exhibit and material record of a case with its disclosure
    /// status (used, MG6C, MG6D, highly sensitive, not relevant, or
    /// unaccounted for) and its category; exit 3 when any is unaccounted for.
    Ledger {
        case: String,
        #[command(flatten)]
        actor: ActorArg,
    },
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
    /// Write the latest signed head to FILE, to keep outside the store
    /// (another disk, a witness): `vigil verify --checkpoint FILE` then
    /// detects removed or rewritten events.
    Checkpoint {
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
pub enum VaultCommand {
    /// Move the vault/ folder's blobs, sealed as they are, into an S3-compatible
    /// bucket (s3://BUCKET?endpoint=URL&region=R...), read each back and check it
    /// against its SHA-256, then point the data directory at the bucket. The
    /// folder's files stay until you remove them after `vigil verify` passes.
    Migrate {
        #[arg(long)]
        to: String,
        #[command(flatten)]
        actor: ActorArg,
    },
}

#[derive(Subcommand, Debug)]
pub enum KeysCommand {
    /// Re-wrap every blob key under a new master key; no blob is rewritten.
    Rotate {
        #[command(flatten)]
        actor: ActorArg,
    },
}

#[derive(Args, Debug)]
pub struct ScanArgs {
    /// Files and directories to scan (seized media mounted read-only, or a tree of exports).
    #[arg(required = true)]
    pub sources: Vec<PathBuf>,
    /// Record the scan in this case: custody events, and the report stored as an exhibit.
    #[arg(long = "case", requires = "by")]
    pub case: Option<String>,
    /// The examiner's initials (with --case).
    #[arg(long)]
    pub by: Option<String>,
    /// Hash sets (by name, from the data directory) to match against: `--hashsets caid,nsrl`.
    #[arg(long, value_delimiter = ',')]
    pub hashsets: Vec<String>,
    /// Digests to compute, from md5,sha1,sha256,blake3.
    #[arg(long, default_value = "md5,sha1,sha256,blake3")]
    pub algos: String,
    /// Worker threads (default: one per core).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Report format: dfxml, hashdeep, csv or json.
    #[arg(long, default_value = "dfxml")]
    pub format: String,
    /// Write the report here (default: standard output). A checkpoint is kept beside it.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Continue a killed scan from its checkpoint without re-reading finished files.
    #[arg(long)]
    pub resume: bool,
    /// Checkpoint file (default: OUT.checkpoint when --out is given).
    #[arg(long)]
    pub checkpoint: Option<PathBuf>,
    /// No progress bar and no summary on standard error.
    #[arg(long)]
    pub quiet: bool,
    /// Hash archives as files only, without opening ZIP and TAR members.
    #[arg(long)]
    pub no_archives: bool,
    /// Compute PDQ for image files (on by default when a PDQ hash set is selected).
    #[arg(long)]
    pub pdq: bool,
    /// Compute vPDQ for video files (FFmpeg decodes them; on by default when a vPDQ set is given).
    #[arg(long)]
    pub vpdq: bool,
    /// Known-bad videos to match by vPDQ: a features file in the reference format
    /// (`frame,quality,hash,seconds` lines, as `vigil video hash --vpdq-lines` writes) or a
    /// folder of them, each file one video labelled by its name.
    #[arg(long = "vpdq-set", value_name = "PATH")]
    pub vpdq_sets: Vec<PathBuf>,
    /// How files are read: `read` copies them into a buffer; `mmap` maps
    /// files of 256 KiB or more (one copy fewer, but a file truncated by
    /// another process during the scan stops it with SIGBUS; --resume
    /// continues); `auto` maps only on read-only mounts.
    #[arg(long, default_value = "auto", value_parser = ["auto", "read", "mmap"])]
    pub read: String,
    /// How MD5 and SHA-1 run: `lanes` hashes up to sixteen files at once in
    /// SIMD lanes where the CPU has AVX-512 (else one at a time); `one`
    /// hashes one file at a time with the RustCrypto code (for comparison).
    #[arg(long, default_value = "lanes", value_parser = ["lanes", "one"])]
    pub digests: String,
    /// Put every image and video that matched no known set into the case's review set
    /// (needs --case and sha256 among --algos; PDQ is computed), with sealed previews.
    #[arg(long, requires = "case")]
    pub review: bool,
    /// PDQ distance within which images of the review set stack (with --review).
    #[arg(long, default_value_t = 31, requires = "review")]
    pub stack_distance: u32,
    /// Share the hashing with `vigil scan-worker` processes on any host using
    /// this data directory's store (the media mounted at the same absolute
    /// path on each): the file list goes to the store in batches, and the
    /// report is gathered from their results once every batch is done.
    #[arg(long, conflicts_with_all = ["resume", "checkpoint"])]
    pub distributed: bool,
    /// Files per batch of a distributed scan.
    #[arg(long, default_value_t = 256, requires = "distributed")]
    pub batch_files: usize,
    /// Take over distributed scan JOB, queued by a coordinator that stopped
    /// before gathering it: run the same command again with this added.
    /// The sources are walked again and must give the very batches queued
    /// (same files, options and --batch-files); nothing is queued anew.
    #[arg(long, value_name = "JOB", requires = "distributed")]
    pub gather: Option<String>,
}

#[derive(Args, Debug)]
pub struct ScanWorkerArgs {
    /// Hashing threads (default: one per core).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// How long a batch stays this worker's without word from it; the
    /// worker renews it every third of this while it hashes, and a batch
    /// whose lease runs out (the worker was killed) goes to another.
    #[arg(long, default_value_t = 60)]
    pub lease_secs: u64,
    /// Stop once no distributed scan has a batch left to do (otherwise
    /// wait for more work, checking every second).
    #[arg(long)]
    pub until_idle: bool,
}

#[derive(Subcommand, Debug)]
pub enum HashsetCommand {
    /// Import a hash set file into the data directory.
    Import {
        name: String,
        file: PathBuf,
        /// vics, nsrl, hashdeep, md5sum, sha1sum, sha256sum, csv, or pdq (lines of hex[,quality[,category]]).
        #[arg(long)]
        format: String,
        /// known-bad or known-good.
        #[arg(long)]
        kind: String,
        /// Where the set came from (for example "CAID export 2026-11").
        #[arg(long, default_value = "unspecified")]
        source: String,
        /// Category for entries that carry none: A, B, C or other.
        #[arg(long, default_value = "other")]
        category: String,
        /// Map the source's own category labels, such as 1=A,2=B,3=C (VICS uses numbers).
        #[arg(long, default_value = "")]
        category_map: String,
        /// Replace an existing set of the same name.
        #[arg(long)]
        replace: bool,
        #[command(flatten)]
        actor: ActorArg,
    },
    /// List the hash sets with their kind, source and counts.
    List,
    /// Export a set as VICS JSON or CSV.
    Export {
        name: String,
        #[arg(long)]
        format: String,
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value = "1=A,2=B,3=C")]
        category_map: String,
    },
    /// Remove a hash set (logged).
    Remove {
        name: String,
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        actor: ActorArg,
    },
}

#[derive(Subcommand, Debug)]
pub enum ReviewCommand {
    /// The review set in stacks of near-duplicates: paths and hashes, no pictures.
    Stacks {
        case: String,
        #[command(flatten)]
        actor: ActorArg,
    },
    /// Counts per category (unique items and all copies), with the method.
    Counts {
        case: String,
        /// Also write them as a PDF for the case file.
        #[arg(long)]
        pdf: Option<PathBuf>,
        #[command(flatten)]
        actor: ActorArg,
    },
    /// The categorised items as VICS JSON or CSV, for the national database.
    Export {
        case: String,
        #[arg(long, default_value = "vics")]
        format: String,
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        actor: ActorArg,
    },
}

#[derive(Subcommand, Debug)]
pub enum VideoCommand {
    /// vPDQ: the PDQ hash and quality of one frame per second, as Meta's reference vpdq computes them.
    Hash {
        file: PathBuf,
        /// Seconds between hashed frames.
        #[arg(long, default_value_t = 1.0)]
        seconds_per_hash: f64,
        /// Print the reference's features format (`frame,quality,hash,seconds`), for a vPDQ set.
        #[arg(long, conflicts_with = "json")]
        vpdq_lines: bool,
    },
    /// Align two recordings in time order: the original's seconds missing from the edited version, and the edited version's seconds the original lacks.
    Compare {
        original: PathBuf,
        edited: PathBuf,
        /// Seconds whose PDQ hashes are at most this far apart are the same picture.
        #[arg(long, default_value_t = 48)]
        match_distance: u32,
    },
}

#[derive(Subcommand, Debug)]
pub enum PdqCommand {
    /// Build or query a PDQ match index.
    #[command(subcommand)]
    Index(PdqIndexCommand),
}

#[derive(Subcommand, Debug)]
pub enum PdqIndexCommand {
    /// Build an index from ThreatExchange-style lines: hex[,quality[,label]].
    Build {
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        #[arg(long)]
        out: PathBuf,
        /// Label for lines that carry none.
        #[arg(long, default_value = "other")]
        label: String,
    },
    /// Find every indexed hash within the radius of the given hashes or images.
    Query {
        index: PathBuf,
        /// PDQ hashes (64 hex digits) to look up.
        #[arg(long = "hash")]
        hashes: Vec<String>,
        /// Images to hash and look up (with their 8 dihedral variants).
        #[arg(long = "image")]
        images: Vec<PathBuf>,
        #[arg(long, default_value_t = 31)]
        radius: u32,
        /// Images whose PDQ quality is below this are reported, not matched.
        #[arg(long, default_value_t = 50)]
        min_quality: u32,
    },
}

#[derive(Subcommand, Debug)]
pub enum AdminCommand {
    /// Officer accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Partner organisations that send referrals through the API.
    #[command(subcommand)]
    Partner(PartnerCommand),
}

#[derive(Subcommand, Debug)]
pub enum PartnerCommand {
    /// Register a partner and print its API key once (only its hash is kept).
    Add {
        name: String,
        #[command(flatten)]
        actor: ActorArg,
    },
    /// Revoke a partner's API key (by the partner ID `add` printed).
    Revoke {
        id: String,
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        actor: ActorArg,
    },
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create an officer account. The password is read from standard input
    /// (first line); the TOTP secret is printed once for the officer's app.
    Add {
        username: String,
        /// triage-officer, investigator, forensic-examiner, disclosure-officer, supervisor, auditor or admin.
        #[arg(long)]
        role: String,
        #[command(flatten)]
        actor: ActorArg,
    },
    /// Disable an account at once: no more sign-ins, and its sessions end.
    Disable {
        username: String,
        /// Why (recorded in the custody log).
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        actor: ActorArg,
    },
}

#[derive(Subcommand, Debug)]
pub enum RetentionCommand {
    /// Every case, and every report closed without a case, with its review
    /// date and rule; those due first.
    Queue {
        /// Only those whose review date has come.
        #[arg(long)]
        due: bool,
    },
    /// One subject: `case:ID` or `report:PR/N`.
    Show { subject: String },
    /// Keep it, with the reason; the next review is the rule's period from
    /// now unless --next-review-days says.
    Retain {
        subject: String,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        next_review_days: Option<u32>,
        #[command(flatten)]
        actor: ActorArg,
    },
    /// Dispose of it: every exhibit it holds is deleted (keys destroyed) and
    /// a disposal certificate written (JSON and PDF, kept as exhibits of
    /// case DISPOSALS, and copied to --out).
    Dispose {
        subject: String,
        #[arg(long)]
        reason: String,
        /// A folder for copies of the certificate (JSON and PDF).
        #[arg(long)]
        out: Option<PathBuf>,
        /// The initials the certificate exhibits are produced under.
        #[arg(long, default_value = "RET")]
        initials: String,
        #[command(flatten)]
        actor: ActorArg,
    },
    /// Put a legal hold on it: it cannot be disposed of until released.
    Hold {
        subject: String,
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        actor: ActorArg,
    },
    /// Release a legal hold.
    Release {
        subject: String,
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        actor: ActorArg,
    },
    /// Record the court's result on a case (convicted, acquitted or
    /// discontinued), which ends its live prosecution.
    CourtResult {
        case: String,
        result: String,
        #[command(flatten)]
        actor: ActorArg,
    },
    /// Print the retention policy, or set it from a JSON file (logged with its SHA-256).
    Policy {
        #[arg(long)]
        set: Option<PathBuf>,
        #[command(flatten)]
        actor: ActorArg,
    },
    /// Check a disposal certificate offline with the log's public key.
    Check {
        certificate: PathBuf,
        #[arg(long = "public-key")]
        public_key: PathBuf,
    },
}
