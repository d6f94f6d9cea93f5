//! The metadata store: one trait, two implementations. SQLite (WAL, full
//! fsync) is the embedded default; PostgreSQL, chosen by a `postgres://`
//! URL, is the scale-out store. Both run the same versioned migrations.
//!
//! Architecture invariants:
//! - Only this crate writes the database.
//! - Custody events and signed heads are insert-only. No method here updates
//!   or deletes them, and database triggers refuse it too.
//! - Appends are sequenced: [`StoreTx::lock_log`] takes a lock (a write
//!   transaction in SQLite, a row lock in PostgreSQL) that two processes
//!   cannot hold at once, so the log never forks.

mod error;
mod migration;
mod notification_listener;
mod pg_statements;
mod pool;
mod postgres_store;
pub mod projection;
mod rate_count;
mod record;
mod sqlite_store;

pub use error::StoreError;
pub use migration::{Migration, MIGRATIONS};
pub use notification_listener::NotificationListener;
pub use pool::{Pooled, StorePool};
pub use postgres_store::PostgresStore;
pub use projection::{ProjectionChange, OPERATIONAL, PROJECTED};
pub use rate_count::RateCount;
pub use record::{
    CaseRecordRow, ChatTimelineRow, EventRow, EventRowRef, ExhibitIdentifierRow, ExhibitRow, ExposureRow, HeadRow,
    IdempotencyRow, KeyRow, LinkRow, LogState, PartnerRow, PublicReportRows, ReportFileRow, ReportRow, RetentionRow,
    ReviewItemRow, ReviewSettingsRow, ScanBatchRow, SessionRow, SpentTokenRow, UserRow,
};
pub use sqlite_store::SqliteStore;

/// Reports holding a matching identifier (report, identifier), and
/// exhibits holding one.
pub type IdentifierMatches = (Vec<(ExhibitRef, String)>, Vec<ExhibitIdentifierRow>);

use vigil_domain::{CaseId, ExhibitRef, Initials, ReportState, Sha256Digest};

/// Reads outside a transaction. Each call sees a consistent snapshot.
pub trait Store: Send {
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;
    /// Lets commits return before their fsync, for a caller that makes
    /// them durable itself (SQLite's group commit in the pool); a no-op
    /// where commits are durable on return anyway.
    fn relax_sync(&mut self) -> Result<(), StoreError> {
        Ok(())
    }
    /// After rows holding secrets were deleted (a shredded exhibit's keys),
    /// removes the earlier versions of their pages that the engine still
    /// keeps on disk. SQLite: `secure_delete` has zeroed the pages, and the
    /// write-ahead log, which still holds their earlier versions, is
    /// checkpointed and truncated. PostgreSQL keeps dead row versions until
    /// its own vacuum reuses the space; its disk is the database operator's
    /// to protect, so this is a no-op there.
    fn purge_deleted(&mut self) -> Result<(), StoreError> {
        Ok(())
    }
    /// Writes one consistent snapshot of the whole store to a new file at
    /// `path`, while others go on writing; false where the engine's own
    /// tools make backups instead (PostgreSQL: `pg_dump`).
    fn snapshot_to(&mut self, path: &std::path::Path) -> Result<bool, StoreError> {
        let _ = path;
        Ok(false)
    }
    fn begin(&mut self) -> Result<Box<dyn StoreTx + '_>, StoreError>;
    /// Spends single-use form tokens' nonces, each until its `expires_at`
    /// (Unix seconds), first dropping the spends that expired before `now`
    /// when `sweep`; answers for each whether it was spent now: false when
    /// it was spent already, on this node or another, and that spend had not
    /// expired by `now` (of two equal nonces given together, the first is
    /// spent, the second not). Touches only the operational table of spent
    /// tokens, so no custody event is due, and waits for no disk: a spend
    /// lost to a crash would at most let one form be sent once more.
    fn spend_form_tokens(&mut self, spends: &[SpentTokenRow], now: i64, sweep: bool) -> Result<Vec<bool>, StoreError>;
    /// Counts requests in their rate windows (see [`RateCount`]) in one
    /// transaction that touches only the operational rate counts; answers
    /// each its client's count and everyone's in its window as if they had
    /// been counted one by one in the order given.
    fn count_requests(&mut self, counts: &[RateCount]) -> Result<Vec<(i64, i64)>, StoreError>;
    /// Every row of a table (projected, or operational and recounted by
    /// `verify`) as the capture triggers render rows (JSON), for `verify` to
    /// compare with what the log says.
    fn projection_rows(&mut self, table: &str) -> Result<Vec<String>, StoreError>;
    /// The schema's tables, and those of them that carry capture triggers.
    fn tables(&mut self) -> Result<(Vec<String>, Vec<String>), StoreError>;
    fn schema_version(&mut self) -> Result<u32, StoreError>;
    fn meta(&mut self, key: &str) -> Result<Option<String>, StoreError>;
    fn log_state(&mut self) -> Result<LogState, StoreError>;
    /// Events with `from <= index`, at most `limit` of them, in index order.
    fn events(&mut self, from: u64, limit: u64) -> Result<Vec<EventRow>, StoreError>;
    /// Hands each event with `from <= index < to` to `visit`, in index
    /// order, borrowed from its row (`verify` reads the log in such slices
    /// on several connections at once); returns how many there were.
    fn each_event_between(
        &mut self,
        from: u64,
        to: u64,
        visit: &mut dyn FnMut(EventRowRef<'_>),
    ) -> Result<u64, StoreError>;
    /// The highest stored event index, whatever the sequencer says.
    fn last_event_index(&mut self) -> Result<Option<u64>, StoreError>;
    fn events_for_object(&mut self, object: &str) -> Result<Vec<EventRow>, StoreError>;
    /// Events about any object whose reference starts with `prefix` ending
    /// in `/` (every item of a case's review set: `review-item:CASE/`), in log order.
    fn events_for_objects_under(&mut self, prefix: &str) -> Result<Vec<EventRow>, StoreError>;
    /// Every event of one kind, in log order.
    fn events_of_kind(&mut self, kind: &str) -> Result<Vec<EventRow>, StoreError>;
    /// The stored leaf hashes of events `0..upto`, in order.
    fn leaf_hashes(&mut self, upto: u64) -> Result<Vec<[u8; 32]>, StoreError>;
    fn heads(&mut self) -> Result<Vec<HeadRow>, StoreError>;
    /// The heads of at least `min_size` events, oldest first (an
    /// incremental verify reads only those after its checkpoint).
    fn heads_from(&mut self, min_size: u64) -> Result<Vec<HeadRow>, StoreError>;
    fn latest_head(&mut self) -> Result<Option<HeadRow>, StoreError>;
    fn exhibit(&mut self, r: &ExhibitRef) -> Result<Option<ExhibitRow>, StoreError>;
    fn exhibits(&mut self) -> Result<Vec<ExhibitRow>, StoreError>;
    /// The exhibits held by one case (by its own intake or as a report added
    /// to it), by reference; read through the indexes, not the whole vault.
    fn exhibits_of_case(&mut self, case: &CaseId) -> Result<Vec<ExhibitRow>, StoreError>;
    /// How many exhibits the case holds (its own and the reports added to it).
    fn case_exhibit_count(&mut self, id: &CaseId) -> Result<u64, StoreError>;
    fn keys_for(&mut self, sha: &Sha256Digest) -> Result<Vec<KeyRow>, StoreError>;
    /// A small blob's sealed bytes, where the store keeps them instead of the vault folder.
    fn inline_blob(&mut self, sha: &Sha256Digest) -> Result<Option<Vec<u8>>, StoreError>;
    /// A chat timeline's page index, sealed (see `timeline_pages` in
    /// [`projection::OPERATIONAL`]).
    fn timeline_pages(&mut self, timeline: &ExhibitRef) -> Result<Option<Vec<u8>>, StoreError>;
    fn current_master_key(&mut self) -> Result<Option<String>, StoreError>;
    /// A public report's receipt: the exhibit it names and the secret's argon2id hash.
    fn receipt(&mut self, code: &str) -> Result<Option<(ExhibitRef, String)>, StoreError>;
    fn user(&mut self, username: &str) -> Result<Option<UserRow>, StoreError>;
    fn session(&mut self, id_hash: &[u8; 32]) -> Result<Option<SessionRow>, StoreError>;
    /// One page of the reports in a state: by urgency (immediate danger
    /// first, then score, then oldest; the `reports_queue` index) or by age
    /// (oldest first; the `reports_age` index).
    fn report_queue(
        &mut self,
        state: ReportState,
        order: vigil_domain::QueueOrder,
        offset: u64,
        limit: u64,
    ) -> Result<Vec<ReportRow>, StoreError>;
    /// When the longest-waiting report in a state was received.
    fn oldest_received(&mut self, state: ReportState) -> Result<Option<i64>, StoreError>;
    /// Every report received at or after `since_ms`, oldest first (the
    /// team's figures; no report content).
    fn reports_received_since(&mut self, since_ms: i64) -> Result<Vec<ReportRow>, StoreError>;
    /// When each open (new or graded) report was received, and whether it
    /// is immediate danger, oldest first.
    fn open_reports_received(&mut self) -> Result<Vec<(i64, bool)>, StoreError>;
    /// How many reports are in each state (kept by triggers, not counted).
    fn report_counts(&mut self) -> Result<Vec<(ReportState, u64)>, StoreError>;
    fn report(&mut self, exhibit: &ExhibitRef) -> Result<Option<ReportRow>, StoreError>;
    /// Every report left with any of these reporter pseudonyms, oldest first.
    fn reports_by_reporters(&mut self, reporters: &[String]) -> Result<Vec<ExhibitRef>, StoreError>;
    /// A report's reporter pseudonyms.
    fn reporters_of(&mut self, exhibit: &ExhibitRef) -> Result<Vec<String>, StoreError>;
    /// Pseudonyms with at least `min` reports, and those reports.
    fn repeat_reporters(&mut self, min: u64) -> Result<Vec<(String, Vec<ExhibitRef>)>, StoreError>;
    /// How many reports hold each of these (normalised) identifiers, in
    /// the order given.
    fn reports_holding_each(&mut self, identifiers: &[String]) -> Result<Vec<u64>, StoreError>;
    /// Other reports holding any of these (normalised) identifiers.
    fn reports_sharing(
        &mut self,
        identifiers: &[String],
        except: Option<&ExhibitRef>,
    ) -> Result<Vec<ExhibitRef>, StoreError>;
    /// A case's title, if it exists.
    fn case_title(&mut self, id: &CaseId) -> Result<Option<String>, StoreError>;
    /// When a case was opened (ms since the epoch), if it exists.
    fn case_opened_ms(&mut self, id: &CaseId) -> Result<Option<i64>, StoreError>;
    /// The cases a report has been added to.
    fn cases_of_report(&mut self, exhibit: &ExhibitRef) -> Result<Vec<CaseId>, StoreError>;
    /// The reports added to a case, by reference.
    fn reports_of_case(&mut self, case: &CaseId) -> Result<Vec<ExhibitRef>, StoreError>;
    /// The normalised identifiers a report holds.
    fn identifiers_of(&mut self, exhibit: &ExhibitRef) -> Result<Vec<String>, StoreError>;
    /// The identifiers found in an exhibit (a chat timeline), by identifier.
    fn exhibit_identifiers(&mut self, exhibit: &ExhibitRef) -> Result<Vec<ExhibitIdentifierRow>, StoreError>;
    /// Exhibits in which any of these identifiers was found, by exhibit then identifier.
    fn exhibits_holding(&mut self, identifiers: &[String]) -> Result<Vec<ExhibitIdentifierRow>, StoreError>;
    /// Reports and exhibits holding an identifier that matches a SQL LIKE
    /// pattern (with `\\` as the escape), at most `limit` of each.
    fn identifiers_like(&mut self, pattern: &str, limit: u32) -> Result<IdentifierMatches, StoreError>;
    /// What the reporter added to a report later, oldest first: (addition, when).
    fn report_additions(&mut self, report: &ExhibitRef) -> Result<Vec<(ExhibitRef, i64)>, StoreError>;
    /// The chat timelines of a case, in reference order.
    fn chat_timelines(&mut self, case: &CaseId) -> Result<Vec<ChatTimelineRow>, StoreError>;
    fn chat_timeline(&mut self, timeline: &ExhibitRef) -> Result<Option<ChatTimelineRow>, StoreError>;
    fn partner(&mut self, id: &str) -> Result<Option<PartnerRow>, StoreError>;
    fn idempotent(&mut self, partner: &str, key: &str) -> Result<Option<IdempotencyRow>, StoreError>;
    /// A report's files, in order.
    fn report_files(&mut self, report: &ExhibitRef) -> Result<Vec<ReportFileRow>, StoreError>;
    /// Manual link and unlink decisions that involve this report.
    fn manual_links(&mut self, report: &ExhibitRef) -> Result<Vec<LinkRow>, StoreError>;
    /// Every case: ID and title, in ID order.
    fn cases(&mut self) -> Result<Vec<(CaseId, String)>, StoreError>;
    /// The usernames assigned to a case.
    fn case_members(&mut self, id: &CaseId) -> Result<Vec<String>, StoreError>;
    /// A case's records, oldest first.
    fn case_records(&mut self, id: &CaseId) -> Result<Vec<CaseRecordRow>, StoreError>;
    /// A case's review set, by item number.
    fn review_items(&mut self, case: &CaseId) -> Result<Vec<ReviewItemRow>, StoreError>;
    /// One item of a case's review set.
    fn review_item(&mut self, case: &CaseId, item: u64) -> Result<Option<ReviewItemRow>, StoreError>;
    /// Review items of every case in one category (the second-opinion queue), by case and item.
    fn review_items_in(&mut self, category: &str) -> Result<Vec<ReviewItemRow>, StoreError>;
    /// What officers revealed on each day from `since_day` (`YYYY-MM-DD`): one officer's, or everyone's.
    fn review_exposure(&mut self, username: Option<&str>, since_day: &str) -> Result<Vec<ExposureRow>, StoreError>;
    fn review_settings(&mut self, username: &str) -> Result<Option<ReviewSettingsRow>, StoreError>;
    /// Cases whose title or a person's name holds words starting with
    /// every one of `words` (lower-case letters and digits only), from the
    /// search index: (case, what matched, the text), at most `limit`; only
    /// cases `member` is assigned to when given.
    fn case_terms_matching(
        &mut self,
        words: &[String],
        member: Option<&str>,
        limit: u32,
    ) -> Result<Vec<(CaseId, String, String)>, StoreError>;
    /// The cases an officer is assigned to, with their titles, in ID order.
    fn cases_of_member(&mut self, username: &str) -> Result<Vec<(CaseId, String)>, StoreError>;
    /// Every retention row, by subject.
    fn retention_rows(&mut self) -> Result<Vec<RetentionRow>, StoreError>;
    fn retention_row(&mut self, subject: &str) -> Result<Option<RetentionRow>, StoreError>;
    /// A distributed scan's batches done, and its batches in all; none for
    /// a job that does not exist (or was gathered).
    fn scan_job_progress(&mut self, job: &str) -> Result<Option<(u64, u64)>, StoreError>;
    /// The batches of every distributed scan not done yet.
    fn scan_work_left(&mut self) -> Result<u64, StoreError>;
    /// What a distributed scan was queued with: its options and each
    /// batch's entries in order; none for a job that does not exist.
    fn scan_job_queued(&mut self, job: &str) -> Result<Option<(String, Vec<String>)>, StoreError>;
    /// A job's results, batch by batch in order; an unfinished batch gives none.
    fn scan_results(&mut self, job: &str) -> Result<Vec<Option<String>>, StoreError>;
}

/// One write transaction. Dropping it without [`commit`](StoreTx::commit) rolls back.
pub trait StoreTx {
    /// Takes out the changes this transaction made to projected tables, in
    /// the order they were made (see `projection.rs`).
    fn take_projection_changes(&mut self) -> Result<Vec<ProjectionChange>, StoreError>;
    /// Takes the log's sequencer lock and returns the current state.
    fn lock_log(&mut self) -> Result<LogState, StoreError>;
    fn save_log_state(&mut self, state: &LogState) -> Result<(), StoreError>;
    fn insert_events(&mut self, rows: &[EventRow]) -> Result<(), StoreError>;
    fn insert_head(&mut self, head: &HeadRow) -> Result<(), StoreError>;
    /// A unit's whole append: its events, the new signed head and the
    /// sequencer's new state. One round trip on PostgreSQL (the sequencer
    /// lock is held meanwhile, so every round trip here is every unit's wait).
    fn append_log(&mut self, rows: &[EventRow], head: &HeadRow, state: &LogState) -> Result<(), StoreError> {
        self.insert_events(rows)?;
        self.insert_head(head)?;
        self.save_log_state(state)
    }
    fn set_meta(&mut self, key: &str, value: &str) -> Result<(), StoreError>;
    fn next_exhibit_number(&mut self, initials: &Initials) -> Result<u32, StoreError>;
    /// Takes the next `n` exhibit numbers of a producer at once (`n` > 0);
    /// returns the first, the others following it without a gap.
    fn reserve_exhibit_numbers(&mut self, initials: &Initials, n: u32) -> Result<u32, StoreError> {
        let first = self.next_exhibit_number(initials)?;
        for k in 1..n {
            let next = self.next_exhibit_number(initials)?;
            if next != first + k {
                return Err(StoreError::Malformed("exhibit counter"));
            }
        }
        Ok(first)
    }
    /// Writes public reports whose exhibit numbers and events are already
    /// fixed: each one's inline blob (its key checked against the current
    /// master key), exhibit, report row and identifiers, reporters and
    /// receipt. A backend with round trips to pay writes them all at once.
    fn insert_public_reports(&mut self, reports: &[PublicReportRows]) -> Result<(), StoreError> {
        for r in reports {
            r.check()?;
            if let Some((key, sealed)) = &r.inline {
                self.insert_inline_blob(key, sealed)?;
            }
            self.insert_exhibit(&r.exhibit)?;
            self.insert_report(&r.report, &r.identifiers)?;
            self.insert_report_reporters(&r.exhibit.reference, &r.reporters)?;
            self.insert_receipt(&r.receipt_code, &r.exhibit.reference, &r.receipt_secret_hash, r.report.received_ms)?;
        }
        Ok(())
    }
    fn insert_exhibit(&mut self, row: &ExhibitRow) -> Result<(), StoreError>;
    fn mark_exhibit_deleted(&mut self, r: &ExhibitRef, event: u64) -> Result<(), StoreError>;
    /// Live (not deleted) exhibits whose content is this blob.
    fn live_exhibits_with_blob(&mut self, sha: &Sha256Digest) -> Result<Vec<ExhibitRef>, StoreError>;
    /// Fails with [`StoreError::RetiredMasterKey`] unless `id` is the
    /// current master key, and holds that answer until the transaction
    /// ends: a rotation's retirement of the key waits for it (PostgreSQL
    /// row lock; SQLite has one writer), so a rotation never misses a key
    /// this transaction wraps under it.
    fn require_current_master_key(&mut self, id: &str) -> Result<(), StoreError>;
    /// Stores a wrapped blob key, after [`StoreTx::require_current_master_key`]
    /// on the key it is wrapped under.
    fn insert_key(&mut self, key: &KeyRow) -> Result<(), StoreError>;
    /// Keeps a small blob's sealed bytes; the first copy of some content stays.
    /// A small blob kept in the store: its key (as [`StoreTx::insert_key`])
    /// and its sealed bytes, together.
    fn insert_inline_blob(&mut self, key: &KeyRow, sealed: &[u8]) -> Result<(), StoreError>;
    fn insert_timeline_pages(&mut self, timeline: &ExhibitRef, sealed: &[u8]) -> Result<(), StoreError>;
    fn delete_timeline_pages(&mut self, timeline: &ExhibitRef) -> Result<(), StoreError>;
    /// Every page index with its timeline's SHA-256 (what it is bound to),
    /// for master key rotation; locked until the unit ends on PostgreSQL.
    fn sealed_timeline_pages(&mut self) -> Result<Vec<(ExhibitRef, Sha256Digest, Vec<u8>)>, StoreError>;
    /// Replaces a page index's sealed bytes (sealed again under a new key).
    fn reseal_timeline_pages(&mut self, timeline: &ExhibitRef, sealed: &[u8]) -> Result<(), StoreError>;
    fn all_keys(&mut self) -> Result<Vec<KeyRow>, StoreError>;
    /// Replaces the wrapping of the key for `(sha256, slot)`.
    fn replace_key(&mut self, key: &KeyRow) -> Result<(), StoreError>;
    /// Destroys every wrapped key of a blob (crypto-shredding), and its
    /// sealed bytes where the store keeps them; returns how many keys.
    fn delete_keys(&mut self, sha: &Sha256Digest) -> Result<u64, StoreError>;
    /// Destroys one wrapped key (a copy staged for a write that failed).
    fn delete_key(&mut self, sha: &Sha256Digest, slot: &[u8; 16]) -> Result<(), StoreError>;
    /// Whether any key for the content survives, read inside the unit: an
    /// exhibit is recorded only for content that can still be read.
    fn has_key(&mut self, sha: &Sha256Digest) -> Result<bool, StoreError>;
    fn insert_master_key(&mut self, id: &str, created_ms: i64) -> Result<(), StoreError>;
    fn retire_master_key(&mut self, id: &str, retired_ms: i64) -> Result<(), StoreError>;
    fn insert_user(&mut self, user: &UserRow) -> Result<(), StoreError>;
    /// Every account's user name and sealed TOTP secret (for master key rotation).
    fn totp_secrets(&mut self) -> Result<Vec<(String, Vec<u8>)>, StoreError>;
    fn set_totp_secret(&mut self, username: &str, sealed: &[u8]) -> Result<(), StoreError>;
    /// Counts a failed sign-in, touching nothing else on the account (a
    /// stale read must never write back an older TOTP step or lift a lock).
    fn count_failed_login(&mut self, username: &str) -> Result<(), StoreError>;
    /// Uses a TOTP step for a sign-in, if it is later than every step the
    /// account has used and the account is not locked at `now_ms`: decided
    /// by the update itself, so of several sign-ins racing with one code
    /// exactly one gets `true`. Clears the failure count when it does.
    fn claim_totp_step(&mut self, username: &str, step: i64, now_ms: i64) -> Result<bool, StoreError>;
    /// Spends single-use form tokens' nonces in this transaction, so each
    /// is spent if and only if what its form sent commits with it; answers
    /// as [`Store::spend_form_tokens`].
    fn spend_form_tokens(&mut self, spends: &[SpentTokenRow], now: i64) -> Result<Vec<bool>, StoreError>;
    /// As [`Store::reports_holding_each`], read in this transaction: a unit
    /// that stores reports asks for all of them at once, in one statement.
    fn reports_holding_each(&mut self, identifiers: &[String]) -> Result<Vec<u64>, StoreError>;
    /// As [`Store::count_requests`], in this transaction: a unit that
    /// stores what the requests sent counts them with it, in one statement,
    /// and the counts commit (or roll back) with the unit.
    fn count_requests(&mut self, counts: &[RateCount]) -> Result<Vec<(i64, i64)>, StoreError>;
    /// Sends `payload` to every node listening on `channel` when this
    /// transaction commits (PostgreSQL `NOTIFY`); false where the store has
    /// no such thing (SQLite: one node, which delivers its own).
    fn notify(&mut self, channel: &str, payload: &str) -> Result<bool, StoreError>;
    /// The salt of `limiter`'s window starting at `window_start`: `candidate`
    /// if this call opens the window, else the salt another node chose.
    /// The call that opens a window drops the earlier ones, salts and counts.
    fn window_salt(&mut self, limiter: &str, window_start: i64, candidate: &[u8]) -> Result<Vec<u8>, StoreError>;
    /// Locks the account until `locked_until_ms` (disabling, with a far date).
    fn lock_user(&mut self, username: &str, locked_until_ms: i64) -> Result<(), StoreError>;
    fn insert_session(&mut self, s: &SessionRow) -> Result<(), StoreError>;
    fn delete_session(&mut self, id_hash: &[u8; 32]) -> Result<(), StoreError>;
    /// Ends every session of an account; returns how many there were.
    fn delete_sessions_of(&mut self, username: &str) -> Result<u64, StoreError>;
    fn insert_report(&mut self, r: &ReportRow, identifiers: &[String]) -> Result<(), StoreError>;
    /// The keyed pseudonyms of the reporter's contact details.
    fn insert_report_reporters(&mut self, exhibit: &ExhibitRef, reporters: &[String]) -> Result<(), StoreError>;
    fn insert_exhibit_identifiers(&mut self, rows: &[ExhibitIdentifierRow]) -> Result<(), StoreError>;
    fn insert_chat_timeline(&mut self, row: &ChatTimelineRow) -> Result<(), StoreError>;
    fn insert_report_addition(
        &mut self,
        report: &ExhibitRef,
        addition: &ExhibitRef,
        at_ms: i64,
    ) -> Result<(), StoreError>;
    fn insert_case(&mut self, id: &CaseId, title: &str, by: &str, at_ms: i64) -> Result<(), StoreError>;
    fn add_report_to_case(&mut self, id: &CaseId, exhibit: &ExhibitRef, by: &str, at_ms: i64)
        -> Result<(), StoreError>;
    /// Records a grade; a new report becomes graded.
    fn set_grade(&mut self, exhibit: &ExhibitRef, grade: &str, by: &str, at_ms: i64) -> Result<(), StoreError>;
    /// Moves a report to another state (with the reason when closed).
    fn set_report_state(
        &mut self,
        exhibit: &ExhibitRef,
        state: ReportState,
        closed_reason: Option<&str>,
    ) -> Result<(), StoreError>;
    fn insert_receipt(
        &mut self,
        code: &str,
        exhibit: &ExhibitRef,
        secret_hash: &str,
        created_ms: i64,
    ) -> Result<(), StoreError>;
    fn insert_partner(&mut self, p: &PartnerRow) -> Result<(), StoreError>;
    /// Marks a partner's key revoked; false if there is no such partner.
    fn revoke_partner(&mut self, id: &str, at_ms: i64) -> Result<bool, StoreError>;
    fn insert_idempotent(&mut self, r: &IdempotencyRow) -> Result<(), StoreError>;
    fn insert_report_file(&mut self, f: &ReportFileRow) -> Result<(), StoreError>;
    /// Names the exhibit a declared file became, if it has none yet;
    /// false when another upload of the same file got there first.
    fn set_report_file_exhibit(
        &mut self,
        report: &ExhibitRef,
        idx: u32,
        exhibit: &ExhibitRef,
    ) -> Result<bool, StoreError>;
    /// Records a manual link decision, replacing any earlier one for the pair.
    fn set_link(&mut self, l: &LinkRow) -> Result<(), StoreError>;
    fn add_case_member(&mut self, id: &CaseId, username: &str, by: &str, at_ms: i64) -> Result<(), StoreError>;
    /// The number of the case's latest record (0 when it has none), read
    /// inside the unit: a rule checked against the case's records still
    /// holds if this has not moved since they were read.
    fn latest_case_record(&mut self, id: &CaseId) -> Result<u64, StoreError>;
    /// How many exhibits the case holds (its own and the reports added to
    /// it), read inside the transaction: a check made on an earlier read
    /// of them stands only if this has not changed.
    fn case_exhibit_count(&mut self, id: &CaseId) -> Result<u64, StoreError>;
    /// Appends a case record; returns the number the store gave it.
    fn insert_case_record(&mut self, r: &CaseRecordRow) -> Result<u64, StoreError>;
    /// Inserts a new review item; fails if its case already has one of its number
    /// (another scan added it meanwhile), so no item is ever overwritten by a new one.
    fn insert_review_item(&mut self, r: &ReviewItemRow) -> Result<(), StoreError>;
    /// Replaces the review item with its case and number (a decision, a split, a new location).
    fn put_review_item(&mut self, r: &ReviewItemRow) -> Result<(), StoreError>;
    /// Adds to an officer's exposure for a day.
    fn add_exposure(&mut self, username: &str, day: &str, items: u64, ms: u64) -> Result<(), StoreError>;
    fn set_review_settings(&mut self, r: &ReviewSettingsRow) -> Result<(), StoreError>;
    /// A subject's retention row as this unit sees it (under the log's
    /// lock, so no other logged unit changes it before this one commits).
    fn retention_row(&mut self, subject: &str) -> Result<Option<RetentionRow>, StoreError>;
    /// Inserts or replaces a subject's retention row.
    fn put_retention(&mut self, r: &RetentionRow) -> Result<(), StoreError>;
    /// Queues a distributed scan: its options and its batches' entries.
    fn insert_scan_job(
        &mut self,
        id: &str,
        options: &str,
        created_ms: i64,
        batches: &[String],
    ) -> Result<(), StoreError>;
    /// Takes the first batch that is queued or whose lease ran out before
    /// `now_ms`, leasing it as `lease` until `until_ms`; on PostgreSQL a
    /// batch another worker is taking at the same moment is skipped, not waited for.
    fn claim_scan_batch(&mut self, lease: &str, now_ms: i64, until_ms: i64)
        -> Result<Option<ScanBatchRow>, StoreError>;
    /// Extends a lease this worker still holds; false when it lost it.
    fn renew_scan_lease(&mut self, job: &str, batch: u64, lease: &str, until_ms: i64) -> Result<bool, StoreError>;
    /// Stores a batch's results if `lease` still holds it; false when it
    /// does not (another worker took it after the lease ran out).
    fn finish_scan_batch(&mut self, job: &str, batch: u64, lease: &str, results: &str) -> Result<bool, StoreError>;
    /// Drops a distributed scan and its batches.
    fn delete_scan_job(&mut self, job: &str) -> Result<(), StoreError>;
    fn commit(self: Box<Self>) -> Result<(), StoreError>;
    /// Commits and, where the backend can do so as cheaply as its group
    /// flush ([`StorePool::make_durable`]), waits for the disk within the
    /// commit; returns whether it did. A unit that writes many requests'
    /// rows at once is worth a flush of its own (PostgreSQL: the commit
    /// flushes the WAL itself, with no flush transaction beside it).
    fn commit_synced(self: Box<Self>) -> Result<bool, StoreError> {
        self.commit()?;
        Ok(false)
    }
}

/// Opens the store a location names: a `postgres://` or `postgresql://` URL,
/// or else a SQLite file path. Runs pending migrations.
pub fn open(location: &str) -> Result<Box<dyn Store>, StoreError> {
    if location.starts_with("postgres://") || location.starts_with("postgresql://") {
        Ok(Box::new(PostgresStore::connect(location)?))
    } else {
        Ok(Box::new(SqliteStore::open(std::path::Path::new(location))?))
    }
}
