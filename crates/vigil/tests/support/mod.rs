//! Helpers for driving the real `vigil` binary.

// Each test binary compiles this module and uses a different part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Settings from the environment that would change what a test runs.
const VIGIL_ENV: [&str; 4] = ["VIGIL_DATA", "VIGIL_STORE", "VIGIL_ACTOR", "VIGIL_S3_CREDENTIALS"];

pub fn vigil() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_vigil"));
    for v in VIGIL_ENV {
        c.env_remove(v);
    }
    c
}

/// The binary run under another umask (through `sh`, which sets it before
/// it execs), for checks that files get their modes whatever the umask says.
pub fn vigil_under_umask(mask: &str) -> Command {
    let mut c = Command::new("sh");
    c.args(["-c", &format!("umask {mask} && exec \"$@\""), "sh", env!("CARGO_BIN_EXE_vigil")]);
    for v in VIGIL_ENV {
        c.env_remove(v);
    }
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

/// A fresh PostgreSQL database for one test (`VIGIL_TEST_PG` names the
/// server's admin database): the admin client, the new database's URL and
/// its name. None, with the reason printed, where the server cannot be
/// reached outside CI; under `CI=true` that fails the test.
pub fn postgres_database(name: &str) -> Option<(postgres::Client, String, String)> {
    let admin = std::env::var("VIGIL_TEST_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let mut client = match postgres::Client::connect(&admin, postgres::NoTls) {
        Ok(c) => c,
        Err(e) if std::env::var("CI").as_deref() != Ok("true") => {
            eprintln!("SKIPPED: {name}: cannot reach {admin}: {e}");
            return None;
        }
        Err(e) => panic!("PostgreSQL at {admin} is required in CI: {e}"),
    };
    let db = format!("vigil_{name}_{}", std::process::id());
    client.batch_execute(&format!("DROP DATABASE IF EXISTS {db}")).unwrap();
    client.batch_execute(&format!("CREATE DATABASE {db}")).unwrap();
    let url = format!("{}/{db}", admin.rsplit_once('/').unwrap().0);
    Some((client, url, db))
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

/// A running `vigil serve` on a free port, killed when dropped.
pub struct Server {
    pub child: std::process::Child,
    pub addr: String,
}

impl Server {
    /// Starts `vigil serve` on port 0 with `extra` arguments and waits for
    /// the address it prints; standard error goes to `log` when given, with
    /// every log level switched on.
    pub fn start(data: &Path, extra: &[&str], log: Option<&Path>) -> Server {
        use std::io::BufRead;
        let mut cmd = vigil();
        cmd.arg("--data").arg(data).args(["serve", "--listen", "127.0.0.1:0"]).args(extra);
        cmd.stdout(std::process::Stdio::piped());
        match log {
            Some(p) => cmd.env("RUST_LOG", "trace").stderr(std::fs::File::create(p).unwrap()),
            None => cmd.stderr(std::process::Stdio::null()),
        };
        let mut child = cmd.spawn().unwrap();
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let at = line.find("http://").unwrap_or_else(|| panic!("serve printed no address: {line:?}")) + 7;
        let addr = line[at..at + line[at..].find('/').unwrap()].to_owned();
        Server { child, addr }
    }

    /// Starts `vigil serve` over HTTPS with the certificate and key given;
    /// `addr` is then the host and port of the `https://` address printed.
    pub fn start_tls(data: &Path, cert: &Path, key: &Path) -> Server {
        use std::io::BufRead;
        let mut cmd = vigil();
        cmd.arg("--data")
            .arg(data)
            .args(["serve", "--listen", "127.0.0.1:0", "--tls-cert"])
            .arg(cert)
            .arg("--tls-key")
            .arg(key);
        cmd.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::null());
        let mut child = cmd.spawn().unwrap();
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let at = line.find("https://").unwrap_or_else(|| panic!("serve printed no https address: {line:?}")) + 8;
        let addr = line[at..at + line[at..].find('/').unwrap()].to_owned();
        Server { child, addr }
    }

    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// One HTTP/1.1 request with `Connection: close`; returns the status and
/// body, or `None` when the connection failed or was cut (a killed server).
pub fn http(addr: &str, method: &str, path: &str, content_type: Option<&str>, body: &[u8]) -> Option<(u16, String)> {
    let headers: Vec<(&str, &str)> = content_type.map(|ct| ("Content-Type", ct)).into_iter().collect();
    http_with(addr, method, path, &headers, body).map(|(status, _, body)| (status, body))
}

/// As [`http`], with any request headers; answers the status, the response
/// headers (as sent) and the body.
pub fn http_with(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Option<(u16, String, String)> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(std::time::Duration::from_secs(30))).ok()?;
    let mut req =
        format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    for (name, value) in headers {
        req += &format!("{name}: {value}\r\n");
    }
    req += "\r\n";
    s.write_all(req.as_bytes()).ok()?;
    s.write_all(body).ok()?;
    let mut out = Vec::new();
    s.read_to_end(&mut out).ok()?;
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text.split(' ').nth(1)?.parse().ok()?;
    let (head, body) =
        text.split_once("\r\n\r\n").map_or((text.clone(), String::new()), |(h, b)| (h.to_owned(), b.to_owned()));
    Some((status, head, body))
}

/// Percent-encodes a form value.
pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The CSRF token in a page's form.
pub fn csrf_of(html: &str) -> Option<String> {
    let start = html.find("name=\"csrf\" value=\"")? + 19;
    Some(html[start..start + html[start..].find('"')?].to_owned())
}

/// Fetches the public form's token and submits a report; returns the
/// status and page, or `None` when the server went away.
pub fn submit_report(addr: &str, fields: &[(&str, &str)]) -> Option<(u16, String)> {
    let (_, page) = http(addr, "GET", "/report", None, b"")?;
    let token = csrf_of(&page)?;
    let mut body = format!("csrf={}", enc(&token));
    for (k, v) in fields {
        body += &format!("&{k}={}", enc(v));
    }
    http(addr, "POST", "/report", Some("application/x-www-form-urlencoded"), body.as_bytes())
}

/// The receipt code and secret on a "report received" page.
pub fn receipt_of(page: &str) -> Option<(String, String)> {
    let mut parts = page.split("<p class=\"receipt\">").skip(1).map(|p| p.split('<').next().unwrap_or("").to_owned());
    Some((parts.next()?, parts.next()?))
}
