//! Which tables are projections of the custody log, and how the store
//! captures what a unit of work does to them.
//!
//! Every table either carries meaning (a projection: each of its rows was
//! left by a unit of work whose custody event records the row, so `vigil
//! verify` can rebuild the table from the log and compare) or is
//! operational, for a reason written beside it. A test lists the schema's
//! tables and fails on any that is in neither list.
//!
//! Capture is by trigger, so no write path can forget it: every insert,
//! update and delete on a projected table adds the row, before and after,
//! as JSON to `projection_changes` (on SQLite a TEMP table and TEMP
//! triggers of each writing connection, kept out of the database file;
//! on PostgreSQL a table keyed by transaction); the unit of work takes them out (see
//! [`crate::StoreTx::take_projection_changes`]) into its last custody event
//! before it commits. The same JSON rendering reads the tables back for
//! `verify` ([`crate::Store::projection_rows`]), so both sides agree byte for
//! byte on each backend.

use vigil_domain::RowImage;

/// A table the log projects: its key columns, and the columns written
/// outside any unit of work (operational counters on a meaningful row),
/// which its images leave out.
#[derive(Debug, Clone, Copy)]
pub struct Projected {
    pub table: &'static str,
    pub key: &'static [&'static str],
    pub unlogged: &'static [&'static str],
}

const fn p(table: &'static str, key: &'static [&'static str]) -> Projected {
    Projected { table, key, unlogged: &[] }
}

pub const PROJECTED: &[Projected] = &[
    p("exhibits", &["reference"]),
    p("reports", &["exhibit"]),
    p("report_identifiers", &["exhibit", "identifier"]),
    p("report_reporters", &["exhibit", "reporter"]),
    p("report_files", &["report", "idx"]),
    p("report_links", &["a", "b"]),
    p("report_receipts", &["code"]),
    p("report_additions", &["addition"]),
    p("cases", &["id"]),
    p("case_members", &["case_id", "username"]),
    p("case_reports", &["case_id", "exhibit"]),
    p("case_records", &["id"]),
    // A sign-in's failure count and last TOTP step change with every
    // attempt and are no evidence; role, password, seed and lock are.
    Projected { table: "users", key: &["username"], unlogged: &["failed", "last_totp_step"] },
    p("partners", &["id"]),
    p("chat_timelines", &["timeline"]),
    p("exhibit_identifiers", &["exhibit", "identifier"]),
    p("master_keys", &["id"]),
    p("review_items", &["case_id", "item"]),
    p("retention", &["subject"]),
];

/// Tables that are not projections, and why each is not.
pub const OPERATIONAL: &[(&str, &str)] = &[
    ("events", "the log itself: verify recomputes every leaf hash, the tree and each signed head"),
    ("tree_heads", "the log's signed heads: verify checks each signature and root"),
    ("log_state", "the sequencer's size and frontier: verify recomputes both from the events"),
    ("meta", "settings: the schema's own and the log's public key, which verify checks against the key files"),
    ("schema_migrations", "which migrations ran, for the store's own upgrade"),
    ("sessions", "signed-in sessions, stored as hashes; they end by expiry or sign-out and are no evidence"),
    ("idempotency", "a partner's first answer to a request, replayed on retry; the referral itself is projected"),
    ("exhibit_counters", "each producer's last exhibit number: verify recomputes it from the exhibits"),
    ("report_state_counts", "reports per state, kept by triggers for the queue: verify recounts them from reports"),
    (
        "blob_keys",
        "wrapped keys: verify opens every blob with them and re-hashes it, so an altered or missing key is \
         named by the blob it no longer opens; a key left by a write cut short opens nothing any exhibit names",
    ),
    ("inline_blobs", "small sealed blobs: verify opens and re-hashes each against its exhibit's received event"),
    (
        "review_exposure",
        "how many items each officer revealed and for how long, per day, for their welfare; each reveal \
         itself is an `accessed` event",
    ),
    ("review_settings", "each officer's blur, greyscale and daily ceiling for reviewing images: preferences"),
    (
        "timeline_pages",
        "where pages of a chat timeline start, sealed: derived from the timeline as it was written, so one \
         page is read without the rest; a missing or unreadable one means the whole timeline is read",
    ),
    (
        "spent_form_tokens",
        "nonces of single-use form tokens already redeemed, on any node, each kept until its token expires: \
         replay protection, no evidence",
    ),
    (
        "rate_windows",
        "each rate limit's current window and the random salt its clients' addresses are hashed under, \
         dropped with the window so no count can be tied back to an address: no evidence",
    ),
    ("rate_counts", "requests per salted client hash in the current window of each rate limit: no evidence"),
    (
        "scan_jobs",
        "distributed scans in progress (`vigil scan --distributed`): options and batch count; gone once the \
         report is gathered, which is what becomes evidence",
    ),
    (
        "scan_batches",
        "a distributed scan's entries in batches, each queued, leased to one worker until a time, or done \
         with its records: work in progress, no evidence",
    ),
    (
        "case_terms",
        "the search index of case titles and persons' names, kept by triggers from cases and case_records \
         (projected); search only finds candidates in it, then checks who may see them",
    ),
    ("case_terms_data", "SQLite FTS5's own storage for case_terms"),
    ("case_terms_idx", "SQLite FTS5's own storage for case_terms"),
    ("case_terms_content", "SQLite FTS5's own storage for case_terms"),
    ("case_terms_docsize", "SQLite FTS5's own storage for case_terms"),
    ("case_terms_config", "SQLite FTS5's own storage for case_terms"),
    ("projection_changes", "rows a unit of work changed, taken into its custody event before it commits"),
    ("sqlite_sequence", "SQLite's own counters for AUTOINCREMENT keys"),
];

pub fn projected(table: &str) -> Option<&'static Projected> {
    PROJECTED.iter().find(|p| p.table == table)
}

/// One captured change: the row before (absent for an insert) and after
/// (absent for a delete), as the store renders rows to JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectionChange {
    pub table: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// Why a captured row could not be read.
#[derive(Debug, thiserror::Error)]
#[error("table {table}: a captured row cannot be read: {why}")]
pub struct ImageError {
    pub table: String,
    pub why: String,
}

/// A row's key, in words, its image, and the row itself as read (for
/// whatever else a caller counts from it, without reading it again).
pub struct Imaged {
    pub key_text: String,
    pub image: RowImage,
    pub row: serde_json::Map<String, serde_json::Value>,
}

/// The image of one row, rendered as JSON by the store.
pub fn image_of(table: &str, row_json: &str) -> Result<Imaged, ImageError> {
    let err = |why: String| ImageError { table: table.to_owned(), why };
    let spec = projected(table).ok_or_else(|| err("the table is not projected".into()))?;
    let row: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(row_json).map_err(|e| err(e.to_string()))?;
    let mut key_texts = Vec::with_capacity(spec.key.len());
    for k in spec.key {
        let v = row.get(*k).ok_or_else(|| err(format!("it has no key column {k}")))?;
        key_texts.push(serde_json::to_string(v).expect("a JSON value prints"));
    }
    let key_refs: Vec<&str> = key_texts.iter().map(String::as_str).collect();
    let k = RowImage::key_digest(table, &key_refs);
    let c = row
        .iter()
        .filter(|(name, _)| !spec.unlogged.contains(&name.as_str()))
        .map(|(name, v)| {
            let text = serde_json::to_string(v).expect("a JSON value prints");
            (name.clone(), RowImage::column_digest(table, name, &text))
        })
        .collect();
    let key_text = spec
        .key
        .iter()
        .zip(&key_texts)
        .map(|(name, v)| format!("{name}={}", v.trim_matches('"')))
        .collect::<Vec<_>>()
        .join(", ");
    Ok(Imaged { key_text, image: RowImage { t: table.to_owned(), k, c, gone: false }, row })
}

/// The images a unit's captured changes leave, last change of each row
/// last; changes that touch only a table's unlogged columns leave none.
pub fn images_of(changes: &[ProjectionChange]) -> Result<Vec<RowImage>, ImageError> {
    let mut out = Vec::with_capacity(changes.len());
    for ch in changes {
        match (&ch.old, &ch.new) {
            (_, Some(new)) => {
                let after = image_of(&ch.table, new)?.image;
                if let Some(old) = &ch.old {
                    let before = image_of(&ch.table, old)?.image;
                    if before == after {
                        continue;
                    }
                    if before.k != after.k {
                        // A key changed in place: the old row is gone.
                        out.push(RowImage { c: Default::default(), gone: true, ..before });
                    }
                }
                out.push(after);
            }
            (Some(old), None) => {
                let before = image_of(&ch.table, old)?.image;
                out.push(RowImage { c: Default::default(), gone: true, ..before });
            }
            (None, None) => {}
        }
    }
    Ok(out)
}

/// SQLite: the JSON a row renders to, for triggers (`NEW`/`OLD`) and for
/// reading a table back (`t`). BLOBs as lower-case hex.
pub(crate) fn sqlite_row_json(columns: &[(String, String)], alias: &str) -> String {
    let parts: Vec<String> = columns
        .iter()
        .map(|(name, ty)| {
            let value = if ty.to_ascii_uppercase().contains("BLOB") {
                format!("lower(hex({alias}.\"{name}\"))")
            } else {
                format!("{alias}.\"{name}\"")
            };
            format!("'{name}', {value}")
        })
        .collect();
    format!("json_object({})", parts.join(", "))
}

/// SQLite: the capture triggers of one table. They are TEMP triggers of
/// the writing connection, filling a TEMP table in memory: what a unit
/// captures never reaches the database file or its journal (a page written
/// and fsynced at every commit for rows deleted before it), and only
/// Vigil's own writes are captured, which is all an event needs; a change
/// made by hand is found by `verify`'s rebuild, not by capture.
pub(crate) fn sqlite_triggers(table: &str, columns: &[(String, String)]) -> Vec<(String, String)> {
    let new = sqlite_row_json(columns, "NEW");
    let old = sqlite_row_json(columns, "OLD");
    let ins = |old: &str, new: &str| {
        format!("INSERT INTO projection_changes (tbl, old_row, new_row) VALUES ('{table}', {old}, {new});")
    };
    let trigger = |suffix: &str, op: &str, body: String| {
        let name = format!("vigil_capture_{table}_{suffix}");
        let sql = format!("CREATE TEMP TRIGGER {name} AFTER {op} ON main.{table} BEGIN {body} END");
        (name, sql)
    };
    vec![
        trigger("i", "INSERT", ins("NULL", &new)),
        trigger("u", "UPDATE", ins(&old, &new)),
        trigger("d", "DELETE", ins(&old, "NULL")),
    ]
}

/// PostgreSQL: two functions for every projected table, and two triggers
/// each (see `PostgresStore::migrate`): updates and deletes row by row,
/// with the row before and after; inserts once a statement, from the
/// statement's table of inserted rows, so a statement writing many rows
/// (a unit of many public reports) makes one call, not one a row. Rows
/// are captured in the order the statements ran, and within a statement
/// in the order they were inserted.
pub(crate) const POSTGRES_CAPTURE: &str = r#"
CREATE TABLE IF NOT EXISTS projection_changes (
  seq BIGSERIAL PRIMARY KEY, xid BIGINT NOT NULL DEFAULT txid_current(), tbl TEXT NOT NULL, old_row TEXT, new_row TEXT);
CREATE OR REPLACE FUNCTION vigil_capture() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO projection_changes (tbl, old_row, new_row) VALUES (
    TG_TABLE_NAME,
    CASE WHEN TG_OP IN ('UPDATE', 'DELETE') THEN to_jsonb(OLD)::text END,
    CASE WHEN TG_OP IN ('INSERT', 'UPDATE') THEN to_jsonb(NEW)::text END);
  RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION vigil_capture_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO projection_changes (tbl, old_row, new_row)
    SELECT TG_TABLE_NAME, NULL, to_jsonb(n)::text FROM vigil_inserted n;
  RETURN NULL;
END $$;
"#;

/// PostgreSQL: the names of each projected table's two capture triggers.
pub(crate) const POSTGRES_CAPTURE_TRIGGERS: [&str; 2] = ["vigil_capture", "vigil_capture_insert"];

/// PostgreSQL: each Vigil session's own capture table (see
/// `PostgresStore::connect`); each unit takes its rows out.
pub(crate) const POSTGRES_SESSION_CAPTURE: &str = "CREATE TEMP TABLE IF NOT EXISTS projection_changes \
  (seq BIGSERIAL, tbl TEXT NOT NULL, old_row TEXT, new_row TEXT)";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_table_is_both_projected_and_operational() {
        for p in PROJECTED {
            assert!(!OPERATIONAL.iter().any(|(t, _)| *t == p.table), "{}", p.table);
        }
    }

    #[test]
    fn images_name_the_row_and_leave_out_unlogged_columns() {
        let row = r#"{"username":"a.b","role":"supervisor","failed":3,"last_totp_step":9}"#;
        let i = image_of("users", row).unwrap();
        assert_eq!(i.key_text, "username=a.b");
        assert!(i.image.c.contains_key("role") && !i.image.c.contains_key("failed"));
        // A sign-in's counters alone leave nothing to log.
        let counted = r#"{"username":"a.b","role":"supervisor","failed":4,"last_totp_step":10}"#;
        let ch = ProjectionChange { table: "users".into(), old: Some(row.into()), new: Some(counted.into()) };
        assert!(images_of(&[ch]).unwrap().is_empty());
        let promoted = r#"{"username":"a.b","role":"auditor","failed":4,"last_totp_step":10}"#;
        let ch = ProjectionChange { table: "users".into(), old: Some(row.into()), new: Some(promoted.into()) };
        assert_eq!(images_of(&[ch]).unwrap().len(), 1);
        let gone = ProjectionChange { table: "users".into(), old: Some(row.into()), new: None };
        assert!(images_of(&[gone]).unwrap()[0].gone);
    }
}
