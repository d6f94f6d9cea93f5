//! Fixed-window request counts kept in the store, for rate limits that
//! several nodes share (PostgreSQL). Clients are counted by a keyed hash of
//! their address under a random salt chosen for each window; the salt goes
//! with its window, so no count can be tied back to an address after it.

use crate::data_dir::Vigil;
use crate::error::CoreError;
use std::collections::HashMap;
use std::sync::atomic::AtomicI64;
use std::sync::Mutex;

/// What one node remembers between requests of what the store holds for
/// all of them. A window's salt never changes once chosen (the first node
/// to open the window wins and every later one reads it), so a node asks
/// for it once per window, not once per request.
#[derive(Default)]
pub(crate) struct NodeMemory {
    /// Per limiter: the start of the window this node last saw, and its salt.
    salts: Mutex<HashMap<String, (i64, [u8; 32])>>,
    /// When this node last dropped expired form tokens (Unix seconds).
    pub(crate) tokens_swept: AtomicI64,
}

impl Vigil {
    /// Counts one request by `client` in the current `window_secs` window
    /// of `limiter`; answers this client's count and everyone's in the
    /// window, this request included.
    pub fn count_request(&self, limiter: &str, window_secs: u64, client: &str) -> Result<(u64, u64), CoreError> {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let start = (now - now % window_secs.max(1)) as i64;
        let known = {
            let salts = self.node_memory.salts.lock().unwrap_or_else(|p| p.into_inner());
            salts.get(limiter).filter(|(s, _)| *s == start).map(|(_, salt)| *salt)
        };
        let mut candidate = [0u8; 32];
        if known.is_none() {
            getrandom::getrandom(&mut candidate).map_err(|e| CoreError::Refused(format!("no OS randomness: {e}")))?;
        }
        // A count lost to a server crash costs nothing durable: nothing
        // here waits for the disk. The window's salt is asked for once per
        // window by each node; the count is then one statement, shared with the
        // requests counted at the same time.
        let salt: [u8; 32] = match known {
            Some(salt) => salt,
            None => {
                let salt: [u8; 32] = self
                    .write_volatile(|tx| Ok(tx.window_salt(limiter, start, &candidate)?))?
                    .try_into()
                    .map_err(|_| CoreError::Refused(format!("the {limiter} window's salt is not 32 bytes")))?;
                let mut salts = self.node_memory.salts.lock().unwrap_or_else(|p| p.into_inner());
                salts.insert(limiter.to_owned(), (start, salt));
                salt
            }
        };
        let hash = blake3::keyed_hash(&salt, client.as_bytes());
        // Requests counted at once go in one statement together.
        let count = vigil_store::RateCount {
            limiter: limiter.to_owned(),
            window_start: start,
            client: hash.as_bytes()[..16].to_vec(),
        };
        let (mine, all) = self.count_queue.submit(count, |counts| Ok(self.store.write()?.count_requests(counts)?))?;
        Ok((mine.max(0) as u64, all.max(0) as u64))
    }
}
