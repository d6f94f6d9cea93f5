//! The embedded store: one SQLite file in WAL mode with `synchronous=FULL`,
//! so a committed transaction survives power loss.

use crate::migration::{latest, MIGRATIONS};
use crate::record::fixed;
use crate::{
    CaseRecordRow, ChatTimelineRow, EventRow, EventRowRef, ExhibitIdentifierRow, ExhibitRow, ExposureRow, HeadRow,
    IdempotencyRow, IdentifierMatches, KeyRow, LinkRow, LogState, PartnerRow, RateCount, ReportFileRow, ReportRow,
    RetentionRow, ReviewItemRow, ReviewSettingsRow, ScanBatchRow, SessionRow, SpentTokenRow, Store, StoreError,
    StoreTx, UserRow,
};
use rusqlite::{params, Connection, OptionalExtension, Row, Transaction, TransactionBehavior};
use std::path::Path;
use std::time::Duration;
use vigil_domain::{
    Blake3Digest, CaseId, ExhibitRef, Initials, Md5Digest, QueueOrder, ReportState, Sha1Digest, Sha256Digest,
};

pub struct SqliteStore {
    conn: Connection,
}

/// Statements kept prepared per connection: more than the store has.
const STATEMENT_CACHE: usize = 256;

const EXHIBIT_COLUMNS: &str = "reference, case_id, sha256, md5, sha1, blake3, size, original_name, note, received_event, received_ms, deleted_event";
const EVENT_COLUMNS: &str = "idx, leaf, leaf_hash, kind, object, actor, time_ms";

impl SqliteStore {
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let conn = Connection::open(path)?;
        // A second process waits for the write lock rather than failing.
        conn.busy_timeout(Duration::from_secs(30))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Destroyed keys and sessions are overwritten, not left in free pages.
        conn.pragma_update(None, "secure_delete", "ON")?;
        // Every statement is prepared once and kept: a statement on a
        // projected table also compiles its capture trigger, which costs
        // more than the statement itself.
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        // The capture table (TEMP) lives in memory, never in a file.
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        let mut s = SqliteStore { conn };
        s.migrate()?;
        Ok(s)
    }

    /// A read-only connection to a store that [`SqliteStore::open`] has
    /// already migrated. In WAL mode it reads the last committed state
    /// without waiting for a writer.
    pub fn open_reader(path: &Path) -> Result<Self, StoreError> {
        let conn = Connection::open_with_flags(
            path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(Duration::from_secs(30))?;
        conn.pragma_update(None, "query_only", "ON")?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        Ok(SqliteStore { conn })
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_ms INTEGER NOT NULL)",
        )?;
        let current: u32 = tx
            .prepare_cached("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")?
            .query_row([], |r| r.get(0))?;
        if current > latest() {
            return Err(StoreError::TooNew { found: current, known: latest() });
        }
        for m in MIGRATIONS.iter().filter(|m| m.version > current) {
            tx.execute_batch(m.sqlite)?;
            tx.prepare_cached("INSERT INTO schema_migrations (version, name, applied_ms) VALUES (?1, ?2, CAST(unixepoch('subsec') * 1000 AS INTEGER))")?.execute(
                params![m.version, m.name],
            )?;
        }
        install_capture(&tx)?;
        tx.commit()?;
        Ok(())
    }

    /// The raw connection, for tests that play an attacker with database access.
    pub fn raw_connection(&self) -> &Connection {
        &self.conn
    }
}

/// The columns of a table, with their declared types, in order.
fn columns_of(conn: &Connection, table: &str) -> Result<Vec<(String, String)>, StoreError> {
    let mut st = conn.prepare(&format!("PRAGMA table_info({table})"))?;
    let cols = st.query_map([], |r| Ok((r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?;
    Ok(cols.collect::<Result<_, _>>()?)
}

/// The capture table and each projected table's triggers, made for this
/// connection from the schema as it now is (so a column added by a later
/// migration is captured). Both are TEMP (see `projection::sqlite_triggers`);
/// the capture table and triggers an earlier version kept in the database
/// file are removed.
fn install_capture(conn: &Connection) -> Result<(), StoreError> {
    let mut st =
        conn.prepare("SELECT name FROM main.sqlite_master WHERE type = 'trigger' AND name LIKE 'vigil_capture_%'")?;
    let stored: Vec<String> = st.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
    drop(st);
    for name in stored {
        conn.execute_batch(&format!("DROP TRIGGER main.{name}"))?;
    }
    conn.execute_batch(
        "DROP TABLE IF EXISTS main.projection_changes;
         CREATE TEMP TABLE IF NOT EXISTS projection_changes (seq INTEGER PRIMARY KEY, tbl TEXT NOT NULL, old_row TEXT, new_row TEXT)",
    )?;
    for p in crate::projection::PROJECTED {
        let cols = columns_of(conn, p.table)?;
        if cols.is_empty() {
            continue; // not made by the migrations yet
        }
        for (name, sql) in crate::projection::sqlite_triggers(p.table, &cols) {
            conn.execute_batch(&format!("DROP TRIGGER IF EXISTS temp.{name}; {sql};"))?;
        }
    }
    Ok(())
}

/// One event as its row holds it, borrowed (no copy: verify reads every
/// event of the log through this).
fn event_ref<'r>(r: &'r Row<'_>) -> Result<EventRowRef<'r>, StoreError> {
    let index: i64 = r.get(0)?;
    let blob = |k, what| r.get_ref(k)?.as_blob().map_err(|_| StoreError::Malformed(what));
    let text = |k, what| r.get_ref(k)?.as_str().map_err(|_| StoreError::Malformed(what));
    Ok(EventRowRef {
        index: u64::try_from(index).map_err(|_| StoreError::Malformed("event index"))?,
        leaf: blob(1, "event leaf")?,
        leaf_hash: blob(2, "leaf hash")?.try_into().map_err(|_| StoreError::Malformed("leaf hash"))?,
        kind: text(3, "event kind")?,
        object: text(4, "event object")?,
        actor: text(5, "event actor")?,
        time_ms: r.get(6)?,
    })
}

/// Hands each event a query finds to `visit`; answers how many there were.
fn each_event(
    st: &mut rusqlite::CachedStatement<'_>,
    params: impl rusqlite::Params,
    visit: &mut dyn FnMut(EventRowRef<'_>),
) -> Result<u64, StoreError> {
    let mut rows = st.query(params)?;
    let mut n = 0;
    while let Some(r) = rows.next()? {
        visit(event_ref(r)?);
        n += 1;
    }
    Ok(n)
}

/// Every event a query finds, copied out of the rows.
fn collect_events(
    st: &mut rusqlite::CachedStatement<'_>,
    params: impl rusqlite::Params,
) -> Result<Vec<EventRow>, StoreError> {
    let mut out = Vec::new();
    each_event(st, params, &mut |e| out.push(e.to_row()))?;
    Ok(out)
}

type RawExhibit =
    (String, String, Vec<u8>, Vec<u8>, Vec<u8>, Vec<u8>, i64, Option<String>, Option<String>, i64, i64, Option<i64>);

fn exhibit_row(r: &Row<'_>) -> rusqlite::Result<RawExhibit> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
        r.get(9)?,
        r.get(10)?,
        r.get(11)?,
    ))
}

pub(crate) fn to_exhibit(t: RawExhibit) -> Result<ExhibitRow, StoreError> {
    let m = StoreError::Malformed;
    Ok(ExhibitRow {
        reference: ExhibitRef::parse(&t.0).map_err(|_| m("exhibit reference"))?,
        case_id: CaseId::parse(&t.1).map_err(|_| m("case ID"))?,
        sha256: Sha256Digest(fixed(t.2, "SHA-256")?),
        md5: Md5Digest(fixed(t.3, "MD5")?),
        sha1: Sha1Digest(fixed(t.4, "SHA-1")?),
        blake3: Blake3Digest(fixed(t.5, "BLAKE3")?),
        size: u64::try_from(t.6).map_err(|_| m("size"))?,
        original_name: t.7,
        note: t.8,
        received_event: u64::try_from(t.9).map_err(|_| m("event index"))?,
        received_ms: t.10,
        deleted_event: t.11.map(|d| u64::try_from(d).map_err(|_| m("event index"))).transpose()?,
    })
}

fn to_head(t: (i64, Vec<u8>, i64, Vec<u8>)) -> Result<HeadRow, StoreError> {
    Ok(HeadRow {
        tree_size: u64::try_from(t.0).map_err(|_| StoreError::Malformed("tree size"))?,
        root: fixed(t.1, "tree head root")?,
        timestamp_ms: t.2,
        signature: fixed(t.3, "tree head signature")?,
    })
}

fn to_key(t: (Vec<u8>, Vec<u8>, String, Vec<u8>, Vec<u8>)) -> Result<KeyRow, StoreError> {
    Ok(KeyRow {
        sha256: Sha256Digest(fixed(t.0, "SHA-256")?),
        slot: fixed(t.1, "key slot")?,
        master_key_id: t.2,
        nonce: fixed(t.3, "key nonce")?,
        wrapped: t.4,
    })
}

fn i(v: u64) -> i64 {
    i64::try_from(v).expect("counts stay below 2^63")
}

fn report_row(r: &Row<'_>) -> rusqlite::Result<RawReport> {
    Ok((
        (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?),
        r.get(8)?,
        r.get(9)?,
        r.get(10)?,
    ))
}

type RawReport = (
    (String, i64, bool, u32, String, Option<String>, Option<String>, Option<i64>),
    String,
    Option<String>,
    Option<String>,
);

fn to_report((t, state, closed_reason, kind): RawReport) -> Result<ReportRow, StoreError> {
    Ok(ReportRow {
        state: ReportState::parse(&state).map_err(|_| StoreError::Malformed("report state"))?,
        closed_reason,
        kind,
        exhibit: ExhibitRef::parse(&t.0).map_err(|_| StoreError::Malformed("exhibit reference"))?,
        received_ms: t.1,
        immediate: t.2,
        score: t.3,
        factors: t.4,
        grade: t.5,
        graded_by: t.6,
        graded_ms: t.7,
    })
}

const REPORT_COLUMNS: &str = "exhibit, received_ms, immediate, score, factors, grade, graded_by, graded_ms, kind";
const REPORT_READ_COLUMNS: &str =
    "exhibit, received_ms, immediate, score, factors, grade, graded_by, graded_ms, state, closed_reason, kind";

/// The ORDER BY of each queue order (both stores), each served by an index.
pub(crate) fn queue_order_sql(order: QueueOrder) -> &'static str {
    match order {
        QueueOrder::Urgency => "immediate DESC, score DESC, received_ms ASC",
        QueueOrder::Age => "received_ms ASC",
    }
}

fn exref(s: &str) -> Result<ExhibitRef, StoreError> {
    ExhibitRef::parse(s).map_err(|_| StoreError::Malformed("exhibit reference"))
}

type RawPartner = (String, String, Vec<u8>, i64, Option<i64>);

type RawFile = (String, u32, String, String, i64, String, String, Option<String>, Option<String>, Option<String>);

fn to_file(t: RawFile) -> Result<ReportFileRow, StoreError> {
    Ok(ReportFileRow {
        report: exref(&t.0)?,
        idx: t.1,
        owner: t.2,
        name: t.3,
        size: t.4 as u64,
        content_type: t.5,
        sha256: Sha256Digest::from_hex(&t.6).map_err(|_| StoreError::Malformed("SHA-256"))?,
        md5: t.7,
        sha1: t.8,
        exhibit: t.9.as_deref().map(exref).transpose()?,
    })
}

impl Store for SqliteStore {
    fn relax_sync(&mut self) -> Result<(), StoreError> {
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        Ok(())
    }

    fn snapshot_to(&mut self, path: &std::path::Path) -> Result<bool, StoreError> {
        // One read transaction: the copy is the database as of one commit,
        // and writers go on meanwhile (WAL). On a connection of its own: this
        // one may be read-only, and VACUUM INTO needs one that may write.
        let target = path
            .to_str()
            .ok_or_else(|| StoreError::Unsafe(format!("the snapshot path {} is not UTF-8", path.display())))?;
        let source = self.conn.path().ok_or(StoreError::Malformed("database path"))?.to_owned();
        let c = rusqlite::Connection::open(source)?;
        c.busy_timeout(std::time::Duration::from_secs(30))?;
        c.execute("VACUUM INTO ?1", [target])?;
        Ok(true)
    }

    fn purge_deleted(&mut self) -> Result<(), StoreError> {
        // TRUNCATE waits (busy timeout) for readers of older snapshots,
        // copies every frame into the database file and empties the WAL.
        let (busy, _, _): (i64, i64, i64) = self
            .conn
            .prepare_cached("PRAGMA wal_checkpoint(TRUNCATE)")?
            .query_row([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        if busy != 0 {
            return Err(StoreError::Unavailable(
                "the deletion is committed, but the write-ahead log, which still holds earlier copies of the \
                 deleted rows, could not be emptied: a reader held it for 30 s"
                    .into(),
            ));
        }
        Ok(())
    }

    fn cases(&mut self) -> Result<Vec<(CaseId, String)>, StoreError> {
        let mut st = self.conn.prepare_cached("SELECT id, title FROM cases ORDER BY id")?;
        let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        rows.map(|r| {
            let (id, t) = r?;
            Ok((CaseId::parse(&id).map_err(|_| StoreError::Malformed("case ID"))?, t))
        })
        .collect()
    }

    fn case_members(&mut self, id: &CaseId) -> Result<Vec<String>, StoreError> {
        let mut st =
            self.conn.prepare_cached("SELECT username FROM case_members WHERE case_id = ?1 ORDER BY username")?;
        let rows = st.query_map([id.as_str()], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    fn case_records(&mut self, id: &CaseId) -> Result<Vec<CaseRecordRow>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT id, kind, body, by_user, at_ms, event FROM case_records WHERE case_id = ?1 ORDER BY id",
        )?;
        let rows = st.query_map([id.as_str()], |r| {
            Ok(CaseRecordRow {
                id: r.get::<_, i64>(0)? as u64,
                case_id: id.clone(),
                kind: r.get(1)?,
                body: r.get(2)?,
                by: r.get(3)?,
                at_ms: r.get(4)?,
                event: r.get::<_, i64>(5)? as u64,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    fn review_items(&mut self, case: &CaseId) -> Result<Vec<ReviewItemRow>, StoreError> {
        let mut st = self.conn.prepare_cached("SELECT case_id, item, kind, sha256, paths, pdq, quality, detail, stack, distance, category, method, source, decided_by, decided_ms FROM review_items WHERE case_id = ?1 ORDER BY item")?;
        let rows = st.query_map([case.as_str()], to_review_item)?;
        rows.map(|r| r?).collect()
    }

    fn review_item(&mut self, case: &CaseId, item: u64) -> Result<Option<ReviewItemRow>, StoreError> {
        let mut st =
            self.conn.prepare_cached("SELECT case_id, item, kind, sha256, paths, pdq, quality, detail, stack, distance, category, method, source, decided_by, decided_ms FROM review_items WHERE case_id = ?1 AND item = ?2")?;
        st.query_row(params![case.as_str(), item as i64], to_review_item).optional()?.transpose()
    }

    fn review_items_in(&mut self, category: &str) -> Result<Vec<ReviewItemRow>, StoreError> {
        let mut st =
            self.conn.prepare_cached("SELECT case_id, item, kind, sha256, paths, pdq, quality, detail, stack, distance, category, method, source, decided_by, decided_ms FROM review_items WHERE category = ?1 ORDER BY case_id, item")?;
        let rows = st.query_map([category], to_review_item)?;
        rows.map(|r| r?).collect()
    }

    fn review_exposure(&mut self, username: Option<&str>, since_day: &str) -> Result<Vec<ExposureRow>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT username, day, items, ms FROM review_exposure WHERE (?1 IS NULL OR username = ?1) AND day >= ?2 ORDER BY username, day",
        )?;
        let rows = st.query_map(params![username, since_day], |r| {
            Ok(ExposureRow {
                username: r.get(0)?,
                day: r.get(1)?,
                items: r.get::<_, i64>(2)? as u64,
                ms: r.get::<_, i64>(3)? as u64,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    fn review_settings(&mut self, username: &str) -> Result<Option<ReviewSettingsRow>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT username, blur, grey, ceiling FROM review_settings WHERE username = ?1")?
            .query_row([username], |r| {
                Ok(ReviewSettingsRow {
                    username: r.get(0)?,
                    blur: r.get::<_, i64>(1)? as u32,
                    grey: r.get::<_, i64>(2)? != 0,
                    ceiling: r.get::<_, i64>(3)? as u32,
                })
            })
            .optional()?)
    }

    fn case_terms_matching(
        &mut self,
        words: &[String],
        member: Option<&str>,
        limit: u32,
    ) -> Result<Vec<(CaseId, String, String)>, StoreError> {
        if words.is_empty() {
            return Ok(Vec::new());
        }
        // Each word a quoted prefix: FTS5 reads nothing in it as syntax.
        let query = words.iter().map(|w| format!("\"{}\"*", w.replace('"', "\"\""))).collect::<Vec<_>>().join(" AND ");
        let sql = match member {
            None => "SELECT case_id, kind, term FROM case_terms WHERE term MATCH ?1 ORDER BY case_id LIMIT ?2",
            Some(_) => {
                "SELECT t.case_id, t.kind, t.term FROM case_terms t JOIN case_members m \
                 ON m.case_id = t.case_id AND m.username = ?3 WHERE t.term MATCH ?1 ORDER BY t.case_id LIMIT ?2"
            }
        };
        let mut st = self.conn.prepare_cached(sql)?;
        let map = |r: &rusqlite::Row<'_>| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?));
        let rows: Vec<(String, String, String)> = match member {
            None => st.query_map(params![query, limit], map)?.collect::<Result<_, _>>()?,
            Some(m) => st.query_map(params![query, limit, m], map)?.collect::<Result<_, _>>()?,
        };
        rows.into_iter()
            .map(|(c, k, t)| Ok((CaseId::parse(&c).map_err(|_| StoreError::Malformed("case ID"))?, k, t)))
            .collect()
    }

    fn cases_of_member(&mut self, username: &str) -> Result<Vec<(CaseId, String)>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT c.id, c.title FROM cases c JOIN case_members m ON m.case_id = c.id WHERE m.username = ?1 ORDER BY c.id",
        )?;
        let rows = st.query_map([username], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        rows.map(|r| {
            let (id, t) = r?;
            Ok((CaseId::parse(&id).map_err(|_| StoreError::Malformed("case ID"))?, t))
        })
        .collect()
    }

    fn retention_rows(&mut self) -> Result<Vec<RetentionRow>, StoreError> {
        let mut st =
            self.conn.prepare_cached(&format!("SELECT {RETENTION_COLUMNS} FROM retention ORDER BY subject"))?;
        let rows = st.query_map([], retention_row)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    fn retention_row(&mut self, subject: &str) -> Result<Option<RetentionRow>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(&format!("SELECT {RETENTION_COLUMNS} FROM retention WHERE subject = ?1"))?
            .query_row([subject], retention_row)
            .optional()?)
    }

    fn scan_job_progress(&mut self, job: &str) -> Result<Option<(u64, u64)>, StoreError> {
        let found: Option<(i64, i64)> = self
            .conn
            .prepare_cached(
                "SELECT (SELECT COUNT(*) FROM scan_batches WHERE job = ?1 AND state = 'done'), batches \
                 FROM scan_jobs WHERE id = ?1",
            )?
            .query_row([job], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        Ok(found.map(|(d, t)| (d.max(0) as u64, t.max(0) as u64)))
    }

    fn scan_work_left(&mut self) -> Result<u64, StoreError> {
        let n: i64 = self
            .conn
            .prepare_cached("SELECT COUNT(*) FROM scan_batches WHERE state <> 'done'")?
            .query_row([], |r| r.get(0))?;
        Ok(n.max(0) as u64)
    }

    fn scan_job_queued(&mut self, job: &str) -> Result<Option<(String, Vec<String>)>, StoreError> {
        let options: Option<String> = self
            .conn
            .prepare_cached("SELECT options FROM scan_jobs WHERE id = ?1")?
            .query_row([job], |r| r.get(0))
            .optional()?;
        let Some(options) = options else { return Ok(None) };
        let mut st = self.conn.prepare_cached("SELECT entries FROM scan_batches WHERE job = ?1 ORDER BY batch")?;
        let entries = st.query_map([job], |r| r.get(0))?.collect::<Result<Vec<String>, _>>()?;
        Ok(Some((options, entries)))
    }

    fn scan_results(&mut self, job: &str) -> Result<Vec<Option<String>>, StoreError> {
        let mut st = self.conn.prepare_cached("SELECT results FROM scan_batches WHERE job = ?1 ORDER BY batch")?;
        let rows = st.query_map([job], |r| r.get(0))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    fn partner(&mut self, id: &str) -> Result<Option<PartnerRow>, StoreError> {
        let r: Option<RawPartner> = self
            .conn
            .prepare_cached("SELECT id, name, key_hash, created_ms, revoked_ms FROM partners WHERE id = ?1")?
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
            .optional()?;
        r.map(|t| {
            Ok(PartnerRow { id: t.0, name: t.1, key_hash: fixed(t.2, "key hash")?, created_ms: t.3, revoked_ms: t.4 })
        })
        .transpose()
    }

    fn idempotent(&mut self, partner: &str, key: &str) -> Result<Option<IdempotencyRow>, StoreError> {
        let r: Option<(Vec<u8>, u16, String, i64)> = self
            .conn
            .prepare_cached(
                "SELECT request_hash, status, response, created_ms FROM idempotency WHERE partner = ?1 AND key = ?2",
            )?
            .query_row([partner, key], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .optional()?;
        r.map(|t| {
            Ok(IdempotencyRow {
                partner: partner.to_owned(),
                key: key.to_owned(),
                request_hash: fixed(t.0, "request hash")?,
                status: t.1,
                response: t.2,
                created_ms: t.3,
            })
        })
        .transpose()
    }

    fn report_files(&mut self, report: &ExhibitRef) -> Result<Vec<ReportFileRow>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT report, idx, owner, name, size, content_type, sha256, md5, sha1, exhibit FROM report_files WHERE report = ?1 ORDER BY idx",
        )?;
        let rows = st.query_map([report.to_string()], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
                r.get(8)?,
                r.get(9)?,
            ))
        })?;
        rows.map(|r| to_file(r?)).collect()
    }

    fn manual_links(&mut self, report: &ExhibitRef) -> Result<Vec<LinkRow>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT a, b, linked, by_user, reason, at_ms FROM report_links WHERE a = ?1 OR b = ?1 ORDER BY at_ms",
        )?;
        let rows = st.query_map([report.to_string()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, bool>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, i64>(5)?,
            ))
        })?;
        rows.map(|r| {
            let t = r?;
            Ok(LinkRow { a: exref(&t.0)?, b: exref(&t.1)?, linked: t.2, by: t.3, reason: t.4, at_ms: t.5 })
        })
        .collect()
    }
    fn case_title(&mut self, id: &CaseId) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT title FROM cases WHERE id = ?1")?
            .query_row([id.as_str()], |r| r.get(0))
            .optional()?)
    }

    fn case_opened_ms(&mut self, id: &CaseId) -> Result<Option<i64>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT opened_ms FROM cases WHERE id = ?1")?
            .query_row([id.as_str()], |r| r.get(0))
            .optional()?)
    }

    fn identifiers_of(&mut self, exhibit: &ExhibitRef) -> Result<Vec<String>, StoreError> {
        let mut st = self
            .conn
            .prepare_cached("SELECT identifier FROM report_identifiers WHERE exhibit = ?1 ORDER BY identifier")?;
        let rows = st.query_map([exhibit.to_string()], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    fn cases_of_report(&mut self, exhibit: &ExhibitRef) -> Result<Vec<CaseId>, StoreError> {
        let mut st =
            self.conn.prepare_cached("SELECT case_id FROM case_reports WHERE exhibit = ?1 ORDER BY case_id")?;
        let rows = st.query_map([exhibit.to_string()], |r| r.get::<_, String>(0))?;
        rows.map(|r| CaseId::parse(&r?).map_err(|_| StoreError::Malformed("case ID"))).collect()
    }

    fn reports_of_case(&mut self, case: &CaseId) -> Result<Vec<ExhibitRef>, StoreError> {
        let mut st = self.conn.prepare_cached("SELECT exhibit FROM case_reports WHERE case_id = ?1")?;
        let rows = st.query_map([case.as_str()], |r| r.get::<_, String>(0))?;
        let mut out: Vec<ExhibitRef> = rows
            .map(|r| ExhibitRef::parse(&r?).map_err(|_| StoreError::Malformed("exhibit reference")))
            .collect::<Result<_, _>>()?;
        out.sort();
        Ok(out)
    }

    fn report_queue(
        &mut self,
        state: ReportState,
        order: QueueOrder,
        offset: u64,
        limit: u64,
    ) -> Result<Vec<ReportRow>, StoreError> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {REPORT_READ_COLUMNS} FROM reports WHERE state = ?1
             ORDER BY {} LIMIT ?2 OFFSET ?3",
            queue_order_sql(order)
        ))?;
        let rows = st.query_map(params![state.as_str(), i(limit), i(offset)], report_row)?;
        rows.map(|r| to_report(r?)).collect()
    }

    fn oldest_received(&mut self, state: ReportState) -> Result<Option<i64>, StoreError> {
        let mut st = self.conn.prepare_cached("SELECT MIN(received_ms) FROM reports WHERE state = ?1")?;
        Ok(st.query_row([state.as_str()], |r| r.get::<_, Option<i64>>(0))?)
    }

    fn reports_received_since(&mut self, since_ms: i64) -> Result<Vec<ReportRow>, StoreError> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {REPORT_READ_COLUMNS} FROM reports WHERE received_ms >= ?1 ORDER BY received_ms"
        ))?;
        let rows = st.query_map([since_ms], report_row)?;
        rows.map(|r| to_report(r?)).collect()
    }

    fn open_reports_received(&mut self) -> Result<Vec<(i64, bool)>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT received_ms, immediate FROM reports WHERE state IN ('new', 'graded') ORDER BY received_ms",
        )?;
        let rows = st.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, bool>(1)?)))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    fn report_counts(&mut self) -> Result<Vec<(ReportState, u64)>, StoreError> {
        let mut st = self.conn.prepare_cached("SELECT state, n FROM report_state_counts")?;
        let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        rows.map(|r| {
            let (s, n) = r?;
            Ok((ReportState::parse(&s).map_err(|_| StoreError::Malformed("report state"))?, n.max(0) as u64))
        })
        .collect()
    }

    fn report(&mut self, exhibit: &ExhibitRef) -> Result<Option<ReportRow>, StoreError> {
        let t = self
            .conn
            .query_row(
                &format!("SELECT {REPORT_READ_COLUMNS} FROM reports WHERE exhibit = ?1"),
                [exhibit.to_string()],
                report_row,
            )
            .optional()?;
        t.map(to_report).transpose()
    }

    fn identifiers_like(&mut self, pattern: &str, limit: u32) -> Result<IdentifierMatches, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT exhibit, identifier FROM report_identifiers WHERE identifier LIKE ?1 ESCAPE '\\' ORDER BY exhibit, identifier LIMIT ?2",
        )?;
        let mut reports = Vec::new();
        for r in
            st.query_map(rusqlite::params![pattern, limit], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
        {
            let (e, id) = r?;
            reports.push((ExhibitRef::parse(&e).map_err(|_| StoreError::Malformed("exhibit reference"))?, id));
        }
        let mut st = self.conn.prepare_cached(
            "SELECT exhibit, identifier, source, occurrences FROM exhibit_identifiers WHERE identifier LIKE ?1 ESCAPE '\\' ORDER BY exhibit, identifier LIMIT ?2",
        )?;
        let exhibits = st
            .query_map(rusqlite::params![pattern, limit], to_exhibit_identifier)?
            .map(|r| r?)
            .collect::<Result<_, _>>()?;
        Ok((reports, exhibits))
    }

    fn report_additions(&mut self, report: &ExhibitRef) -> Result<Vec<(ExhibitRef, i64)>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT addition, at_ms FROM report_additions WHERE report = ?1 ORDER BY at_ms, addition",
        )?;
        let rows = st.query_map([report.to_string()], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        let mut out = Vec::new();
        for r in rows {
            let (a, at) = r?;
            out.push((ExhibitRef::parse(&a).map_err(|_| StoreError::Malformed("exhibit reference"))?, at));
        }
        Ok(out)
    }

    fn chat_timelines(&mut self, case: &CaseId) -> Result<Vec<ChatTimelineRow>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT timeline, original, case_id, format, messages, conversations FROM chat_timelines WHERE case_id = ?1",
        )?;
        let mut out: Vec<ChatTimelineRow> =
            st.query_map([case.as_str()], to_chat_timeline)?.map(|r| r?).collect::<Result<_, _>>()?;
        out.sort_by(|a, b| a.timeline.cmp(&b.timeline));
        Ok(out)
    }

    fn chat_timeline(&mut self, timeline: &ExhibitRef) -> Result<Option<ChatTimelineRow>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT timeline, original, case_id, format, messages, conversations FROM chat_timelines WHERE timeline = ?1",
        )?;
        st.query_row([timeline.to_string()], to_chat_timeline).optional()?.transpose()
    }

    fn exhibit_identifiers(&mut self, exhibit: &ExhibitRef) -> Result<Vec<ExhibitIdentifierRow>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT exhibit, identifier, source, occurrences FROM exhibit_identifiers WHERE exhibit = ?1 ORDER BY identifier",
        )?;
        let rows = st.query_map([exhibit.to_string()], to_exhibit_identifier)?;
        rows.map(|r| r?).collect()
    }

    fn exhibits_holding(&mut self, identifiers: &[String]) -> Result<Vec<ExhibitIdentifierRow>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT exhibit, identifier, source, occurrences FROM exhibit_identifiers WHERE identifier = ?1",
        )?;
        let mut out = Vec::new();
        for id in identifiers {
            for r in st.query_map([id], to_exhibit_identifier)? {
                out.push(r??);
            }
        }
        out.sort_by(|a: &ExhibitIdentifierRow, b| (&a.exhibit, &a.identifier).cmp(&(&b.exhibit, &b.identifier)));
        out.dedup();
        Ok(out)
    }

    fn reports_by_reporters(&mut self, reporters: &[String]) -> Result<Vec<ExhibitRef>, StoreError> {
        let mut out: Vec<(i64, ExhibitRef)> = Vec::new();
        let mut st = self.conn.prepare_cached(
            "SELECT p.exhibit, r.received_ms FROM report_reporters p JOIN reports r ON r.exhibit = p.exhibit WHERE p.reporter = ?1",
        )?;
        for key in reporters {
            for row in st.query_map([key], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))? {
                let (e, ms) = row?;
                let e = ExhibitRef::parse(&e).map_err(|_| StoreError::Malformed("exhibit reference"))?;
                if !out.iter().any(|(_, x)| *x == e) {
                    out.push((ms, e));
                }
            }
        }
        out.sort();
        Ok(out.into_iter().map(|(_, e)| e).collect())
    }

    fn reporters_of(&mut self, exhibit: &ExhibitRef) -> Result<Vec<String>, StoreError> {
        let mut st =
            self.conn.prepare_cached("SELECT reporter FROM report_reporters WHERE exhibit = ?1 ORDER BY reporter")?;
        let rows = st.query_map([exhibit.to_string()], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn repeat_reporters(&mut self, min: u64) -> Result<Vec<(String, Vec<ExhibitRef>)>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT p.reporter, p.exhibit FROM report_reporters p JOIN reports r ON r.exhibit = p.exhibit
             WHERE p.reporter IN (SELECT reporter FROM report_reporters GROUP BY reporter HAVING COUNT(*) >= ?1)
             ORDER BY p.reporter, r.received_ms",
        )?;
        let rows = st.query_map([min as i64], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut out: Vec<(String, Vec<ExhibitRef>)> = Vec::new();
        for row in rows {
            let (k, e) = row?;
            let e = ExhibitRef::parse(&e).map_err(|_| StoreError::Malformed("exhibit reference"))?;
            match out.last_mut() {
                Some((last, list)) if *last == k => list.push(e),
                _ => out.push((k, vec![e])),
            }
        }
        Ok(out)
    }

    fn reports_holding_each(&mut self, identifiers: &[String]) -> Result<Vec<u64>, StoreError> {
        holding_each(&self.conn, identifiers)
    }

    fn reports_sharing(
        &mut self,
        identifiers: &[String],
        except: Option<&ExhibitRef>,
    ) -> Result<Vec<ExhibitRef>, StoreError> {
        let mut out: Vec<ExhibitRef> = Vec::new();
        let mut st = self.conn.prepare_cached("SELECT exhibit FROM report_identifiers WHERE identifier = ?1")?;
        for id in identifiers {
            for r in st.query_map([id], |r| r.get::<_, String>(0))? {
                let e = ExhibitRef::parse(&r?).map_err(|_| StoreError::Malformed("exhibit reference"))?;
                if Some(&e) != except && !out.contains(&e) {
                    out.push(e);
                }
            }
        }
        Ok(out)
    }

    fn user(&mut self, username: &str) -> Result<Option<UserRow>, StoreError> {
        let r = self
            .conn.prepare_cached("SELECT username, role, password_hash, totp_secret, failed, locked_until_ms, last_totp_step, created_ms FROM users WHERE username = ?1")?.query_row(
                [username],
                |r| {
                    Ok(UserRow {
                        username: r.get(0)?,
                        role: r.get(1)?,
                        password_hash: r.get(2)?,
                        totp_secret: r.get(3)?,
                        failed: r.get(4)?,
                        locked_until_ms: r.get(5)?,
                        last_totp_step: r.get(6)?,
                        created_ms: r.get(7)?,
                    })
                },
            )
            .optional()?;
        Ok(r)
    }

    fn session(&mut self, id_hash: &[u8; 32]) -> Result<Option<SessionRow>, StoreError> {
        let r: Option<(Vec<u8>, String, String, i64, i64)> = self
            .conn
            .prepare_cached("SELECT id_hash, username, csrf, created_ms, expires_ms FROM sessions WHERE id_hash = ?1")?
            .query_row([&id_hash[..]], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
            .optional()?;
        r.map(|(h, u, c, cr, ex)| {
            Ok(SessionRow { id_hash: fixed(h, "session id")?, username: u, csrf: c, created_ms: cr, expires_ms: ex })
        })
        .transpose()
    }

    fn receipt(&mut self, code: &str) -> Result<Option<(ExhibitRef, String)>, StoreError> {
        let row: Option<(String, String)> = self
            .conn
            .prepare_cached("SELECT exhibit, secret_hash FROM report_receipts WHERE code = ?1")?
            .query_row([code], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        row.map(|(e, h)| Ok((ExhibitRef::parse(&e).map_err(|_| StoreError::Malformed("exhibit reference"))?, h)))
            .transpose()
    }

    fn backend(&self) -> &'static str {
        "sqlite"
    }

    fn spend_form_tokens(&mut self, spends: &[SpentTokenRow], now: i64, sweep: bool) -> Result<Vec<bool>, StoreError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        if sweep {
            tx.prepare_cached("DELETE FROM spent_form_tokens WHERE expires_at < ?1")?.execute([now])?;
        }
        let spent = spend_tokens(&tx, spends, now)?;
        tx.commit()?;
        Ok(spent)
    }

    fn count_requests(&mut self, counts: &[RateCount]) -> Result<Vec<(i64, i64)>, StoreError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let answers = count_rows(&tx, counts)?;
        tx.commit()?;
        Ok(answers)
    }

    fn begin(&mut self) -> Result<Box<dyn StoreTx + '_>, StoreError> {
        // IMMEDIATE takes the write lock now, so reads inside see the latest state.
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Nothing captured before this unit is part of it (capture is per
        // connection and rolls back with a failed unit, so this is a guard).
        tx.prepare_cached("DELETE FROM temp.projection_changes")?.execute([])?;
        Ok(Box::new(SqliteTx { tx }))
    }

    fn projection_rows(&mut self, table: &str) -> Result<Vec<String>, StoreError> {
        if crate::projection::projected(table).is_none() && !crate::OPERATIONAL.iter().any(|(t, _)| *t == table) {
            return Err(StoreError::Malformed("table name"));
        }
        let cols = columns_of(&self.conn, table)?;
        let sql = format!("SELECT {} FROM {table} t", crate::projection::sqlite_row_json(&cols, "t"));
        let mut st = self.conn.prepare(&sql)?;
        let rows = st.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn tables(&mut self) -> Result<(Vec<String>, Vec<String>), StoreError> {
        let names = |sql: &str| -> Result<Vec<String>, StoreError> {
            let mut st = self.conn.prepare(sql)?;
            let rows = st.query_map([], |r| r.get::<_, String>(0))?;
            Ok(rows.collect::<Result<_, _>>()?)
        };
        let tables = names("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")?;
        let captured = names(
            "SELECT DISTINCT tbl_name FROM sqlite_temp_master WHERE type = 'trigger' AND name LIKE 'vigil_capture_%' ORDER BY tbl_name",
        )?;
        Ok((tables, captured))
    }

    fn schema_version(&mut self) -> Result<u32, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")?
            .query_row([], |r| r.get(0))?)
    }

    fn meta(&mut self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
            .query_row([key], |r| r.get(0))
            .optional()?)
    }

    fn log_state(&mut self) -> Result<LogState, StoreError> {
        read_state(&self.conn)
    }

    fn events(&mut self, from: u64, limit: u64) -> Result<Vec<EventRow>, StoreError> {
        let mut st = self
            .conn
            .prepare_cached(&format!("SELECT {EVENT_COLUMNS} FROM events WHERE idx >= ?1 ORDER BY idx LIMIT ?2"))?;
        collect_events(&mut st, params![i(from), i(limit)])
    }

    fn each_event_between(
        &mut self,
        from: u64,
        to: u64,
        visit: &mut dyn FnMut(EventRowRef<'_>),
    ) -> Result<u64, StoreError> {
        let mut st = self
            .conn
            .prepare_cached(&format!("SELECT {EVENT_COLUMNS} FROM events WHERE idx >= ?1 AND idx < ?2 ORDER BY idx"))?;
        each_event(&mut st, params![i(from), i(to)], visit)
    }

    fn last_event_index(&mut self) -> Result<Option<u64>, StoreError> {
        let last: Option<i64> = self.conn.prepare_cached("SELECT max(idx) FROM events")?.query_row([], |r| r.get(0))?;
        last.map(|n| u64::try_from(n).map_err(|_| StoreError::Malformed("event index"))).transpose()
    }

    fn events_for_object(&mut self, object: &str) -> Result<Vec<EventRow>, StoreError> {
        let mut st =
            self.conn.prepare_cached(&format!("SELECT {EVENT_COLUMNS} FROM events WHERE object = ?1 ORDER BY idx"))?;
        collect_events(&mut st, [object])
    }

    fn events_for_objects_under(&mut self, prefix: &str) -> Result<Vec<EventRow>, StoreError> {
        // A range rather than LIKE, so the object index serves it: every
        // reference starting with "…/" sorts before "…0".
        let end = format!("{}0", prefix.trim_end_matches('/'));
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {EVENT_COLUMNS} FROM events WHERE object >= ?1 AND object < ?2 ORDER BY idx"
        ))?;
        collect_events(&mut st, [prefix, end.as_str()])
    }

    fn events_of_kind(&mut self, kind: &str) -> Result<Vec<EventRow>, StoreError> {
        let mut st =
            self.conn.prepare_cached(&format!("SELECT {EVENT_COLUMNS} FROM events WHERE kind = ?1 ORDER BY idx"))?;
        collect_events(&mut st, [kind])
    }

    fn leaf_hashes(&mut self, upto: u64) -> Result<Vec<[u8; 32]>, StoreError> {
        let mut st = self.conn.prepare_cached("SELECT leaf_hash FROM events WHERE idx < ?1 ORDER BY idx")?;
        let rows = st.query_map([i(upto)], |r| r.get::<_, Vec<u8>>(0))?;
        rows.map(|r| fixed(r?, "leaf hash")).collect()
    }

    fn heads(&mut self) -> Result<Vec<HeadRow>, StoreError> {
        let mut st = self
            .conn
            .prepare_cached("SELECT tree_size, root, timestamp_ms, signature FROM tree_heads ORDER BY tree_size")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
        rows.map(|r| to_head(r?)).collect()
    }

    fn heads_from(&mut self, min_size: u64) -> Result<Vec<HeadRow>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT tree_size, root, timestamp_ms, signature FROM tree_heads WHERE tree_size >= ?1 ORDER BY tree_size",
        )?;
        let rows = st.query_map([min_size as i64], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
        rows.map(|r| to_head(r?)).collect()
    }

    fn latest_head(&mut self) -> Result<Option<HeadRow>, StoreError> {
        let t = self
            .conn
            .prepare_cached(
                "SELECT tree_size, root, timestamp_ms, signature FROM tree_heads ORDER BY tree_size DESC LIMIT 1",
            )?
            .query_row([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .optional()?;
        t.map(to_head).transpose()
    }

    fn exhibit(&mut self, r: &ExhibitRef) -> Result<Option<ExhibitRow>, StoreError> {
        let t = self
            .conn
            .query_row(
                &format!("SELECT {EXHIBIT_COLUMNS} FROM exhibits WHERE reference = ?1"),
                [r.to_string()],
                exhibit_row,
            )
            .optional()?;
        t.map(to_exhibit).transpose()
    }

    fn exhibits(&mut self) -> Result<Vec<ExhibitRow>, StoreError> {
        let mut st =
            self.conn.prepare_cached(&format!("SELECT {EXHIBIT_COLUMNS} FROM exhibits ORDER BY initials, number"))?;
        let rows = st.query_map([], exhibit_row)?;
        rows.map(|r| to_exhibit(r?)).collect()
    }

    fn case_exhibit_count(&mut self, id: &CaseId) -> Result<u64, StoreError> {
        let n: i64 = self.conn.prepare_cached(CASE_EXHIBIT_COUNT)?.query_row([id.as_str()], |r| r.get(0))?;
        Ok(n as u64)
    }

    fn exhibits_of_case(&mut self, case: &CaseId) -> Result<Vec<ExhibitRow>, StoreError> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {EXHIBIT_COLUMNS}, initials, number FROM exhibits WHERE case_id = ?1 \
             UNION SELECT {EXHIBIT_COLUMNS}, initials, number FROM exhibits \
             WHERE reference IN (SELECT exhibit FROM case_reports WHERE case_id = ?1) \
             ORDER BY initials, number"
        ))?;
        let rows = st.query_map([case.as_str()], exhibit_row)?;
        rows.map(|r| to_exhibit(r?)).collect()
    }

    fn keys_for(&mut self, sha: &Sha256Digest) -> Result<Vec<KeyRow>, StoreError> {
        let mut st = self
            .conn
            .prepare_cached("SELECT sha256, slot, master_key_id, nonce, wrapped FROM blob_keys WHERE sha256 = ?1")?;
        let rows = st.query_map([&sha.0[..]], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?;
        rows.map(|r| to_key(r?)).collect()
    }

    fn timeline_pages(&mut self, timeline: &ExhibitRef) -> Result<Option<Vec<u8>>, StoreError> {
        let mut st = self.conn.prepare_cached("SELECT sealed FROM timeline_pages WHERE timeline = ?1")?;
        Ok(st.query_row([timeline.to_string()], |r| r.get(0)).optional()?)
    }

    fn inline_blob(&mut self, sha: &Sha256Digest) -> Result<Option<Vec<u8>>, StoreError> {
        let mut st = self.conn.prepare_cached("SELECT sealed FROM inline_blobs WHERE sha256 = ?1")?;
        Ok(st.query_row([&sha.0[..]], |r| r.get(0)).optional()?)
    }

    fn current_master_key(&mut self) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT id FROM master_keys WHERE retired_ms IS NULL ORDER BY created_ms DESC LIMIT 1")?
            .query_row([], |r| r.get(0))
            .optional()?)
    }
}

fn read_state(conn: &Connection) -> Result<LogState, StoreError> {
    let (size, frontier): (i64, Vec<u8>) = conn
        .prepare_cached("SELECT size, frontier FROM log_state WHERE id = 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(LogState { size: u64::try_from(size).map_err(|_| StoreError::Malformed("log size"))?, frontier })
}

struct SqliteTx<'a> {
    tx: Transaction<'a>,
}

impl StoreTx for SqliteTx<'_> {
    fn add_case_member(&mut self, id: &CaseId, username: &str, by: &str, at_ms: i64) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "INSERT OR IGNORE INTO case_members (case_id, username, added_by, added_ms) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![id.as_str(), username, by, at_ms])?;
        Ok(())
    }

    fn take_projection_changes(&mut self) -> Result<Vec<crate::ProjectionChange>, StoreError> {
        let mut st =
            self.tx.prepare_cached("DELETE FROM temp.projection_changes RETURNING seq, tbl, old_row, new_row")?;
        let rows = st.query_map([], |r| {
            Ok((r.get::<_, i64>(0)?, crate::ProjectionChange { table: r.get(1)?, old: r.get(2)?, new: r.get(3)? }))
        })?;
        let mut changes: Vec<(i64, crate::ProjectionChange)> = rows.collect::<Result<_, _>>()?;
        changes.sort_by_key(|(seq, _)| *seq);
        Ok(changes.into_iter().map(|(_, c)| c).collect())
    }

    fn latest_case_record(&mut self, id: &CaseId) -> Result<u64, StoreError> {
        let n: i64 = self
            .tx
            .prepare_cached("SELECT COALESCE(MAX(id), 0) FROM case_records WHERE case_id = ?1")?
            .query_row([id.as_str()], |r| r.get(0))?;
        Ok(n as u64)
    }

    fn case_exhibit_count(&mut self, id: &CaseId) -> Result<u64, StoreError> {
        let n: i64 = self.tx.prepare_cached(CASE_EXHIBIT_COUNT)?.query_row([id.as_str()], |r| r.get(0))?;
        Ok(n as u64)
    }

    fn insert_case_record(&mut self, r: &CaseRecordRow) -> Result<u64, StoreError> {
        self.tx
            .prepare_cached(
                "INSERT INTO case_records (case_id, kind, body, by_user, at_ms, event) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![r.case_id.as_str(), r.kind, r.body, r.by, r.at_ms, r.event as i64])?;
        Ok(self.tx.last_insert_rowid() as u64)
    }
    fn insert_partner(&mut self, p: &PartnerRow) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "INSERT INTO partners (id, name, key_hash, created_ms, revoked_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![p.id, p.name, &p.key_hash[..], p.created_ms, p.revoked_ms])?;
        Ok(())
    }

    fn revoke_partner(&mut self, id: &str, at_ms: i64) -> Result<bool, StoreError> {
        let n = self
            .tx
            .prepare_cached("UPDATE partners SET revoked_ms = ?2 WHERE id = ?1 AND revoked_ms IS NULL")?
            .execute(params![id, at_ms])?;
        Ok(n == 1)
    }

    fn insert_idempotent(&mut self, r: &IdempotencyRow) -> Result<(), StoreError> {
        self.tx.prepare_cached("INSERT INTO idempotency (partner, key, request_hash, status, response, created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?.execute(
            params![r.partner, r.key, &r.request_hash[..], r.status, r.response, r.created_ms],
        )?;
        Ok(())
    }

    fn insert_report_file(&mut self, f: &ReportFileRow) -> Result<(), StoreError> {
        self.tx.prepare_cached("INSERT INTO report_files (report, idx, owner, name, size, content_type, sha256, md5, sha1, exhibit) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)")?.execute(
            params![
                f.report.to_string(),
                f.idx,
                f.owner,
                f.name,
                f.size as i64,
                f.content_type,
                f.sha256.to_hex(),
                f.md5,
                f.sha1,
                f.exhibit.as_ref().map(|e| e.to_string())
            ],
        )?;
        Ok(())
    }

    fn set_report_file_exhibit(
        &mut self,
        report: &ExhibitRef,
        idx: u32,
        exhibit: &ExhibitRef,
    ) -> Result<bool, StoreError> {
        let n = self
            .tx
            .prepare_cached("UPDATE report_files SET exhibit = ?3 WHERE report = ?1 AND idx = ?2 AND exhibit IS NULL")?
            .execute(params![report.to_string(), idx, exhibit.to_string()])?;
        Ok(n == 1)
    }

    fn set_link(&mut self, l: &LinkRow) -> Result<(), StoreError> {
        self.tx.prepare_cached("INSERT INTO report_links (a, b, linked, by_user, reason, at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
             ON CONFLICT (a, b) DO UPDATE SET linked = excluded.linked, by_user = excluded.by_user, reason = excluded.reason, at_ms = excluded.at_ms")?.execute(
            params![l.a.to_string(), l.b.to_string(), l.linked, l.by, l.reason, l.at_ms],
        )?;
        Ok(())
    }
    fn insert_case(&mut self, id: &CaseId, title: &str, by: &str, at_ms: i64) -> Result<(), StoreError> {
        self.tx
            .prepare_cached("INSERT INTO cases (id, title, opened_by, opened_ms) VALUES (?1, ?2, ?3, ?4)")?
            .execute(params![id.as_str(), title, by, at_ms])
            .map_err(|e| match e {
                rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation => {
                    StoreError::Duplicate(format!("case {id}"))
                }
                other => other.into(),
            })?;
        Ok(())
    }

    fn add_report_to_case(
        &mut self,
        id: &CaseId,
        exhibit: &ExhibitRef,
        by: &str,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "INSERT OR IGNORE INTO case_reports (case_id, exhibit, added_by, added_ms) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![id.as_str(), exhibit.to_string(), by, at_ms])?;
        self.tx
            .prepare_cached("UPDATE reports SET state = 'in-case', closed_reason = NULL WHERE exhibit = ?1")?
            .execute([exhibit.to_string()])?;
        Ok(())
    }

    fn insert_report_addition(
        &mut self,
        report: &ExhibitRef,
        addition: &ExhibitRef,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        self.tx
            .prepare_cached("INSERT INTO report_additions (report, addition, at_ms) VALUES (?1, ?2, ?3)")?
            .execute(rusqlite::params![report.to_string(), addition.to_string(), at_ms])?;
        Ok(())
    }

    fn insert_chat_timeline(&mut self, r: &ChatTimelineRow) -> Result<(), StoreError> {
        self.tx.prepare_cached("INSERT INTO chat_timelines (timeline, original, case_id, format, messages, conversations) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?.execute(
            rusqlite::params![
                r.timeline.to_string(),
                r.original.to_string(),
                r.case_id.as_str(),
                r.format,
                r.messages as i64,
                r.conversations as i64
            ],
        )?;
        Ok(())
    }

    fn insert_exhibit_identifiers(&mut self, rows: &[ExhibitIdentifierRow]) -> Result<(), StoreError> {
        let mut st = self.tx.prepare_cached(
            "INSERT INTO exhibit_identifiers (exhibit, identifier, source, occurrences) VALUES (?1, ?2, ?3, ?4)",
        )?;
        for r in rows {
            st.execute(rusqlite::params![r.exhibit.to_string(), r.identifier, r.source, r.occurrences as i64])?;
        }
        Ok(())
    }

    fn insert_report(&mut self, r: &ReportRow, identifiers: &[String]) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(&format!(
                "INSERT INTO reports ({REPORT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
            ))?
            .execute(params![
                r.exhibit.to_string(),
                r.received_ms,
                r.immediate,
                r.score,
                r.factors,
                r.grade,
                r.graded_by,
                r.graded_ms,
                r.kind
            ])?;
        for id in identifiers {
            self.tx
                .prepare_cached("INSERT OR IGNORE INTO report_identifiers (exhibit, identifier) VALUES (?1, ?2)")?
                .execute(params![r.exhibit.to_string(), id])?;
        }
        Ok(())
    }

    fn insert_report_reporters(&mut self, exhibit: &ExhibitRef, reporters: &[String]) -> Result<(), StoreError> {
        for k in reporters {
            self.tx
                .prepare_cached("INSERT OR IGNORE INTO report_reporters (exhibit, reporter) VALUES (?1, ?2)")?
                .execute(params![exhibit.to_string(), k])?;
        }
        Ok(())
    }

    fn set_grade(&mut self, exhibit: &ExhibitRef, grade: &str, by: &str, at_ms: i64) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "UPDATE reports SET grade = ?1, graded_by = ?2, graded_ms = ?3,
                    state = CASE WHEN state = 'new' THEN 'graded' ELSE state END WHERE exhibit = ?4",
            )?
            .execute(params![grade, by, at_ms, exhibit.to_string()])?;
        Ok(())
    }

    fn set_report_state(
        &mut self,
        exhibit: &ExhibitRef,
        state: ReportState,
        closed_reason: Option<&str>,
    ) -> Result<(), StoreError> {
        self.tx
            .prepare_cached("UPDATE reports SET state = ?1, closed_reason = ?2 WHERE exhibit = ?3")?
            .execute(params![state.as_str(), closed_reason, exhibit.to_string()])?;
        Ok(())
    }

    fn insert_user(&mut self, u: &UserRow) -> Result<(), StoreError> {
        self.tx.prepare_cached("INSERT INTO users (username, role, password_hash, totp_secret, failed, locked_until_ms, last_totp_step, created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")?.execute(
            params![u.username, u.role, u.password_hash, u.totp_secret, u.failed, u.locked_until_ms, u.last_totp_step, u.created_ms],
        )
        .map_err(|e| match e {
            rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation => {
                StoreError::Duplicate(format!("user {}", u.username))
            }
            other => other.into(),
        })?;
        Ok(())
    }

    fn totp_secrets(&mut self) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        let mut st = self.tx.prepare_cached("SELECT username, totp_secret FROM users ORDER BY username")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    fn set_totp_secret(&mut self, username: &str, sealed: &[u8]) -> Result<(), StoreError> {
        self.tx
            .prepare_cached("UPDATE users SET totp_secret = ?1 WHERE username = ?2")?
            .execute(params![sealed, username])?;
        Ok(())
    }

    fn count_failed_login(&mut self, username: &str) -> Result<(), StoreError> {
        self.tx
            .prepare_cached("UPDATE users SET failed = failed + 1 WHERE username = ?1")?
            .execute(params![username])?;
        Ok(())
    }

    fn claim_totp_step(&mut self, username: &str, step: i64, now_ms: i64) -> Result<bool, StoreError> {
        let n = self
            .tx
            .prepare_cached(
                "UPDATE users SET failed = 0, last_totp_step = ?1 \
             WHERE username = ?2 AND last_totp_step < ?1 AND locked_until_ms <= ?3",
            )?
            .execute(params![step, username, now_ms])?;
        Ok(n == 1)
    }

    fn notify(&mut self, _channel: &str, _payload: &str) -> Result<bool, StoreError> {
        Ok(false)
    }

    fn window_salt(&mut self, limiter: &str, window_start: i64, candidate: &[u8]) -> Result<Vec<u8>, StoreError> {
        let opened = self
            .tx
            .prepare_cached(
                "INSERT INTO rate_windows (limiter, window_start, salt) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
            )?
            .execute(params![limiter, window_start, candidate])?;
        if opened == 0 {
            return Ok(self
                .tx
                .prepare_cached("SELECT salt FROM rate_windows WHERE limiter = ?1 AND window_start = ?2")?
                .query_row(params![limiter, window_start], |r| r.get(0))?);
        }
        // This request opened the window: the earlier ones go, once.
        for sql in [
            "DELETE FROM rate_counts WHERE limiter = ?1 AND window_start < ?2",
            "DELETE FROM rate_windows WHERE limiter = ?1 AND window_start < ?2",
        ] {
            self.tx.prepare_cached(sql)?.execute(params![limiter, window_start])?;
        }
        Ok(candidate.to_vec())
    }

    fn spend_form_tokens(&mut self, spends: &[SpentTokenRow], now: i64) -> Result<Vec<bool>, StoreError> {
        spend_tokens(&self.tx, spends, now)
    }

    fn reports_holding_each(&mut self, identifiers: &[String]) -> Result<Vec<u64>, StoreError> {
        holding_each(&self.tx, identifiers)
    }

    fn count_requests(&mut self, counts: &[RateCount]) -> Result<Vec<(i64, i64)>, StoreError> {
        count_rows(&self.tx, counts)
    }

    fn lock_user(&mut self, username: &str, locked_until_ms: i64) -> Result<(), StoreError> {
        self.tx
            .prepare_cached("UPDATE users SET locked_until_ms = ?1 WHERE username = ?2")?
            .execute(params![locked_until_ms, username])?;
        Ok(())
    }

    fn insert_session(&mut self, s: &SessionRow) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "INSERT INTO sessions (id_hash, username, csrf, created_ms, expires_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![&s.id_hash[..], s.username, s.csrf, s.created_ms, s.expires_ms])?;
        Ok(())
    }

    fn delete_session(&mut self, id_hash: &[u8; 32]) -> Result<(), StoreError> {
        self.tx.prepare_cached("DELETE FROM sessions WHERE id_hash = ?1")?.execute([&id_hash[..]])?;
        Ok(())
    }

    fn delete_sessions_of(&mut self, username: &str) -> Result<u64, StoreError> {
        Ok(self.tx.prepare_cached("DELETE FROM sessions WHERE username = ?1")?.execute([username])? as u64)
    }

    fn insert_receipt(
        &mut self,
        code: &str,
        exhibit: &ExhibitRef,
        secret_hash: &str,
        created_ms: i64,
    ) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "INSERT INTO report_receipts (code, exhibit, secret_hash, created_ms) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![code, exhibit.to_string(), secret_hash, created_ms])?;
        Ok(())
    }

    fn lock_log(&mut self) -> Result<LogState, StoreError> {
        read_state(&self.tx)
    }

    fn save_log_state(&mut self, state: &LogState) -> Result<(), StoreError> {
        self.tx
            .prepare_cached("UPDATE log_state SET size = ?1, frontier = ?2 WHERE id = 1")?
            .execute(params![i(state.size), state.frontier])?;
        Ok(())
    }

    fn insert_events(&mut self, rows: &[EventRow]) -> Result<(), StoreError> {
        let mut st = self
            .tx
            .prepare_cached(&format!("INSERT INTO events ({EVENT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"))?;
        for e in rows {
            st.execute(params![i(e.index), e.leaf, &e.leaf_hash[..], e.kind, e.object, e.actor, e.time_ms])?;
        }
        Ok(())
    }

    fn insert_head(&mut self, h: &HeadRow) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "INSERT INTO tree_heads (tree_size, root, timestamp_ms, signature) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![i(h.tree_size), &h.root[..], h.timestamp_ms, &h.signature[..]])?;
        Ok(())
    }

    fn set_meta(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )?
            .execute([key, value])?;
        Ok(())
    }

    fn next_exhibit_number(&mut self, initials: &Initials) -> Result<u32, StoreError> {
        Ok(self.tx.prepare_cached("INSERT INTO exhibit_counters (initials, last) VALUES (?1, 1) ON CONFLICT (initials) DO UPDATE SET last = last + 1 RETURNING last")?.query_row(
            [initials.as_str()],
            |r| r.get(0),
        )?)
    }

    fn insert_exhibit(&mut self, e: &ExhibitRow) -> Result<(), StoreError> {
        self.tx.prepare_cached("INSERT INTO exhibits (reference, initials, number, case_id, sha256, md5, sha1, blake3, size, original_name, note, received_event, received_ms, deleted_event)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, NULL)")?.execute(
            params![
                e.reference.to_string(),
                e.reference.initials().as_str(),
                e.reference.number(),
                e.case_id.as_str(),
                &e.sha256.0[..],
                &e.md5.0[..],
                &e.sha1.0[..],
                &e.blake3.0[..],
                i(e.size),
                e.original_name,
                e.note,
                i(e.received_event),
                e.received_ms
            ],
        )?;
        Ok(())
    }

    fn mark_exhibit_deleted(&mut self, r: &ExhibitRef, event: u64) -> Result<(), StoreError> {
        self.tx
            .prepare_cached("UPDATE exhibits SET deleted_event = ?1 WHERE reference = ?2 AND deleted_event IS NULL")?
            .execute(params![i(event), r.to_string()])?;
        Ok(())
    }

    fn live_exhibits_with_blob(&mut self, sha: &Sha256Digest) -> Result<Vec<ExhibitRef>, StoreError> {
        let mut st =
            self.tx.prepare_cached("SELECT reference FROM exhibits WHERE sha256 = ?1 AND deleted_event IS NULL")?;
        let rows = st.query_map([&sha.0[..]], |r| r.get::<_, String>(0))?;
        rows.map(|r| ExhibitRef::parse(&r?).map_err(|_| StoreError::Malformed("exhibit reference"))).collect()
    }

    fn require_current_master_key(&mut self, id: &str) -> Result<(), StoreError> {
        let current = self
            .tx
            .prepare_cached("SELECT 1 FROM master_keys WHERE id = ?1 AND retired_ms IS NULL")?
            .exists(params![id])?;
        if current {
            Ok(())
        } else {
            Err(StoreError::RetiredMasterKey(id.to_owned()))
        }
    }

    fn insert_key(&mut self, k: &KeyRow) -> Result<(), StoreError> {
        self.require_current_master_key(&k.master_key_id)?;
        self.tx
            .prepare_cached(
                "INSERT INTO blob_keys (sha256, slot, master_key_id, nonce, wrapped) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![&k.sha256.0[..], &k.slot[..], k.master_key_id, &k.nonce[..], k.wrapped])?;
        Ok(())
    }

    fn all_keys(&mut self) -> Result<Vec<KeyRow>, StoreError> {
        let mut st = self.tx.prepare_cached("SELECT sha256, slot, master_key_id, nonce, wrapped FROM blob_keys")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?;
        rows.map(|r| to_key(r?)).collect()
    }

    fn replace_key(&mut self, k: &KeyRow) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "UPDATE blob_keys SET master_key_id = ?1, nonce = ?2, wrapped = ?3 WHERE sha256 = ?4 AND slot = ?5",
            )?
            .execute(params![k.master_key_id, &k.nonce[..], k.wrapped, &k.sha256.0[..], &k.slot[..]])?;
        Ok(())
    }

    fn insert_timeline_pages(&mut self, timeline: &ExhibitRef, sealed: &[u8]) -> Result<(), StoreError> {
        self.tx
            .prepare_cached("INSERT INTO timeline_pages (timeline, sealed) VALUES (?1, ?2)")?
            .execute(rusqlite::params![timeline.to_string(), sealed])?;
        Ok(())
    }

    fn delete_timeline_pages(&mut self, timeline: &ExhibitRef) -> Result<(), StoreError> {
        self.tx.prepare_cached("DELETE FROM timeline_pages WHERE timeline = ?1")?.execute([timeline.to_string()])?;
        Ok(())
    }

    fn sealed_timeline_pages(&mut self) -> Result<Vec<(ExhibitRef, Sha256Digest, Vec<u8>)>, StoreError> {
        let mut st = self.tx.prepare_cached(
            "SELECT p.timeline, e.sha256, p.sealed FROM timeline_pages p \
             JOIN exhibits e ON e.reference = p.timeline ORDER BY p.timeline",
        )?;
        let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?, r.get(2)?)))?;
        rows.map(|r| {
            let (t, sha, sealed) = r?;
            Ok((exref(&t)?, Sha256Digest(fixed(sha, "SHA-256")?), sealed))
        })
        .collect()
    }

    fn reseal_timeline_pages(&mut self, timeline: &ExhibitRef, sealed: &[u8]) -> Result<(), StoreError> {
        self.tx
            .prepare_cached("UPDATE timeline_pages SET sealed = ?1 WHERE timeline = ?2")?
            .execute(params![sealed, timeline.to_string()])?;
        Ok(())
    }

    fn insert_inline_blob(&mut self, key: &KeyRow, sealed: &[u8]) -> Result<(), StoreError> {
        self.insert_key(key)?;
        self.tx
            .prepare_cached("INSERT INTO inline_blobs (sha256, sealed) VALUES (?1, ?2) ON CONFLICT DO NOTHING")?
            .execute(params![&key.sha256.0[..], sealed])?;
        Ok(())
    }

    fn delete_keys(&mut self, sha: &Sha256Digest) -> Result<u64, StoreError> {
        self.tx.prepare_cached("DELETE FROM inline_blobs WHERE sha256 = ?1")?.execute([&sha.0[..]])?;
        Ok(self.tx.prepare_cached("DELETE FROM blob_keys WHERE sha256 = ?1")?.execute([&sha.0[..]])? as u64)
    }

    fn delete_key(&mut self, sha: &Sha256Digest, slot: &[u8; 16]) -> Result<(), StoreError> {
        self.tx
            .prepare_cached("DELETE FROM blob_keys WHERE sha256 = ?1 AND slot = ?2")?
            .execute(params![&sha.0[..], &slot[..]])?;
        Ok(())
    }

    fn has_key(&mut self, sha: &Sha256Digest) -> Result<bool, StoreError> {
        Ok(self.tx.prepare_cached("SELECT 1 FROM blob_keys WHERE sha256 = ?1")?.exists([&sha.0[..]])?)
    }

    fn insert_master_key(&mut self, id: &str, created_ms: i64) -> Result<(), StoreError> {
        self.tx
            .prepare_cached("INSERT INTO master_keys (id, created_ms) VALUES (?1, ?2)")?
            .execute(params![id, created_ms])?;
        Ok(())
    }

    fn retire_master_key(&mut self, id: &str, retired_ms: i64) -> Result<(), StoreError> {
        self.tx
            .prepare_cached("UPDATE master_keys SET retired_ms = ?1 WHERE id = ?2")?
            .execute(params![retired_ms, id])?;
        Ok(())
    }

    fn insert_review_item(&mut self, r: &ReviewItemRow) -> Result<(), StoreError> {
        write_review_item(&self.tx, REVIEW_ITEM_INSERT, r).map_err(|e| match e {
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(f, _))
                if f.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                StoreError::Duplicate(format!("review item {} of case {}", r.item, r.case_id))
            }
            other => other,
        })
    }

    fn put_review_item(&mut self, r: &ReviewItemRow) -> Result<(), StoreError> {
        write_review_item(&self.tx, REVIEW_ITEM_PUT, r)
    }

    fn add_exposure(&mut self, username: &str, day: &str, items: u64, ms: u64) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "INSERT INTO review_exposure (username, day, items, ms) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (username, day) DO UPDATE SET items = items + excluded.items, ms = ms + excluded.ms",
            )?
            .execute(params![username, day, items as i64, ms as i64])?;
        Ok(())
    }

    fn set_review_settings(&mut self, r: &ReviewSettingsRow) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "INSERT INTO review_settings (username, blur, grey, ceiling) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (username) DO UPDATE SET blur = excluded.blur, grey = excluded.grey, ceiling = excluded.ceiling",
            )?
            .execute(params![r.username, r.blur as i64, r.grey as i64, r.ceiling as i64])?;
        Ok(())
    }

    fn retention_row(&mut self, subject: &str) -> Result<Option<RetentionRow>, StoreError> {
        Ok(self
            .tx
            .prepare_cached(&format!("SELECT {RETENTION_COLUMNS} FROM retention WHERE subject = ?1"))?
            .query_row([subject], retention_row)
            .optional()?)
    }

    fn put_retention(&mut self, r: &RetentionRow) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "INSERT INTO retention (subject, hold, court_result, decision, retained_until_ms, disposed_event) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (subject) DO UPDATE SET hold = excluded.hold, \
                 court_result = excluded.court_result, decision = excluded.decision, \
                 retained_until_ms = excluded.retained_until_ms, disposed_event = excluded.disposed_event",
            )?
            .execute(params![
                r.subject,
                r.hold,
                r.court_result,
                r.decision,
                r.retained_until_ms,
                r.disposed_event.map(|e| e as i64)
            ])?;
        Ok(())
    }

    fn insert_scan_job(
        &mut self,
        id: &str,
        options: &str,
        created_ms: i64,
        batches: &[String],
    ) -> Result<(), StoreError> {
        self.tx
            .prepare_cached("INSERT INTO scan_jobs (id, options, batches, created_ms) VALUES (?1, ?2, ?3, ?4)")?
            .execute(params![id, options, batches.len() as i64, created_ms])?;
        let mut st = self
            .tx
            .prepare_cached("INSERT INTO scan_batches (job, batch, entries, state) VALUES (?1, ?2, ?3, 'queued')")?;
        for (i, b) in batches.iter().enumerate() {
            st.execute(params![id, i as i64, b])?;
        }
        Ok(())
    }

    fn claim_scan_batch(
        &mut self,
        lease: &str,
        now_ms: i64,
        until_ms: i64,
    ) -> Result<Option<ScanBatchRow>, StoreError> {
        // One writer at a time: the select and the update see the same rows.
        let found: Option<(String, i64, String, String, i64)> = self
            .tx
            .prepare_cached(
                "UPDATE scan_batches SET state = 'leased', lease = ?1, lease_until_ms = ?3, attempts = attempts + 1 \
                 WHERE (job, batch) IN (SELECT job, batch FROM scan_batches \
                   WHERE state = 'queued' OR (state = 'leased' AND lease_until_ms < ?2) ORDER BY job, batch LIMIT 1) \
                 RETURNING job, batch, entries, (SELECT options FROM scan_jobs WHERE id = job), attempts",
            )?
            .query_row(params![lease, now_ms, until_ms], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .optional()?;
        Ok(found
            .map(|(job, batch, entries, options, attempts)| ScanBatchRow::new(job, batch, options, entries, attempts)))
    }

    fn renew_scan_lease(&mut self, job: &str, batch: u64, lease: &str, until_ms: i64) -> Result<bool, StoreError> {
        let n = self
            .tx
            .prepare_cached(
                "UPDATE scan_batches SET lease_until_ms = ?4 WHERE job = ?1 AND batch = ?2 AND lease = ?3 \
                 AND state = 'leased'",
            )?
            .execute(params![job, batch as i64, lease, until_ms])?;
        Ok(n == 1)
    }

    fn finish_scan_batch(&mut self, job: &str, batch: u64, lease: &str, results: &str) -> Result<bool, StoreError> {
        let n = self
            .tx
            .prepare_cached(
                "UPDATE scan_batches SET state = 'done', results = ?4, lease_until_ms = NULL \
                 WHERE job = ?1 AND batch = ?2 AND lease = ?3 AND state = 'leased'",
            )?
            .execute(params![job, batch as i64, lease, results])?;
        Ok(n == 1)
    }

    fn delete_scan_job(&mut self, job: &str) -> Result<(), StoreError> {
        self.tx.prepare_cached("DELETE FROM scan_batches WHERE job = ?1")?.execute([job])?;
        self.tx.prepare_cached("DELETE FROM scan_jobs WHERE id = ?1")?.execute([job])?;
        Ok(())
    }

    fn commit(self: Box<Self>) -> Result<(), StoreError> {
        self.tx.commit()?;
        Ok(())
    }
}

fn to_chat_timeline(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<ChatTimelineRow, StoreError>> {
    let (t, o, c, f): (String, String, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
    let (m, n): (i64, i64) = (r.get(4)?, r.get(5)?);
    let bad = |_| StoreError::Malformed("chat timeline row");
    Ok((|| {
        Ok(ChatTimelineRow {
            timeline: ExhibitRef::parse(&t).map_err(bad)?,
            original: ExhibitRef::parse(&o).map_err(bad)?,
            case_id: CaseId::parse(&c).map_err(bad)?,
            format: f,
            messages: m as u64,
            conversations: n as u64,
        })
    })())
}

fn to_exhibit_identifier(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<ExhibitIdentifierRow, StoreError>> {
    let exhibit: String = r.get(0)?;
    let occurrences: i64 = r.get(3)?;
    Ok(ExhibitRef::parse(&exhibit).map_err(|_| StoreError::Malformed("exhibit reference")).map(|exhibit| {
        ExhibitIdentifierRow {
            exhibit,
            identifier: r.get(1).unwrap_or_default(),
            source: r.get(2).unwrap_or_default(),
            occurrences: occurrences as u64,
        }
    }))
}

/// A case's exhibits and reports, counted: the stamp a check on them is made against.
const CASE_EXHIBIT_COUNT: &str = "SELECT (SELECT COUNT(*) FROM exhibits WHERE case_id = ?1) \
     + (SELECT COUNT(*) FROM case_reports WHERE case_id = ?1)";

/// A review item's row, inserted (or, with the upsert clause, replaced).
const REVIEW_ITEM_INSERT: &str = "INSERT INTO review_items (case_id, item, kind, sha256, paths, pdq, quality, detail, stack, distance, category, method, source, decided_by, decided_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)";
const REVIEW_ITEM_PUT: &str = "INSERT INTO review_items (case_id, item, kind, sha256, paths, pdq, quality, detail, stack, distance, category, method, source, decided_by, decided_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15) ON CONFLICT (case_id, item) DO UPDATE SET kind = excluded.kind, sha256 = excluded.sha256, paths = excluded.paths, pdq = excluded.pdq, quality = excluded.quality, detail = excluded.detail, stack = excluded.stack, distance = excluded.distance, category = excluded.category, method = excluded.method, source = excluded.source, decided_by = excluded.decided_by, decided_ms = excluded.decided_ms";

fn write_review_item(tx: &Transaction<'_>, sql: &str, r: &ReviewItemRow) -> Result<(), StoreError> {
    tx.prepare_cached(sql)?.execute(params![
        r.case_id.as_str(),
        r.item as i64,
        r.kind,
        r.sha256,
        r.paths,
        r.pdq,
        r.quality.map(i64::from),
        r.detail,
        r.stack as i64,
        r.distance.map(i64::from),
        r.category,
        r.method,
        r.source,
        r.decided_by,
        r.decided_ms
    ])?;
    Ok(())
}

fn to_review_item(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<ReviewItemRow, StoreError>> {
    let case: String = r.get(0)?;
    let opt_u32 = |i: usize| -> rusqlite::Result<Option<u32>> { Ok(r.get::<_, Option<i64>>(i)?.map(|v| v as u32)) };
    let row = ReviewItemRow {
        case_id: match CaseId::parse(&case) {
            Ok(c) => c,
            Err(_) => return Ok(Err(StoreError::Malformed("review item row"))),
        },
        item: r.get::<_, i64>(1)? as u64,
        kind: r.get(2)?,
        sha256: r.get(3)?,
        paths: r.get(4)?,
        pdq: r.get(5)?,
        quality: opt_u32(6)?,
        detail: r.get(7)?,
        stack: r.get::<_, i64>(8)? as u64,
        distance: opt_u32(9)?,
        category: r.get(10)?,
        method: r.get(11)?,
        source: r.get(12)?,
        decided_by: r.get(13)?,
        decided_ms: r.get(14)?,
    };
    Ok(Ok(row))
}

const RETENTION_COLUMNS: &str = "subject, hold, court_result, decision, retained_until_ms, disposed_event";

fn retention_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RetentionRow> {
    Ok(RetentionRow {
        subject: r.get(0)?,
        hold: r.get(1)?,
        court_result: r.get(2)?,
        decision: r.get(3)?,
        retained_until_ms: r.get(4)?,
        disposed_event: r.get::<_, Option<i64>>(5)?.map(|e| e as u64),
    })
}

/// How many reports hold each identifier (a row a report and identifier).
fn holding_each(conn: &Connection, identifiers: &[String]) -> Result<Vec<u64>, StoreError> {
    let mut st = conn.prepare_cached("SELECT count(*) FROM report_identifiers WHERE identifier = ?1")?;
    identifiers.iter().map(|id| Ok(st.query_row([id], |r| r.get::<_, i64>(0))? as u64)).collect()
}

/// Counts requests one by one in the caller's transaction: each its
/// client's count and everyone's (the row with an empty client).
fn count_rows(conn: &Connection, counts: &[RateCount]) -> Result<Vec<(i64, i64)>, StoreError> {
    let mut st = conn.prepare_cached(
        "INSERT INTO rate_counts (limiter, window_start, client, n) VALUES (?1, ?2, ?3, 1)
         ON CONFLICT (limiter, window_start, client) DO UPDATE SET n = n + 1 RETURNING n",
    )?;
    counts
        .iter()
        .map(|c| {
            let mine: i64 = st.query_row(params![c.limiter, c.window_start, c.client], |r| r.get(0))?;
            let all: i64 = st.query_row(params![c.limiter, c.window_start, &[] as &[u8]], |r| r.get(0))?;
            Ok((mine, all))
        })
        .collect()
}

/// Spends nonces one by one in the caller's transaction: false for one
/// spent already whose spend has not expired by `now`.
fn spend_tokens(conn: &Connection, spends: &[SpentTokenRow], now: i64) -> Result<Vec<bool>, StoreError> {
    // A spend that expired is not swept yet, perhaps, but counts for nothing.
    let mut st = conn.prepare_cached(
        "INSERT INTO spent_form_tokens (nonce, expires_at) VALUES (?1, ?2) ON CONFLICT (nonce)
         DO UPDATE SET expires_at = excluded.expires_at WHERE spent_form_tokens.expires_at < ?3",
    )?;
    spends.iter().map(|s| Ok(st.execute(params![s.nonce, s.expires_at, now])? == 1)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_db() -> (std::path::PathBuf, SqliteStore) {
        let dir = std::env::temp_dir().join(format!(
            "vigil-store-test-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("t.db");
        let s = SqliteStore::open(&p).unwrap();
        (dir, s)
    }

    #[test]
    fn wal_mode_with_full_sync() {
        let (dir, s) = temp_db();
        let mode: String = s.conn.pragma_query_value(None, "journal_mode", |r| r.get(0)).unwrap();
        let sync: i64 = s.conn.pragma_query_value(None, "synchronous", |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
        assert_eq!(sync, 2, "synchronous=FULL");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn migrations_run_once_and_refuse_a_newer_schema() {
        let (dir, mut s) = temp_db();
        assert_eq!(s.schema_version().unwrap(), latest());
        drop(s);
        let mut s = SqliteStore::open(&dir.join("t.db")).unwrap();
        let n: i64 = s.conn.query_row("SELECT COUNT(*) FROM schema_migrations", [], |r| r.get(0)).unwrap();
        assert_eq!(n as usize, MIGRATIONS.len());
        assert_eq!(s.log_state().unwrap().size, 0);
        s.conn.execute("INSERT INTO schema_migrations VALUES (999, 'from the future', 0)", []).unwrap();
        drop(s);
        let e = SqliteStore::open(&dir.join("t.db")).err().unwrap();
        assert!(e.to_string().contains("newer than this Vigil"), "{e}");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
