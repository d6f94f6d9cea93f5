//! Issue 14: chat exports through the CLI and the core: the export sealed
//! as received, the timeline as a derived exhibit with a `copied` event,
//! `--json` compared with the generator's ground truth, identifiers linked
//! to reports, nothing half-imported from a broken export, and both
//! exhibits in a bundle that verifies.

use serde_json::Value;
use std::path::Path;
use std::process::Command;
use vigil_chat::synthetic::{self, Spec};
use vigil_core::{Audience, ChatSettings, OfficerSession, Vigil, DEMO_FULL_CASE};
use vigil_domain::{CaseId, CaseRecord, Initials, Role};

fn vigil(data: &Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vigil")).arg("--data").arg(data).args(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn exhibit_count(data: &Path) -> usize {
    let (ok, out, err) = vigil(data, &["--json", "exhibit", "list"]);
    assert!(ok, "{err}");
    serde_json::from_str::<Value>(&out).unwrap().as_array().unwrap().len()
}

#[test]
fn cli_import_prints_what_the_generator_wrote_and_show_reads_it_back() {
    let d = tempfile::tempdir().unwrap();
    let data = d.path().join("data");
    assert!(vigil(&data, &["init"]).0);
    let export = d.path().join("result.json");
    let mut spec = Spec::new(1200);
    spec.silences_at = vec![400];
    let truth = synthetic::telegram(&spec, &mut std::fs::File::create(&export).unwrap()).unwrap();

    let (ok, out, err) =
        vigil(&data, &["--json", "chat", "import", export.to_str().unwrap(), "--case", "OP-CHAT-1", "--by", "JS"]);
    assert!(ok, "{err}");
    let j: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (j["exhibit"].as_str(), j["timeline"].as_str(), j["format"].as_str()),
        (Some("JS/1"), Some("JS/2"), Some("telegram"))
    );
    let c = &j["conversations"][0];
    assert_eq!(c["title"], "Synthetic group");
    assert_eq!(c["messages"], truth.messages);
    assert_eq!(c["participants"].as_array().unwrap().len(), truth.participants.len());
    assert_eq!(c["participants"][0]["ids"][0], "user1001");
    assert_eq!((c["deleted"].as_u64(), c["edited"].as_u64()), (Some(truth.deleted), Some(truth.edited)));
    assert_eq!(c["missing_references"].as_array().unwrap().len(), truth.missing_references.len());
    assert!(c["missing_references"][0]["message"].as_str().unwrap().starts_with("result.json line "));
    assert_eq!(c["id_gaps"].as_array().unwrap().len(), truth.id_gaps.len());
    assert_eq!(c["possible_gaps"].as_array().unwrap().len() as u64, truth.possible_gaps);
    assert_eq!(c["ambiguous_times"], 0);
    assert_eq!(c["first"]["time"], "2024-01-01T10:00:57.000Z");
    assert!(c["last"]["time"].is_string());
    let ids: Vec<&str> =
        j["identifiers"].as_array().unwrap().iter().map(|i| i["identifier"].as_str().unwrap()).collect();
    assert_eq!(ids, truth.identifiers.iter().map(String::as_str).collect::<Vec<_>>());

    // The original's SHA-256 is in the timeline's custody chain, and the
    // original's continuity names the timeline and the importer.
    let sha = j["exhibit_sha256"].as_str().unwrap();
    assert_eq!(sha, sha256_hex(&std::fs::read(&export).unwrap()));
    let (_, hist, _) = vigil(&data, &["--json", "exhibit", "history", "JS/2"]);
    let hist: Value = serde_json::from_str(&hist).unwrap();
    let note = hist["events"][0]["note"].as_str().unwrap();
    assert!(note.contains("derived from exhibit JS/1") && note.contains(sha) && note.contains("vigil-chat "), "{note}");
    let (_, hist, _) = vigil(&data, &["exhibit", "history", "JS/1"]);
    assert!(hist.contains("copied by JS") && hist.contains("timeline exhibit JS/2"), "{hist}");

    let (ok, shown, err) = vigil(&data, &["--json", "chat", "show", "JS/2"]);
    assert!(ok, "{err}");
    let shown: Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(shown["messages"].as_array().unwrap().len() as u64, truth.messages);
    assert_eq!(shown["header"]["original"]["sha256"], sha);
    let (ok, text, _) = vigil(&data, &["chat", "show", "JS/2", "--search", "example.org"]);
    assert!(ok && text.contains("write to person9@example.org") && text.contains("<result.json line "), "{text}");
    let (ok, _, err) = vigil(&data, &["verify"]);
    assert!(ok, "{err}");
    // The timeline derives afresh from the original, byte for byte.
    let (ok, out, err) = vigil(&data, &["--json", "chat", "check", "JS/2"]);
    assert!(ok, "{err}");
    let c: Value = serde_json::from_str(&out).unwrap();
    assert_eq!((c["same"].as_bool(), c["original"].as_str()), (Some(true), Some("JS/1")));
    let (ok, _, err) = vigil(&data, &["chat", "check", "JS/1"]);
    assert!(!ok && err.contains("exhibit JS/1 is not a chat timeline"), "{err}");

    // A timeline with one message changed, passed off as derived from JS/1, is caught.
    let real = d.path().join("real.jsonl");
    let (ok, _, err) = vigil(&data, &["exhibit", "get", "JS/2", "--out", real.to_str().unwrap(), "--reason", "test"]);
    assert!(ok, "{err}");
    let forged = std::fs::read_to_string(&real).unwrap().replacen(
        "write to person9@example.org",
        "write to someone.else@example.org",
        1,
    );
    let forged_path = d.path().join("forged.jsonl");
    std::fs::write(&forged_path, forged).unwrap();
    let (ok, _, err) =
        vigil(&data, &["exhibit", "add", forged_path.to_str().unwrap(), "--case", "OP-CHAT-1", "--by", "JS"]);
    assert!(ok, "{err}");
    let db = rusqlite::Connection::open(data.join("vigil.db")).unwrap();
    db.execute(
        "INSERT INTO chat_timelines (timeline, original, case_id, format, messages, conversations) VALUES ('JS/3', 'JS/1', 'OP-CHAT-1', 'telegram', 1, 1)",
        [],
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .arg("--data")
        .arg(&data)
        .args(["chat", "check", "JS/3"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stdout).contains("JS/3 does NOT derive from JS/1"));
}

#[test]
fn a_broken_export_is_refused_naming_where_and_leaves_nothing() {
    let d = tempfile::tempdir().unwrap();
    let data = d.path().join("data");
    assert!(vigil(&data, &["init"]).0);
    let mut bytes = Vec::new();
    synthetic::telegram(&Spec::new(300), &mut bytes).unwrap();
    let cut = d.path().join("result.json");
    std::fs::write(&cut, &bytes[..bytes.len() * 2 / 3]).unwrap();
    let (ok, _, err) = vigil(&data, &["chat", "import", cut.to_str().unwrap(), "--case", "OP-CHAT-1", "--by", "JS"]);
    assert!(!ok);
    assert!(err.contains("result.json line ") && err.contains("(messages[") && err.contains("cut short"), "{err}");

    let junk = d.path().join("notes.txt");
    std::fs::write(&junk, "shopping: eggs, milk\n").unwrap();
    let (ok, _, err) = vigil(&data, &["chat", "import", junk.to_str().unwrap(), "--case", "OP-CHAT-1", "--by", "JS"]);
    assert!(
        !ok && err.contains("notes.txt: the content is not a WhatsApp, Telegram, Discord or Instagram export"),
        "{err}"
    );
    let (ok, _, err) = vigil(
        &data,
        &["chat", "import", junk.to_str().unwrap(), "--case", "OP-CHAT-1", "--by", "JS", "--timezone", "Mars/Olympus"],
    );
    assert!(!ok && err.contains("timezone: \"Mars/Olympus\" is not an IANA time zone name"), "{err}");
    assert_eq!(exhibit_count(&data), 0, "nothing half-imported");
    let (ok, _, err) = vigil(&data, &["verify"]);
    assert!(ok, "{err}");
}

fn sha256_hex(b: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(b))
}

#[test]
fn identifiers_link_to_reports_and_both_exhibits_travel_in_a_verified_bundle() {
    let d = tempfile::tempdir().unwrap();
    let data = d.path().join("data");
    Vigil::demo(&data).unwrap();
    let v = Vigil::open(&data).unwrap();
    // A public report naming a phone number the chat will contain.
    let report = vigil_domain::PublicReport {
        kind: vigil_domain::ReportKind::Other,
        immediate_danger: false,
        meeting_planned: false,
        images_exchanged: false,
        platform: "WhatsApp".into(),
        identifiers: vec!["07700 900031".into()],
        child: String::new(),
        dates: String::new(),
        account: "SYNTHETIC".into(),
        contact: None,
        about: Default::default(),
    };
    let receipt = v.submit_public_report(&report).unwrap();
    let mut chat = Vec::new();
    let truth = synthetic::whatsapp(&Spec::new(400), &mut chat).unwrap();
    assert!(truth.identifiers.contains(&"phone:+447700900031".to_owned()));
    let case = CaseId::parse(DEMO_FULL_CASE).unwrap();
    let by = Initials::parse("DI").unwrap();
    let settings = ChatSettings { format: None, timezone: Some("Europe/London".into()), date_order: None };
    let imported = v.import_chat_bytes(&chat, "WhatsApp Chat with Bo.txt", &case, &by, &settings).unwrap();
    assert_eq!(imported.zone_given_by.as_deref(), Some("DI"));
    let linked = imported.identifiers.iter().find(|i| i.identifier == "phone:+447700900031").unwrap();
    assert_eq!(linked.reports, vec![receipt.exhibit.clone()]);
    // The notice on line 1, 31 messages, one of them two lines long: line 34.
    assert_eq!(linked.first_source, "WhatsApp Chat with Bo.txt line 34");
    let stored = v.exhibit_identifiers(&imported.exhibit).unwrap();
    assert_eq!(stored.len(), imported.identifiers.len());

    // Both exhibits scheduled as used material travel in the bundle, and the bundle verifies.
    let disc =
        OfficerSession { username: "demo.disclosure".into(), role: Role::DisclosureOfficer, csrf: String::new() };
    for (e, what) in [(&imported.exhibit, "WhatsApp export as received"), (&imported.timeline, "its message timeline")]
    {
        let record = CaseRecord::ExhibitUsed {
            exhibit: format!("exhibit:{e}"),
            witness: "DC Demo Investigator 1234 (fictional)".into(),
            description: what.into(),
        };
        v.add_case_record(&case, &record, &disc).unwrap();
    }
    let bundle = d.path().join("bundle");
    v.export_bundle(&case, &bundle, &Initials::parse("DO").unwrap(), None, Audience::Prosecutor).unwrap();
    let key = vigil_core::read_public_key(&data.join("keys/signing.pub")).unwrap();
    let checked = vigil_core::verify_bundle(&bundle, &key, None).unwrap();
    assert!(checked.problems.is_empty(), "{:?}", checked.problems);
    let manifest = std::fs::read_to_string(bundle.join("manifest.json")).unwrap();
    for e in [&imported.exhibit, &imported.timeline] {
        assert!(manifest.contains(&format!("\"{e}\"")), "{e} in the bundle");
    }
    // The timeline travels also as the table people read, listed in the signed manifest.
    let stem = imported.timeline.to_string().replace('/', "-");
    let csv = std::fs::read_to_string(bundle.join(format!("timelines/{stem}.csv"))).unwrap();
    assert!(csv.starts_with("No.,Time (UTC),Sender,Message,Flags,Place in the original\r\n"));
    assert_eq!(
        csv.matches("\r\n").count() as u64,
        1 + truth.messages,
        "a header and each message (a new line inside a message is a bare LF)"
    );
    let pdf = std::fs::read(bundle.join(format!("timelines/{stem}.pdf"))).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    // Kept for looking at (pdftoppm -png target/screenshots/chat-timeline.pdf).
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    std::fs::create_dir_all(target.join("screenshots")).unwrap();
    std::fs::write(target.join("screenshots/chat-timeline.pdf"), &pdf).unwrap();
    assert!(manifest.contains(&format!("timelines/{stem}.csv")) && manifest.contains(&format!("timelines/{stem}.pdf")));
    // Sealed, the tables are sealed too, and the bundle still verifies.
    let sealed = d.path().join("sealed");
    let pass = d.path().join("pass.txt");
    std::fs::write(&pass, "correct horse battery staple\n").unwrap();
    v.export_bundle(
        &case,
        &sealed,
        &Initials::parse("DO").unwrap(),
        Some(b"correct horse battery staple"),
        Audience::Prosecutor,
    )
    .unwrap();
    assert!(sealed.join(format!("timelines/{stem}.csv.vgx")).exists());
    assert!(!sealed.join(format!("timelines/{stem}.csv")).exists(), "no clear table in a sealed bundle");
    let checked = vigil_core::verify_bundle(&sealed, &key, Some(b"correct horse battery staple")).unwrap();
    assert!(checked.problems.is_empty(), "{:?}", checked.problems);
    let (ok, _, err) = vigil(&data, &["verify"]);
    assert!(ok, "{err}");
}

/// Issue 11, finding 8: an import's producer initials are its producer's
/// own. Intake's codes are refused, and so are initials whose first exhibit
/// someone else received (the demo's DD/1 is demo.disclosure's redacted
/// copy), without naming that exhibit; nothing is sealed or recorded.
#[test]
fn an_import_under_intakes_or_another_producers_initials_is_refused() {
    let d = tempfile::tempdir().unwrap();
    let data = d.path().join("data");
    Vigil::demo(&data).unwrap();
    let v = Vigil::open(&data).unwrap();
    let mut chat = Vec::new();
    synthetic::whatsapp(&Spec::new(40), &mut chat).unwrap();
    let case = CaseId::parse(DEMO_FULL_CASE).unwrap();
    let settings = ChatSettings::default();
    let before = v.exhibits().unwrap().len();
    for ini in ["PR", "PA", "DD"] {
        let e = v.import_chat_bytes(&chat, "chat.txt", &case, &Initials::parse(ini).unwrap(), &settings).unwrap_err();
        assert_eq!(e.field(), Some("producer"), "{ini}: {e}");
        assert!(!e.to_string().contains("DD/1"), "the other producer's exhibit is not named: {e}");
    }
    assert_eq!(v.exhibits().unwrap().len(), before, "nothing recorded");
    // Initials never used before are the importer's from now on.
    let fresh = Initials::parse("QX").unwrap();
    let imported = v.import_chat_bytes(&chat, "chat.txt", &case, &fresh, &settings).unwrap();
    assert_eq!(imported.exhibit.to_string(), "QX/1");
    v.import_chat_bytes(&chat, "chat.txt", &case, &fresh, &settings).unwrap();
    assert!(v.verify().unwrap().ok());
}

/// Issue 31: `--date-order` for an export whose dates cannot tell; the
/// order is recorded in the timeline's header, so `chat check` derives the
/// same bytes again; without it, the import says the order was assumed.
#[test]
fn a_date_order_given_on_import_is_kept_and_checked() {
    let d = tempfile::tempdir().unwrap();
    let data = d.path().join("data");
    assert!(vigil(&data, &["init"]).0);
    let export = d.path().join("chat.txt");
    std::fs::write(&export, "03/04/2021, 10:00 - Ann: hi\n03/04/2021, 10:01 - Bo: hi\n").unwrap();
    let path = export.to_str().unwrap();
    let (ok, out, err) = vigil(&data, &["chat", "import", path, "--case", "OP-CHAT-1", "--by", "JS"]);
    assert!(ok, "{err}");
    assert!(out.contains("--date-order dmy|mdy"), "the import says how to settle the order: {out}");
    let (ok, out, err) = vigil(
        &data,
        &["chat", "import", path, "--case", "OP-CHAT-1", "--by", "JS", "--date-order", "mdy", "--timezone", "UTC"],
    );
    assert!(ok && !out.contains("assumed"), "{out}{err}");
    let (ok, text, err) = vigil(&data, &["--json", "chat", "show", "JS/4"]);
    assert!(ok, "{err}");
    let shown: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(shown["header"]["date_order"], "mdy");
    assert_eq!(shown["messages"][0]["time"], "2021-03-04T10:00:00.000Z");
    let (ok, out, err) = vigil(&data, &["--json", "chat", "check", "JS/4"]);
    assert!(ok, "{err}");
    assert_eq!(serde_json::from_str::<Value>(&out).unwrap()["same"], true);
    // An order the dates contradict is refused, naming the line, and leaves nothing.
    std::fs::write(&export, "13/04/2021, 10:00 - Ann: hi\n").unwrap();
    let before = exhibit_count(&data);
    let (ok, _, err) =
        vigil(&data, &["chat", "import", path, "--case", "OP-CHAT-1", "--by", "JS", "--date-order", "mdy"]);
    assert!(!ok && err.contains("line 1 (\"13/04/2021, 10:00\") can only be day-first"), "{err}");
    assert_eq!(exhibit_count(&data), before);
}
