//! An exhibit as Vigil's callers see it: its reference, case, digests and
//! when it was received or deleted. The store's row stays in the store
//! crate; this is what leaves core.

use vigil_domain::{Blake3Digest, CaseId, ExhibitRef, Md5Digest, Sha1Digest, Sha256Digest, Timestamp};
use vigil_store::ExhibitRow;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exhibit {
    pub reference: ExhibitRef,
    pub case_id: CaseId,
    pub sha256: Sha256Digest,
    pub md5: Md5Digest,
    pub sha1: Sha1Digest,
    pub blake3: Blake3Digest,
    pub size: u64,
    pub original_name: Option<String>,
    pub note: Option<String>,
    /// The custody event that received it.
    pub received_event: u64,
    pub received: Timestamp,
    /// The custody event that deleted it, if it was.
    pub deleted_event: Option<u64>,
}

impl From<ExhibitRow> for Exhibit {
    fn from(r: ExhibitRow) -> Self {
        Exhibit {
            reference: r.reference,
            case_id: r.case_id,
            sha256: r.sha256,
            md5: r.md5,
            sha1: r.sha1,
            blake3: r.blake3,
            size: r.size,
            original_name: r.original_name,
            note: r.note,
            received_event: r.received_event,
            received: Timestamp::from_unix_millis(r.received_ms),
            deleted_event: r.deleted_event,
        }
    }
}
