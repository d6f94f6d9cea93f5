//! Issue 14: a case's conversations on the web: listed on the case page,
//! read page by page with flags in words, searched, jumped to a time,
//! downloaded as CSV and PDF; behind need-to-know, every read audited.

mod support;

use support::{b32decode, call, keep_file, keep_for_screenshot};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use vigil_chat::synthetic::{self, Spec};
use vigil_core::{ChatSettings, Vigil};
use vigil_domain::{Actor, CaseId, EventKind, Initials, Role};

const PW: &str = "correct horse battery staple";

fn session(v: &mut Vigil, user: &str, password: &str, secret: &[u8]) -> String {
    let step = vigil_core::totp_step(vigil_core::now().unix_millis());
    let (token, _) = v.login(user, password, &format!("{:06}", vigil_core::totp_code(secret, step))).unwrap().unwrap();
    format!("vigil_session={token}")
}

/// The seeded demo, opened, and a way to each demo officer's TOTP secret.
fn demo(data: &std::path::Path) -> (Vigil, impl Fn(&str) -> Vec<u8>) {
    let officers = Vigil::demo(data).unwrap().officers;
    let secret = move |name: &str| b32decode(&officers.iter().find(|o| o.0 == name).unwrap().2);
    (Vigil::open(data).unwrap(), secret)
}

fn get(path: &str, cookie: &str) -> Request<Body> {
    Request::get(path).header("cookie", cookie).body(Body::empty()).unwrap()
}

#[tokio::test]
async fn conversations_are_read_searched_and_downloaded_behind_need_to_know() {
    let d = tempfile::tempdir().unwrap();
    let data = d.path().join("data");
    let (mut v, secret) = demo(&data);
    let case = CaseId::parse(vigil_core::DEMO_FULL_CASE).unwrap();
    let by = Initials::parse("DI").unwrap();
    let mut tg = Vec::new();
    let truth = synthetic::telegram(&Spec::new(600), &mut tg).unwrap();
    let t = v.import_chat_bytes(&tg, "result.json", &case, &by, &ChatSettings::default()).unwrap();
    let mut spec = Spec::new(300);
    spec.start = jiff::civil::date(2024, 10, 27).at(0, 0, 0, 0);
    let mut wa = Vec::new();
    let wa_truth = synthetic::whatsapp(&spec, &mut wa).unwrap();
    let london = ChatSettings { format: None, timezone: Some("Europe/London".into()), date_order: None };
    let w = v.import_chat_bytes(&wa, "WhatsApp Chat with Bo.txt", &case, &by, &london).unwrap();
    // A timeline of another case, which DEMO-1's officers must not reach through DEMO-1.
    let other = CaseId::parse("OP-OTHER-1").unwrap();
    let elsewhere = v.import_chat_bytes(&wa, "chat.txt", &other, &Initials::parse("OT").unwrap(), &london).unwrap();
    let adm = Actor::parse("ADM").unwrap();
    let outsider = b32decode(&v.add_user("x.investigator", Role::Investigator, PW, &adm).unwrap().secret_base32);
    let inv = session(&mut v, "demo.investigator", vigil_core::DEMO_PASSWORD, &secret("demo.investigator"));
    let out = session(&mut v, "x.investigator", PW, &outsider);
    let app = vigil_web::app(v);

    let (s, _, html) = call(&app, get("/cases/DEMO-1", &inv)).await;
    assert_eq!(s, StatusCode::OK);
    let link = format!("/cases/DEMO-1/chats/{}", t.timeline);
    assert!(html.contains(&format!("href=\"{link}\"")) && html.contains("telegram export"));

    let (s, _, html) = call(&app, get(&link, &inv)).await;
    assert_eq!(s, StatusCode::OK);
    // Issue 13's officer shell: who is signed in, sign-out, the role's pages; not the public footer.
    assert!(html.contains("Signed in as demo.investigator (investigator)") && html.contains("action=\"/logout\""));
    assert!(html.contains("<a href=\"/cases\">Cases</a>") && !html.contains("<a href=\"/queue\">Queue</a>"));
    assert!(!html.contains("call 999 now"));
    assert!(
        html.contains("Synthetic group")
            && html.contains(&format!("{} of {} message(s)", truth.messages, truth.messages))
    );
    assert!(html.contains(&format!("replies to messages not in the export {}", truth.missing_references.len())));
    assert!(html.contains("showing 1–200"), "one page at a time");
    assert!(
        html.contains("<td>email:person9@example.org</td><td>1</td><td>result.json line 105 (messages[9])</td>"),
        "identifiers with where first found"
    );
    // Page 2 holds the gap in the numbering and the reply to a removed message.
    let (_, _, html) = call(&app, get(&format!("{link}?page=2"), &inv)).await;
    assert!(html.contains("showing 201–400"));
    assert!(html.contains("message numbers are missing just before this one"), "a flag in words");
    assert!(html.contains("replies to a message that is not in the export"));
    keep_for_screenshot(&app, "conversation-telegram.html", &html).await;
    assert!(html.contains("result.json line "), "each message names its place in the original");
    // Search, and jump to a time.
    let (_, _, html) = call(&app, get(&format!("{link}?q=person9%40example.org"), &inv)).await;
    assert!(
        html.contains("match \u{201c}person9@example.org\u{201d}") && html.contains("write to person9@example.org")
    );
    let (_, _, html) = call(&app, get(&format!("{link}?at=2024-01-01T12:00"), &inv)).await;
    let first_row = html.split("<tr id=\"m").nth(1).unwrap();
    assert!(first_row.contains("2024-01-01T12:0"), "the page starts at the time asked: {first_row}");

    // The WhatsApp one says whose zone it is and marks the hour that happened twice.
    let wlink = format!("/cases/DEMO-1/chats/{}", w.timeline);
    let (_, _, html) = call(&app, get(&wlink, &inv)).await;
    assert!(html.contains("zone given by DI"));
    assert!(wa_truth.ambiguous_times > 0);
    assert!(html.contains("a local time the clocks went back over: it happened twice"));
    keep_for_screenshot(&app, "conversation-whatsapp.html", &html).await;

    // CSV and PDF.
    let (s, h, csv) = call(&app, get(&format!("{link}/timeline.csv"), &inv)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(h["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert!(csv.starts_with("No.,Time (UTC),Sender,Message,Flags,Place in the original\r\n"), "{}", &csv[..200]);
    assert!(csv.contains("reply-to-missing"));
    let (s, h, _) = call(&app, get(&format!("{wlink}/timeline.pdf"), &inv)).await;
    assert_eq!((s, h["content-type"].to_str().unwrap()), (StatusCode::OK, "application/pdf"));
    assert_eq!(call(&app, get(&format!("{link}/secret.txt"), &inv)).await.0, StatusCode::NOT_FOUND);

    // Need-to-know: an unassigned officer, and another case's timeline through this case, both 404.
    assert_eq!(call(&app, get(&link, &out)).await.0, StatusCode::NOT_FOUND);
    assert_eq!(call(&app, get(&format!("{link}/timeline.csv"), &out)).await.0, StatusCode::NOT_FOUND);
    let (s, _, html) = call(&app, get(&format!("/cases/DEMO-1/chats/{}", elsewhere.timeline), &inv)).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s2, _, html2) = call(&app, get("/cases/DEMO-1/chats/OT/99", &inv)).await;
    assert_eq!(s2, StatusCode::NOT_FOUND);
    assert_eq!(
        html.replace(&elsewhere.timeline.to_string(), "X"),
        html2.replace("OT/99", "X"),
        "another case's timeline answers as one that does not exist"
    );

    // Every read was audited, and the refused one recorded.
    let v = Vigil::open(&data).unwrap();
    let reads = v.history(&t.timeline).unwrap();
    assert!(reads.iter().filter(|h| h.event.kind == EventKind::Accessed).count() >= 5);
    assert!(v.history(&elsewhere.timeline).unwrap().iter().any(|h| h.event.kind == EventKind::AccessRefused));
}

/// Issue 31: an export whose dates cannot tell their order is read in an
/// assumed one with every time marked uncertain, on the page and in the
/// CSV; the page asks for the order, and reading it again makes a new
/// timeline exhibit with the order given, the first left as it was.
#[tokio::test]
async fn a_conversation_whose_date_order_was_assumed_asks_for_it_and_is_read_again() {
    let d = tempfile::tempdir().unwrap();
    let data = d.path().join("data");
    let (mut v, secret) = demo(&data);
    let case = CaseId::parse(vigil_core::DEMO_FULL_CASE).unwrap();
    let by = Initials::parse("DI").unwrap();
    let export = "03/04/2021, 10:00 - Ann: hi\n03/04/2021, 10:01 - Bo: hi\n05/06/2021, 09:00 - Ann: later\n";
    let utc = ChatSettings { format: None, timezone: Some("UTC".into()), date_order: None };
    let first = v.import_chat_bytes(export.as_bytes(), "chat.txt", &case, &by, &utc).unwrap();
    assert!(first.notes.iter().any(|n| n.contains("--date-order dmy|mdy")), "{:?}", first.notes);
    let inv = session(&mut v, "demo.investigator", vigil_core::DEMO_PASSWORD, &secret("demo.investigator"));
    let app = vigil_web::app(v);

    let link = format!("/cases/DEMO-1/chats/{}", first.timeline);
    let (s, _, html) = call(&app, get(&link, &inv)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Are the dates day-first or month-first?"), "the page asks");
    let cell = html.find("<td>2021").map(|i| &html[i..i + 90]).unwrap_or("");
    assert!(
        html.contains("2021-04-03T10:00:00.000Z (written 03/04/2021, 10:00) [uncertain: day and month may be swapped]"),
        "each time marked: {cell}"
    );
    assert!(html.contains("day and month may be swapped</strong>"), "the flag in words");
    keep_for_screenshot(&app, "conversation-date-order.html", &html).await;
    let (_, _, csv) = call(&app, get(&format!("{link}/timeline.csv"), &inv)).await;
    assert_eq!(csv.matches("[uncertain: day and month may be swapped]").count(), 3, "{csv}");
    let pdf = Request::get(format!("{link}/timeline.pdf")).header("cookie", &inv).body(Body::empty()).unwrap();
    let res = tower::ServiceExt::oneshot(app.clone(), pdf).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let pdf = axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    keep_file("conversation-date-order.pdf", &pdf);

    let token_at = html.find("name=\"csrf\" value=\"").unwrap() + 19;
    let token = &html[token_at..token_at + html[token_at..].find('"').unwrap()];
    let post = |body: String| {
        Request::post(format!("{link}/reread"))
            .header("cookie", &inv)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap()
    };
    // No order chosen: refused, naming the field; nothing made.
    let (s, _, body) = call(&app, post(format!("csrf={token}&producer=DI"))).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("order"), "{body}");
    let (s, h, body) = call(&app, post(format!("csrf={token}&order=mdy&producer=RD"))).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{body}");
    let to = h.get("location").unwrap().to_str().unwrap().to_owned();
    assert_ne!(to, link, "a new timeline exhibit");
    let (s, _, html) = call(&app, get(&to, &inv)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("2021-03-04T10:00:00.000Z"), "read month-first: 4 March");
    assert!(!html.contains("uncertain") && !html.contains("Are the dates day-first"), "no longer uncertain");
    // The first reading is unchanged, and still says its order was assumed.
    let (_, _, html) = call(&app, get(&link, &inv)).await;
    assert!(html.contains("2021-04-03T10:00:00.000Z (written 03/04/2021, 10:00) [uncertain"));
}
