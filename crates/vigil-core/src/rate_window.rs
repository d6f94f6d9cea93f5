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

/// A request to count in a shared window in the unit that stores what it
/// sent, rather than on its own before: the count commits with the rows
/// (or rolls back with them), and the unit's other requests are counted in
/// the same statement. Over `limit`, nothing the request sent is stored.
#[derive(Debug, Clone, Copy)]
pub struct SharedCount<'a> {
    pub limiter: &'a str,
    pub window_secs: u64,
    /// The client's key (its address, say); only a salted hash of it is kept.
    pub client: &'a str,
    pub limit: u64,
}

/// What counting one request found in its window: the client's count and
/// everyone's, this request included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowCount {
    pub mine: u64,
    pub all: u64,
}

impl WindowCount {
    pub(crate) fn from_row((mine, all): (i64, i64)) -> Self {
        WindowCount { mine: mine.max(0) as u64, all: all.max(0) as u64 }
    }
}

impl Vigil {
    /// Counts one request by `client` in the current `window_secs` window
    /// of `limiter`; answers this client's count and everyone's in the
    /// window, this request included.
    pub fn count_request(&self, limiter: &str, window_secs: u64, client: &str) -> Result<(u64, u64), CoreError> {
        let count = self.rate_count(limiter, window_secs, client)?;
        // A count lost to a server crash costs nothing durable: nothing
        // here waits for the disk. Requests counted at once go in one
        // statement together.
        let counted = self.count_queue.submit(count, |counts| Ok(self.store.write()?.count_requests(counts)?))?;
        let WindowCount { mine, all } = WindowCount::from_row(counted);
        Ok((mine, all))
    }

    /// The row a request by `client` counts in: the current window of
    /// `limiter`, and the client's hash under that window's salt.
    pub(crate) fn rate_count(
        &self,
        limiter: &str,
        window_secs: u64,
        client: &str,
    ) -> Result<vigil_store::RateCount, CoreError> {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let start = (now - now % window_secs.max(1)) as i64;
        let known = {
            let salts = self.node_memory.salts.lock().unwrap_or_else(|p| p.into_inner());
            salts.get(limiter).filter(|(s, _)| *s == start).map(|(_, salt)| *salt)
        };
        // The window's salt is asked for once per window by each node.
        let salt: [u8; 32] = match known {
            Some(salt) => salt,
            None => {
                let mut candidate = [0u8; 32];
                getrandom::getrandom(&mut candidate)
                    .map_err(|e| CoreError::Refused(format!("no OS randomness: {e}")))?;
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
        Ok(vigil_store::RateCount {
            limiter: limiter.to_owned(),
            window_start: start,
            client: hash.as_bytes()[..16].to_vec(),
        })
    }
}
