//! A fixed-window rate limit on public submissions, keyed on a keyed hash of
//! the client address under a salt that is replaced every window, so no
//! stored key can be tied back to an address once its window has passed.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub(crate) struct RateLimiter {
    limit: u32,
    window: Duration,
    state: Mutex<Window>,
}

struct Window {
    started: Instant,
    salt: [u8; 32],
    counts: HashMap<[u8; 16], u32>,
}

fn salt() -> [u8; 32] {
    let mut s = [0u8; 32];
    getrandom::getrandom(&mut s).expect("the OS random source is available");
    s
}

impl RateLimiter {
    pub fn new(limit: u32, window_secs: u64) -> Self {
        RateLimiter {
            limit,
            window: Duration::from_secs(window_secs),
            state: Mutex::new(Window { started: Instant::now(), salt: salt(), counts: HashMap::new() }),
        }
    }

    /// Counts one request; false when the client is over its limit.
    pub fn allow(&self, ip: Option<IpAddr>) -> bool {
        self.allow_key(&ip.map_or_else(|| "unknown".to_string(), |i| i.to_string()))
    }

    /// Counts one request for any client key (a partner's ID, say).
    pub fn allow_key(&self, addr: &str) -> bool {
        let mut w = self.state.lock().expect("rate limiter");
        if w.started.elapsed() >= self.window {
            *w = Window { started: Instant::now(), salt: salt(), counts: HashMap::new() };
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

    #[test]
    fn limits_per_client() {
        let r = RateLimiter::new(2, 600);
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        assert!(r.allow(Some(a)) && r.allow(Some(a)));
        assert!(!r.allow(Some(a)));
        assert!(r.allow(Some(b)));
    }
}
