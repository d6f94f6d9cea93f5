//! Connections shared by many requests at once. SQLite gets one writer
//! connection (SQLite has one writer anyway) and a few read connections,
//! which in WAL mode never wait for a write or its fsync; PostgreSQL gets a
//! pool of each. A connection is borrowed for one call or one transaction
//! and comes back when the borrow ends, even if the borrower panicked: an
//! open transaction is rolled back as it unwinds, and no lock is poisoned.

use crate::{open, PostgresStore, SqliteStore, Store, StoreError};
use std::ops::{Deref, DerefMut};
use std::path::Path;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How long a caller waits for a free connection before the store is
/// reported unavailable (a stuck transaction, or far more load than fits).
const WAIT: Duration = Duration::from_secs(30);

type Conns = Vec<Box<dyn Store>>;

/// Free connections of one kind, with a condition variable to wait on.
struct Slots {
    free: Mutex<Vec<Box<dyn Store>>>,
    returned: Condvar,
    size: usize,
    what: &'static str,
}

impl Slots {
    fn new(conns: Vec<Box<dyn Store>>, what: &'static str) -> Self {
        Slots { size: conns.len(), free: Mutex::new(conns), returned: Condvar::new(), what }
    }

    /// The list of free connections. Nothing runs while this lock is held
    /// but a push or a pop, so poisoning cannot leave it inconsistent.
    fn lock(&self) -> MutexGuard<'_, Vec<Box<dyn Store>>> {
        self.free.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn take(&self) -> Result<Pooled<'_>, StoreError> {
        let deadline = Instant::now() + WAIT;
        let mut free = self.lock();
        loop {
            if let Some(conn) = free.pop() {
                return Ok(Pooled { conn: Some(conn), slots: self });
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(StoreError::Unavailable(format!(
                    "all {} {} connections stayed busy for {} s",
                    self.size,
                    self.what,
                    WAIT.as_secs()
                )));
            }
            free = self.returned.wait_timeout(free, left).unwrap_or_else(|p| p.into_inner()).0;
        }
    }
}

/// A borrowed connection; it goes back to its pool when dropped.
pub struct Pooled<'a> {
    conn: Option<Box<dyn Store>>,
    slots: &'a Slots,
}

impl Deref for Pooled<'_> {
    type Target = dyn Store;
    fn deref(&self) -> &Self::Target {
        self.conn.as_deref().expect("a pooled connection is present until dropped")
    }
}

impl DerefMut for Pooled<'_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        self.conn.as_deref_mut().expect("a pooled connection is present until dropped")
    }
}

impl Drop for Pooled<'_> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            self.slots.lock().push(conn);
            self.slots.returned.notify_one();
        }
    }
}

/// Group commit for SQLite. The pool's writer commits with
/// `synchronous=NORMAL` (the WAL is written, not yet fsync'd), and every
/// caller then waits in [`StorePool::make_durable`] until one `fdatasync`
/// of the WAL that began after its commit has finished. Commits that
/// arrive together share one fsync; none is acknowledged before its own
/// frames are on disk. The WAL is append-only between checkpoints, and a
/// checkpoint syncs it first, so syncing the file covers every earlier
/// commit.
struct GroupSync {
    wal: std::path::PathBuf,
    state: Mutex<SyncState>,
    done: Condvar,
}

#[derive(Default)]
struct SyncState {
    /// Tickets handed out so far; a caller's ticket is issued after its commit.
    issued: u64,
    /// Every ticket up to this one is durable.
    synced: u64,
    syncing: bool,
    file: Option<std::fs::File>,
}

impl GroupSync {
    fn make_durable(&self) -> Result<(), StoreError> {
        let lock = || self.state.lock().unwrap_or_else(|p| p.into_inner());
        let mut st = lock();
        st.issued += 1;
        let mine = st.issued;
        loop {
            if st.synced >= mine {
                return Ok(());
            }
            if st.syncing {
                st = self.done.wait(st).unwrap_or_else(|p| p.into_inner());
                continue;
            }
            st.syncing = true;
            let target = st.issued;
            if st.file.is_none() {
                st.file = Some(self.open_wal()?);
            }
            let file = st.file.as_ref().expect("opened above").try_clone();
            drop(st);
            let r = file.and_then(|f| f.sync_data());
            st = lock();
            st.syncing = false;
            if r.is_ok() {
                st.synced = st.synced.max(target);
            }
            self.done.notify_all();
            r.map_err(|e| StoreError::Unavailable(format!("syncing {}: {e}", self.wal.display())))?;
        }
    }

    fn open_wal(&self) -> Result<std::fs::File, StoreError> {
        let f = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&self.wal)
            .map_err(|e| StoreError::Unavailable(format!("opening {}: {e}", self.wal.display())))?;
        // The WAL's own directory entry must be durable too.
        if let Some(dir) = self.wal.parent() {
            let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
        }
        Ok(f)
    }
}

/// The store as many threads use it: [`StorePool::read`] for reads,
/// [`StorePool::write`] for the connection that opens write transactions.
pub struct StorePool {
    backend: &'static str,
    writers: Slots,
    readers: Slots,
    group: Option<GroupSync>,
}

impl StorePool {
    /// Opens the store a location names (see [`open`]), running pending
    /// migrations once, then the rest of the pool.
    pub fn open(location: &str, readers: usize) -> Result<Self, StoreError> {
        let mut first = open(location)?;
        let backend = first.backend();
        let readers = readers.max(1);
        let (writers, reads): (Conns, Conns) = if backend == "postgres" {
            // Several PostgreSQL writers may prepare their rows at once; the
            // sequencer row lock still orders their appends.
            let mut w = vec![first];
            for _ in 1..readers.min(4) {
                w.push(Box::new(PostgresStore::connect(location)?));
            }
            let r = (0..readers)
                .map(|_| PostgresStore::connect(location).map(|s| Box::new(s) as Box<dyn Store>))
                .collect::<Result<_, _>>()?;
            (w, r)
        } else {
            // Commits no longer fsync on their own: make_durable does, for
            // several commits at once.
            first.relax_sync()?;
            let r = (0..readers)
                .map(|_| SqliteStore::open_reader(Path::new(location)).map(|s| Box::new(s) as Box<dyn Store>))
                .collect::<Result<_, _>>()?;
            (vec![first], r)
        };
        let group = (backend == "sqlite").then(|| GroupSync {
            wal: std::path::PathBuf::from(format!("{location}-wal")),
            state: Mutex::new(SyncState::default()),
            done: Condvar::new(),
        });
        Ok(StorePool { backend, writers: Slots::new(writers, "writer"), readers: Slots::new(reads, "reader"), group })
    }

    /// Waits until every transaction this thread committed on the writer is
    /// on disk. Call it after the commit and after giving the writer back,
    /// and before acknowledging anything. (PostgreSQL commits are durable
    /// when they return; the server groups their fsyncs itself.)
    pub fn make_durable(&self) -> Result<(), StoreError> {
        match &self.group {
            Some(g) => g.make_durable(),
            None => Ok(()),
        }
    }

    /// `sqlite` or `postgres`.
    pub fn backend(&self) -> &'static str {
        self.backend
    }

    /// A connection for reads. Hold it for one call or a few, not across
    /// a write: reads and writes come from separate pools so a writer never
    /// waits for a reader to come back.
    pub fn read(&self) -> Result<Pooled<'_>, StoreError> {
        self.readers.take()
    }

    /// The connection write transactions are opened on (SQLite's one
    /// writer, or one of PostgreSQL's). Callers in this workspace go through
    /// the custody ledger's unit of work, never straight to `begin`.
    pub fn write(&self) -> Result<Pooled<'_>, StoreError> {
        self.writers.take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn a_panic_while_borrowed_returns_the_connection_and_rolls_back() {
        let d = tempfile::tempdir().unwrap();
        let pool = Arc::new(StorePool::open(d.path().join("s.db").to_str().unwrap(), 2).unwrap());
        let p = pool.clone();
        let r = std::thread::spawn(move || {
            let mut w = p.write().unwrap();
            let mut tx = w.begin().unwrap();
            tx.set_meta("half-done", "yes").unwrap();
            panic!("a handler bug, on purpose");
        })
        .join();
        assert!(r.is_err());
        // The one writer is back, and the panicking transaction left nothing.
        let mut w = pool.write().unwrap();
        w.begin().unwrap().commit().unwrap();
        drop(w);
        assert_eq!(pool.read().unwrap().meta("half-done").unwrap(), None);
    }

    #[test]
    fn concurrent_commits_share_fsyncs_and_all_become_durable() {
        let d = tempfile::tempdir().unwrap();
        let pool = Arc::new(StorePool::open(d.path().join("s.db").to_str().unwrap(), 2).unwrap());
        let threads: Vec<_> = (0..8)
            .map(|t| {
                let p = pool.clone();
                std::thread::spawn(move || {
                    for i in 0..20 {
                        {
                            let mut w = p.write().unwrap();
                            let mut tx = w.begin().unwrap();
                            tx.set_meta(&format!("k{t}-{i}"), "v").unwrap();
                            tx.commit().unwrap();
                        }
                        p.make_durable().unwrap();
                    }
                })
            })
            .collect();
        threads.into_iter().for_each(|t| t.join().unwrap());
        let g = pool.group.as_ref().unwrap().state.lock().unwrap();
        assert_eq!(g.issued, 160);
        assert_eq!(g.synced, 160, "every ticket was covered by a sync");
        drop(g);
        assert_eq!(pool.read().unwrap().meta("k7-19").unwrap().as_deref(), Some("v"));
    }

    #[test]
    fn readers_do_not_wait_for_an_open_write() {
        let d = tempfile::tempdir().unwrap();
        let pool = StorePool::open(d.path().join("s.db").to_str().unwrap(), 2).unwrap();
        let mut w = pool.write().unwrap();
        let mut tx = w.begin().unwrap();
        tx.set_meta("k", "v").unwrap();
        // A write transaction is open and holds SQLite's write lock; a read
        // goes ahead and sees the last committed state.
        assert_eq!(pool.read().unwrap().meta("k").unwrap(), None);
        tx.commit().unwrap();
        drop(w);
        assert_eq!(pool.read().unwrap().meta("k").unwrap().as_deref(), Some("v"));
    }
}
