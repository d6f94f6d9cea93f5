//! Issue 29, point 2: a case walks through its review dates (the clock
//! moved by hand), a retain decision, a refused disposal under a legal
//! hold, then a disposal whose certificate lists exactly the disposed items
//! and whose every deletion the log proves; a live prosecution cannot be
//! disposed of; a closed report has its own review; the policy is the
//! force's to set.

#[allow(dead_code)] // The helpers other suites use.
mod support;

use std::collections::BTreeSet;
use vigil_core::{Clock, CoreError, OfficerSession, Vigil};
use vigil_domain::{
    Actor, CaseId, CaseRecord, ChargingTest, CloseReason, CourtResult, Grade, HomeOfficeOutcome, OutcomeKind,
    PublicReport, ReportKind, Role,
};

const DAY: i64 = 86_400_000;

struct Env {
    v: Vigil,
    clock: Clock,
    data: std::path::PathBuf,
    _t: support::TestEnv,
}

fn session(name: &str, role: Role) -> OfficerSession {
    OfficerSession { username: name.into(), role, csrf: String::new() }
}

fn env_on(backend: support::Backend) -> Option<Env> {
    let t = support::TestEnv::new(backend)?;
    let clock = Clock::manual(vigil_core::now());
    let v = t.open().with_clock(clock.clone());
    let admin = Actor::parse("ADM").unwrap();
    v.add_user("t.tri", Role::TriageOfficer, "correct horse battery staple", &admin).unwrap();
    v.add_user("s.sup", Role::Supervisor, "correct horse battery staple", &admin).unwrap();
    Some(Env { v, clock, data: t.data(), _t: t })
}

fn env() -> Env {
    env_on(support::Backend::Sqlite).unwrap()
}

fn supervisor() -> Actor {
    Actor::parse("s.sup").unwrap()
}

fn refused(r: Result<impl std::fmt::Debug, CoreError>) -> String {
    match r {
        Err(CoreError::Refused(why)) => why,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn outcome(e: &Env, case: &CaseId, outcome: OutcomeKind, home_office: HomeOfficeOutcome) {
    let rec = CaseRecord::Outcome {
        outcome,
        person: None,
        note: "synthetic test outcome".into(),
        home_office: Some(home_office),
    };
    e.v.add_case_record(case, &rec, &session("s.sup", Role::Supervisor)).unwrap();
}

/// The case's live exhibits, by reference: its own, and its report (the
/// only public report in these suites, `PR/…`).
fn live_exhibits(e: &Env, case: &CaseId) -> BTreeSet<String> {
    e.v.exhibits()
        .unwrap()
        .into_iter()
        .filter(|x| x.deleted_event.is_none() && (x.case_id == *case || x.reference.to_string().starts_with("PR/")))
        .map(|x| x.reference.to_string())
        .collect()
}

#[test]
fn a_case_is_reviewed_retained_held_and_disposed_of_with_a_certificate_the_log_proves() {
    walk_a_case(env());
}

#[test]
fn the_same_walk_on_postgresql() {
    if let Some(e) = env_on(support::Backend::Postgres) {
        walk_a_case(e);
    }
}

fn walk_a_case(e: Env) {
    let case = support::case_from_report(&e.v, "t.tri", "OP-RETAIN-1", "Retention walk", "SYNTHETIC TEST account");
    e.v.add_exhibit_bytes(b"synthetic officer notes", "notes.txt", &case, &support::ini("SO"), None).unwrap();
    e.v.add_exhibit_bytes(&vec![7u8; 100_000], "large.bin", &case, &support::ini("SO"), None).unwrap();
    let subject = format!("case:{case}");

    // Open: reviewed yearly, not yet due, so not disposable.
    let item = e.v.retention_item(&subject).unwrap();
    assert_eq!(item.outcome, "open");
    assert_eq!(item.review_after_days, 365);
    assert_eq!(item.review_due.unix_millis() - item.last_activity.unix_millis(), 365 * DAY);
    assert!(!item.due && item.exhibits == 3, "{item:?}");
    let why = refused(e.v.dispose(&subject, "tidying", &supervisor(), &support::ini("RET")));
    assert!(why.contains("not due for review until"), "{why}");

    // A year on it is due; the supervisor retains it for another year.
    e.clock.advance(366 * DAY);
    let queue = e.v.retention_queue().unwrap();
    assert!(queue.iter().any(|i| i.subject == subject && i.due), "{queue:?}");
    let kept =
        e.v.retain(&subject, "investigation continues: devices awaiting examination", None, &supervisor()).unwrap();
    assert!(!kept.due);
    assert_eq!(kept.last_decision.as_ref().unwrap().decision, "retain");
    assert_eq!(kept.review_due.unix_millis(), e.v.now().unix_millis() + 365 * DAY);
    assert!(matches!(e.v.retain(&subject, " ", None, &supervisor()), Err(CoreError::InvalidInput { .. })));

    // No further action: the six-year rule from the outcome.
    outcome(&e, &case, OutcomeKind::NoFurtherAction, HomeOfficeOutcome::EvidentialDifficultiesSuspectIdentified);
    let nfa = e.v.retention_item(&subject).unwrap();
    assert_eq!(nfa.outcome, "no-further-action");
    assert_eq!(nfa.review_after_days, 2190);
    e.clock.advance(2191 * DAY);
    assert!(e.v.retention_item(&subject).unwrap().due);

    // A legal hold stops the disposal, saying why; released, it goes ahead.
    e.v.set_legal_hold(&subject, "civil claim notified by the force's solicitor", &supervisor()).unwrap();
    let why = refused(e.v.dispose(
        &subject,
        "review: no further action after six years",
        &supervisor(),
        &support::ini("RET"),
    ));
    assert!(why.contains("legal hold") && why.contains("civil claim"), "{why}");
    e.v.release_legal_hold(&subject, "claim settled", &supervisor()).unwrap();

    let before = live_exhibits(&e, &case);
    assert_eq!(before.len(), 3);
    let (cert, stored) =
        e.v.dispose(&subject, "review: no further action after six years", &supervisor(), &support::ini("RET"))
            .unwrap();
    let listed: BTreeSet<String> = cert.items.iter().map(|i| i.exhibit.clone()).collect();
    assert_eq!(listed, before, "the certificate lists exactly the disposed items");
    assert!(live_exhibits(&e, &case).is_empty());
    for i in &cert.items {
        let r = vigil_domain::ExhibitRef::parse(&i.exhibit).unwrap();
        let x = e.v.exhibit(&r).unwrap();
        assert_eq!(x.deleted_event, Some(i.deleted_event));
        assert_eq!(x.sha256.to_hex(), i.sha256);
        // Crypto-shredded: the content cannot be read any more.
        let out = e.data.join(format!("out-{}", i.exhibit.replace('/', "-")));
        assert!(e.v.get_exhibit(&r, &out, "test", &supervisor()).is_err());
    }
    let item = e.v.retention_item(&subject).unwrap();
    assert!(item.disposed && item.exhibits == 0);
    assert_eq!(item.last_decision.unwrap().decision, "dispose");
    let again = refused(e.v.dispose(&subject, "again", &supervisor(), &support::ini("RET")));
    assert!(again.contains("already been disposed of"), "{again}");

    // Kept for looking at (pdftoppm -png target/screenshots/disposal-certificate.pdf).
    let shots = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    std::fs::write(shots.join("disposal-certificate.pdf"), cert.pdf()).unwrap();
    // The certificate verifies offline with the public key, and not once changed.
    let key = vigil_core::read_public_key(&e.data.join("keys/signing.pub")).unwrap();
    let json = serde_json::to_vec_pretty(&cert).unwrap();
    assert_eq!(vigil_core::verify_disposal_certificate(&json, &key).unwrap(), cert);
    let mut fewer = cert.clone();
    fewer.items.pop();
    let e1 = vigil_core::verify_disposal_certificate(&serde_json::to_vec(&fewer).unwrap(), &key).unwrap_err();
    assert!(e1.contains("names other items"), "{e1}");
    let mut forged = cert.clone();
    forged.items[0].sha256 = "00".repeat(32);
    assert!(vigil_core::verify_disposal_certificate(&serde_json::to_vec(&forged).unwrap(), &key).is_err());
    // Kept as exhibits of DISPOSALS, which outlive what they dispose of.
    let kept = e.v.exhibit(&stored.json).unwrap();
    assert_eq!(kept.case_id.as_str(), vigil_core::DISPOSALS_CASE);
    assert!(kept.deleted_event.is_none());
    // And the whole store still verifies, the retention rows rebuilt from the log.
    let r = e.v.verify().unwrap();
    assert!(r.ok(), "{:?}", r.problems);
}

#[test]
fn a_live_prosecution_is_kept_until_the_court_s_result() {
    let e = env();
    let case = support::case_from_report(&e.v, "t.tri", "OP-RETAIN-2", "Charged", "SYNTHETIC TEST account two");
    let mg3 = CaseRecord::ChargingDecision {
        decision_maker: "CPS Direct (synthetic)".into(),
        test: ChargingTest::FullCode,
        guidance: "DG6 (synthetic)".into(),
        charges: vec!["synthetic charge for the test".into()],
        reason: "synthetic test: the Full Code Test is met".into(),
    };
    e.v.add_case_record(&case, &mg3, &session("s.sup", Role::Supervisor)).unwrap();
    outcome(&e, &case, OutcomeKind::Charge, HomeOfficeOutcome::Charged);
    let subject = format!("case:{case}");
    let item = e.v.retention_item(&subject).unwrap();
    assert!(item.live_prosecution && item.outcome == "charged");
    e.clock.advance(400 * DAY);
    let why = refused(e.v.dispose(&subject, "review", &supervisor(), &support::ini("RET")));
    assert!(why.contains("live prosecution"), "{why}");
    let done = e.v.record_court_result(&case, CourtResult::Convicted, &supervisor()).unwrap();
    assert!(!done.live_prosecution);
    assert_eq!(done.outcome, "convicted");
    assert_eq!(done.review_after_days, 3650);
    assert!(!done.due, "a conviction is reviewed after ten years");
}

#[test]
fn a_closed_report_has_its_own_review_and_the_policy_is_the_forces() {
    let e = env();
    let receipt =
        e.v.submit_public_report(&PublicReport {
            kind: ReportKind::Other,
            immediate_danger: false,
            meeting_planned: false,
            images_exchanged: false,
            platform: "ExampleChat".into(),
            identifiers: vec!["retention_test_user".into()],
            child: "about 13".into(),
            dates: "today".into(),
            account: "SYNTHETIC TEST report for the retention review".into(),
            contact: None,
            about: Default::default(),
        })
        .unwrap();
    let tri = session("t.tri", Role::TriageOfficer);
    e.v.grade_report(&receipt.exhibit, &Grade::parse("2/B/P").unwrap(), "synthetic grading", &tri).unwrap();
    e.v.close_report(&receipt.exhibit, CloseReason::NoFurtherAction, "synthetic: nothing to act on", &tri).unwrap();
    let subject = format!("report:{}", receipt.exhibit);
    let item = e.v.retention_queue().unwrap().into_iter().find(|i| i.subject == subject).expect("in the queue");
    assert_eq!(item.category.as_deref(), Some("other"));
    assert_eq!(item.outcome, "no-further-action");
    assert_eq!(item.review_after_days, 365);

    // A force's own policy: reports of any kind reviewed after 30 days.
    let policy = r#"{"rules":[
        {"name":"open case: yearly","subject":"case","review_after_days":365},
        {"name":"any report: 30 days","subject":"report","review_after_days":30}]}"#;
    e.v.set_retention_policy(policy, &supervisor()).unwrap();
    let item = e.v.retention_item(&subject).unwrap();
    assert_eq!((item.rule.as_str(), item.review_after_days), ("any report: 30 days", 30));
    let bad =
        e.v.set_retention_policy(r#"{"rules":[{"name":"x","subject":"case","review_after_days":30}]}"#, &supervisor());
    assert!(bad.unwrap_err().to_string().contains("rules for a report"));
    e.clock.advance(31 * DAY);
    let (cert, _) =
        e.v.dispose(&subject, "30-day review: no further action", &supervisor(), &support::ini("RET")).unwrap();
    assert_eq!(cert.items.len(), 1);
    assert_eq!(cert.items[0].exhibit, receipt.exhibit.to_string());
    assert!(e.v.verify().unwrap().ok());
}

/// Issue 29, point 3: a break-glass read needs a justification, opens the
/// case for reading only, lasts an hour, and is listed for supervisors.
#[test]
fn a_break_glass_read_lasts_an_hour_and_reads_only() {
    let e = env();
    let case = support::case_from_report(&e.v, "t.tri", "OP-GLASS-1", "Break glass", "SYNTHETIC TEST account three");
    let admin = Actor::parse("ADM").unwrap();
    e.v.add_user("o.other", Role::Investigator, "correct horse battery staple", &admin).unwrap();
    e.v.add_user("p.cps", Role::Prosecutor, "correct horse battery staple", &admin).unwrap();
    let other = session("o.other", Role::Investigator);
    let read = |v: &Vigil| v.case_gate(&case, &other, vigil_core::Need::Read);
    assert!(matches!(read(&e.v), Err(CoreError::NoSuchCase(_))));
    assert!(matches!(e.v.break_glass(&case, "need it", &other), Err(CoreError::InvalidInput { .. })));
    assert!(matches!(
        e.v.break_glass(&case, "a prosecutor has no need of case material", &session("p.cps", Role::Prosecutor)),
        Err(CoreError::Forbidden(_))
    ));
    // A case that does not exist answers as any case they may not see.
    let none = CaseId::parse("OP-NO-SUCH").unwrap();
    assert!(matches!(
        e.v.break_glass(&none, "checking a linked report for a child at risk", &other),
        Err(CoreError::NoSuchCase(_))
    ));

    let g = e.v.break_glass(&case, "a linked report names the same account; a child may be at risk", &other).unwrap();
    assert!(read(&e.v).is_ok(), "readable now");
    assert!(e.v.case_gate(&case, &other, vigil_core::Need::Work).is_err(), "reading only");
    let list = e.v.break_glass_reads(&session("s.sup", Role::Supervisor)).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!((list[0].who.as_str(), list[0].event), ("o.other", g.event));
    assert!(list[0].justification.contains("child may be at risk"));
    assert!(e.v.break_glass_reads(&other).is_err(), "the list is for supervisors and auditors");
    let seen = e.v.accesses_for(&format!("case:{case}"), &session("s.sup", Role::Supervisor)).unwrap();
    assert!(seen.iter().any(|a| a.event == g.event && a.what.contains("break-glass")), "{seen:?}");

    e.clock.advance(61 * 60 * 1000);
    assert!(matches!(read(&e.v), Err(CoreError::NoSuchCase(_))), "an hour later it is closed again");
}

/// Regression (found in session 16): a hold set while a disposal was being
/// judged was overwritten by the disposal, and two decisions at once could
/// lose one. Each decision now stands only if the retention row it was
/// judged from is unchanged when its unit commits.
#[test]
fn a_hold_set_during_a_disposal_is_never_lost_and_decisions_at_once_both_stand() {
    let e = env();
    let cases: Vec<CaseId> = (0..12)
        .map(|i| {
            let case = support::case_from_report(
                &e.v,
                "t.tri",
                &format!("OP-RACE-{i}"),
                "Race",
                &format!("SYNTHETIC TEST account race {i}"),
            );
            e.v.add_exhibit_bytes(format!("synthetic notes {i}").as_bytes(), "n.txt", &case, &support::ini("SO"), None)
                .unwrap();
            case
        })
        .collect();
    e.clock.advance(366 * DAY);
    let (mut disposed, mut held) = (0, 0);
    for case in &cases[..6] {
        let subject = format!("case:{case}");
        let (hold, dispose) = std::thread::scope(|s| {
            let h = s.spawn(|| e.v.set_legal_hold(&subject, "civil claim (synthetic)", &supervisor()));
            let d = s.spawn(|| e.v.dispose(&subject, "review: due", &supervisor(), &support::ini("RET")));
            (h.join().unwrap(), d.join().unwrap())
        });
        assert!(!(hold.is_ok() && dispose.is_ok()), "{subject}: both a hold and a disposal stood");
        let item = e.v.retention_item(&subject).unwrap();
        if dispose.is_ok() {
            disposed += 1;
            assert!(item.disposed && item.hold.is_none() && live_exhibits_of(&e, case) == 0);
        } else {
            held += usize::from(hold.is_ok());
            assert!(!item.disposed && item.hold.is_some() == hold.is_ok() && live_exhibits_of(&e, case) > 0);
        }
    }
    assert_eq!(disposed + held, 6, "each race ends in exactly one of the two");
    for case in &cases[6..] {
        let subject = format!("case:{case}");
        let (hold, keep) = std::thread::scope(|s| {
            let h = s.spawn(|| e.v.set_legal_hold(&subject, "civil claim (synthetic)", &supervisor()));
            let k = s.spawn(|| e.v.retain(&subject, "devices awaiting examination", None, &supervisor()));
            (h.join().unwrap(), k.join().unwrap())
        });
        let item = e.v.retention_item(&subject).unwrap();
        // A refused one says why; whichever stood is in the row.
        for r in [hold.as_ref().err(), keep.as_ref().err()].into_iter().flatten() {
            assert!(matches!(r, CoreError::Refused(w) if w.contains("changed while")), "{r:?}");
        }
        assert_eq!(item.hold.is_some(), hold.is_ok(), "{subject}");
        assert_eq!(item.last_decision.is_some(), keep.is_ok(), "{subject}");
    }
    assert!(e.v.verify().unwrap().ok(), "the log verifies");
}

fn live_exhibits_of(e: &Env, case: &CaseId) -> usize {
    e.v.exhibits().unwrap().iter().filter(|x| x.deleted_event.is_none() && x.case_id == *case).count()
}

/// Issue 30, point 3, on both stores: an incremental verify from a
/// checkpoint reads only the events and heads after it.
#[test]
fn an_incremental_verify_reads_only_what_came_after_the_checkpoint() {
    for backend in [support::Backend::Sqlite, support::Backend::Postgres] {
        let Some(e) = env_on(backend) else { continue };
        let case = CaseId::parse("INC-1").unwrap();
        e.v.add_exhibit_bytes(b"synthetic before", "a.txt", &case, &support::ini("SO"), None).unwrap();
        let cp = e.v.checkpoint().unwrap();
        let n = cp.head.head.tree_size;
        for i in 0..4 {
            e.v.add_exhibit_bytes(format!("synthetic after {i}").as_bytes(), "b.txt", &case, &support::ini("SO"), None)
                .unwrap();
        }
        let r = e.v.verify_since(&cp).unwrap();
        assert!(r.ok(), "{:?}", r.problems);
        let total = e.v.verify().unwrap().events;
        assert_eq!((r.since, r.events), (Some(n), total - n), "{backend:?}");
        assert!(r.heads >= 1);
        assert_eq!(r.root, e.v.verify().unwrap().root);
    }
}
