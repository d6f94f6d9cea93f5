//! Versioned schema migrations. Each has a SQLite and a PostgreSQL form of
//! the same schema; they are applied in order inside one transaction each,
//! and `schema_migrations` records which ran.

pub struct Migration {
    pub version: u32,
    pub name: &'static str,
    pub sqlite: &'static str,
    pub postgres: &'static str,
}

pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "custody log, exhibits and vault keys",
        sqlite: r#"
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE log_state (id INTEGER PRIMARY KEY CHECK (id = 1), size INTEGER NOT NULL, frontier BLOB NOT NULL);
INSERT INTO log_state (id, size, frontier) VALUES (1, 0, x'0000000000000000');
CREATE TABLE events (
  idx INTEGER PRIMARY KEY, leaf BLOB NOT NULL, leaf_hash BLOB NOT NULL,
  kind TEXT NOT NULL, object TEXT NOT NULL, actor TEXT NOT NULL, time_ms INTEGER NOT NULL);
CREATE INDEX events_object ON events (object, idx);
CREATE TABLE tree_heads (tree_size INTEGER PRIMARY KEY, root BLOB NOT NULL, timestamp_ms INTEGER NOT NULL, signature BLOB NOT NULL);
CREATE TRIGGER events_append_only_u BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'custody events are append-only'); END;
CREATE TRIGGER events_append_only_d BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'custody events are append-only'); END;
CREATE TRIGGER heads_append_only_u BEFORE UPDATE ON tree_heads BEGIN SELECT RAISE(ABORT, 'signed tree heads are append-only'); END;
CREATE TRIGGER heads_append_only_d BEFORE DELETE ON tree_heads BEGIN SELECT RAISE(ABORT, 'signed tree heads are append-only'); END;
CREATE TABLE exhibit_counters (initials TEXT PRIMARY KEY, last INTEGER NOT NULL);
CREATE TABLE exhibits (
  reference TEXT PRIMARY KEY, initials TEXT NOT NULL, number INTEGER NOT NULL, case_id TEXT NOT NULL,
  sha256 BLOB NOT NULL, md5 BLOB NOT NULL, sha1 BLOB NOT NULL, blake3 BLOB NOT NULL, size INTEGER NOT NULL,
  original_name TEXT, note TEXT, received_event INTEGER NOT NULL, received_ms INTEGER NOT NULL, deleted_event INTEGER,
  UNIQUE (initials, number));
CREATE INDEX exhibits_sha256 ON exhibits (sha256);
CREATE INDEX exhibits_case ON exhibits (case_id);
CREATE TABLE blob_keys (
  sha256 BLOB NOT NULL, slot BLOB NOT NULL, master_key_id TEXT NOT NULL, nonce BLOB NOT NULL, wrapped BLOB NOT NULL,
  PRIMARY KEY (sha256, slot));
CREATE TABLE master_keys (id TEXT PRIMARY KEY, created_ms INTEGER NOT NULL, retired_ms INTEGER);
"#,
        postgres: r#"
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE log_state (id INTEGER PRIMARY KEY CHECK (id = 1), size BIGINT NOT NULL, frontier BYTEA NOT NULL);
INSERT INTO log_state (id, size, frontier) VALUES (1, 0, '\x0000000000000000'::bytea);
CREATE TABLE events (
  idx BIGINT PRIMARY KEY, leaf BYTEA NOT NULL, leaf_hash BYTEA NOT NULL,
  kind TEXT NOT NULL, object TEXT NOT NULL, actor TEXT NOT NULL, time_ms BIGINT NOT NULL);
CREATE INDEX events_object ON events (object, idx);
CREATE TABLE tree_heads (tree_size BIGINT PRIMARY KEY, root BYTEA NOT NULL, timestamp_ms BIGINT NOT NULL, signature BYTEA NOT NULL);
CREATE FUNCTION vigil_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events FOR EACH ROW EXECUTE FUNCTION vigil_append_only();
CREATE TRIGGER heads_append_only BEFORE UPDATE OR DELETE ON tree_heads FOR EACH ROW EXECUTE FUNCTION vigil_append_only();
CREATE TABLE exhibit_counters (initials TEXT PRIMARY KEY, last INTEGER NOT NULL);
CREATE TABLE exhibits (
  reference TEXT PRIMARY KEY, initials TEXT NOT NULL, number INTEGER NOT NULL, case_id TEXT NOT NULL,
  sha256 BYTEA NOT NULL, md5 BYTEA NOT NULL, sha1 BYTEA NOT NULL, blake3 BYTEA NOT NULL, size BIGINT NOT NULL,
  original_name TEXT, note TEXT, received_event BIGINT NOT NULL, received_ms BIGINT NOT NULL, deleted_event BIGINT,
  UNIQUE (initials, number));
CREATE INDEX exhibits_sha256 ON exhibits (sha256);
CREATE INDEX exhibits_case ON exhibits (case_id);
CREATE TABLE blob_keys (
  sha256 BYTEA NOT NULL, slot BYTEA NOT NULL, master_key_id TEXT NOT NULL, nonce BYTEA NOT NULL, wrapped BYTEA NOT NULL,
  PRIMARY KEY (sha256, slot));
CREATE TABLE master_keys (id TEXT PRIMARY KEY, created_ms BIGINT NOT NULL, retired_ms BIGINT);
"#,
    },
    Migration {
        version: 2,
        name: "public report receipts",
        sqlite: r#"
CREATE TABLE report_receipts (
  code TEXT PRIMARY KEY, exhibit TEXT NOT NULL, secret_hash TEXT NOT NULL, created_ms INTEGER NOT NULL);
"#,
        postgres: r#"
CREATE TABLE report_receipts (
  code TEXT PRIMARY KEY, exhibit TEXT NOT NULL, secret_hash TEXT NOT NULL, created_ms BIGINT NOT NULL);
"#,
    },
    Migration {
        version: 3,
        name: "officer accounts and server-side sessions",
        sqlite: r#"
CREATE TABLE users (
  username TEXT PRIMARY KEY, role TEXT NOT NULL, password_hash TEXT NOT NULL, totp_secret BLOB NOT NULL,
  failed INTEGER NOT NULL, locked_until_ms INTEGER NOT NULL, last_totp_step INTEGER NOT NULL, created_ms INTEGER NOT NULL);
CREATE TABLE sessions (
  id_hash BLOB PRIMARY KEY, username TEXT NOT NULL, csrf TEXT NOT NULL, created_ms INTEGER NOT NULL, expires_ms INTEGER NOT NULL);
"#,
        postgres: r#"
CREATE TABLE users (
  username TEXT PRIMARY KEY, role TEXT NOT NULL, password_hash TEXT NOT NULL, totp_secret BYTEA NOT NULL,
  failed INTEGER NOT NULL, locked_until_ms BIGINT NOT NULL, last_totp_step BIGINT NOT NULL, created_ms BIGINT NOT NULL);
CREATE TABLE sessions (
  id_hash BYTEA PRIMARY KEY, username TEXT NOT NULL, csrf TEXT NOT NULL, created_ms BIGINT NOT NULL, expires_ms BIGINT NOT NULL);
"#,
    },
    Migration {
        version: 4,
        name: "triage: reports, risk and grades, identifiers",
        sqlite: r#"
CREATE TABLE reports (
  exhibit TEXT PRIMARY KEY, received_ms INTEGER NOT NULL, immediate INTEGER NOT NULL, score INTEGER NOT NULL,
  factors TEXT NOT NULL, grade TEXT, graded_by TEXT, graded_ms INTEGER);
CREATE TABLE report_identifiers (exhibit TEXT NOT NULL, identifier TEXT NOT NULL, PRIMARY KEY (exhibit, identifier));
CREATE INDEX report_identifiers_id ON report_identifiers (identifier);
"#,
        postgres: r#"
CREATE TABLE reports (
  exhibit TEXT PRIMARY KEY, received_ms BIGINT NOT NULL, immediate BOOLEAN NOT NULL, score INTEGER NOT NULL,
  factors TEXT NOT NULL, grade TEXT, graded_by TEXT, graded_ms BIGINT);
CREATE TABLE report_identifiers (exhibit TEXT NOT NULL, identifier TEXT NOT NULL, PRIMARY KEY (exhibit, identifier));
CREATE INDEX report_identifiers_id ON report_identifiers (identifier);
"#,
    },
    Migration {
        version: 5,
        name: "cases opened from reports",
        sqlite: r#"
CREATE TABLE cases (id TEXT PRIMARY KEY, title TEXT NOT NULL, opened_by TEXT NOT NULL, opened_ms INTEGER NOT NULL);
CREATE TABLE case_reports (case_id TEXT NOT NULL, exhibit TEXT NOT NULL, added_by TEXT NOT NULL, added_ms INTEGER NOT NULL, PRIMARY KEY (case_id, exhibit));
"#,
        postgres: r#"
CREATE TABLE cases (id TEXT PRIMARY KEY, title TEXT NOT NULL, opened_by TEXT NOT NULL, opened_ms BIGINT NOT NULL);
CREATE TABLE case_reports (case_id TEXT NOT NULL, exhibit TEXT NOT NULL, added_by TEXT NOT NULL, added_ms BIGINT NOT NULL, PRIMARY KEY (case_id, exhibit));
"#,
    },
    Migration {
        version: 6,
        name: "partner intake, idempotency, report files, manual links",
        sqlite: r#"
CREATE TABLE partners (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, key_hash BLOB NOT NULL, created_ms INTEGER NOT NULL, revoked_ms INTEGER);
CREATE TABLE idempotency (
  partner TEXT NOT NULL, key TEXT NOT NULL, request_hash BLOB NOT NULL, status INTEGER NOT NULL, response TEXT NOT NULL,
  created_ms INTEGER NOT NULL, PRIMARY KEY (partner, key));
CREATE TABLE report_files (
  report TEXT NOT NULL, idx INTEGER NOT NULL, owner TEXT NOT NULL, name TEXT NOT NULL, size INTEGER NOT NULL, content_type TEXT NOT NULL,
  sha256 TEXT NOT NULL, md5 TEXT, sha1 TEXT, exhibit TEXT, PRIMARY KEY (report, idx));
CREATE TABLE report_links (
  a TEXT NOT NULL, b TEXT NOT NULL, linked INTEGER NOT NULL, by_user TEXT NOT NULL, reason TEXT NOT NULL,
  at_ms INTEGER NOT NULL, PRIMARY KEY (a, b));
"#,
        postgres: r#"
CREATE TABLE partners (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, key_hash BYTEA NOT NULL, created_ms BIGINT NOT NULL, revoked_ms BIGINT);
CREATE TABLE idempotency (
  partner TEXT NOT NULL, key TEXT NOT NULL, request_hash BYTEA NOT NULL, status INTEGER NOT NULL, response TEXT NOT NULL,
  created_ms BIGINT NOT NULL, PRIMARY KEY (partner, key));
CREATE TABLE report_files (
  report TEXT NOT NULL, idx INTEGER NOT NULL, owner TEXT NOT NULL, name TEXT NOT NULL, size BIGINT NOT NULL, content_type TEXT NOT NULL,
  sha256 TEXT NOT NULL, md5 TEXT, sha1 TEXT, exhibit TEXT, PRIMARY KEY (report, idx));
CREATE TABLE report_links (
  a TEXT NOT NULL, b TEXT NOT NULL, linked BOOLEAN NOT NULL, by_user TEXT NOT NULL, reason TEXT NOT NULL,
  at_ms BIGINT NOT NULL, PRIMARY KEY (a, b));
"#,
    },
    Migration {
        version: 7,
        name: "case work: members and append-only case records",
        sqlite: r#"
CREATE TABLE case_members (case_id TEXT NOT NULL, username TEXT NOT NULL, added_by TEXT NOT NULL, added_ms INTEGER NOT NULL, PRIMARY KEY (case_id, username));
CREATE TABLE case_records (
  id INTEGER PRIMARY KEY AUTOINCREMENT, case_id TEXT NOT NULL, kind TEXT NOT NULL, body TEXT NOT NULL,
  by_user TEXT NOT NULL, at_ms INTEGER NOT NULL, event INTEGER NOT NULL);
CREATE INDEX case_records_case ON case_records (case_id, id);
CREATE TRIGGER case_records_append_only_u BEFORE UPDATE ON case_records BEGIN SELECT RAISE(ABORT, 'case records are append-only'); END;
CREATE TRIGGER case_records_append_only_d BEFORE DELETE ON case_records BEGIN SELECT RAISE(ABORT, 'case records are append-only'); END;
"#,
        postgres: r#"
CREATE TABLE case_members (case_id TEXT NOT NULL, username TEXT NOT NULL, added_by TEXT NOT NULL, added_ms BIGINT NOT NULL, PRIMARY KEY (case_id, username));
CREATE TABLE case_records (
  id BIGSERIAL PRIMARY KEY, case_id TEXT NOT NULL, kind TEXT NOT NULL, body TEXT NOT NULL,
  by_user TEXT NOT NULL, at_ms BIGINT NOT NULL, event BIGINT NOT NULL);
CREATE INDEX case_records_case ON case_records (case_id, id);
CREATE TRIGGER case_records_append_only BEFORE UPDATE OR DELETE ON case_records FOR EACH ROW EXECUTE FUNCTION vigil_append_only();
"#,
    },
    Migration {
        version: 8,
        name: "report states, counts per state, and the indexes the queue and case pages read",
        sqlite: r#"
ALTER TABLE reports ADD COLUMN state TEXT NOT NULL DEFAULT 'new';
ALTER TABLE reports ADD COLUMN closed_reason TEXT;
UPDATE reports SET state = 'graded' WHERE grade IS NOT NULL;
UPDATE reports SET state = 'in-case' WHERE exhibit IN (SELECT exhibit FROM case_reports);
CREATE INDEX reports_queue ON reports (state, immediate DESC, score DESC, received_ms);
CREATE INDEX case_reports_exhibit ON case_reports (exhibit);
CREATE TABLE report_state_counts (state TEXT PRIMARY KEY, n INTEGER NOT NULL);
INSERT INTO report_state_counts (state, n) VALUES ('new', 0), ('graded', 0), ('in-case', 0), ('closed', 0);
UPDATE report_state_counts SET n = (SELECT COUNT(*) FROM reports WHERE reports.state = report_state_counts.state);
CREATE TRIGGER report_state_counts_i AFTER INSERT ON reports BEGIN
  UPDATE report_state_counts SET n = n + 1 WHERE state = NEW.state; END;
CREATE TRIGGER report_state_counts_u AFTER UPDATE OF state ON reports WHEN OLD.state <> NEW.state BEGIN
  UPDATE report_state_counts SET n = n - 1 WHERE state = OLD.state;
  UPDATE report_state_counts SET n = n + 1 WHERE state = NEW.state; END;
"#,
        postgres: r#"
ALTER TABLE reports ADD COLUMN state TEXT NOT NULL DEFAULT 'new';
ALTER TABLE reports ADD COLUMN closed_reason TEXT;
UPDATE reports SET state = 'graded' WHERE grade IS NOT NULL;
UPDATE reports SET state = 'in-case' WHERE exhibit IN (SELECT exhibit FROM case_reports);
CREATE INDEX reports_queue ON reports (state, immediate DESC, score DESC, received_ms);
CREATE INDEX case_reports_exhibit ON case_reports (exhibit);
CREATE TABLE report_state_counts (state TEXT PRIMARY KEY, n BIGINT NOT NULL);
INSERT INTO report_state_counts (state, n) VALUES ('new', 0), ('graded', 0), ('in-case', 0), ('closed', 0);
UPDATE report_state_counts SET n = (SELECT COUNT(*) FROM reports WHERE reports.state = report_state_counts.state);
CREATE FUNCTION vigil_report_state_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF OLD.state = NEW.state THEN RETURN NEW; END IF;
    UPDATE report_state_counts SET n = n - 1 WHERE state = OLD.state;
  END IF;
  UPDATE report_state_counts SET n = n + 1 WHERE state = NEW.state;
  RETURN NEW;
END $$;
CREATE TRIGGER report_state_counts AFTER INSERT OR UPDATE OF state ON reports FOR EACH ROW EXECUTE FUNCTION vigil_report_state_count();
"#,
    },
    Migration {
        version: 9,
        name: "events by kind",
        // Events of one kind (the immediate-danger hand-offs the team's
        // figures time) without reading the whole log.
        sqlite: "CREATE INDEX events_kind ON events (kind, idx);",
        postgres: "CREATE INDEX events_kind ON events (kind, idx);",
    },
    Migration {
        version: 10,
        name: "chat timelines, and identifiers found in exhibits with where each was first found",
        sqlite: "CREATE TABLE exhibit_identifiers (exhibit TEXT NOT NULL, identifier TEXT NOT NULL, source TEXT NOT NULL, occurrences INTEGER NOT NULL, PRIMARY KEY (exhibit, identifier));
CREATE INDEX exhibit_identifiers_id ON exhibit_identifiers (identifier);
CREATE TABLE chat_timelines (timeline TEXT PRIMARY KEY, original TEXT NOT NULL, case_id TEXT NOT NULL, format TEXT NOT NULL, messages INTEGER NOT NULL, conversations INTEGER NOT NULL);
CREATE INDEX chat_timelines_case ON chat_timelines (case_id);",
        postgres: "CREATE TABLE exhibit_identifiers (exhibit TEXT NOT NULL, identifier TEXT NOT NULL, source TEXT NOT NULL, occurrences BIGINT NOT NULL, PRIMARY KEY (exhibit, identifier));
CREATE INDEX exhibit_identifiers_id ON exhibit_identifiers (identifier);
CREATE TABLE chat_timelines (timeline TEXT PRIMARY KEY, original TEXT NOT NULL, case_id TEXT NOT NULL, format TEXT NOT NULL, messages BIGINT NOT NULL, conversations BIGINT NOT NULL);
CREATE INDEX chat_timelines_case ON chat_timelines (case_id);",
    },
    Migration {
        version: 11,
        name: "what reporters add to their reports later, in order",
        sqlite: "CREATE TABLE report_additions (report TEXT NOT NULL, addition TEXT NOT NULL PRIMARY KEY, at_ms INTEGER NOT NULL);
CREATE INDEX report_additions_report ON report_additions (report, at_ms);",
        postgres: "CREATE TABLE report_additions (report TEXT NOT NULL, addition TEXT NOT NULL PRIMARY KEY, at_ms BIGINT NOT NULL);
CREATE INDEX report_additions_report ON report_additions (report, at_ms);",
    },
    Migration {
        version: 12,
        name: "a report's kind beside its triage record, and the queue by age",
        // The team's figures count reports by kind without decrypting any
        // report; reports received earlier have none recorded.
        sqlite: "ALTER TABLE reports ADD COLUMN kind TEXT;
CREATE INDEX reports_age ON reports (state, received_ms);",
        postgres: "ALTER TABLE reports ADD COLUMN kind TEXT;
CREATE INDEX reports_age ON reports (state, received_ms);",
    },
    Migration {
        version: 13,
        name: "small sealed blobs kept in the store",
        // A public report's few kilobytes commit with their key and exhibit
        // in one transaction instead of a file and two fsyncs of their own.
        // The bytes are sealed exactly as a blob file is.
        sqlite: "CREATE TABLE inline_blobs (sha256 BLOB PRIMARY KEY, sealed BLOB NOT NULL);",
        postgres: "CREATE TABLE inline_blobs (sha256 BYTEA PRIMARY KEY, sealed BYTEA NOT NULL);",
    },
    Migration {
        version: 14,
        name: "who reported, as keyed pseudonyms, to find repeat reporters",
        // Each key is a keyed hash of an e-mail address or telephone number
        // the reporter left, never the contact itself: enough to count one
        // person's reports (repeat tasking may make them a CHIS), nothing
        // to read back.
        sqlite: "CREATE TABLE report_reporters (exhibit TEXT NOT NULL, reporter TEXT NOT NULL, PRIMARY KEY (exhibit, reporter));
CREATE INDEX report_reporters_reporter ON report_reporters (reporter);",
        postgres: "CREATE TABLE report_reporters (exhibit TEXT NOT NULL, reporter TEXT NOT NULL, PRIMARY KEY (exhibit, reporter));
CREATE INDEX report_reporters_reporter ON report_reporters (reporter);",
    },
    Migration {
        version: 15,
        name: "review sets: seized images to categorise, and what reviewers were exposed to",
        // An item's row carries its decision; stacks are item numbers of
        // representatives. Exposure and settings are each officer's own
        // (their welfare), not evidence: each reveal is an `accessed` event.
        sqlite: "CREATE TABLE review_items (case_id TEXT NOT NULL, item INTEGER NOT NULL, kind TEXT NOT NULL, sha256 TEXT NOT NULL, paths TEXT NOT NULL, pdq TEXT, quality INTEGER, detail TEXT NOT NULL, stack INTEGER NOT NULL, distance INTEGER, category TEXT, method TEXT, source TEXT, decided_by TEXT, decided_ms INTEGER, PRIMARY KEY (case_id, item));
CREATE INDEX review_items_sha ON review_items (case_id, sha256);
CREATE INDEX review_items_category ON review_items (category);
CREATE TABLE review_exposure (username TEXT NOT NULL, day TEXT NOT NULL, items INTEGER NOT NULL, ms INTEGER NOT NULL, PRIMARY KEY (username, day));
CREATE TABLE review_settings (username TEXT PRIMARY KEY, blur INTEGER NOT NULL, grey INTEGER NOT NULL, ceiling INTEGER NOT NULL);",
        postgres: "CREATE TABLE review_items (case_id TEXT NOT NULL, item BIGINT NOT NULL, kind TEXT NOT NULL, sha256 TEXT NOT NULL, paths TEXT NOT NULL, pdq TEXT, quality BIGINT, detail TEXT NOT NULL, stack BIGINT NOT NULL, distance BIGINT, category TEXT, method TEXT, source TEXT, decided_by TEXT, decided_ms BIGINT, PRIMARY KEY (case_id, item));
CREATE INDEX review_items_sha ON review_items (case_id, sha256);
CREATE INDEX review_items_category ON review_items (category);
CREATE TABLE review_exposure (username TEXT NOT NULL, day TEXT NOT NULL, items BIGINT NOT NULL, ms BIGINT NOT NULL, PRIMARY KEY (username, day));
CREATE TABLE review_settings (username TEXT PRIMARY KEY, blur BIGINT NOT NULL, grey BIGINT NOT NULL, ceiling BIGINT NOT NULL);",
    },
    Migration {
        version: 16,
        name: "retention: the policy, legal holds, court results and review decisions",
        // One row per subject (`case:ID`, `report:PR/N`) that has any of
        // them, and the row `policy` holding the force's policy as JSON.
        sqlite: "CREATE TABLE retention (subject TEXT PRIMARY KEY, hold TEXT, court_result TEXT, decision TEXT, retained_until_ms INTEGER, disposed_event INTEGER);",
        postgres: "CREATE TABLE retention (subject TEXT PRIMARY KEY, hold TEXT, court_result TEXT, decision TEXT, retained_until_ms BIGINT, disposed_event BIGINT);",
    },
    Migration {
        version: 17,
        name: "search index: case titles and the names of persons on cases",
        // Kept by triggers from `cases` and the `person` records of
        // `case_records`, so no write path can forget it; search finds
        // candidates here and still checks who may see them.
        sqlite: "CREATE VIRTUAL TABLE case_terms USING fts5(case_id UNINDEXED, kind UNINDEXED, term, tokenize = 'unicode61 remove_diacritics 2');
CREATE TRIGGER case_terms_title_i AFTER INSERT ON cases BEGIN
  INSERT INTO case_terms (case_id, kind, term) VALUES (new.id, 'title', new.title);
END;
CREATE TRIGGER case_terms_title_u AFTER UPDATE OF title ON cases BEGIN
  DELETE FROM case_terms WHERE case_id = old.id AND kind = 'title';
  INSERT INTO case_terms (case_id, kind, term) VALUES (new.id, 'title', new.title);
END;
CREATE TRIGGER case_terms_case_d AFTER DELETE ON cases BEGIN
  DELETE FROM case_terms WHERE case_id = old.id;
END;
CREATE TRIGGER case_terms_person_i AFTER INSERT ON case_records WHEN new.kind = 'person' BEGIN
  INSERT INTO case_terms (case_id, kind, term) VALUES (new.case_id, 'person', json_extract(new.body, '$.name'));
END;
INSERT INTO case_terms (case_id, kind, term) SELECT id, 'title', title FROM cases;
INSERT INTO case_terms (case_id, kind, term) SELECT case_id, 'person', json_extract(body, '$.name') FROM case_records WHERE kind = 'person';",
        postgres: "CREATE TABLE case_terms (case_id TEXT NOT NULL, kind TEXT NOT NULL, term TEXT NOT NULL, tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', term)) STORED);
CREATE INDEX case_terms_tsv ON case_terms USING GIN (tsv);
CREATE INDEX case_terms_case ON case_terms (case_id);
CREATE FUNCTION case_terms_of_case() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN DELETE FROM case_terms WHERE case_id = OLD.id AND kind = 'title'; END IF;
  IF TG_OP = 'DELETE' THEN DELETE FROM case_terms WHERE case_id = OLD.id; RETURN OLD; END IF;
  INSERT INTO case_terms (case_id, kind, term) VALUES (NEW.id, 'title', NEW.title);
  RETURN NEW;
END $$;
CREATE TRIGGER case_terms_case AFTER INSERT OR UPDATE OF title OR DELETE ON cases FOR EACH ROW EXECUTE FUNCTION case_terms_of_case();
CREATE FUNCTION case_terms_of_record() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.kind = 'person' THEN
    INSERT INTO case_terms (case_id, kind, term) VALUES (NEW.case_id, 'person', (NEW.body::json)->>'name');
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER case_terms_record AFTER INSERT ON case_records FOR EACH ROW EXECUTE FUNCTION case_terms_of_record();
INSERT INTO case_terms (case_id, kind, term) SELECT id, 'title', title FROM cases;
INSERT INTO case_terms (case_id, kind, term) SELECT case_id, 'person', (body::json)->>'name' FROM case_records WHERE kind = 'person';",
    },
    Migration {
        version: 18,
        name: "chat timeline page indexes",
        // Operational: derived from each timeline, sealed under the master key.
        sqlite: "CREATE TABLE timeline_pages (timeline TEXT PRIMARY KEY, sealed BLOB NOT NULL);",
        postgres: "CREATE TABLE timeline_pages (timeline TEXT PRIMARY KEY, sealed BYTEA NOT NULL);",
    },
    Migration {
        version: 19,
        name: "spent single-use form tokens, shared by every node",
        // Operational: a nonce kept until its token would have expired anyway.
        sqlite: "CREATE TABLE spent_form_tokens (nonce TEXT PRIMARY KEY, expires_at BIGINT NOT NULL);
CREATE INDEX spent_form_tokens_expiry ON spent_form_tokens (expires_at);",
        postgres: "CREATE TABLE spent_form_tokens (nonce TEXT PRIMARY KEY, expires_at BIGINT NOT NULL);
CREATE INDEX spent_form_tokens_expiry ON spent_form_tokens (expires_at);",
    },
    Migration {
        version: 20,
        name: "rate-limit windows shared by every node",
        // Operational: a window's salt and counts go when the next window starts.
        sqlite: "CREATE TABLE rate_windows (limiter TEXT NOT NULL, window_start BIGINT NOT NULL, salt BLOB NOT NULL,
  PRIMARY KEY (limiter, window_start));
CREATE TABLE rate_counts (limiter TEXT NOT NULL, window_start BIGINT NOT NULL, client BLOB NOT NULL, n BIGINT NOT NULL,
  PRIMARY KEY (limiter, window_start, client));",
        postgres: "CREATE TABLE rate_windows (limiter TEXT NOT NULL, window_start BIGINT NOT NULL, salt BYTEA NOT NULL,
  PRIMARY KEY (limiter, window_start));
CREATE TABLE rate_counts (limiter TEXT NOT NULL, window_start BIGINT NOT NULL, client BYTEA NOT NULL, n BIGINT NOT NULL,
  PRIMARY KEY (limiter, window_start, client));",
    },
    Migration {
        version: 21,
        name: "shared scan work: a distributed scan's batches, leased to workers",
        // Operational: the work list of a scan in progress; its report is
        // what becomes evidence, and the rows go once it is gathered.
        sqlite: "CREATE TABLE scan_jobs (id TEXT PRIMARY KEY, options TEXT NOT NULL, batches BIGINT NOT NULL,
  created_ms BIGINT NOT NULL);
CREATE TABLE scan_batches (job TEXT NOT NULL REFERENCES scan_jobs (id) ON DELETE CASCADE, batch BIGINT NOT NULL,
  entries TEXT NOT NULL, state TEXT NOT NULL, lease TEXT, lease_until_ms BIGINT, attempts BIGINT NOT NULL DEFAULT 0,
  results TEXT, PRIMARY KEY (job, batch));
CREATE INDEX scan_batches_open ON scan_batches (state, job, batch);",
        postgres: "CREATE TABLE scan_jobs (id TEXT PRIMARY KEY, options TEXT NOT NULL, batches BIGINT NOT NULL,
  created_ms BIGINT NOT NULL);
CREATE TABLE scan_batches (job TEXT NOT NULL REFERENCES scan_jobs (id) ON DELETE CASCADE, batch BIGINT NOT NULL,
  entries TEXT NOT NULL, state TEXT NOT NULL, lease TEXT, lease_until_ms BIGINT, attempts BIGINT NOT NULL DEFAULT 0,
  results TEXT, PRIMARY KEY (job, batch));
CREATE INDEX scan_batches_open ON scan_batches (state, job, batch);",
    },
    Migration {
        version: 22,
        name: "custody events' leaves compressed with LZ4 where the server has it",
        // The last event of a unit carries the images of every row the unit
        // wrote; the default compression (pglz) of those leaves took about
        // one part in twenty of the server's time for public reports. A
        // server built without LZ4 keeps the default. SQLite compresses
        // nothing: nothing to change there.
        sqlite: "",
        postgres: "DO $$ BEGIN
  ALTER TABLE events ALTER COLUMN leaf SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN NULL;
END $$;",
    },
];

pub(crate) fn latest() -> u32 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}
