//! The storage suite: every test runs against SQLite and against the real
//! PostgreSQL server (skipped, with the reason printed, only outside CI).

mod support;

use support::{case, ini, read, Backend, TestEnv};
use vigil_core::{CoreError, Vigil};
use vigil_custody::{verify_consistency, verify_export, verify_inclusion};
use vigil_domain::{Actor, CustodyEvent, EventKind, ExhibitRef, ObjectRef};

macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[test] fn $name() { if let Some(env) = super::TestEnv::new(super::Backend::Sqlite) { super::$name(env) } })*
        }
        mod postgres {
            $(#[test] fn $name() { if let Some(env) = super::TestEnv::new(super::Backend::Postgres) { super::$name(env) } })*
        }
    };
}

both_backends!(
    add_get_and_history_round_trip,
    references_count_per_producer,
    clean_store_verifies,
    flipped_blob_byte_is_named,
    flipped_event_byte_is_named,
    consistently_rewritten_event_is_caught_by_the_signed_heads,
    flipped_signed_head_is_named,
    deleted_event_is_named,
    deleted_last_event_is_named,
    events_and_heads_refuse_update_and_delete,
    store_hashes_altered_are_named,
    deletion_crypto_shreds_but_keeps_the_digest,
    shared_content_survives_deleting_one_exhibit,
    a_deletion_racing_an_add_of_the_same_content_leaves_nothing_unreadable,
    key_rotation_rewraps_without_rewriting_blobs,
    a_rotation_is_refused_while_another_vigil_has_the_directory_open,
    a_key_wrapped_under_a_retired_master_key_is_refused,
    wrong_master_key_is_refused,
    export_verifies_offline_and_tampering_is_caught,
    proofs_verify,
    two_processes_appending_never_fork_the_log,
    bad_input_loses_nothing,
    officer_accounts_and_sessions,
    racing_sign_ins_with_one_code_give_one_session,
    public_report_receipts,
    partner_referrals_files_and_links,
    cases_merge_and_split_keeping_history,
    a_new_report_is_on_the_first_page_however_many_came_before,
    redaction_never_reads_another_cases_exhibit,
    triage_cannot_add_a_report_to_a_case_it_may_not_see,
    reading_lists_schedules_and_timelines_is_recorded,
    a_case_record_rewritten_in_the_database_is_named,
    a_grade_rewritten_in_the_database_is_named,
    membership_and_links_changed_in_the_database_are_named,
    a_small_report_is_sealed_in_the_store_and_checked_as_a_file_is,
    every_row_changed_in_the_database_is_named_by_table_row_and_column,
    every_table_is_a_projection_or_operational_for_a_reason,
    search_finds_titles_and_names_in_the_index_within_what_the_officer_may_see,
    a_change_early_in_a_long_log_is_named_and_verify_returns,
    gaps_across_the_slices_verify_reads_at_once_are_named,
    a_chat_page_reads_its_part_through_the_page_index,
    form_tokens_and_rate_windows_are_shared_by_every_vigil_on_the_store,
    reports_sent_at_once_are_written_together_and_each_is_answered,
    each_inserted_and_updated_row_is_captured_once_and_old_triggers_are_replaced,
    counts_and_spends_made_at_once_each_get_their_own_answer,
    a_form_token_is_spent_in_its_reports_unit_and_a_second_send_stores_nothing,
    a_report_counted_in_its_unit_over_its_limit_stores_nothing_and_keeps_its_token,
);

/// Issue 28, point 2: what several nodes must share lives in the store. Two
/// `Vigil`s on one data directory stand for two nodes on one database.
fn form_tokens_and_rate_windows_are_shared_by_every_vigil_on_the_store(env: TestEnv) {
    let (a, b) = (env.open(), env.open());
    assert_eq!(*a.form_token_key(), *b.form_token_key(), "every node signs forms with the same key");
    let expires = vigil_core::now().unix_millis() as u64 / 1000 + 60;
    assert!(a.spend_form_token("nonce-1", expires).unwrap());
    assert!(!b.spend_form_token("nonce-1", expires).unwrap(), "spent on one node, spent on all");
    assert!(b.spend_form_token("nonce-2", expires).unwrap());
    // A spend whose time has passed counts for nothing, swept or not (the
    // token itself is refused by its age before it gets here).
    assert!(a.spend_form_token("nonce-old", 1).unwrap());
    assert!(a.spend_form_token("nonce-3", expires).unwrap());
    assert!(b.spend_form_token("nonce-old", 1).unwrap(), "an expired spend is no spend");
    assert!(!a.spend_form_token("nonce-3", expires).unwrap(), "a live spend still is, after the others");

    let counts: Vec<(u64, u64)> = (0..4)
        .map(|i| {
            let v = if i % 2 == 0 { &a } else { &b };
            v.count_request("test", 600, "192.0.2.1").unwrap()
        })
        .collect();
    assert_eq!(counts, vec![(1, 1), (2, 2), (3, 3), (4, 4)], "one client's count grows across both nodes");
    assert_eq!(
        b.count_request("test", 600, "192.0.2.2").unwrap(),
        (1, 5),
        "another client counts alone, the total for all"
    );
    assert_eq!(a.count_request("other", 600, "192.0.2.1").unwrap(), (1, 1), "each limit has its own windows");
}

/// Requests counted and tokens spent at once go to the store together; each
/// still gets the answer it would have had alone, in the order given.
fn counts_and_spends_made_at_once_each_get_their_own_answer(env: TestEnv) {
    use vigil_store::{RateCount, SpentTokenRow};
    let expires = vigil_core::now().unix_millis() / 1000 + 60;
    let now = expires - 60;
    let mut raw = env.store();
    let c = |client: u8| RateCount { limiter: "batch".into(), window_start: 600, client: vec![client; 16] };
    assert_eq!(
        raw.count_requests(&[c(1), c(2), c(1), c(1)]).unwrap(),
        vec![(1, 1), (1, 2), (2, 3), (3, 4)],
        "a batch counts as one by one"
    );
    assert_eq!(raw.count_requests(&[c(2)]).unwrap(), vec![(2, 5)], "and the next goes on from it");
    let t = |nonce: &str| SpentTokenRow { nonce: nonce.into(), expires_at: expires };
    assert_eq!(raw.spend_form_tokens(&[t("b-1")], now, false).unwrap(), vec![true]);
    assert_eq!(
        raw.spend_form_tokens(&[t("b-2"), t("b-1"), t("b-2"), t("b-3")], now, true).unwrap(),
        vec![true, false, false, true],
        "the first of two equal nonces is spent, a spent one is not, the others are"
    );
    drop(raw);

    // Two nodes, many requests at once: one winner for one token, and every
    // count from 1 up given to exactly one request.
    let (a, b) = (std::sync::Arc::new(env.open()), std::sync::Arc::new(env.open()));
    const N: usize = 32;
    let start = std::sync::Arc::new(std::sync::Barrier::new(N));
    let threads: Vec<_> = (0..N)
        .map(|n| {
            let v = if n % 2 == 0 { a.clone() } else { b.clone() };
            let start = start.clone();
            std::thread::spawn(move || {
                start.wait();
                let same = v.spend_form_token("at-once", expires as u64).unwrap();
                let own = v.spend_form_token(&format!("own-{n}"), expires as u64).unwrap();
                let counts = v.count_request("at-once", 600, &format!("192.0.2.{}", n % 3)).unwrap();
                (n, same, own, counts)
            })
        })
        .collect();
    let answers: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert_eq!(answers.iter().filter(|a| a.1).count(), 1, "one request spends a token sent {N} times at once");
    assert!(answers.iter().all(|a| a.2), "every token sent once is spent");
    let mut all: Vec<u64> = answers.iter().map(|a| a.3 .1).collect();
    all.sort();
    assert_eq!(all, (1..=N as u64).collect::<Vec<_>>(), "everyone's count");
    for client in 0..3 {
        let mut mine: Vec<u64> = answers.iter().filter(|a| a.0 % 3 == client).map(|a| a.3 .0).collect();
        mine.sort();
        assert_eq!(mine, (1..=mine.len() as u64).collect::<Vec<_>>(), "client {client}'s counts");
    }
}

/// A public form's token is spent in the unit that stores its report: the
/// same form sent again, alone or many times at once, stores nothing more.
fn a_form_token_is_spent_in_its_reports_unit_and_a_second_send_stores_nothing(env: TestEnv) {
    use vigil_core::{CoreError, FormSpend};
    let v = std::sync::Arc::new(env.open());
    let expires_at = vigil_core::now().unix_millis() as u64 / 1000 + 600;
    let token = |n: &str| FormSpend { nonce: n.into(), expires_at };
    let before = v.verify().unwrap();
    v.submit_public_form(&synthetic_report(), &[], Some(&token("form-1")), None).unwrap();
    let again = v.submit_public_form(&synthetic_report(), &[], Some(&token("form-1")), None);
    assert!(matches!(again, Err(CoreError::FormAlreadySent)), "{again:?}");
    assert!(!v.spend_form_token("form-1", expires_at).unwrap(), "the report's unit spent it");
    // Spent on its own first (a form with files is), then sent: nothing.
    assert!(v.spend_form_token("form-2", expires_at).unwrap());
    let file =
        vigil_core::Attachment { name: "n.txt".into(), content_type: "text/plain".into(), bytes: b"a note".to_vec() };
    let late = v.submit_public_form(&synthetic_report(), std::slice::from_ref(&file), Some(&token("form-2")), None);
    assert!(matches!(late, Err(CoreError::FormAlreadySent)), "{late:?}");
    v.submit_public_form(&synthetic_report(), &[file], Some(&token("form-3")), None).unwrap();

    // One form sent eight times at once, in units written together.
    const N: usize = 8;
    let start = std::sync::Arc::new(std::sync::Barrier::new(N + 1));
    let threads: Vec<_> = (0..N)
        .map(|_| {
            let (v, start) = (v.clone(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                v.submit_public_form(
                    &synthetic_report(),
                    &[],
                    Some(&FormSpend { nonce: "form-4".into(), expires_at }),
                    None,
                )
            })
        })
        .collect();
    let results = joined_behind_the_log(&env, &start, threads);
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "one of the eight is stored");
    assert!(results.iter().all(|r| r.is_ok() || matches!(r, Err(CoreError::FormAlreadySent))), "{results:?}");
    let after = v.verify().unwrap();
    assert!(after.ok(), "{:?}", after.problems);
    // Reports: form-1, form-3 with its file, form-4: four exhibits, no more.
    assert_eq!(after.events - before.events, 4);
}

/// A public report's request counted in its shared rate window in the
/// report's own unit (as the public form does where nodes share a store):
/// the count is the same window `count_request` counts in, on every node;
/// over the limit nothing is stored and the form's token stays unspent,
/// alone, with a file, or among reports written in one unit.
fn a_report_counted_in_its_unit_over_its_limit_stores_nothing_and_keeps_its_token(env: TestEnv) {
    use vigil_core::{CoreError, FormSpend, SharedCount, WindowCount};
    let (a, b) = (std::sync::Arc::new(env.open()), std::sync::Arc::new(env.open()));
    let expires_at = vigil_core::now().unix_millis() as u64 / 1000 + 600;
    let token = |n: &str| FormSpend { nonce: n.into(), expires_at };
    // One window for the whole test (its start is 0), so none ends midway.
    let count = |client| SharedCount { limiter: "in-unit", window_secs: 1 << 40, client, limit: 2 };
    let before = a.verify().unwrap();
    let counted = |r: Result<vigil_core::Receipt, CoreError>| r.unwrap().counted;
    let c = count("192.0.2.9");
    assert_eq!(
        counted(a.submit_public_form(&synthetic_report(), &[], Some(&token("u-1")), Some(&c))),
        Some(WindowCount { mine: 1, all: 1 })
    );
    assert_eq!(
        counted(b.submit_public_form(&synthetic_report(), &[], Some(&token("u-2")), Some(&c))),
        Some(WindowCount { mine: 2, all: 2 }),
        "counted on the other node in the same window"
    );
    let over = a.submit_public_form(&synthetic_report(), &[], Some(&token("u-3")), Some(&c));
    assert!(matches!(over, Err(CoreError::OverLimit(WindowCount { mine: 3, all: 3 }))), "{over:?}");
    assert!(a.spend_form_token("u-3", expires_at).unwrap(), "a report over its limit spends no token");
    assert_eq!(
        counted(b.submit_public_form(&synthetic_report(), &[], None, Some(&count("192.0.2.10")))),
        Some(WindowCount { mine: 1, all: 4 }),
        "another client is within its limit"
    );
    assert_eq!(b.count_request("in-unit", 1 << 40, "192.0.2.9").unwrap(), (4, 5), "the window count_request counts in");
    let file =
        vigil_core::Attachment { name: "n.txt".into(), content_type: "text/plain".into(), bytes: b"a note".to_vec() };
    let over = b.submit_public_form(&synthetic_report(), &[file], Some(&token("u-5")), Some(&c));
    assert!(matches!(over, Err(CoreError::OverLimit(WindowCount { mine: 5, all: 6 }))), "{over:?}");
    assert!(b.spend_form_token("u-5", expires_at).unwrap(), "nor does one with a file");

    // Four reports of a new client (limit 2) held until they go in one
    // unit: two are stored, two are refused, and only the stored two
    // spend their tokens.
    const N: usize = 4;
    let start = std::sync::Arc::new(std::sync::Barrier::new(N + 1));
    let threads: Vec<_> = (0..N)
        .map(|n| {
            let (v, start) = (if n % 2 == 0 { a.clone() } else { b.clone() }, start.clone());
            std::thread::spawn(move || {
                start.wait();
                let c = SharedCount { limiter: "in-unit", window_secs: 1 << 40, client: "192.0.2.11", limit: 2 };
                let spend = FormSpend { nonce: format!("w-{n}"), expires_at };
                (n, v.submit_public_form(&synthetic_report(), &[], Some(&spend), Some(&c)))
            })
        })
        .collect();
    let results = joined_behind_the_log(&env, &start, threads);
    let mut mine: Vec<u64> = results
        .iter()
        .map(|(_, r)| match r {
            Ok(receipt) => receipt.counted.expect("counted").mine,
            Err(CoreError::OverLimit(c)) => c.mine,
            Err(e) => panic!("{e:?}"),
        })
        .collect();
    mine.sort();
    assert_eq!(mine, vec![1, 2, 3, 4], "each request its own count");
    for (n, r) in &results {
        let unspent = a.spend_form_token(&format!("w-{n}"), expires_at).unwrap();
        assert_eq!(unspent, r.is_err(), "request {n}: its token is spent if and only if its report is stored");
        if let Ok(receipt) = r {
            assert!(receipt.counted.unwrap().mine <= 2, "a stored report is within the limit");
        }
    }
    let after = a.verify().unwrap();
    assert!(after.ok(), "{:?}", after.problems);
    // Stored: u-1, u-2, the other client's, and two of the four.
    assert_eq!(after.events - before.events, 5);
}

/// Holds the log's lock until the threads have all passed `start` (the
/// other side of the barrier) and queued, so their writes go in one unit,
/// then answers what each thread returned, in order.
fn joined_behind_the_log<T>(
    env: &TestEnv,
    start: &std::sync::Barrier,
    threads: Vec<std::thread::JoinHandle<T>>,
) -> Vec<T> {
    let mut raw = env.store();
    let mut tx = raw.begin().unwrap();
    tx.lock_log().unwrap();
    start.wait();
    std::thread::sleep(std::time::Duration::from_millis(300));
    drop(tx);
    threads.into_iter().map(|t| t.join().unwrap()).collect()
}

/// A low-risk synthetic public report.
fn synthetic_report() -> vigil_domain::PublicReport {
    vigil_domain::PublicReport {
        kind: vigil_domain::ReportKind::Other,
        immediate_danger: false,
        meeting_planned: false,
        images_exchanged: false,
        platform: String::new(),
        identifiers: vec![],
        child: String::new(),
        dates: String::new(),
        account: "SYNTHETIC".into(),
        contact: None,
        about: Default::default(),
    }
}

/// Two cases, each with a graded report opened by a supervisor, and a
/// text exhibit in each. For the need-to-know regression tests.
fn two_cases(v: &Vigil) -> (vigil_domain::CaseId, vigil_domain::CaseId, ExhibitRef, ExhibitRef) {
    use vigil_domain::{CaseId, Role};
    let sup = vigil_core::OfficerSession { username: "n.sup".into(), role: Role::Supervisor, csrf: String::new() };
    let (a, b) = (CaseId::parse("NTK-A").unwrap(), CaseId::parse("NTK-B").unwrap());
    for (case, title) in [(&a, "A"), (&b, "B")] {
        let r = v.submit_public_report(&synthetic_report()).unwrap().exhibit;
        v.grade_report(&r, &vigil_domain::Grade::parse("2/B/P").unwrap(), "synthetic test grading", &sup).unwrap();
        v.report_to_case(&r, case, Some(title), &sup).unwrap();
    }
    let ea = v
        .add_exhibit_bytes(b"chat in case A: alpha", "a.txt", &a, &vigil_domain::Initials::parse("NA").unwrap(), None)
        .unwrap()
        .reference;
    let eb = v
        .add_exhibit_bytes(b"secret words of case B", "b.txt", &b, &vigil_domain::Initials::parse("NB").unwrap(), None)
        .unwrap()
        .reference;
    (a, b, ea, eb)
}

fn actor() -> Actor {
    Actor::parse("ABC").unwrap()
}

fn problems(v: &mut Vigil) -> String {
    let r = v.verify().unwrap();
    assert!(!r.ok(), "tampering went unnoticed: {r:?}");
    r.problems.join("\n")
}

fn add_get_and_history_round_trip(env: TestEnv) {
    let v = env.open();
    let body: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
    let f = env.file("chat.html", &body);
    let a = v.add_exhibit(&f, &case(), &ini("ABC"), Some("chat export from reporter")).unwrap();
    assert_eq!(a.reference.to_string(), "ABC/1");
    assert_eq!(a.hashes.size, body.len() as u64);
    let out = env.dir.path().join("out.html");
    let got = v.get_exhibit(&a.reference, &out, "disclosure review", &actor()).unwrap();
    assert_eq!(read(&out), body);
    assert_eq!(got.hashes, a.hashes);
    let h = v.history(&a.reference).unwrap();
    let kinds: Vec<_> = h.iter().map(|e| e.event.kind).collect();
    assert_eq!(kinds, vec![EventKind::Received, EventKind::Accessed]);
    assert_eq!(h[1].event.reason.as_deref(), Some("disclosure review"));
    assert_eq!(h[0].event.hashes.as_ref().unwrap().md5, a.hashes.md5);
    // Refuses to overwrite.
    let e = v.get_exhibit(&a.reference, &out, "again", &actor()).unwrap_err();
    assert!(e.to_string().contains("will not overwrite"), "{e}");
    // The blob on disk is not the plaintext.
    let blob =
        read(&env.data().join("vault/blobs").join(&a.hashes.sha256.to_hex()[..2]).join(a.hashes.sha256.to_hex()));
    assert!(!blob.windows(64).any(|w| w == &body[1000..1064]), "blob must be encrypted at rest");
}

fn references_count_per_producer(env: TestEnv) {
    let v = env.open();
    let f = env.file("a.txt", b"a");
    let refs: Vec<String> = ["ABC", "ABC", "XY", "ABC"]
        .iter()
        .map(|p| v.add_exhibit(&f, &case(), &ini(p), None).unwrap().reference.to_string())
        .collect();
    assert_eq!(refs, ["ABC/1", "ABC/2", "XY/1", "ABC/3"]);
}

fn clean_store_verifies(env: TestEnv) {
    let v = env.open();
    for i in 0..5 {
        let f = env.file(&format!("f{i}"), format!("content {i}").as_bytes());
        v.add_exhibit(&f, &case(), &ini("ABC"), None).unwrap();
    }
    let r = v.verify().unwrap();
    assert!(r.ok(), "{:?}", r.problems);
    assert_eq!((r.events, r.exhibits, r.blobs_checked), (6, 5, 5));
}

fn flipped_blob_byte_is_named(env: TestEnv) {
    let mut v = env.open();
    let f = env.file("a.txt", &vec![9u8; 5000]);
    let a = v.add_exhibit(&f, &case(), &ini("ABC"), None).unwrap();
    let hex = a.hashes.sha256.to_hex();
    let p = env.data().join("vault/blobs").join(&hex[..2]).join(&hex);
    let mut b = read(&p);
    b[100] ^= 0x01;
    std::fs::write(&p, b).unwrap();
    let msg = problems(&mut v);
    assert!(msg.contains("exhibit ABC/1") && msg.contains(&hex) && msg.contains("altered"), "{msg}");
}

fn flipped_event_byte_is_named(env: TestEnv) {
    let mut v = env.open();
    let f = env.file("a.txt", b"a");
    for _ in 0..4 {
        v.add_exhibit(&f, &case(), &ini("ABC"), None).unwrap();
    }
    env.tamper_bytes("events", "leaf", "idx", 2, |b| {
        let i = b.iter().position(|&c| c == b'A').unwrap();
        b[i] = b'X';
    });
    let msg = problems(&mut v);
    assert!(msg.contains("event #2") && msg.contains("altered"), "{msg}");
}

fn consistently_rewritten_event_is_caught_by_the_signed_heads(env: TestEnv) {
    let mut v = env.open();
    let f = env.file("a.txt", b"a");
    for _ in 0..4 {
        v.add_exhibit(&f, &case(), &ini("ABC"), None).unwrap();
    }
    // An attacker rewrites the leaf and its stored hash together.
    let leaf: Vec<u8> = env.store().events(3, 1).unwrap().remove(0).leaf;
    let forged = String::from_utf8(leaf).unwrap().replace("\"actor\":\"ABC\"", "\"actor\":\"XYZ\"").into_bytes();
    let h = vigil_custody::leaf_hash(&forged);
    env.tamper_bytes("events", "leaf", "idx", 3, |b| *b = forged.clone());
    env.tamper_bytes("events", "leaf_hash", "idx", 3, |b| *b = h.to_vec());
    let msg = problems(&mut v);
    assert!(msg.contains("signed tree head for size 4") && msg.contains("#3"), "{msg}");
}

fn flipped_signed_head_is_named(env: TestEnv) {
    let mut v = env.open();
    let f = env.file("a.txt", b"a");
    for _ in 0..3 {
        v.add_exhibit(&f, &case(), &ini("ABC"), None).unwrap();
    }
    env.tamper_bytes("tree_heads", "root", "tree_size", 2, |b| b[5] ^= 0x80);
    let msg = problems(&mut v);
    assert!(msg.contains("signed tree head for size 2") && msg.contains("signature is invalid"), "{msg}");
}

fn deleted_event_is_named(env: TestEnv) {
    let mut v = env.open();
    let f = env.file("a.txt", b"a");
    for _ in 0..4 {
        v.add_exhibit(&f, &case(), &ini("ABC"), None).unwrap();
    }
    env.tamper("DELETE FROM events WHERE idx = 2");
    let msg = problems(&mut v);
    assert!(msg.contains("event #2 is missing"), "{msg}");
}

fn deleted_last_event_is_named(env: TestEnv) {
    let mut v = env.open();
    let f = env.file("a.txt", b"a");
    for _ in 0..3 {
        v.add_exhibit(&f, &case(), &ini("ABC"), None).unwrap();
    }
    env.tamper("DELETE FROM events WHERE idx = 3");
    let msg = problems(&mut v);
    assert!(msg.contains("size 4") && msg.contains("events were removed"), "{msg}");
    assert!(msg.contains("exhibit ABC/3"), "the exhibit that lost its event is named too: {msg}");
}

fn events_and_heads_refuse_update_and_delete(env: TestEnv) {
    for sql in [
        "UPDATE events SET actor = 'X' WHERE idx = 0",
        "DELETE FROM events WHERE idx = 0",
        "UPDATE tree_heads SET timestamp_ms = 0",
        "DELETE FROM tree_heads",
    ] {
        let e = env.raw(sql).unwrap_err();
        assert!(e.contains("append-only"), "{sql}: {e}");
    }
    assert!(env.open().verify().unwrap().ok());
}

fn store_hashes_altered_are_named(env: TestEnv) {
    let mut v = env.open();
    let f = env.file("a.txt", b"abc");
    v.add_exhibit(&f, &case(), &ini("ABC"), None).unwrap();
    match env.backend {
        Backend::Sqlite => env.raw("UPDATE exhibits SET md5 = zeroblob(16)").unwrap(),
        Backend::Postgres => env.raw("UPDATE exhibits SET md5 = '\\x00000000000000000000000000000000'::bytea").unwrap(),
    }
    let msg = problems(&mut v);
    assert!(msg.contains("exhibit ABC/1") && msg.contains("differ"), "{msg}");
}

fn deletion_crypto_shreds_but_keeps_the_digest(env: TestEnv) {
    let v = env.open();
    let f = env.file("a.txt", b"to be deleted");
    let a = v.add_exhibit(&f, &case(), &ini("ABC"), None).unwrap();
    let d = v.delete_exhibit(&a.reference, "retention: no further action, review period passed", &actor()).unwrap();
    assert!(d.shredded);
    assert!(env.store().keys_for(&a.hashes.sha256).unwrap().is_empty(), "wrapped keys destroyed");
    let e = v.get_exhibit(&a.reference, &env.dir.path().join("o"), "look", &actor()).unwrap_err();
    assert!(matches!(e, CoreError::Deleted { .. }), "{e}");
    let h = v.history(&a.reference).unwrap();
    assert_eq!(h.last().unwrap().event.kind, EventKind::Deleted);
    assert_eq!(h.last().unwrap().event.digest, Some(a.hashes.sha256), "the digest stays in the log");
    let r = v.verify().unwrap();
    assert!(r.ok(), "{:?}", r.problems);
    assert_eq!(r.deleted_exhibits, 1);
}

/// SQLite only: a shredded key must not linger where someone with the disk
/// could read it back, neither in the database's free pages nor in its
/// write-ahead log (which keeps each page's earlier versions until a
/// checkpoint). Deleted while the store stays open, as under `serve`.
#[test]
fn a_shredded_key_is_gone_from_the_database_file_and_its_log() {
    let env = TestEnv::new(Backend::Sqlite).unwrap();
    let v = env.open();
    let f = env.file("a.txt", b"to be shredded");
    let a = v.add_exhibit(&f, &case(), &ini("ABC"), None).unwrap();
    let keys = env.store().keys_for(&a.hashes.sha256).unwrap();
    assert_eq!(keys.len(), 1);
    let wrapped = keys[0].wrapped.clone();
    let on_disk = || {
        ["vigil.db", "vigil.db-wal"]
            .iter()
            .filter_map(|n| std::fs::read(env.data().join(n)).ok())
            .any(|bytes| bytes.windows(wrapped.len()).any(|w| w == wrapped.as_slice()))
    };
    assert!(on_disk(), "the wrapped key is on disk before deletion, so the search can find it");
    assert!(v.delete_exhibit(&a.reference, "retention: review period passed", &actor()).unwrap().shredded);
    assert!(!on_disk(), "the shredded key survives in vigil.db or its WAL");
    assert!(v.verify().unwrap().ok());
}

fn shared_content_survives_deleting_one_exhibit(env: TestEnv) {
    let v = env.open();
    let f = env.file("a.txt", b"same bytes");
    let a = v.add_exhibit(&f, &case(), &ini("ABC"), None).unwrap();
    let b = v.add_exhibit(&f, &case(), &ini("DEF"), None).unwrap();
    assert!(b.deduplicated);
    let d = v.delete_exhibit(&a.reference, "duplicate exhibit", &actor()).unwrap();
    assert!(!d.shredded);
    v.get_exhibit(&b.reference, &env.dir.path().join("o"), "still needed", &actor()).unwrap();
    assert!(v.verify().unwrap().ok());
}

/// Issue 24, finding 8: a retention deletion destroyed every key of the
/// content, including one a concurrent add of the same content had just
/// committed, and the add then recorded an exhibit nobody could read.
fn a_deletion_racing_an_add_of_the_same_content_leaves_nothing_unreadable(env: TestEnv) {
    let v = env.open();
    let bytes = vec![42u8; 200 << 10];
    let f = env.file("same.bin", &bytes);
    let first = v.add_exhibit(&f, &case(), &ini("DEL"), None).unwrap();
    let (data, gone) = (env.data(), first.reference.clone());
    vigil_core::test_hooks::once_between_check_and_write(&env.data(), &case(), move || {
        let other = Vigil::open(&data).unwrap();
        assert!(other.delete_exhibit(&gone, "retention review (synthetic)", &actor()).unwrap().shredded);
    });
    let e = v.add_exhibit(&f, &case(), &ini("DEL"), None).unwrap_err();
    assert!(e.to_string().contains("retention decision"), "{e}");
    // Nothing was recorded that cannot be read, and the log still verifies.
    assert_eq!(env.store().exhibits().unwrap().len(), 1);
    assert!(v.verify().unwrap().ok());
    // Added again, it is whole.
    let again = v.add_exhibit(&f, &case(), &ini("DEL"), None).unwrap();
    v.get_exhibit(&again.reference, &env.dir.path().join("o"), "after the race", &actor()).unwrap();
    assert_eq!(std::fs::read(env.dir.path().join("o")).unwrap(), bytes);
}

/// Issue 24, finding 8: a submission whose unit failed left its attachment
/// sealed in the vault under a live key, readable though never an exhibit.
#[test]
fn a_failed_submission_leaves_no_readable_attachment() {
    let Some(env) = TestEnv::new(Backend::Sqlite) else { return };
    let v = env.open();
    let conn = rusqlite::Connection::open(env.data().join("vigil.db")).unwrap();
    conn.execute_batch(
        "CREATE TRIGGER fail_receipts BEFORE INSERT ON report_receipts BEGIN SELECT RAISE(ABORT, 'disk trouble'); END;",
    )
    .unwrap();
    let attachment = vigil_core::Attachment {
        name: "chat.txt".into(),
        content_type: "text/plain".into(),
        bytes: "SYNTHETIC chat line\n".repeat(8000).into_bytes(),
    };
    assert!(attachment.bytes.len() > 64 << 10, "large enough to go to the vault folder");
    v.submit_public_report_with(&synthetic_report(), std::slice::from_ref(&attachment)).unwrap_err();
    use sha2::Digest;
    let sha = vigil_domain::Sha256Digest(sha2::Sha256::digest(&attachment.bytes).into());
    assert!(env.store().keys_for(&sha).unwrap().is_empty(), "no live key for content that is no exhibit");
    let hex = sha.to_hex();
    assert!(!env.data().join("vault/blobs").join(&hex[..2]).join(&hex).exists(), "nor its sealed file");
    assert!(env.store().exhibits().unwrap().is_empty());
}

fn key_rotation_rewraps_without_rewriting_blobs(env: TestEnv) {
    let mut v = env.open();
    let f = env.file("a.txt", b"rotate me");
    let a = v.add_exhibit(&f, &case(), &ini("ABC"), None).unwrap();
    let hex = a.hashes.sha256.to_hex();
    let blob = env.data().join("vault/blobs").join(&hex[..2]).join(&hex);
    let before = read(&blob);
    let old_key = read(&env.data().join("keys/master.key"));
    let r = v.rotate_master_key(&actor()).unwrap();
    assert_eq!(r.keys_rewrapped, 1);
    assert_eq!(read(&blob), before, "blob bytes unchanged");
    assert_ne!(read(&env.data().join("keys/master.key")), old_key);
    drop(v);
    let v = env.open();
    v.get_exhibit(&a.reference, &env.dir.path().join("o"), "after rotation", &actor()).unwrap();
    assert!(v.verify().unwrap().ok());
}

/// Issue 24, finding 4: `exhibit add` during `keys rotate` printed RT/1 and
/// exited 0, and the exhibit was unreadable for good. Every open of a data
/// directory now holds its lock shared, taken before the keys are loaded,
/// and a rotation needs it alone.
fn a_rotation_is_refused_while_another_vigil_has_the_directory_open(env: TestEnv) {
    let writer = env.open();
    let mut rotator = env.open();
    let e = rotator.rotate_master_key(&actor()).unwrap_err();
    assert!(e.to_string().contains("another Vigil process"), "{e}");
    let f = env.file("a.txt", b"written beside a refused rotation");
    let a = writer.add_exhibit(&f, &case(), &ini("RT"), None).unwrap();
    drop(writer);
    rotator.rotate_master_key(&actor()).unwrap();
    drop(rotator);
    let v = env.open();
    v.get_exhibit(&a.reference, &env.dir.path().join("o"), "after rotation", &actor()).unwrap();
    assert!(v.verify().unwrap().ok());
}

/// The lock is per machine; nodes sharing PostgreSQL are held apart by the
/// store: a key wrapped under a master key that a rotation has retired is
/// refused in the transaction that would store it, and nothing is kept.
fn a_key_wrapped_under_a_retired_master_key_is_refused(env: TestEnv) {
    let v = env.open();
    let before = v.verify().unwrap().events;
    {
        // Another node's rotation, as the store sees it.
        let mut store = env.store();
        let old = store.current_master_key().unwrap().unwrap();
        let mut tx = store.begin().unwrap();
        tx.insert_master_key("mk-from-another-node", 1).unwrap();
        tx.retire_master_key(&old, 2).unwrap();
        tx.commit().unwrap();
    }
    let big = vec![7u8; 200 << 10];
    for bytes in [&b"small, kept in the store"[..], &big[..]] {
        let f = env.file("late.txt", bytes);
        let e = v.add_exhibit(&f, &case(), &ini("RT"), None).unwrap_err();
        assert!(matches!(e, CoreError::Store(vigil_store::StoreError::RetiredMasterKey(_))), "{e}");
        assert!(e.to_string().contains("key rotation"), "{e}");
    }
    let e =
        v.add_user("late.user", vigil_domain::Role::Investigator, "a long enough passphrase", &actor()).unwrap_err();
    assert!(e.to_string().contains("key rotation"), "{e}");
    assert!(env.store().user("late.user").unwrap().is_none());
    assert_eq!(env.store().log_state().unwrap().size, before, "no event for what was not kept");
}

fn wrong_master_key_is_refused(env: TestEnv) {
    let other = tempfile::tempdir().unwrap();
    Vigil::init(&other.path().join("d"), None).unwrap();
    std::fs::copy(other.path().join("d/keys/master.key"), env.data().join("keys/master.key")).unwrap();
    let e = Vigil::open(&env.data()).err().expect("a wrong master key must be refused");
    assert!(e.to_string().contains("wrong master key file"), "{e}");
}

fn export_verifies_offline_and_tampering_is_caught(env: TestEnv) {
    let v = env.open();
    let f = env.file("a.txt", b"a");
    for _ in 0..3 {
        v.add_exhibit(&f, &case(), &ini("ABC"), None).unwrap();
    }
    let out = env.dir.path().join("log.jsonl");
    assert_eq!(v.export_log(&out).unwrap(), (4, 4));
    let key = v.public_key();
    let s = verify_export(std::io::BufReader::new(std::fs::File::open(&out).unwrap()), &key).unwrap();
    assert_eq!(s.events, 4);
    let text = String::from_utf8(read(&out)).unwrap();
    let bad = text.replacen("ABC/2", "ABC/9", 1);
    let e = verify_export(bad.as_bytes(), &key).unwrap_err().to_string();
    assert!(e.contains("line"), "{e}");
    let cut = &text[..text.len() / 2];
    assert!(verify_export(cut.as_bytes(), &key).is_err());
}

fn proofs_verify(env: TestEnv) {
    let v = env.open();
    let f = env.file("a.txt", b"a");
    let a = v.add_exhibit(&f, &case(), &ini("ABC"), None).unwrap();
    for _ in 0..6 {
        v.add_exhibit(&f, &case(), &ini("XY"), None).unwrap();
    }
    v.get_exhibit(&a.reference, &env.dir.path().join("o"), "proof test", &actor()).unwrap();
    let b = v.prove_exhibit(&a.reference).unwrap();
    assert_eq!(b.proofs.len(), 2);
    let root = b.tree_head.head.root;
    for p in &b.proofs {
        let leaf: [u8; 32] = hex::decode(&p.leaf_hash).unwrap().try_into().unwrap();
        let path: Vec<[u8; 32]> = p.audit_path.iter().map(|h| hex::decode(h).unwrap().try_into().unwrap()).collect();
        verify_inclusion(p.index, b.tree_head.head.tree_size, &leaf, &path, &root).unwrap();
    }
    b.tree_head.verify(&v.public_key()).unwrap();
    let c = v.prove_consistency(3).unwrap();
    let first: [u8; 32] = hex::decode(&c.first_root).unwrap().try_into().unwrap();
    let path: Vec<[u8; 32]> = c.proof.iter().map(|h| hex::decode(h).unwrap().try_into().unwrap()).collect();
    verify_consistency(3, c.second_head.head.tree_size, &first, &c.second_head.head.root, &path).unwrap();
    assert!(c.first_head.is_some(), "every append signs a head, so size 3 has one");
}

fn two_processes_appending_never_fork_the_log(env: TestEnv) {
    let data = env.data();
    let f = env.file("a.txt", b"concurrent");
    let workers: Vec<_> = (0..2)
        .map(|w| {
            let (data, f) = (data.clone(), f.clone());
            std::thread::spawn(move || {
                let v = Vigil::open(&data).unwrap();
                let mut refs = Vec::new();
                for i in 0..20 {
                    let ev = CustodyEvent::new(
                        EventKind::Reviewed,
                        Actor::parse(&format!("worker{w}")).unwrap(),
                        vigil_core::now(),
                        ObjectRef::parse(&format!("note:{w}-{i}")).unwrap(),
                    );
                    v.append_events(&[ev.clone(), ev]).unwrap();
                    refs.push(v.add_exhibit(&f, &support::case(), &support::ini("CON"), None).unwrap().reference);
                }
                refs
            })
        })
        .collect();
    let mut refs: Vec<ExhibitRef> = workers.into_iter().flat_map(|h| h.join().unwrap()).collect();
    refs.sort();
    refs.dedup();
    assert_eq!(refs.len(), 40, "every exhibit got its own number");
    let v = env.open();
    let r = v.verify().unwrap();
    assert!(r.ok(), "{:?}", r.problems);
    assert_eq!(r.events, 1 + 2 * 20 * 3);
    assert_eq!(r.heads, 1 + 2 * 20 * 2);
}

fn bad_input_loses_nothing(env: TestEnv) {
    let mut v = env.open();
    let size = |_: &mut Vigil| env.store().log_state().unwrap().size;
    let n0 = size(&mut v);
    let missing = env.dir.path().join("nope.txt");
    let e = v.add_exhibit(&missing, &case(), &ini("ABC"), None).unwrap_err().to_string();
    assert!(e.contains("nope.txt") && e.contains("no such file"), "{e}");
    let e = v.add_exhibit(env.dir.path(), &case(), &ini("ABC"), None).unwrap_err().to_string();
    assert!(e.contains("is a directory"), "{e}");
    // A file whose read fails partway (as an unreadable device would).
    let e = v.add_exhibit(std::path::Path::new("/proc/self/mem"), &case(), &ini("ABC"), None).unwrap_err().to_string();
    assert!(e.contains("/proc/self/mem") && e.contains("reading failed"), "{e}");
    let f = env.file("ok.txt", b"fine");
    let e = v.add_exhibit(&f, &case(), &ini("ABC"), Some("bad\u{7}note")).unwrap_err().to_string();
    assert!(e.contains("control characters"), "{e}");
    let e = v
        .get_exhibit(&ExhibitRef::parse("ABC/7").unwrap(), &env.dir.path().join("o"), "x", &actor())
        .unwrap_err()
        .to_string();
    assert!(e.contains("ABC/7 does not exist"), "{e}");
    assert_eq!(size(&mut v), n0, "no event was logged for refused input");
    let tmp = std::fs::read_dir(env.data().join("vault/tmp")).unwrap().count();
    assert_eq!(tmp, 0, "no temp files left behind");
    // And the store still works.
    let a = v.add_exhibit(&f, &case(), &ini("ABC"), None).unwrap();
    assert_eq!(a.reference.to_string(), "ABC/1");
    assert!(v.verify().unwrap().ok());
}

fn b32decode(s: &str) -> Vec<u8> {
    vigil_core::base32_decode(s).expect("a base32 TOTP secret")
}

fn officer_accounts_and_sessions(env: TestEnv) {
    let mut v = env.open();
    let pw = "a long enough passphrase";
    let e = v.add_user("jsmith", vigil_domain::Role::Investigator, pw, &actor()).unwrap();
    assert!(v
        .add_user("jsmith", vigil_domain::Role::Investigator, pw, &actor())
        .unwrap_err()
        .to_string()
        .contains("already exists"));
    let secret = b32decode(&e.secret_base32);
    let step = vigil_core::totp_step(vigil_core::now().unix_millis());
    let code = format!("{:06}", vigil_core::totp_code(&secret, step));
    assert!(v.login("jsmith", "wrong passphrase!!", &code).unwrap().is_err());
    let (token, s) = v.login("jsmith", pw, &code).unwrap().unwrap();
    assert_eq!(s.role, vigil_domain::Role::Investigator);
    assert!(v.login("jsmith", pw, &code).unwrap().is_err(), "a code is single use");
    assert_eq!(v.session(&token).unwrap().unwrap().username, "jsmith");
    v.logout(&token).unwrap();
    assert!(v.session(&token).unwrap().is_none());
    let stored = env.store().user("jsmith").unwrap().unwrap().totp_secret;
    assert_eq!(stored.len(), 24 + 20 + 16, "the seed is stored sealed");
    assert!(!stored.windows(secret.len()).any(|w| w == secret.as_slice()), "never in the clear");
    // After a master key rotation the seed still opens (it was re-wrapped).
    v.rotate_master_key(&actor()).unwrap();
    let next = format!("{:06}", vigil_core::totp_code(&secret, step + 1));
    assert!(v.login("jsmith", pw, &next).unwrap().is_ok(), "TOTP works after rotation");
    assert!(v.verify().unwrap().ok(), "account creation is a custody event");
}

/// Issue 24, finding 3: four sign-ins racing with one code gave four
/// sessions (the used step was read, then written later). Now the step is
/// claimed by a conditional update in the unit that makes the session.
fn racing_sign_ins_with_one_code_give_one_session(env: TestEnv) {
    let v = env.open();
    let pw = "a long enough passphrase";
    let e = v.add_user("racer", vigil_domain::Role::Investigator, pw, &actor()).unwrap();
    let secret = b32decode(&e.secret_base32);
    let code = format!("{:06}", vigil_core::totp_code(&secret, vigil_core::totp_step(vigil_core::now().unix_millis())));
    let n = 6;
    let start = std::sync::Barrier::new(n);
    let signed_in = std::thread::scope(|s| {
        let handles: Vec<_> = (0..n)
            .map(|_| {
                s.spawn(|| {
                    start.wait();
                    v.login("racer", pw, &code).unwrap().is_ok()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).filter(|ok| *ok).count()
    });
    assert_eq!(signed_in, 1, "one code, one session");
    let user = env.store().user("racer").unwrap().unwrap();
    assert_eq!(user.failed, (n - 1) as u32, "the losers are counted as failures");
    assert!(user.last_totp_step > 0, "and none wrote back an older step");
}

fn public_report_receipts(env: TestEnv) {
    let v = env.open();
    let r = vigil_domain::PublicReport {
        kind: vigil_domain::ReportKind::Sextortion,
        immediate_danger: true,
        meeting_planned: false,
        images_exchanged: true,
        platform: "ExampleChat".into(),
        identifiers: vec!["demo_user_a".into()],
        child: String::new(),
        dates: String::new(),
        account: "SYNTHETIC TEST report".into(),
        contact: None,
        about: Default::default(),
    };
    let receipt = v.submit_public_report(&r).unwrap();
    assert_eq!(v.check_receipt(&receipt.code, &receipt.secret).unwrap(), Some(receipt.exhibit.clone()));
    assert_eq!(v.check_receipt(&receipt.code, "nope").unwrap(), None);
    assert_eq!(v.check_receipt("VR-0000-0000", &receipt.secret).unwrap(), None);
    let added = v.add_to_public_report(&receipt.code, &receipt.secret, "more detail").unwrap().unwrap();
    assert_ne!(added.addition, receipt.exhibit);
    assert_eq!(added.report, receipt.exhibit);
    assert!(added.report_live, "a new report is still being worked");
    assert!(v.add_to_public_report(&receipt.code, "wrong", "x").unwrap().is_none());
    // A receipt issued when secrets were stored as argon2id still opens.
    use argon2::password_hash::{PasswordHasher, SaltString};
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    let old_hash = argon2::Argon2::default().hash_password(b"OLD-SECRET", &salt).unwrap().to_string();
    {
        let mut raw = env.store();
        let mut tx = raw.begin().unwrap();
        tx.insert_receipt("VR-OLD0-0000", &receipt.exhibit, &old_hash, 0).unwrap();
        tx.commit().unwrap();
    }
    assert_eq!(v.check_receipt("VR-OLD0-0000", "OLD-SECRET").unwrap(), Some(receipt.exhibit.clone()));
    assert_eq!(v.check_receipt("VR-OLD0-0000", "NEW-SECRET").unwrap(), None);
    // A row put in by hand is one no event accounts for...
    let msg = problems(&mut env.open());
    assert!(msg.contains("table report_receipts, row (code=VR-OLD0-0000): no custody event made it"), "{msg}");
    // ...unless it was there before events recorded their rows: a store
    // from then is given a baseline of every row when it is next opened.
    drop(v);
    env.raw("DELETE FROM meta WHERE key = 'projection_baseline'").unwrap();
    let v = env.open();
    let r = v.verify().unwrap();
    assert!(r.ok(), "{:?}", r.problems);
}

/// Issue 28, point 4: reports that wait for the log together are written
/// in shared units (one sequencer lock, one signed head, one statement for
/// their rows), and each is answered for itself: its own number, receipt,
/// identifiers and reporter, and the log verifies. Reports with a file
/// attached, written a unit each, run among them.
fn reports_sent_at_once_are_written_together_and_each_is_answered(env: TestEnv) {
    let v = std::sync::Arc::new(env.open());
    let before = v.verify().unwrap();
    const N: usize = 24;
    let start = std::sync::Arc::new(std::sync::Barrier::new(N + 1));
    let threads: Vec<_> = (0..N)
        .map(|n| {
            let (v, start) = (v.clone(), start.clone());
            std::thread::spawn(move || {
                let mut r = synthetic_report();
                r.identifiers = vec![format!("suite_user_{n}")];
                r.platform = "ExampleChat".into();
                r.contact = Some(format!("reporter{n}@example.invalid"));
                start.wait();
                if n % 6 == 5 {
                    let a = vigil_core::Attachment {
                        name: format!("note{n}.txt"),
                        content_type: "text/plain".into(),
                        bytes: format!("attachment of report {n}").into_bytes(),
                    };
                    v.submit_public_report_with(&r, &[a]).unwrap()
                } else {
                    v.submit_public_report(&r).unwrap()
                }
            })
        })
        .collect();
    // Every writer waits behind the lock on the log until all have sent.
    let receipts = joined_behind_the_log(&env, &start, threads);
    let mut refs: Vec<ExhibitRef> = receipts.iter().map(|r| r.exhibit.clone()).collect();
    refs.sort();
    refs.dedup();
    assert_eq!(refs.len(), N, "every report has its own exhibit");
    for r in &receipts {
        assert_eq!(v.check_receipt(&r.code, &r.secret).unwrap(), Some(r.exhibit.clone()), "receipt {}", r.code);
    }
    let mut raw = env.store();
    // Each backend renders rows its own way; without spaces they agree.
    let identifiers = raw.projection_rows("report_identifiers").unwrap().join("\n").replace(' ', "");
    let reporters = raw.projection_rows("report_reporters").unwrap();
    for (n, r) in receipts.iter().enumerate() {
        let row = format!("\"exhibit\":\"{}\",\"identifier\":\"username:examplechat/suite_user_{n}\"", r.exhibit);
        assert!(identifiers.contains(&row), "report {n}'s identifier with {}: {identifiers}", r.exhibit);
    }
    assert_eq!(reporters.len(), N, "one reporter pseudonym each: {reporters:?}");
    let asked =
        ["username:examplechat/suite_user_3", "username:examplechat/nobody", "username:examplechat/suite_user_3"]
            .map(String::from);
    assert_eq!(raw.reports_holding_each(&asked).unwrap(), vec![1, 0, 1], "reports holding each identifier");
    let after = v.verify().unwrap();
    assert!(after.ok(), "{:?}", after.problems);
    // An attachment is an exhibit with its own event, in its report's unit.
    assert_eq!(after.events - before.events, (N + N / 6) as u64);
    let units = after.heads - before.heads;
    assert!(units < N as u64, "{N} reports sent at once were written in {units} units");
    // A report is assessed against the reports stored before it: read in
    // its unit when it has no files, before its unit when it has.
    let mut again = synthetic_report();
    again.platform = "ExampleChat".into();
    again.identifiers = ["suite_user_3", "suite_user_5", "suite_user_new"].map(String::from).to_vec();
    let alone = v.submit_public_report(&again).unwrap();
    let file = vigil_core::Attachment { name: "n.txt".into(), content_type: "text/plain".into(), bytes: b"n".to_vec() };
    let with_file = v.submit_public_report_with(&again, &[file]).unwrap();
    let mut factors = |e: &ExhibitRef| raw.report(e).unwrap().unwrap().factors;
    let (alone, with_file) = (factors(&alone.exhibit), factors(&with_file.exhibit));
    assert!(alone.contains("2 identifier(s) seen in other reports (up to 1)"), "{alone}");
    assert!(with_file.contains("3 identifier(s) seen in other reports (up to 2)"), "{with_file}");
}

/// Capture (projection.rs): inserts of several rows in one statement and
/// an update each leave exactly their rows, once. On
/// PostgreSQL, inserts are captured a statement at a time; a store made
/// when one row trigger captured everything is given both when opened.
fn each_inserted_and_updated_row_is_captured_once_and_old_triggers_are_replaced(env: TestEnv) {
    let v = env.open();
    let captured = |env: &TestEnv| {
        let (_, mut captured) = env.store().tables().unwrap();
        captured.sort();
        captured
    };
    let mut projected: Vec<String> = vigil_store::PROJECTED.iter().map(|p| p.table.to_owned()).collect();
    projected.sort();
    assert_eq!(captured(&env), projected);
    // Each row once: the order of tables within one statement is the
    // backend's, so the changes are compared as a sorted list, and an
    // update is checked to come after the insert of its row.
    let changes = |env: &TestEnv| {
        let mut s = env.store();
        let mut tx = s.begin().unwrap();
        let r = ExhibitRef::parse("PR/9001").unwrap();
        let report = vigil_store::ReportRow {
            exhibit: r.clone(),
            received_ms: 1,
            immediate: false,
            score: 0,
            factors: "[]".into(),
            grade: None,
            graded_by: None,
            graded_ms: None,
            state: vigil_domain::ReportState::New,
            closed_reason: None,
            kind: None,
        };
        tx.insert_report(&report, &["id:a".into(), "id:b".into()]).unwrap();
        tx.insert_report_reporters(&r, &["k1".into(), "k2".into(), "k3".into()]).unwrap();
        tx.set_report_state(&r, vigil_domain::ReportState::Closed, Some("test")).unwrap();
        let c = tx.take_projection_changes().unwrap();
        let line = |c: &vigil_store::ProjectionChange| format!("{} {} {}", c.table, c.old.is_some(), c.new.is_some());
        let inserted = c.iter().position(|c| c.table == "reports" && c.old.is_none()).expect("the insert");
        let updated = c.iter().position(|c| c.table == "reports" && c.old.is_some()).expect("the update");
        assert!(
            inserted < updated,
            "the update is captured after the insert: {:?}",
            c.iter().map(line).collect::<Vec<_>>()
        );
        let mut lines: Vec<String> = c.iter().map(line).collect();
        lines.sort();
        lines
    };
    let expected = vec![
        "report_identifiers false true",
        "report_identifiers false true",
        "report_reporters false true",
        "report_reporters false true",
        "report_reporters false true",
        "reports false true",
        "reports true true",
    ];
    assert_eq!(changes(&env), expected, "each inserted and updated row once");
    drop(v);
    if env.backend != Backend::Postgres {
        return;
    }
    // The layout of stores made before session 23: one row trigger a table.
    for p in vigil_store::PROJECTED {
        env.raw(&format!(
            "DROP TRIGGER vigil_capture_insert ON {t}; CREATE OR REPLACE TRIGGER vigil_capture \
             AFTER INSERT OR UPDATE OR DELETE ON {t} FOR EACH ROW EXECUTE FUNCTION vigil_capture()",
            t = p.table
        ))
        .unwrap();
    }
    // Opening the store (as `env.store()` does below too) puts both back.
    let v = env.open();
    assert_eq!(captured(&env), projected);
    assert_eq!(changes(&env), expected, "no insert captured twice after the triggers were replaced");
    v.submit_public_report(&synthetic_report()).unwrap();
    let r = v.verify().unwrap();
    assert!(r.ok(), "{:?}", r.problems);
}

fn partner_referrals_files_and_links(env: TestEnv) {
    use sha2::Digest;
    let v = env.open();
    let key = v.add_partner("Suite Partner (synthetic)", &actor()).unwrap();
    let p = v.partner_for_key(&key.key).unwrap().expect("the key opens its partner");
    let spare = v.add_partner("Revoked Partner (synthetic)", &actor()).unwrap();
    v.revoke_partner(&spare.id, "contract ended", &actor()).unwrap();
    assert!(v.partner_for_key(&spare.key).unwrap().is_none(), "a revoked key opens nothing");
    assert!(v.revoke_partner(&spare.id, "again", &actor()).is_err());
    assert!(v.partner_for_key(&key.key.replace("vgp_", "vgx_")).unwrap().is_none());
    let mut forged = key.key.clone();
    let last = forged.pop().unwrap();
    forged.push(if last == '0' { '1' } else { '0' });
    assert!(v.partner_for_key(&forged).unwrap().is_none(), "a key differing in one character opens nothing");
    let bytes = b"SYNTHETIC partner file";
    let body = format!(
        r#"{{"incident":{{"kind":"sextortion","summary":"SYNTHETIC","platform":"ExampleChat","immediate_danger":false,
            "meeting_planned":false,"images_exchanged":true}},
          "reported_users":[{{"identifiers":[{{"kind":"username","value":"suite_user"}}]}}],
          "files":[{{"name":"f.txt","size":{},"content_type":"text/plain","sha256":"{}"}}]}}"#,
        bytes.len(),
        hex::encode(sha2::Sha256::digest(bytes))
    );
    let a = v.submit_referral(&p, "suite-1", body.as_bytes()).unwrap();
    assert!(!a.replayed);
    let again = v.submit_referral(&p, "suite-1", body.as_bytes()).unwrap();
    assert!(again.replayed);
    assert_eq!(again.receipt, a.receipt);
    assert!(matches!(v.submit_referral(&p, "suite-1", b"{}"), Err(vigil_core::IntakeError::Conflict(_))));
    let slot = v.referral_file_slot(&p, a.receipt.id, 0).unwrap();
    let pending = v.ingester().ingest(&bytes[..]).unwrap();
    let up = v.accept_referral_file(&p, &slot, pending).unwrap();
    assert!(matches!(v.referral_file_slot(&p, a.receipt.id, 0), Err(vigil_core::IntakeError::Conflict(_))));
    let referral = vigil_domain::ExhibitRef::parse(&a.receipt.referral).unwrap();
    let files = env.store().report_files(&referral).unwrap();
    assert_eq!(files[0].exhibit.as_ref().map(|e| e.to_string()), Some(up.exhibit));

    // Issue 24, finding 8: two uploads of one declared file, racing past
    // the check that it is still awaited, were both accepted.
    let b = v.submit_referral(&p, "suite-2", body.replace("suite_user", "suite_user_two").as_bytes()).unwrap();
    let slot = v.referral_file_slot(&p, b.receipt.id, 0).unwrap();
    let (data, racing_slot, racing_p) = (env.data(), slot.clone(), p.clone());
    let racing = v.ingester().ingest(&bytes[..]).unwrap();
    vigil_core::test_hooks::once_between_check_and_write(
        &env.data(),
        &vigil_domain::CaseId::parse("INTAKE-PARTNER").unwrap(),
        move || {
            let other = Vigil::open(&data).unwrap();
            other.accept_referral_file(&racing_p, &racing_slot, racing).unwrap();
        },
    );
    let e = v.accept_referral_file(&p, &slot, v.ingester().ingest(&bytes[..]).unwrap()).unwrap_err();
    assert!(e.to_string().contains("already received"), "{e}");
    let second = vigil_domain::ExhibitRef::parse(&b.receipt.referral).unwrap();
    let pa = env.store().exhibits().unwrap().iter().filter(|x| x.reference.to_string().starts_with("PA/")).count();
    assert_eq!(pa, 4, "two referrals and one file each, not a second copy of the second file");
    assert!(env.store().report_files(&second).unwrap()[0].exhibit.is_some());

    // Manual links, on both backends.
    let secret = b32decode(
        &v.add_user("suite.tri", vigil_domain::Role::TriageOfficer, "correct horse battery", &actor())
            .unwrap()
            .secret_base32,
    );
    let step = vigil_core::totp_step(vigil_core::now().unix_millis());
    let (_, officer) = v
        .login("suite.tri", "correct horse battery", &format!("{:06}", vigil_core::totp_code(&secret, step)))
        .unwrap()
        .unwrap();
    let r = vigil_domain::PublicReport {
        kind: vigil_domain::ReportKind::Other,
        immediate_danger: false,
        meeting_planned: false,
        images_exchanged: false,
        platform: "ExampleChat".into(),
        identifiers: vec!["suite_user".into()],
        child: String::new(),
        dates: String::new(),
        account: "SYNTHETIC".into(),
        contact: None,
        about: Default::default(),
    };
    let public = v.submit_public_report(&r).unwrap().exhibit;
    assert_eq!(v.linked_reports(&public, &officer).unwrap()[0].exhibit, referral, "linked by the shared username");
    v.set_report_link(&public, &referral, false, "coincidence", &officer).unwrap();
    assert!(v.linked_reports(&public, &officer).unwrap().is_empty());
    v.set_report_link(&referral, &public, true, "second look", &officer).unwrap();
    let l = v.linked_reports(&public, &officer).unwrap();
    assert_eq!(l[0].manual.as_deref(), Some("linked by suite.tri: second look"));
    assert!(v.verify().unwrap().ok());
}

fn cases_merge_and_split_keeping_history(env: TestEnv) {
    use vigil_domain::{CaseId, CaseRecord, Role};
    let mut v = env.open();
    let sup = vigil_core::OfficerSession { username: "m.sup".into(), role: Role::Supervisor, csrf: String::new() };
    let inv = vigil_core::OfficerSession { username: "m.inv".into(), role: Role::Investigator, csrf: String::new() };
    v.add_user("m.sup", Role::Supervisor, "correct horse battery", &actor()).unwrap();
    v.add_user("m.inv", Role::Investigator, "correct horse battery", &actor()).unwrap();
    let (a, b, c) =
        (CaseId::parse("CASE-A").unwrap(), CaseId::parse("CASE-B").unwrap(), CaseId::parse("CASE-C").unwrap());
    let report = |v: &mut Vigil| {
        let r = v.submit_public_report(&synthetic_report()).unwrap().exhibit;
        v.grade_report(&r, &vigil_domain::Grade::parse("2/B/P").unwrap(), "synthetic test grading", &sup).unwrap();
        r
    };
    let ra = report(&mut v);
    let rb = report(&mut v);
    v.report_to_case(&ra, &a, Some("A"), &sup).unwrap();
    v.report_to_case(&rb, &b, Some("B"), &sup).unwrap();
    v.assign_to_case(&b, "m.inv", &sup).unwrap();
    let x =
        v.add_exhibit_bytes(b"x", "x.txt", &a, &vigil_domain::Initials::parse("XA").unwrap(), None).unwrap().reference;
    let y =
        v.add_exhibit_bytes(b"y", "y.txt", &b, &vigil_domain::Initials::parse("XB").unwrap(), None).unwrap().reference;
    assert!(v.case_view(&a, &inv, "look").is_err(), "not yet on case A");
    assert!(v.merge_cases(&a, &b, "same suspect", &inv).is_err(), "supervisors only");
    assert!(v
        .add_case_record(&a, &CaseRecord::MergedFrom { case: "CASE-B".into(), reason: "r".into() }, &sup)
        .is_err());
    v.merge_cases(&a, &b, "same suspect", &sup).unwrap();
    let refs = |v: &mut Vigil, c: &CaseId| -> Vec<String> {
        v.exhibit_list(c, &sup).unwrap().iter().map(|e| e.reference.to_string()).collect()
    };
    let in_a = refs(&mut v, &a);
    for r in [&ra, &rb, &x, &y] {
        assert!(in_a.contains(&r.to_string()), "{r} in merged case A: {in_a:?}");
    }
    assert!(v.case_view(&a, &inv, "look").is_ok(), "B's officers now work A");
    let b_view = v.case_view(&b, &sup, "history").unwrap();
    assert!(b_view
        .records
        .iter()
        .any(|r| matches!(&r.record, CaseRecord::MergedInto { case, .. } if case == "CASE-A")));
    v.split_case(&a, &c, "C", std::slice::from_ref(&x), "separate victim", &sup).unwrap();
    assert_eq!(refs(&mut v, &c), vec![x.to_string()]);
    assert!(!refs(&mut v, &a).contains(&x.to_string()), "split off from A");
    assert!(v.split_case(&a, &c, "C again", std::slice::from_ref(&y), "r", &sup).is_err(), "C exists");
    assert!(v.verify().unwrap().ok());
}

/// Issue 10, point 7: the queue was `LIMIT 500` over every report ever
/// received, so once 500 higher-scored reports existed a new one never
/// appeared. 2,000 old reports with high scores (graded, in cases and
/// closed), then one new report: it is on the first page of new reports,
/// and none of the others is mixed in. An urgent one tops the page even
/// with 2,000 open high-scored reports ahead of it.
fn a_new_report_is_on_the_first_page_however_many_came_before(env: TestEnv) {
    use vigil_domain::{ReportState, Role};
    let v = env.open();
    {
        // The old reports go in as someone with database access would put
        // them, in one transaction, to keep the test fast.
        let mut raw = env.store();
        let mut tx = raw.begin().unwrap();
        for k in 0..2000u32 {
            let exhibit = ExhibitRef::parse(&format!("OLD/{}", k + 1)).unwrap();
            tx.insert_report(
                &vigil_store::ReportRow {
                    exhibit: exhibit.clone(),
                    received_ms: 1_000 + i64::from(k),
                    immediate: k % 10 == 0,
                    score: 90,
                    factors: "[]".into(),
                    grade: None,
                    graded_by: None,
                    graded_ms: None,
                    state: ReportState::New,
                    closed_reason: None,
                    kind: None,
                },
                &[],
            )
            .unwrap();
            match k % 3 {
                0 => tx.set_grade(&exhibit, "2/B/P", "t.old", 2_000).unwrap(),
                1 => tx.set_report_state(&exhibit, ReportState::Closed, Some("no-further-action")).unwrap(),
                _ => tx.set_report_state(&exhibit, ReportState::InCase, None).unwrap(),
            }
        }
        tx.commit().unwrap();
    }
    let triage =
        vigil_core::OfficerSession { username: "t.queue".into(), role: Role::TriageOfficer, csrf: String::new() };
    let mut report = synthetic_report();
    let new = v.submit_public_report(&report).unwrap().exhibit;
    let page = v.triage_queue(&triage, ReportState::New, vigil_domain::QueueOrder::Urgency, 1).unwrap();
    let refs: Vec<String> = page.items.iter().map(|i| i.exhibit.to_string()).collect();
    assert_eq!(refs, vec![new.to_string()], "only the new report is new");
    let count = |p: &vigil_core::QueuePage, s: ReportState| p.counts.iter().find(|(k, _)| *k == s).unwrap().1;
    assert_eq!(count(&page, ReportState::New), 1);
    assert_eq!(count(&page, ReportState::Graded), 667);
    assert_eq!(count(&page, ReportState::Closed), 667);
    assert_eq!(count(&page, ReportState::InCase), 666);
    let graded = v.triage_queue(&triage, ReportState::Graded, vigil_domain::QueueOrder::Urgency, 1).unwrap();
    assert_eq!(graded.items.len() as u64, vigil_core::QUEUE_PAGE);
    assert_eq!(graded.pages, 667u64.div_ceil(vigil_core::QUEUE_PAGE));
    assert!(graded.items.iter().all(|i| i.state == ReportState::Graded && i.exhibit != new));
    let last = v.triage_queue(&triage, ReportState::Graded, vigil_domain::QueueOrder::Urgency, 999).unwrap();
    assert_eq!(last.page, last.pages, "a page past the end shows the last page");

    // 2,000 open reports with high scores, then an urgent one: it comes first.
    {
        let mut raw = env.store();
        let mut tx = raw.begin().unwrap();
        for k in 0..2000u32 {
            let exhibit = ExhibitRef::parse(&format!("OPEN/{}", k + 1)).unwrap();
            let row = vigil_store::ReportRow {
                exhibit,
                received_ms: 5_000 + i64::from(k),
                immediate: false,
                score: 95,
                factors: "[]".into(),
                grade: None,
                graded_by: None,
                graded_ms: None,
                state: ReportState::New,
                closed_reason: None,
                kind: None,
            };
            tx.insert_report(&row, &[]).unwrap();
        }
        tx.commit().unwrap();
    }
    report.immediate_danger = true;
    let urgent = v.submit_public_report(&report).unwrap().exhibit;
    let page = v.triage_queue(&triage, ReportState::New, vigil_domain::QueueOrder::Urgency, 1).unwrap();
    assert_eq!(page.items[0].exhibit, urgent, "immediate danger first");
    assert_eq!(count(&page, ReportState::New), 2002);
    // Closing moves a report out of the open tabs, with its reason, as a custody event.
    v.close_report(&urgent, vigil_domain::CloseReason::ReferredElsewhere, "passed to the owning force", &triage)
        .unwrap();
    let page = v.triage_queue(&triage, ReportState::New, vigil_domain::QueueOrder::Urgency, 1).unwrap();
    assert_ne!(page.items[0].exhibit, urgent);
    assert!(v.close_report(&urgent, vigil_domain::CloseReason::Duplicate, "", &triage).is_err());
    // The rows put in directly stand for reports from before events recorded
    // their rows: the next open gives them a baseline, then all verifies.
    drop(v);
    env.raw("DELETE FROM meta WHERE key = 'projection_baseline'").unwrap();
    let r = env.open().verify().unwrap();
    assert!(r.ok(), "{:?}", r.problems);
}

/// Issue 11, finding 2: `redact_exhibit` checked the officer against their
/// own case but decrypted any exhibit first; the answer and the copy's
/// count revealed another case's content.
fn redaction_never_reads_another_cases_exhibit(env: TestEnv) {
    use vigil_domain::Role;
    let v = env.open();
    let (a, _, ea, eb) = two_cases(&v);
    let sup = vigil_core::OfficerSession { username: "n.sup".into(), role: Role::Supervisor, csrf: String::new() };
    v.add_user("n.do", Role::DisclosureOfficer, "correct horse battery", &actor()).unwrap();
    v.assign_to_case(&a, "n.do", &sup).unwrap();
    let dis =
        vigil_core::OfficerSession { username: "n.do".into(), role: Role::DisclosureOfficer, csrf: String::new() };
    let ini = vigil_domain::Initials::parse("ND").unwrap();
    let before = v.exhibits().unwrap().len();
    let terms = vec!["secret".to_string()];
    let other = v.redact_exhibit(&a, &eb, &terms, "probe", &ini, &dis).unwrap_err();
    let missing = ExhibitRef::parse("NB/99").unwrap();
    let absent = v.redact_exhibit(&a, &missing, &terms, "probe", &ini, &dis).unwrap_err();
    assert!(matches!(other, CoreError::NoSuchExhibit(_)), "{other}");
    assert_eq!(other.to_string().replace("NB/1", "NB/99"), absent.to_string(), "the same answer as for no exhibit");
    assert_eq!(v.exhibits().unwrap().len(), before, "no copy was made");
    let history = v.history(&eb).unwrap();
    assert!(history.iter().all(|h| h.event.kind != EventKind::Accessed), "case B's exhibit was never read");
    assert!(history.iter().any(|h| h.event.kind == EventKind::AccessRefused), "the attempt is recorded");
    // Issue 11, finding 8: the producer's initials may not claim to be intake's.
    for reserved in ["PR", "PA"] {
        let e = v
            .redact_exhibit(
                &a,
                &ea,
                &["alpha".to_string()],
                "r",
                &vigil_domain::Initials::parse(reserved).unwrap(),
                &dis,
            )
            .unwrap_err();
        assert_eq!(e.field(), Some("producer"), "{e}");
    }
    // Nor another producer's: NA/1 was produced by someone else.
    let e = v
        .redact_exhibit(&a, &ea, &["alpha".to_string()], "r", &vigil_domain::Initials::parse("NA").unwrap(), &dis)
        .unwrap_err();
    assert_eq!(e.field(), Some("producer"), "{e}");
    assert!(!e.to_string().contains("NA/1"), "the other producer's exhibit is not named: {e}");
    // Its own case's exhibit is redacted as before, in one unit with its record.
    let copy = v.redact_exhibit(&a, &ea, &["alpha".to_string()], "third party", &ini, &dis).unwrap();
    // The initials are now n.do's: a second copy under them is theirs to make.
    v.redact_exhibit(&a, &ea, &["alpha".to_string()], "again", &ini, &dis).unwrap();
    assert!(v.history(&ea).unwrap().iter().any(|h| h.event.kind == EventKind::Copied));
    assert_eq!(v.exhibit(&copy).unwrap().case_id, a);
    assert!(v.verify().unwrap().ok());
}

/// Issue 11, finding 4: `report_to_case` added a report to any existing
/// case without the need-to-know check.
fn triage_cannot_add_a_report_to_a_case_it_may_not_see(env: TestEnv) {
    use vigil_domain::Role;
    let v = env.open();
    let (_, b, _, _) = two_cases(&v);
    let tri = vigil_core::OfficerSession { username: "n.tri".into(), role: Role::TriageOfficer, csrf: String::new() };
    let r = v.submit_public_report(&synthetic_report()).unwrap().exhibit;
    v.grade_report(&r, &vigil_domain::Grade::parse("2/B/P").unwrap(), "synthetic test grading", &tri).unwrap();
    for title in [None, Some("opening it anew")] {
        let e = v.report_to_case(&r, &b, title, &tri).unwrap_err();
        assert!(matches!(e, CoreError::NoSuchCase(_)), "{e}");
    }
    assert!(v.cases_of_report(&r).unwrap().is_empty(), "the report stayed out of the case");
    let refused =
        env.store().events_for_object("case:NTK-B").unwrap().iter().filter(|e| e.kind == "access-refused").count();
    assert_eq!(refused, 2, "both attempts are recorded");
    // Issue 24, finding 8: the intake "cases" hold every report as it
    // arrives; opened as a case, they would show all of them.
    for reserved in [vigil_core::INTAKE_CASE, "INTAKE-PARTNER"] {
        let id = vigil_domain::CaseId::parse(reserved).unwrap();
        let e = v.report_to_case(&r, &id, Some("every report"), &tri).unwrap_err();
        assert_eq!(e.kind(), vigil_core::ErrorKind::Invalid, "{e}");
        assert!(env.store().case_title(&id).unwrap().is_none());
    }
    // A new case is still opened from the queue.
    let new = vigil_domain::CaseId::parse("NTK-NEW").unwrap();
    assert!(v.report_to_case(&r, &new, Some("New"), &tri).unwrap());
}

/// Issue 11, finding 8: viewing the exhibit list, schedules, timeline and
/// labels wrote no `accessed` event.
fn reading_lists_schedules_and_timelines_is_recorded(env: TestEnv) {
    use vigil_domain::Role;
    let v = env.open();
    let (a, _, _, _) = two_cases(&v);
    let sup = vigil_core::OfficerSession { username: "n.sup".into(), role: Role::Supervisor, csrf: String::new() };
    let reads = || env.store().events_for_object("case:NTK-A").unwrap().iter().filter(|e| e.kind == "accessed").count();
    let before = reads();
    v.exhibit_list(&a, &sup).unwrap();
    v.schedules(&a, &sup).unwrap();
    v.case_timeline(&a, &sup).unwrap();
    assert_eq!(reads(), before + 3, "each view is an accessed event");
    let timeline = v.case_timeline(&a, &sup).unwrap();
    let reasons: Vec<String> = timeline.iter().filter_map(|h| h.event.reason.clone()).collect();
    assert!(reasons.iter().any(|r| r.contains("exhibit list")), "{reasons:?}");
    assert!(reasons.iter().any(|r| r.contains("schedules")), "{reasons:?}");
}

/// Issue 11, finding 7: case record bodies were guarded only by database
/// triggers; with them dropped, a decision could be rewritten unnoticed.
fn a_case_record_rewritten_in_the_database_is_named(env: TestEnv) {
    use vigil_domain::{CaseRecord, Role};
    let v = env.open();
    let (a, _, _, _) = two_cases(&v);
    let sup = vigil_core::OfficerSession { username: "n.sup".into(), role: Role::Supervisor, csrf: String::new() };
    let id = v.add_case_record(&a, &CaseRecord::Note { text: "SYNTHETIC: the original words".into() }, &sup).unwrap();
    let r = v.verify().unwrap();
    assert!(r.ok() && r.case_records >= 1, "{r:?}");
    let body = r#"{"kind":"note","text":"SYNTHETIC: words put in later"}"#;
    let sql = match env.backend {
        Backend::Sqlite => {
            format!("DROP TRIGGER case_records_append_only_u; UPDATE case_records SET body = '{body}' WHERE id = {id}")
        }
        Backend::Postgres => format!(
            "ALTER TABLE case_records DISABLE TRIGGER USER; UPDATE case_records SET body = '{body}' WHERE id = {id}; \
             ALTER TABLE case_records ENABLE TRIGGER USER"
        ),
    };
    env.raw(&sql).unwrap();
    let mut v = env.open();
    let msg = problems(&mut v);
    assert!(msg.contains(&format!("case record #{id} of case NTK-A")) && msg.contains("body differs"), "{msg}");
}

/// Issue 11, finding 7: a report's grade lived only in its row; rewritten
/// in the database, `verify` did not notice.
fn a_grade_rewritten_in_the_database_is_named(env: TestEnv) {
    use vigil_domain::Role;
    let v = env.open();
    let tri = vigil_core::OfficerSession { username: "g.tri".into(), role: Role::TriageOfficer, csrf: String::new() };
    let r = v.submit_public_report(&synthetic_report()).unwrap().exhibit;
    v.grade_report(&r, &vigil_domain::Grade::parse("3/D/P").unwrap(), "first look", &tri).unwrap();
    v.grade_report(&r, &vigil_domain::Grade::parse("2/C/P").unwrap(), "a second source", &tri).unwrap();
    assert!(v.verify().unwrap().ok());
    let history = v.grade_history(&r).unwrap();
    assert_eq!(history.iter().map(|h| h.grade.as_str()).collect::<Vec<_>>(), vec!["3/D/P", "2/C/P"]);
    assert_eq!(history[1].reason, "a second source");
    env.raw(&format!("UPDATE reports SET grade = '1/A/P' WHERE exhibit = '{r}'")).unwrap();
    let mut v = env.open();
    let msg = problems(&mut v);
    assert!(msg.contains(&format!("report {r}: its stored grade 1/A/P differs from 2/C/P")), "{msg}");
}

/// Issue 11, finding 7: which reports a case holds, who is assigned to it
/// and hand-made links lived only in their rows, with no trigger at all;
/// changed in the database, `verify` did not notice.
fn membership_and_links_changed_in_the_database_are_named(env: TestEnv) {
    use vigil_domain::Role;
    let v = env.open();
    let (a, b, _, _) = two_cases(&v);
    let tri = vigil_core::OfficerSession { username: "l.tri".into(), role: Role::TriageOfficer, csrf: String::new() };
    let r1 = v.submit_public_report(&synthetic_report()).unwrap().exhibit;
    let r2 = v.submit_public_report(&synthetic_report()).unwrap().exhibit;
    v.set_report_link(&r1, &r2, true, "the same phone seen twice", &tri).unwrap();
    assert!(v.verify().unwrap().ok(), "{:?}", v.verify().unwrap());
    let in_b = v.cases_of_report(&r1).unwrap();
    assert!(in_b.is_empty());
    let b_report = env.store().reports_of_case(&b).unwrap().pop().unwrap();
    env.raw(&format!(
        "INSERT INTO case_members (case_id, username, added_by, added_ms) VALUES ('{a}', 'mallory', 'mallory', 0); \
         INSERT INTO case_reports (case_id, exhibit, added_by, added_ms) VALUES ('{a}', '{r1}', 'mallory', 0); \
         DELETE FROM case_reports WHERE case_id = '{b}'; \
         UPDATE report_links SET linked = NOT linked"
    ))
    .unwrap();
    let mut v = env.open();
    let msg = problems(&mut v);
    for want in [
        format!("case {a}: mallory is assigned to it, but no custody event records the assignment"),
        format!("case {a}: it holds report {r1}, but no custody event added it"),
        format!("case {b}: a custody event added report {b_report}, but the store does not hold it there"),
        format!("reports {r1} and {r2}: stored as unlinked by hand, but custody event #"),
    ] {
        assert!(msg.contains(&want), "{want}\n---\n{msg}");
    }
    env.raw("DELETE FROM report_links").unwrap();
    let msg = problems(&mut v);
    assert!(
        msg.contains(&format!("reports {r1} and {r2}: custody event #"))
            && msg.contains("the store has no such decision"),
        "{msg}"
    );
}

/// Issue 10, point 3: a public report's few kilobytes are sealed in memory
/// and kept in the store, in the unit that records the report, instead of a
/// blob file with two fsyncs of its own; a large attachment still goes to
/// the vault folder. Either way the bytes are sealed, read back, survive a
/// key rotation, are checked by `verify`, and are shredded on deletion.
fn a_small_report_is_sealed_in_the_store_and_checked_as_a_file_is(env: TestEnv) {
    let mut v = env.open();
    let big = vigil_core::Attachment {
        name: "notes.txt".into(),
        content_type: "text/plain".into(),
        bytes: "SYNTHETIC notes, line after line\n".repeat(4000).into_bytes(),
    };
    let receipt = v.submit_public_report_with(&synthetic_report(), std::slice::from_ref(&big)).unwrap();
    let report = v.exhibit(&receipt.exhibit).unwrap();
    let file_of = |sha: &vigil_domain::Sha256Digest| {
        let hex = sha.to_hex();
        env.data().join("vault/blobs").join(&hex[..2]).join(&hex)
    };
    assert!(!file_of(&report.sha256).exists(), "no blob file for the report itself");
    let sealed = env.store().inline_blob(&report.sha256).unwrap().expect("the store keeps it");
    assert!(!sealed.windows(9).any(|w| w == b"SYNTHETIC"), "sealed, not clear");
    let attachment = v.exhibits().unwrap().into_iter().find(|e| e.reference.number() == report.reference.number() + 1);
    let attachment = attachment.unwrap();
    assert!(file_of(&attachment.sha256).exists(), "a 132 kB attachment is a blob file");
    assert!(env.store().inline_blob(&attachment.sha256).unwrap().is_none());

    let out = env.dir.path().join("report.json");
    v.get_exhibit(&report.reference, &out, "check the read path", &actor()).unwrap();
    assert!(read(&out).windows(9).any(|w| w == b"SYNTHETIC"));
    v.rotate_master_key(&actor()).unwrap();
    drop(v);
    let mut v = env.open();
    let r = v.verify().unwrap();
    assert!(r.ok() && r.blobs_checked >= 2, "{r:?}");
    v.get_exhibit(&report.reference, &env.dir.path().join("again.json"), "after rotation", &actor()).unwrap();

    // Cut short in the database, the report's sealed bytes are named.
    env.raw("UPDATE inline_blobs SET sealed = substr(sealed, 1, length(sealed) - 1)").unwrap();
    let msg = problems(&mut v);
    assert!(msg.contains(&format!("exhibit {}", report.reference)), "{msg}");

    // Deleting a report's exhibit shreds its key and the bytes the store kept.
    let other = v.submit_public_report(&synthetic_report()).unwrap().exhibit;
    let sha = v.exhibit(&other).unwrap().sha256;
    assert!(env.store().inline_blob(&sha).unwrap().is_some());
    assert!(v.delete_exhibit(&other, "retention: reviewed and not needed", &actor()).unwrap().shredded);
    assert!(env.store().inline_blob(&sha).unwrap().is_none() && env.store().keys_for(&sha).unwrap().is_empty());
}

/// Issue 24, section 1: tried as an attacker with the database file would,
/// `verify` said OK after each of these changes. Each is made alone, on a
/// fresh store, and must be named by table, row and column.
fn every_row_changed_in_the_database_is_named_by_table_row_and_column(env: TestEnv) {
    use vigil_domain::{CaseRecord, Role};
    let backend = env.backend;
    drop(env);
    let pg = backend == Backend::Postgres;
    let off = move |table: &str| {
        if pg {
            format!("ALTER TABLE {table} DISABLE TRIGGER USER;")
        } else {
            format!("DROP TRIGGER IF EXISTS {table}_append_only_u; DROP TRIGGER IF EXISTS {table}_append_only_d;")
        }
    };
    let flip = if pg { "NOT immediate" } else { "1 - immediate" };
    // Each: the SQL (given the fixture's names), then what `verify` must say.
    type Tamper = Box<dyn Fn(&Fixture) -> (String, Vec<String>)>;
    struct Fixture {
        eb: ExhibitRef,
        ea: ExhibitRef,
        report: ExhibitRef,
        note: u64,
        approval: u64,
    }
    let tampers: Vec<Tamper> = vec![
        Box::new(|f: &Fixture| {
            (
                format!("UPDATE exhibits SET case_id = 'NTK-A' WHERE reference = '{}'", f.eb),
                vec![format!("table exhibits, row (reference={}): column case_id differs", f.eb)],
            )
        }),
        Box::new(|f: &Fixture| {
            (
                format!("UPDATE exhibits SET note = 'x', original_name = 'y.txt' WHERE reference = '{}'", f.ea),
                vec![format!("table exhibits, row (reference={}): columns note, original_name differ", f.ea)],
            )
        }),
        Box::new(|_: &Fixture| {
            (
                "UPDATE users SET role = 'supervisor' WHERE username = 't.inv'".into(),
                vec!["table users, row (username=t.inv): column role differs".into()],
            )
        }),
        Box::new(|_: &Fixture| {
            (
                "UPDATE users SET locked_until_ms = 0 WHERE username = 'd.gone'".into(),
                vec!["table users, row (username=d.gone): column locked_until_ms differs".into()],
            )
        }),
        Box::new(move |f: &Fixture| {
            (
                format!(
                    "UPDATE reports SET state = 'closed', score = 99, immediate = {flip} WHERE exhibit = '{}'",
                    f.report
                ),
                vec![format!("table reports, row (exhibit={}): columns immediate, score, state differ", f.report)],
            )
        }),
        Box::new(move |f: &Fixture| {
            (
                format!("{} DELETE FROM case_records WHERE id = {}", off("case_records"), f.note),
                vec!["table case_records: the row custody event #".into(), "is missing".into()],
            )
        }),
        Box::new(move |f: &Fixture| {
            (
                format!("{} DELETE FROM case_records WHERE id = {}", off("case_records"), f.approval),
                vec!["table case_records: the row custody event #".into(), "is missing".into()],
            )
        }),
        Box::new(move |f: &Fixture| {
            (
                format!("{} UPDATE case_records SET by_user = 'n.other' WHERE id = {}", off("case_records"), f.note),
                vec![format!("table case_records, row (id={}): column by_user differs", f.note)],
            )
        }),
        Box::new(move |f: &Fixture| {
            (
                format!(
                    "{} UPDATE case_records SET at_ms = at_ms - 86400000 WHERE id = {}",
                    off("case_records"),
                    f.note
                ),
                vec![format!("table case_records, row (id={}): column at_ms differs", f.note)],
            )
        }),
        Box::new(|_: &Fixture| {
            (
                "UPDATE partners SET name = 'Someone else'".into(),
                vec!["table partners, row (id=".into(), "column name differs".into()],
            )
        }),
        Box::new(|f: &Fixture| {
            (
                format!("INSERT INTO report_identifiers (exhibit, identifier) VALUES ('{}', 'email:planted@example.org')", f.report),
                vec![format!("table report_identifiers, row (exhibit={}, identifier=email:planted@example.org): no custody event made it", f.report)],
            )
        }),
        Box::new(|f: &Fixture| {
            (
                format!("DELETE FROM case_reports WHERE exhibit = '{}'", f.report),
                vec!["table case_reports: the row custody event #".into()],
            )
        }),
        Box::new(|_: &Fixture| {
            (
                "UPDATE chat_timelines SET messages = messages + 1".into(),
                vec!["table chat_timelines, row (timeline=".into(), "column messages differs".into()],
            )
        }),
        Box::new(|_: &Fixture| {
            (
                "DELETE FROM exhibit_identifiers".into(),
                vec!["table exhibit_identifiers: the row custody event #".into()],
            )
        }),
        Box::new(|_: &Fixture| {
            ("DELETE FROM report_additions".into(), vec!["table report_additions: the row custody event #".into()])
        }),
    ];
    for (n, tamper) in tampers.iter().enumerate() {
        let Some(env) = TestEnv::new(backend) else { return };
        let v = env.open();
        let (a, _b, ea, eb) = two_cases(&v);
        let sup = vigil_core::OfficerSession { username: "n.sup".into(), role: Role::Supervisor, csrf: String::new() };
        v.add_user("t.inv", Role::Investigator, "a long enough passphrase", &actor()).unwrap();
        v.add_user("d.gone", Role::Investigator, "a long enough passphrase", &actor()).unwrap();
        v.disable_user("d.gone", "left the unit (synthetic)", &actor()).unwrap();
        v.add_partner("Tamper Partner (synthetic)", &actor()).unwrap();
        let report = env.store().reports_of_case(&a).unwrap().remove(0);
        // A chat export with an identifier, and a reporter's addition.
        let chat = "12/03/2026, 10:15 - Alex: hello\n12/03/2026, 10:16 - Sam: SYNTHETIC, call 07700 900123\n";
        let settings =
            vigil_core::ChatSettings { format: None, timezone: Some("Europe/London".into()), date_order: None };
        v.import_chat_bytes(chat.as_bytes(), "chat.txt", &a, &vigil_domain::Initials::parse("NA").unwrap(), &settings)
            .unwrap();
        let receipt = v.submit_public_report(&synthetic_report()).unwrap();
        v.add_to_public_report(&receipt.code, &receipt.secret, "SYNTHETIC: one more thing").unwrap().unwrap();
        let note = v.add_case_record(&a, &CaseRecord::Note { text: "SYNTHETIC".into() }, &sup).unwrap();
        let approval =
            v.add_case_record(&a, &CaseRecord::Note { text: "SYNTHETIC approval stand-in".into() }, &sup).unwrap();
        let f = Fixture { eb, ea, report, note, approval };
        let clean = v.verify().unwrap();
        assert!(clean.ok() && clean.projected_rows > 10, "tamper {n}: {:?}", clean.problems);
        let (sql, want) = tamper(&f);
        env.raw(&sql).unwrap_or_else(|e| panic!("tamper {n}: {sql}: {e}"));
        let msg = problems(&mut env.open());
        for w in &want {
            assert!(msg.contains(w.as_str()), "tamper {n} ({sql}): expected {w:?} in:\n{msg}");
        }
    }
}

/// Issue 24, section 1: a table added later is covered by construction.
/// Every table of the schema is either projected (and captured by its
/// triggers, so `verify` rebuilds it from the log) or on the short list of
/// operational tables, each with its reason.
fn every_table_is_a_projection_or_operational_for_a_reason(env: TestEnv) {
    let (tables, captured) = env.store().tables().unwrap();
    let mut unaccounted = Vec::new();
    for t in &tables {
        let projected = vigil_store::PROJECTED.iter().any(|p| p.table == t);
        let operational = vigil_store::OPERATIONAL.iter().any(|(o, why)| o == t && !why.trim().is_empty());
        if !projected && !operational {
            unaccounted.push(t.clone());
        }
        if projected {
            assert!(captured.contains(t), "{t} is projected but has no capture trigger");
        }
    }
    assert!(
        unaccounted.is_empty(),
        "tables neither projected by the log nor listed as operational (vigil-store/src/projection.rs): {unaccounted:?}"
    );
    for p in vigil_store::PROJECTED {
        assert!(tables.iter().any(|t| t == p.table), "{} is listed as projected but not in the schema", p.table);
    }
}

/// Issue 30, point 4: titles and persons' names come from the search index
/// (FTS5, tsvector), each word of the query starting a word there, and
/// only cases the officer may read are searched.
fn search_finds_titles_and_names_in_the_index_within_what_the_officer_may_see(env: TestEnv) {
    use vigil_domain::{CaseRecord, PersonRole, Role};
    let v = env.open();
    let admin = vigil_domain::Actor::parse("ADM").unwrap();
    for (n, r) in [
        ("t.tri", Role::TriageOfficer),
        ("s.sup", Role::Supervisor),
        ("i.one", Role::Investigator),
        ("i.two", Role::Investigator),
    ] {
        v.add_user(n, r, "correct horse battery staple", &admin).unwrap();
    }
    let o = |n: &str, role: Role| vigil_core::OfficerSession { username: n.into(), role, csrf: String::new() };
    let (sup, one, two) =
        (o("s.sup", Role::Supervisor), o("i.one", Role::Investigator), o("i.two", Role::Investigator));
    let alpha =
        support::case_from_report(&v, "t.tri", "OP-ALPHA", "Lantern harbour inquiry", "SYNTHETIC account alpha");
    let beta = support::case_from_report(&v, "t.tri", "OP-BETA", "Quiet meadow", "SYNTHETIC account beta");
    v.assign_to_case(&alpha, "i.one", &sup).unwrap();
    let person =
        |name: &str| CaseRecord::Person { name: name.into(), role: PersonRole::Suspect, works_with_children: None };
    v.add_case_record(&beta, &person("Synthetic Person Zebedee"), &sup).unwrap();
    v.add_case_record(&alpha, &person("Synthetic Person Quill"), &sup).unwrap();
    let cases = |q: &str, who: &vigil_core::OfficerSession| -> Vec<(String, String)> {
        v.search(q, who).unwrap().cases.into_iter().map(|h| (h.case.to_string(), h.matched)).collect()
    };
    assert_eq!(cases("zebed", &sup), vec![("OP-BETA".into(), "person Synthetic Person Zebedee".into())]);
    assert_eq!(cases("HARB", &sup), vec![("OP-ALPHA".into(), "title".into())]);
    assert_eq!(cases("lantern harbour", &sup), vec![("OP-ALPHA".into(), "title".into())]);
    assert!(cases("harbour meadow", &sup).is_empty(), "every word must match in one title or name");
    assert!(cases("arbour", &sup).is_empty(), "words match from their start");
    assert_eq!(cases("op-alpha", &sup), vec![("OP-ALPHA".into(), "case ID".into())]);
    // Need-to-know decides what is searched.
    assert!(cases("zebed", &one).is_empty());
    assert_eq!(cases("quill", &one), vec![("OP-ALPHA".into(), "person Synthetic Person Quill".into())]);
    assert!(cases("quill", &two).is_empty() && cases("op-alpha", &two).is_empty());
    // Query text is never index syntax.
    assert!(cases("\"* OR NEAR(", &sup).is_empty());
}

/// Issue 30, point 3: verify reads and checks slices of the log on every
/// core, a few slices ahead of the fold. A change in the first of three
/// slices must still be named, with workers left waiting for the fold to
/// move on, and verify must return.
fn a_change_early_in_a_long_log_is_named_and_verify_returns(env: TestEnv) {
    let v = env.open();
    append_notes(&v, 5, 10_000);
    assert!(v.verify().unwrap().ok());
    drop(v);
    env.tamper_bytes("events", "leaf", "idx", 100, |leaf| {
        let i = leaf.len() - 5;
        leaf[i] ^= 1;
    });
    let r = env.open().verify().unwrap();
    assert!(r.problems.iter().any(|p| p.contains("event #100")), "{:?}", r.problems);
}

/// `batches` appends of `each` synthetic events, a signed head each.
fn append_notes(v: &Vigil, batches: u32, each: u32) {
    let actor = vigil_domain::Actor::parse("BENCH").unwrap();
    for batch in 0..batches {
        let events: Vec<vigil_domain::CustodyEvent> = (0..each)
            .map(|i| {
                vigil_domain::CustodyEvent::new(
                    vigil_domain::EventKind::Reviewed,
                    actor.clone(),
                    vigil_core::now(),
                    vigil_domain::ObjectRef::parse(&format!("note:n-{batch}-{i}")).unwrap(),
                )
            })
            .collect();
        v.append_events(&events).unwrap();
    }
}

/// Issue 30, point 3: `verify` reads the log in slices of 20,000 indexes
/// on several connections at once. A row far past the end (the highest
/// index sets how far the slices go) and a gap that starts at a slice's
/// last index and swallows the next slice whole are each named as the
/// events missing before the next stored one, and verify returns.
fn gaps_across_the_slices_verify_reads_at_once_are_named(env: TestEnv) {
    let v = env.open();
    append_notes(&v, 5, 8_200);
    let clean = v.verify().unwrap();
    assert!(clean.ok(), "{:?}", clean.problems);
    let n = clean.events;
    assert!(n > 41_000, "three slices: {n}");
    drop(v);
    let far = 1u64 << 40;
    env.tamper(&format!(
        "INSERT INTO events (idx, leaf, leaf_hash, kind, object, actor, time_ms) \
         SELECT {far}, leaf, leaf_hash, kind, object, actor, time_ms FROM events WHERE idx = 5"
    ));
    let msg = problems(&mut env.open());
    assert!(msg.contains(&format!("event #{n} is missing: the next stored event is #{far}")), "{msg}");
    env.tamper(&format!("DELETE FROM events WHERE idx = {far}; DELETE FROM events WHERE idx >= 19999 AND idx < 40000"));
    let r = env.open().verify().unwrap();
    assert!(
        r.problems.iter().any(|p| p.contains("event #19999 is missing: the next stored event is #40000")),
        "{:?}",
        r.problems
    );
    assert_eq!(r.events, 19_999, "the fold stops at the gap");
}

/// Issue 30, point 2: a page of a long timeline is read through the page
/// index kept beside it (only the chunks holding the header and the page
/// are decrypted) and is exactly the page a whole read gives, with the
/// signs over the whole timeline; with the index gone, the page is read
/// whole and is the same again.
fn a_chat_page_reads_its_part_through_the_page_index(env: TestEnv) {
    use vigil_domain::Role;
    let mut v = env.open();
    let (a, _, _, _) = two_cases(&v);
    let sup = vigil_core::OfficerSession { username: "n.sup".into(), role: Role::Supervisor, csrf: String::new() };
    // SYNTHETIC: 1,000 messages, a demand among them near the end.
    let mut chat = String::new();
    for i in 0..1000 {
        let who = if i % 2 == 0 { "Alex" } else { "Sam" };
        let text = if i == 901 { "pay us £500 or we publish".to_owned() } else { format!("SYNTHETIC message {i}") };
        chat.push_str(&format!("12/03/2026, {:02}:{:02} - {who}: {text}\n", i / 60, i % 60));
    }
    let utc = vigil_core::ChatSettings { format: None, timezone: Some("UTC".into()), date_order: None };
    let t = v.import_chat_bytes(chat.as_bytes(), "chat.txt", &a, &ini("NA"), &utc).unwrap();
    let whole = v.chat_timeline(&t.timeline, "the test's whole read", &actor()).unwrap();
    assert_eq!(whole.lines.len(), 1000);
    let page = |v: &Vigil, offset: usize, limit: usize, at: Option<&str>| {
        let q = vigil_core::ChatQuery { search: None, at: at.map(str::to_owned), offset, limit };
        v.chat_page(&a, &t.timeline, &sup, &q).unwrap()
    };
    for (offset, limit) in [(0, 50), (255, 3), (256, 1), (257, 40), (700, 300), (990, 50), (1000, 5), (5000, 5)] {
        let indexed = page(&v, offset, limit, None);
        // A time before every message makes the page read the whole timeline.
        let read_whole = page(&v, offset, limit, Some("0"));
        let want = &whole.lines[offset.min(1000)..(offset + limit).min(1000)];
        assert!(indexed.lines == want, "offset {offset}, limit {limit}");
        assert!(read_whole.lines == want, "offset {offset}, limit {limit}, read whole");
        assert_eq!((indexed.matching, indexed.before), (1000, offset.min(1000) as u64));
        assert_eq!(indexed.header, whole.header);
        assert_eq!(indexed.signs, read_whole.signs, "the signs over the whole timeline");
    }
    let signs = page(&v, 0, 1, None).signs;
    assert!(signs.found.iter().any(|s| s.message == 902), "{signs:?}");
    // A master key rotation seals the index again under the new key.
    let sealed = || env.store().timeline_pages(&t.timeline).unwrap().unwrap();
    let old = sealed();
    let r = v.rotate_master_key(&actor()).unwrap();
    assert_eq!(r.page_indexes_resealed, 1);
    assert_ne!(sealed(), old);
    assert!(page(&v, 257, 40, None).lines == whole.lines[257..297]);
    // Without its index (a timeline imported before indexes were kept), the
    // page is read whole and is the same.
    env.raw("DELETE FROM timeline_pages").unwrap();
    let again = page(&v, 257, 40, None);
    assert!(again.lines == whole.lines[257..297]);
    assert_eq!(again.signs, signs);
    let r = v.verify().unwrap();
    assert!(r.ok(), "{:?}", r.problems);
    // Deleting the timeline (a disposal) takes its page index, with the
    // signs' senders and times, with it.
    let t2 = v.import_chat_bytes(chat.as_bytes(), "again.txt", &a, &ini("NA"), &utc).unwrap();
    let indexed = || env.store().timeline_pages(&t2.timeline).unwrap().is_some();
    assert!(indexed(), "a new import keeps its page index");
    v.delete_exhibit(&t2.timeline, "retention review (synthetic)", &actor()).unwrap();
    assert!(!indexed(), "the index went with the timeline");
}
