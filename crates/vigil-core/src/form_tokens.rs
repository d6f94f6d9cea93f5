//! Single-use form tokens shared by every node: the key they are signed
//! with is derived from the master key (which every node of a data
//! directory holds), and spent nonces are kept in the store.

use crate::data_dir::Vigil;
use crate::error::CoreError;
use std::sync::atomic::Ordering;
use vigil_store::SpentTokenRow;
use zeroize::Zeroizing;

/// How often a node drops the spent nonces whose tokens have expired: an
/// expired spend no longer counts anyway, so this only keeps the table small.
const SWEEP_SECS: i64 = 60;

/// A single-use form token to spend with what its form sent: its nonce,
/// and until when (Unix seconds) the spend must be remembered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormSpend {
    pub nonce: String,
    pub expires_at: u64,
}

impl FormSpend {
    pub(crate) fn row(&self) -> SpentTokenRow {
        SpentTokenRow { nonce: self.nonce.clone(), expires_at: i64::try_from(self.expires_at).unwrap_or(i64::MAX) }
    }
}

impl Vigil {
    /// The key the web forms' single-use tokens are signed with; the same
    /// on every node, so a form served by one is accepted by another.
    pub fn form_token_key(&self) -> Zeroizing<[u8; 32]> {
        self.master.derive("vigil 2026-12-06 single-use web form tokens")
    }

    /// Spends a form token's nonce until `expires_at` (Unix seconds); false
    /// when any node spent it already and that spend has not expired.
    /// Tokens redeemed at once are spent together, in one statement.
    pub fn spend_form_token(&self, nonce: &str, expires_at: u64) -> Result<bool, CoreError> {
        let spend = FormSpend { nonce: nonce.to_owned(), expires_at }.row();
        // Not waited to disk: the report the token carries is (its own unit
        // is made durable after this), and a spend lost to a server crash
        // would at most let that one form be sent once more. No custody
        // event: the spent tokens are an operational table.
        self.token_queue.submit(spend, |spends| {
            let now = unix_seconds();
            // Whichever request writes a batch sweeps, once a minute a node.
            let last = self.node_memory.tokens_swept.load(Ordering::Relaxed);
            let sweep = now - last >= SWEEP_SECS
                && self
                    .node_memory
                    .tokens_swept
                    .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                    .is_ok();
            Ok(self.store.write()?.spend_form_tokens(spends, now, sweep)?)
        })
    }
}

/// The system clock in Unix seconds, as form tokens' times are (never the
/// evidence clock: a token's age is real time).
pub(crate) fn unix_seconds() -> i64 {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    i64::try_from(now).unwrap_or(i64::MAX)
}
