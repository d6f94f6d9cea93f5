//! Two `vigil` processes adding exhibits to one data directory at once, on
//! SQLite and on PostgreSQL: the log never forks and references never repeat.

mod support;

use std::process::Stdio;
use support::{ok, vigil, Dir};

fn race(d: &Dir) {
    let data = d.data();
    let children: Vec<_> = (0..2)
        .map(|w| {
            let files: Vec<String> = (0..12)
                .map(|i| {
                    d.file(&format!("w{w}-{i}"), format!("worker {w} file {i}").as_bytes()).to_str().unwrap().to_owned()
                })
                .collect();
            vigil()
                .arg("--data")
                .arg(&data)
                .args(["exhibit", "add"])
                .args(&files)
                .args(["--case", "RACE-1", "--by", "RC"])
                .stdout(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut refs = Vec::new();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(out.status.success());
        refs.extend(String::from_utf8(out.stdout).unwrap().lines().map(|l| l.split(' ').next().unwrap().to_owned()));
    }
    refs.sort();
    refs.dedup();
    assert_eq!(refs.len(), 24, "every exhibit has its own reference");
    let v = ok(&data, &["verify"]);
    assert!(v.starts_with("25 events, 25 signed heads"), "{v}");
}

#[test]
fn two_processes_on_sqlite() {
    race(&Dir::init());
}

#[test]
fn two_processes_on_postgres() {
    let admin = std::env::var("VIGIL_TEST_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let mut client = match postgres::Client::connect(&admin, postgres::NoTls) {
        Ok(c) => c,
        Err(e) if std::env::var("CI").as_deref() != Ok("true") => {
            eprintln!("SKIPPED: PostgreSQL process race: cannot reach {admin}: {e}");
            return;
        }
        Err(e) => panic!("PostgreSQL at {admin} is required in CI: {e}"),
    };
    let db = format!("vigil_race_{}", std::process::id());
    client.batch_execute(&format!("DROP DATABASE IF EXISTS {db}")).unwrap();
    client.batch_execute(&format!("CREATE DATABASE {db}")).unwrap();
    let url = format!("{}/{db}", admin.rsplit_once('/').unwrap().0);
    let d = Dir { tmp: tempfile::tempdir().unwrap() };
    ok(&d.data(), &["init", "--store", &url]);
    race(&d);
    client.batch_execute(&format!("DROP DATABASE {db} WITH (FORCE)")).unwrap();
}
