//! A fixed-window rate limit on public submissions, keyed on a keyed hash of
//! the client address under a salt that is replaced every window, so no
//! stored key can be tied back to an address once its window has passed.
//! On PostgreSQL, where several nodes share the store, the windows are kept
//! there (see `Vigil::count_request`), so a client's limit holds across all
//! nodes; on SQLite (one node) they are kept in this process.

use std::collections::HashMap;

use std::sync::Mutex;
use std::time::{Duration, Instant};

pub(crate) struct RateLimiter {
    /// The limit's name in the shared store.
    name: &'static str,
    /// Whether the windows are kept in the store, for every node.
    shared: bool,
    limit: u32,
    /// All clients together; above it operators are alerted, once a window.
    ceiling: Option<u32>,
    window: Duration,
    state: Mutex<Window>,
}

struct Window {
    started: Instant,
    salt: [u8; 32],
    counts: HashMap<[u8; 16], u32>,
    total: u32,
    alerted: bool,
}

impl Window {
    fn new() -> Self {
        Window { started: Instant::now(), salt: salt(), counts: HashMap::new(), total: 0, alerted: false }
    }
}

fn salt() -> [u8; 32] {
    let mut s = [0u8; 32];
    getrandom::getrandom(&mut s).expect("the OS random source is available");
    s
}

impl RateLimiter {
    pub fn new(limit: u32, window_secs: u64) -> Self {
        RateLimiter {
            name: "local",
            shared: false,
            limit,
            ceiling: None,
            window: Duration::from_secs(window_secs),
            state: Mutex::new(Window::new()),
        }
    }

    /// Keeps the windows in the store under `name`, shared by every node.
    pub fn shared(mut self, name: &'static str, shared: bool) -> Self {
        self.name = name;
        self.shared = shared;
        self
    }

    /// Counts one request for a client key; false when that client is over
    /// its limit. Shared windows are counted on a blocking thread; a store
    /// that cannot count lets the request through (it will meet the same
    /// store next, and fail there with its own answer).
    pub async fn allow(&self, state: &std::sync::Arc<crate::AppState>, key: &str) -> bool {
        if !self.shared {
            return self.allow_key(key);
        }
        let (st, name, secs, key) = (state.clone(), self.name, self.window.as_secs(), key.to_owned());
        match tokio::task::spawn_blocking(move || st.vigil.count_request(name, secs, &key)).await {
            Ok(Ok((mine, all))) => {
                if let Some(c) = self.ceiling {
                    // Exactly one request, on one node, is the first past the ceiling.
                    if all == u64::from(c) + 1 {
                        self.ceiling_passed(c);
                    }
                }
                mine <= u64::from(self.limit)
            }
            Ok(Err(e)) => {
                tracing::warn!("the {} rate limit could not be counted: {e}", self.name);
                true
            }
            Err(_) => true,
        }
    }

    fn ceiling_passed(&self, c: u32) {
        tracing::error!(
            alert = "public-ceiling",
            ceiling = c,
            window_secs = self.window.as_secs(),
            "OPERATOR ALERT: public submissions passed the global ceiling for this window; still accepting"
        );
    }

    /// Alerts operators when all clients together pass `ceiling` in a
    /// window: a flood, or one client spread over many addresses. The
    /// public is not refused for it (that would be silent), operators decide.
    pub fn with_ceiling(mut self, ceiling: u32) -> Self {
        self.ceiling = Some(ceiling);
        self
    }

    #[cfg(test)]
    pub fn allow_ip(&self, ip: Option<std::net::IpAddr>) -> bool {
        self.allow_key(&ip.map_or_else(|| "unknown".to_string(), |i| i.to_string()))
    }

    /// Counts one request for a client key (see `client_address`, or a
    /// partner's ID); false when that client is over its limit.
    pub fn allow_key(&self, addr: &str) -> bool {
        let mut w = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if w.started.elapsed() >= self.window {
            *w = Window::new();
        }
        w.total = w.total.saturating_add(1);
        if let Some(c) = self.ceiling {
            if w.total > c && !w.alerted {
                w.alerted = true;
                self.ceiling_passed(c);
            }
        }
        let key: [u8; 16] = blake3::keyed_hash(&w.salt, addr.as_bytes()).as_bytes()[..16].try_into().expect("16 bytes");
        let n = w.counts.entry(key).or_insert(0);
        *n += 1;
        *n <= self.limit
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::IpAddr;

    #[test]
    fn limits_per_client() {
        let r = RateLimiter::new(2, 600);
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        assert!(r.allow_ip(Some(a)) && r.allow_ip(Some(a)));
        assert!(!r.allow_ip(Some(a)));
        assert!(r.allow_ip(Some(b)));
    }

    #[test]
    fn the_ceiling_alerts_but_never_refuses() {
        let r = RateLimiter::new(1000, 600).with_ceiling(3);
        for i in 0..10 {
            assert!(r.allow_key(&format!("client-{i}")));
        }
        assert!(r.state.lock().unwrap().alerted);
    }
}
