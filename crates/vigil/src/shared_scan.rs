//! A distributed scan: `vigil scan --distributed` walks the sources, queues
//! the entries in batches in the store and gathers the report from the
//! results; `vigil scan-worker` on any host takes batches under a lease,
//! hashes them and returns their records. The wire formats of both sides
//! (the scan's options, a batch's entries, its records) are here, once.

use crate::cli::{Cli, ScanWorkerArgs};
use anyhow::{anyhow, bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::Duration;
use vigil_core::{ScanBatch, Vigil};
use vigil_scan::{AlgoSet, Entry, FileRecord, ReadMode, ScanOptions};

/// What every worker must hash alike, as the coordinator was asked.
#[derive(Serialize, Deserialize)]
pub struct WorkOptions {
    pub algos: AlgoSet,
    pub archives: bool,
    pub pdq: bool,
    /// `--read` as given (`auto`, `read` or `mmap`).
    pub read: String,
    /// `--digests` as given (`lanes` or `one`).
    pub digests: String,
}

impl WorkOptions {
    /// The options of a scan that hashes as asked, on `jobs` threads,
    /// without a checkpoint or a progress bar.
    pub fn scan_options(&self, jobs: usize) -> Result<ScanOptions> {
        Ok(ScanOptions {
            algos: self.algos,
            jobs,
            archives: self.archives,
            checkpoint: None,
            resume: false,
            progress: false,
            pdq: self.pdq,
            // The command line checks `--read` before anything runs; this
            // is for a worker reading a job another version queued.
            read_mode: ReadMode::parse(&self.read)
                .ok_or_else(|| anyhow!("read mode must be auto, read or mmap, not {:?}", self.read))?,
            kernel: if self.digests == "one" {
                vigil_scan::multi_buffer::Kernel::scalar()
            } else {
                vigil_scan::multi_buffer::Kernel::detect()
            },
        })
    }
}

/// An entry between hosts: its path's bytes in hex (names need not be UTF-8).
#[derive(Serialize, Deserialize)]
struct WireEntry {
    path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

fn encode_batch(entries: &[Entry]) -> String {
    let wire: Vec<WireEntry> =
        entries.iter().map(|e| WireEntry { path: hex::encode(e.bytes()), error: e.error.clone() }).collect();
    serde_json::to_string(&wire).expect("entries serialise")
}

fn decode_batch(s: &str) -> Result<Vec<Entry>> {
    let wire: Vec<WireEntry> = serde_json::from_str(s).context("the batch's entries are not readable")?;
    wire.into_iter()
        .map(|w| Ok(Entry::from_bytes(&hex::decode(&w.path).context("an entry's path is not hex")?, w.error)))
        .collect()
}

/// The coordinator's side: queues `entries` in batches of `batch_files`
/// (or, with `gather`, takes over that job, queued by an earlier run of the
/// same command that stopped), waits until workers have done them all, and
/// answers every entry's records in entry order, as a one-process scan
/// holds them.
pub fn distribute(
    vigil: &Vigil,
    entries: &[Entry],
    options: &WorkOptions,
    batch_files: usize,
    gather: Option<&str>,
    quiet: bool,
) -> Result<Vec<Vec<FileRecord>>> {
    if entries.is_empty() && gather.is_none() {
        return Ok(Vec::new());
    }
    let chunks: Vec<&[Entry]> = entries.chunks(batch_files.max(1)).collect();
    let batches: Vec<String> = chunks.iter().map(|c| encode_batch(c)).collect();
    let options = serde_json::to_string(options)?;
    let job = match gather {
        Some(job) => {
            adopt(vigil, job, &options, &batches)?;
            if !quiet {
                eprintln!("distributed scan {job}: taken over ({} files in {} batches)", entries.len(), batches.len());
            }
            job.to_owned()
        }
        None => {
            let job = vigil.queue_scan(&options, &batches)?;
            if !quiet {
                eprintln!(
                    "distributed scan {job}: {} files in {} batches queued; waiting for scan workers \
                     (`vigil --data DIR scan-worker` on each host); if this process stops, the same \
                     command with `--gather {job}` gathers the report",
                    entries.len(),
                    batches.len()
                );
            }
            job
        }
    };
    let mut shown = None;
    loop {
        let (done, total) =
            vigil.scan_progress(&job)?.ok_or_else(|| anyhow!("distributed scan {job} left the queue unfinished"))?;
        if !quiet && shown != Some(done) {
            eprintln!("distributed scan {job}: {done} of {total} batches done");
            shown = Some(done);
        }
        if done == total {
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let mut per_entry = Vec::with_capacity(entries.len());
    for (i, (results, chunk)) in vigil.gather_scan(&job)?.iter().zip(&chunks).enumerate() {
        let records: Vec<Vec<FileRecord>> = serde_json::from_str(results)
            .with_context(|| format!("distributed scan {job}, batch {i}: the results are not readable"))?;
        if records.len() != chunk.len() {
            bail!("distributed scan {job}, batch {i}: {} entries' results for {} entries", records.len(), chunk.len());
        }
        per_entry.extend(records);
    }
    Ok(per_entry)
}

/// Checks that `job` was queued with exactly these options and batches:
/// the report gathered from it must be the one this command would make.
fn adopt(vigil: &Vigil, job: &str, options: &str, batches: &[String]) -> Result<()> {
    let (queued_options, queued) = vigil.queued_scan(job)?.ok_or_else(|| {
        anyhow!("--gather {job}: there is no distributed scan {job} in this store (gathered already, or never queued)")
    })?;
    if queued_options != options {
        bail!(
            "--gather {job}: the scan was queued with other options (--algos, --pdq, --no-archives, --read or \
             --digests differ); run the command exactly as it was first run"
        );
    }
    if queued.len() != batches.len() {
        bail!(
            "--gather {job}: the scan was queued as {} batches, these sources make {} (the files under them \
             changed since, or --batch-files differs)",
            queued.len(),
            batches.len()
        );
    }
    if let Some(i) = queued.iter().zip(batches).position(|(q, b)| q != b) {
        bail!(
            "--gather {job}: batch {i} as queued holds other files than these sources give now (the files \
             under them changed since it was queued); its report would not describe this tree"
        );
    }
    Ok(())
}

/// This process's name in the queue's leases: host and process ID.
fn worker_name() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_else(|_| "host".into());
    format!("{}:{}", host.trim(), std::process::id())
}

/// `vigil scan-worker`: takes batches until stopped (or, with
/// `--until-idle`, until no scan has work left), renewing each lease while
/// it hashes.
pub fn run(cli: &Cli, a: &ScanWorkerArgs) -> Result<ExitCode> {
    let jobs = crate::scan_command::hashing_threads(a.jobs)?;
    if a.lease_secs < 3 {
        bail!("--lease-secs must be at least 3 (the lease is renewed every third of it)");
    }
    let vigil = Vigil::open(&cli.data).with_context(|| format!("opening {}", cli.data.display()))?;
    let lease = Duration::from_secs(a.lease_secs);
    let name = worker_name();
    let (mut batches, mut files) = (0u64, 0u64);
    loop {
        let Some(b) = vigil.take_scan_batch(&name, lease)? else {
            if a.until_idle && vigil.scan_work_left()? == 0 {
                break;
            }
            std::thread::sleep(Duration::from_millis(if a.until_idle { 250 } else { 1000 }));
            continue;
        };
        let n = work_on(&vigil, &b, jobs, lease)?;
        batches += 1;
        files += n;
    }
    println!("scan worker {name}: {batches} batches, {files} files hashed");
    Ok(ExitCode::SUCCESS)
}

/// Hashes one batch while a second thread keeps its lease; answers the
/// number of entries.
fn work_on(vigil: &Vigil, b: &ScanBatch, jobs: usize, lease: Duration) -> Result<u64> {
    let what = format!("batch {} of distributed scan {}", b.batch, b.job);
    let options: WorkOptions =
        serde_json::from_str(&b.options).with_context(|| format!("{what}: the scan's options are not readable"))?;
    let opts = options.scan_options(jobs).with_context(|| format!("{what}: the scan's options"))?;
    let entries = decode_batch(&b.entries).with_context(|| what.clone())?;
    let again = if b.attempts > 1 { format!(", taken again (attempt {})", b.attempts) } else { String::new() };
    eprintln!("took {what}: {} files{again}", entries.len());
    let (stop, stopped) = mpsc::channel::<()>();
    let records = std::thread::scope(|sc| {
        let what = &what;
        sc.spawn(move || {
            while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(lease / 3) {
                match vigil.renew_scan_lease(b, lease) {
                    Ok(true) => {}
                    Ok(false) => {
                        eprintln!("{what}: the lease was lost; its results will be dropped");
                        break;
                    }
                    // A store that cannot be reached now may be back before the lease ends.
                    Err(e) => eprintln!("{what}: the lease could not be renewed: {e}"),
                }
            }
        });
        let records = vigil_scan::hash_batch(&entries, &opts);
        drop(stop);
        records
    });
    let results = serde_json::to_string(&records)?;
    if vigil.finish_scan_batch(b, &results)? {
        eprintln!("finished {what}");
    } else {
        eprintln!("{what}: another worker holds it now (this lease ran out); these results were dropped");
    }
    Ok(entries.len() as u64)
}

/// Sources of a distributed scan are opened by workers on other hosts, as
/// given: relative paths would name other places there.
pub fn check_sources(sources: &[PathBuf]) -> Result<()> {
    for s in sources {
        if !s.is_absolute() {
            bail!(
                "--distributed needs absolute source paths (workers on other hosts open them as given): {}",
                s.display()
            );
        }
    }
    Ok(())
}
