//! Issue 29, point 3: the data protection officer's audit export for a
//! period classifies every event, and each line's leaf hash is the one the
//! exported custody log gives the same event, so the export can be checked
//! against the signed log line by line.

mod support;

use serde_json::Value;
use sha2::Digest;
use support::{ok, run, Dir};

#[test]
fn the_audit_export_covers_the_period_and_matches_the_log() {
    let dir = Dir::init();
    let data = dir.data();
    ok(&data, &["exhibit", "add", dir.file("a.txt", b"synthetic").to_str().unwrap(), "--case", "AUD-1", "--by", "AB"]);
    let out = dir.path("copy.txt");
    ok(
        &data,
        &[
            "exhibit",
            "get",
            "AB/1",
            "--out",
            out.to_str().unwrap(),
            "--reason",
            "checking the audit export",
            "--by",
            "AB",
        ],
    );
    let today = &ok(&data, &["--json", "audit", "--from", "2000-01-01", "--to", "2999-12-31"]);
    let audit: Value = serde_json::from_str(today).unwrap();
    let events = audit["events"].as_array().unwrap();
    let log = dir.path("log.jsonl");
    ok(&data, &["log", "export", log.to_str().unwrap()]);
    let leaves: Vec<Value> =
        std::fs::read_to_string(&log).unwrap().lines().skip(1).map(|l| serde_json::from_str(l).unwrap()).collect();
    let leaves: Vec<&str> = leaves.iter().filter_map(|l| l["leaf"].as_str()).collect();
    assert_eq!(events.len(), leaves.len() - 1, "every event but the export's own");
    for e in events {
        let i = e["event"].as_u64().unwrap() as usize;
        let mut h = sha2::Sha256::new();
        h.update([0u8]);
        h.update(leaves[i].as_bytes());
        assert_eq!(e["leaf_hash"].as_str().unwrap(), hex::encode(h.finalize()), "event {i}");
    }
    let read = events.iter().find(|e| e["kind"] == "accessed" && e["object"] == "exhibit:AB/1").unwrap();
    assert_eq!(
        (read["class"].as_str(), read["why"].as_str()),
        (Some("consultation"), Some("checking the audit export"))
    );
    assert!(events.iter().any(|e| e["class"] == "alteration" && e["kind"] == "received"));
    // The export itself is recorded, and a period with nothing in it is empty.
    let last: Value =
        serde_json::from_str(&ok(&data, &["--json", "audit", "--from", "2000-01-01", "--to", "2999-12-31"])).unwrap();
    let newest = last["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!((newest["kind"].as_str(), newest["class"].as_str()), (Some("exported"), Some("disclosure")));
    let none = ok(&data, &["audit", "--from", "2001-01-01", "--to", "2001-01-31"]);
    assert_eq!(none.lines().count(), 1, "the header alone: {none}");
    let bad = run(&data, &["audit", "--from", "2001-02-30x", "--to", "2001-01-31"]);
    assert!(bad.code != 0 && bad.stderr.contains("--from"), "{}", bad.stderr);
}
