//! The CLI contract, checked from outside through the real binary.

mod support;

use std::os::unix::fs::PermissionsExt;
use support::{ok, run, vigil, Dir};

const HELLO_SHA256: &str = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";

#[test]
fn init_writes_secrets_0600_and_never_prints_them() {
    let d = Dir { tmp: tempfile::tempdir().unwrap() };
    let r = run(&d.data(), &["init"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for secret in ["master.key", "signing.key"] {
        let p = d.data().join("keys").join(secret);
        assert_eq!(std::fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o600, "{secret}");
        let text = std::fs::read_to_string(&p).unwrap();
        let s = text.trim();
        assert!(!r.stdout.contains(s) && !r.stderr.contains(s), "{secret} was printed");
        assert!(!r.stdout.contains(&s[..16]), "part of {secret} was printed");
    }
    let public = std::fs::read_to_string(d.data().join("keys/signing.pub")).unwrap();
    assert!(r.stdout.contains(public.trim()), "the public key is shown");
    let again = run(&d.data(), &["init"]);
    assert_ne!(again.code, 0);
    assert!(again.stderr.contains("already a Vigil data directory"), "{}", again.stderr);
}

#[test]
fn add_get_history_contract() {
    let d = Dir::init();
    let f = d.file("hello.txt", b"hello\n");
    let out = ok(
        &d.data(),
        &[
            "exhibit",
            "add",
            f.to_str().unwrap(),
            "--case",
            "OP-LANTERN-2026",
            "--by",
            "JS",
            "--note",
            "seized phone export",
        ],
    );
    assert_eq!(out.trim(), format!("JS/1 {HELLO_SHA256}"));
    let got = d.path("copy.txt");
    ok(
        &d.data(),
        &[
            "exhibit",
            "get",
            "JS/1",
            "--out",
            got.to_str().unwrap(),
            "--reason",
            "prepare MG12 exhibit list",
            "--by",
            "DO1",
        ],
    );
    assert_eq!(std::fs::read(&got).unwrap(), b"hello\n");
    let h = ok(&d.data(), &["exhibit", "history", "JS/1"]);
    let lines: Vec<&str> = h.lines().collect();
    assert!(
        lines[1].contains("received")
            && lines[1].contains("by JS")
            && lines[1].contains("T")
            && lines[1].contains("seized phone export"),
        "{h}"
    );
    assert!(
        lines[2].contains("accessed") && lines[2].contains("by DO1") && lines[2].contains("prepare MG12 exhibit list"),
        "{h}"
    );
    let j: serde_json::Value = serde_json::from_str(&ok(&d.data(), &["--json", "exhibit", "history", "JS/1"])).unwrap();
    assert_eq!(j["events"].as_array().unwrap().len(), 2);
    assert_eq!(j["events"][0]["actor"], "JS");
    let add: serde_json::Value = serde_json::from_str(
        ok(&d.data(), &["--json", "exhibit", "add", f.to_str().unwrap(), "--case", "OP-LANTERN-2026", "--by", "JS"])
            .trim(),
    )
    .unwrap();
    assert_eq!(add["reference"], "JS/2");
    assert_eq!(add["hashes"]["sha256"], HELLO_SHA256);
    assert_eq!(add["hashes"]["md5"], "b1946ac92492d2347c6235b4d2611184");
    let v = ok(&d.data(), &["verify"]);
    assert!(v.contains("OK"), "{v}");
    let pr = ok(&d.data(), &["log", "prove", "JS/1"]);
    assert!(pr.contains("event #1 received") && pr.contains("path[0]"), "{pr}");
}

fn sqlite(d: &Dir) -> rusqlite::Connection {
    let c = rusqlite::Connection::open(d.data().join("vigil.db")).unwrap();
    c.execute_batch(
        "DROP TRIGGER events_append_only_u; DROP TRIGGER events_append_only_d; DROP TRIGGER heads_append_only_u; DROP TRIGGER heads_append_only_d;",
    )
    .unwrap();
    c
}

fn three_exhibits() -> Dir {
    let d = Dir::init();
    for i in 0..3 {
        let f = d.file(&format!("f{i}"), format!("exhibit body {i}").as_bytes());
        ok(&d.data(), &["exhibit", "add", f.to_str().unwrap(), "--case", "CASE-1", "--by", "AB"]);
    }
    assert!(ok(&d.data(), &["verify"]).contains("OK"));
    d
}

fn tampered(d: &Dir) -> String {
    let r = run(&d.data(), &["verify"]);
    assert_eq!(r.code, 3, "verify must fail on tampering: {}", r.stdout);
    r.stderr
}

#[test]
fn verify_names_a_flipped_blob_byte() {
    let d = three_exhibits();
    let j: serde_json::Value = serde_json::from_str(&ok(&d.data(), &["--json", "exhibit", "list"])).unwrap();
    let sha = j[1]["sha256"].as_str().unwrap().to_owned();
    let p = d.data().join("vault/blobs").join(&sha[..2]).join(&sha);
    let mut b = std::fs::read(&p).unwrap();
    let last = b.len() - 1;
    b[last] ^= 1;
    std::fs::write(&p, b).unwrap();
    let e = tampered(&d);
    assert!(e.contains("exhibit AB/2") && e.contains(&sha), "{e}");
}

#[test]
fn verify_names_a_flipped_event_byte() {
    let d = three_exhibits();
    let c = sqlite(&d);
    let mut leaf: Vec<u8> = c.query_row("SELECT leaf FROM events WHERE idx = 2", [], |r| r.get(0)).unwrap();
    let i = leaf.len() - 5;
    leaf[i] ^= 1;
    c.execute("UPDATE events SET leaf = ?1 WHERE idx = 2", [leaf]).unwrap();
    let e = tampered(&d);
    assert!(e.contains("event #2"), "{e}");
}

#[test]
fn verify_names_a_flipped_signed_head() {
    let d = three_exhibits();
    let c = sqlite(&d);
    let mut sig: Vec<u8> =
        c.query_row("SELECT signature FROM tree_heads WHERE tree_size = 3", [], |r| r.get(0)).unwrap();
    sig[0] ^= 1;
    c.execute("UPDATE tree_heads SET signature = ?1 WHERE tree_size = 3", [sig]).unwrap();
    let e = tampered(&d);
    assert!(e.contains("signed tree head for size 3"), "{e}");
}

#[test]
fn verify_names_a_deleted_event() {
    let d = three_exhibits();
    sqlite(&d).execute("DELETE FROM events WHERE idx = 1", []).unwrap();
    let e = tampered(&d);
    assert!(e.contains("event #1 is missing"), "{e}");
}

#[test]
fn offline_export_check() {
    let d = three_exhibits();
    let exp = d.path("log.jsonl");
    ok(&d.data(), &["log", "export", exp.to_str().unwrap()]);
    let pk = d.data().join("keys/signing.pub");
    // Offline: no --data at all, only the export and the public key.
    let r: support::Run = vigil()
        .args(["log", "verify", exp.to_str().unwrap(), "--public-key", pk.to_str().unwrap()])
        .output()
        .unwrap()
        .into();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("OK: 4 events"), "{}", r.stdout);
    let text = std::fs::read_to_string(&exp).unwrap();
    let bad = d.file("bad.jsonl", text.replacen("\"actor\\\":\\\"AB\\\"", "\"actor\\\":\\\"ZZ\\\"", 1).as_bytes());
    let r: support::Run = vigil()
        .args(["log", "verify", bad.to_str().unwrap(), "--public-key", pk.to_str().unwrap()])
        .output()
        .unwrap()
        .into();
    assert_eq!(r.code, 3);
    assert!(r.stderr.contains("line") && r.stderr.contains("altered"), "{}", r.stderr);
    let garbage = d.file("garbage.jsonl", b"\x00\xffnot json\n");
    let r: support::Run = vigil()
        .args(["log", "verify", garbage.to_str().unwrap(), "--public-key", pk.to_str().unwrap()])
        .output()
        .unwrap()
        .into();
    assert_eq!(r.code, 3);
    assert!(r.stderr.contains("line 1") && r.stderr.contains("not a valid export line"), "{}", r.stderr);
    let r: support::Run = vigil()
        .args(["log", "verify", exp.to_str().unwrap(), "--public-key", exp.to_str().unwrap()])
        .output()
        .unwrap()
        .into();
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("public key"), "{}", r.stderr);
}

#[test]
fn bad_input_gets_a_clear_error() {
    let d = Dir::init();
    let f = d.file("a.txt", b"a");
    let fs = f.to_str().unwrap();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["exhibit", "add", fs, "--case", "case 1", "--by", "AB"], "invalid case ID"),
        (vec!["exhibit", "add", fs, "--case", "CASE-1", "--by", "ab1"], "invalid initials"),
        (vec!["exhibit", "add", "/nonexistent/file", "--case", "CASE-1", "--by", "AB"], "no such file"),
        (vec!["exhibit", "add", "/tmp", "--case", "CASE-1", "--by", "AB"], "is a directory"),
        (vec!["exhibit", "get", "AB/0", "--out", "x", "--reason", "r"], "invalid exhibit reference"),
        (vec!["exhibit", "get", "AB/1", "--out", "x", "--reason", " "], "an access must give a reason"),
        (vec!["exhibit", "history", "AB/5"], "AB/5 does not exist"),
    ];
    for (args, want) in cases {
        let r = run(&d.data(), &args);
        assert_eq!(r.code, 1, "{args:?}");
        assert!(r.stderr.contains(want), "{args:?}: {}", r.stderr);
    }
    let none = run(&d.path("nowhere"), &["verify"]);
    assert!(none.stderr.contains("is not a Vigil data directory"), "{}", none.stderr);
    // Wrong master key.
    let other = Dir::init();
    std::fs::copy(other.data().join("keys/master.key"), d.data().join("keys/master.key")).unwrap();
    let r = run(&d.data(), &["exhibit", "add", fs, "--case", "CASE-1", "--by", "AB"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("wrong master key"), "{}", r.stderr);
    // Nothing was logged by all that: the log holds only its creation event.
    let c = rusqlite::Connection::open(d.data().join("vigil.db")).unwrap();
    let n: i64 = c.query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 1);
}

#[test]
fn demo_seeds_once_and_verifies() {
    let d = Dir { tmp: tempfile::tempdir().unwrap() };
    let first = ok(&d.data(), &["demo", "--seed-only"]);
    assert!(first.contains("seeded the synthetic demo case DEMO-0001 with exhibits DM/1, DM/2, DM/3"), "{first}");
    assert!(first.contains("verify: OK"), "{first}");
    assert!(first.contains("seeded the complete synthetic case DEMO-1"), "{first}");
    assert!(
        first.contains("demo.triage") && first.contains("TOTP secret"),
        "demo officer accounts are printed: {first}"
    );
    let again = ok(&d.data(), &["demo", "--seed-only"]);
    assert!(
        again.contains("already seeded") && again.contains("11 exhibits"),
        "three case exhibits, two synthetic reports and DEMO-1's six (a WhatsApp export, its timeline and a redacted copy of each among them): {again}"
    );
    assert!(!again.contains("TOTP secret"), "accounts are made, and their secrets shown, once");
    let h = ok(&d.data(), &["exhibit", "history", "DM/1"]);
    assert!(h.contains("accessed") && h.contains("by DO1"), "{h}");
}

/// Issue 11, finding 8: `vigil demo` on an existing data directory added
/// officer accounts with the published demo password.
#[test]
fn demo_refuses_a_directory_it_did_not_make() {
    let d = Dir::init();
    let r = run(&d.data(), &["demo", "--seed-only"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stderr.contains("did not make") && r.stderr.contains("published"), "{}", r.stderr);
    let db = rusqlite::Connection::open(d.data().join("vigil.db")).unwrap();
    let users: i64 = db.query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0)).unwrap();
    assert_eq!(users, 0, "no demo account was added");
    assert!(ok(&d.data(), &["verify"]).contains("OK"));
}

/// Issue 11, finding 7: deleting the newest events, heads and log state
/// passed `verify`. Played here as a rollback of the whole database to an
/// earlier, self-consistent copy, then as a history forked from it.
#[test]
fn a_checkpoint_kept_outside_catches_a_rolled_back_or_rewritten_log() {
    let d = Dir::init();
    let data = d.data();
    let a = d.file("a.txt", b"first exhibit");
    ok(&data, &["exhibit", "add", a.to_str().unwrap(), "--case", "CP-1", "--by", "CP"]);
    let snap = d.path("snap.db");
    let db = rusqlite::Connection::open(data.join("vigil.db")).unwrap();
    db.execute("VACUUM INTO ?1", [snap.to_str().unwrap()]).unwrap();
    drop(db);
    let b = d.file("b.txt", b"second exhibit");
    ok(&data, &["exhibit", "add", b.to_str().unwrap(), "--case", "CP-1", "--by", "CP"]);
    let cp = d.path("checkpoint.json");
    let out = ok(&data, &["log", "checkpoint", "--out", cp.to_str().unwrap()]);
    assert!(out.contains("checkpoint of 3 events"), "{out}");
    assert!(ok(&data, &["verify", "--checkpoint", cp.to_str().unwrap()]).contains("OK"));

    // Roll the database back: by itself it verifies, as the finding said.
    let restore = || {
        for ext in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(data.join(format!("vigil.db{ext}")));
        }
        std::fs::copy(&snap, data.join("vigil.db")).unwrap();
    };
    restore();
    assert_eq!(run(&data, &["verify"]).code, 0, "a rollback alone passes verify");
    let r = run(&data, &["verify", "--checkpoint", cp.to_str().unwrap()]);
    assert_eq!(r.code, 3, "{}", r.stdout);
    assert!(r.stderr.contains("records 3 events") && r.stderr.contains("were removed"), "{}", r.stderr);

    // A different third event in its place: the history was rewritten.
    let c = d.file("c.txt", b"an exhibit in place of the second");
    ok(&data, &["exhibit", "add", c.to_str().unwrap(), "--case", "CP-1", "--by", "CP"]);
    let r = run(&data, &["verify", "--checkpoint", cp.to_str().unwrap()]);
    assert_eq!(r.code, 3, "{}", r.stdout);
    assert!(r.stderr.contains("history was rewritten"), "{}", r.stderr);

    // A forged checkpoint is refused, not trusted.
    let text = std::fs::read_to_string(&cp).unwrap().replace("\"tree_size\": 3", "\"tree_size\": 2");
    std::fs::write(&cp, text).unwrap();
    let r = run(&data, &["verify", "--checkpoint", cp.to_str().unwrap()]);
    assert_eq!(r.code, 3);
    assert!(r.stderr.contains("signature"), "{}", r.stderr);
}

/// Issue 30, point 3: `vigil verify --since CHECKPOINT` checks only what was
/// appended after the checkpoint, grown from the frontier it kept: a change
/// to a new event or head is named; a change before it is left to the full
/// verify, as the output says; a checkpoint with a forged frontier, or one
/// whose size the stored head contradicts, is refused.
#[test]
fn verify_since_a_checkpoint_checks_what_came_after_it() {
    let d = three_exhibits();
    let data = d.data();
    let cp = d.path("daily.json");
    let said = ok(&data, &["log", "checkpoint", "--out", cp.to_str().unwrap()]);
    let n: u64 = said.split("checkpoint of ").nth(1).and_then(|r| r.split(' ').next()).unwrap().parse().unwrap();
    let kept: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&cp).unwrap()).unwrap();
    assert!(kept["frontier"].as_str().is_some_and(|f| f.len() > 16), "{kept}");
    for i in 3..6 {
        let f = d.file(&format!("g{i}"), format!("a later exhibit {i}").as_bytes());
        ok(&data, &["exhibit", "add", f.to_str().unwrap(), "--case", "CASE-1", "--by", "AB"]);
    }
    let out = ok(&data, &["verify", "--since", cp.to_str().unwrap()]);
    assert!(out.contains(&format!("since the checkpoint at {n} events")) && out.contains(": 3 new events"), "{out}");
    assert!(out.contains(&format!("OK: every event from #{n} on")) && out.contains("full `vigil verify`"), "{out}");
    let j: serde_json::Value =
        serde_json::from_str(&ok(&data, &["--json", "verify", "--since", cp.to_str().unwrap()])).unwrap();
    assert_eq!(
        (j["ok"].as_bool(), j["report"]["events"].as_u64(), j["report"]["since"].as_u64()),
        (Some(true), Some(3), Some(n))
    );

    // A flipped byte in an event after the checkpoint is named.
    let c = sqlite(&d);
    let later = n + 1;
    let leaf: Vec<u8> = c.query_row("SELECT leaf FROM events WHERE idx = ?1", [later], |r| r.get(0)).unwrap();
    let mut bad = leaf.clone();
    let i = bad.len() - 5;
    bad[i] ^= 1;
    c.execute("UPDATE events SET leaf = ?1 WHERE idx = ?2", rusqlite::params![&bad, later]).unwrap();
    let r = run(&data, &["verify", "--since", cp.to_str().unwrap()]);
    assert_eq!(r.code, 3, "{}", r.stdout);
    assert!(r.stderr.contains(&format!("event #{later}")), "{}", r.stderr);
    c.execute("UPDATE events SET leaf = ?1 WHERE idx = ?2", rusqlite::params![&leaf, later]).unwrap();

    // One before it is not read by the daily run (it says so); the full run names it.
    let old: Vec<u8> = c.query_row("SELECT leaf FROM events WHERE idx = 1", [], |r| r.get(0)).unwrap();
    let mut bad = old.clone();
    let i = bad.len() - 5;
    bad[i] ^= 1;
    c.execute("UPDATE events SET leaf = ?1 WHERE idx = 1", [&bad]).unwrap();
    assert_eq!(run(&data, &["verify", "--since", cp.to_str().unwrap()]).code, 0);
    assert!(tampered(&d).contains("event #1"));
    c.execute("UPDATE events SET leaf = ?1 WHERE idx = 1", [&old]).unwrap();

    // A head signed since, altered, is named.
    let size: u64 =
        c.query_row("SELECT MIN(tree_size) FROM tree_heads WHERE tree_size > ?1", [n], |r| r.get(0)).unwrap();
    let sig: Vec<u8> =
        c.query_row("SELECT signature FROM tree_heads WHERE tree_size = ?1", [size], |r| r.get(0)).unwrap();
    let mut bad = sig.clone();
    bad[0] ^= 1;
    c.execute("UPDATE tree_heads SET signature = ?1 WHERE tree_size = ?2", rusqlite::params![&bad, size]).unwrap();
    let r = run(&data, &["verify", "--since", cp.to_str().unwrap()]);
    assert_eq!(r.code, 3);
    assert!(r.stderr.contains(&format!("signed tree head for size {size}")), "{}", r.stderr);
    c.execute("UPDATE tree_heads SET signature = ?1 WHERE tree_size = ?2", rusqlite::params![&sig, size]).unwrap();
    assert_eq!(run(&data, &["verify", "--since", cp.to_str().unwrap()]).code, 0);

    // A forged frontier does not hash to the signed root: refused.
    let mut forged = kept.clone();
    let f = forged["frontier"].as_str().unwrap().to_owned();
    let flipped = format!("{}{}", &f[..f.len() - 1], if f.ends_with('0') { '1' } else { '0' });
    forged["frontier"] = flipped.into();
    let fp = d.path("forged.json");
    std::fs::write(&fp, forged.to_string()).unwrap();
    let r = run(&data, &["verify", "--since", fp.to_str().unwrap()]);
    assert_eq!(r.code, 3);
    assert!(r.stderr.contains("checkpoint does not verify"), "{}", r.stderr);

    // A checkpoint from before frontiers were kept cannot start a daily run.
    let mut old_cp = kept.clone();
    old_cp.as_object_mut().unwrap().remove("frontier");
    std::fs::write(&fp, old_cp.to_string()).unwrap();
    let r = run(&data, &["verify", "--since", fp.to_str().unwrap()]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("holds no frontier"), "{}", r.stderr);

    // The stored head at the checkpoint's size replaced (history rewritten).
    let root: Vec<u8> = c.query_row("SELECT root FROM tree_heads WHERE tree_size = ?1", [n], |r| r.get(0)).unwrap();
    let mut bad = root.clone();
    bad[0] ^= 1;
    c.execute("UPDATE tree_heads SET root = ?1 WHERE tree_size = ?2", rusqlite::params![&bad, n]).unwrap();
    let r = run(&data, &["verify", "--since", cp.to_str().unwrap()]);
    assert_eq!(r.code, 3);
    assert!(r.stderr.contains("history was rewritten"), "{}", r.stderr);
}
