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
    // The rows of projected tables this transaction left go into its last
    // event, so the log can rebuild them (`verify`).
    let images = take_images(tx)?;
    let mut with_rows;
    let events = if images.is_empty() {
        events
    } else {
        with_rows = events.to_vec();
        with_rows.last_mut().expect("append is given at least one event").rows.extend(images);
        &with_rows[..]
    };
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
    let head = TreeHead { tree_size: frontier.size(), root: frontier.root(), timestamp: now }.sign(key);
    tx.append_log(&rows, &head_row(&head), &LogState { size: frontier.size(), frontier: frontier.to_bytes() })?;
    Ok(AppendReceipt { first_index: first, count: events.len() as u64, head })
}

/// The images of the rows of projected tables that `tx` changed so far.
pub(crate) fn take_images(tx: &mut dyn StoreTx) -> Result<Vec<vigil_domain::RowImage>, CoreError> {
    let changes = tx.take_projection_changes()?;
    vigil_store::projection::images_of(&changes).map_err(|e| CoreError::Log(e.to_string()))
}

/// A unit that queued no event may change no projected row but for the
/// columns written outside the log (a sign-in's counters): anything more
/// would be a change the log cannot rebuild, so the unit fails.
fn refuse_unlogged_rows(tx: &mut dyn StoreTx) -> Result<(), CoreError> {
    let images = take_images(tx)?;
    match images.first() {
        None => Ok(()),
        Some(i) => Err(CoreError::Log(format!(
            "a change to table {} was about to be committed without a custody event; nothing was written",
            i.t
        ))),
    }
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

/// One unit of work: a write transaction that holds the log's sequencer
/// lock, the custody events its changes earn, and the time they share.
/// [`Vigil::write`] is the only way code in this crate changes the store,
/// so a change and its event commit together by construction.
pub(crate) struct Unit<'a> {
    tx: Box<dyn StoreTx + 'a>,
    size: u64,
    events: Vec<CustodyEvent>,
    /// The time of every event and row in this unit.
    pub(crate) now: Timestamp,
}

impl<'a> Unit<'a> {
    /// The transaction, for the rows that go with this unit's events.
    pub(crate) fn tx(&mut self) -> &mut (dyn StoreTx + 'a) {
        self.tx.as_mut()
    }

    /// Queues a custody event; returns the log index it will have. The
    /// events are sequenced, signed under one head and committed with the
    /// rows when the unit ends.
    pub(crate) fn log(&mut self, ev: CustodyEvent) -> u64 {
        let index = self.size + self.events.len() as u64;
        self.events.push(ev);
        index
    }
}

impl crate::data_dir::Vigil {
    /// Runs `work` in one write transaction with the log locked, appends
    /// the events it queued under one signed head, and commits both. An
    /// error (or a panic) in `work` rolls everything back.
    pub(crate) fn write<T>(&self, work: impl FnOnce(&mut Unit<'_>) -> Result<T, CoreError>) -> Result<T, CoreError> {
        self.write_logged(work).map(|(value, _)| value)
    }

    /// As [`Vigil::write`], also returning the append's receipt (none when
    /// the unit queued no event).
    pub(crate) fn write_logged<T>(
        &self,
        work: impl FnOnce(&mut Unit<'_>) -> Result<T, CoreError>,
    ) -> Result<(T, Option<AppendReceipt>), CoreError> {
        let (value, receipt, _) = self.write_unit(work, false)?;
        // Acknowledged only once on disk, sharing the fsync with whatever
        // else committed meanwhile (the writer is free again by now).
        self.store.make_durable()?;
        Ok((value, receipt))
    }

    /// As [`Vigil::write_logged`], without waiting for the disk unless
    /// `sync` asks the commit to wait itself where the store can do that
    /// cheaply; the third value says whether it did. If not, the caller
    /// must call `self.store.make_durable()` before it acknowledges what
    /// was written. A sync commit is worth it for a unit written for many
    /// requests (the queued public reports).
    pub(crate) fn write_unit<T>(
        &self,
        work: impl FnOnce(&mut Unit<'_>) -> Result<T, CoreError>,
        sync: bool,
    ) -> Result<(T, Option<AppendReceipt>, bool), CoreError> {
        let (value, receipt, synced) = {
            let mut conn = self.store.write()?;
            let mut tx = conn.begin()?;
            let state = tx.lock_log()?;
            let mut unit = Unit { tx, size: state.size, events: Vec::new(), now: self.now() };
            let value = work(&mut unit)?;
            let Unit { mut tx, events, now, .. } = unit;
            let receipt = if events.is_empty() {
                refuse_unlogged_rows(tx.as_mut())?;
                None
            } else {
                Some(append(tx.as_mut(), state, &events, &self.signing, now)?)
            };
            let synced = if sync { tx.commit_synced()? } else { tx.commit().map(|()| false)? };
            (value, receipt, synced)
        };
        Ok((value, receipt, synced))
    }

    /// A write that earns no custody event (a session, a sign-in's
    /// counters): it does not take the log's sequencer lock.
    pub(crate) fn write_unlogged<T>(
        &self,
        work: impl FnOnce(&mut dyn StoreTx) -> Result<T, CoreError>,
    ) -> Result<T, CoreError> {
        // The writer is given back before the wait for the disk.
        let value = self.write_volatile(work)?;
        self.store.make_durable()?;
        Ok(value)
    }

    /// As [`Vigil::write_unlogged`], without waiting for the disk: for rows
    /// whose loss in a crash of the database server costs nothing durable
    /// (a spent form token, a rate count). The commit still orders before
    /// every later unit's, whose own wait for the disk covers it.
    pub(crate) fn write_volatile<T>(
        &self,
        work: impl FnOnce(&mut dyn StoreTx) -> Result<T, CoreError>,
    ) -> Result<T, CoreError> {
        let mut conn = self.store.write()?;
        let mut tx = conn.begin()?;
        let value = work(tx.as_mut())?;
        refuse_unlogged_rows(tx.as_mut())?;
        tx.commit()?;
        Ok(value)
    }
}

#[cfg(feature = "test-hooks")]
impl crate::data_dir::Vigil {
    /// Test builds only: opens a unit of work, writes a row and an event,
    /// then panics, as a bug in a handler would.
    pub fn panic_inside_a_write(&self) {
        let _ = self.write(|u| {
            u.tx().set_meta("test-hook", "half-written")?;
            u.log(CustodyEvent::new(
                vigil_domain::EventKind::Reviewed,
                vigil_domain::Actor::system(),
                u.now,
                vigil_domain::ObjectRef::log(),
            ));
            panic!("test hook: a panic inside a unit of work");
            #[allow(unreachable_code)]
            Ok(())
        });
    }
}
