//! Shared helpers: a fresh data directory on either backend, and raw
//! database access for tests that play an attacker.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use vigil_core::Vigil;
use vigil_domain::{CaseId, Initials};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestEnv {
    pub dir: tempfile::TempDir,
    pub backend: Backend,
    pub pg_url: Option<String>,
    pg_db: Option<String>,
}

fn pg_admin_url() -> String {
    std::env::var("VIGIL_TEST_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

impl TestEnv {
    /// A fresh, initialised data directory, or `None` (with the reason
    /// printed) when PostgreSQL is unreachable outside CI. In CI
    /// (`CI=true`) an unreachable PostgreSQL fails the test.
    pub fn new(backend: Backend) -> Option<TestEnv> {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        match backend {
            Backend::Sqlite => {
                Vigil::init(&data, None).unwrap();
                Some(TestEnv { dir, backend, pg_url: None, pg_db: None })
            }
            Backend::Postgres => {
                let admin = pg_admin_url();
                let mut client = match postgres::Client::connect(&admin, postgres::NoTls) {
                    Ok(c) => c,
                    Err(e) => {
                        if std::env::var("CI").as_deref() == Ok("true") {
                            panic!("PostgreSQL at {admin} is required in CI: {e}");
                        }
                        eprintln!("SKIPPED: PostgreSQL backend test: cannot reach {admin}: {e}");
                        return None;
                    }
                };
                let db = format!(
                    "vigil_test_{}_{}_{}",
                    std::process::id(),
                    COUNTER.fetch_add(1, Ordering::SeqCst),
                    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos()
                );
                client.batch_execute(&format!("CREATE DATABASE {db}")).unwrap();
                let base = admin.rsplit_once('/').unwrap().0;
                let url = format!("{base}/{db}");
                Vigil::init(&data, Some(&url)).unwrap();
                Some(TestEnv { dir, backend, pg_url: Some(url), pg_db: Some(db) })
            }
        }
    }

    pub fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    pub fn open(&self) -> Vigil {
        Vigil::open(&self.data()).unwrap()
    }

    /// The store opened directly, as someone with database access could:
    /// Vigil itself lends no raw transaction to anyone.
    pub fn store(&self) -> Box<dyn vigil_store::Store> {
        let location = match &self.pg_url {
            Some(url) => url.clone(),
            None => self.data().join("vigil.db").to_string_lossy().into_owned(),
        };
        vigil_store::open(&location).unwrap()
    }

    pub fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    /// Runs SQL with the append-only triggers switched off, as an attacker
    /// with direct database access could.
    pub fn tamper(&self, sql: &str) {
        match self.backend {
            Backend::Sqlite => {
                let c = rusqlite::Connection::open(self.data().join("vigil.db")).unwrap();
                c.execute_batch(
                    "DROP TRIGGER IF EXISTS events_append_only_u; DROP TRIGGER IF EXISTS events_append_only_d;
                     DROP TRIGGER IF EXISTS heads_append_only_u; DROP TRIGGER IF EXISTS heads_append_only_d;",
                )
                .unwrap();
                c.execute_batch(sql).unwrap();
            }
            Backend::Postgres => {
                let mut c = postgres::Client::connect(self.pg_url.as_ref().unwrap(), postgres::NoTls).unwrap();
                c.batch_execute(&format!(
                    "ALTER TABLE events DISABLE TRIGGER USER; ALTER TABLE tree_heads DISABLE TRIGGER USER; {sql};
                     ALTER TABLE events ENABLE TRIGGER USER; ALTER TABLE tree_heads ENABLE TRIGGER USER;"
                ))
                .unwrap();
            }
        }
    }

    /// Runs SQL as ordinary database access (triggers on); returns the error text if refused.
    pub fn raw(&self, sql: &str) -> Result<(), String> {
        match self.backend {
            Backend::Sqlite => {
                let c = rusqlite::Connection::open(self.data().join("vigil.db")).unwrap();
                c.execute_batch(sql).map_err(|e| e.to_string())
            }
            Backend::Postgres => {
                let mut c = postgres::Client::connect(self.pg_url.as_ref().unwrap(), postgres::NoTls).unwrap();
                c.batch_execute(sql).map_err(|e| format!("{e:?}"))
            }
        }
    }

    /// Rewrites one BLOB/BYTEA cell with `f`, triggers off, as an attacker could.
    pub fn tamper_bytes(&self, table: &str, column: &str, key_col: &str, key: i64, f: impl Fn(&mut Vec<u8>)) {
        match self.backend {
            Backend::Sqlite => {
                self.tamper("SELECT 1");
                let c = rusqlite::Connection::open(self.data().join("vigil.db")).unwrap();
                let mut v: Vec<u8> = c
                    .query_row(&format!("SELECT {column} FROM {table} WHERE {key_col} = ?1"), [key], |r| r.get(0))
                    .unwrap();
                f(&mut v);
                c.execute(&format!("UPDATE {table} SET {column} = ?1 WHERE {key_col} = ?2"), rusqlite::params![v, key])
                    .unwrap();
            }
            Backend::Postgres => {
                let mut c = postgres::Client::connect(self.pg_url.as_ref().unwrap(), postgres::NoTls).unwrap();
                let mut tx = c.transaction().unwrap();
                tx.batch_execute(&format!("ALTER TABLE {table} DISABLE TRIGGER USER")).unwrap();
                let row = tx.query_one(&format!("SELECT {column} FROM {table} WHERE {key_col} = $1"), &[&key]).unwrap();
                let mut v: Vec<u8> = row.get(0);
                f(&mut v);
                tx.execute(&format!("UPDATE {table} SET {column} = $1 WHERE {key_col} = $2"), &[&v, &key]).unwrap();
                tx.batch_execute(&format!("ALTER TABLE {table} ENABLE TRIGGER USER")).unwrap();
                tx.commit().unwrap();
            }
        }
    }
}

impl Drop for TestEnv {
    fn drop(&mut self) {
        if let Some(db) = &self.pg_db {
            if let Ok(mut c) = postgres::Client::connect(&pg_admin_url(), postgres::NoTls) {
                let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"));
            }
        }
    }
}

pub fn case() -> CaseId {
    CaseId::parse("OP-LANTERN-2026").unwrap()
}

pub fn ini(s: &str) -> Initials {
    Initials::parse(s).unwrap()
}

pub fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap()
}

/// Opens case `id` the way a case starts: a synthetic public report,
/// graded 2/B/P and added to the case by `triage` (a triage officer's user
/// name, which must exist).
#[allow(dead_code)] // Not every suite opens a case this way.
pub fn case_from_report(v: &Vigil, triage: &str, id: &str, title: &str, account: &str) -> CaseId {
    let receipt = v
        .submit_public_report(&vigil_domain::PublicReport {
            kind: vigil_domain::ReportKind::Grooming,
            immediate_danger: false,
            meeting_planned: true,
            images_exchanged: false,
            platform: "ExampleChat".into(),
            identifiers: vec![format!("{}_user", id.to_lowercase().replace('-', "_"))],
            child: "about 12".into(),
            dates: "today".into(),
            account: account.into(),
            contact: None,
            about: Default::default(),
        })
        .unwrap();
    let tri = vigil_core::OfficerSession {
        username: triage.into(),
        role: vigil_domain::Role::TriageOfficer,
        csrf: String::new(),
    };
    v.grade_report(&receipt.exhibit, &vigil_domain::Grade::parse("2/B/P").unwrap(), "synthetic test grading", &tri)
        .unwrap();
    let id = CaseId::parse(id).unwrap();
    v.report_to_case(&receipt.exhibit, &id, Some(title), &tri).unwrap();
    id
}
