//! Issue 11: the public form and the partner API driven with hostile
//! strings (Unicode whose case changes its length, bidi controls, NUL,
//! 20,000-character fields, 2,000 identifiers, non-ASCII digits). No
//! answer is a 5xx, and an ordinary report or referral still gets through.

mod support;

use support::{call, enc};

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use std::net::SocketAddr;
use vigil_core::Vigil;
use vigil_domain::Actor;

fn hostile() -> Vec<String> {
    let mut v: Vec<String> = [
        "http://\u{212A}x",
        "HTTPS://\u{212A}\u{0130}.example.com/\u{0130}",
        "\u{0130}stanbul@example.com",
        "STRASSE\u{1E9E}@Example.COM",
        "\u{202E}txt.exe\u{202C}",
        "\u{200F}\u{200E}\u{2066}x\u{2069}",
        "a\0b",
        "\u{0664}\u{0665}\u{0666}7700900123",
        "\u{FF10}\u{FF17}\u{FF17}\u{FF10}\u{FF10} \u{FF19}\u{FF10}\u{FF10}\u{FF11}\u{FF12}\u{FF13}",
        "+44 (0)",
        "@",
        "www.",
        "https://",
        ".@gmail.com",
        "\u{FEFF}\u{FFFD}\u{10FFFF}",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "\r\n\r\n",
        "%00%ff",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    v.push("x".repeat(20_000));
    v.push("\u{1F600}".repeat(5_000));
    v.push("\u{212A}".repeat(20_000));
    v
}

const GOOD: &[(&str, &str)] = &[
    ("kind", "grooming"),
    ("immediate_danger", "no"),
    ("meeting_planned", "no"),
    ("images_exchanged", "no"),
    ("platform", "ExampleChat"),
    ("identifiers", "demo_user_a"),
    ("child", "about 12 (synthetic)"),
    ("dates", "yesterday (synthetic)"),
    ("account", "SYNTHETIC TEST: an adult account asked a child to move to a private app."),
];

async fn submit(app: &axum::Router, fields: &[(&str, &str)], n: u32) -> (StatusCode, String) {
    let (_, _, html) = call(app, Request::get("/report").body(Body::empty()).unwrap()).await;
    let start = html.find("name=\"csrf\" value=\"").unwrap() + 19;
    let token = &html[start..start + html[start..].find('"').unwrap()];
    let mut body = format!("csrf={}", enc(token));
    for (k, v) in fields {
        body += &format!("&{k}={}", enc(v));
    }
    let mut r = Request::post("/report")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    // A client of its own each time, so the per-client limit stays out of the way.
    let ip = format!("10.{}.{}.{}:1", (n >> 16) & 255, (n >> 8) & 255, n & 255);
    r.extensions_mut().insert(ConnectInfo(ip.parse::<SocketAddr>().unwrap()));
    let (s, _, html) = call(app, r).await;
    (s, html)
}

#[tokio::test]
async fn the_public_form_survives_hostile_strings_in_every_field() {
    let d = tempfile::tempdir().unwrap();
    Vigil::init(&d.path().join("data"), None).unwrap();
    let app = vigil_web::app(Vigil::open(&d.path().join("data")).unwrap());
    let mut n = 0;
    for s in hostile() {
        for field in ["platform", "identifiers", "child", "dates", "account"] {
            let fields: Vec<(&str, &str)> =
                GOOD.iter().map(|(k, v)| if *k == field { (*k, s.as_str()) } else { (*k, *v) }).collect();
            n += 1;
            let (status, html) = submit(&app, &fields, n).await;
            assert!(
                status.is_success() || status.is_client_error(),
                "{field} = {:?}: {status} {}",
                s.chars().take(40).collect::<String>(),
                &html[..html.len().min(300)]
            );
        }
    }
    // 2,000 identifiers at once.
    let many: Vec<String> = (0..2000).map(|i| format!("user_{i}@example.com")).collect();
    let many = many.join("\n");
    let fields: Vec<(&str, &str)> =
        GOOD.iter().map(|(k, v)| if *k == "identifiers" { (*k, many.as_str()) } else { (*k, *v) }).collect();
    let (status, _) = submit(&app, &fields, n + 1).await;
    assert!(status.is_client_error() || status.is_success(), "{status}");
    // The next ordinary report gets a receipt.
    let (status, html) = submit(&app, GOOD, n + 2).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("VR-"));
    assert!(Vigil::open(&d.path().join("data")).unwrap().verify().unwrap().ok());
}

#[tokio::test]
async fn the_partner_api_survives_hostile_strings_in_every_field() {
    let d = tempfile::tempdir().unwrap();
    let data = d.path().join("data");
    Vigil::init(&data, None).unwrap();
    let v = Vigil::open(&data).unwrap();
    let key = v.add_partner("Hostile Test Partner (synthetic)", &Actor::parse("ADM").unwrap()).unwrap().key;
    let app = vigil_web::app(v);
    let referral = |summary: &str, platform: &str, id: &str, name: &str, reference: &str, file: &str| {
        serde_json::json!({
            "incident": {"kind": "grooming", "summary": summary, "platform": platform,
                         "immediate_danger": false, "meeting_planned": false, "images_exchanged": false},
            "reported_users": [{"display_name": name, "identifiers": [{"kind": "username", "value": id}]}],
            "files": [{"name": file, "size": 3, "content_type": "text/plain",
                       "sha256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"}],
            "partner_reference": reference,
        })
        .to_string()
    };
    let post = |body: String, idem: String| {
        Request::post("/api/v1/referrals")
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {key}"))
            .header("idempotency-key", idem)
            .body(Body::from(body))
            .unwrap()
    };
    let ok = "SYNTHETIC TEST";
    for (k, s) in hostile().iter().enumerate() {
        for slot in 0..6 {
            let pick = |i: usize| if i == slot { s.as_str() } else { ok };
            let body = referral(pick(0), pick(1), pick(2), pick(3), pick(4), pick(5));
            let (status, _, answer) = call(&app, post(body, format!("hostile-{k}-{slot}"))).await;
            assert!(
                status.is_success() || status.is_client_error(),
                "slot {slot} = {:?}: {status} {answer}",
                s.chars().take(40).collect::<String>()
            );
        }
    }
    let (status, _, answer) =
        call(&app, post(referral(ok, ok, "@fine", ok, "EX-1", "chat.txt"), "fine-1".into())).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    assert!(Vigil::open(&data).unwrap().verify().unwrap().ok());
}
