//! The scale-out store on PostgreSQL. Several Vigil servers may share one
//! database; appends serialise on a row lock of the `log_state` sequencer row.

use crate::migration::{latest, MIGRATIONS};
use crate::pg_statements::{Db, Statements};
use crate::record::fixed;
use crate::{
    CaseRecordRow, ChatTimelineRow, EventRow, EventRowRef, ExhibitIdentifierRow, ExhibitRow, ExposureRow, HeadRow,
    IdempotencyRow, IdentifierMatches, KeyRow, LinkRow, LogState, PartnerRow, PublicReportRows, RateCount,
    ReportFileRow, ReportRow, RetentionRow, ReviewItemRow, ReviewSettingsRow, ScanBatchRow, SessionRow, SpentTokenRow,
    Store, StoreError, StoreTx, UserRow,
};
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::Type;
use postgres::{Client, GenericClient, NoTls, Row, Transaction};
use vigil_domain::{
    Blake3Digest, CaseId, ExhibitRef, Initials, Md5Digest, QueueOrder, ReportState, Sha1Digest, Sha256Digest,
};

pub struct PostgresStore {
    client: Client,
    statements: Statements,
    /// Rows taken out of the session's capture table since it was last
    /// truncated, for its upkeep.
    captured: u64,
}

/// A session's capture table is emptied by every unit, but the rows it
/// deleted stay as dead tuples (no autovacuum for TEMP tables), and every
/// unit's emptying reads them all again. It is truncated between
/// transactions once this many rows have been taken out, which costs a
/// catalog update: truncating at every commit (`ON COMMIT DELETE ROWS`)
/// made that update, and the invalidation every other session must
/// process, part of every unit; truncating every 1,024 transactions let a
/// unit of many reports read thousands of dead pages.
const CAPTURE_TRUNCATE_ROWS: u64 = 2048;

/// Migrations from several servers at once take turns on this advisory lock.
const MIGRATION_LOCK: i64 = 0x5649_4749_4c00_0001;
/// Batches larger than this go through COPY rather than row-by-row INSERT.
const COPY_THRESHOLD: usize = 32;

/// A batch of requests counted in one statement (see
/// [`crate::rate_count::increments`]): each row it touches, given once and
/// in key order, gains its share; the rows' totals after come back.
const COUNT_REQUESTS: &str = "INSERT INTO rate_counts (limiter, window_start, client, n) \
     SELECT * FROM unnest($1::text[], $2::bigint[], $3::bytea[], $4::bigint[]) \
     ON CONFLICT (limiter, window_start, client) DO UPDATE SET n = rate_counts.n + EXCLUDED.n \
     RETURNING limiter, window_start, client, n";
/// Nonces spent together, each given once and in order: two nodes
/// redeeming the same token, the second insert waits for the first to
/// commit, then finds the conflict. A spend that expired (not swept yet)
/// counts for nothing. The nonces spent now come back.
const SPEND_FORM_TOKENS: &str = "INSERT INTO spent_form_tokens (nonce, expires_at) \
     SELECT * FROM unnest($1::text[], $2::bigint[]) ON CONFLICT (nonce) \
     DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE spent_form_tokens.expires_at < $3 RETURNING nonce";
const SWEEP_FORM_TOKENS: &str = "DELETE FROM spent_form_tokens WHERE expires_at < $1";

const EXHIBIT_COLUMNS: &str = "reference, case_id, sha256, md5, sha1, blake3, size, original_name, note, received_event, received_ms, deleted_event";
const EVENT_COLUMNS: &str = "idx, leaf, leaf_hash, kind, object, actor, time_ms";

impl PostgresStore {
    pub fn connect(url: &str) -> Result<Self, StoreError> {
        let mut client = Client::connect(url, NoTls)?;
        // Before anything can fire a capture trigger in this session (a
        // migration might): the session's own capture table, which the
        // trigger function's unqualified name finds first (pg_temp comes
        // first in every search path). Not WAL-logged, seen by no other
        // session, and truncated now and then (see `begin`), so no unit
        // scans dead rows of others', as the shared table made every unit
        // do until autovacuum came round. Sessions that are not
        // Vigil's (a change by hand) still capture into the shared table,
        // where no unit looks.
        client.batch_execute(crate::projection::POSTGRES_SESSION_CAPTURE)?;
        let mut s = PostgresStore { client, statements: Statements::default(), captured: 0 };
        s.migrate()?;
        Ok(s)
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let mut tx = self.client.transaction()?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_ms BIGINT NOT NULL)",
        )?;
        let current: i32 = tx.query_one("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", &[])?.try_get(0)?;
        let current = current as u32;
        if current > latest() {
            return Err(StoreError::TooNew { found: current, known: latest() });
        }
        for m in MIGRATIONS.iter().filter(|m| m.version > current) {
            tx.batch_execute(m.postgres)?;
            tx.execute(
                "INSERT INTO schema_migrations (version, name, applied_ms) VALUES ($1, $2, (extract(epoch from clock_timestamp()) * 1000)::bigint)",
                &[&(m.version as i32), &m.name],
            )?;
        }
        // The capture functions and two triggers on each projected table
        // (see projection.rs), made once; the functions render any row
        // whole. A store made before inserts were captured a statement at
        // a time has one trigger a table, which is replaced here.
        let names: Vec<&str> = crate::projection::POSTGRES_CAPTURE_TRIGGERS.to_vec();
        let triggers: i64 = tx
            .query_one("SELECT count(*) FROM pg_trigger WHERE tgname = ANY($1) AND NOT tgisinternal", &[&names])?
            .try_get(0)?;
        if triggers as usize != names.len() * crate::projection::PROJECTED.len() {
            tx.batch_execute(crate::projection::POSTGRES_CAPTURE)?;
            for p in crate::projection::PROJECTED {
                tx.batch_execute(&format!(
                    "CREATE OR REPLACE TRIGGER vigil_capture AFTER UPDATE OR DELETE ON {t} \
                     FOR EACH ROW EXECUTE FUNCTION vigil_capture(); \
                     DROP TRIGGER IF EXISTS vigil_capture_insert ON {t}; \
                     CREATE TRIGGER vigil_capture_insert AFTER INSERT ON {t} REFERENCING NEW TABLE AS vigil_inserted \
                     FOR EACH STATEMENT EXECUTE FUNCTION vigil_capture_inserted()",
                    t = p.table
                ))?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn db(&mut self) -> Db<'_, Client> {
        Db { conn: &mut self.client, cache: &mut self.statements }
    }

    /// The raw client, for tests that play an attacker with database access.
    pub fn raw_client(&mut self) -> &mut Client {
        &mut self.client
    }
}

fn u(v: i64, what: &'static str) -> Result<u64, StoreError> {
    u64::try_from(v).map_err(|_| StoreError::Malformed(what))
}

fn i(v: u64) -> i64 {
    i64::try_from(v).expect("counts stay below 2^63")
}

fn to_event(r: &Row) -> Result<EventRow, StoreError> {
    event_ref(r).map(|e| e.to_row())
}

fn event_ref(r: &Row) -> Result<EventRowRef<'_>, StoreError> {
    Ok(EventRowRef {
        index: u(r.try_get(0)?, "event index")?,
        leaf: r.try_get(1)?,
        leaf_hash: r.try_get::<_, &[u8]>(2)?.try_into().map_err(|_| StoreError::Malformed("leaf hash"))?,
        kind: r.try_get(3)?,
        object: r.try_get(4)?,
        actor: r.try_get(5)?,
        time_ms: r.try_get(6)?,
    })
}

fn to_exhibit(r: &Row) -> Result<ExhibitRow, StoreError> {
    let m = StoreError::Malformed;
    let reference: String = r.try_get(0)?;
    let case_id: String = r.try_get(1)?;
    let deleted: Option<i64> = r.try_get(11)?;
    Ok(ExhibitRow {
        reference: ExhibitRef::parse(&reference).map_err(|_| m("exhibit reference"))?,
        case_id: CaseId::parse(&case_id).map_err(|_| m("case ID"))?,
        sha256: Sha256Digest(fixed(r.try_get(2)?, "SHA-256")?),
        md5: Md5Digest(fixed(r.try_get(3)?, "MD5")?),
        sha1: Sha1Digest(fixed(r.try_get(4)?, "SHA-1")?),
        blake3: Blake3Digest(fixed(r.try_get(5)?, "BLAKE3")?),
        size: u(r.try_get(6)?, "size")?,
        original_name: r.try_get(7)?,
        note: r.try_get(8)?,
        received_event: u(r.try_get(9)?, "event index")?,
        received_ms: r.try_get(10)?,
        deleted_event: deleted.map(|d| u(d, "event index")).transpose()?,
    })
}

fn to_head(r: &Row) -> Result<HeadRow, StoreError> {
    Ok(HeadRow {
        tree_size: u(r.try_get(0)?, "tree size")?,
        root: fixed(r.try_get(1)?, "tree head root")?,
        timestamp_ms: r.try_get(2)?,
        signature: fixed(r.try_get(3)?, "tree head signature")?,
    })
}

fn to_key(r: &Row) -> Result<KeyRow, StoreError> {
    Ok(KeyRow {
        sha256: Sha256Digest(fixed(r.try_get(0)?, "SHA-256")?),
        slot: fixed(r.try_get(1)?, "key slot")?,
        master_key_id: r.try_get(2)?,
        nonce: fixed(r.try_get(3)?, "key nonce")?,
        wrapped: r.try_get(4)?,
    })
}

fn to_state(r: &Row) -> Result<LogState, StoreError> {
    Ok(LogState { size: u(r.try_get(0)?, "log size")?, frontier: r.try_get(1)? })
}

const REPORT_COLUMNS: &str = "exhibit, received_ms, immediate, score, factors, grade, graded_by, graded_ms, kind";
const REPORT_READ_COLUMNS: &str =
    "exhibit, received_ms, immediate, score, factors, grade, graded_by, graded_ms, state, closed_reason, kind";

fn to_report(r: &Row) -> Result<ReportRow, StoreError> {
    let e: String = r.try_get(0)?;
    let score: i32 = r.try_get(3)?;
    Ok(ReportRow {
        exhibit: ExhibitRef::parse(&e).map_err(|_| StoreError::Malformed("exhibit reference"))?,
        received_ms: r.try_get(1)?,
        immediate: r.try_get(2)?,
        score: score.max(0) as u32,
        factors: r.try_get(4)?,
        grade: r.try_get(5)?,
        graded_by: r.try_get(6)?,
        graded_ms: r.try_get(7)?,
        state: ReportState::parse(&r.try_get::<_, String>(8)?).map_err(|_| StoreError::Malformed("report state"))?,
        closed_reason: r.try_get(9)?,
        kind: r.try_get(10)?,
    })
}

fn exref(s: &str) -> Result<ExhibitRef, StoreError> {
    ExhibitRef::parse(s).map_err(|_| StoreError::Malformed("exhibit reference"))
}

fn to_file(r: &Row) -> Result<ReportFileRow, StoreError> {
    let sha: String = r.try_get(6)?;
    let exhibit: Option<String> = r.try_get(9)?;
    Ok(ReportFileRow {
        report: exref(&r.try_get::<_, String>(0)?)?,
        idx: r.try_get::<_, i32>(1)? as u32,
        owner: r.try_get(2)?,
        name: r.try_get(3)?,
        size: r.try_get::<_, i64>(4)? as u64,
        content_type: r.try_get(5)?,
        sha256: Sha256Digest::from_hex(&sha).map_err(|_| StoreError::Malformed("SHA-256"))?,
        md5: r.try_get(7)?,
        sha1: r.try_get(8)?,
        exhibit: exhibit.as_deref().map(exref).transpose()?,
    })
}

impl Store for PostgresStore {
    fn relax_sync(&mut self) -> Result<(), StoreError> {
        self.client.batch_execute("SET synchronous_commit = off")?;
        Ok(())
    }

    fn cases(&mut self) -> Result<Vec<(CaseId, String)>, StoreError> {
        self.db()
            .query("SELECT id, title FROM cases ORDER BY id", &[])?
            .iter()
            .map(|r| {
                let id: String = r.try_get(0)?;
                Ok((CaseId::parse(&id).map_err(|_| StoreError::Malformed("case ID"))?, r.try_get(1)?))
            })
            .collect()
    }

    fn case_members(&mut self, id: &CaseId) -> Result<Vec<String>, StoreError> {
        self.db()
            .query("SELECT username FROM case_members WHERE case_id = $1 ORDER BY username", &[&id.as_str()])?
            .iter()
            .map(|r| Ok(r.try_get::<_, String>(0)?))
            .collect()
    }

    fn case_records(&mut self, id: &CaseId) -> Result<Vec<CaseRecordRow>, StoreError> {
        self.db()
            .query(
                "SELECT id, kind, body, by_user, at_ms, event FROM case_records WHERE case_id = $1 ORDER BY id",
                &[&id.as_str()],
            )?
            .iter()
            .map(|r| {
                Ok(CaseRecordRow {
                    id: r.try_get::<_, i64>(0)? as u64,
                    case_id: id.clone(),
                    kind: r.try_get(1)?,
                    body: r.try_get(2)?,
                    by: r.try_get(3)?,
                    at_ms: r.try_get(4)?,
                    event: r.try_get::<_, i64>(5)? as u64,
                })
            })
            .collect()
    }
    fn review_items(&mut self, case: &CaseId) -> Result<Vec<ReviewItemRow>, StoreError> {
        self.db()
            .query("SELECT case_id, item, kind, sha256, paths, pdq, quality, detail, stack, distance, category, method, source, decided_by, decided_ms FROM review_items WHERE case_id = $1 ORDER BY item", &[&case.as_str()])?
            .iter()
            .map(to_review_item)
            .collect()
    }

    fn review_item(&mut self, case: &CaseId, item: u64) -> Result<Option<ReviewItemRow>, StoreError> {
        self.db()
            .query_opt(
                "SELECT case_id, item, kind, sha256, paths, pdq, quality, detail, stack, distance, category, method, source, decided_by, decided_ms FROM review_items WHERE case_id = $1 AND item = $2",
                &[&case.as_str(), &(item as i64)],
            )?
            .as_ref()
            .map(to_review_item)
            .transpose()
    }

    fn review_items_in(&mut self, category: &str) -> Result<Vec<ReviewItemRow>, StoreError> {
        self.db()
            .query("SELECT case_id, item, kind, sha256, paths, pdq, quality, detail, stack, distance, category, method, source, decided_by, decided_ms FROM review_items WHERE category = $1 ORDER BY case_id, item", &[&category])?
            .iter()
            .map(to_review_item)
            .collect()
    }

    fn review_exposure(&mut self, username: Option<&str>, since_day: &str) -> Result<Vec<ExposureRow>, StoreError> {
        self.db()
            .query(
                "SELECT username, day, items, ms FROM review_exposure WHERE ($1::TEXT IS NULL OR username = $1) AND day >= $2 ORDER BY username, day",
                &[&username, &since_day],
            )?
            .iter()
            .map(|r| {
                Ok(ExposureRow {
                    username: r.try_get(0)?,
                    day: r.try_get(1)?,
                    items: r.try_get::<_, i64>(2)? as u64,
                    ms: r.try_get::<_, i64>(3)? as u64,
                })
            })
            .collect()
    }

    fn review_settings(&mut self, username: &str) -> Result<Option<ReviewSettingsRow>, StoreError> {
        self.db()
            .query_opt("SELECT username, blur, grey, ceiling FROM review_settings WHERE username = $1", &[&username])?
            .map(|r| {
                Ok(ReviewSettingsRow {
                    username: r.try_get(0)?,
                    blur: r.try_get::<_, i64>(1)? as u32,
                    grey: r.try_get::<_, i64>(2)? != 0,
                    ceiling: r.try_get::<_, i64>(3)? as u32,
                })
            })
            .transpose()
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
        // Each word a quoted prefix lexeme: to_tsquery reads nothing in it as syntax.
        let query = words.iter().map(|w| format!("'{}':*", w.replace('\'', "''"))).collect::<Vec<_>>().join(" & ");
        let limit = i64::from(limit);
        let rows = match member {
            None => self.db().query(
                "SELECT case_id, kind, term FROM case_terms WHERE tsv @@ to_tsquery('simple', $1) ORDER BY case_id LIMIT $2",
                &[&query, &limit],
            )?,
            Some(m) => self.db().query(
                "SELECT t.case_id, t.kind, t.term FROM case_terms t JOIN case_members m ON m.case_id = t.case_id \
                 AND m.username = $3 WHERE t.tsv @@ to_tsquery('simple', $1) ORDER BY t.case_id LIMIT $2",
                &[&query, &limit, &m],
            )?,
        };
        rows.iter()
            .map(|r| {
                let c: String = r.try_get(0)?;
                Ok((CaseId::parse(&c).map_err(|_| StoreError::Malformed("case ID"))?, r.try_get(1)?, r.try_get(2)?))
            })
            .collect()
    }

    fn cases_of_member(&mut self, username: &str) -> Result<Vec<(CaseId, String)>, StoreError> {
        self.db()
            .query(
                "SELECT c.id, c.title FROM cases c JOIN case_members m ON m.case_id = c.id WHERE m.username = $1 ORDER BY c.id",
                &[&username],
            )?
            .iter()
            .map(|r| {
                let id: String = r.try_get(0)?;
                Ok((CaseId::parse(&id).map_err(|_| StoreError::Malformed("case ID"))?, r.try_get(1)?))
            })
            .collect()
    }

    fn retention_rows(&mut self) -> Result<Vec<RetentionRow>, StoreError> {
        self.db()
            .query(&format!("SELECT {RETENTION_COLUMNS} FROM retention ORDER BY subject"), &[])?
            .iter()
            .map(retention_row)
            .collect()
    }

    fn retention_row(&mut self, subject: &str) -> Result<Option<RetentionRow>, StoreError> {
        self.db()
            .query_opt(&format!("SELECT {RETENTION_COLUMNS} FROM retention WHERE subject = $1"), &[&subject])?
            .as_ref()
            .map(retention_row)
            .transpose()
    }

    fn scan_job_progress(&mut self, job: &str) -> Result<Option<(u64, u64)>, StoreError> {
        let row = self.db().query_opt(
            "SELECT (SELECT COUNT(*) FROM scan_batches WHERE job = $1 AND state = 'done'), batches \
             FROM scan_jobs WHERE id = $1",
            &[&job],
        )?;
        row.map(|r| {
            let (d, t): (i64, i64) = (r.try_get(0)?, r.try_get(1)?);
            Ok((d.max(0) as u64, t.max(0) as u64))
        })
        .transpose()
    }

    fn scan_work_left(&mut self) -> Result<u64, StoreError> {
        let n: i64 = self.db().query_one("SELECT COUNT(*) FROM scan_batches WHERE state <> 'done'", &[])?.try_get(0)?;
        Ok(n.max(0) as u64)
    }

    fn scan_job_queued(&mut self, job: &str) -> Result<Option<(String, Vec<String>)>, StoreError> {
        let Some(row) = self.db().query_opt("SELECT options FROM scan_jobs WHERE id = $1", &[&job])? else {
            return Ok(None);
        };
        let options: String = row.try_get(0)?;
        let entries = self
            .db()
            .query("SELECT entries FROM scan_batches WHERE job = $1 ORDER BY batch", &[&job])?
            .iter()
            .map(|r| Ok(r.try_get(0)?))
            .collect::<Result<Vec<String>, StoreError>>()?;
        Ok(Some((options, entries)))
    }

    fn scan_results(&mut self, job: &str) -> Result<Vec<Option<String>>, StoreError> {
        self.db()
            .query("SELECT results FROM scan_batches WHERE job = $1 ORDER BY batch", &[&job])?
            .iter()
            .map(|r| Ok(r.try_get(0)?))
            .collect()
    }

    fn partner(&mut self, id: &str) -> Result<Option<PartnerRow>, StoreError> {
        let r = self
            .db()
            .query_opt("SELECT id, name, key_hash, created_ms, revoked_ms FROM partners WHERE id = $1", &[&id])?;
        r.map(|r| {
            Ok(PartnerRow {
                id: r.try_get(0)?,
                name: r.try_get(1)?,
                key_hash: fixed(r.try_get(2)?, "key hash")?,
                created_ms: r.try_get(3)?,
                revoked_ms: r.try_get(4)?,
            })
        })
        .transpose()
    }

    fn idempotent(&mut self, partner: &str, key: &str) -> Result<Option<IdempotencyRow>, StoreError> {
        let r = self.db().query_opt(
            "SELECT request_hash, status, response, created_ms FROM idempotency WHERE partner = $1 AND key = $2",
            &[&partner, &key],
        )?;
        r.map(|r| {
            Ok(IdempotencyRow {
                partner: partner.to_owned(),
                key: key.to_owned(),
                request_hash: fixed(r.try_get(0)?, "request hash")?,
                status: r.try_get::<_, i32>(1)? as u16,
                response: r.try_get(2)?,
                created_ms: r.try_get(3)?,
            })
        })
        .transpose()
    }

    fn report_files(&mut self, report: &ExhibitRef) -> Result<Vec<ReportFileRow>, StoreError> {
        self.db().query(
                "SELECT report, idx, owner, name, size, content_type, sha256, md5, sha1, exhibit FROM report_files WHERE report = $1 ORDER BY idx",
                &[&report.to_string()],
            )?
            .iter()
            .map(to_file)
            .collect()
    }

    fn manual_links(&mut self, report: &ExhibitRef) -> Result<Vec<LinkRow>, StoreError> {
        self.db()
            .query(
                "SELECT a, b, linked, by_user, reason, at_ms FROM report_links WHERE a = $1 OR b = $1 ORDER BY at_ms",
                &[&report.to_string()],
            )?
            .iter()
            .map(|r| {
                Ok(LinkRow {
                    a: exref(&r.try_get::<_, String>(0)?)?,
                    b: exref(&r.try_get::<_, String>(1)?)?,
                    linked: r.try_get(2)?,
                    by: r.try_get(3)?,
                    reason: r.try_get(4)?,
                    at_ms: r.try_get(5)?,
                })
            })
            .collect()
    }
    fn case_title(&mut self, id: &CaseId) -> Result<Option<String>, StoreError> {
        Ok(self
            .db()
            .query_opt("SELECT title FROM cases WHERE id = $1", &[&id.as_str()])?
            .map(|r| r.try_get(0))
            .transpose()?)
    }

    fn case_opened_ms(&mut self, id: &CaseId) -> Result<Option<i64>, StoreError> {
        Ok(self
            .db()
            .query_opt("SELECT opened_ms FROM cases WHERE id = $1", &[&id.as_str()])?
            .map(|r| r.try_get(0))
            .transpose()?)
    }

    fn identifiers_of(&mut self, exhibit: &ExhibitRef) -> Result<Vec<String>, StoreError> {
        self.db()
            .query(
                "SELECT identifier FROM report_identifiers WHERE exhibit = $1 ORDER BY identifier",
                &[&exhibit.to_string()],
            )?
            .iter()
            .map(|r| Ok(r.try_get::<_, String>(0)?))
            .collect()
    }

    fn cases_of_report(&mut self, exhibit: &ExhibitRef) -> Result<Vec<CaseId>, StoreError> {
        self.db()
            .query("SELECT case_id FROM case_reports WHERE exhibit = $1 ORDER BY case_id", &[&exhibit.to_string()])?
            .iter()
            .map(|r| {
                let s: String = r.try_get(0)?;
                CaseId::parse(&s).map_err(|_| StoreError::Malformed("case ID"))
            })
            .collect()
    }

    fn reports_of_case(&mut self, case: &CaseId) -> Result<Vec<ExhibitRef>, StoreError> {
        let mut out = self
            .db()
            .query("SELECT exhibit FROM case_reports WHERE case_id = $1", &[&case.as_str()])?
            .iter()
            .map(|r| {
                let s: String = r.try_get(0)?;
                ExhibitRef::parse(&s).map_err(|_| StoreError::Malformed("exhibit reference"))
            })
            .collect::<Result<Vec<_>, _>>()?;
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
        let q = format!(
            "SELECT {REPORT_READ_COLUMNS} FROM reports WHERE state = $1
             ORDER BY {} LIMIT $2 OFFSET $3",
            crate::sqlite_store::queue_order_sql(order)
        );
        self.db().query(&q, &[&state.as_str(), &(limit as i64), &(offset as i64)])?.iter().map(to_report).collect()
    }

    fn oldest_received(&mut self, state: ReportState) -> Result<Option<i64>, StoreError> {
        let row = self.db().query_one("SELECT MIN(received_ms) FROM reports WHERE state = $1", &[&state.as_str()])?;
        Ok(row.try_get::<_, Option<i64>>(0)?)
    }

    fn reports_received_since(&mut self, since_ms: i64) -> Result<Vec<ReportRow>, StoreError> {
        let q = format!("SELECT {REPORT_READ_COLUMNS} FROM reports WHERE received_ms >= $1 ORDER BY received_ms");
        self.db().query(&q, &[&since_ms])?.iter().map(to_report).collect()
    }

    fn open_reports_received(&mut self) -> Result<Vec<(i64, bool)>, StoreError> {
        self.db()
            .query(
                "SELECT received_ms, immediate FROM reports WHERE state IN ('new', 'graded') ORDER BY received_ms",
                &[],
            )?
            .iter()
            .map(|r| Ok((r.try_get::<_, i64>(0)?, r.try_get::<_, bool>(1)?)))
            .collect()
    }

    fn report_counts(&mut self) -> Result<Vec<(ReportState, u64)>, StoreError> {
        self.db()
            .query("SELECT state, n FROM report_state_counts", &[])?
            .iter()
            .map(|r| {
                let s: String = r.try_get(0)?;
                let n: i64 = r.try_get(1)?;
                Ok((ReportState::parse(&s).map_err(|_| StoreError::Malformed("report state"))?, n.max(0) as u64))
            })
            .collect()
    }

    fn report(&mut self, exhibit: &ExhibitRef) -> Result<Option<ReportRow>, StoreError> {
        let q = format!("SELECT {REPORT_READ_COLUMNS} FROM reports WHERE exhibit = $1");
        self.db().query_opt(&q, &[&exhibit.to_string()])?.as_ref().map(to_report).transpose()
    }

    fn identifiers_like(&mut self, pattern: &str, limit: u32) -> Result<IdentifierMatches, StoreError> {
        let limit = i64::from(limit);
        let mut reports = Vec::new();
        for r in self.db().query(
            "SELECT exhibit, identifier FROM report_identifiers WHERE identifier LIKE $1 ESCAPE '\\' ORDER BY exhibit, identifier LIMIT $2",
            &[&pattern, &limit],
        )? {
            let (e, id): (String, String) = (r.try_get(0)?, r.try_get(1)?);
            reports.push((ExhibitRef::parse(&e).map_err(|_| StoreError::Malformed("exhibit reference"))?, id));
        }
        let exhibits = self.db().query(
                "SELECT exhibit, identifier, source, occurrences FROM exhibit_identifiers WHERE identifier LIKE $1 ESCAPE '\\' ORDER BY exhibit, identifier LIMIT $2",
                &[&pattern, &limit],
            )?
            .iter()
            .map(to_exhibit_identifier)
            .collect::<Result<_, _>>()?;
        Ok((reports, exhibits))
    }

    fn report_additions(&mut self, report: &ExhibitRef) -> Result<Vec<(ExhibitRef, i64)>, StoreError> {
        let mut out = Vec::new();
        for r in self.db().query(
            "SELECT addition, at_ms FROM report_additions WHERE report = $1 ORDER BY at_ms, addition",
            &[&report.to_string()],
        )? {
            let (a, at): (String, i64) = (r.try_get(0)?, r.try_get(1)?);
            out.push((ExhibitRef::parse(&a).map_err(|_| StoreError::Malformed("exhibit reference"))?, at));
        }
        Ok(out)
    }

    fn chat_timelines(&mut self, case: &CaseId) -> Result<Vec<ChatTimelineRow>, StoreError> {
        let mut out: Vec<ChatTimelineRow> = self.db().query(
                "SELECT timeline, original, case_id, format, messages, conversations FROM chat_timelines WHERE case_id = $1",
                &[&case.as_str()],
            )?
            .iter()
            .map(to_chat_timeline)
            .collect::<Result<_, _>>()?;
        out.sort_by(|a, b| a.timeline.cmp(&b.timeline));
        Ok(out)
    }

    fn chat_timeline(&mut self, timeline: &ExhibitRef) -> Result<Option<ChatTimelineRow>, StoreError> {
        self.db().query_opt(
                "SELECT timeline, original, case_id, format, messages, conversations FROM chat_timelines WHERE timeline = $1",
                &[&timeline.to_string()],
            )?
            .as_ref()
            .map(to_chat_timeline)
            .transpose()
    }

    fn exhibit_identifiers(&mut self, exhibit: &ExhibitRef) -> Result<Vec<ExhibitIdentifierRow>, StoreError> {
        self.db().query(
                "SELECT exhibit, identifier, source, occurrences FROM exhibit_identifiers WHERE exhibit = $1 ORDER BY identifier",
                &[&exhibit.to_string()],
            )?
            .iter()
            .map(to_exhibit_identifier)
            .collect()
    }

    fn exhibits_holding(&mut self, identifiers: &[String]) -> Result<Vec<ExhibitIdentifierRow>, StoreError> {
        self.db().query(
                "SELECT exhibit, identifier, source, occurrences FROM exhibit_identifiers WHERE identifier = ANY($1) ORDER BY exhibit, identifier",
                &[&identifiers],
            )?
            .iter()
            .map(to_exhibit_identifier)
            .collect()
    }

    fn reports_by_reporters(&mut self, reporters: &[String]) -> Result<Vec<ExhibitRef>, StoreError> {
        let rows = self.db().query(
            "SELECT p.exhibit, MIN(r.received_ms) AS t FROM report_reporters p JOIN reports r ON r.exhibit = p.exhibit
             WHERE p.reporter = ANY($1) GROUP BY p.exhibit ORDER BY t, p.exhibit",
            &[&reporters],
        )?;
        rows.iter()
            .map(|r| {
                let s: String = r.try_get(0)?;
                ExhibitRef::parse(&s).map_err(|_| StoreError::Malformed("exhibit reference"))
            })
            .collect()
    }

    fn reporters_of(&mut self, exhibit: &ExhibitRef) -> Result<Vec<String>, StoreError> {
        let rows = self.db().query(
            "SELECT reporter FROM report_reporters WHERE exhibit = $1 ORDER BY reporter",
            &[&exhibit.to_string()],
        )?;
        rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
    }

    fn repeat_reporters(&mut self, min: u64) -> Result<Vec<(String, Vec<ExhibitRef>)>, StoreError> {
        let rows = self.db().query(
            "SELECT p.reporter, p.exhibit FROM report_reporters p JOIN reports r ON r.exhibit = p.exhibit
             WHERE p.reporter IN (SELECT reporter FROM report_reporters GROUP BY reporter HAVING COUNT(*) >= $1)
             ORDER BY p.reporter, r.received_ms",
            &[&(min as i64)],
        )?;
        let mut out: Vec<(String, Vec<ExhibitRef>)> = Vec::new();
        for r in rows {
            let (k, e): (String, String) = (r.try_get(0)?, r.try_get(1)?);
            let e = ExhibitRef::parse(&e).map_err(|_| StoreError::Malformed("exhibit reference"))?;
            match out.last_mut() {
                Some((last, list)) if *last == k => list.push(e),
                _ => out.push((k, vec![e])),
            }
        }
        Ok(out)
    }

    fn reports_holding_each(&mut self, identifiers: &[String]) -> Result<Vec<u64>, StoreError> {
        holding_each(&mut self.db(), identifiers)
    }

    fn reports_sharing(
        &mut self,
        identifiers: &[String],
        except: Option<&ExhibitRef>,
    ) -> Result<Vec<ExhibitRef>, StoreError> {
        // Planned for its values each time, as the count above.
        let rows = self.db().query_planned(
            "SELECT DISTINCT exhibit FROM report_identifiers WHERE identifier = ANY($1)",
            &[(&identifiers, postgres::types::Type::TEXT_ARRAY)],
        )?;
        let mut out = Vec::new();
        for r in rows {
            let s: String = r.try_get(0)?;
            let e = ExhibitRef::parse(&s).map_err(|_| StoreError::Malformed("exhibit reference"))?;
            if Some(&e) != except {
                out.push(e);
            }
        }
        out.sort();
        Ok(out)
    }

    fn user(&mut self, username: &str) -> Result<Option<UserRow>, StoreError> {
        let r = self.db().query_opt(
            "SELECT username, role, password_hash, totp_secret, failed, locked_until_ms, last_totp_step, created_ms FROM users WHERE username = $1",
            &[&username],
        )?;
        r.map(|r| -> Result<UserRow, StoreError> {
            let failed: i32 = r.try_get(4)?;
            Ok(UserRow {
                username: r.try_get(0)?,
                role: r.try_get(1)?,
                password_hash: r.try_get(2)?,
                totp_secret: r.try_get(3)?,
                failed: failed.max(0) as u32,
                locked_until_ms: r.try_get(5)?,
                last_totp_step: r.try_get(6)?,
                created_ms: r.try_get(7)?,
            })
        })
        .transpose()
    }

    fn session(&mut self, id_hash: &[u8; 32]) -> Result<Option<SessionRow>, StoreError> {
        let r = self.db().query_opt(
            "SELECT id_hash, username, csrf, created_ms, expires_ms FROM sessions WHERE id_hash = $1",
            &[&&id_hash[..]],
        )?;
        r.map(|r| -> Result<SessionRow, StoreError> {
            Ok(SessionRow {
                id_hash: fixed(r.try_get(0)?, "session id")?,
                username: r.try_get(1)?,
                csrf: r.try_get(2)?,
                created_ms: r.try_get(3)?,
                expires_ms: r.try_get(4)?,
            })
        })
        .transpose()
    }

    fn receipt(&mut self, code: &str) -> Result<Option<(ExhibitRef, String)>, StoreError> {
        let row = self.db().query_opt("SELECT exhibit, secret_hash FROM report_receipts WHERE code = $1", &[&code])?;
        row.map(|r| {
            let e: String = r.try_get(0)?;
            let h: String = r.try_get(1)?;
            Ok((ExhibitRef::parse(&e).map_err(|_| StoreError::Malformed("exhibit reference"))?, h))
        })
        .transpose()
    }

    fn backend(&self) -> &'static str {
        "postgres"
    }

    fn spend_form_tokens(&mut self, spends: &[SpentTokenRow], now: i64, sweep: bool) -> Result<Vec<bool>, StoreError> {
        // Each statement its own transaction: one round trip. They write
        // only the operational table of spent tokens, which no capture
        // trigger watches; the sweep is independent of the spend.
        let mut db = self.db();
        if sweep {
            db.execute(SWEEP_FORM_TOKENS, &[&now])?;
        }
        spend_tokens(&mut db, spends, now)
    }

    fn count_requests(&mut self, counts: &[RateCount]) -> Result<Vec<(i64, i64)>, StoreError> {
        // One statement, its own transaction (as the spend above): it
        // writes only the operational rate counts.
        count_rows(&mut self.db(), counts)
    }

    fn begin(&mut self) -> Result<Box<dyn StoreTx + '_>, StoreError> {
        if self.captured >= CAPTURE_TRUNCATE_ROWS {
            self.client.batch_execute("TRUNCATE pg_temp.projection_changes")?;
            self.captured = 0;
        }
        let PostgresStore { client, statements, captured } = self;
        Ok(Box::new(PgTx { tx: client.transaction()?, statements, captured }))
    }

    fn projection_rows(&mut self, table: &str) -> Result<Vec<String>, StoreError> {
        if crate::projection::projected(table).is_none() && !crate::OPERATIONAL.iter().any(|(t, _)| *t == table) {
            return Err(StoreError::Malformed("table name"));
        }
        self.db()
            .query(&format!("SELECT to_jsonb(t)::text FROM {table} t") as &str, &[])?
            .iter()
            .map(|r| Ok(r.try_get(0)?))
            .collect()
    }

    fn tables(&mut self) -> Result<(Vec<String>, Vec<String>), StoreError> {
        let tables = self
            .db()
            .query("SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1", &[])?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<Vec<String>, _>>()?;
        let captured = self
            .db()
            .query(
                // Captured: both triggers in place (updates and deletes,
                // and inserts), as `migrate` makes them.
                "SELECT c.relname::text FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid \
                 WHERE g.tgname = ANY($1) AND NOT g.tgisinternal \
                 GROUP BY 1 HAVING count(DISTINCT g.tgname) = cardinality($1) ORDER BY 1",
                &[&crate::projection::POSTGRES_CAPTURE_TRIGGERS.to_vec()],
            )?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<Vec<String>, _>>()?;
        Ok((tables, captured))
    }

    fn schema_version(&mut self) -> Result<u32, StoreError> {
        let v: i32 = self.db().query_one("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", &[])?.try_get(0)?;
        Ok(v as u32)
    }

    fn meta(&mut self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self.db().query_opt("SELECT value FROM meta WHERE key = $1", &[&key])?.map(|r| r.try_get(0)).transpose()?)
    }

    fn log_state(&mut self) -> Result<LogState, StoreError> {
        to_state(&self.db().query_one("SELECT size, frontier FROM log_state WHERE id = 1", &[])?)
    }

    fn events(&mut self, from: u64, limit: u64) -> Result<Vec<EventRow>, StoreError> {
        let q = format!("SELECT {EVENT_COLUMNS} FROM events WHERE idx >= $1 ORDER BY idx LIMIT $2");
        self.db().query(&q, &[&i(from), &i(limit)])?.iter().map(to_event).collect()
    }

    fn each_event_between(
        &mut self,
        from: u64,
        to: u64,
        visit: &mut dyn FnMut(EventRowRef<'_>),
    ) -> Result<u64, StoreError> {
        let q = format!("SELECT {EVENT_COLUMNS} FROM events WHERE idx >= $1 AND idx < $2 ORDER BY idx");
        let rows = self.db().query(&q, &[&i(from), &i(to)])?;
        for r in &rows {
            visit(event_ref(r)?);
        }
        Ok(rows.len() as u64)
    }

    fn last_event_index(&mut self) -> Result<Option<u64>, StoreError> {
        let last: Option<i64> = self.db().query_one("SELECT max(idx) FROM events", &[])?.try_get(0)?;
        last.map(|n| u(n, "event index")).transpose()
    }

    fn events_for_object(&mut self, object: &str) -> Result<Vec<EventRow>, StoreError> {
        let q = format!("SELECT {EVENT_COLUMNS} FROM events WHERE object = $1 ORDER BY idx");
        self.db().query(&q, &[&object])?.iter().map(to_event).collect()
    }

    fn events_for_objects_under(&mut self, prefix: &str) -> Result<Vec<EventRow>, StoreError> {
        // Byte order ("C"), whatever the database's collation: every
        // reference starting with "…/" sorts before "…0".
        let end = format!("{}0", prefix.trim_end_matches('/'));
        let q = format!(
            "SELECT {EVENT_COLUMNS} FROM events WHERE object COLLATE \"C\" >= $1 AND object COLLATE \"C\" < $2 ORDER BY idx"
        );
        self.db().query(&q, &[&prefix, &end])?.iter().map(to_event).collect()
    }

    fn events_of_kind(&mut self, kind: &str) -> Result<Vec<EventRow>, StoreError> {
        let q = format!("SELECT {EVENT_COLUMNS} FROM events WHERE kind = $1 ORDER BY idx");
        self.db().query(&q, &[&kind])?.iter().map(to_event).collect()
    }

    fn leaf_hashes(&mut self, upto: u64) -> Result<Vec<[u8; 32]>, StoreError> {
        self.db()
            .query("SELECT leaf_hash FROM events WHERE idx < $1 ORDER BY idx", &[&i(upto)])?
            .iter()
            .map(|r| fixed(r.try_get(0)?, "leaf hash"))
            .collect()
    }

    fn heads(&mut self) -> Result<Vec<HeadRow>, StoreError> {
        self.db()
            .query("SELECT tree_size, root, timestamp_ms, signature FROM tree_heads ORDER BY tree_size", &[])?
            .iter()
            .map(to_head)
            .collect()
    }

    fn heads_from(&mut self, min_size: u64) -> Result<Vec<HeadRow>, StoreError> {
        self.db()
            .query(
                "SELECT tree_size, root, timestamp_ms, signature FROM tree_heads WHERE tree_size >= $1 ORDER BY tree_size",
                &[&(min_size as i64)],
            )?
            .iter()
            .map(to_head)
            .collect()
    }

    fn latest_head(&mut self) -> Result<Option<HeadRow>, StoreError> {
        self.db()
            .query_opt(
                "SELECT tree_size, root, timestamp_ms, signature FROM tree_heads ORDER BY tree_size DESC LIMIT 1",
                &[],
            )?
            .as_ref()
            .map(to_head)
            .transpose()
    }

    fn exhibit(&mut self, r: &ExhibitRef) -> Result<Option<ExhibitRow>, StoreError> {
        let q = format!("SELECT {EXHIBIT_COLUMNS} FROM exhibits WHERE reference = $1");
        self.db().query_opt(&q, &[&r.to_string()])?.as_ref().map(to_exhibit).transpose()
    }

    fn exhibits(&mut self) -> Result<Vec<ExhibitRow>, StoreError> {
        let q = format!("SELECT {EXHIBIT_COLUMNS} FROM exhibits ORDER BY initials, number");
        self.db().query(&q, &[])?.iter().map(to_exhibit).collect()
    }

    fn case_exhibit_count(&mut self, id: &CaseId) -> Result<u64, StoreError> {
        let row = self.db().query_one(CASE_EXHIBIT_COUNT, &[&id.as_str()])?;
        Ok(row.try_get::<_, i64>(0)? as u64)
    }

    fn exhibits_of_case(&mut self, case: &CaseId) -> Result<Vec<ExhibitRow>, StoreError> {
        let q = format!(
            "SELECT {EXHIBIT_COLUMNS}, initials, number FROM exhibits WHERE case_id = $1 \
             UNION SELECT {EXHIBIT_COLUMNS}, initials, number FROM exhibits \
             WHERE reference IN (SELECT exhibit FROM case_reports WHERE case_id = $1) \
             ORDER BY initials, number"
        );
        self.db().query(&q, &[&case.as_str()])?.iter().map(to_exhibit).collect()
    }

    fn keys_for(&mut self, sha: &Sha256Digest) -> Result<Vec<KeyRow>, StoreError> {
        self.db()
            .query(
                "SELECT sha256, slot, master_key_id, nonce, wrapped FROM blob_keys WHERE sha256 = $1",
                &[&&sha.0[..]],
            )?
            .iter()
            .map(to_key)
            .collect()
    }

    fn timeline_pages(&mut self, timeline: &ExhibitRef) -> Result<Option<Vec<u8>>, StoreError> {
        let row =
            self.db().query_opt("SELECT sealed FROM timeline_pages WHERE timeline = $1", &[&timeline.to_string()])?;
        Ok(row.map(|r| r.try_get(0)).transpose()?)
    }

    fn inline_blob(&mut self, sha: &Sha256Digest) -> Result<Option<Vec<u8>>, StoreError> {
        let row = self.db().query_opt("SELECT sealed FROM inline_blobs WHERE sha256 = $1", &[&&sha.0[..]])?;
        Ok(row.map(|r| r.try_get(0)).transpose()?)
    }

    fn current_master_key(&mut self) -> Result<Option<String>, StoreError> {
        Ok(self
            .db()
            .query_opt("SELECT id FROM master_keys WHERE retired_ms IS NULL ORDER BY created_ms DESC LIMIT 1", &[])?
            .map(|r| r.try_get(0))
            .transpose()?)
    }
}

struct PgTx<'a> {
    tx: Transaction<'a>,
    statements: &'a mut Statements,
    /// The session's count of rows taken from its capture table.
    captured: &'a mut u64,
}

impl<'a> PgTx<'a> {
    /// A review item's row, inserted (or, with the upsert clause, replaced);
    /// how many rows it wrote.
    fn write_review_item(&mut self, sql: &str, r: &ReviewItemRow) -> Result<u64, StoreError> {
        let n = self.db().execute(
            sql,
            &[
                &r.case_id.as_str(),
                &(r.item as i64),
                &r.kind,
                &r.sha256,
                &r.paths,
                &r.pdq,
                &r.quality.map(i64::from),
                &r.detail,
                &(r.stack as i64),
                &r.distance.map(i64::from),
                &r.category,
                &r.method,
                &r.source,
                &r.decided_by,
                &r.decided_ms,
            ],
        )?;
        Ok(n)
    }

    fn db(&mut self) -> Db<'_, Transaction<'a>> {
        Db { conn: &mut self.tx, cache: &mut *self.statements }
    }
}

impl StoreTx for PgTx<'_> {
    fn add_case_member(&mut self, id: &CaseId, username: &str, by: &str, at_ms: i64) -> Result<(), StoreError> {
        self.db().execute(
            "INSERT INTO case_members (case_id, username, added_by, added_ms) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            &[&id.as_str(), &username, &by, &at_ms],
        )?;
        Ok(())
    }

    fn take_projection_changes(&mut self) -> Result<Vec<crate::ProjectionChange>, StoreError> {
        // Only this session's table, so only this transaction's changes: a
        // change captured outside any unit (by hand in the database) is no
        // part of it, and `verify` names its row.
        let mut changes: Vec<(i64, crate::ProjectionChange)> = self
            .db()
            .query("DELETE FROM pg_temp.projection_changes RETURNING seq, tbl, old_row, new_row", &[])?
            .iter()
            .map(|r| {
                Ok((
                    r.try_get(0)?,
                    crate::ProjectionChange { table: r.try_get(1)?, old: r.try_get(2)?, new: r.try_get(3)? },
                ))
            })
            .collect::<Result<_, StoreError>>()?;
        *self.captured += changes.len() as u64;
        changes.sort_by_key(|(seq, _)| *seq);
        Ok(changes.into_iter().map(|(_, c)| c).collect())
    }

    fn latest_case_record(&mut self, id: &CaseId) -> Result<u64, StoreError> {
        let row = self
            .db()
            .query_one("SELECT COALESCE(MAX(id), 0)::BIGINT FROM case_records WHERE case_id = $1", &[&id.as_str()])?;
        Ok(row.try_get::<_, i64>(0)? as u64)
    }

    fn case_exhibit_count(&mut self, id: &CaseId) -> Result<u64, StoreError> {
        let row = self.db().query_one(CASE_EXHIBIT_COUNT, &[&id.as_str()])?;
        Ok(row.try_get::<_, i64>(0)? as u64)
    }

    fn insert_case_record(&mut self, r: &CaseRecordRow) -> Result<u64, StoreError> {
        let row = self.db().query_one(
            "INSERT INTO case_records (case_id, kind, body, by_user, at_ms, event) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            &[&r.case_id.as_str(), &r.kind, &r.body, &r.by, &r.at_ms, &(r.event as i64)],
        )?;
        Ok(row.try_get::<_, i64>(0)? as u64)
    }
    fn insert_partner(&mut self, p: &PartnerRow) -> Result<(), StoreError> {
        self.db().execute(
            "INSERT INTO partners (id, name, key_hash, created_ms, revoked_ms) VALUES ($1, $2, $3, $4, $5)",
            &[&p.id, &p.name, &&p.key_hash[..], &p.created_ms, &p.revoked_ms],
        )?;
        Ok(())
    }

    fn revoke_partner(&mut self, id: &str, at_ms: i64) -> Result<bool, StoreError> {
        let n = self
            .db()
            .execute("UPDATE partners SET revoked_ms = $2 WHERE id = $1 AND revoked_ms IS NULL", &[&id, &at_ms])?;
        Ok(n == 1)
    }

    fn insert_idempotent(&mut self, r: &IdempotencyRow) -> Result<(), StoreError> {
        self.db().execute(
            "INSERT INTO idempotency (partner, key, request_hash, status, response, created_ms) VALUES ($1, $2, $3, $4, $5, $6)",
            &[&r.partner, &r.key, &&r.request_hash[..], &(r.status as i32), &r.response, &r.created_ms],
        )?;
        Ok(())
    }

    fn insert_report_file(&mut self, f: &ReportFileRow) -> Result<(), StoreError> {
        self.db().execute(
            "INSERT INTO report_files (report, idx, owner, name, size, content_type, sha256, md5, sha1, exhibit) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            &[
                &f.report.to_string(),
                &(f.idx as i32),
                &f.owner,
                &f.name,
                &(f.size as i64),
                &f.content_type,
                &f.sha256.to_hex(),
                &f.md5,
                &f.sha1,
                &f.exhibit.as_ref().map(|e| e.to_string()),
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
        let n = self.db().execute(
            "UPDATE report_files SET exhibit = $3 WHERE report = $1 AND idx = $2 AND exhibit IS NULL",
            &[&report.to_string(), &(idx as i32), &exhibit.to_string()],
        )?;
        Ok(n == 1)
    }

    fn set_link(&mut self, l: &LinkRow) -> Result<(), StoreError> {
        self.db().execute(
            "INSERT INTO report_links (a, b, linked, by_user, reason, at_ms) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (a, b) DO UPDATE SET linked = excluded.linked, by_user = excluded.by_user, reason = excluded.reason, at_ms = excluded.at_ms",
            &[&l.a.to_string(), &l.b.to_string(), &l.linked, &l.by, &l.reason, &l.at_ms],
        )?;
        Ok(())
    }
    fn insert_case(&mut self, id: &CaseId, title: &str, by: &str, at_ms: i64) -> Result<(), StoreError> {
        let n = self.db().execute(
            "INSERT INTO cases (id, title, opened_by, opened_ms) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING",
            &[&id.as_str(), &title, &by, &at_ms],
        )?;
        if n == 0 {
            return Err(StoreError::Duplicate(format!("case {id}")));
        }
        Ok(())
    }

    fn add_report_to_case(
        &mut self,
        id: &CaseId,
        exhibit: &ExhibitRef,
        by: &str,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        self.db().execute(
            "INSERT INTO case_reports (case_id, exhibit, added_by, added_ms) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            &[&id.as_str(), &exhibit.to_string(), &by, &at_ms],
        )?;
        self.db().execute(
            "UPDATE reports SET state = 'in-case', closed_reason = NULL WHERE exhibit = $1",
            &[&exhibit.to_string()],
        )?;
        Ok(())
    }

    fn insert_report_addition(
        &mut self,
        report: &ExhibitRef,
        addition: &ExhibitRef,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        self.db().execute(
            "INSERT INTO report_additions (report, addition, at_ms) VALUES ($1, $2, $3)",
            &[&report.to_string(), &addition.to_string(), &at_ms],
        )?;
        Ok(())
    }

    fn insert_chat_timeline(&mut self, r: &ChatTimelineRow) -> Result<(), StoreError> {
        self.db().execute(
            "INSERT INTO chat_timelines (timeline, original, case_id, format, messages, conversations) VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &r.timeline.to_string(),
                &r.original.to_string(),
                &r.case_id.as_str(),
                &r.format,
                &(r.messages as i64),
                &(r.conversations as i64),
            ],
        )?;
        Ok(())
    }

    fn insert_exhibit_identifiers(&mut self, rows: &[ExhibitIdentifierRow]) -> Result<(), StoreError> {
        let st = self.db().prepare(
            "INSERT INTO exhibit_identifiers (exhibit, identifier, source, occurrences) VALUES ($1, $2, $3, $4)",
        )?;
        for r in rows {
            self.db().execute(&st, &[&r.exhibit.to_string(), &r.identifier, &r.source, &(r.occurrences as i64)])?;
        }
        Ok(())
    }

    fn insert_report(&mut self, r: &ReportRow, identifiers: &[String]) -> Result<(), StoreError> {
        // The report and its identifiers in one statement: one round trip.
        self.db().execute(
            &format!(
                "WITH r AS (INSERT INTO reports ({REPORT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)) \
                 INSERT INTO report_identifiers (exhibit, identifier) SELECT $1, unnest($10::TEXT[]) ON CONFLICT DO NOTHING"
            ) as &str,
            &[
                &r.exhibit.to_string(),
                &r.received_ms,
                &r.immediate,
                &(r.score as i32),
                &r.factors,
                &r.grade,
                &r.graded_by,
                &r.graded_ms,
                &r.kind,
                &identifiers,
            ],
        )?;
        Ok(())
    }

    fn insert_report_reporters(&mut self, exhibit: &ExhibitRef, reporters: &[String]) -> Result<(), StoreError> {
        if !reporters.is_empty() {
            self.db().execute(
                "INSERT INTO report_reporters (exhibit, reporter) SELECT $1, unnest($2::TEXT[]) ON CONFLICT DO NOTHING",
                &[&exhibit.to_string(), &reporters],
            )?;
        }
        Ok(())
    }

    fn set_grade(&mut self, exhibit: &ExhibitRef, grade: &str, by: &str, at_ms: i64) -> Result<(), StoreError> {
        self.db().execute(
            "UPDATE reports SET grade = $1, graded_by = $2, graded_ms = $3,
                    state = CASE WHEN state = 'new' THEN 'graded' ELSE state END WHERE exhibit = $4",
            &[&grade, &by, &at_ms, &exhibit.to_string()],
        )?;
        Ok(())
    }

    fn set_report_state(
        &mut self,
        exhibit: &ExhibitRef,
        state: ReportState,
        closed_reason: Option<&str>,
    ) -> Result<(), StoreError> {
        self.db().execute(
            "UPDATE reports SET state = $1, closed_reason = $2 WHERE exhibit = $3",
            &[&state.as_str(), &closed_reason, &exhibit.to_string()],
        )?;
        Ok(())
    }

    fn insert_user(&mut self, u: &UserRow) -> Result<(), StoreError> {
        let exists = self.db().query_opt("SELECT 1 FROM users WHERE username = $1", &[&u.username])?.is_some();
        if exists {
            return Err(StoreError::Duplicate(format!("user {}", u.username)));
        }
        self.db().execute(
            "INSERT INTO users (username, role, password_hash, totp_secret, failed, locked_until_ms, last_totp_step, created_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[&u.username, &u.role, &u.password_hash, &u.totp_secret, &(u.failed as i32), &u.locked_until_ms, &u.last_totp_step, &u.created_ms],
        )?;
        Ok(())
    }

    fn totp_secrets(&mut self) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        self.db()
            .query("SELECT username, totp_secret FROM users ORDER BY username FOR UPDATE", &[])?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    }

    fn set_totp_secret(&mut self, username: &str, sealed: &[u8]) -> Result<(), StoreError> {
        self.db().execute("UPDATE users SET totp_secret = $1 WHERE username = $2", &[&sealed, &username])?;
        Ok(())
    }

    fn count_failed_login(&mut self, username: &str) -> Result<(), StoreError> {
        self.db().execute("UPDATE users SET failed = failed + 1 WHERE username = $1", &[&username])?;
        Ok(())
    }

    fn claim_totp_step(&mut self, username: &str, step: i64, now_ms: i64) -> Result<bool, StoreError> {
        // Under READ COMMITTED a racing update of the same row waits for the
        // first to commit, then re-checks the WHERE against its result.
        let n = self.db().execute(
            "UPDATE users SET failed = 0, last_totp_step = $1 \
             WHERE username = $2 AND last_totp_step < $1 AND locked_until_ms <= $3",
            &[&step, &username, &now_ms],
        )?;
        Ok(n == 1)
    }

    fn notify(&mut self, channel: &str, payload: &str) -> Result<bool, StoreError> {
        self.db().execute("SELECT pg_notify($1, $2)", &[&channel, &payload])?;
        Ok(true)
    }

    fn window_salt(&mut self, limiter: &str, window_start: i64, candidate: &[u8]) -> Result<Vec<u8>, StoreError> {
        let mut db = self.db();
        // Two nodes opening the window at once: the second insert waits for
        // the first to commit and keeps its salt.
        let opened = db.execute(
            "INSERT INTO rate_windows (limiter, window_start, salt) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            &[&limiter, &window_start, &candidate],
        )?;
        if opened == 0 {
            let row = db.query_one(
                "SELECT salt FROM rate_windows WHERE limiter = $1 AND window_start = $2",
                &[&limiter, &window_start],
            )?;
            return Ok(row.get(0));
        }
        // This request opened the window: the earlier ones go, once.
        db.execute("DELETE FROM rate_counts WHERE limiter = $1 AND window_start < $2", &[&limiter, &window_start])?;
        db.execute("DELETE FROM rate_windows WHERE limiter = $1 AND window_start < $2", &[&limiter, &window_start])?;
        Ok(candidate.to_vec())
    }

    fn spend_form_tokens(&mut self, spends: &[SpentTokenRow], now: i64) -> Result<Vec<bool>, StoreError> {
        spend_tokens(&mut self.db(), spends, now)
    }

    fn reports_holding_each(&mut self, identifiers: &[String]) -> Result<Vec<u64>, StoreError> {
        holding_each(&mut self.db(), identifiers)
    }

    fn count_requests(&mut self, counts: &[RateCount]) -> Result<Vec<(i64, i64)>, StoreError> {
        count_rows(&mut self.db(), counts)
    }

    fn lock_user(&mut self, username: &str, locked_until_ms: i64) -> Result<(), StoreError> {
        self.db()
            .execute("UPDATE users SET locked_until_ms = $1 WHERE username = $2", &[&locked_until_ms, &username])?;
        Ok(())
    }

    fn insert_session(&mut self, s: &SessionRow) -> Result<(), StoreError> {
        self.db().execute(
            "INSERT INTO sessions (id_hash, username, csrf, created_ms, expires_ms) VALUES ($1, $2, $3, $4, $5)",
            &[&&s.id_hash[..], &s.username, &s.csrf, &s.created_ms, &s.expires_ms],
        )?;
        Ok(())
    }

    fn delete_session(&mut self, id_hash: &[u8; 32]) -> Result<(), StoreError> {
        self.db().execute("DELETE FROM sessions WHERE id_hash = $1", &[&&id_hash[..]])?;
        Ok(())
    }

    fn delete_sessions_of(&mut self, username: &str) -> Result<u64, StoreError> {
        Ok(self.db().execute("DELETE FROM sessions WHERE username = $1", &[&username])?)
    }

    fn insert_receipt(
        &mut self,
        code: &str,
        exhibit: &ExhibitRef,
        secret_hash: &str,
        created_ms: i64,
    ) -> Result<(), StoreError> {
        self.db().execute(
            "INSERT INTO report_receipts (code, exhibit, secret_hash, created_ms) VALUES ($1, $2, $3, $4)",
            &[&code, &exhibit.to_string(), &secret_hash, &created_ms],
        )?;
        Ok(())
    }

    fn lock_log(&mut self) -> Result<LogState, StoreError> {
        // The row lock is held to commit: a second appender waits here and
        // then reads the state the first one saved.
        to_state(&self.db().query_one("SELECT size, frontier FROM log_state WHERE id = 1 FOR UPDATE", &[])?)
    }

    fn save_log_state(&mut self, s: &LogState) -> Result<(), StoreError> {
        self.db().execute("UPDATE log_state SET size = $1, frontier = $2 WHERE id = 1", &[&i(s.size), &s.frontier])?;
        Ok(())
    }

    fn insert_events(&mut self, rows: &[EventRow]) -> Result<(), StoreError> {
        if rows.len() > COPY_THRESHOLD {
            let sink = self.tx.copy_in(&format!("COPY events ({EVENT_COLUMNS}) FROM STDIN BINARY"))?;
            let types = [Type::INT8, Type::BYTEA, Type::BYTEA, Type::TEXT, Type::TEXT, Type::TEXT, Type::INT8];
            let mut w = BinaryCopyInWriter::new(sink, &types);
            for e in rows {
                w.write(&[&i(e.index), &e.leaf, &&e.leaf_hash[..], &e.kind, &e.object, &e.actor, &e.time_ms])?;
            }
            w.finish()?;
        } else {
            let st = self
                .db()
                .prepare(&format!("INSERT INTO events ({EVENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"))?;
            for e in rows {
                self.db().execute(
                    &st,
                    &[&i(e.index), &e.leaf, &&e.leaf_hash[..], &e.kind, &e.object, &e.actor, &e.time_ms],
                )?;
            }
        }
        Ok(())
    }

    fn append_log(&mut self, rows: &[EventRow], head: &HeadRow, state: &LogState) -> Result<(), StoreError> {
        if rows.len() > COPY_THRESHOLD {
            self.insert_events(rows)?;
            self.insert_head(head)?;
            return self.save_log_state(state);
        }
        let (mut idx, mut leaf, mut hash, mut kind, mut object, mut actor, mut time) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for e in rows {
            idx.push(i(e.index));
            leaf.push(e.leaf.as_slice());
            hash.push(&e.leaf_hash[..]);
            kind.push(e.kind.as_str());
            object.push(e.object.as_str());
            actor.push(e.actor.as_str());
            time.push(e.time_ms);
        }
        // Events, head and state in one statement: the sequencer's row is
        // updated last, as by the three calls it stands for.
        self.db().execute(
            &format!(
                "WITH e AS (INSERT INTO events ({EVENT_COLUMNS}) \
                   SELECT * FROM UNNEST($1::BIGINT[], $2::BYTEA[], $3::BYTEA[], $4::TEXT[], $5::TEXT[], $6::TEXT[], $7::BIGINT[])), \
                 h AS (INSERT INTO tree_heads (tree_size, root, timestamp_ms, signature) VALUES ($8, $9, $10, $11)) \
                 UPDATE log_state SET size = $12, frontier = $13 WHERE id = 1"
            ) as &str,
            &[
                &idx,
                &leaf,
                &hash,
                &kind,
                &object,
                &actor,
                &time,
                &i(head.tree_size),
                &&head.root[..],
                &head.timestamp_ms,
                &&head.signature[..],
                &i(state.size),
                &state.frontier,
            ],
        )?;
        Ok(())
    }

    fn insert_head(&mut self, h: &HeadRow) -> Result<(), StoreError> {
        self.db().execute(
            "INSERT INTO tree_heads (tree_size, root, timestamp_ms, signature) VALUES ($1, $2, $3, $4)",
            &[&i(h.tree_size), &&h.root[..], &h.timestamp_ms, &&h.signature[..]],
        )?;
        Ok(())
    }

    fn set_meta(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        self.db().execute(
            "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            &[&key, &value],
        )?;
        Ok(())
    }

    fn next_exhibit_number(&mut self, initials: &Initials) -> Result<u32, StoreError> {
        let n: i32 = self
            .db()
            .query_one(
                "INSERT INTO exhibit_counters (initials, last) VALUES ($1, 1)
                 ON CONFLICT (initials) DO UPDATE SET last = exhibit_counters.last + 1 RETURNING last",
                &[&initials.as_str()],
            )?
            .try_get(0)?;
        u32::try_from(n).map_err(|_| StoreError::Malformed("exhibit counter"))
    }

    fn reserve_exhibit_numbers(&mut self, initials: &Initials, n: u32) -> Result<u32, StoreError> {
        let last: i32 = self
            .db()
            .query_one(
                "INSERT INTO exhibit_counters (initials, last) VALUES ($1, $2)
                 ON CONFLICT (initials) DO UPDATE SET last = exhibit_counters.last + $2 RETURNING last",
                &[&initials.as_str(), &(n as i32)],
            )?
            .try_get(0)?;
        u32::try_from(last - n as i32 + 1).map_err(|_| StoreError::Malformed("exhibit counter"))
    }

    fn insert_public_reports(&mut self, reports: &[PublicReportRows]) -> Result<(), StoreError> {
        // Every row of every report in one statement: one round trip while
        // the unit holds the log's sequencer lock, however many reports.
        let mut k = KeyColumns::default();
        let mut x = ExhibitColumns::default();
        let mut r = ReportColumns::default();
        let (mut id_of, mut ids, mut rep_of, mut reps, mut codes, mut secrets) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for p in reports {
            p.check()?;
            if let Some((key, sealed)) = &p.inline {
                k.push(key, sealed);
            }
            x.push(&p.exhibit);
            r.push(&p.report);
            let me = p.exhibit.reference.to_string();
            for id in &p.identifiers {
                id_of.push(me.clone());
                ids.push(id.as_str());
            }
            for rep in &p.reporters {
                rep_of.push(me.clone());
                reps.push(rep.as_str());
            }
            codes.push(p.receipt_code.as_str());
            secrets.push(p.receipt_secret_hash.as_str());
        }
        let row = self.db().query_one(
            INSERT_PUBLIC_REPORTS,
            &[
                &k.sha256,
                &k.slot,
                &k.master,
                &k.nonce,
                &k.wrapped,
                &k.sealed,
                &x.reference,
                &x.initials,
                &x.number,
                &x.case_id,
                &x.sha256,
                &x.md5,
                &x.sha1,
                &x.blake3,
                &x.size,
                &x.original_name,
                &x.note,
                &x.received_event,
                &x.received_ms,
                &r.immediate,
                &r.score,
                &r.factors,
                &r.grade,
                &r.graded_by,
                &r.graded_ms,
                &r.kind,
                &id_of,
                &ids,
                &rep_of,
                &reps,
                &codes,
                &secrets,
                &r.received_ms,
            ],
        )?;
        let keys: i64 = row.try_get(0)?;
        match reports.iter().find_map(|p| p.inline.as_ref()) {
            Some((first, _)) => checked_keys(keys as u64, k.sha256.len(), first),
            None => Ok(()),
        }
    }

    fn insert_exhibit(&mut self, e: &ExhibitRow) -> Result<(), StoreError> {
        self.db().execute(
            "INSERT INTO exhibits (reference, initials, number, case_id, sha256, md5, sha1, blake3, size, original_name, note, received_event, received_ms, deleted_event)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, NULL)",
            &[
                &e.reference.to_string(),
                &e.reference.initials().as_str(),
                &(e.reference.number() as i32),
                &e.case_id.as_str(),
                &&e.sha256.0[..],
                &&e.md5.0[..],
                &&e.sha1.0[..],
                &&e.blake3.0[..],
                &i(e.size),
                &e.original_name,
                &e.note,
                &i(e.received_event),
                &e.received_ms,
            ],
        )?;
        Ok(())
    }

    fn mark_exhibit_deleted(&mut self, r: &ExhibitRef, event: u64) -> Result<(), StoreError> {
        self.db().execute(
            "UPDATE exhibits SET deleted_event = $1 WHERE reference = $2 AND deleted_event IS NULL",
            &[&i(event), &r.to_string()],
        )?;
        Ok(())
    }

    fn live_exhibits_with_blob(&mut self, sha: &Sha256Digest) -> Result<Vec<ExhibitRef>, StoreError> {
        self.db()
            .query("SELECT reference FROM exhibits WHERE sha256 = $1 AND deleted_event IS NULL", &[&&sha.0[..]])?
            .iter()
            .map(|r| {
                let s: String = r.try_get(0)?;
                ExhibitRef::parse(&s).map_err(|_| StoreError::Malformed("exhibit reference"))
            })
            .collect()
    }

    fn require_current_master_key(&mut self, id: &str) -> Result<(), StoreError> {
        // FOR SHARE: a rotation's UPDATE of this row waits until we commit,
        // and one already done makes the row fail the WHERE on re-check.
        let current = self
            .db()
            .query_opt("SELECT 1 FROM master_keys WHERE id = $1 AND retired_ms IS NULL FOR SHARE", &[&id])?
            .is_some();
        if current {
            Ok(())
        } else {
            Err(StoreError::RetiredMasterKey(id.to_owned()))
        }
    }

    fn insert_key(&mut self, k: &KeyRow) -> Result<(), StoreError> {
        let n = self.db().execute(
            INSERT_CHECKED_KEY,
            &[&&k.sha256.0[..], &&k.slot[..], &k.master_key_id, &&k.nonce[..], &k.wrapped],
        )?;
        checked_keys(n, 1, k)
    }

    fn all_keys(&mut self) -> Result<Vec<KeyRow>, StoreError> {
        self.db()
            .query("SELECT sha256, slot, master_key_id, nonce, wrapped FROM blob_keys FOR UPDATE", &[])?
            .iter()
            .map(to_key)
            .collect()
    }

    fn replace_key(&mut self, k: &KeyRow) -> Result<(), StoreError> {
        self.db().execute(
            "UPDATE blob_keys SET master_key_id = $1, nonce = $2, wrapped = $3 WHERE sha256 = $4 AND slot = $5",
            &[&k.master_key_id, &&k.nonce[..], &k.wrapped, &&k.sha256.0[..], &&k.slot[..]],
        )?;
        Ok(())
    }

    fn insert_timeline_pages(&mut self, timeline: &ExhibitRef, sealed: &[u8]) -> Result<(), StoreError> {
        self.db().execute(
            "INSERT INTO timeline_pages (timeline, sealed) VALUES ($1, $2)",
            &[&timeline.to_string(), &sealed],
        )?;
        Ok(())
    }

    fn delete_timeline_pages(&mut self, timeline: &ExhibitRef) -> Result<(), StoreError> {
        self.db().execute("DELETE FROM timeline_pages WHERE timeline = $1", &[&timeline.to_string()])?;
        Ok(())
    }

    fn sealed_timeline_pages(&mut self) -> Result<Vec<(ExhibitRef, Sha256Digest, Vec<u8>)>, StoreError> {
        self.db()
            .query(
                "SELECT p.timeline, e.sha256, p.sealed FROM timeline_pages p \
                 JOIN exhibits e ON e.reference = p.timeline ORDER BY p.timeline FOR UPDATE OF p",
                &[],
            )?
            .iter()
            .map(|r| {
                let t: String = r.try_get(0)?;
                Ok((exref(&t)?, Sha256Digest(fixed(r.try_get(1)?, "SHA-256")?), r.try_get(2)?))
            })
            .collect()
    }

    fn reseal_timeline_pages(&mut self, timeline: &ExhibitRef, sealed: &[u8]) -> Result<(), StoreError> {
        self.db()
            .execute("UPDATE timeline_pages SET sealed = $1 WHERE timeline = $2", &[&sealed, &timeline.to_string()])?;
        Ok(())
    }

    fn insert_inline_blob(&mut self, k: &KeyRow, sealed: &[u8]) -> Result<(), StoreError> {
        // The key (checked against the current master key, as insert_key)
        // and the bytes in one round trip: units wait on each other's.
        let row = self.db().query_one(
            &format!(
                "WITH k AS ({INSERT_CHECKED_KEY} RETURNING 1), \
                 b AS (INSERT INTO inline_blobs (sha256, sealed) SELECT $1, $6 WHERE EXISTS (SELECT 1 FROM k) \
                   ON CONFLICT DO NOTHING RETURNING 1) \
                 SELECT (SELECT COUNT(*) FROM k)"
            ) as &str,
            &[&&k.sha256.0[..], &&k.slot[..], &k.master_key_id, &&k.nonce[..], &k.wrapped, &sealed],
        )?;
        let keys: i64 = row.try_get(0)?;
        checked_keys(keys as u64, 1, k)
    }

    fn delete_keys(&mut self, sha: &Sha256Digest) -> Result<u64, StoreError> {
        self.db().execute("DELETE FROM inline_blobs WHERE sha256 = $1", &[&&sha.0[..]])?;
        Ok(self.db().execute("DELETE FROM blob_keys WHERE sha256 = $1", &[&&sha.0[..]])?)
    }

    fn delete_key(&mut self, sha: &Sha256Digest, slot: &[u8; 16]) -> Result<(), StoreError> {
        self.db().execute("DELETE FROM blob_keys WHERE sha256 = $1 AND slot = $2", &[&&sha.0[..], &&slot[..]])?;
        Ok(())
    }

    fn has_key(&mut self, sha: &Sha256Digest) -> Result<bool, StoreError> {
        Ok(self.db().query_opt("SELECT 1 FROM blob_keys WHERE sha256 = $1 LIMIT 1", &[&&sha.0[..]])?.is_some())
    }

    fn insert_master_key(&mut self, id: &str, created_ms: i64) -> Result<(), StoreError> {
        self.db().execute("INSERT INTO master_keys (id, created_ms) VALUES ($1, $2)", &[&id, &created_ms])?;
        Ok(())
    }

    fn retire_master_key(&mut self, id: &str, retired_ms: i64) -> Result<(), StoreError> {
        self.db().execute("UPDATE master_keys SET retired_ms = $1 WHERE id = $2", &[&retired_ms, &id])?;
        Ok(())
    }

    fn insert_review_item(&mut self, r: &ReviewItemRow) -> Result<(), StoreError> {
        if self.write_review_item(REVIEW_ITEM_INSERT, r)? == 0 {
            return Err(StoreError::Duplicate(format!("review item {} of case {}", r.item, r.case_id)));
        }
        Ok(())
    }

    fn put_review_item(&mut self, r: &ReviewItemRow) -> Result<(), StoreError> {
        self.write_review_item(REVIEW_ITEM_PUT, r).map(|_| ())
    }

    fn add_exposure(&mut self, username: &str, day: &str, items: u64, ms: u64) -> Result<(), StoreError> {
        self.db().execute(
            "INSERT INTO review_exposure (username, day, items, ms) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (username, day) DO UPDATE SET items = review_exposure.items + excluded.items, ms = review_exposure.ms + excluded.ms",
            &[&username, &day, &(items as i64), &(ms as i64)],
        )?;
        Ok(())
    }

    fn set_review_settings(&mut self, r: &ReviewSettingsRow) -> Result<(), StoreError> {
        self.db().execute(
            "INSERT INTO review_settings (username, blur, grey, ceiling) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (username) DO UPDATE SET blur = excluded.blur, grey = excluded.grey, ceiling = excluded.ceiling",
            &[&r.username, &(r.blur as i64), &(r.grey as i64), &(r.ceiling as i64)],
        )?;
        Ok(())
    }

    fn retention_row(&mut self, subject: &str) -> Result<Option<RetentionRow>, StoreError> {
        self.db()
            .query_opt(&format!("SELECT {RETENTION_COLUMNS} FROM retention WHERE subject = $1"), &[&subject])?
            .as_ref()
            .map(retention_row)
            .transpose()
    }

    fn put_retention(&mut self, r: &RetentionRow) -> Result<(), StoreError> {
        self.db().execute(
            "INSERT INTO retention (subject, hold, court_result, decision, retained_until_ms, disposed_event) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (subject) DO UPDATE SET hold = excluded.hold, \
             court_result = excluded.court_result, decision = excluded.decision, \
             retained_until_ms = excluded.retained_until_ms, disposed_event = excluded.disposed_event",
            &[
                &r.subject,
                &r.hold,
                &r.court_result,
                &r.decision,
                &r.retained_until_ms,
                &r.disposed_event.map(|e| e as i64),
            ],
        )?;
        Ok(())
    }

    fn insert_scan_job(
        &mut self,
        id: &str,
        options: &str,
        created_ms: i64,
        batches: &[String],
    ) -> Result<(), StoreError> {
        let mut db = self.db();
        db.execute(
            "INSERT INTO scan_jobs (id, options, batches, created_ms) VALUES ($1, $2, $3, $4)",
            &[&id, &options, &(batches.len() as i64), &created_ms],
        )?;
        let numbers: Vec<i64> = (0..batches.len() as i64).collect();
        db.execute(
            "INSERT INTO scan_batches (job, batch, entries, state) \
             SELECT $1, b, e, 'queued' FROM UNNEST($2::BIGINT[], $3::TEXT[]) AS t (b, e)",
            &[&id, &numbers, &batches],
        )?;
        Ok(())
    }

    fn claim_scan_batch(
        &mut self,
        lease: &str,
        now_ms: i64,
        until_ms: i64,
    ) -> Result<Option<ScanBatchRow>, StoreError> {
        // SKIP LOCKED: a batch another worker is taking right now is passed
        // over, so any number of workers take different batches at once.
        let row = self.db().query_opt(
            "UPDATE scan_batches s SET state = 'leased', lease = $1, lease_until_ms = $3, attempts = s.attempts + 1 \
             FROM (SELECT job, batch FROM scan_batches \
                   WHERE state = 'queued' OR (state = 'leased' AND lease_until_ms < $2) \
                   ORDER BY job, batch LIMIT 1 FOR UPDATE SKIP LOCKED) pick, scan_jobs j \
             WHERE s.job = pick.job AND s.batch = pick.batch AND j.id = s.job \
             RETURNING s.job, s.batch, s.entries, j.options, s.attempts",
            &[&lease, &now_ms, &until_ms],
        )?;
        row.map(|r| Ok(ScanBatchRow::new(r.try_get(0)?, r.try_get(1)?, r.try_get(3)?, r.try_get(2)?, r.try_get(4)?)))
            .transpose()
    }

    fn renew_scan_lease(&mut self, job: &str, batch: u64, lease: &str, until_ms: i64) -> Result<bool, StoreError> {
        let n = self.db().execute(
            "UPDATE scan_batches SET lease_until_ms = $4 WHERE job = $1 AND batch = $2 AND lease = $3 AND state = 'leased'",
            &[&job, &(batch as i64), &lease, &until_ms],
        )?;
        Ok(n == 1)
    }

    fn finish_scan_batch(&mut self, job: &str, batch: u64, lease: &str, results: &str) -> Result<bool, StoreError> {
        let n = self.db().execute(
            "UPDATE scan_batches SET state = 'done', results = $4, lease_until_ms = NULL \
             WHERE job = $1 AND batch = $2 AND lease = $3 AND state = 'leased'",
            &[&job, &(batch as i64), &lease, &results],
        )?;
        Ok(n == 1)
    }

    fn delete_scan_job(&mut self, job: &str) -> Result<(), StoreError> {
        let mut db = self.db();
        db.execute("DELETE FROM scan_batches WHERE job = $1", &[&job])?;
        db.execute("DELETE FROM scan_jobs WHERE id = $1", &[&job])?;
        Ok(())
    }

    fn commit(self: Box<Self>) -> Result<(), StoreError> {
        self.tx.commit()?;
        Ok(())
    }

    fn commit_synced(mut self: Box<Self>) -> Result<bool, StoreError> {
        // Only this transaction's commit waits for the WAL flush (the
        // session's own setting is off, for the group flush); the setting
        // and the COMMIT go in one round trip, within the transaction.
        self.tx.batch_execute("SET LOCAL synchronous_commit = on; COMMIT")?;
        // Committed: the client's handle must not roll back as it drops
        // (it would send a ROLLBACK with nothing to roll back). On an
        // error above it was dropped as usual, rolling back.
        let PgTx { tx, .. } = *self;
        std::mem::forget(tx);
        Ok(true)
    }
}

fn to_chat_timeline(r: &postgres::Row) -> Result<ChatTimelineRow, StoreError> {
    let bad = |_| StoreError::Malformed("chat timeline row");
    let (t, o, c): (String, String, String) = (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
    let (m, n): (i64, i64) = (r.try_get(4)?, r.try_get(5)?);
    Ok(ChatTimelineRow {
        timeline: ExhibitRef::parse(&t).map_err(bad)?,
        original: ExhibitRef::parse(&o).map_err(bad)?,
        case_id: CaseId::parse(&c).map_err(bad)?,
        format: r.try_get(3)?,
        messages: m as u64,
        conversations: n as u64,
    })
}

fn to_exhibit_identifier(r: &postgres::Row) -> Result<ExhibitIdentifierRow, StoreError> {
    let exhibit: String = r.try_get(0)?;
    let occurrences: i64 = r.try_get(3)?;
    Ok(ExhibitIdentifierRow {
        exhibit: ExhibitRef::parse(&exhibit).map_err(|_| StoreError::Malformed("exhibit reference"))?,
        identifier: r.try_get(1)?,
        source: r.try_get(2)?,
        occurrences: occurrences as u64,
    })
}

/// A case's exhibits and reports, counted: the stamp a check on them is made against.
const CASE_EXHIBIT_COUNT: &str = "SELECT ((SELECT COUNT(*) FROM exhibits WHERE case_id = $1) \
     + (SELECT COUNT(*) FROM case_reports WHERE case_id = $1))::BIGINT";

const REVIEW_ITEM_INSERT: &str = "INSERT INTO review_items (case_id, item, kind, sha256, paths, pdq, quality, detail, stack, distance, category, method, source, decided_by, decided_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) ON CONFLICT (case_id, item) DO NOTHING";
const REVIEW_ITEM_PUT: &str = "INSERT INTO review_items (case_id, item, kind, sha256, paths, pdq, quality, detail, stack, distance, category, method, source, decided_by, decided_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) ON CONFLICT (case_id, item) DO UPDATE SET kind = excluded.kind, sha256 = excluded.sha256, paths = excluded.paths, pdq = excluded.pdq, quality = excluded.quality, detail = excluded.detail, stack = excluded.stack, distance = excluded.distance, category = excluded.category, method = excluded.method, source = excluded.source, decided_by = excluded.decided_by, decided_ms = excluded.decided_ms";

fn to_review_item(r: &postgres::Row) -> Result<ReviewItemRow, StoreError> {
    let case: String = r.try_get(0)?;
    let opt_u32 =
        |i: usize| -> Result<Option<u32>, StoreError> { Ok(r.try_get::<_, Option<i64>>(i)?.map(|v| v as u32)) };
    Ok(ReviewItemRow {
        case_id: CaseId::parse(&case).map_err(|_| StoreError::Malformed("review item row"))?,
        item: r.try_get::<_, i64>(1)? as u64,
        kind: r.try_get(2)?,
        sha256: r.try_get(3)?,
        paths: r.try_get(4)?,
        pdq: r.try_get(5)?,
        quality: opt_u32(6)?,
        detail: r.try_get(7)?,
        stack: r.try_get::<_, i64>(8)? as u64,
        distance: opt_u32(9)?,
        category: r.try_get(10)?,
        method: r.try_get(11)?,
        source: r.try_get(12)?,
        decided_by: r.try_get(13)?,
        decided_ms: r.try_get(14)?,
    })
}

const RETENTION_COLUMNS: &str = "subject, hold, court_result, decision, retained_until_ms, disposed_event";

/// A blob key's insert with the master key's check in the same round trip
/// (parameters: sha256, slot, master key ID, nonce, wrapped key). FOR SHARE
/// as in `require_current_master_key`: a rotation waits for this commit,
/// and one already done makes the check fail, so nothing is inserted.
const INSERT_CHECKED_KEY: &str = "INSERT INTO blob_keys (sha256, slot, master_key_id, nonce, wrapped) \
     SELECT $1, $2, $3, $4, $5 \
     WHERE EXISTS (SELECT 1 FROM master_keys WHERE id = $3 AND retired_ms IS NULL FOR SHARE)";

/// Public reports' rows, a column an array (see `insert_public_reports`):
/// keys are inserted only under a current master key, and a blob's bytes
/// only with its key; the caller checks how many keys went in.
const INSERT_PUBLIC_REPORTS: &str = "\
WITH k AS (INSERT INTO blob_keys (sha256, slot, master_key_id, nonce, wrapped) \
    SELECT u.sha256, u.slot, u.mk, u.nonce, u.wrapped \
    FROM UNNEST($1::BYTEA[], $2::BYTEA[], $3::TEXT[], $4::BYTEA[], $5::BYTEA[]) AS u(sha256, slot, mk, nonce, wrapped) \
    WHERE EXISTS (SELECT 1 FROM master_keys m WHERE m.id = u.mk AND m.retired_ms IS NULL FOR SHARE) \
    RETURNING sha256), \
 b AS (INSERT INTO inline_blobs (sha256, sealed) \
    SELECT u.sha256, u.sealed FROM UNNEST($1::BYTEA[], $6::BYTEA[]) AS u(sha256, sealed) \
    WHERE u.sha256 IN (SELECT sha256 FROM k) ON CONFLICT DO NOTHING), \
 x AS (INSERT INTO exhibits (reference, initials, number, case_id, sha256, md5, sha1, blake3, size, original_name, note, received_event, received_ms) \
    SELECT * FROM UNNEST($7::TEXT[], $8::TEXT[], $9::INT[], $10::TEXT[], $11::BYTEA[], $12::BYTEA[], $13::BYTEA[], $14::BYTEA[], \
      $15::BIGINT[], $16::TEXT[], $17::TEXT[], $18::BIGINT[], $19::BIGINT[])), \
 r AS (INSERT INTO reports (exhibit, received_ms, immediate, score, factors, grade, graded_by, graded_ms, kind) \
    SELECT * FROM UNNEST($7::TEXT[], $33::BIGINT[], $20::BOOLEAN[], $21::INT[], $22::TEXT[], $23::TEXT[], $24::TEXT[], $25::BIGINT[], $26::TEXT[])), \
 i AS (INSERT INTO report_identifiers (exhibit, identifier) SELECT * FROM UNNEST($27::TEXT[], $28::TEXT[]) ON CONFLICT DO NOTHING), \
 p AS (INSERT INTO report_reporters (exhibit, reporter) SELECT * FROM UNNEST($29::TEXT[], $30::TEXT[]) ON CONFLICT DO NOTHING), \
 c AS (INSERT INTO report_receipts (code, exhibit, secret_hash, created_ms) SELECT * FROM UNNEST($31::TEXT[], $7::TEXT[], $32::TEXT[], $33::BIGINT[])) \
SELECT COUNT(*) FROM k";

#[derive(Default)]
struct KeyColumns<'a> {
    sha256: Vec<&'a [u8]>,
    slot: Vec<&'a [u8]>,
    master: Vec<&'a str>,
    nonce: Vec<&'a [u8]>,
    wrapped: Vec<&'a [u8]>,
    sealed: Vec<&'a [u8]>,
}

impl<'a> KeyColumns<'a> {
    fn push(&mut self, k: &'a KeyRow, sealed: &'a [u8]) {
        self.sha256.push(&k.sha256.0);
        self.slot.push(&k.slot);
        self.master.push(&k.master_key_id);
        self.nonce.push(&k.nonce);
        self.wrapped.push(&k.wrapped);
        self.sealed.push(sealed);
    }
}

#[derive(Default)]
struct ExhibitColumns<'a> {
    reference: Vec<String>,
    initials: Vec<&'a str>,
    number: Vec<i32>,
    case_id: Vec<&'a str>,
    sha256: Vec<&'a [u8]>,
    md5: Vec<&'a [u8]>,
    sha1: Vec<&'a [u8]>,
    blake3: Vec<&'a [u8]>,
    size: Vec<i64>,
    original_name: Vec<Option<&'a str>>,
    note: Vec<Option<&'a str>>,
    received_event: Vec<i64>,
    received_ms: Vec<i64>,
}

impl<'a> ExhibitColumns<'a> {
    fn push(&mut self, e: &'a ExhibitRow) {
        self.reference.push(e.reference.to_string());
        self.initials.push(e.reference.initials().as_str());
        self.number.push(e.reference.number() as i32);
        self.case_id.push(e.case_id.as_str());
        self.sha256.push(&e.sha256.0);
        self.md5.push(&e.md5.0);
        self.sha1.push(&e.sha1.0);
        self.blake3.push(&e.blake3.0);
        self.size.push(i(e.size));
        self.original_name.push(e.original_name.as_deref());
        self.note.push(e.note.as_deref());
        self.received_event.push(i(e.received_event));
        self.received_ms.push(e.received_ms);
    }
}

#[derive(Default)]
struct ReportColumns<'a> {
    received_ms: Vec<i64>,
    immediate: Vec<bool>,
    score: Vec<i32>,
    factors: Vec<&'a str>,
    grade: Vec<Option<&'a str>>,
    graded_by: Vec<Option<&'a str>>,
    graded_ms: Vec<Option<i64>>,
    kind: Vec<Option<&'a str>>,
}

impl<'a> ReportColumns<'a> {
    fn push(&mut self, r: &'a ReportRow) {
        self.received_ms.push(r.received_ms);
        self.immediate.push(r.immediate);
        self.score.push(r.score as i32);
        self.factors.push(&r.factors);
        self.grade.push(r.grade.as_deref());
        self.graded_by.push(r.graded_by.as_deref());
        self.graded_ms.push(r.graded_ms);
        self.kind.push(r.kind.as_deref());
    }
}

/// How many reports hold each identifier, in the order given.
fn holding_each<C: GenericClient>(db: &mut Db<'_, C>, identifiers: &[String]) -> Result<Vec<u64>, StoreError> {
    // Asked for every public report, while the table grows from empty in a
    // new service: planned for its values each time, not by a plan cached
    // when the table was small. A row a report and identifier (the key),
    // so rows are reports.
    // One count an identifier, each by the index on its own: asked for
    // them all at once (`= ANY`), the planner, with no statistics yet for a
    // new table, read the whole table for most units.
    let rows = db.query_planned(
        "SELECT (SELECT count(*) FROM report_identifiers r WHERE r.identifier = a.id) \
         FROM unnest($1::TEXT[]) WITH ORDINALITY AS a(id, k) ORDER BY a.k",
        &[(&identifiers, postgres::types::Type::TEXT_ARRAY)],
    )?;
    if rows.len() != identifiers.len() {
        return Err(StoreError::Malformed("report counts"));
    }
    rows.iter().map(|r| u(r.try_get(0)?, "report count")).collect()
}

/// Counts requests in one statement (see [`COUNT_REQUESTS`]), on its own
/// or in a unit of work.
fn count_rows<C: GenericClient>(db: &mut Db<'_, C>, counts: &[RateCount]) -> Result<Vec<(i64, i64)>, StoreError> {
    let rows = crate::rate_count::increments(counts);
    let limiters: Vec<&str> = rows.iter().map(|((l, _, _), _)| l.as_str()).collect();
    let starts: Vec<i64> = rows.iter().map(|((_, w, _), _)| *w).collect();
    let clients: Vec<&[u8]> = rows.iter().map(|((_, _, c), _)| c.as_slice()).collect();
    let adds: Vec<i64> = rows.iter().map(|(_, n)| *n).collect();
    let totals = db
        .query(COUNT_REQUESTS, &[&limiters, &starts, &clients, &adds])?
        .iter()
        .map(|r| Ok(((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?), r.try_get(3)?)))
        .collect::<Result<_, StoreError>>()?;
    crate::rate_count::answers(counts, &totals).ok_or(StoreError::Malformed("rate count"))
}

/// Spends nonces in one statement (see [`SPEND_FORM_TOKENS`]), on its own
/// or in a unit of work.
fn spend_tokens<C: GenericClient>(
    db: &mut Db<'_, C>,
    spends: &[SpentTokenRow],
    now: i64,
) -> Result<Vec<bool>, StoreError> {
    // Each nonce once (a second of the same in the batch is a replay) and
    // in order, so two nodes' batches lock rows in the same order.
    let mut unique: Vec<&SpentTokenRow> = Vec::with_capacity(spends.len());
    for s in spends {
        if !unique.iter().any(|u| u.nonce == s.nonce) {
            unique.push(s);
        }
    }
    unique.sort_by(|a, b| a.nonce.cmp(&b.nonce));
    let nonces: Vec<&str> = unique.iter().map(|s| s.nonce.as_str()).collect();
    let expiries: Vec<i64> = unique.iter().map(|s| s.expires_at).collect();
    let mut spent: std::collections::HashSet<String> = db
        .query(SPEND_FORM_TOKENS, &[&nonces, &expiries, &now])?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
    // The first of equal nonces takes the spend; any later one finds it gone.
    Ok(spends.iter().map(|s| spent.remove(&s.nonce)).collect())
}

/// What `INSERT_CHECKED_KEY` (or `INSERT_PUBLIC_REPORTS`) inserting `n` of
/// the `wanted` keys means (`k` is one of them): all, or the master key
/// they were wrapped under is retired.
fn checked_keys(n: u64, wanted: usize, k: &KeyRow) -> Result<(), StoreError> {
    if n == wanted as u64 {
        Ok(())
    } else {
        Err(StoreError::RetiredMasterKey(k.master_key_id.clone()))
    }
}

fn retention_row(r: &postgres::Row) -> Result<RetentionRow, StoreError> {
    Ok(RetentionRow {
        subject: r.try_get(0)?,
        hold: r.try_get(1)?,
        court_result: r.try_get(2)?,
        decision: r.try_get(3)?,
        retained_until_ms: r.try_get(4)?,
        disposed_event: r.try_get::<_, Option<i64>>(5)?.map(|e| e as u64),
    })
}
