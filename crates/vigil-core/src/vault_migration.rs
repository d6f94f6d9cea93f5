//! `vigil vault migrate --to s3://…`: a folder vault's blobs move into a
//! bucket as they are (sealed; no key leaves the node), each read back from
//! the bucket and checked against its address before the data directory
//! names the bucket.

use crate::data_dir::Vigil;
use crate::error::CoreError;
use crate::exhibits::wrapped;
use serde::Serialize;
use vigil_domain::{Actor, CustodyEvent, EventKind, ObjectRef};
use vigil_vault::{BucketLocation, Placement, Vault, WrappedKey};

#[derive(Debug, Clone, Serialize)]
pub struct VaultMigration {
    /// The bucket, as `vigil.json` now names it.
    pub vault: String,
    /// Blobs uploaded by this run.
    pub uploaded: u64,
    /// Blobs the bucket already held (a migration run again after a stop).
    pub already_there: u64,
    /// Sealed bytes read back and checked.
    pub bytes: u64,
    /// Files left behind because no key opens them any more (content
    /// crypto-shredded whose file a failed removal left): nothing to move.
    pub keyless: u64,
    pub event: u64,
}

impl Vigil {
    /// Moves every blob of the `vault/` folder into the bucket `to` names,
    /// checks each there, then points the data directory at the bucket.
    /// Holds the directory's lock alone meanwhile, so no other process on
    /// this host adds a blob to the folder behind it. The folder's files are
    /// left for the operator to remove once `vigil verify` passes.
    pub fn migrate_vault(&mut self, to: &str, actor: &Actor) -> Result<VaultMigration, CoreError> {
        if let Some(b) = self.vault.bucket() {
            return Err(CoreError::Refused(format!("the vault is already in bucket {b}")));
        }
        let location = BucketLocation::parse(to)?;
        let target = Vault::open_bucket(&self.layout.vault(), &location)?;
        target.check_bucket()?;
        self.lock.make_exclusive(&self.layout)?;
        let moved = self.migrate_holding_the_lock(&target, &location, actor);
        let shared = self.lock.share(&self.layout);
        let report = moved?;
        shared?;
        self.vault = target;
        Ok(report)
    }

    fn migrate_holding_the_lock(
        &self,
        target: &Vault,
        location: &BucketLocation,
        actor: &Actor,
    ) -> Result<VaultMigration, CoreError> {
        let (mut uploaded, mut already_there, mut bytes, mut keyless) = (0u64, 0u64, 0u64, 0u64);
        for blob in self.vault.local_blobs()? {
            let keys: Vec<WrappedKey> = self.store.read()?.keys_for(&blob.sha256)?.iter().map(wrapped).collect();
            if !keys.iter().any(|k| k.slot == blob.slot) {
                keyless += 1;
                continue;
            }
            match self.vault.copy_to_bucket(&blob, target)? {
                Placement::Written => uploaded += 1,
                Placement::AlreadyPresent => already_there += 1,
            }
            // Read back from the bucket, decrypted and hashed whole.
            Vault::check_reader(target.read(&blob.sha256, &keys, &self.master)?, &blob.sha256)?;
            bytes += blob.size;
        }
        let url = location.to_string();
        crate::data_dir::set_configured_vault(&self.layout, Some(&url))?;
        let mut ev = CustodyEvent::new(EventKind::Transferred, actor.clone(), self.now(), ObjectRef::log());
        ev.note = Some(format!(
            "vault moved from the folder {} to bucket {url}: {} blobs ({bytes} sealed bytes), each read back and \
             checked against its SHA-256; {keyless} keyless files not moved",
            self.layout.vault().join("blobs").display(),
            uploaded + already_there
        ));
        let receipt = self.append_events(&[ev])?;
        Ok(VaultMigration { vault: url, uploaded, already_there, bytes, keyless, event: receipt.first_index })
    }
}
