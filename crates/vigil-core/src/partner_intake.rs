//! Referrals from partner organisations through the API: per-partner keys,
//! idempotent submission, and files declared by hash then streamed in. A
//! referral is an exhibit (producer `PA`, case `INTAKE-PARTNER`) and joins
//! the same triage queue and identifier linking as a public report. Each
//! uploaded file is an exhibit of its own, accepted only when its bytes
//! match every digest the partner declared.

use crate::data_dir::Vigil;
use crate::error::CoreError;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use vigil_domain::{Actor, CaseId, CustodyEvent, EventKind, ExhibitRef, Initials, ObjectRef, Referral, Sha256Digest};
use vigil_store::{IdempotencyRow, PartnerRow, ReportFileRow};
use vigil_vault::PendingBlob;

pub const PARTNER_CASE: &str = "INTAKE-PARTNER";
pub const PARTNER_PRODUCER: &str = "PA";
const KEY_PREFIX: &str = "vgp_";

/// A new partner's API key, shown once.
#[derive(Debug, Clone, Serialize)]
pub struct PartnerKey {
    pub id: String,
    pub name: String,
    pub key: String,
}

/// What a partner is told about an accepted referral. The same answer is
/// replayed for a repeated `Idempotency-Key`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReferralReceipt {
    /// The exhibit reference Vigil gave the referral.
    pub referral: String,
    /// The number to use in file upload paths.
    pub id: u32,
    pub received: String,
    #[serde(default)]
    pub partner_reference: Option<String>,
    pub files: Vec<FileSlot>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FileSlot {
    pub index: u32,
    pub name: String,
    pub sha256: String,
    /// Where to PUT the bytes.
    pub upload: String,
}

pub struct ReferralAnswer {
    pub receipt: ReferralReceipt,
    /// True when this is the stored answer to an earlier identical request.
    pub replayed: bool,
    pub immediate_danger: bool,
}

/// What a partner is told about an accepted file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FileUpload {
    pub referral: String,
    pub index: u32,
    /// The exhibit reference the file was given.
    pub exhibit: String,
    pub size: u64,
    pub sha256: String,
}

/// Why a partner request was refused.
#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    /// A field of the request is wrong; `field` is its JSON path or header name.
    #[error("{field}: {why}")]
    Field { field: String, why: String },
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    NotFound(String),
    #[error(transparent)]
    Core(#[from] CoreError),
}

impl From<vigil_store::StoreError> for IntakeError {
    fn from(e: vigil_store::StoreError) -> Self {
        IntakeError::Core(e.into())
    }
}

impl From<vigil_domain::ParseError> for IntakeError {
    fn from(e: vigil_domain::ParseError) -> Self {
        IntakeError::Core(e.into())
    }
}

fn field(field: &str, why: impl Into<String>) -> IntakeError {
    IntakeError::Field { field: field.into(), why: why.into() }
}

fn random_hex(n: usize) -> String {
    let mut b = vec![0u8; n];
    getrandom::getrandom(&mut b).expect("the OS random source is available");
    hex::encode(b)
}

fn sha256(b: &[u8]) -> [u8; 32] {
    Sha256::digest(b).into()
}

/// Compares without an early exit, so the time taken says nothing about the key.
fn same(a: &[u8; 32], b: &[u8; 32]) -> bool {
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Reads the JSON body, naming the path of the field that is wrong.
fn parse_referral(body: &[u8]) -> Result<Referral, IntakeError> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let r: Referral = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        // serde_json appends " at line L column C"; the path says more.
        let why = inner.to_string();
        let why = why.split(" at line ").next().unwrap_or(&why).to_owned();
        // A path of "." or "?" means the document itself is malformed.
        let f = if path == "." || path == "?" { "body".to_owned() } else { path };
        IntakeError::Field { field: f, why }
    })?;
    de.end().map_err(|_| field("body", "trailing characters after the JSON object"))?;
    Ok(r)
}

/// A partner known by its API key: who it is, not how its key is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partner {
    pub id: String,
    pub name: String,
}

impl Vigil {
    /// Registers a partner and returns its API key, which is not kept.
    pub fn add_partner(&self, name: &str, by: &Actor) -> Result<PartnerKey, CoreError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
            return Err(CoreError::Refused("the partner name must be one line of 1 to 100 characters".into()));
        }
        let id = random_hex(6);
        let key = format!("{KEY_PREFIX}{id}_{}", random_hex(32));
        self.write(|u| {
            let t = u.now;
            u.tx().insert_partner(&PartnerRow {
                id: id.clone(),
                name: name.to_owned(),
                key_hash: sha256(key.as_bytes()),
                created_ms: t.unix_millis(),
                revoked_ms: None,
            })?;
            let mut ev =
                CustodyEvent::new(EventKind::Created, by.clone(), t, ObjectRef::parse(&format!("partner:{id}"))?);
            ev.note = Some(format!("partner registered: {name}"));
            u.log(ev);
            Ok(())
        })?;
        Ok(PartnerKey { id, name: name.to_owned(), key })
    }

    /// Revokes a partner's key at once; the revocation is a custody event.
    pub fn revoke_partner(&self, id: &str, reason: &str, by: &Actor) -> Result<(), CoreError> {
        self.write(|u| {
            let t = u.now;
            if !u.tx().revoke_partner(id, t.unix_millis())? {
                return Err(CoreError::Refused(format!("no partner {id} with a live key")));
            }
            let mut ev =
                CustodyEvent::new(EventKind::Reviewed, by.clone(), t, ObjectRef::parse(&format!("partner:{id}"))?);
            ev.reason = Some(reason.to_owned());
            ev.note = Some("partner API key revoked".into());
            u.log(ev);
            Ok(())
        })
    }

    /// The partner an API key belongs to, if the key is valid and not revoked.
    pub fn partner_for_key(&self, key: &str) -> Result<Option<Partner>, CoreError> {
        let Some(rest) = key.trim().strip_prefix(KEY_PREFIX) else { return Ok(None) };
        let Some((id, _)) = rest.split_once('_') else { return Ok(None) };
        if id.len() != 12 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(None);
        }
        let Some(p) = self.store.read()?.partner(id)? else { return Ok(None) };
        let valid = p.revoked_ms.is_none() && same(&p.key_hash, &sha256(key.trim().as_bytes()));
        Ok(valid.then_some(Partner { id: p.id, name: p.name }))
    }

    /// Accepts a referral, or replays the answer to an identical earlier one
    /// under the same `Idempotency-Key`. Durable before it returns.
    pub fn submit_referral(
        &self,
        partner: &Partner,
        idempotency_key: &str,
        body: &[u8],
    ) -> Result<ReferralAnswer, IntakeError> {
        if idempotency_key.is_empty()
            || idempotency_key.len() > 200
            || !idempotency_key.bytes().all(|b| b.is_ascii_graphic())
        {
            return Err(field("Idempotency-Key", "must be 1 to 200 printable ASCII characters without spaces"));
        }
        let request_hash = sha256(body);
        if let Some(prior) = self.store.read()?.idempotent(&partner.id, idempotency_key)? {
            if !same(&prior.request_hash, &request_hash) {
                return Err(IntakeError::Conflict(
                    "this Idempotency-Key was already used with a different request body".into(),
                ));
            }
            let receipt: ReferralReceipt = serde_json::from_str(&prior.response)
                .map_err(|e| CoreError::Log(format!("a stored idempotent answer is malformed: {e}")))?;
            return Ok(ReferralAnswer { receipt, replayed: true, immediate_danger: false });
        }
        let referral = parse_referral(body)?;
        referral.validate().map_err(|e| IntakeError::Field { field: e.field, why: e.why })?;
        let report = referral.as_report();
        report.validate().map_err(|e| field(e.what, e.why))?;
        let (risk, identifiers) = self.assess_report(&report)?;
        let t = self.now();
        let stored = serde_json::json!({
            "submitted": t.to_string(),
            "partner": { "id": partner.id, "name": partner.name },
            "referral": referral,
            "report": report,
        });
        let bytes = serde_json::to_vec_pretty(&stored).expect("a referral serialises");
        // Sealed first; the exhibit, its event, the report row, its file
        // slots and the idempotent answer then commit as one unit.
        let digests = referral
            .files
            .iter()
            .enumerate()
            .map(|(i, f)| f.sha256_digest().map_err(|e| field(&format!("files[{i}].sha256"), e.why)))
            .collect::<Result<Vec<_>, _>>()?;
        let staged = self.stage_blobs(&[&bytes])?;
        let (case, producer) = (CaseId::parse(PARTNER_CASE)?, Initials::parse(PARTNER_PRODUCER)?);
        let note = format!("referral from partner {}", partner.name);
        let receipt = self.write_staged(&staged, |u| {
            let hashes = u.put_blob(&staged[0])?;
            let reference = u.record_exhibit(&case, &producer, Some("referral.json".into()), Some(&note), hashes)?;
            let id = reference.number();
            let receipt = ReferralReceipt {
                referral: reference.to_string(),
                id,
                received: t.to_string(),
                partner_reference: referral.partner_reference.clone(),
                files: referral
                    .files
                    .iter()
                    .enumerate()
                    .map(|(i, f)| FileSlot {
                        index: i as u32,
                        name: f.name.clone(),
                        sha256: f.sha256.to_ascii_lowercase(),
                        upload: format!("/api/v1/referrals/{id}/files/{i}"),
                    })
                    .collect(),
            };
            u.tx().insert_report(&crate::triage::new_report_row(&reference, t, &risk, report.kind), &identifiers)?;
            for (i, (f, sha256)) in referral.files.iter().zip(&digests).enumerate() {
                u.tx().insert_report_file(&ReportFileRow {
                    report: reference.clone(),
                    idx: i as u32,
                    owner: format!("partner:{}", partner.id),
                    name: f.name.clone(),
                    size: f.size,
                    content_type: f.content_type.clone(),
                    sha256: *sha256,
                    md5: f.md5.as_ref().map(|s| s.to_ascii_lowercase()),
                    sha1: f.sha1.as_ref().map(|s| s.to_ascii_lowercase()),
                    exhibit: None,
                })?;
            }
            u.tx().insert_idempotent(&IdempotencyRow {
                partner: partner.id.clone(),
                key: idempotency_key.to_owned(),
                request_hash,
                status: 201,
                response: serde_json::to_string(&receipt).expect("a receipt serialises"),
                created_ms: t.unix_millis(),
            })?;
            Ok(receipt)
        })?;
        Ok(ReferralAnswer { receipt, replayed: false, immediate_danger: risk.immediate_danger })
    }

    /// The declared file a partner may upload now: its own, not yet received.
    /// Another partner's referral is reported as absent, not as forbidden.
    pub fn referral_file_slot(
        &self,
        partner: &Partner,
        referral: u32,
        index: u32,
    ) -> Result<ReportFileRow, IntakeError> {
        let missing = || IntakeError::NotFound(format!("referral {referral} has no file {index} of yours"));
        let reference = ExhibitRef::new(Initials::parse(PARTNER_PRODUCER)?, referral).map_err(|_| missing())?;
        let slot =
            self.store.read()?.report_files(&reference)?.into_iter().find(|f| f.idx == index).ok_or_else(missing)?;
        if slot.owner != format!("partner:{}", partner.id) {
            return Err(missing());
        }
        if let Some(e) = &slot.exhibit {
            return Err(IntakeError::Conflict(format!(
                "file {index} of referral {reference} was already received as exhibit {e}"
            )));
        }
        Ok(slot)
    }

    /// Makes streamed, sealed bytes the exhibit for a declared file, if they
    /// match every declared digest; otherwise they are discarded and nothing
    /// is recorded.
    pub fn accept_referral_file(
        &self,
        partner: &Partner,
        slot: &ReportFileRow,
        pending: PendingBlob,
    ) -> Result<FileUpload, IntakeError> {
        let h = pending.hashes.clone();
        let mismatch = if h.size != slot.size {
            Some(format!("{} bytes arrived but files[{}].size declared {}", h.size, slot.idx, slot.size))
        } else if h.sha256 != slot.sha256 {
            Some(format!(
                "the SHA-256 of the bytes is {} but files[{}].sha256 declared {}",
                h.sha256, slot.idx, slot.sha256
            ))
        } else if slot.md5.as_deref().is_some_and(|m| m != h.md5.to_hex()) {
            Some(format!("the MD5 of the bytes is {} but files[{}].md5 declared another", h.md5, slot.idx))
        } else if slot.sha1.as_deref().is_some_and(|m| m != h.sha1.to_hex()) {
            Some(format!("the SHA-1 of the bytes is {} but files[{}].sha1 declared another", h.sha1, slot.idx))
        } else {
            None
        };
        if let Some(why) = mismatch {
            self.vault.discard(pending);
            return Err(field("body", why));
        }
        // Another upload of the same file may have finished meanwhile.
        if let Err(e) = self.referral_file_slot(partner, slot.report.number(), slot.idx) {
            self.vault.discard(pending);
            return Err(e);
        }
        let (h, _) = self.place_pending(pending)?;
        let (case, producer) = (CaseId::parse(PARTNER_CASE)?, Initials::parse(PARTNER_PRODUCER)?);
        crate::test_hooks::between_check_and_write(&self.layout.root, &case);
        let note = format!("file {} of referral {} from partner {}", slot.idx, slot.report, partner.name);
        // The file's exhibit and its place in the referral commit together.
        let exhibit = self.write(|u| {
            let exhibit = u.record_exhibit(&case, &producer, Some(slot.name.clone()), Some(&note), &h)?;
            // Decided here, in the unit: of two uploads racing with the same
            // file, the second finds it taken and keeps nothing.
            if !u.tx().set_report_file_exhibit(&slot.report, slot.idx, &exhibit)? {
                return Err(CoreError::Refused(format!(
                    "files[{}] of referral {} was already received",
                    slot.idx, slot.report
                )));
            }
            let mut ev = CustodyEvent::new(
                EventKind::Reviewed,
                Actor::parse(PARTNER_PRODUCER)?,
                u.now,
                ObjectRef::exhibit(&slot.report),
            );
            ev.case = Some(case.clone());
            ev.note = Some(format!("file {} received as exhibit {exhibit}", slot.idx));
            u.log(ev);
            Ok(exhibit)
        })?;
        Ok(FileUpload {
            referral: slot.report.to_string(),
            index: slot.idx,
            exhibit: exhibit.to_string(),
            size: h.size,
            sha256: Sha256Digest::to_hex(&h.sha256),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_errors_name_the_path() {
        let e = parse_referral(br#"{"incident":{"kind":"nope"},"reported_users":[]}"#).unwrap_err();
        match e {
            IntakeError::Field { field, why } => {
                assert_eq!(field, "incident.kind");
                assert!(why.contains("unknown variant"), "{why}");
            }
            other => panic!("{other}"),
        }
        let e = parse_referral(b"{").unwrap_err();
        assert!(matches!(e, IntakeError::Field { ref field, .. } if field == "body"), "{e}");
        let e = parse_referral(br#"{"incident":{}} x"#).unwrap_err();
        assert!(matches!(e, IntakeError::Field { .. }), "{e}");
    }
}
