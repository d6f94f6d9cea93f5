//! Single-use CSRF tokens for forms that have no session (the public form,
//! sign-in): `issued-time.nonce.mac`, keyed with a key derived from the
//! master key (the same on every node), valid for two hours, and refused
//! if seen before. On PostgreSQL, where several nodes share the store,
//! spent nonces are kept there, so a form served by one node is taken once
//! by whichever node receives it; on SQLite (one node) they are kept here.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

const LIFETIME_SECS: u64 = 2 * 3600;

pub(crate) struct CsrfKeys {
    key: zeroize::Zeroizing<[u8; 32]>,
    /// Whether spent nonces go to the shared store rather than `used`.
    shared: bool,
    used: Mutex<HashMap<String, u64>>,
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum CsrfError {
    Malformed,
    Expired,
    Replayed,
    /// The store could not record the token as spent; nothing was taken.
    Unavailable,
}

/// A token whose MAC and age are good, not yet spent.
pub(crate) struct Unspent {
    nonce: String,
    issued: u64,
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

impl CsrfKeys {
    pub fn new(key: zeroize::Zeroizing<[u8; 32]>, shared: bool) -> Self {
        CsrfKeys { key, shared, used: Mutex::new(HashMap::new()) }
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

    /// Checks a token's MAC and age, without spending it.
    pub fn check(&self, token: &str) -> Result<Unspent, CsrfError> {
        let mut parts = token.split('.');
        let (Some(t), Some(n), Some(m), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            return Err(CsrfError::Malformed);
        };
        let msg = format!("{t}.{n}");
        if !same_secret(&self.mac(&msg), m) {
            return Err(CsrfError::Malformed);
        }
        let issued: u64 = t.parse().map_err(|_| CsrfError::Malformed)?;
        if now().saturating_sub(issued) > LIFETIME_SECS {
            return Err(CsrfError::Expired);
        }
        Ok(Unspent { nonce: n.to_owned(), issued })
    }

    /// Spends a checked token in this process's memory.
    fn spend_here(&self, t: Unspent) -> Result<(), CsrfError> {
        let now = now();
        let mut used = self.used.lock().unwrap_or_else(|p| p.into_inner());
        used.retain(|_, at| now.saturating_sub(*at) <= LIFETIME_SECS);
        if used.insert(t.nonce, t.issued).is_some() {
            return Err(CsrfError::Replayed);
        }
        Ok(())
    }

    /// Checks a token and spends it (here in memory: tests of one process).
    #[cfg(test)]
    pub fn redeem_here(&self, token: &str) -> Result<(), CsrfError> {
        self.spend_here(self.check(token)?)
    }
}

/// A checked token still to be spent in the shared store: on its own
/// ([`spend_in_store`]) or with what its form sent (`Vigil::submit_public_form`).
pub(crate) type StoreSpend = vigil_core::FormSpend;

/// Checks a token. Where nodes share no store it is spent here and now
/// (`None`); else what is to be spent in the store comes back.
pub(crate) fn check_to_spend(state: &crate::AppState, token: &str) -> Result<Option<StoreSpend>, CsrfError> {
    let t = state.csrf.check(token)?;
    if !state.csrf.shared {
        return state.csrf.spend_here(t).map(|()| None);
    }
    Ok(Some(StoreSpend { expires_at: t.issued.saturating_add(LIFETIME_SECS), nonce: t.nonce }))
}

/// Spends a checked token in the shared store (a write: call it on a
/// blocking thread).
pub(crate) fn spend_in_store(vigil: &vigil_core::Vigil, s: &StoreSpend) -> Result<(), CsrfError> {
    match vigil.spend_form_token(&s.nonce, s.expires_at) {
        Ok(true) => Ok(()),
        Ok(false) => Err(CsrfError::Replayed),
        Err(e) => {
            tracing::warn!("a form token could not be recorded as spent: {e}");
            Err(CsrfError::Unavailable)
        }
    }
}

/// Checks a token and spends it, in the shared store where there is one
/// (on a blocking thread: it is a write).
pub(crate) async fn redeem(state: &Arc<crate::AppState>, token: &str) -> Result<(), CsrfError> {
    match check_to_spend(state, token)? {
        Some(spend) => spend_on_blocking_thread(state, spend).await,
        None => Ok(()),
    }
}

/// [`spend_in_store`] on a blocking thread of its own.
pub(crate) async fn spend_on_blocking_thread(state: &Arc<crate::AppState>, spend: StoreSpend) -> Result<(), CsrfError> {
    let st = state.clone();
    tokio::task::spawn_blocking(move || spend_in_store(&st.vigil, &spend)).await.unwrap_or(Err(CsrfError::Unavailable))
}

/// Whether two secrets are equal, taking the same time wherever they
/// differ (the length is no secret: every token of a kind has the same).
pub(crate) fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(byte: u8) -> CsrfKeys {
        CsrfKeys::new(zeroize::Zeroizing::new([byte; 32]), false)
    }

    #[test]
    fn tokens_are_single_use_and_unforgeable() {
        let k = keys(1);
        let t = k.issue();
        assert_eq!(k.redeem_here(&t), Ok(()));
        assert_eq!(k.redeem_here(&t), Err(CsrfError::Replayed));
        let other = keys(2).issue();
        assert_eq!(k.redeem_here(&other), Err(CsrfError::Malformed));
        assert!(keys(1).check(&k.issue()).is_ok(), "another process with the same key accepts it");
        assert_eq!(k.redeem_here("garbage"), Err(CsrfError::Malformed));
        let mut parts: Vec<&str> = t.split('.').collect();
        let old = "1000".to_string();
        parts[0] = &old;
        assert_eq!(k.redeem_here(&parts.join(".")), Err(CsrfError::Malformed), "changing the time breaks the MAC");
    }
}
