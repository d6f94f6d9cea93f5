//! Issue 25: disclosure a CPS lawyer would sign off, on the seeded DEMO-1.
//! Every item of the case is accounted for before anything is revealed,
//! certified or served; service is the prosecutor's act from a frozen
//! version, and the bundles render frozen versions only; a defence
//! statement puts every item back for review.

mod support;

use support::{ok, run, Dir};
use vigil_core::{Audience, OfficerSession, Vigil, DEMO_FULL_CASE};
use vigil_domain::{CaseId, CaseRecord, Initials, MaterialCategory, ProsecutorView, Role, Schedule};

fn session(name: &str, role: Role) -> OfficerSession {
    OfficerSession { username: name.into(), role, csrf: String::new() }
}

fn disc() -> OfficerSession {
    session("demo.disclosure", Role::DisclosureOfficer)
}

fn cps() -> OfficerSession {
    session("demo.prosecutor", Role::Prosecutor)
}

fn demo() -> (Dir, Vigil, CaseId) {
    let d = Dir { tmp: tempfile::tempdir().unwrap() };
    ok(&d.data(), &["demo", "--seed-only"]);
    let v = Vigil::open(&d.data()).unwrap();
    (d, v, CaseId::parse(DEMO_FULL_CASE).unwrap())
}

/// The prosecutor decides every line of the latest version as proposed.
fn decide_every_line(v: &Vigil, case: &CaseId) {
    let s = v.schedules(case, &cps()).unwrap();
    for l in s.mg6c.iter().chain(&s.mg6d) {
        let cnd = l.proposed == ProsecutorView::ClearlyNotDisclosable;
        let record = CaseRecord::ProsecutorDecision {
            item: l.item.clone(),
            decision: l.proposed,
            reason: "reviewed again (synthetic)".into(),
            rebuttal: cnd.then(|| "agreed with the disclosure officer's rebuttal".into()),
            disclosed_as: l.decision.as_ref().and_then(|d| d.disclosed_as.clone()),
            sensitive_route: None,
        };
        v.add_case_record(case, &record, &cps()).unwrap();
    }
}

/// What it must show: `vigil disclosure ledger DEMO-1` lists 0 unaccounted;
/// an exhibit added afterwards appears as unaccounted, and a new revelation
/// (with its certificate) or service is refused until it is scheduled.
#[test]
fn the_ledger_of_demo_1_is_complete_until_an_exhibit_is_added() {
    let (d, v, case) = demo();
    let out = run(&d.data(), &["--json", "disclosure", "ledger", "DEMO-1", "--by", "DO"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let ledger: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(ledger["unaccounted"], 0, "{ledger}");
    let items = ledger["items"].as_array().unwrap();
    let find = |item: &str| items.iter().find(|i| i["item"] == item).unwrap_or_else(|| panic!("{item} in {ledger}"));
    for (item, status) in
        [("exhibit:DI/1", "used"), ("exhibit:DI/3", "mg6c"), ("exhibit:DI/4", "mg6c"), ("exhibit:PR/1", "mg6d")]
    {
        assert_eq!(find(item)["status"], status, "{item}");
    }
    assert_eq!(find("exhibit:PR/1")["category"], "incident-record");
    assert!(find("exhibit:DI/3")["schedule_line"].as_str().unwrap().starts_with("MG6C "));
    // Issue 25, point 1: the decision log, attribution, wrong-person flag,
    // warrant, urgent arrest, welfare checks and MASH referral are all items.
    let view = v.case_view(&case, &disc(), "test").unwrap();
    for r in &view.records {
        let material = matches!(
            r.record,
            CaseRecord::Decision { .. }
                | CaseRecord::Attribution { .. }
                | CaseRecord::Flag { .. }
                | CaseRecord::Authority { .. }
                | CaseRecord::UrgentAction { .. }
                | CaseRecord::WelfareCheck { .. }
                | CaseRecord::Safeguarding { .. }
        );
        if material {
            let line = find(&format!("record:{}", r.id));
            assert!(matches!(line["status"].as_str(), Some("mg6c" | "mg6d")), "{line}");
        }
    }
    // Redacted copies are the form their originals are disclosed in, not items.
    assert!(items.iter().all(|i| !i["item"].as_str().unwrap().starts_with("exhibit:DD/")), "{ledger}");
    drop(v);

    let file = d.file("late-statement.txt", b"SYNTHETIC DEMO: a statement that arrived after service.");
    let added = ok(&d.data(), &["exhibit", "add", file.to_str().unwrap(), "--case", "DEMO-1", "--by", "DI"]);
    assert!(added.contains("DI/5"), "{added}");
    let out = run(&d.data(), &["--json", "disclosure", "ledger", "DEMO-1", "--by", "DO"]);
    assert_eq!(out.code, 3, "exit 3 while anything is unaccounted for: {}", out.stderr);
    let ledger: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(ledger["unaccounted"], 1);
    let late = ledger["items"].as_array().unwrap().iter().find(|i| i["item"] == "exhibit:DI/5").unwrap().clone();
    assert_eq!(late["status"], "unaccounted");
    let text = run(&d.data(), &["disclosure", "ledger", "DEMO-1", "--by", "DO"]);
    assert!(text.stdout.contains("1 unaccounted for") && text.stdout.contains("exhibit:DI/5"), "{}", text.stdout);

    let v = Vigil::open(&d.data()).unwrap();
    let e = v.reveal_schedules(&case, "demo.prosecutor", "late statement", &disc()).unwrap_err().to_string();
    assert!(e.contains("revealing the schedules refused") && e.contains("exhibit:DI/5"), "{e}");
    let e = v.serve_schedules(&case, "s.3 letter", &cps()).unwrap_err().to_string();
    assert!(e.contains("serving refused") && e.contains("exhibit:DI/5"), "{e}");
    let line = CaseRecord::Scheduled {
        item: "exhibit:DI/5".into(),
        schedule: Schedule::Mg6c,
        description: "A statement that arrived after service".into(),
        location: "Vigil vault".into(),
        sensitivity: None,
        proposed: ProsecutorView::Disclose,
        reason: "bears on who used the account".into(),
        amends: None,
        category: Some(MaterialCategory::PreviousAccount),
        rebuttal: None,
    };
    v.add_case_record(&case, &line, &disc()).unwrap();
    assert_eq!(v.material_ledger(&case, &disc()).unwrap().unaccounted, 0);
    assert_eq!(v.reveal_schedules(&case, "demo.prosecutor", "late statement scheduled", &disc()).unwrap(), 4);
}

/// Issue 25, points 2 and 4: service is the prosecutor's act, refused while
/// an item is undecided; the copy for service is the version as served,
/// whatever is amended later, and never holds an original beside its
/// redacted copy.
#[test]
fn the_copy_for_service_is_the_version_the_prosecutor_served() {
    let (d, v, case) = demo();
    let e = v.serve_schedules(&case, "s.3 letter", &disc()).unwrap_err();
    assert!(matches!(e, vigil_core::CoreError::Forbidden(_)), "the disclosure officer does not serve: {e}");
    // DEMO-1 was served; an amendment afterwards, not revealed, changes nothing served.
    let live = v.schedules(&case, &disc()).unwrap();
    let alibi = live.mg6c.iter().find(|l| l.item == "exhibit:DI/2").unwrap();
    let amended = CaseRecord::Scheduled {
        item: alibi.item.clone(),
        schedule: Schedule::Mg6c,
        description: "AMENDED DESCRIPTION NOT SERVED".into(),
        location: alibi.location.clone(),
        sensitivity: None,
        proposed: ProsecutorView::Disclose,
        reason: "re-described".into(),
        amends: Some(alibi.record),
        category: Some(MaterialCategory::PreviousAccount),
        rebuttal: None,
    };
    v.add_case_record(&case, &amended, &disc()).unwrap();
    let out = d.path("served");
    v.export_bundle(&case, &out, &Initials::parse("DO").unwrap(), None, Audience::Defence).unwrap();
    let mg6c = std::fs::read_to_string(out.join("schedules/MG6C.csv")).unwrap();
    assert!(mg6c.contains("Household statement: the tablet is shared"), "{mg6c}");
    assert!(!mg6c.contains("AMENDED DESCRIPTION NOT SERVED"), "{mg6c}");
    assert_eq!(mg6c.matches("\r\n").count(), 13, "the header and all twelve lines as served:\n{mg6c}");
    assert!(mg6c.contains("D: disclosed as DD/1 (redacted copy)"), "{mg6c}");
    let files: Vec<String> = std::fs::read_dir(out.join("exhibits"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(files.iter().any(|f| f.starts_with("DD-1")) && files.iter().any(|f| f.starts_with("DD-2")), "{files:?}");
    assert!(!files.iter().any(|f| f.starts_with("DI-3") || f.starts_with("DI-4")), "no original beside its copy");
    // Service from the amended schedules waits for them to be revealed.
    let e = v.serve_schedules(&case, "s.3 letter", &cps()).unwrap_err().to_string();
    assert!(e.contains("changed since version 3 was revealed") && e.contains("exhibit:DI/2"), "{e}");
    v.reveal_schedules(&case, "demo.prosecutor", "re-described", &disc()).unwrap();
    let e = v.serve_schedules(&case, "s.3 letter", &cps()).unwrap_err().to_string();
    assert!(e.contains("no decision yet on exhibit:DI/2 of version 4"), "{e}");

    // A case never served has no copy for service, whoever asks.
    let fresh = CaseId::parse("FRESH-1").unwrap();
    let triage = session("demo.triage", Role::TriageOfficer);
    let pr2 = vigil_domain::ExhibitRef::parse("PR/2").unwrap();
    if v.report_to_case(&pr2, &fresh, Some("never served (synthetic)"), &triage).is_err() {
        v.grade_report(&pr2, &vigil_domain::Grade::parse("2/B/P").unwrap(), "synthetic", &triage).unwrap();
        v.report_to_case(&pr2, &fresh, Some("never served (synthetic)"), &triage).unwrap();
    }
    let e = v
        .export_bundle(&fresh, &d.path("never"), &Initials::parse("DO").unwrap(), None, Audience::Defence)
        .unwrap_err()
        .to_string();
    assert!(e.contains("has not been served"), "{e}");
}

/// Issue 25, point 3: the prosecutor's bundle is the version revealed, with
/// the decisions on it; unrevealed changes are not in it.
#[test]
fn the_prosecutors_bundle_is_the_revealed_version() {
    let (d, v, case) = demo();
    v.add_case_record(
        &case,
        &CaseRecord::DisclosureTest { item: "exhibit:DI/2".into(), reason: "UNREVEALED MG6E ENTRY".into() },
        &disc(),
    )
    .unwrap();
    let out = d.path("prosecutor");
    v.export_bundle(&case, &out, &Initials::parse("DO").unwrap(), None, Audience::Prosecutor).unwrap();
    let mg6c = std::fs::read_to_string(out.join("schedules/MG6C.csv")).unwrap();
    assert!(!mg6c.contains("awaiting the prosecutor"), "every line of version 3 was decided:\n{mg6c}");
    let mg6e = std::fs::read_to_string(out.join("schedules/MG6E.csv")).unwrap();
    assert!(mg6e.contains("schedules version 3 revealed"), "{mg6e}");
    assert!(!mg6e.contains("UNREVEALED MG6E ENTRY"), "{mg6e}");
}

/// Issue 25, point 7: the prosecutor records the defence statement; every
/// item then goes back for review by the disclosure officer, a new version
/// and certificate, and fresh decisions, before the s.7A response is served.
#[test]
fn a_defence_statement_puts_every_item_back_for_review() {
    let (_d, v, case) = demo();
    let statement = v
        .add_case_record(
            &case,
            &CaseRecord::DefenceStatement {
                received: "5 Dec 2026".into(),
                issues: "alibi: elsewhere on 27 October (synthetic)".into(),
            },
            &cps(),
        )
        .unwrap();
    let e = v.reveal_schedules(&case, "demo.prosecutor", "after the statement", &disc()).unwrap_err().to_string();
    assert!(e.contains(&format!("record:{statement} has not been reviewed")), "{e}");
    let e = v.serve_schedules(&case, "s.7A response", &cps()).unwrap_err().to_string();
    assert!(e.contains("has not been reviewed"), "{e}");
    let review = CaseRecord::DisclosureReview {
        statement: Some(statement),
        result: "every item reviewed against the alibi (synthetic)".into(),
    };
    v.add_case_record(&case, &review, &disc()).unwrap();
    let e = v.serve_schedules(&case, "s.7A response", &cps()).unwrap_err().to_string();
    assert!(e.contains("revealed before the defence statement"), "{e}");
    assert_eq!(v.reveal_schedules(&case, "demo.prosecutor", "reviewed", &disc()).unwrap(), 4);
    let e = v.serve_schedules(&case, "s.7A response", &cps()).unwrap_err().to_string();
    assert!(e.contains("decided again"), "{e}");
    decide_every_line(&v, &case);
    v.serve_schedules(&case, "s.7A response (synthetic)", &cps()).unwrap();
    let s = v.schedules(&case, &cps()).unwrap();
    assert_eq!(s.services.last().map(|x| x.version), Some(4));
    // The disclosure management document is the prosecutor's to keep too.
    let dmd = CaseRecord::DisclosureManagement { approach: "reviewed after the alibi (synthetic)".into() };
    v.add_case_record(&case, &dmd, &cps()).unwrap();
}

/// Issue 25, point 5: a "D" on sensitive (MG6D) material leads somewhere:
/// the prosecutor chooses its route (an edited, summary or admission form,
/// third-party consent, a PII application of a given type, or the case
/// cannot continue); service waits for the court's ruling on a PII
/// application, and is refused when the case cannot continue.
#[test]
fn sensitive_material_that_meets_the_test_takes_a_route() {
    let (_d, v, case) = demo();
    let s = v.schedules(&case, &cps()).unwrap();
    let attribution = s.mg6d.iter().find(|l| l.description.starts_with("Attribution")).unwrap().item.clone();
    let decide = |route: Option<vigil_domain::SensitiveRoute>| CaseRecord::ProsecutorDecision {
        item: attribution.clone(),
        decision: ProsecutorView::Disclose,
        reason: "the grading bears on the identification (synthetic)".into(),
        rebuttal: None,
        disclosed_as: None,
        sensitive_route: route,
    };
    let e = v.add_case_record(&case, &decide(None), &cps()).unwrap_err();
    assert_eq!(e.field(), Some("sensitive_route"), "{e}");
    v.add_case_record(&case, &decide(Some(vigil_domain::SensitiveRoute::PiiType2)), &cps()).unwrap();
    let e = v.serve_schedules(&case, "s.3 letter", &cps()).unwrap_err().to_string();
    assert!(e.contains(&format!("awaiting the court's ruling on the PII application for {attribution}")), "{e}");
    let ruling = CaseRecord::PiiRuling {
        item: attribution.clone(),
        withheld: true,
        court: "Example Crown Court, HHJ Example (synthetic)".into(),
        ruled_at: "5 Dec 2026".into(),
    };
    assert!(v.add_case_record(&case, &ruling, &disc()).is_err(), "the ruling is the prosecutor's to record");
    v.add_case_record(&case, &ruling, &cps()).unwrap();
    v.serve_schedules(&case, "s.3 letter after the PII ruling (synthetic)", &cps()).unwrap();
    v.add_case_record(&case, &decide(Some(vigil_domain::SensitiveRoute::CaseCannotContinue)), &cps()).unwrap();
    let e = v.serve_schedules(&case, "s.3 letter", &cps()).unwrap_err().to_string();
    assert!(e.contains("cannot continue"), "{e}");
}
