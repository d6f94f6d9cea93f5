//! Fixed-window request counts kept in the store, for rate limits that
//! several nodes share (PostgreSQL). Clients are counted by a keyed hash of
//! their address under a random salt chosen for each window; the salt goes
//! with its window, so no count can be tied back to an address after it.

use crate::data_dir::Vigil;
use crate::error::CoreError;

impl Vigil {
    /// Counts one request by `client` in the current `window_secs` window
    /// of `limiter`; answers this client's count and everyone's in the
    /// window, this request included.
    pub fn count_request(&self, limiter: &str, window_secs: u64, client: &str) -> Result<(u64, u64), CoreError> {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let start = (now - now % window_secs.max(1)) as i64;
        let mut candidate = [0u8; 32];
        getrandom::getrandom(&mut candidate).map_err(|e| CoreError::Refused(format!("no OS randomness: {e}")))?;
        self.write_unlogged(|tx| {
            let salt: [u8; 32] = tx
                .window_salt(limiter, start, &candidate)?
                .try_into()
                .map_err(|_| CoreError::Refused(format!("the {limiter} window's salt is not 32 bytes")))?;
            let hash = blake3::keyed_hash(&salt, client.as_bytes());
            let (mine, all) = tx.count_request(limiter, start, &hash.as_bytes()[..16])?;
            Ok((mine.max(0) as u64, all.max(0) as u64))
        })
    }
}
