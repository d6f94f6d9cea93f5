//! How many partner file uploads may be in progress: a few per partner and
//! a bound over all of them, so a partner with many slow uploads (or a
//! stolen key) can neither hold every connection's worth of work nor keep
//! other partners out. A request past either bound is told to retry at
//! once, never queued: a queued upload would hold its connection anyway.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// Uploads in progress for one partner.
pub const PER_PARTNER: usize = 8;
/// Uploads in progress for all partners together.
pub const OVERALL: usize = 64;

#[derive(Default)]
pub(crate) struct UploadSlots {
    in_progress: Mutex<Counts>,
}

#[derive(Default)]
struct Counts {
    total: usize,
    by_partner: HashMap<String, usize>,
}

/// Which bound refused an upload.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Full {
    Partner,
    Overall,
}

/// An upload's place, given back when dropped.
pub(crate) struct Slot {
    slots: Arc<UploadSlots>,
    partner: String,
}

impl UploadSlots {
    pub(crate) fn take(self: &Arc<Self>, partner: &str) -> Result<Slot, Full> {
        // The lock guards two counters and is never held across an await or
        // a panic-prone call, so poisoning would carry no torn state.
        let mut c = self.in_progress.lock().unwrap_or_else(PoisonError::into_inner);
        let mine = c.by_partner.get(partner).copied().unwrap_or(0);
        if mine >= PER_PARTNER {
            return Err(Full::Partner);
        }
        if c.total >= OVERALL {
            return Err(Full::Overall);
        }
        c.total += 1;
        *c.by_partner.entry(partner.to_owned()).or_insert(0) += 1;
        Ok(Slot { slots: self.clone(), partner: partner.to_owned() })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut c = self.slots.in_progress.lock().unwrap_or_else(PoisonError::into_inner);
        c.total -= 1;
        if let Some(n) = c.by_partner.get_mut(&self.partner) {
            *n -= 1;
            if *n == 0 {
                c.by_partner.remove(&self.partner);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_partner_and_all_together_are_bounded_and_slots_come_back() {
        let slots = Arc::new(UploadSlots::default());
        let a: Vec<Slot> = (0..PER_PARTNER).map(|_| slots.take("a").unwrap()).collect();
        assert_eq!(slots.take("a").err(), Some(Full::Partner));
        let mut others = Vec::new();
        for i in 0.. {
            match slots.take(&format!("p{}", i / PER_PARTNER)) {
                Ok(s) => others.push(s),
                Err(full) => {
                    assert_eq!(full, Full::Overall);
                    break;
                }
            }
        }
        assert_eq!(a.len() + others.len(), OVERALL);
        drop(a);
        assert!(slots.take("a").is_ok());
        drop(others);
        assert_eq!(slots.in_progress.lock().unwrap().total, 0);
    }
}
