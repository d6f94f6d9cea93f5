//! The optional immediate-danger webhook: an immediate-danger report posts
//! its reference (and nothing of its content) to the configured address.

mod support;

use support::call;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use vigil_core::Vigil;

#[tokio::test]
async fn immediate_danger_posts_the_reference_only() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook = vigil_web::Webhook::parse(&format!("http://{}/alerts", listener.local_addr().unwrap())).unwrap();
    let d = tempfile::tempdir().unwrap();
    Vigil::init(&d.path().join("data"), None).unwrap();
    let settings = vigil_web::Settings { alert_webhook: Some(hook), ..Default::default() };
    let app = vigil_web::app_with(Vigil::open(&d.path().join("data")).unwrap(), settings);
    let (_, _, html) = call(&app, Request::get("/report").body(Body::empty()).unwrap()).await;
    let at = html.find("name=\"csrf\" value=\"").unwrap() + 19;
    let token = &html[at..at + html[at..].find('"').unwrap()];
    let body = format!(
        "csrf={token}&kind=grooming&immediate_danger=yes&meeting_planned=yes&images_exchanged=no&platform=ExampleChat\
         &identifiers=webhook_user&account=SYNTHETIC+SECRET+ACCOUNT+TEXT"
    );
    let mut req = Request::post("/report")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    req.extensions_mut().insert(ConnectInfo("192.0.2.9:1".parse::<SocketAddr>().unwrap()));
    let (s, _, _) = call(&app, req).await;
    assert_eq!(s, StatusCode::OK);
    let (mut sock, _) =
        tokio::time::timeout(std::time::Duration::from_secs(5), listener.accept()).await.unwrap().unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&got).contains("}") {
        let n = sock.read(&mut buf).await.unwrap();
        if n == 0 {
            break;
        }
        got.extend_from_slice(&buf[..n]);
    }
    sock.write_all(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n").await.unwrap();
    let text = String::from_utf8_lossy(&got);
    assert!(text.starts_with("POST /alerts HTTP/1.1\r\n"), "{text}");
    assert!(text.contains("\"event\":\"immediate-danger\"") && text.contains("\"report\":\"PR/1\""), "{text}");
    assert!(
        !text.contains("SECRET") && !text.contains("webhook_user") && !text.contains("192.0.2.9"),
        "no content: {text}"
    );
}
