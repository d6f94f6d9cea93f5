//! Exhibits: adding a file to the vault under a reference like `ABC/1`,
//! reading it back with a logged reason, its continuity, and retention
//! deletion by crypto-shredding.

use crate::data_dir::{sync_dir, Vigil};
use crate::error::CoreError;
use serde::Serialize;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use vigil_custody::decode_leaf;
use vigil_domain::{Actor, CaseId, CustodyEvent, EventKind, ExhibitRef, FileHashes, Initials, ObjectRef, Timestamp};
use vigil_store::{ExhibitRow, KeyRow};
use vigil_vault::{MultiHasher, PendingBlob, VaultError, WrappedKey};

#[derive(Debug, Clone, Serialize)]
pub struct AddedExhibit {
    pub reference: ExhibitRef,
    pub case: CaseId,
    pub hashes: FileHashes,
    pub event: u64,
    pub tree_size: u64,
    /// Whether identical content was already in the vault (stored once).
    pub deduplicated: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct RetrievedExhibit {
    pub reference: ExhibitRef,
    pub out: PathBuf,
    pub hashes: FileHashes,
    pub event: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct DeletedExhibit {
    pub reference: ExhibitRef,
    pub event: u64,
    /// Whether the content key was destroyed. It is kept while another live
    /// exhibit (`sharing`) holds identical content.
    pub shredded: bool,
    pub sharing: Vec<ExhibitRef>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HistoryEntry {
    pub index: u64,
    #[serde(flatten)]
    pub event: CustodyEvent,
}

fn key_row(w: &WrappedKey) -> KeyRow {
    KeyRow {
        sha256: w.sha256,
        slot: w.slot,
        master_key_id: w.master_key_id.clone(),
        nonce: w.nonce,
        wrapped: w.wrapped.clone(),
    }
}

pub(crate) fn wrapped(k: &KeyRow) -> WrappedKey {
    WrappedKey {
        sha256: k.sha256,
        slot: k.slot,
        master_key_id: k.master_key_id.clone(),
        nonce: k.nonce,
        wrapped: k.wrapped.clone(),
    }
}

/// Checks a note as the `received` event will, so bad input is refused
/// before any byte is read or sealed.
fn check_note(by: &Initials, note: Option<&str>) -> Result<(), vigil_domain::ParseError> {
    let mut probe = CustodyEvent::new(EventKind::Received, Actor::from(by), Timestamp(0), ObjectRef::log());
    probe.note = note.map(str::to_owned);
    probe.validate()
}

impl Vigil {
    /// Refuses initials that are not the producer's own. The public's and
    /// partners' codes belong to intake alone, so a copy or an import cannot
    /// pass as something a reporter sent; and once an exhibit bears some
    /// initials, only whoever received the first of them may produce more
    /// under them (a copy's `received` event names who made it), so work
    /// cannot pass as another officer's. That first exhibit is not named:
    /// it may be another case's.
    pub(crate) fn check_producer(&self, by: &Initials, actor: &Actor) -> Result<(), CoreError> {
        if [crate::INTAKE_PRODUCER, crate::PARTNER_PRODUCER].contains(&by.as_str()) {
            return Err(CoreError::InvalidInput {
                field: "producer".into(),
                why: format!("{by} is reserved for intake; give your own initials"),
            });
        }
        let mut store = self.store.read()?;
        let Some(first) = store.exhibit(&ExhibitRef::new(by.clone(), 1)?)? else { return Ok(()) };
        let owner = store.events(first.received_event, 1)?.into_iter().next();
        if owner.is_some_and(|ev| ev.actor != actor.as_str()) {
            return Err(CoreError::InvalidInput {
                field: "producer".into(),
                why: format!("{by} are another producer's initials; give your own"),
            });
        }
        Ok(())
    }
}

/// Content at most this long is kept in the store, not the vault folder:
/// a public report's few kilobytes then cost no file and no fsync of their
/// own, only their share of the unit's commit.
pub(crate) const INLINE_MAX: usize = 64 * 1024;

/// Content sealed for one unit of work: in the vault folder with its key
/// committed, or (`inline`) sealed in memory for the unit to keep.
pub(crate) struct StagedBlob {
    pub(crate) hashes: FileHashes,
    inline: Option<vigil_vault::SealedBlob>,
    /// For content placed in the vault folder: the slot of the key that was
    /// committed for it, to destroy if the unit that needs it fails.
    slot: Option<[u8; 16]>,
}

impl StagedBlob {
    pub(crate) fn is_inline(&self) -> bool {
        self.inline.is_some()
    }

    /// The key and sealed bytes for the unit to keep in the store, where
    /// the content was sealed in memory; none for a blob in the vault
    /// folder (its key is committed already).
    pub(crate) fn inline_rows(&self) -> Option<(KeyRow, Vec<u8>)> {
        self.inline.as_ref().map(|s| (key_row(&s.wrapped), s.sealed.clone()))
    }
}

/// Opens an input file, refusing anything that is not a readable regular file.
pub(crate) fn open_input(path: &Path) -> Result<File, CoreError> {
    let meta = fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => CoreError::file(path, "no such file"),
        std::io::ErrorKind::PermissionDenied => CoreError::file(path, "permission denied"),
        _ => CoreError::file(path, e),
    })?;
    if meta.is_dir() {
        return Err(CoreError::file(path, "is a directory; add the files in it one by one"));
    }
    if !meta.is_file() {
        return Err(CoreError::file(path, "is not a regular file"));
    }
    File::open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::PermissionDenied => CoreError::file(path, "permission denied (the file is not readable)"),
        _ => CoreError::file(path, e),
    })
}

impl Vigil {
    /// Adds a file as an exhibit. The blob is in place and the custody event
    /// committed before this returns, so a returned reference is durable.
    pub fn add_exhibit(
        &self,
        path: &Path,
        case: &CaseId,
        by: &Initials,
        note: Option<&str>,
    ) -> Result<AddedExhibit, CoreError> {
        // Check the note before reading a byte, so bad input wastes nothing.
        check_note(by, note)?;

        let input = open_input(path)?;
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        self.add_exhibit_from(input, name, case, by, note).map_err(|e| match e {
            CoreError::Vault(VaultError::Input(io)) => CoreError::file(path, format!("reading failed: {io}")),
            other => other,
        })
    }

    /// Adds bytes Vigil itself holds (a submitted report, say) as an exhibit,
    /// without a round trip through a temp file.
    pub fn add_exhibit_bytes(
        &self,
        bytes: &[u8],
        name: &str,
        case: &CaseId,
        by: &Initials,
        note: Option<&str>,
    ) -> Result<AddedExhibit, CoreError> {
        check_note(by, note)?;
        self.add_exhibit_from(bytes, Some(name.to_owned()), case, by, note)
    }

    /// The one ingest path: seal into the vault, key durable first, then
    /// the exhibit and its `received` event in one transaction.
    fn add_exhibit_from(
        &self,
        input: impl std::io::Read,
        original_name: Option<String>,
        case: &CaseId,
        by: &Initials,
        note: Option<&str>,
    ) -> Result<AddedExhibit, CoreError> {
        let pending = self.vault.ingest(input, &self.master)?;
        self.commit_ingested(pending, original_name, case, by, note)
    }

    /// Something that seals bytes into the vault without the store, so a
    /// long upload can stream while others use Vigil. Its result becomes an
    /// exhibit through [`Vigil::commit_ingested`], or is discarded.
    pub fn ingester(&self) -> Ingester {
        Ingester { vault: self.vault.clone(), master: self.master.clone() }
    }

    /// Makes sealed bytes an exhibit: the rest of the one ingest path.
    pub fn commit_ingested(
        &self,
        pending: PendingBlob,
        original_name: Option<String>,
        case: &CaseId,
        by: &Initials,
        note: Option<&str>,
    ) -> Result<AddedExhibit, CoreError> {
        if let Err(e) = check_note(by, note) {
            self.vault.discard(pending);
            return Err(e.into());
        }
        if pending.wrapped.master_key_id != self.master.id() {
            // The master key was rotated while the bytes streamed in.
            self.vault.discard(pending);
            return Err(CoreError::Refused("the master key changed during the upload; send it again".into()));
        }
        let (hashes, placement) = self.place_pending(pending)?;
        crate::test_hooks::between_check_and_write(&self.layout.root, case);
        let deduplicated = placement == vigil_vault::Placement::AlreadyPresent;
        let (reference, receipt) = self.write_logged(|u| u.record_exhibit(case, by, original_name, note, &hashes))?;
        let receipt = receipt.expect("an exhibit is logged");
        Ok(AddedExhibit {
            reference,
            case: case.clone(),
            hashes,
            event: receipt.first_index,
            tree_size: receipt.head.head.tree_size,
            deduplicated,
        })
    }

    /// Puts one sealed blob in place. Its key is made durable first, so a
    /// blob in the vault always has a key (see `Vault::place`); the key
    /// alone is no exhibit, so a crash after it leaves nothing to find.
    pub(crate) fn place_pending(
        &self,
        pending: PendingBlob,
    ) -> Result<(FileHashes, vigil_vault::Placement), CoreError> {
        let key = key_row(&pending.wrapped);
        if let Err(e) = self.write_unlogged(|tx| Ok(tx.insert_key(&key)?)) {
            self.vault.discard(pending);
            return Err(e);
        }
        self.put_in_place(pending)
    }

    /// Links a sealed blob whose key is committed into the vault; an
    /// existing copy stays if its key is live (see `Vault::place`).
    fn put_in_place(&self, pending: PendingBlob) -> Result<(FileHashes, vigil_vault::Placement), CoreError> {
        let hashes = pending.hashes.clone();
        let live_slots: Vec<[u8; 16]> = self.store.read()?.keys_for(&hashes.sha256)?.iter().map(|k| k.slot).collect();
        let placement = self.vault.place(pending, |s| live_slots.contains(s))?;
        Ok((hashes, placement))
    }

    /// Seals several byte strings for one later unit of work that makes
    /// them all exhibits at once (see [`crate::custody_log::Unit::put_blob`]).
    /// Small ones are sealed in memory, for that unit to keep with their
    /// keys; larger ones go into the vault folder and are put in place, their
    /// keys committed together first. Sealing runs before any store lock is
    /// taken.
    pub(crate) fn stage_blobs(&self, inputs: &[&[u8]]) -> Result<Vec<StagedBlob>, CoreError> {
        let mut staged: Vec<Option<StagedBlob>> = Vec::with_capacity(inputs.len());
        let mut pending = Vec::new();
        for (i, bytes) in inputs.iter().enumerate() {
            if bytes.len() <= INLINE_MAX {
                let sealed = self.vault.seal_in_memory(bytes, &self.master);
                staged.push(Some(StagedBlob { hashes: sealed.hashes.clone(), inline: Some(sealed), slot: None }));
                continue;
            }
            match self.vault.ingest(*bytes, &self.master) {
                Ok(p) => pending.push((i, p)),
                Err(e) => {
                    pending.into_iter().for_each(|(_, p)| self.vault.discard(p));
                    return Err(e.into());
                }
            }
            staged.push(None);
        }
        if !pending.is_empty() {
            let keys: Vec<KeyRow> = pending.iter().map(|(_, p)| key_row(&p.wrapped)).collect();
            if let Err(e) = self.write_unlogged(|tx| keys.iter().try_for_each(|k| tx.insert_key(k)).map_err(Into::into))
            {
                pending.into_iter().for_each(|(_, p)| self.vault.discard(p));
                return Err(e);
            }
            for (i, p) in pending {
                let slot = p.wrapped.slot;
                let (hashes, _) = self.put_in_place(p)?;
                staged[i] = Some(StagedBlob { hashes, inline: None, slot: Some(slot) });
            }
        }
        Ok(staged.into_iter().map(|s| s.expect("every input is staged")).collect())
    }

    /// The unit that makes staged blobs exhibits. If it fails, the keys
    /// staged for it are destroyed and their files removed, so a refused or
    /// failed submission leaves nothing readable behind (content that a
    /// live exhibit also holds is left as it is).
    pub(crate) fn write_staged<T>(
        &self,
        staged: &[StagedBlob],
        work: impl FnOnce(&mut crate::custody_log::Unit<'_>) -> Result<T, CoreError>,
    ) -> Result<T, CoreError> {
        let result = self.write(work);
        if result.is_err() {
            for s in staged {
                if let Some(slot) = s.slot {
                    let _ = self.unstage(&s.hashes.sha256, &slot);
                }
            }
        }
        result
    }

    fn unstage(&self, sha: &vigil_domain::Sha256Digest, slot: &[u8; 16]) -> Result<(), CoreError> {
        let destroyed = self.write_unlogged(|tx| {
            if !tx.live_exhibits_with_blob(sha)?.is_empty() {
                return Ok(false);
            }
            tx.delete_key(sha, slot)?;
            Ok(true)
        })?;
        if destroyed {
            self.remove_dead_blob(sha)?;
        }
        Ok(())
    }

    /// Removes a blob's file unless a key the store holds now opens it.
    pub(crate) fn remove_dead_blob(&self, sha: &vigil_domain::Sha256Digest) -> Result<bool, CoreError> {
        let store = &self.store;
        let live = |slot: &[u8; 16]| {
            // A store that cannot answer keeps the file: removing is the irreversible choice.
            store.read().and_then(|mut r| r.keys_for(sha)).map_or(true, |keys| keys.iter().any(|k| &k.slot == slot))
        };
        Ok(self.vault.remove_unless_live(sha, live)?)
    }

    /// Opens a blob for reading, from the store where it keeps the sealed
    /// bytes, else from the vault folder.
    pub(crate) fn open_blob(&self, sha: &vigil_domain::Sha256Digest) -> Result<vigil_vault::BlobReader, CoreError> {
        let mut store = self.store.read()?;
        let keys: Vec<WrappedKey> = store.keys_for(sha)?.iter().map(wrapped).collect();
        let reader = match store.inline_blob(sha)? {
            Some(sealed) => self.vault.read_sealed(sealed, sha, &keys, &self.master)?,
            None => self.vault.read(sha, &keys, &self.master)?,
        };
        Ok(reader)
    }

    /// Every exhibit, in reference order.
    pub fn exhibits(&self) -> Result<Vec<crate::Exhibit>, CoreError> {
        Ok(self.store.read()?.exhibits()?.into_iter().map(Into::into).collect())
    }

    pub fn exhibit(&self, reference: &ExhibitRef) -> Result<crate::Exhibit, CoreError> {
        self.exhibit_row(reference).map(Into::into)
    }

    pub(crate) fn exhibit_row(&self, reference: &ExhibitRef) -> Result<ExhibitRow, CoreError> {
        self.store.read()?.exhibit(reference)?.ok_or_else(|| CoreError::NoSuchExhibit(reference.to_string()))
    }

    /// Decrypts an exhibit to `out`, checks its hash, and logs the access
    /// (with the reason) before the file appears under its final name.
    pub fn get_exhibit(
        &self,
        reference: &ExhibitRef,
        out: &Path,
        reason: &str,
        actor: &Actor,
    ) -> Result<RetrievedExhibit, CoreError> {
        let t = self.now();
        let mut ev = CustodyEvent::new(EventKind::Accessed, actor.clone(), t, ObjectRef::exhibit(reference));
        ev.reason = Some(reason.to_owned());
        ev.validate()?;
        let row = self.exhibit(reference)?;
        if let Some(event) = row.deleted_event {
            return Err(CoreError::Deleted { reference: reference.to_string(), event });
        }
        if out.exists() {
            return Err(CoreError::file(out, "already exists; Vigil will not overwrite it"));
        }
        let name = out.file_name().ok_or_else(|| CoreError::file(out, "is not a file path"))?;
        let dir = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
            _ => PathBuf::from("."),
        };
        let tmp = dir.join(format!(".{}.vigil-part", name.to_string_lossy()));
        let mut reader = self.open_blob(&row.sha256)?;
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(|e| CoreError::file(&tmp, e))?;
        let result = (|| -> Result<FileHashes, CoreError> {
            let mut h = MultiHasher::new();
            while let Some(chunk) = reader.next_chunk()? {
                h.update(chunk);
                file.write_all(chunk).map_err(|e| CoreError::file(&tmp, e))?;
            }
            file.sync_all().map_err(|e| CoreError::file(&tmp, e))?;
            let got = h.finish();
            if got.sha256 != row.sha256 {
                return Err(CoreError::Vault(VaultError::HashMismatch { sha256: row.sha256, actual: got.sha256 }));
            }
            Ok(got)
        })();
        let hashes = match result {
            Ok(h) => h,
            Err(e) => {
                let _ = fs::remove_file(&tmp);
                return Err(e);
            }
        };
        ev.digest = Some(row.sha256);
        ev.case = Some(row.case_id.clone());
        let receipt = match self.append_events(&[ev]) {
            Ok(r) => r,
            Err(e) => {
                let _ = fs::remove_file(&tmp);
                return Err(e);
            }
        };
        if let Err(e) = fs::hard_link(&tmp, out) {
            let _ = fs::remove_file(&tmp);
            return Err(CoreError::file(out, e));
        }
        let _ = fs::remove_file(&tmp);
        sync_dir(&dir)?;
        Ok(RetrievedExhibit { reference: reference.clone(), out: out.to_owned(), hashes, event: receipt.first_index })
    }

    /// Every custody event for an exhibit, oldest first.
    pub fn history(&self, reference: &ExhibitRef) -> Result<Vec<HistoryEntry>, CoreError> {
        self.exhibit(reference)?;
        let rows = self.store.read()?.events_for_object(ObjectRef::exhibit(reference).as_str())?;
        rows.iter()
            .map(|r| {
                let (index, event) = decode_leaf(&r.leaf)
                    .map_err(|e| CoreError::Log(format!("event #{}: {e}; run `vigil verify`", r.index)))?;
                Ok(HistoryEntry { index, event })
            })
            .collect()
    }

    /// Retention deletion: a `deleted` event, then the blob's keys are
    /// destroyed (unless another live exhibit holds the same content) and its
    /// file removed. The digest and every earlier event stay in the log.
    pub fn delete_exhibit(
        &self,
        reference: &ExhibitRef,
        reason: &str,
        actor: &Actor,
    ) -> Result<DeletedExhibit, CoreError> {
        if reason.trim().is_empty() {
            return Err(CoreError::Refused("a deletion must give a reason (the retention decision)".into()));
        }
        let row = self.exhibit(reference)?;
        if let Some(event) = row.deleted_event {
            return Err(CoreError::Deleted { reference: reference.to_string(), event });
        }
        let now = self.now();
        let (event, others, shred) = self.write(|u| u.delete_exhibit(&row, reason, actor, now))?;
        if shred {
            self.destroyed(&[row.sha256])?;
        }
        Ok(DeletedExhibit { reference: reference.clone(), event, shredded: shred, sharing: others })
    }

    /// After a unit that destroyed blobs' keys has committed: their files
    /// go, unless a write of the same content has put a copy in place under
    /// a key of its own since, and the earlier copies of the keys' pages
    /// must not stay on disk either.
    pub(crate) fn destroyed(&self, blobs: &[vigil_domain::Sha256Digest]) -> Result<(), CoreError> {
        for sha in blobs {
            self.remove_dead_blob(sha)?;
        }
        if !blobs.is_empty() {
            self.store.write()?.purge_deleted()?;
        }
        Ok(())
    }
}

impl crate::custody_log::Unit<'_> {
    /// Logs a live exhibit's `deleted` event and marks it deleted there,
    /// destroying its blob's keys when no other live exhibit shares them;
    /// answers the event, the exhibits still sharing the blob, and whether
    /// the keys went (the caller then calls `Vigil::destroyed`). Whether it
    /// is still live is read here, inside the unit: a deletion that
    /// committed meanwhile is not made twice.
    pub(crate) fn delete_exhibit(
        &mut self,
        exhibit: &crate::Exhibit,
        reason: &str,
        actor: &Actor,
        at: Timestamp,
    ) -> Result<(u64, Vec<ExhibitRef>, bool), CoreError> {
        let (reference, sha256) = (&exhibit.reference, &exhibit.sha256);
        if !self.tx().live_exhibits_with_blob(sha256)?.contains(reference) {
            return Err(CoreError::Refused(format!("exhibit {reference} was deleted while this deletion was made")));
        }
        let mut ev = CustodyEvent::new(EventKind::Deleted, actor.clone(), at, ObjectRef::exhibit(reference));
        ev.reason = Some(reason.to_owned());
        ev.digest = Some(*sha256);
        ev.case = Some(exhibit.case_id.clone());
        ev.validate()?;
        let event = self.log(ev);
        self.tx().mark_exhibit_deleted(reference, event)?;
        // A timeline's page index holds its signs (senders, times): gone with it.
        self.tx().delete_timeline_pages(reference)?;
        let others = self.tx().live_exhibits_with_blob(sha256)?;
        let shred = others.iter().all(|r| r == reference);
        if shred {
            self.tx().delete_keys(sha256)?;
        }
        Ok((event, others, shred))
    }

    /// Keeps a staged blob's sealed bytes and key in this unit, where the
    /// store holds it, so the bytes commit with their exhibit; returns its digests.
    pub(crate) fn put_blob<'s>(&mut self, staged: &'s StagedBlob) -> Result<&'s FileHashes, CoreError> {
        if let Some(sealed) = &staged.inline {
            self.tx().insert_inline_blob(&key_row(&sealed.wrapped), &sealed.sealed)?;
        }
        Ok(&staged.hashes)
    }

    /// The exhibit row and its `received` event, for content already in the
    /// vault with its key committed. Returns the new reference.
    pub(crate) fn record_exhibit(
        &mut self,
        case: &CaseId,
        by: &Initials,
        original_name: Option<String>,
        note: Option<&str>,
        hashes: &FileHashes,
    ) -> Result<ExhibitRef, CoreError> {
        self.record_exhibit_as(case, by, &Actor::from(by), original_name, note, hashes)
    }

    /// The same, with the `received` event's actor named: the signed-in
    /// officer who made it, where one did (a redacted copy).
    pub(crate) fn record_exhibit_as(
        &mut self,
        case: &CaseId,
        by: &Initials,
        actor: &Actor,
        original_name: Option<String>,
        note: Option<&str>,
        hashes: &FileHashes,
    ) -> Result<ExhibitRef, CoreError> {
        // A retention deletion of the same content may have destroyed its
        // keys since they were committed: then there is nothing to record.
        if !self.tx().has_key(&hashes.sha256)? {
            return Err(CoreError::Refused(format!(
                "the content (SHA-256 {}) was deleted under a retention decision while it was being added; add it again",
                hashes.sha256
            )));
        }
        let number = self.tx().next_exhibit_number(by)?;
        let reference = ExhibitRef::new(by.clone(), number)?;
        let row = self.receive(reference, case, actor, original_name, note, hashes)?;
        self.tx().insert_exhibit(&row)?;
        Ok(row.reference)
    }

    /// Queues the `received` event of an exhibit whose number is taken and
    /// whose content's key is committed (or goes in with it); returns its
    /// row, for the caller to insert in this unit.
    pub(crate) fn receive(
        &mut self,
        reference: ExhibitRef,
        case: &CaseId,
        actor: &Actor,
        original_name: Option<String>,
        note: Option<&str>,
        hashes: &FileHashes,
    ) -> Result<ExhibitRow, CoreError> {
        let t = self.now;
        let mut ev = CustodyEvent::new(EventKind::Received, actor.clone(), t, ObjectRef::exhibit(&reference));
        ev.digest = Some(hashes.sha256);
        ev.case = Some(case.clone());
        ev.note = note.map(str::to_owned);
        ev.hashes = Some(hashes.clone());
        ev.validate()?;
        let event = self.log(ev);
        Ok(ExhibitRow {
            reference,
            case_id: case.clone(),
            sha256: hashes.sha256,
            md5: hashes.md5,
            sha1: hashes.sha1,
            blake3: hashes.blake3,
            size: hashes.size,
            original_name,
            note: note.map(str::to_owned),
            received_event: event,
            received_ms: t.unix_millis(),
            deleted_event: None,
        })
    }
}

/// Seals bytes into the vault apart from the store (see [`Vigil::ingester`]).
pub struct Ingester {
    vault: vigil_vault::Vault,
    master: vigil_vault::MasterKey,
}

impl Ingester {
    pub fn ingest(&self, input: impl std::io::Read) -> Result<PendingBlob, CoreError> {
        Ok(self.vault.ingest(input, &self.master)?)
    }

    /// Starts sealing content pushed in pieces, for bytes arriving over a
    /// network: no thread waits on the sender.
    pub fn writer(&self) -> Result<vigil_vault::IngestWriter, CoreError> {
        Ok(self.vault.ingest_writer(&self.master)?)
    }

    /// Drops sealed bytes that will not become an exhibit.
    pub fn discard(&self, pending: PendingBlob) {
        self.vault.discard(pending);
    }
}

impl Vigil {
    /// Streams an exhibit's clear bytes into `sink` chunk by chunk, checks
    /// them against its SHA-256, then records the read as an `accessed`
    /// event with its reason. Nothing is written anywhere by Vigil itself.
    pub(crate) fn stream_exhibit(
        &self,
        reference: &ExhibitRef,
        reason: &str,
        actor: &Actor,
        mut sink: impl FnMut(&[u8]) -> Result<(), CoreError>,
    ) -> Result<ExhibitRow, CoreError> {
        let row = self.live_exhibit_row(reference)?;
        let mut reader = self.open_blob(&row.sha256)?;
        let mut h = MultiHasher::new();
        while let Some(chunk) = reader.next_chunk()? {
            h.update(chunk);
            sink(chunk)?;
        }
        let got = h.finish();
        if got.sha256 != row.sha256 {
            return Err(CoreError::Vault(VaultError::HashMismatch { sha256: row.sha256, actual: got.sha256 }));
        }
        self.log_read(&row, reason, actor)?;
        Ok(row)
    }

    /// An exhibit's row, refused as deleted if it was.
    pub(crate) fn live_exhibit_row(&self, reference: &ExhibitRef) -> Result<ExhibitRow, CoreError> {
        let row = self.exhibit_row(reference)?;
        match row.deleted_event {
            Some(event) => Err(CoreError::Deleted { reference: reference.to_string(), event }),
            None => Ok(row),
        }
    }

    /// Records a read of an exhibit as an `accessed` event with its reason.
    pub(crate) fn log_read(&self, row: &ExhibitRow, reason: &str, actor: &Actor) -> Result<(), CoreError> {
        let mut ev =
            CustodyEvent::new(EventKind::Accessed, actor.clone(), self.now(), ObjectRef::exhibit(&row.reference));
        ev.reason = Some(reason.to_owned());
        ev.digest = Some(row.sha256);
        ev.case = Some(row.case_id.clone());
        self.append_events(&[ev])?;
        Ok(())
    }

    /// An exhibit's bytes in memory, checked against its SHA-256; the read is
    /// an `accessed` event with its reason.
    pub(crate) fn read_exhibit_bytes(
        &self,
        reference: &ExhibitRef,
        reason: &str,
        actor: &Actor,
    ) -> Result<Vec<u8>, CoreError> {
        let mut bytes = Vec::new();
        self.stream_exhibit(reference, reason, actor, |chunk| {
            bytes.extend_from_slice(chunk);
            Ok(())
        })?;
        Ok(bytes)
    }
}
