//! Single-use form tokens shared by every node: the key they are signed
//! with is derived from the master key (which every node of a data
//! directory holds), and spent nonces are kept in the store.

use crate::data_dir::Vigil;
use crate::error::CoreError;
use zeroize::Zeroizing;

impl Vigil {
    /// The key the web forms' single-use tokens are signed with; the same
    /// on every node, so a form served by one is accepted by another.
    pub fn form_token_key(&self) -> Zeroizing<[u8; 32]> {
        self.master.derive("vigil 2026-12-06 single-use web form tokens")
    }

    /// Spends a form token's nonce until `expires_at` (Unix seconds); false
    /// when any node spent it already.
    pub fn spend_form_token(&self, nonce: &str, expires_at: u64) -> Result<bool, CoreError> {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let (expires_at, now) = (i64::try_from(expires_at).unwrap_or(i64::MAX), now as i64);
        self.write_unlogged(|tx| Ok(tx.spend_form_token(nonce, expires_at, now)?))
    }
}
