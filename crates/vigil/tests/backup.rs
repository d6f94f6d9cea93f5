//! Issue 28, point 5 (operations): a backup taken while exhibits are being
//! added is a data directory that verifies on its own, holds the material
//! of the moment it was taken, and is recorded on the live log; on
//! PostgreSQL the dump restores into a new database and the pair verifies.

mod support;

use support::{ok, run, Dir};

fn exhibits(data: &std::path::Path) -> Vec<serde_json::Value> {
    let j: serde_json::Value = serde_json::from_str(&ok(data, &["--json", "exhibit", "list"])).unwrap();
    j.as_array().unwrap().clone()
}

fn exercise(d: &Dir) {
    let data = d.data();
    for i in 0..3 {
        let f = d.file(&format!("e{i}"), format!("synthetic exhibit {i}").repeat(1000).as_bytes());
        ok(&data, &["exhibit", "add", f.to_str().unwrap(), "--case", "BK-1", "--by", "BK"]);
    }
    let out = d.path("backup");
    // A writer goes on adding exhibits while the backup is taken.
    let writer = {
        let data = data.clone();
        let files: Vec<_> =
            (0..6).map(|i| d.file(&format!("w{i}"), format!("added meanwhile {i}").as_bytes())).collect();
        std::thread::spawn(move || {
            for f in files {
                ok(&data, &["exhibit", "add", f.to_str().unwrap(), "--case", "BK-1", "--by", "BK"]);
            }
        })
    };
    let said = ok(&data, &["backup", "--out", out.to_str().unwrap(), "--by", "ADM1"]);
    writer.join().unwrap();
    assert!(said.contains("backed up to") && said.contains("blobs"), "{said}");

    // The backup verifies on its own (PostgreSQL: once restored), and holds
    // the exhibits of its moment, each opening to the same bytes.
    let backup_env = restore_if_postgres(&out);
    let check = |args: &[&str]| {
        let mut c = support::vigil();
        c.arg("--data").arg(&out).args(args);
        if let Some(url) = &backup_env {
            c.env("VIGIL_STORE", url);
        }
        support::Run::from(c.output().unwrap())
    };
    let v = check(&["verify"]);
    assert_eq!(v.code, 0, "{}\n{}", v.stdout, v.stderr);
    assert!(v.stdout.contains("OK"), "{}", v.stdout);
    let listed = check(&["--json", "exhibit", "list"]);
    let kept: Vec<serde_json::Value> = serde_json::from_str(&listed.stdout).unwrap();
    assert!(kept.len() >= 3 && kept.len() <= 9, "{}", kept.len());
    let first = kept[0]["reference"].as_str().unwrap().to_owned();
    let copy = d.path("copy.bin");
    let g =
        check(&["exhibit", "get", &first, "--out", copy.to_str().unwrap(), "--reason", "restore check", "--by", "BK"]);
    assert_eq!(g.code, 0, "{}", g.stderr);
    assert_eq!(std::fs::read(&copy).unwrap(), "synthetic exhibit 0".repeat(1000).into_bytes());
    // The keys keep their modes.
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(out.join("keys/master.key")).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);

    // The live log records the backup.
    let live = exhibits(&data);
    assert_eq!(live.len(), 9);
    let log = ok(&data, &["log", "export", d.path("log.jsonl").to_str().unwrap()]);
    let _ = log;
    let exported = std::fs::read_to_string(d.path("log.jsonl")).unwrap();
    assert!(exported.contains("backup of the data directory"), "the backup is on the log");

    // A second backup never writes over the first.
    let r = run(&data, &["backup", "--out", out.to_str().unwrap(), "--by", "ADM1"]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("is not empty"), "{}", r.stderr);

    // A blob lost from the backup is named by its verify.
    let blobs = out.join("vault/blobs");
    let sub = std::fs::read_dir(&blobs).unwrap().next().unwrap().unwrap().path();
    let blob = std::fs::read_dir(&sub).unwrap().next().unwrap().unwrap().path();
    std::fs::remove_file(&blob).unwrap();
    let v = check(&["verify"]);
    assert_eq!(v.code, 3, "{}", v.stdout);
}

/// For a PostgreSQL backup: the dump loaded into a new database, whose URL
/// the backup is then opened with.
fn restore_if_postgres(out: &std::path::Path) -> Option<String> {
    let dump = out.join(vigil_core::PG_DUMP_FILE);
    if !dump.exists() {
        return None;
    }
    let admin = pg_admin();
    let db = format!("vigil_restore_{}", std::process::id());
    let mut client = postgres::Client::connect(&admin, postgres::NoTls).unwrap();
    client.batch_execute(&format!("DROP DATABASE IF EXISTS {db}")).unwrap();
    client.batch_execute(&format!("CREATE DATABASE {db}")).unwrap();
    let url = format!("{}/{db}", admin.rsplit_once('/').unwrap().0);
    let r = std::process::Command::new("pg_restore").args(["--no-owner", "-d", &url]).arg(&dump).output().unwrap();
    assert!(r.status.success(), "pg_restore: {}", String::from_utf8_lossy(&r.stderr));
    Some(url)
}

fn pg_admin() -> String {
    std::env::var("VIGIL_TEST_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

#[test]
fn a_backup_taken_during_writes_verifies_on_its_own() {
    exercise(&Dir::init());
}

#[test]
fn a_postgresql_backup_restores_into_a_new_database_and_verifies() {
    let admin = pg_admin();
    let mut client = match postgres::Client::connect(&admin, postgres::NoTls) {
        Ok(c) => c,
        Err(e) if std::env::var("CI").as_deref() != Ok("true") => {
            eprintln!("SKIPPED: PostgreSQL backup: cannot reach {admin}: {e}");
            return;
        }
        Err(e) => panic!("PostgreSQL at {admin} is required in CI: {e}"),
    };
    let db = format!("vigil_backup_{}", std::process::id());
    client.batch_execute(&format!("DROP DATABASE IF EXISTS {db}")).unwrap();
    client.batch_execute(&format!("CREATE DATABASE {db}")).unwrap();
    let url = format!("{}/{db}", admin.rsplit_once('/').unwrap().0);
    let d = Dir { tmp: tempfile::tempdir().unwrap() };
    ok(&d.data(), &["init", "--store", &url]);
    exercise(&d);
    let backup = d.path("backup");
    assert!(backup.join(vigil_core::PG_DUMP_FILE).exists());
    // Never opened against the live database by mistake: it says how to restore.
    let r = run(&backup, &["verify"]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("pg_restore") && r.stderr.contains("VIGIL_STORE"), "{}", r.stderr);
    assert!(!backup.join("restore-from:store.pgdump").exists(), "no SQLite file was made");
    client.batch_execute(&format!("DROP DATABASE {db} WITH (FORCE)")).unwrap();
    let restored = format!("vigil_restore_{}", std::process::id());
    client.batch_execute(&format!("DROP DATABASE IF EXISTS {restored} WITH (FORCE)")).unwrap();
}
