//! Issue 28, point 5: `vigil serve --tls-cert --tls-key` speaks HTTPS with
//! rustls, and an officer signs in over it with curl (a real TLS client)
//! that checks the certificate, keeps the Secure session cookie, and sends
//! it back over HTTPS; a key file others may read is refused.

mod support;

use std::process::Command;
use support::{run, Dir};

fn openssl_cert(d: &Dir) -> Option<(std::path::PathBuf, std::path::PathBuf)> {
    let (cert, key) = (d.path("cert.pem"), d.path("key.pem"));
    let made = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2"])
        .args(["-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output();
    match made {
        Ok(o) if o.status.success() => Some((cert, key)),
        _ => {
            assert_ne!(
                std::env::var("CI").as_deref(),
                Ok("true"),
                "openssl is required in CI to make a test certificate"
            );
            eprintln!("SKIPPED: openssl could not make a test certificate");
            None
        }
    }
}

fn curl(args: &[&str]) -> (bool, String, String) {
    let o = Command::new("curl").args(["-sS", "--max-time", "20"]).args(args).output().expect("curl runs");
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn an_officer_signs_in_over_https_with_the_secure_cookie() {
    let d = Dir::init();
    let Some((cert, key)) = openssl_cert(&d) else { return };
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let refused = run(
        &d.data(),
        &["serve", "--listen", "127.0.0.1:0", "--tls-cert", cert.to_str().unwrap(), "--tls-key", key.to_str().unwrap()],
    );
    assert_eq!(refused.code, 1);
    assert!(refused.stderr.contains("key.pem") && refused.stderr.contains("chmod 600"), "{}", refused.stderr);
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();

    let v = vigil_core::Vigil::open(&d.data()).unwrap();
    let enrol = v
        .add_user(
            "t.sup",
            vigil_domain::Role::Supervisor,
            "correct horse battery staple",
            &vigil_domain::Actor::parse("ADM").unwrap(),
        )
        .unwrap();
    drop(v);
    let secret = vigil_core::base32_decode(&enrol.secret_base32).unwrap();
    let server = support::Server::start_tls(&d.data(), &cert, &key);
    let base = format!("https://{}", server.addr);
    let cacert = cert.to_str().unwrap();

    // A client that does not trust the certificate is refused by its own check.
    let (ok, _, err) = curl(&[&format!("{base}/healthz")]);
    assert!(!ok, "curl must refuse an unknown certificate: {err}");
    let (ok, body, err) = curl(&["--cacert", cacert, &format!("{base}/healthz")]);
    assert!(ok && body.contains("ok"), "{body}{err}");

    let jar = d.path("cookies.txt");
    let jar = jar.to_str().unwrap();
    let code = format!("{:06}", vigil_core::totp_code(&secret, vigil_core::totp_step(vigil_core::now().unix_millis())));
    // The sign-in form's own single-use token, as a browser would get it.
    let (ok, login, err) = curl(&["--cacert", cacert, &format!("{base}/login")]);
    assert!(ok, "{err}");
    let token = login.split("name=\"csrf\" value=\"").nth(1).and_then(|r| r.split('"').next()).expect("a form token");
    let form = format!("csrf={token}&username=t.sup&password=correct+horse+battery+staple&code={code}");
    let (ok, _, err) = curl(&[
        "--cacert",
        cacert,
        "-c",
        jar,
        "-b",
        jar,
        "-D",
        "-",
        "-o",
        "/dev/null",
        "--data",
        &form,
        &format!("{base}/login"),
    ]);
    assert!(ok, "{err}");
    let cookies = std::fs::read_to_string(jar).unwrap();
    // curl's jar marks a Secure cookie TRUE in its fourth column.
    let line =
        cookies.lines().find(|l| l.contains("vigil_session")).unwrap_or_else(|| panic!("no session cookie: {cookies}"));
    assert_eq!(line.split('\t').nth(3), Some("TRUE"), "the cookie is Secure: {line}");
    let (ok, page, err) = curl(&["--cacert", cacert, "-b", jar, &format!("{base}/officer")]);
    assert!(ok && page.contains("Signed in as t.sup"), "{page}{err}");
}
