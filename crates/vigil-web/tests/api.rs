//! The partner intake API through the real router: keys, idempotency,
//! errors that name the field, streamed files checked against declared
//! digests, and the OpenAPI document.

mod support;

use support::call;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use sha2::Digest;
use vigil_core::Vigil;
use vigil_domain::Actor;

struct Env {
    _d: tempfile::TempDir,
    data: std::path::PathBuf,
    app: axum::Router,
    key: String,
    other_key: String,
}

fn setup() -> Env {
    let d = tempfile::tempdir().unwrap();
    let data = d.path().join("data");
    Vigil::init(&data, None).unwrap();
    let v = Vigil::open(&data).unwrap();
    let adm = Actor::parse("ADM").unwrap();
    let key = v.add_partner("Example Platform (synthetic)", &adm).unwrap().key;
    let other_key = v.add_partner("Another Partner (synthetic)", &adm).unwrap().key;
    Env { _d: d, data, app: vigil_web::app(v), key, other_key }
}

const FILE_BYTES: &[u8] = b"SYNTHETIC chat export\nuser_a: hello\nuser_b: hi\n";

fn referral(danger: bool) -> String {
    let sha = hex::encode(sha2::Sha256::digest(FILE_BYTES)).to_ascii_uppercase();
    let md5 = hex::encode(md5::Md5::digest(FILE_BYTES));
    format!(
        r#"{{"incident":{{"kind":"grooming","summary":"SYNTHETIC TEST: adult account messaging a child",
            "platform":"ExampleChat","immediate_danger":{danger},"meeting_planned":true,"images_exchanged":false}},
          "reported_users":[{{"display_name":"synthetic","identifiers":[{{"kind":"username","value":"@api_user_1"}},
                                                 {{"kind":"email","value":"Api.User@example.org"}}]}}],
          "files":[{{"name":"chat.txt","size":{},"content_type":"text/plain","sha256":"{sha}","md5":"{md5}"}}],
          "partner_reference":"EX-123"}}"#,
        FILE_BYTES.len()
    )
}

fn post(key: Option<&str>, idem: Option<&str>, ctype: &str, body: impl Into<Body>) -> Request<Body> {
    let mut r = Request::post("/api/v1/referrals").header("content-type", ctype);
    if let Some(k) = key {
        r = r.header("authorization", format!("Bearer {k}"));
    }
    if let Some(i) = idem {
        r = r.header("idempotency-key", i);
    }
    r.body(body.into()).unwrap()
}

fn put(key: &str, path: &str, ctype: &str, body: impl Into<Body>) -> Request<Body> {
    Request::put(path)
        .header("authorization", format!("Bearer {key}"))
        .header("content-type", ctype)
        .body(body.into())
        .unwrap()
}

fn json(s: &str) -> serde_json::Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("not JSON ({e}): {s}"))
}

fn exhibit_count(data: &std::path::Path) -> usize {
    Vigil::open(data).unwrap().exhibits().unwrap().len()
}

#[tokio::test]
async fn openapi_document_is_3_1_and_describes_the_routes() {
    let e = setup();
    let (s, h, body) = call(&e.app, Request::get("/api/v1/openapi.json").body(Body::empty()).unwrap()).await;
    assert_eq!(s, StatusCode::OK);
    assert!(h["content-type"].to_str().unwrap().starts_with("application/json"));
    let doc = json(&body);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"), "{}", doc["openapi"]);
    assert!(doc["paths"]["/api/v1/referrals"]["post"].is_object());
    assert!(doc["paths"]["/api/v1/referrals/{id}/files/{index}"]["put"].is_object());
    assert_eq!(doc["components"]["securitySchemes"]["partner_key"]["scheme"], "bearer");
    // The referral schema is generated from the type the handler parses.
    let props = &doc["components"]["schemas"]["Referral"]["properties"];
    assert!(props["incident"].is_object() && props["reported_users"].is_object() && props["files"].is_object());
}

#[tokio::test]
async fn a_referral_is_stored_once_per_idempotency_key() {
    let e = setup();
    let before = exhibit_count(&e.data);
    let (s, _, body) = call(&e.app, post(Some(&e.key), Some("ref-1"), "application/json", referral(false))).await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let first = json(&body);
    assert_eq!(first["partner_reference"], "EX-123");
    assert!(first["referral"].as_str().unwrap().starts_with("PA/"));
    assert_eq!(first["files"][0]["upload"], format!("/api/v1/referrals/{}/files/0", first["id"]));
    assert_eq!(exhibit_count(&e.data), before + 1);

    // The same key and body: the same answer, nothing new stored.
    let (s, _, body) = call(&e.app, post(Some(&e.key), Some("ref-1"), "application/json", referral(false))).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(json(&body), first);
    assert_eq!(exhibit_count(&e.data), before + 1);

    // The same key with another body is refused.
    let (s, _, body) = call(&e.app, post(Some(&e.key), Some("ref-1"), "application/json", referral(true))).await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    assert!(json(&body)["error"].as_str().unwrap().contains("Idempotency-Key"));
    // Another partner's keys are its own.
    let (s, _, _) = call(&e.app, post(Some(&e.other_key), Some("ref-1"), "application/json", referral(false))).await;
    assert_eq!(s, StatusCode::CREATED);

    // The referral is in the triage queue with its factors, linked by identifier.
    // Read as someone with database access would: Vigil lends no raw store.
    let mut store = vigil_store::open(e.data.join("vigil.db").to_str().unwrap()).unwrap();
    let queue = store.report_queue(vigil_domain::ReportState::New, vigil_domain::QueueOrder::Urgency, 0, 500).unwrap();
    let refs: Vec<String> = queue.iter().map(|r| r.exhibit.to_string()).collect();
    assert!(refs.contains(&first["referral"].as_str().unwrap().to_owned()), "{refs:?}");
    assert!(queue.iter().all(|r| r.factors.contains("a meeting has been arranged")), "{:?}", queue[0].factors);
}

#[tokio::test]
async fn bad_requests_get_clear_errors_that_name_the_field() {
    let e = setup();
    let before = exhibit_count(&e.data);
    let good = referral(false);
    let cases: Vec<(Request<Body>, StatusCode, Option<&str>)> = vec![
        (post(None, Some("k"), "application/json", good.clone()), StatusCode::UNAUTHORIZED, Some("Authorization")),
        (
            post(Some("vgp_000000000000_nope"), Some("k"), "application/json", good.clone()),
            StatusCode::UNAUTHORIZED,
            Some("Authorization"),
        ),
        (post(Some(&e.key), None, "application/json", good.clone()), StatusCode::BAD_REQUEST, Some("Idempotency-Key")),
        (
            post(Some(&e.key), Some("has space"), "application/json", good.clone()),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("Idempotency-Key"),
        ),
        (
            post(Some(&e.key), Some("k1"), "text/plain", good.clone()),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Some("Content-Type"),
        ),
        (post(Some(&e.key), Some("k2"), "application/json", "{"), StatusCode::UNPROCESSABLE_ENTITY, Some("body")),
        (
            post(Some(&e.key), Some("k3"), "application/json", good.replace("\"grooming\"", "\"unknown\"")),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("incident.kind"),
        ),
        (
            post(Some(&e.key), Some("k4"), "application/json", good.replace("\"md5\":\"", "\"md5\":\"zz")),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("files[0].md5"),
        ),
        (
            post(Some(&e.key), Some("k5"), "application/json", good.replace("\"chat.txt\"", "\"../chat.txt\"")),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("files[0].name"),
        ),
        (
            post(Some(&e.key), Some("k6"), "application/json", good.replace("\"partner_reference\"", "\"surprise\"")),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("surprise"),
        ),
        (
            post(Some(&e.key), Some("k7"), "application/json", vec![0xFFu8, 0xFE, b'{']),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("body"),
        ),
        (
            post(Some(&e.key), Some("k8"), "application/json", vec![b' '; 300 * 1024]),
            StatusCode::PAYLOAD_TOO_LARGE,
            Some("body"),
        ),
    ];
    for (req, want, field) in cases {
        let (s, h, body) = call(&e.app, req).await;
        assert_eq!(s, want, "{body}");
        assert!(h["content-type"].to_str().unwrap().starts_with("application/json"), "{body}");
        let j = json(&body);
        assert!(!j["error"].as_str().unwrap().is_empty());
        if let Some(f) = field {
            assert!(j["field"].as_str().is_some_and(|x| x.contains(f)), "want field {f}: {body}");
        }
    }
    assert_eq!(exhibit_count(&e.data), before, "a refused request stores nothing");
    let (s, _, body) = call(&e.app, Request::get("/api/v1/nothing-here").body(Body::empty()).unwrap()).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    json(&body);
}

#[tokio::test]
async fn files_stream_in_and_must_match_their_declared_digests() {
    let e = setup();
    let (_, _, body) = call(&e.app, post(Some(&e.key), Some("f-1"), "application/json", referral(false))).await;
    let r = json(&body);
    let upload = r["files"][0]["upload"].as_str().unwrap().to_owned();
    let before = exhibit_count(&e.data);
    let blobs = || std::fs::read_dir(e.data.join("vault/blobs")).map(|d| d.count()).unwrap_or(0);
    let blobs_before = blobs();

    // Wrong type, wrong partner, wrong index, wrong bytes, too many bytes: refused, nothing kept.
    let (s, _, _) = call(&e.app, put(&e.key, &upload, "text/plain", FILE_BYTES)).await;
    assert_eq!(s, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let (s, _, _) = call(&e.app, put(&e.other_key, &upload, "application/octet-stream", FILE_BYTES)).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "another partner's referral is not revealed");
    let wrong_index = upload.replace("/files/0", "/files/7");
    let (s, _, _) = call(&e.app, put(&e.key, &wrong_index, "application/octet-stream", FILE_BYTES)).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let mut tampered = FILE_BYTES.to_vec();
    tampered[3] ^= 1;
    let (s, _, body) = call(&e.app, put(&e.key, &upload, "application/octet-stream", tampered)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(json(&body)["error"].as_str().unwrap().contains("files[0].sha256"), "{body}");
    let mut longer = FILE_BYTES.to_vec();
    longer.extend_from_slice(b"extra");
    let (s, _, body) = call(&e.app, put(&e.key, &upload, "application/octet-stream", longer)).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    let (s, _, body) = call(&e.app, put(&e.key, &upload, "application/octet-stream", &FILE_BYTES[..10])).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(exhibit_count(&e.data), before);
    assert_eq!(blobs(), blobs_before, "no blob is left behind by a refused upload");
    let tmp = std::fs::read_dir(e.data.join("vault/tmp")).unwrap().count();
    assert_eq!(tmp, 0, "no temp file is left behind");

    // The right bytes, streamed in chunks: an exhibit with the declared hashes.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = FILE_BYTES.chunks(7).map(|c| Ok(c.to_vec())).collect();
    let stream = Body::from_stream(futures_util::stream::iter(chunks));
    let (s, _, body) = call(&e.app, put(&e.key, &upload, "application/octet-stream", stream)).await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let u = json(&body);
    assert_eq!(u["sha256"], hex::encode(sha2::Sha256::digest(FILE_BYTES)));
    assert_eq!(u["size"], FILE_BYTES.len());
    let exhibit = vigil_domain::ExhibitRef::parse(u["exhibit"].as_str().unwrap()).unwrap();
    let v = Vigil::open(&e.data).unwrap();
    let row = v.exhibit(&exhibit).unwrap();
    assert_eq!(row.size, FILE_BYTES.len() as u64);
    assert_eq!(row.case_id.as_str(), vigil_core::PARTNER_CASE);
    // The referral's custody history records the file.
    let referral = vigil_domain::ExhibitRef::parse(r["referral"].as_str().unwrap()).unwrap();
    let hist = v.history(&referral).unwrap();
    assert!(hist.iter().any(|h| h.event.note.as_deref().is_some_and(|n| n.contains(&exhibit.to_string()))));
    drop(v);

    // A second upload of the same file is refused.
    let (s, _, _) = call(&e.app, put(&e.key, &upload, "application/octet-stream", FILE_BYTES)).await;
    assert_eq!(s, StatusCode::CONFLICT);
}
