//! Helpers for driving the real `vigil` binary.

// Each test binary compiles this module and uses a different part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn vigil() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_vigil"));
    c.env_remove("VIGIL_DATA").env_remove("VIGIL_STORE").env_remove("VIGIL_ACTOR");
    c
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Self {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

pub fn run(data: &Path, args: &[&str]) -> Run {
    vigil().arg("--data").arg(data).args(args).output().unwrap().into()
}

pub fn ok(data: &Path, args: &[&str]) -> String {
    let r = run(data, args);
    assert_eq!(r.code, 0, "vigil {args:?} failed: {}", r.stderr);
    r.stdout
}

pub struct Dir {
    pub tmp: tempfile::TempDir,
}

impl Dir {
    pub fn init() -> Dir {
        let d = Dir { tmp: tempfile::tempdir().unwrap() };
        ok(&d.data(), &["init"]);
        d
    }
    pub fn data(&self) -> PathBuf {
        self.tmp.path().join("data")
    }
    pub fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.tmp.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }
    pub fn path(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }
}
