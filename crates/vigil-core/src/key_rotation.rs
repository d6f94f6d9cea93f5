//! Master key rotation: every blob key is re-wrapped under a new master key
//! in one transaction, with everything else sealed under the master key
//! (officers' TOTP seeds, timelines' page indexes). No blob is read or
//! rewritten.

use crate::data_dir::{sync_dir, write_new, Vigil};
use crate::error::CoreError;
use crate::exhibits::wrapped;
use serde::Serialize;
use std::fs;
use vigil_domain::{Actor, CustodyEvent, EventKind, ObjectRef};
use vigil_store::KeyRow;
use vigil_vault::MasterKey;

#[derive(Debug, Clone, Serialize)]
pub struct RotationReport {
    pub old_master_key: String,
    pub new_master_key: String,
    pub keys_rewrapped: u64,
    /// Timelines' page indexes sealed again under the new key.
    pub page_indexes_resealed: u64,
    pub event: u64,
}

impl Vigil {
    pub fn rotate_master_key(&mut self, actor: &Actor) -> Result<RotationReport, CoreError> {
        self.lock.make_exclusive(&self.layout)?;
        let rotated = self.rotate_holding_the_lock(actor);
        let shared = self.lock.share(&self.layout);
        let report = rotated?;
        shared?;
        Ok(report)
    }

    fn rotate_holding_the_lock(&mut self, actor: &Actor) -> Result<RotationReport, CoreError> {
        let next = MasterKey::generate();
        let next_path = self.layout.next_master_key();
        let _ = fs::remove_file(&next_path);
        // The new key is on disk before any key is wrapped under it.
        write_new(&next_path, next.to_file_text().as_bytes(), 0o600)?;
        sync_dir(&self.layout.keys())?;
        let master = &self.master;
        let ((n, pages), receipt) = self.write_logged(|u| {
            let t = u.now;
            // The old key is retired first: on PostgreSQL that update waits
            // for every writer still wrapping a key under it (they hold its
            // row, see `require_current_master_key`), and any later writer is
            // refused, so the keys read next are all there will ever be.
            u.tx().insert_master_key(next.id(), t.unix_millis())?;
            u.tx().retire_master_key(master.id(), t.unix_millis())?;
            let keys = u.tx().all_keys()?;
            let mut n = 0u64;
            for k in &keys {
                let w = wrapped(k).rewrap(master, &next)?;
                u.tx().replace_key(&KeyRow {
                    sha256: w.sha256,
                    slot: w.slot,
                    master_key_id: w.master_key_id,
                    nonce: w.nonce,
                    wrapped: w.wrapped,
                })?;
                n += 1;
            }
            // Officers' TOTP seeds are sealed under the master key too.
            let seeds = u.tx().totp_secrets()?;
            for (user, sealed) in &seeds {
                let ctx = crate::officers::totp_context(user);
                let seed = master.open_small(&ctx, sealed).ok_or_else(|| {
                    CoreError::MasterKey(format!(
                        "the TOTP secret of {user} cannot be opened with the current master key"
                    ))
                })?;
                u.tx().set_totp_secret(user, &next.seal_small(&ctx, &seed))?;
            }
            // So are timelines' page indexes (a conversation page reads only
            // its part through one). One that does not open under the old
            // key is dropped: a page of that timeline is read whole, as
            // before indexes were kept.
            let mut pages = 0u64;
            for (timeline, sha, sealed) in u.tx().sealed_timeline_pages()? {
                let ctx = crate::chat_import::pages_context(&sha);
                match master.open_small(&ctx, &sealed) {
                    Some(plain) => {
                        u.tx().reseal_timeline_pages(&timeline, &next.seal_small(&ctx, &plain))?;
                        pages += 1;
                    }
                    None => u.tx().delete_timeline_pages(&timeline)?,
                }
            }
            let mut ev = CustodyEvent::new(EventKind::KeyRotated, actor.clone(), t, ObjectRef::master_key(next.id())?);
            ev.note = Some(format!(
                "master key {} replaced by {}; {n} blob keys re-wrapped, no blob rewritten",
                master.id(),
                next.id()
            ));
            u.log(ev);
            Ok((n, pages))
        })?;
        let receipt = receipt.expect("a rotation is logged");
        // Replacing master.key destroys the old key. If we die before this,
        // the next open finishes the swap (Vigil::load_master).
        fs::rename(&next_path, self.layout.master_key()).map_err(|e| CoreError::file(&next_path, e))?;
        sync_dir(&self.layout.keys())?;
        let old = std::mem::replace(&mut self.master, next);
        Ok(RotationReport {
            old_master_key: old.id().to_owned(),
            new_master_key: self.master.id().to_owned(),
            keys_rewrapped: n,
            page_indexes_resealed: pages,
            event: receipt.first_index,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigil_domain::{CaseId, Initials};

    /// A page index sealed under the old key would no longer open after a
    /// rotation, and every page of a long timeline would be read whole.
    #[test]
    fn page_indexes_are_sealed_again_under_the_new_key() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        Vigil::init(&data, None).unwrap();
        let mut v = Vigil::open(&data).unwrap();
        // SYNTHETIC: a short WhatsApp-style chat.
        let chat: String =
            (0..300).map(|i| format!("12/03/2026, 10:{:02} - Alex: SYNTHETIC message {i}\n", i % 60)).collect();
        let utc = crate::ChatSettings { format: None, timezone: Some("UTC".into()), date_order: None };
        let case = CaseId::parse("ROT-1").unwrap();
        let t = v.import_chat_bytes(chat.as_bytes(), "chat.txt", &case, &Initials::parse("NA").unwrap(), &utc).unwrap();
        let before = v.timeline_pages(&t.timeline).unwrap().expect("the import kept a page index").1;
        let sealed = |v: &Vigil| v.store.read().unwrap().timeline_pages(&t.timeline).unwrap().unwrap();
        let old = sealed(&v);
        let r = v.rotate_master_key(&Actor::parse("ABC").unwrap()).unwrap();
        assert_eq!(r.page_indexes_resealed, 1);
        assert_ne!(sealed(&v), old, "sealed again");
        let after = v.timeline_pages(&t.timeline).unwrap().expect("the index opens under the new key").1;
        assert_eq!(serde_json::to_value(&after).unwrap(), serde_json::to_value(&before).unwrap());
        // One that no longer opens (sealed under a key retired before
        // rotations re-sealed them) is dropped, not kept unreadable.
        v.store
            .write()
            .unwrap()
            .begin()
            .and_then(|mut tx| {
                tx.reseal_timeline_pages(&t.timeline, b"not sealed under any key")?;
                tx.commit()
            })
            .unwrap();
        let r = v.rotate_master_key(&Actor::parse("ABC").unwrap()).unwrap();
        assert_eq!(r.page_indexes_resealed, 0);
        assert!(v.store.read().unwrap().timeline_pages(&t.timeline).unwrap().is_none());
        assert!(v.verify().unwrap().ok());
    }
}
