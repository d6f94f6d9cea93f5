//! Appending to the custody log inside a store transaction: take the
//! sequencer lock, extend the Merkle frontier, insert the leaves and a
//! freshly signed tree head, and save the new frontier — all or nothing.

use crate::error::CoreError;
use serde::Serialize;
use vigil_custody::{encode_leaf, leaf_hash, Frontier, SignedTreeHead, SigningKey, TreeHead};
use vigil_domain::{CustodyEvent, Timestamp};
use vigil_store::{EventRow, HeadRow, LogState, StoreTx};

#[derive(Debug, Clone, Serialize)]
pub struct AppendReceipt {
    /// Index of the first appended event.
    pub first_index: u64,
    pub count: u64,
    pub head: SignedTreeHead,
}

pub(crate) fn append(
    tx: &mut dyn StoreTx,
    state: LogState,
    events: &[CustodyEvent],
    key: &SigningKey,
    now: Timestamp,
) -> Result<AppendReceipt, CoreError> {
    let mut frontier = Frontier::from_bytes(&state.frontier)
        .filter(|f| f.size() == state.size)
        .ok_or_else(|| CoreError::Log("the sequencer row's frontier is malformed; run `vigil verify`".into()))?;
    let first = frontier.size();
    let mut rows = Vec::with_capacity(events.len());
    for (k, ev) in events.iter().enumerate() {
        ev.validate()?;
        let index = first + k as u64;
        let leaf = encode_leaf(index, ev);
        let h = leaf_hash(&leaf);
        frontier.push(h);
        rows.push(EventRow {
            index,
            leaf,
            leaf_hash: h,
            kind: ev.kind.as_str().to_owned(),
            object: ev.object.as_str().to_owned(),
            actor: ev.actor.as_str().to_owned(),
            time_ms: ev.time.unix_millis(),
        });
    }
    tx.insert_events(&rows)?;
    let head = TreeHead { tree_size: frontier.size(), root: frontier.root(), timestamp: now }.sign(key);
    tx.insert_head(&head_row(&head))?;
    tx.save_log_state(&LogState { size: frontier.size(), frontier: frontier.to_bytes() })?;
    Ok(AppendReceipt { first_index: first, count: events.len() as u64, head })
}

pub(crate) fn head_row(h: &SignedTreeHead) -> HeadRow {
    HeadRow {
        tree_size: h.head.tree_size,
        root: h.head.root,
        timestamp_ms: h.head.timestamp.unix_millis(),
        signature: h.signature,
    }
}

pub(crate) fn from_head_row(h: &HeadRow) -> SignedTreeHead {
    SignedTreeHead {
        head: TreeHead { tree_size: h.tree_size, root: h.root, timestamp: Timestamp::from_unix_millis(h.timestamp_ms) },
        signature: h.signature,
    }
}
