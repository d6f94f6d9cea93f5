//! Officer sign-in: password and TOTP both required, codes single use,
//! back-off after repeated failures, server-side sessions, CSRF on sign-out.

mod support;

use support::{b32decode, call};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use vigil_core::Vigil;
use vigil_domain::{Actor, Role};

const PASSWORD: &str = "correct horse battery staple";

fn setup() -> (tempfile::TempDir, axum::Router, Vec<u8>) {
    let d = tempfile::tempdir().unwrap();
    let data = d.path().join("data");
    Vigil::init(&data, None).unwrap();
    let v = Vigil::open(&data).unwrap();
    let e = v.add_user("jsmith", Role::TriageOfficer, PASSWORD, &Actor::parse("ADM").unwrap()).unwrap();
    (d, vigil_web::app(v), b32decode(&e.secret_base32))
}

async fn csrf(app: &axum::Router) -> String {
    let (_, _, html) = call(app, Request::get("/login").body(Body::empty()).unwrap()).await;
    let s = html.find("name=\"csrf\" value=\"").unwrap() + 19;
    html[s..s + html[s..].find('"').unwrap()].to_owned()
}

fn now_code(secret: &[u8], offset: i64) -> String {
    let ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    format!("{:06}", vigil_core::totp_code(secret, vigil_core::totp_step(ms) + offset))
}

async fn login(
    app: &axum::Router,
    user: &str,
    password: &str,
    code: &str,
) -> (StatusCode, axum::http::HeaderMap, String) {
    let t = csrf(app).await;
    let body = format!("csrf={t}&username={user}&password={}&code={code}", password.replace(' ', "+"));
    call(
        app,
        Request::post("/login")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap(),
    )
    .await
}

fn cookie(h: &axum::http::HeaderMap) -> String {
    h["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned()
}

#[tokio::test]
async fn password_and_totp_make_a_session() {
    let (_d, app, secret) = setup();
    let (s, h, _) = call(&app, Request::get("/officer").body(Body::empty()).unwrap()).await;
    assert!(s.is_redirection() && h["location"] == "/login", "anonymous users are sent to sign in");
    assert_eq!(login(&app, "jsmith", "wrong password here", &now_code(&secret, 0)).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(login(&app, "jsmith", PASSWORD, "000000").await.0, StatusCode::UNAUTHORIZED);
    let (s, _, body) = login(&app, "nobody", PASSWORD, "123456").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert!(body.contains("password or code is not right"), "the same answer for an unknown user");
    let code = now_code(&secret, 0);
    let (s, h, _) = login(&app, "jsmith", PASSWORD, &code).await;
    assert!(s.is_redirection(), "{s}");
    let set = h["set-cookie"].to_str().unwrap();
    assert!(set.contains("HttpOnly") && set.contains("Secure") && set.contains("SameSite=Strict"), "{set}");
    let c = cookie(&h);
    let (s, _, html) = call(&app, Request::get("/officer").header("cookie", &c).body(Body::empty()).unwrap()).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Signed in as jsmith (triage-officer)"));
    // The same code cannot be used twice.
    assert_eq!(login(&app, "jsmith", PASSWORD, &code).await.0, StatusCode::UNAUTHORIZED);
    // Sign-out needs the session's CSRF token.
    let token_at = html.find("name=\"csrf\" value=\"").unwrap() + 19;
    let session_csrf = &html[token_at..token_at + 32];
    let out = |t: &str| {
        Request::post("/logout")
            .header("cookie", &c)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(format!("csrf={t}")))
            .unwrap()
    };
    assert_eq!(call(&app, out("forged")).await.0, StatusCode::FORBIDDEN);
    assert!(call(&app, out(session_csrf)).await.0.is_redirection());
    let (s, _, _) = call(&app, Request::get("/officer").header("cookie", &c).body(Body::empty()).unwrap()).await;
    assert!(s.is_redirection(), "the session is gone server-side");
}

/// Issue 11, finding 5: a per-account lock let anyone lock every officer
/// out, and its different answer revealed which names exist. Now one
/// client backs off for one account; the officer elsewhere still signs in,
/// and every refusal reads the same.
#[tokio::test]
async fn repeated_failures_back_off_one_client_not_the_account() {
    let (_d, app, secret) = setup();
    let from = |ip: &str, user: &str, password: &str, code: &str| {
        let (user, password, code, ip, app) =
            (user.to_owned(), password.replace(' ', "+"), code.to_owned(), ip.to_owned(), app.clone());
        async move {
            let t = csrf(&app).await;
            let mut r = Request::post("/login")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from(format!("csrf={t}&username={user}&password={password}&code={code}")))
                .unwrap();
            r.extensions_mut().insert(axum::extract::ConnectInfo(ip.parse::<std::net::SocketAddr>().unwrap()));
            call(&app, r).await
        }
    };
    let mut answers = Vec::new();
    for _ in 0..7 {
        let (s, _, body) = from("192.0.2.66:4000", "jsmith", "not the password!", "111111").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        answers.push(body.split("<form").nth(1).unwrap_or("").split("csrf").next().unwrap_or("").to_owned());
    }
    let (s, _, unknown) = from("192.0.2.66:4000", "nobody.here", "not the password!", "111111").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert!(unknown.contains("not right"));
    // The attacker's client now waits, even with the right password …
    let (s, _, body) = from("192.0.2.66:4000", "jsmith", PASSWORD, &now_code(&secret, 0)).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "the guessing client waits");
    assert!(body.contains("not right"));
    assert!(!body.to_lowercase().contains("locked"), "nothing says the account exists or is locked");
    // … while the officer, from their own machine, signs in.
    let (s, h, _) = from("198.51.100.7:5000", "jsmith", PASSWORD, &now_code(&secret, 1)).await;
    assert!(s.is_redirection(), "{s}");
    assert!(h.contains_key("set-cookie"));
}

/// Issue 11, finding 8: there was no way to disable an account or end its
/// sessions, and the alert stream outlived sign-out. Disabling ends the
/// sessions, refuses sign-in with the usual answer, and the open alert
/// stream ends instead of delivering the next alert.
#[tokio::test]
async fn a_disabled_account_loses_its_sessions_and_its_alert_stream() {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let (d, app, secret) = setup();
    let (s, h, _) = login(&app, "jsmith", PASSWORD, &now_code(&secret, 0)).await;
    assert!(s.is_redirection());
    let c = cookie(&h);
    let res =
        app.clone().oneshot(Request::get("/events").header("cookie", &c).body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let mut stream = res.into_body();

    let other = Vigil::open(&d.path().join("data")).unwrap();
    assert_eq!(other.disable_user("jsmith", "left the unit", &Actor::parse("ADM").unwrap()).unwrap(), 1);
    let (s, h, _) = call(&app, Request::get("/officer").header("cookie", &c).body(Body::empty()).unwrap()).await;
    assert!(s.is_redirection() && h["location"] == "/login", "the session has ended");
    let (s, _, body) = login(&app, "jsmith", PASSWORD, &now_code(&secret, 1)).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert!(body.contains("not right"), "the usual answer: {body}");

    // An immediate-danger report: the disabled officer's stream ends instead.
    let (_, _, html) = call(&app, Request::get("/report").body(Body::empty()).unwrap()).await;
    let at = html.find("name=\"csrf\" value=\"").unwrap() + 19;
    let token = &html[at..at + html[at..].find('"').unwrap()];
    let form = format!(
        "csrf={}&kind=grooming&immediate_danger=yes&meeting_planned=yes&images_exchanged=no&account=SYNTHETIC+TEST+danger",
        token.replace('+', "%2B").replace('/', "%2F").replace('=', "%3D")
    );
    let mut r = Request::post("/report")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(form))
        .unwrap();
    r.extensions_mut().insert(axum::extract::ConnectInfo("192.0.2.80:1".parse::<std::net::SocketAddr>().unwrap()));
    let (s, _, page) = call(&app, r).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    let next =
        tokio::time::timeout(std::time::Duration::from_secs(10), stream.frame()).await.expect("the stream answers");
    match next {
        None => {}
        Some(Ok(f)) => {
            let data = f.into_data().map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default();
            assert!(!data.contains("immediate-danger"), "an alert reached a disabled account: {data}");
        }
        Some(Err(_)) => {}
    }
    assert!(other.verify().unwrap().ok());
}
