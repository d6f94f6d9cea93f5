//! Shared scan work: a distributed scan's entries, cut into batches, wait in
//! the store until scan workers on any host take them under a lease. A
//! worker that stops (killed, its host lost) stops renewing its lease, and
//! once the lease runs out the batch is taken again by another; a result is
//! kept only from the worker that still holds the batch's lease, so a late
//! worker cannot overwrite or duplicate anything. The rows are operational:
//! the report gathered from them is what becomes evidence.
//!
//! Lease times are each host's clock: hosts sharing work keep their clocks
//! in step (NTP), well within a lease.

use crate::data_dir::Vigil;
use crate::error::CoreError;
use std::time::Duration;

/// A batch as one worker holds it.
#[derive(Debug, Clone)]
pub struct ScanBatch {
    pub job: String,
    pub batch: u64,
    /// The scan's options, as the coordinator wrote them.
    pub options: String,
    /// This batch's entries, as the coordinator wrote them.
    pub entries: String,
    /// Times the batch was taken, this time included (more than one: a
    /// worker before this one stopped or ran out of time).
    pub attempts: u64,
    /// This worker's lease on it.
    pub lease: String,
}

/// The host's clock, not the evidence clock a test may set: leases are
/// between hosts.
fn wall_ms() -> i64 {
    crate::clock::now().unix_millis()
}

/// `bytes` random bytes in hex: job IDs, lease tokens, scan IDs.
pub(crate) fn random_hex(bytes: usize) -> Result<String, CoreError> {
    let mut raw = vec![0u8; bytes];
    getrandom::getrandom(&mut raw).map_err(|e| CoreError::Refused(format!("no OS randomness: {e}")))?;
    Ok(hex::encode(raw))
}

impl Vigil {
    /// Queues a distributed scan; answers its job ID.
    pub fn queue_scan(&self, options: &str, batches: &[String]) -> Result<String, CoreError> {
        let job = random_hex(8)?;
        self.write_unlogged(|tx| Ok(tx.insert_scan_job(&job, options, wall_ms(), batches)?))?;
        Ok(job)
    }

    /// Takes the next batch of any distributed scan for `worker` (a name
    /// for people reading the queue: host and process), leased for `lease`.
    pub fn take_scan_batch(&self, worker: &str, lease: Duration) -> Result<Option<ScanBatch>, CoreError> {
        let token = format!("{worker} {}", random_hex(8)?);
        let now = wall_ms();
        let until = now.saturating_add(lease.as_millis() as i64);
        let row = self.write_unlogged(|tx| Ok(tx.claim_scan_batch(&token, now, until)?))?;
        Ok(row.map(|r| ScanBatch {
            job: r.job,
            batch: r.batch,
            options: r.options,
            entries: r.entries,
            attempts: r.attempts,
            lease: token,
        }))
    }

    /// Extends a held lease by `lease` from now; false when it was lost.
    pub fn renew_scan_lease(&self, b: &ScanBatch, lease: Duration) -> Result<bool, CoreError> {
        let until = wall_ms().saturating_add(lease.as_millis() as i64);
        self.write_volatile(|tx| Ok(tx.renew_scan_lease(&b.job, b.batch, &b.lease, until)?))
    }

    /// Stores a batch's results; false when the lease was lost meanwhile
    /// (the batch is another worker's now, and these results are dropped).
    pub fn finish_scan_batch(&self, b: &ScanBatch, results: &str) -> Result<bool, CoreError> {
        self.write_unlogged(|tx| Ok(tx.finish_scan_batch(&b.job, b.batch, &b.lease, results)?))
    }

    /// Batches done and batches in all; none for an unknown job.
    pub fn scan_progress(&self, job: &str) -> Result<Option<(u64, u64)>, CoreError> {
        Ok(self.store.read()?.scan_job_progress(job)?)
    }

    /// What a distributed scan was queued with (its options and each
    /// batch's entries), for a coordinator that takes over the gathering
    /// of a job whose first coordinator stopped; none for an unknown job.
    pub fn queued_scan(&self, job: &str) -> Result<Option<(String, Vec<String>)>, CoreError> {
        Ok(self.store.read()?.scan_job_queued(job)?)
    }

    /// Batches of any distributed scan not done yet.
    pub fn scan_work_left(&self) -> Result<u64, CoreError> {
        Ok(self.store.read()?.scan_work_left()?)
    }

    /// Every batch's results in order, once all are done; the job's rows
    /// are then dropped (they held the scanned paths).
    pub fn gather_scan(&self, job: &str) -> Result<Vec<String>, CoreError> {
        let results = self.store.read()?.scan_results(job)?;
        if results.is_empty() {
            return Err(CoreError::Refused(format!(
                "there is no distributed scan {job} (gathered already, or never queued)"
            )));
        }
        let done: Option<Vec<String>> = results.into_iter().collect();
        let done = done.ok_or_else(|| CoreError::Refused(format!("distributed scan {job} is not finished")))?;
        self.write_unlogged(|tx| Ok(tx.delete_scan_job(job)?))?;
        Ok(done)
    }
}
