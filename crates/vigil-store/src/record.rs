//! Rows as the store reads and writes them. Digests and references are
//! typed; leaves, signatures and wrapped keys stay opaque bytes, since the
//! store neither interprets nor trusts them.

use vigil_domain::{Blake3Digest, CaseId, ExhibitRef, Md5Digest, Sha1Digest, Sha256Digest};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRow {
    pub index: u64,
    /// The canonical leaf bytes; the source of truth for the event.
    pub leaf: Vec<u8>,
    pub leaf_hash: [u8; 32],
    /// Copies of leaf fields for queries. `verify` checks they agree with the leaf.
    pub kind: String,
    pub object: String,
    pub actor: String,
    pub time_ms: i64,
}

/// One stored event borrowed from the row as it is read: `verify` reads
/// every event once, and copying each into an [`EventRow`] (four
/// allocations and their frees) was a tenth of its time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventRowRef<'a> {
    pub index: u64,
    pub leaf: &'a [u8],
    pub leaf_hash: [u8; 32],
    pub kind: &'a str,
    pub object: &'a str,
    pub actor: &'a str,
    pub time_ms: i64,
}

impl EventRowRef<'_> {
    pub fn to_row(&self) -> EventRow {
        EventRow {
            index: self.index,
            leaf: self.leaf.to_vec(),
            leaf_hash: self.leaf_hash,
            kind: self.kind.to_owned(),
            object: self.object.to_owned(),
            actor: self.actor.to_owned(),
            time_ms: self.time_ms,
        }
    }
}

impl EventRow {
    pub fn as_ref(&self) -> EventRowRef<'_> {
        EventRowRef {
            index: self.index,
            leaf: &self.leaf,
            leaf_hash: self.leaf_hash,
            kind: &self.kind,
            object: &self.object,
            actor: &self.actor,
            time_ms: self.time_ms,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeadRow {
    pub tree_size: u64,
    pub root: [u8; 32],
    pub timestamp_ms: i64,
    pub signature: [u8; 64],
}

/// The sequencer row: the log's size and its Merkle frontier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogState {
    pub size: u64,
    pub frontier: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExhibitRow {
    pub reference: ExhibitRef,
    pub case_id: CaseId,
    pub sha256: Sha256Digest,
    pub md5: Md5Digest,
    pub sha1: Sha1Digest,
    pub blake3: Blake3Digest,
    pub size: u64,
    pub original_name: Option<String>,
    pub note: Option<String>,
    pub received_event: u64,
    pub received_ms: i64,
    pub deleted_event: Option<u64>,
}

/// A single-use form token's nonce, spent until `expires_at` (Unix
/// seconds; see [`Store::spend_form_tokens`](crate::Store::spend_form_tokens)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpentTokenRow {
    pub nonce: String,
    pub expires_at: i64,
}

/// Everything one public report writes (see
/// [`StoreTx::insert_public_reports`](crate::StoreTx::insert_public_reports)):
/// its sealed JSON where the store keeps it, its exhibit, its report row
/// with the identifiers found in it, its reporters' pseudonyms and its
/// receipt.
#[derive(Debug, Clone)]
pub struct PublicReportRows {
    /// The sealed bytes and their key, for content kept in the store; none
    /// where the blob is a vault file whose key is already committed.
    pub inline: Option<(KeyRow, Vec<u8>)>,
    pub exhibit: ExhibitRow,
    pub report: ReportRow,
    pub identifiers: Vec<String>,
    pub reporters: Vec<String>,
    /// The receipt's code; it is made when the report is received.
    pub receipt_code: String,
    pub receipt_secret_hash: String,
}

impl PublicReportRows {
    /// The report row must be the exhibit's own.
    pub(crate) fn check(&self) -> Result<(), crate::StoreError> {
        if self.report.exhibit == self.exhibit.reference {
            Ok(())
        } else {
            Err(crate::StoreError::Malformed("a public report's row names another exhibit"))
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRow {
    pub sha256: Sha256Digest,
    pub slot: [u8; 16],
    pub master_key_id: String,
    pub nonce: [u8; 24],
    pub wrapped: Vec<u8>,
}

pub(crate) fn fixed<const N: usize>(v: Vec<u8>, what: &'static str) -> Result<[u8; N], crate::StoreError> {
    v.try_into().map_err(|_| crate::StoreError::Malformed(what))
}

/// An officer account. The password is an argon2id PHC string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub username: String,
    pub role: String,
    pub password_hash: String,
    pub totp_secret: Vec<u8>,
    pub failed: u32,
    pub locked_until_ms: i64,
    /// The last TOTP time step accepted, so a code cannot be used twice.
    pub last_totp_step: i64,
    pub created_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    /// BLAKE3 of the session token: the token itself is never stored.
    pub id_hash: [u8; 32],
    pub username: String,
    pub csrf: String,
    pub created_ms: i64,
    pub expires_ms: i64,
}

/// A report's triage record: no report content, only what the queue shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRow {
    pub exhibit: ExhibitRef,
    pub received_ms: i64,
    pub immediate: bool,
    pub score: u32,
    /// JSON list of `[factor, weight]`.
    pub factors: String,
    pub grade: Option<String>,
    pub graded_by: Option<String>,
    pub graded_ms: Option<i64>,
    pub state: vigil_domain::ReportState,
    /// Set while the report is closed.
    pub closed_reason: Option<String>,
    /// What the reporter or partner says it is about (`ReportKind`);
    /// absent on reports received before it was kept apart.
    pub kind: Option<String>,
}

/// A partner organisation allowed to send referrals. Only the SHA-256 of
/// its API key is kept: the key is 32 random bytes, so a slow hash adds nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerRow {
    pub id: String,
    pub name: String,
    pub key_hash: [u8; 32],
    pub created_ms: i64,
    pub revoked_ms: Option<i64>,
}

/// The answer given to a partner's request under an `Idempotency-Key`,
/// replayed when the same key comes again with the same body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyRow {
    pub partner: String,
    pub key: String,
    pub request_hash: [u8; 32],
    pub status: u16,
    pub response: String,
    pub created_ms: i64,
}

/// A file that belongs to a report: declared by a partner (hashes given,
/// bytes uploaded later) or attached to the public form (bytes at once).
/// `exhibit` is set once the bytes are in the vault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportFileRow {
    pub report: ExhibitRef,
    pub idx: u32,
    /// Who may upload the bytes: `partner:ID`, or `public` for form attachments.
    pub owner: String,
    pub name: String,
    pub size: u64,
    pub content_type: String,
    pub sha256: Sha256Digest,
    pub md5: Option<String>,
    pub sha1: Option<String>,
    pub exhibit: Option<ExhibitRef>,
}

/// An officer's decision that two reports are (or are not) related,
/// overriding what shared identifiers say. `a` sorts before `b`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRow {
    pub a: ExhibitRef,
    pub b: ExhibitRef,
    pub linked: bool,
    pub by: String,
    pub reason: String,
    pub at_ms: i64,
}

/// One append-only case record: its JSON body is a `vigil_domain::CaseRecord`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRecordRow {
    /// Given by the store on insert; 0 before.
    pub id: u64,
    pub case_id: CaseId,
    pub kind: String,
    pub body: String,
    pub by: String,
    pub at_ms: i64,
    /// The custody event that recorded it.
    pub event: u64,
}

/// An identifier found in an exhibit (a chat timeline): where it was first
/// found (a message's source in the original) and how often.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExhibitIdentifierRow {
    pub exhibit: ExhibitRef,
    pub identifier: String,
    pub source: String,
    pub occurrences: u64,
}

/// A chat timeline exhibit and the export it was derived from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatTimelineRow {
    pub timeline: ExhibitRef,
    pub original: ExhibitRef,
    pub case_id: CaseId,
    pub format: String,
    pub messages: u64,
    pub conversations: u64,
}

/// One item of a case's review set: an image or video a scan found that
/// matched no known-good set, with what was decided about it. Exact
/// duplicates are one item with several paths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewItemRow {
    pub case_id: CaseId,
    /// The item's number in the case's review set, from 1.
    pub item: u64,
    /// `image` or `video`.
    pub kind: String,
    /// SHA-256 of the file, hex.
    pub sha256: String,
    /// Where it was found: a JSON array of escaped paths on the media.
    pub paths: String,
    pub pdq: Option<String>,
    pub quality: Option<u32>,
    /// The rest, as JSON: other digests, size, dihedral hashes, the sealed
    /// previews' SHA-256, a video's keyframe times, the scan.
    pub detail: String,
    /// The item number of its stack's representative (its own when alone).
    pub stack: u64,
    /// PDQ distance to the representative.
    pub distance: Option<u32>,
    pub category: Option<String>,
    pub method: Option<String>,
    /// The hash set that categorised it, or the representative it was decided with.
    pub source: Option<String>,
    pub decided_by: Option<String>,
    pub decided_ms: Option<i64>,
}

/// What one officer revealed on one day: items and milliseconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExposureRow {
    pub username: String,
    /// `YYYY-MM-DD`, UTC.
    pub day: String,
    pub items: u64,
    pub ms: u64,
}

/// An officer's review settings: blur (pixels of Gaussian sigma at 256 px),
/// greyscale (on or off) and their daily ceiling of items revealed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewSettingsRow {
    pub username: String,
    pub blur: u32,
    pub grey: bool,
    pub ceiling: u32,
}

/// Retention facts about one subject (`case:ID`, `report:PR/N`), or the
/// force's policy (subject `policy`, its JSON in `decision`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RetentionRow {
    pub subject: String,
    /// A legal hold, as JSON (reason, who, when); none when released.
    pub hold: Option<String>,
    /// The court's result (convicted, acquitted, discontinued).
    pub court_result: Option<String>,
    /// The latest review decision, as JSON.
    pub decision: Option<String>,
    /// The date a retain decision set for the next review.
    pub retained_until_ms: Option<i64>,
    /// The event that recorded its disposal.
    pub disposed_event: Option<u64>,
}

/// A batch of a distributed scan as a worker takes it: the scan's options
/// and this batch's entries (both JSON, the scan's own), and the lease it
/// holds them under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanBatchRow {
    pub job: String,
    pub batch: u64,
    pub options: String,
    pub entries: String,
    /// Times this batch was taken, this time included.
    pub attempts: u64,
}

impl ScanBatchRow {
    /// From the columns as both stores read them (counts as signed integers).
    pub(crate) fn new(job: String, batch: i64, options: String, entries: String, attempts: i64) -> Self {
        ScanBatchRow { job, batch: batch.max(0) as u64, options, entries, attempts: attempts.max(0) as u64 }
    }
}
