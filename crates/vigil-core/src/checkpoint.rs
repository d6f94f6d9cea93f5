//! Checkpoints kept outside the store. The log's own heads live in the
//! same database as its events, so someone who can write the database can
//! delete the newest events together with their heads and the log state,
//! and what remains still verifies. A checkpoint is a copy of a signed head
//! kept elsewhere (another disk, a witness, a printed page): `vigil verify
//! --checkpoint FILE` then proves the log still holds that many events and
//! that its first `tree_size` events still hash to that root.

use crate::custody_log::from_head_row;
use crate::data_dir::Vigil;
use crate::error::CoreError;
use serde::{Deserialize, Serialize};
use std::path::Path;
use vigil_custody::{root_of, Frontier, SignedTreeHead};

pub const CHECKPOINT_FORMAT: &str = "vigil-checkpoint-1";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    pub format: String,
    pub head: SignedTreeHead,
    /// The right edge of the tree at the head's size (`Frontier::to_bytes`,
    /// hex): what `vigil verify --since` grows the tree from. It is bound
    /// to the signed root, so it needs no signature of its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frontier: Option<String>,
}

impl Checkpoint {
    pub fn read(path: &Path) -> Result<Checkpoint, CoreError> {
        let meta = std::fs::metadata(path).map_err(|e| CoreError::file(path, e))?;
        if meta.len() > 64 * 1024 {
            return Err(CoreError::file(path, "is too large to be a checkpoint"));
        }
        let text = std::fs::read_to_string(path).map_err(|e| CoreError::file(path, e))?;
        let cp: Checkpoint = serde_json::from_str(&text)
            .map_err(|e| CoreError::file(path, format!("is not a Vigil checkpoint: {e}")))?;
        if cp.format != CHECKPOINT_FORMAT {
            return Err(CoreError::file(path, format!("is not a {CHECKPOINT_FORMAT} file")));
        }
        Ok(cp)
    }

    /// The frontier it kept; a checkpoint written before it kept one
    /// cannot start an incremental verify.
    pub fn frontier(&self) -> Result<Frontier, CoreError> {
        let hex = self.frontier.as_deref().ok_or_else(|| {
            CoreError::Refused(
                "this checkpoint holds no frontier (written before incremental verify): write a new one with \
                 `vigil log checkpoint` after a full `vigil verify`"
                    .into(),
            )
        })?;
        hex::decode(hex)
            .ok()
            .and_then(|b| Frontier::from_bytes(&b))
            .ok_or_else(|| CoreError::Refused("the checkpoint's frontier is malformed".into()))
    }
}

impl Vigil {
    /// The latest signed head, as a checkpoint.
    pub fn checkpoint(&self) -> Result<Checkpoint, CoreError> {
        let head =
            self.store.read()?.latest_head()?.ok_or_else(|| CoreError::Log("the log has no signed head yet".into()))?;
        let head = from_head_row(&head);
        let size = head.head.tree_size;
        // The sequencer's frontier when it is at the head's size (the
        // usual case); else rebuilt from the stored leaf hashes.
        let state = self.store.read()?.log_state()?;
        let frontier = match Frontier::from_bytes(&state.frontier) {
            Some(f) if f.size() == size => f,
            _ => {
                let mut f = Frontier::new();
                for h in self.store.read()?.leaf_hashes(size)? {
                    f.push(h);
                }
                f
            }
        };
        // Kept only if it is the signed tree's: a checkpoint never carries
        // a frontier `verify --since` would refuse.
        let frontier = (frontier.root() == head.head.root).then(|| hex::encode(frontier.to_bytes()));
        Ok(Checkpoint { format: CHECKPOINT_FORMAT.into(), head, frontier })
    }

    /// Writes the latest checkpoint to `out` (replaced whole, never half-written).
    pub fn write_checkpoint(&self, out: &Path) -> Result<Checkpoint, CoreError> {
        let cp = self.checkpoint()?;
        let tmp = out.with_extension("vigil-part");
        let text = serde_json::to_string_pretty(&cp).expect("a checkpoint serialises") + "\n";
        let _ = std::fs::remove_file(&tmp);
        crate::data_dir::write_new(&tmp, text.as_bytes(), 0o644)?;
        std::fs::rename(&tmp, out).map_err(|e| CoreError::file(out, e))?;
        Ok(cp)
    }

    /// What is wrong with the log against a checkpoint kept outside it;
    /// empty when the log holds at least the checkpoint's events and they
    /// still hash to its root. (`verify` checks separately that the stored
    /// leaf hashes are those of the stored events.)
    pub fn check_checkpoint(&self, cp: &Checkpoint, name: &str) -> Result<Vec<String>, CoreError> {
        let mut problems = Vec::new();
        if cp.head.verify(&self.signing.verifying_key()).is_err() {
            problems.push(format!("{name}: the checkpoint's signature is not this log's key"));
            return Ok(problems);
        }
        let size = cp.head.head.tree_size;
        let held = self.store.read()?.log_state()?.size;
        if held < size {
            problems.push(format!(
                "{name}: the checkpoint records {size} events signed at {} but the log now holds {held}: \
                 events #{held} to #{} were removed",
                cp.head.head.timestamp,
                size - 1
            ));
            return Ok(problems);
        }
        let leaves = self.store.read()?.leaf_hashes(size)?;
        if leaves.len() as u64 != size || root_of(&leaves) != cp.head.head.root {
            problems.push(format!(
                "{name}: the log's first {size} events no longer hash to the checkpoint's root: history was rewritten"
            ));
        }
        Ok(problems)
    }
}
