//! The wall clock, read only here so the domain stays pure.
//!
//! Evidence times (custody events, receipts, grades) come from the
//! [`Clock`] a [`crate::Vigil`] holds: the system clock in service, or a
//! clock set by hand in a simulation or test that needs events at known
//! times. Session expiry and TOTP always read the system clock: they are
//! about the officer's authenticator and the real world, not the record.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use vigil_domain::Timestamp;

pub fn now() -> Timestamp {
    let d = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    Timestamp::from_unix_millis(d.as_millis() as i64)
}

/// Where evidence times come from.
#[derive(Debug, Clone, Default)]
pub struct Clock(Option<Arc<AtomicI64>>);

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Clock(None)
    }

    /// A clock that stands at `start` until moved with [`Clock::set`] or
    /// [`Clock::advance`]; clones share the same hand.
    pub fn manual(start: Timestamp) -> Self {
        Clock(Some(Arc::new(AtomicI64::new(start.unix_millis()))))
    }

    pub fn now(&self) -> Timestamp {
        match &self.0 {
            None => now(),
            Some(ms) => Timestamp::from_unix_millis(ms.load(Ordering::SeqCst)),
        }
    }

    /// Moves a manual clock to `t`; the system clock cannot be moved, so
    /// this answers false for it.
    pub fn set(&self, t: Timestamp) -> bool {
        match &self.0 {
            None => false,
            Some(ms) => {
                ms.store(t.unix_millis(), Ordering::SeqCst);
                true
            }
        }
    }

    /// Moves a manual clock on by `millis`; false for the system clock.
    pub fn advance(&self, millis: i64) -> bool {
        match &self.0 {
            None => false,
            Some(ms) => {
                ms.fetch_add(millis, Ordering::SeqCst);
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_told_and_clones_share_it() {
        let c = Clock::manual(Timestamp::from_unix_millis(1_000));
        let d = c.clone();
        assert_eq!(c.now().unix_millis(), 1_000);
        assert!(d.advance(500));
        assert_eq!(c.now().unix_millis(), 1_500);
        assert!(c.set(Timestamp::from_unix_millis(9)));
        assert_eq!(d.now().unix_millis(), 9);
        assert!(!Clock::system().advance(1));
    }
}
