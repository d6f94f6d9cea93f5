//! Single-use CSRF tokens for forms that have no session (the public form):
//! `issued-time.nonce.mac`, keyed with a per-process secret, valid for two
//! hours, and refused if seen before.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

const LIFETIME_SECS: u64 = 2 * 3600;

pub(crate) struct CsrfKeys {
    key: [u8; 32],
    used: Mutex<HashMap<String, u64>>,
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum CsrfError {
    Malformed,
    Expired,
    Replayed,
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

impl CsrfKeys {
    pub fn new() -> Self {
        let mut key = [0u8; 32];
        getrandom::getrandom(&mut key).expect("the OS random source is available");
        CsrfKeys { key, used: Mutex::new(HashMap::new()) }
    }

    fn mac(&self, msg: &str) -> String {
        hex::encode(&blake3::keyed_hash(&self.key, msg.as_bytes()).as_bytes()[..16])
    }

    pub fn issue(&self) -> String {
        let mut nonce = [0u8; 12];
        getrandom::getrandom(&mut nonce).expect("the OS random source is available");
        let msg = format!("{}.{}", now(), hex::encode(nonce));
        let mac = self.mac(&msg);
        format!("{msg}.{mac}")
    }

    /// Checks a token and spends it.
    pub fn redeem(&self, token: &str) -> Result<(), CsrfError> {
        let mut parts = token.split('.');
        let (Some(t), Some(n), Some(m), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            return Err(CsrfError::Malformed);
        };
        let msg = format!("{t}.{n}");
        if !same_secret(&self.mac(&msg), m) {
            return Err(CsrfError::Malformed);
        }
        let issued: u64 = t.parse().map_err(|_| CsrfError::Malformed)?;
        let now = now();
        if now.saturating_sub(issued) > LIFETIME_SECS {
            return Err(CsrfError::Expired);
        }
        let mut used = self.used.lock().expect("csrf set");
        used.retain(|_, at| now.saturating_sub(*at) <= LIFETIME_SECS);
        if used.insert(n.to_owned(), issued).is_some() {
            return Err(CsrfError::Replayed);
        }
        Ok(())
    }
}

/// Whether two secrets are equal, taking the same time wherever they
/// differ (the length is no secret: every token of a kind has the same).
pub(crate) fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_single_use_and_unforgeable() {
        let k = CsrfKeys::new();
        let t = k.issue();
        assert_eq!(k.redeem(&t), Ok(()));
        assert_eq!(k.redeem(&t), Err(CsrfError::Replayed));
        let other = CsrfKeys::new().issue();
        assert_eq!(k.redeem(&other), Err(CsrfError::Malformed));
        assert_eq!(k.redeem("garbage"), Err(CsrfError::Malformed));
        let mut parts: Vec<&str> = t.split('.').collect();
        let old = "1000".to_string();
        parts[0] = &old;
        assert_eq!(k.redeem(&parts.join(".")), Err(CsrfError::Malformed), "changing the time breaks the MAC");
    }
}
