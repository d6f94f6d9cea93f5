//! A streaming checker for a custody log: feed it leaves in order and signed
//! heads as their size is reached, and it recomputes the tree and checks
//! every signature. Memory stays O(log n) for any log length.

use crate::frontier::Frontier;
use crate::leaf::{decode_leaf, LeafError};
use crate::merkle::{leaf_hash, Hash};
use crate::tree_head::SignedTreeHead;
use ed25519_dalek::VerifyingKey;
use vigil_domain::{CustodyEvent, Timestamp};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LogError {
    #[error("event #{index}: {source}")]
    Leaf { index: u64, source: LeafError },
    #[error("event #{position} says it is event #{claimed}: events were removed, inserted or reordered")]
    OutOfPlace { position: u64, claimed: u64 },
    #[error("signed tree head for size {size} (signed {time}): the signature is invalid — the head was altered or signed by another key")]
    BadSignature { size: u64, time: Timestamp },
    #[error(
        "signed tree head for size {size} does not match the recomputed tree: an event between #{from} and #{to} was altered, removed or inserted"
    )]
    RootMismatch { size: u64, from: u64, to: u64 },
    #[error("signed tree head for size {size} is out of order (after a head for size {previous})")]
    HeadOrder { size: u64, previous: u64 },
    #[error("signed tree head for size {size} covers more events than the log holds before it ({have}): events were removed")]
    Truncated { size: u64, have: u64 },
    #[error("signed tree head for size {size} is out of place (it appears after event #{at})")]
    Misplaced { size: u64, at: u64 },
    #[error("the log has {have} events but no signed head covers events after #{covered}")]
    Unsigned { have: u64, covered: u64 },
}

/// A leaf hashed and decoded, ready for [`LogChecker::add_prepared`].
pub struct PreparedLeaf {
    pub hash: Hash,
    pub decoded: Result<(u64, CustodyEvent), LeafError>,
}

/// The work on one leaf that needs nothing of the others: its hash and its
/// decoding. Only pushing the hash into the tree is in order.
pub fn prepare_leaf(bytes: &[u8]) -> PreparedLeaf {
    PreparedLeaf { hash: leaf_hash(bytes), decoded: decode_leaf(bytes) }
}

pub struct LogChecker {
    key: VerifyingKey,
    frontier: Frontier,
    last_head: Option<SignedTreeHead>,
    heads: u64,
}

impl LogChecker {
    pub fn new(key: VerifyingKey) -> Self {
        LogChecker { key, frontier: Frontier::new(), last_head: None, heads: 0 }
    }

    /// Carries on from a signed head whose tree's right edge is known (a
    /// checkpoint that kept it): the next leaf added is leaf `head`'s size.
    /// Refused unless the frontier is the head's size and hashes to its
    /// signed root, and the signature is the key's.
    pub fn resume(key: VerifyingKey, frontier: Frontier, head: SignedTreeHead) -> Result<Self, LogError> {
        let size = head.head.tree_size;
        head.verify(&key).map_err(|_| LogError::BadSignature { size, time: head.head.timestamp })?;
        if frontier.size() != size || frontier.root() != head.head.root {
            return Err(LogError::RootMismatch { size, from: 0, to: size.saturating_sub(1) });
        }
        Ok(LogChecker { key, frontier, last_head: Some(head), heads: 0 })
    }

    pub fn size(&self) -> u64 {
        self.frontier.size()
    }

    pub fn heads_checked(&self) -> u64 {
        self.heads
    }

    pub fn last_head(&self) -> Option<&SignedTreeHead> {
        self.last_head.as_ref()
    }

    pub fn root(&self) -> Hash {
        self.frontier.root()
    }

    /// Adds the next leaf; returns its hash and decoded event.
    pub fn add_leaf(&mut self, bytes: &[u8]) -> Result<(Hash, CustodyEvent), LogError> {
        let prepared = prepare_leaf(bytes);
        let h = prepared.hash;
        self.add_prepared(prepared).map(|event| (h, event))
    }

    /// Adds the next leaf, already hashed and decoded (by [`prepare_leaf`],
    /// which callers may run on many leaves in parallel); returns its event.
    pub fn add_prepared(&mut self, prepared: PreparedLeaf) -> Result<CustodyEvent, LogError> {
        let position = self.frontier.size();
        let (claimed, event) = prepared.decoded.map_err(|source| LogError::Leaf { index: position, source })?;
        self.add_hashed(prepared.hash, Ok(claimed))?;
        Ok(event)
    }

    /// Adds the next leaf from its hash and the index its decoding
    /// claimed (or why it did not decode), for callers that keep the event
    /// elsewhere or not at all.
    pub fn add_hashed(&mut self, hash: Hash, claimed: Result<u64, LeafError>) -> Result<(), LogError> {
        let position = self.frontier.size();
        let claimed = claimed.map_err(|source| LogError::Leaf { index: position, source })?;
        if claimed != position {
            return Err(LogError::OutOfPlace { position, claimed });
        }
        self.frontier.push(hash);
        Ok(())
    }

    /// Checks a head whose size equals the number of leaves added so far.
    pub fn check_head(&mut self, sth: &SignedTreeHead) -> Result<(), LogError> {
        let size = sth.head.tree_size;
        let previous = self.last_head.map_or(0, |h| h.head.tree_size);
        if self.last_head.is_some() && size <= previous {
            return Err(LogError::HeadOrder { size, previous });
        }
        sth.verify(&self.key).map_err(|_| LogError::BadSignature { size, time: sth.head.timestamp })?;
        if size > self.frontier.size() {
            return Err(LogError::Truncated { size, have: self.frontier.size() });
        }
        if size < self.frontier.size() {
            return Err(LogError::Misplaced { size, at: self.frontier.size() - 1 });
        }
        if sth.head.root != self.frontier.root() {
            return Err(LogError::RootMismatch { size, from: previous, to: size.saturating_sub(1) });
        }
        self.last_head = Some(*sth);
        self.heads += 1;
        Ok(())
    }

    /// At the end of the log: every event must be covered by a signed head.
    pub fn finish(&self) -> Result<(), LogError> {
        let covered = self.last_head.map_or(0, |h| h.head.tree_size);
        if covered != self.frontier.size() {
            return Err(LogError::Unsigned { have: self.frontier.size(), covered: covered.saturating_sub(1) });
        }
        Ok(())
    }
}
