//! Issue 28, point 3: shared scan work. `vigil scan --distributed` queues a
//! generated tree's files in batches in PostgreSQL; `vigil scan-worker`
//! processes take them (FOR UPDATE SKIP LOCKED) and return their records.
//! Two workers give the report a one-process scan of the same tree gives,
//! byte for byte, hash-set matches included; a worker killed with SIGKILL
//! mid-batch changes nothing: its batch goes to another worker once its
//! lease runs out, and the report is again the one-process scan's. A
//! coordinator killed after queueing loses nothing either: the workers
//! finish its job and the same command with `--gather JOB` gathers it.

mod support;

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use support::{ok, vigil};

/// Content that differs by seed and position (nothing here needs it random).
fn bytes(n: usize, seed: u64) -> Vec<u8> {
    (0..n as u64).map(|k| ((k ^ (seed << 32)).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 56) as u8).collect()
}

/// Large files first in path order (so the first batch takes a while to
/// hash), then small ones in nested folders, an empty file, a ZIP, a name
/// that is not UTF-8, and a broken link (an entry recorded as an error).
fn tree(root: &Path) {
    for i in 0..3 {
        std::fs::write(root.join(format!("0-large-{i}.bin")), bytes(24 << 20, i)).unwrap();
    }
    std::fs::create_dir_all(root.join("a/b")).unwrap();
    for i in 0..50u64 {
        let dir = if i % 2 == 0 { "a" } else { "a/b" };
        std::fs::write(root.join(dir).join(format!("f{i:03}.dat")), bytes((i as usize * 7919) % 200_000, 100 + i))
            .unwrap();
    }
    std::fs::write(root.join("empty"), b"").unwrap();
    std::fs::write(root.join(OsStr::from_bytes(b"caf\xe9.txt")), b"a name that is not UTF-8").unwrap();
    let mut zip = zip::ZipWriter::new(std::fs::File::create(root.join("members.zip")).unwrap());
    for i in 0..4 {
        zip.start_file(format!("m{i}.txt"), zip::write::SimpleFileOptions::default()).unwrap();
        std::io::Write::write_all(&mut zip, &bytes(3000 + i, 900 + i as u64)).unwrap();
    }
    zip.finish().unwrap();
    std::os::unix::fs::symlink(root.join("nowhere"), root.join("broken-link")).unwrap();
}

fn scan_args(data: &Path, root: &Path, format: &str, out: &Path) -> Command {
    let mut c = vigil();
    c.arg("--data").arg(data).arg("scan").arg(root);
    c.args(["--hashsets", "bad-test", "--format", format, "--out"]).arg(out);
    c
}

fn coordinator(data: &Path, root: &Path, format: &str, out: &Path, batch: &str) -> Child {
    scan_args(data, root, format, out)
        .args(["--distributed", "--batch-files", batch])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits until the coordinator says its batches are queued; answers the
/// rest of what it says and the job's ID.
fn queued(c: &mut Child) -> (BufReader<std::process::ChildStderr>, String) {
    let mut err = BufReader::new(c.stderr.take().unwrap());
    let mut line = String::new();
    loop {
        line.clear();
        assert!(err.read_line(&mut line).unwrap() > 0, "the coordinator ended before queueing");
        if line.contains("batches queued") {
            let job = line.strip_prefix("distributed scan ").and_then(|l| l.split(':').next()).unwrap();
            assert!(line.contains(&format!("--gather {job}")), "it says how to gather the job if it stops: {line}");
            return (err, job.to_owned());
        }
    }
}

fn worker(data: &Path, extra: &[&str]) -> Child {
    vigil()
        .arg("--data")
        .arg(data)
        .args(["scan-worker", "--jobs", "1"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn finish(c: Child, what: &str) -> (String, String) {
    let out = c.wait_with_output().unwrap();
    let (o, e) = (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned());
    assert!(out.status.success(), "{what} failed: {e}");
    (o, e)
}

#[test]
fn workers_give_the_one_process_report_and_a_killed_worker_changes_nothing() {
    let Some((mut pg, url, db)) = support::postgres_database("distributed_scan") else { return };
    let dir = tempfile::tempdir().unwrap();
    let root: PathBuf = dir.path().join("media");
    std::fs::create_dir(&root).unwrap();
    tree(&root);
    let data = dir.path().join("data");
    ok(&data, &["init", "--store", &url]);
    let known = dir.path().join("bad.md5");
    let listed = [root.join("a/f004.dat"), root.join("a/b/f007.dat"), root.join("0-large-1.bin")];
    // coreutils' md5sum writes the set, as a lab would.
    let sums = Command::new("md5sum").args(&listed).output().unwrap();
    assert!(sums.status.success());
    std::fs::write(&known, sums.stdout).unwrap();
    ok(
        &data,
        &[
            "hashset",
            "import",
            "bad-test",
            known.to_str().unwrap(),
            "--format",
            "md5sum",
            "--kind",
            "known-bad",
            "--by",
            "FE1",
        ],
    );

    // The peer: one process, the same tree and sets.
    for format in ["json", "dfxml"] {
        let st = scan_args(&data, &root, format, &dir.path().join(format!("single.{format}")))
            .arg("--quiet")
            .status()
            .unwrap();
        assert!(st.success());
    }
    let single_json = std::fs::read(dir.path().join("single.json")).unwrap();
    let text = String::from_utf8_lossy(&single_json);
    assert!(text.contains("bad-test") && text.contains("broken symbolic link"), "the peer report is as expected");

    // Two workers.
    let out = dir.path().join("two.json");
    let mut c = coordinator(&data, &root, "json", &out, "4");
    let (mut progress, _) = queued(&mut c);
    let (w1, w2) = (worker(&data, &["--until-idle"]), worker(&data, &["--until-idle"]));
    let (o1, e1) = finish(w1, "worker 1");
    let (o2, e2) = finish(w2, "worker 2");
    assert!(c.wait().unwrap().success(), "the coordinator failed");
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut progress, &mut rest).unwrap();
    assert_eq!(std::fs::read(&out).unwrap(), single_json, "two workers give the one-process report");
    let took = |e: &str| e.lines().filter(|l| l.starts_with("took batch")).count();
    assert!(took(&e1) > 0 && took(&e2) > 0, "both workers took batches:\n{e1}\n{e2}");
    assert_eq!(took(&e1) + took(&e2), 15, "57 entries in batches of 4, each taken once");
    assert!(o1.contains("batches") && o2.contains("batches"));
    let rows: i64 = postgres::Client::connect(&url, postgres::NoTls)
        .unwrap()
        .query_one("SELECT COUNT(*) FROM scan_batches", &[])
        .unwrap()
        .get(0);
    assert_eq!(rows, 0, "a gathered scan leaves no rows behind (they held the paths)");

    // A worker killed mid-batch: the first batch (three large files) is
    // leased to it and it dies; another takes it once the lease runs out.
    let out = dir.path().join("killed.dfxml");
    let mut c = coordinator(&data, &root, "dfxml", &out, "3");
    let _progress = queued(&mut c);

    let mut doomed = worker(&data, &["--lease-secs", "3"]);
    let mut err = BufReader::new(doomed.stderr.take().unwrap());
    let mut line = String::new();
    err.read_line(&mut line).unwrap();
    assert!(line.starts_with("took batch 0 "), "{line}");
    doomed.kill().unwrap();
    doomed.wait().unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut err, &mut rest).unwrap();
    assert!(!rest.contains("finished batch 0 "), "the worker died before it finished: {rest}");
    let (_, e) = finish(worker(&data, &["--until-idle", "--lease-secs", "3"]), "the surviving worker");
    assert!(c.wait().unwrap().success(), "the coordinator failed");
    assert!(e.contains("took batch 0 ") && e.contains("attempt 2"), "the killed worker's batch was taken again: {e}");
    assert_eq!(
        std::fs::read(&out).unwrap(),
        std::fs::read(dir.path().join("single.dfxml")).unwrap(),
        "a worker killed mid-batch changes nothing in the report"
    );

    // A coordinator killed after queueing: the workers finish its job,
    // and the same command with `--gather JOB` gathers the one-process
    // report from it; a command that would make other batches is refused.
    let out = dir.path().join("gathered.json");
    let mut c = coordinator(&data, &root, "json", &out, "5");
    let (_, job) = queued(&mut c);
    c.kill().unwrap();
    c.wait().unwrap();
    finish(worker(&data, &["--until-idle"]), "the worker after the coordinator died");
    assert!(!out.exists(), "the killed coordinator wrote no report");
    let gather = |batch: &str, job: &str| {
        scan_args(&data, &root, "json", &out)
            .args(["--distributed", "--batch-files", batch, "--gather", job])
            .output()
            .unwrap()
    };
    let refused = |o: std::process::Output, why: &str| {
        let e = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success() && e.contains(why), "refused, saying {why:?}: {e}");
    };
    refused(gather("4", &job), "queued as 12 batches, these sources make 15");
    refused(gather("5", "0123456789abcdef"), "there is no distributed scan 0123456789abcdef");
    std::fs::write(root.join("a/f004-copy.dat"), b"a file added after the job was queued").unwrap();
    refused(gather("5", &job), "holds other files than these sources give now");
    std::fs::remove_file(root.join("a/f004-copy.dat")).unwrap();
    let o = gather("5", &job);
    assert!(o.status.success(), "the job is gathered: {}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        std::fs::read(&out).unwrap(),
        single_json,
        "a job gathered by a second coordinator gives the same report"
    );
    refused(gather("5", &job), "gathered already");

    // Relative sources are refused: workers elsewhere would open other files.
    let r = support::run(&data, &["scan", "media", "--distributed", "--out", "x.json"]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("absolute"), "{}", r.stderr);

    pg.batch_execute(&format!("DROP DATABASE {db} WITH (FORCE)")).unwrap();
}
