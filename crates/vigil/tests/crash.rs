//! SIGKILL at random points during `exhibit add` loops: every reference that
//! was printed must survive, and the store must still verify.

mod support;

use std::io::Read;
use std::process::Stdio;
use std::time::{Duration, Instant};
use support::{ok, vigil, Dir};

const TRIALS: usize = 60;
const FILES_PER_RUN: usize = 6;

/// xorshift64*: enough randomness to spread kill points, with a printed seed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

#[test]
fn sigkill_during_adds_never_loses_a_printed_exhibit() {
    let seed = std::env::var("VIGIL_CRASH_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1
    });
    eprintln!("crash test seed {seed} (set VIGIL_CRASH_SEED to replay)");
    let mut rng = Rng(seed);
    let d = Dir::init();
    let data = d.data();
    let mut printed: Vec<(String, String)> = Vec::new();
    let mut killed_mid_run = 0;
    // Time one uninterrupted run so kill points cover a whole run.
    let mut span = Duration::from_millis(200);
    for trial in 0..TRIALS {
        let files: Vec<String> = (0..FILES_PER_RUN)
            .map(|i| {
                let len = (rng.next() % 300_000) as usize;
                let mut body = format!("trial {trial} file {i} ").into_bytes();
                body.resize(len.max(body.len()), (trial * 7 + i) as u8);
                d.file(&format!("t{trial}-{i}.bin"), &body).to_str().unwrap().to_owned()
            })
            .collect();
        let mut cmd = vigil();
        cmd.arg("--data").arg(&data).args(["exhibit", "add"]).args(&files).args(["--case", "CRASH-TEST", "--by", "KT"]);
        let start = Instant::now();
        let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
        if trial == 0 {
            child.wait().unwrap();
            span = start.elapsed();
        } else {
            let delay = Duration::from_micros(rng.next() % (span.as_micros() as u64 * 11 / 10 + 1));
            std::thread::sleep(delay);
            if child.try_wait().unwrap().is_none() {
                killed_mid_run += 1;
            }
            child.kill().ok(); // SIGKILL on Unix
            child.wait().unwrap();
        }
        let mut out = String::new();
        child.stdout.take().unwrap().read_to_string(&mut out).unwrap();
        for line in out.lines() {
            let (r, sha) = line.split_once(' ').expect("each printed line is REF SHA256");
            printed.push((r.to_owned(), sha.to_owned()));
        }
    }
    eprintln!("{} exhibits printed over {TRIALS} runs, {killed_mid_run} killed mid-run", printed.len());
    assert!(killed_mid_run >= 30, "too few runs were actually interrupted ({killed_mid_run})");
    for (i, (r, sha)) in printed.iter().enumerate() {
        let out = d.path(&format!("check-{i}"));
        let got = ok(
            &data,
            &["exhibit", "get", r, "--out", out.to_str().unwrap(), "--reason", "crash test check", "--by", "KT"],
        );
        assert!(got.contains(sha), "{r}: printed {sha} but got {got}");
    }
    let v = ok(&data, &["verify"]);
    assert!(v.contains("OK"), "{v}");
}
