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

/// Group commit. The pool's writers commit without waiting for the disk
/// (SQLite: `synchronous=NORMAL`, the WAL written but not fsync'd;
/// PostgreSQL: `synchronous_commit = off`), and every caller then waits in
/// [`StorePool::make_durable`] until one flush that began after its commit
/// has finished: an `fdatasync` of SQLite's WAL, or a PostgreSQL
/// transaction committed synchronously on a connection of its own, which
/// flushes the server's WAL through every earlier commit. Commits that
/// arrive together share one flush; none is acknowledged before it is on
/// disk. (Both logs are written in order, so a flush covers every commit
/// before it.)
struct GroupSync {
    state: Mutex<SyncState>,
    done: Condvar,
    flush: Box<dyn Fn() -> Result<(), StoreError> + Send + Sync>,
}

#[derive(Default)]
struct SyncState {
    /// Tickets handed out so far; a caller's ticket is issued after its commit.
    issued: u64,
    /// Every ticket up to this one is durable.
    synced: u64,
    syncing: bool,
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
            drop(st);
            let r = (self.flush)();
            st = lock();
            st.syncing = false;
            if r.is_ok() {
                st.synced = st.synced.max(target);
            }
            self.done.notify_all();
            r?;
        }
    }

    fn sqlite(location: &str) -> GroupSync {
        let wal = std::path::PathBuf::from(format!("{location}-wal"));
        let file: Mutex<Option<std::fs::File>> = Mutex::new(None);
        let flush = move || {
            let mut f = file.lock().unwrap_or_else(|p| p.into_inner());
            if f.is_none() {
                let opened = std::fs::OpenOptions::new()
                    .read(true)
                    .write(true)
                    .open(&wal)
                    .map_err(|e| StoreError::Unavailable(format!("opening {}: {e}", wal.display())))?;
                // The WAL's own directory entry must be durable too.
                if let Some(dir) = wal.parent() {
                    let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
                }
                *f = Some(opened);
            }
            f.as_ref()
                .expect("opened above")
                .sync_data()
                .map_err(|e| StoreError::Unavailable(format!("syncing {}: {e}", wal.display())))
        };
        GroupSync { state: Mutex::default(), done: Condvar::new(), flush: Box::new(flush) }
    }

    fn postgres(location: &str) -> Result<GroupSync, StoreError> {
        let client = Mutex::new(Some(flush_connection(location)?));
        let location = location.to_owned();
        let flush = move || {
            let mut c = client.lock().unwrap_or_else(|p| p.into_inner());
            // A transaction with an ID commits a WAL record; committing it
            // synchronously flushes the WAL up to it, and so every commit
            // before it. A connection the server dropped is replaced once,
            // and the flush tried again on the new one.
            for attempt in 0..2 {
                if c.as_ref().is_none_or(|c| c.is_closed()) {
                    *c = None;
                    *c = Some(flush_connection(&location)?);
                }
                let conn = c.as_mut().expect("connected above");
                match conn.batch_execute("BEGIN; SELECT txid_current(); COMMIT;") {
                    Ok(()) => return Ok(()),
                    Err(e) if attempt == 0 && (e.is_closed() || conn.is_closed()) => *c = None,
                    Err(e) => return Err(e.into()),
                }
            }
            Err(StoreError::Unavailable("the PostgreSQL server dropped the flush connection twice".into()))
        };
        Ok(GroupSync { state: Mutex::default(), done: Condvar::new(), flush: Box::new(flush) })
    }
}

/// The connection whose commits make others durable. It does not trust the
/// server's defaults: its own commits wait for the WAL flush whatever
/// `synchronous_commit` the server was given, and a server that does not
/// fsync at all is refused, since nothing it acknowledges survives a crash.
fn flush_connection(location: &str) -> Result<postgres::Client, StoreError> {
    let mut c = postgres::Client::connect(location, postgres::NoTls)?;
    c.batch_execute("SET synchronous_commit = on; SET application_name = 'vigil-flush'")?;
    let fsync: String = c.query_one("SHOW fsync", &[])?.try_get(0)?;
    if fsync != "on" {
        return Err(StoreError::Unsafe(format!(
            "the PostgreSQL server runs with fsync = {fsync}: it would acknowledge evidence a crash can lose; \
             set fsync = on in postgresql.conf"
        )));
    }
    Ok(c)
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
            first.relax_sync()?;
            let mut w = vec![first];
            for _ in 1..readers.min(4) {
                let mut c: Box<dyn Store> = Box::new(PostgresStore::connect(location)?);
                c.relax_sync()?;
                w.push(c);
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
        let group =
            Some(if backend == "sqlite" { GroupSync::sqlite(location) } else { GroupSync::postgres(location)? });
        Ok(StorePool { backend, writers: Slots::new(writers, "writer"), readers: Slots::new(reads, "reader"), group })
    }

    /// Waits until every transaction this thread committed on a writer is
    /// on disk. Call it after the commit and after giving the writer back,
    /// and before acknowledging anything.
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

    /// Issue 24, finding 8: the PostgreSQL flush connection never
    /// reconnected, so one dropped connection failed every later write.
    #[test]
    fn a_dropped_flush_connection_is_replaced() {
        let admin_url =
            std::env::var("VIGIL_TEST_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let mut admin = match postgres::Client::connect(&admin_url, postgres::NoTls) {
            Ok(c) => c,
            Err(e) if std::env::var("CI").as_deref() != Ok("true") => {
                eprintln!("SKIPPED: flush reconnection test: cannot reach {admin_url}: {e}");
                return;
            }
            Err(e) => panic!("PostgreSQL at {admin_url} is required in CI: {e}"),
        };
        let db = format!("vigil_flush_{}", std::process::id());
        admin.batch_execute(&format!("DROP DATABASE IF EXISTS {db}")).unwrap();
        admin.batch_execute(&format!("CREATE DATABASE {db}")).unwrap();
        let url = format!("{}/{db}", admin_url.rsplit_once('/').unwrap().0);
        {
            let pool = StorePool::open(&url, 1).unwrap();
            let write = |k: &str| {
                let mut w = pool.write().unwrap();
                let mut tx = w.begin().unwrap();
                tx.set_meta(k, "v").unwrap();
                tx.commit().unwrap();
                drop(w);
                pool.make_durable()
            };
            write("before").unwrap();
            let ended: i64 = admin
                .query_one(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity \
                     WHERE datname = $1 AND application_name = 'vigil-flush'",
                    &[&db],
                )
                .unwrap()
                .get(0);
            assert_eq!(ended, 1, "the flush connection was found and ended");
            std::thread::sleep(std::time::Duration::from_millis(200));
            write("after").expect("a write after the flush connection dropped is made durable on a new one");
            assert_eq!(pool.read().unwrap().meta("after").unwrap().as_deref(), Some("v"));
        }
        admin.batch_execute(&format!("DROP DATABASE {db} WITH (FORCE)")).unwrap();
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
