//! Signing in as an officer over plain HTTP/1.1, for the load generators
//! that ask for officers' pages: the form's CSRF token, the password and
//! the current TOTP code; returns the session cookie.

use crate::open_loop::http;

pub fn sign_in(addr: &str, user: &str, password: &str, secret: &[u8]) -> String {
    let page = http(addr, &format!("GET /login HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n")).unwrap();
    let at = page.find("name=\"csrf\" value=\"").expect("a sign-in form") + 19;
    let token = &page[at..at + page[at..].find('"').unwrap()];
    let code = format!("{:06}", vigil_core::totp_code(secret, vigil_core::totp_step(vigil_core::now().unix_millis())));
    let body = format!("csrf={token}&username={user}&password={}&code={code}", password.replace(' ', "+"));
    let res = http(
        addr,
        &format!(
            "POST /login HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        ),
    )
    .unwrap();
    let cookie = res
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: ").or_else(|| l.strip_prefix("Set-Cookie: ")))
        .unwrap_or_else(|| panic!("sign-in as {user} failed: {}", res.lines().next().unwrap_or("")));
    cookie.split(';').next().unwrap().to_owned()
}
