//! A fixed-window rate limit on public submissions, keyed on a keyed hash of
//! the client address under a salt that is replaced every window, so no
//! stored key can be tied back to an address once its window has passed.
//!
//! Every node counts each request in its own memory first, before the body
//! is read. On PostgreSQL, where several nodes share the store, requests
//! are also counted there (see `Vigil::count_request`), so a client's limit
//! holds across all nodes: on its own before the request's work, or, for a
//! public report of fields alone, in the unit that stores the report. The
//! windows are the same clock-aligned windows on every node and in the
//! store, so this node's count of a client never exceeds the shared one,
//! and refusing on it refuses nothing the shared count would let through.

use std::collections::HashMap;

use std::sync::Mutex;
use std::time::Duration;

use vigil_core::{SharedCount, WindowCount};

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
    /// The window's start, in Unix seconds, a multiple of its length.
    start: u64,
    salt: [u8; 32],
    counts: HashMap<[u8; 16], u32>,
    total: u32,
    alerted: bool,
}

impl Window {
    fn new(start: u64) -> Self {
        Window { start, salt: salt(), counts: HashMap::new(), total: 0, alerted: false }
    }
}

fn salt() -> [u8; 32] {
    let mut s = [0u8; 32];
    getrandom::getrandom(&mut s).expect("the OS random source is available");
    s
}

fn unix_seconds() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

impl RateLimiter {
    pub fn new(limit: u32, window_secs: u64) -> Self {
        RateLimiter {
            name: "local",
            shared: false,
            limit,
            ceiling: None,
            window: Duration::from_secs(window_secs.max(1)),
            state: Mutex::new(Window::new(0)),
        }
    }

    /// Keeps the windows in the store under `name`, shared by every node.
    pub fn shared(mut self, name: &'static str, shared: bool) -> Self {
        self.name = name;
        self.shared = shared;
        self
    }

    /// Counts one request for a client key, here and (where the windows are
    /// shared) in the store; false when that client is over its limit.
    pub async fn allow(&self, state: &std::sync::Arc<crate::AppState>, key: &str) -> bool {
        self.allow_here(key) && self.allow_shared(state, key).await
    }

    /// Counts one request in this node's memory; false when the client is
    /// over its limit on this node alone. Cheap: the first check, before a
    /// request's body is read.
    pub fn allow_here(&self, key: &str) -> bool {
        self.allow_key_at(key, unix_seconds())
    }

    /// Counts one request in the store's shared window, on a blocking
    /// thread (true at once where the windows are not shared); false when
    /// the client is over its limit across all nodes. A store that cannot
    /// count lets the request through (it will meet the same store next,
    /// and fail there with its own answer).
    pub async fn allow_shared(&self, state: &std::sync::Arc<crate::AppState>, key: &str) -> bool {
        if !self.shared {
            return true;
        }
        let (st, name, secs, key) = (state.clone(), self.name, self.window.as_secs(), key.to_owned());
        match tokio::task::spawn_blocking(move || st.vigil.count_request(name, secs, &key)).await {
            Ok(Ok((mine, all))) => self.counted(WindowCount { mine, all }),
            Ok(Err(e)) => {
                tracing::warn!("the {} rate limit could not be counted: {e}", self.name);
                true
            }
            Err(_) => true,
        }
    }

    /// Where the windows are shared, what a unit of work needs to count a
    /// request by `key` itself, with what the request sent (then the caller
    /// skips [`RateLimiter::allow_shared`] and hands the unit's count to
    /// [`RateLimiter::counted`]); `None` where they are not.
    pub fn in_unit<'a>(&'a self, key: &'a str) -> Option<SharedCount<'a>> {
        self.shared.then(|| SharedCount {
            limiter: self.name,
            window_secs: self.window.as_secs(),
            client: key,
            limit: u64::from(self.limit),
        })
    }

    /// What a shared count found: alerts operators if this request was the
    /// first past the ceiling; false when the client is over its limit.
    pub fn counted(&self, c: WindowCount) -> bool {
        if let Some(ceiling) = self.ceiling {
            // Exactly one request, on one node, is the first past the ceiling.
            if c.all == u64::from(ceiling) + 1 {
                self.ceiling_passed(ceiling);
            }
        }
        c.mine <= u64::from(self.limit)
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
        self.allow_key_at(&ip.map_or_else(|| "unknown".to_string(), |i| i.to_string()), 0)
    }

    /// Counts one request for a client key (see `client_address`, or a
    /// partner's ID) in this node's window at `now` (Unix seconds); false
    /// when that client is over its limit.
    fn allow_key_at(&self, addr: &str, now: u64) -> bool {
        let start = now - now % self.window.as_secs();
        let mut w = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if w.start != start {
            *w = Window::new(start);
        }
        w.total = w.total.saturating_add(1);
        // Where the windows are shared, only the shared count of everyone
        // is the whole service's; the alert is raised from it.
        if let (Some(c), false) = (self.ceiling, self.shared) {
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
            assert!(r.allow_key_at(&format!("client-{i}"), 0));
        }
        assert!(r.state.lock().unwrap().alerted);
    }

    #[test]
    fn windows_follow_the_clock_as_the_shared_ones_do() {
        let r = RateLimiter::new(2, 600);
        // 599 is in the window that starts at 0; 600 starts the next.
        assert!(r.allow_key_at("a", 1) && r.allow_key_at("a", 599));
        assert!(!r.allow_key_at("a", 599));
        assert!(r.allow_key_at("a", 600) && r.allow_key_at("a", 1199));
        assert!(!r.allow_key_at("a", 1199));
    }

    #[test]
    fn a_shared_limiter_leaves_the_ceiling_to_the_shared_count() {
        let r = RateLimiter::new(1000, 600).with_ceiling(3).shared("public", true);
        for i in 0..10 {
            assert!(r.allow_key_at(&format!("client-{i}"), 0));
        }
        assert!(!r.state.lock().unwrap().alerted, "this node's total is not the service's");
        assert!(r.counted(WindowCount { mine: 1, all: 4 }));
        assert!(!r.counted(WindowCount { mine: 1001, all: 5 }));
        assert!(RateLimiter::new(5, 600).in_unit("a").is_none(), "nothing to count in a unit on one node");
        let unit = r.in_unit("a").expect("a shared limiter counts in units");
        assert_eq!((unit.limiter, unit.window_secs, unit.limit), ("public", 600, 1000));
    }
}
