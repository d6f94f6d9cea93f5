//! Back-off after failed sign-ins, per (account, client) pair. A lock on
//! the account itself let anyone lock every officer out by guessing, and
//! its different answer told them which user names exist. Here a client
//! that keeps failing for one account waits longer and longer (1, 2, 4 …
//! up to 15 minutes) while the officer signs in from their own machine,
//! and every refusal reads the same as a wrong password.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures allowed before the first wait.
const FREE_TRIES: u32 = 5;
const LONGEST: Duration = Duration::from_secs(15 * 60);
/// Entries idle this long are forgotten.
const FORGET: Duration = Duration::from_secs(60 * 60);

pub(crate) struct LoginBackoff {
    salt: [u8; 32],
    state: Mutex<HashMap<[u8; 16], (u32, Instant)>>,
}

impl LoginBackoff {
    pub(crate) fn new() -> Self {
        let mut salt = [0u8; 32];
        getrandom::getrandom(&mut salt).expect("the OS random source is available");
        LoginBackoff { salt, state: Mutex::new(HashMap::new()) }
    }

    fn key(&self, username: &str, client: &str) -> [u8; 16] {
        let mut h = blake3::Hasher::new_keyed(&self.salt);
        h.update(username.trim().to_lowercase().as_bytes());
        h.update(b"\0");
        h.update(client.as_bytes());
        h.finalize().as_bytes()[..16].try_into().expect("16 bytes")
    }

    /// Whether this client must wait before trying this account again.
    pub(crate) fn waiting(&self, username: &str, client: &str) -> bool {
        let k = self.key(username, client);
        let state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.get(&k).is_some_and(|(failures, last)| *failures >= FREE_TRIES && last.elapsed() < wait(*failures))
    }

    pub(crate) fn failed(&self, username: &str, client: &str) {
        let k = self.key(username, client);
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.retain(|_, (_, last)| last.elapsed() < FORGET);
        let e = state.entry(k).or_insert((0, Instant::now()));
        e.0 = e.0.saturating_add(1);
        e.1 = Instant::now();
    }

    pub(crate) fn succeeded(&self, username: &str, client: &str) {
        let k = self.key(username, client);
        self.state.lock().unwrap_or_else(|p| p.into_inner()).remove(&k);
    }
}

fn wait(failures: u32) -> Duration {
    let doublings = failures.saturating_sub(FREE_TRIES).min(10);
    (Duration::from_secs(60) * 2u32.pow(doublings)).min(LONGEST)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_client_waits_and_others_do_not() {
        let b = LoginBackoff::new();
        for _ in 0..FREE_TRIES {
            assert!(!b.waiting("jsmith", "192.0.2.1"));
            b.failed("jsmith", "192.0.2.1");
        }
        assert!(b.waiting("jsmith", "192.0.2.1"));
        assert!(!b.waiting("jsmith", "198.51.100.2"), "the officer's own machine is not locked out");
        assert!(!b.waiting("other", "192.0.2.1"));
        b.succeeded("jsmith", "192.0.2.1");
        assert!(!b.waiting("jsmith", "192.0.2.1"));
        assert_eq!(wait(5), Duration::from_secs(60));
        assert_eq!(wait(7), Duration::from_secs(240));
        assert_eq!(wait(40), LONGEST);
    }
}
