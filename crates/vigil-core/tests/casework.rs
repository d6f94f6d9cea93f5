//! Issue 12, point 8: the welfare gate neither blocks an urgent arrest to
//! protect a child nor lets one check, or one's own approval, cover
//! everything after it.

#[allow(dead_code)] // The helpers other suites use.
mod support;

use vigil_core::{OfficerSession, Vigil};
use vigil_domain::{
    ActionKind, Actor, AuthorityKind, CaseId, CaseRecord, Grade, PersonRole, PublicReport, ReportKind, RiskLevel, Role,
    WelfareStage,
};

struct Case {
    v: Vigil,
    id: CaseId,
    _dir: tempfile::TempDir,
}

fn session(name: &str, role: Role) -> OfficerSession {
    OfficerSession { username: name.into(), role, csrf: String::new() }
}

fn case() -> Case {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    Vigil::init(&data, None).unwrap();
    let v = Vigil::open(&data).unwrap();
    let admin = Actor::parse("ADM").unwrap();
    for (n, r) in [
        ("t.tri", Role::TriageOfficer),
        ("s.one", Role::Supervisor),
        ("s.two", Role::Supervisor),
        ("i.inv", Role::Investigator),
    ] {
        v.add_user(n, r, "correct horse battery staple", &admin).unwrap();
    }
    let id = support::case_from_report(
        &v,
        "t.tri",
        "GATE-1",
        "Welfare gate (SYNTHETIC)",
        "SYNTHETIC TEST: an adult arranged to meet a child.",
    );
    v.assign_to_case(&id, "i.inv", &session("s.one", Role::Supervisor)).unwrap();
    Case { v, id, _dir: dir }
}

fn welfare(person: u64, stage: WelfareStage) -> CaseRecord {
    CaseRecord::WelfareCheck {
        person,
        self_harm_risk: RiskLevel::Medium,
        mitigations: "custody welfare plan (synthetic)".into(),
        children_in_household: "none".into(),
        vulnerable_adults_in_household: "none".into(),
        referrals_made: vec![],
        stage: Some(stage),
        handover: None,
    }
}

#[test]
fn an_urgent_arrest_is_recorded_without_approval_and_the_welfare_check_follows() {
    let c = case();
    let inv = session("i.inv", Role::Investigator);
    let add = |r: &CaseRecord| c.v.add_case_record(&c.id, r, &inv);
    let person = add(&CaseRecord::Person {
        name: "Synthetic Suspect".into(),
        role: PersonRole::Suspect,
        works_with_children: None,
    })
    .unwrap();
    let urgent = |wrong_person: Option<&str>| CaseRecord::UrgentAction {
        person,
        action: ActionKind::Arrest,
        power: "PACE 1984 s.24".into(),
        justification: "the child is at the address now; arrest necessary to protect the child".into(),
        wrong_person: wrong_person.map(str::to_owned),
    };
    // Issue 25, point 8: nothing attributes an identifier to this person,
    // so the wrong-person warning stands and the arrest says how it was met.
    let e = add(&urgent(None)).unwrap_err();
    assert_eq!(e.field(), Some("wrong_person"), "{e}");
    assert!(e.to_string().contains("no identifier is attributed"), "{e}");
    add(&urgent(Some(WRONG_PERSON))).expect("no approval or prior welfare check stands in the way of an urgent arrest");
    let persons = c.v.case_persons(&c.id, &inv).unwrap();
    assert!(persons[0].welfare_due.as_deref().unwrap().contains("welfare reassessment due"), "{persons:?}");
    add(&welfare(person, WelfareStage::Arrest)).unwrap();
    assert!(c.v.case_persons(&c.id, &inv).unwrap()[0].welfare_due.is_none());
    // Issue 25, point 11: entry (PACE s.17(1)(e)) and a search on arrest
    // (s.32) are urgent actions too; an interview never is.
    for (action, power) in [(ActionKind::Entry, "PACE 1984 s.17(1)(e)"), (ActionKind::Search, "PACE 1984 s.32")] {
        let urgent = CaseRecord::UrgentAction {
            person,
            action,
            power: power.into(),
            justification: "to protect the child (synthetic)".into(),
            wrong_person: Some(WRONG_PERSON.into()),
        };
        add(&urgent).unwrap();
    }
    let interview = CaseRecord::UrgentAction {
        person,
        action: ActionKind::Interview,
        power: "none".into(),
        justification: "no".into(),
        wrong_person: Some(WRONG_PERSON.into()),
    };
    assert_eq!(add(&interview).unwrap_err().field(), Some("action"));
}

/// How the tests' officers met the wrong-person warning.
const WRONG_PERSON: &str = "identity confirmed by the officer who knows him (synthetic)";

#[test]
fn a_supervisor_does_not_approve_their_own_request_and_one_check_does_not_cover_a_later_one() {
    let c = case();
    let (one, two) = (session("s.one", Role::Supervisor), session("s.two", Role::Supervisor));
    let inv = session("i.inv", Role::Investigator);
    let person =
        c.v.add_case_record(
            &c.id,
            &CaseRecord::Person {
                name: "Synthetic Suspect".into(),
                role: PersonRole::Suspect,
                works_with_children: None,
            },
            &inv,
        )
        .unwrap();
    c.v.add_case_record(&c.id, &welfare(person, WelfareStage::BeforeAction), &inv).unwrap();
    let interview = |by: &OfficerSession| {
        c.v.add_case_record(
            &c.id,
            &CaseRecord::ActionRequest {
                person,
                action: ActionKind::Interview,
                justification: "interview under caution".into(),
            },
            by,
        )
        .unwrap()
    };
    // The welfare check came before the request: it does not cover it.
    let request = interview(&one);
    let approve = CaseRecord::ActionDecision {
        request,
        approved: true,
        reason: "proportionate".into(),
        wrong_person: Some(WRONG_PERSON.into()),
    };
    let e = c.v.add_case_record(&c.id, &approve, &two).unwrap_err();
    assert!(e.to_string().contains("since request"), "{e}");
    c.v.add_case_record(&c.id, &welfare(person, WelfareStage::Interview), &inv).unwrap();
    // The requester may not approve it; another supervisor may.
    let e = c.v.add_case_record(&c.id, &approve, &one).unwrap_err();
    assert!(e.to_string().contains("another supervisor"), "{e}");
    c.v.add_case_record(&c.id, &approve, &two).unwrap();
    // A communications-data authorisation is no authority to search.
    let search =
        c.v.add_case_record(
            &c.id,
            &CaseRecord::ActionRequest { person, action: ActionKind::Search, justification: "the house".into() },
            &inv,
        )
        .unwrap();
    c.v.add_case_record(&c.id, &welfare(person, WelfareStage::BeforeAction), &inv).unwrap();
    let ipa = CaseRecord::Authority {
        request: search,
        kind: AuthorityKind::IpaPart3,
        reference: "IPA-SYN-1".into(),
        granted_by: "OCDA (synthetic)".into(),
        granted_at: "1 Dec 2026".into(),
        expires: None,
    };
    c.v.add_case_record(&c.id, &ipa, &inv).unwrap();
    let approve = CaseRecord::ActionDecision {
        request: search,
        approved: true,
        reason: "proportionate".into(),
        wrong_person: Some(WRONG_PERSON.into()),
    };
    let e = c.v.add_case_record(&c.id, &approve, &two).unwrap_err();
    assert!(e.to_string().contains("no authority for the search"), "{e}");
}

/// Issue 12, point 6: immediate danger goes to action at once. The hand-off
/// is recorded with its time, lets the report open a case before any grade,
/// and the time from receipt to hand-off reaches the team's figures.
#[test]
fn immediate_danger_is_handed_off_and_opens_a_case_before_grading() {
    let c = case();
    let tri = session("t.tri", Role::TriageOfficer);
    let receipt =
        c.v.submit_public_report(&PublicReport {
            kind: ReportKind::Grooming,
            immediate_danger: true,
            meeting_planned: true,
            images_exchanged: false,
            platform: "ExampleChat".into(),
            identifiers: vec!["danger_user".into()],
            child: "about 11".into(),
            dates: "now".into(),
            account: "SYNTHETIC TEST: the account says it is outside the child's school now.".into(),
            contact: None,
            about: Default::default(),
        })
        .unwrap();
    let r = receipt.exhibit;
    let urgent = CaseId::parse("URGENT-1").unwrap();
    let e = c.v.report_to_case(&r, &urgent, Some("Immediate danger (SYNTHETIC)"), &tri).unwrap_err();
    assert!(e.to_string().contains("record its hand-off"), "{e}");
    let handoff = vigil_domain::Handoff {
        target: vigil_domain::HandoffTarget::ControlRoom,
        reference: "INC-0001 (synthetic)".into(),
        note: "unit dispatched to the school".into(),
    };
    let inv = session("i.inv", Role::Investigator);
    assert!(c.v.record_handoff(&r, &handoff, &inv).is_err(), "triage officers and supervisors hand off");
    c.v.record_handoff(&r, &handoff, &tri).unwrap();
    assert!(c.v.report_to_case(&r, &urgent, Some("Immediate danger (SYNTHETIC)"), &tri).unwrap());
    let f = c.v.team_figures(&session("s.one", Role::Supervisor)).unwrap();
    assert_eq!(f.immediate_handed_off, 1);
    assert!(f.median_secs_to_handoff.is_some_and(|s| s < 60), "{f:?}");
    assert!(c.v.verify().unwrap().ok());
}

/// Issue 12, "Outcomes" and "Safeguarding": outcomes carry Home Office
/// codes and the figures count them; "children safeguarded" counts only
/// children with a recorded safeguarding outcome.
/// Issue 25, point 10: "arrest" and "children safeguarded" are not
/// outcomes; an outcome carries its Home Office code, a charge is code 1 or
/// 1A and follows a recorded charging decision (MG3); children count as
/// safeguarded only from safeguarding records.
#[test]
fn outcomes_count_by_home_office_code_and_safeguarding_only_when_recorded() {
    use vigil_domain::{ChargingTest, HomeOfficeOutcome, OutcomeKind, SafeguardingStep};
    let c = case();
    let inv = session("i.inv", Role::Investigator);
    let add = |r: &CaseRecord| c.v.add_case_record(&c.id, r, &inv);
    let child = add(&CaseRecord::Person {
        name: "Synthetic Child".into(),
        role: PersonRole::Victim,
        works_with_children: None,
    })
    .unwrap();
    let outcome = |outcome, home_office| CaseRecord::Outcome {
        outcome,
        person: Some(child),
        note: "synthetic".into(),
        home_office,
    };
    assert_eq!(add(&outcome(OutcomeKind::ChildrenSafeguarded, None)).unwrap_err().field(), Some("outcome"));
    assert_eq!(add(&outcome(OutcomeKind::Arrest, None)).unwrap_err().field(), Some("outcome"));
    add(&CaseRecord::Safeguarding {
        child,
        action: "strategy discussion with children's social care".into(),
        outcome: "s.47 enquiry opened".into(),
        step: Some(SafeguardingStep::StrategyDiscussion),
        reference: Some("CSC-SYN-1".into()),
        designated_officer: None,
        local_authority_notified: None,
    })
    .unwrap();
    assert_eq!(add(&outcome(OutcomeKind::Charge, None)).unwrap_err().field(), Some("home_office"));
    let e = add(&outcome(OutcomeKind::Charge, Some(HomeOfficeOutcome::NoSuspectIdentified))).unwrap_err();
    assert_eq!(e.field(), Some("home_office"), "{e}");
    let e = add(&outcome(OutcomeKind::Charge, Some(HomeOfficeOutcome::Charged))).unwrap_err();
    assert!(e.to_string().contains("no charging decision (MG3)"), "{e}");
    assert_eq!(HomeOfficeOutcome::ChargedAlternativeOffence.code(), "1A");
    assert!(HomeOfficeOutcome::ChargedAlternativeOffence.label().contains("alternative offence"));
    add(&CaseRecord::ChargingDecision {
        decision_maker: "CPS lawyer (synthetic)".into(),
        test: ChargingTest::FullCode,
        guidance: "Director's Guidance on Charging, 6th edition: CPS decision (synthetic)".into(),
        charges: vec!["Sexual communication with a child (s.15A)".into()],
        reason: "the evidential and public interest stages are met (synthetic)".into(),
    })
    .unwrap();
    for (kind, code) in [
        (OutcomeKind::Charge, HomeOfficeOutcome::Charged),
        (OutcomeKind::Charge, HomeOfficeOutcome::Charged),
        (OutcomeKind::NoFurtherAction, HomeOfficeOutcome::NoSuspectIdentified),
    ] {
        add(&outcome(kind, Some(code))).unwrap();
    }
    let f = c.v.team_figures(&session("s.one", Role::Supervisor)).unwrap();
    assert_eq!(f.children_safeguarded, 1);
    let by_code: Vec<(&str, usize)> = f.home_office_outcomes.iter().map(|(c, _, n)| (c.as_str(), *n)).collect();
    assert_eq!(by_code, vec![("1", 2), ("18", 1)]);
}

/// Issue 12, "Lines of inquiry and digital strategy" and "Revelation":
/// the records exist, validate naming the field, and a review after a
/// defence statement must name a real one.
#[test]
fn lines_of_inquiry_digital_strategy_and_review_after_a_defence_statement() {
    let c = case();
    let inv = session("i.inv", Role::Investigator);
    let sup = session("s.one", Role::Supervisor);
    let line = CaseRecord::LineOfInquiry {
        inquiry: "who else used the shared tablet".into(),
        direction: "away from the suspect: others had the password".into(),
        outcome: "two other adults used it in the period (synthetic)".into(),
    };
    c.v.add_case_record(&c.id, &line, &inv).unwrap();
    let strategy = CaseRecord::DigitalStrategy {
        device: "shared tablet (exhibit DI/1)".into(),
        users: "three adults of the household, by their statements".into(),
        extraction: "logical extraction by the digital forensic unit (synthetic)".into(),
        search_terms: vec!["demo_user_a".into(), "school".into()],
        tools: vec!["Vigil scan 0.1".into()],
        not_examined: String::new(),
    };
    assert_eq!(c.v.add_case_record(&c.id, &strategy, &inv).unwrap_err().field(), Some("not_examined"));
    let note = c.v.add_case_record(&c.id, &CaseRecord::Note { text: "not a defence statement".into() }, &inv).unwrap();
    let statement =
        c.v.add_case_record(
            &c.id,
            &CaseRecord::DefenceStatement { received: "2 Dec 2026".into(), issues: "identity of the user".into() },
            &inv,
        )
        .unwrap();
    let review = |n| CaseRecord::DisclosureReview { statement: Some(n), result: "reviewed MG6C and MG6D".into() };
    assert!(c.v.add_case_record(&c.id, &review(note), &sup).is_err(), "a note is no defence statement");
    c.v.add_case_record(&c.id, &review(statement), &sup).unwrap();
}

/// Issue 12, point 7: a public reporter's identity calls for handling code
/// C, and a sanitised version exists for sharing.
#[test]
fn a_reporter_who_left_details_is_graded_c_and_shared_sanitised() {
    let c = case();
    let tri = session("t.tri", Role::TriageOfficer);
    let r =
        c.v.submit_public_report(&PublicReport {
            kind: ReportKind::Grooming,
            immediate_danger: false,
            meeting_planned: false,
            images_exchanged: false,
            platform: "ExampleChat".into(),
            identifiers: vec!["named_user".into()],
            child: "about 13".into(),
            dates: "yesterday".into(),
            account: "SYNTHETIC TEST: a reporter who left their details.".into(),
            contact: Some("Synthetic Reporter, 07700 900000".into()),
            about: vigil_domain::ReporterAnswers { would_give_statement: Some(true), ..Default::default() },
        })
        .unwrap()
        .exhibit;
    let e = c.v.grade_report(&r, &Grade::parse("2/B/P").unwrap(), "reporter saw it", &tri).unwrap_err();
    assert_eq!(e.field(), Some("handling"), "{e}");
    let conditions = "2/B/C: reporter's identity not to be shared; share the sanitised version";
    c.v.grade_report(&r, &Grade::parse(conditions).unwrap(), "reporter saw it", &tri).unwrap();
    let shared = c.v.sanitised_report(&r, &tri, "sharing with the owning force").unwrap().to_string();
    assert!(!shared.contains("Synthetic Reporter") && !shared.contains("07700"), "{shared}");
    assert!(!shared.contains("would_give_statement") && shared.contains("named_user"), "{shared}");
}

/// Issue 12, point 4: highly sensitive material goes on no schedule, in no
/// download or bundle, and only the disclosure officer and supervisors see
/// the record of how it was revealed.
#[test]
fn highly_sensitive_material_is_on_no_schedule_and_seen_by_few() {
    let c = case();
    let sup = session("s.one", Role::Supervisor);
    let inv = session("i.inv", Role::Investigator);
    const SECRET: &str = "SYNTHETIC-COVERT-SOURCE-REASON";
    let highly = |item: &str| CaseRecord::HighlySensitive {
        item: item.into(),
        reason: SECRET.into(),
        revealed_to: "Senior CPS lawyer (synthetic)".into(),
        revealed_at: "3 Dec 2026 09:00".into(),
        means: "in person; the full record is kept by the SIO".into(),
        ground: Some(vigil_domain::HighlySensitiveGround::SourceIdentity),
    };
    let record = highly("exhibit:PR/1");
    c.v.add_case_record(&c.id, &record, &inv).expect_err("an investigator does not record it");
    // Issue 25, point 9: only the senior officer assigned to the case (and
    // its disclosure officer) records or sees it, with the ground chosen.
    let e = c.v.add_case_record(&c.id, &record, &sup).unwrap_err();
    assert!(matches!(e, vigil_core::CoreError::Forbidden(_)), "a supervisor not assigned: {e}");
    c.v.assign_to_case(&c.id, "s.one", &sup).unwrap();
    let no_ground = CaseRecord::HighlySensitive {
        item: "exhibit:PR/1".into(),
        reason: SECRET.into(),
        revealed_to: "Senior CPS lawyer (synthetic)".into(),
        revealed_at: "3 Dec 2026 09:00".into(),
        means: "in person".into(),
        ground: None,
    };
    assert_eq!(c.v.add_case_record(&c.id, &no_ground, &sup).unwrap_err().field(), Some("ground"));
    c.v.add_case_record(&c.id, &record, &sup).unwrap();
    let other_sup = session("s.two", Role::Supervisor);
    assert!(
        c.v.schedules(&c.id, &other_sup).unwrap().highly_sensitive.is_empty(),
        "nor does a supervisor not assigned"
    );
    assert!(c.v.add_case_record(&c.id, &record, &sup).is_err(), "once is enough");

    // Scheduling it, or using it as an exhibit, is refused.
    let schedule = |item: &str| CaseRecord::Scheduled {
        item: item.into(),
        schedule: vigil_domain::Schedule::Mg6d,
        description: "the report".into(),
        location: "vault".into(),
        sensitivity: Some("would identify the reporter".into()),
        proposed: vigil_domain::ProsecutorView::ClearlyNotDisclosable,
        reason: "r".into(),
        amends: None,
        category: Some(vigil_domain::MaterialCategory::Other),
        rebuttal: None,
    };
    let e = c.v.add_case_record(&c.id, &schedule("exhibit:PR/1"), &sup).unwrap_err();
    assert_eq!(e.kind(), vigil_core::ErrorKind::Refused, "{e}");
    let used = CaseRecord::ExhibitUsed {
        exhibit: "exhibit:PR/1".into(),
        witness: "DC Example (synthetic)".into(),
        description: "the report".into(),
    };
    assert_eq!(c.v.add_case_record(&c.id, &used, &sup).unwrap_err().kind(), vigil_core::ErrorKind::Refused);
    // An item already on a schedule cannot quietly become highly sensitive.
    let note = c.v.add_case_record(&c.id, &CaseRecord::Note { text: "synthetic".into() }, &sup).unwrap();
    c.v.add_case_record(&c.id, &schedule(&format!("record:{note}")), &sup).unwrap();
    let moved = highly(&format!("record:{note}"));
    assert_eq!(c.v.add_case_record(&c.id, &moved, &sup).unwrap_err().kind(), vigil_core::ErrorKind::Refused);

    // The supervisor sees it beside the schedules; no rendering carries it.
    let s = c.v.schedules(&c.id, &sup).unwrap();
    assert_eq!(s.highly_sensitive.len(), 1);
    assert_eq!(s.mg6d.len(), 1, "only the note is on the MG6D");
    for r in s.render_for(vigil_core::Audience::Prosecutor) {
        assert!(!r.csv.contains(SECRET) && !r.csv.contains("PR/1"), "{}", r.stem);
    }
    // The investigator sees neither the record nor that it exists.
    assert!(c.v.schedules(&c.id, &inv).unwrap().highly_sensitive.is_empty());
    let view = c.v.case_view(&c.id, &inv, "test").unwrap();
    assert!(!view.records.iter().any(|r| matches!(r.record, CaseRecord::HighlySensitive { .. })));
    assert!(serde_json::to_string(&view).unwrap().find(SECRET).is_none());
    let sup_view = c.v.case_view(&c.id, &sup, "test").unwrap();
    assert!(sup_view.records.iter().any(|r| matches!(r.record, CaseRecord::HighlySensitive { .. })));
    // The custody log, read by all with the case and offline, names neither the item nor why.
    for h in c.v.case_timeline(&c.id, &inv).unwrap() {
        let e = serde_json::to_string(&h.event).unwrap();
        assert!(!e.contains(SECRET), "{e}");
    }
    // Nor does either bundle.
    reveal_decide_and_serve(&c, &sup);
    for audience in [vigil_core::Audience::Prosecutor, vigil_core::Audience::Defence] {
        let out = c._dir.path().join(format!("bundle-{audience:?}"));
        c.v.export_bundle(&c.id, &out, &vigil_domain::Initials::parse("DO").unwrap(), None, audience).unwrap();
        for entry in walk(&out) {
            let bytes = std::fs::read(&entry).unwrap();
            assert!(!String::from_utf8_lossy(&bytes).contains(SECRET), "{}", entry.display());
        }
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = vec![];
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

fn scheduled(item: &str) -> CaseRecord {
    CaseRecord::Scheduled {
        item: item.into(),
        schedule: vigil_domain::Schedule::Mg6c,
        description: "a synthetic note".into(),
        location: "case file".into(),
        sensitivity: None,
        proposed: vigil_domain::ProsecutorView::Disclose,
        reason: "might assist the defence (synthetic)".into(),
        amends: None,
        category: Some(vigil_domain::MaterialCategory::Other),
        rebuttal: None,
    }
}

/// A prosecutor assigned to the case, the schedules revealed to them, each
/// line decided as the officer proposed, and the version served.
fn reveal_decide_and_serve(c: &Case, by: &OfficerSession) {
    let admin = Actor::parse("ADM").unwrap();
    c.v.add_user("cps.p", Role::Prosecutor, "correct horse battery staple", &admin).unwrap();
    c.v.assign_to_case(&c.id, "cps.p", &session("s.one", Role::Supervisor)).unwrap();
    c.v.reveal_schedules(&c.id, "cps.p", "synthetic", by).unwrap();
    let cps = session("cps.p", Role::Prosecutor);
    let s = c.v.schedules(&c.id, &cps).unwrap();
    for l in s.mg6c.iter().chain(&s.mg6d) {
        let d = CaseRecord::ProsecutorDecision {
            item: l.item.clone(),
            decision: l.proposed,
            reason: "agreed (synthetic)".into(),
            rebuttal: None,
            disclosed_as: None,
            sensitive_route: None,
        };
        c.v.add_case_record(&c.id, &d, &cps).unwrap();
    }
    c.v.serve_schedules(&c.id, "s.3 letter (synthetic)", &cps).unwrap();
}

/// Issue 25, point 3: version access was tied to one user name, so a
/// reallocated CPS lawyer lost the earlier versions. The CPS for the case
/// is every prosecutor assigned to it: each reads every version and
/// decides on the latest; a prosecutor not assigned sees nothing (issue
/// 24, finding 5 stands for them).
#[test]
fn the_cps_for_the_case_keeps_every_version_when_reallocated() {
    let c = case();
    let admin = Actor::parse("ADM").unwrap();
    let sup = session("s.one", Role::Supervisor);
    for p in ["cps.first", "cps.second", "cps.outsider"] {
        c.v.add_user(p, Role::Prosecutor, "correct horse battery staple", &admin).unwrap();
    }
    c.v.assign_to_case(&c.id, "cps.first", &sup).unwrap();
    c.v.add_case_record(&c.id, &used_report(), &sup).unwrap();
    let note = c.v.add_case_record(&c.id, &CaseRecord::Note { text: "synthetic".into() }, &sup).unwrap();
    let item = format!("record:{note}");
    c.v.add_case_record(&c.id, &scheduled(&item), &sup).unwrap();
    c.v.reveal_schedules(&c.id, "cps.first", "first revelation (synthetic)", &sup).unwrap();
    let (first, second) = (session("cps.first", Role::Prosecutor), session("cps.second", Role::Prosecutor));
    let outsider = session("cps.outsider", Role::Prosecutor);
    assert_eq!(c.v.schedules(&c.id, &first).unwrap().mg6c.len(), 1);
    assert!(c.v.schedules(&c.id, &outsider).is_err(), "a prosecutor not assigned sees nothing");
    let decide = CaseRecord::ProsecutorDecision {
        item: item.clone(),
        decision: vigil_domain::ProsecutorView::Disclose,
        reason: "synthetic".into(),
        rebuttal: None,
        disclosed_as: None,
        sensitive_route: None,
    };
    assert!(c.v.add_case_record(&c.id, &decide, &outsider).is_err());
    c.v.add_case_record(&c.id, &decide, &first).unwrap();
    // Reallocated: the second lawyer is assigned and reads version 1, the
    // first's decision on it included.
    c.v.assign_to_case(&c.id, "cps.second", &sup).unwrap();
    let one = c.v.revealed_version(&c.id, 1, &second).unwrap();
    assert_eq!(one.mg6c[0].decision.as_ref().map(|d| d.by.as_str()), Some("cps.first"));
    c.v.reveal_schedules(&c.id, "cps.second", "reallocated (synthetic)", &sup).unwrap();
    assert_eq!(c.v.schedules(&c.id, &first).unwrap().version, Some(2), "the CPS's latest version");
    assert_eq!(c.v.schedules(&c.id, &second).unwrap().revelations.len(), 2);
    // The line did not change, so the decision on it stands for version 2.
    assert!(c.v.schedules(&c.id, &second).unwrap().mg6c[0].decision.is_some());
    c.v.add_case_record(&c.id, &decide, &second).unwrap();
}

fn used_report() -> CaseRecord {
    CaseRecord::ExhibitUsed {
        exhibit: "exhibit:PR/1".into(),
        witness: "DC Example (synthetic)".into(),
        description: "the report".into(),
    }
}

fn highly_sensitive(item: &str) -> CaseRecord {
    CaseRecord::HighlySensitive {
        item: item.into(),
        reason: "SYNTHETIC".into(),
        revealed_to: "Senior CPS lawyer (synthetic)".into(),
        revealed_at: "3 Dec 2026 09:00".into(),
        means: "in person".into(),
        ground: Some(vigil_domain::HighlySensitiveGround::OtherOperation),
    }
}

/// Issue 24, finding 6: two racing requests put one item both among the
/// highly sensitive material and on the MG6C, because each checked the
/// rules before either wrote. The rules now hold at the write: a record
/// added between the check and the write sends the check round again.
#[test]
fn a_record_racing_between_the_check_and_the_write_is_checked_again() {
    let c = std::sync::Arc::new(case());
    let sup = session("s.one", Role::Supervisor);
    for s in ["s.one", "s.two"] {
        c.v.assign_to_case(&c.id, s, &sup).unwrap();
    }
    let note = c.v.add_case_record(&c.id, &CaseRecord::Note { text: "synthetic".into() }, &sup).unwrap();
    let item = format!("record:{note}");
    let highly = highly_sensitive(&item);
    // The scheduling passes its checks; then, before it is written, the
    // racing request records the item as highly sensitive.
    let racer = c.clone();
    let racing_record = highly.clone();
    vigil_core::test_hooks::once_between_check_and_write(&c._dir.path().join("data"), &c.id, move || {
        racer.v.add_case_record(&racer.id, &racing_record, &session("s.two", Role::Supervisor)).unwrap();
    });
    let e = c.v.add_case_record(&c.id, &scheduled(&item), &sup).unwrap_err();
    assert!(e.to_string().contains("highly sensitive"), "{e}");
    let s = c.v.schedules(&c.id, &sup).unwrap();
    assert!(s.mg6c.is_empty(), "the item went on no schedule");
    assert_eq!(s.highly_sensitive.len(), 1);

    // The same race the other way round: the MG6C line wins, the highly
    // sensitive record is refused.
    let other = c.v.add_case_record(&c.id, &CaseRecord::Note { text: "synthetic 2".into() }, &sup).unwrap();
    let item = format!("record:{other}");
    let racer = c.clone();
    let racing_line = scheduled(&item);
    vigil_core::test_hooks::once_between_check_and_write(&c._dir.path().join("data"), &c.id, move || {
        racer.v.add_case_record(&racer.id, &racing_line, &session("s.two", Role::Supervisor)).unwrap();
    });
    let highly = highly_sensitive(&item);
    let e = c.v.add_case_record(&c.id, &highly, &sup).unwrap_err();
    assert!(e.to_string().contains("MG6C"), "{e}");
    assert_eq!(c.v.schedules(&c.id, &sup).unwrap().mg6c.len(), 1);
}

/// Issue 24, finding 7: the copy for service carried every leaf of every
/// event on each served exhibit, officers' access reasons and what other
/// cases asked of it among them. It now carries those events' hashes only,
/// with the leaves of the exhibit's own received, copied and exported events.
#[test]
fn the_copy_for_service_carries_no_one_elses_reasons() {
    let c = case();
    let sup = session("s.one", Role::Supervisor);
    const REASON: &str = "SYNTHETIC-ACCESS-REASON-for-case-OP-COVERT-9";
    let pr1 = vigil_domain::ExhibitRef::parse("PR/1").unwrap();
    c.v.get_exhibit(&pr1, &c._dir.path().join("read"), REASON, &Actor::parse("s.one").unwrap()).unwrap();
    c.v.add_case_record(
        &c.id,
        &CaseRecord::ExhibitUsed {
            exhibit: "exhibit:PR/1".into(),
            witness: "DC Example (synthetic)".into(),
            description: "the report".into(),
        },
        &sup,
    )
    .unwrap();
    reveal_decide_and_serve(&c, &sup);
    let key = c.v.public_key();
    let do_ = vigil_domain::Initials::parse("DO").unwrap();
    let served = c._dir.path().join("served");
    c.v.export_bundle(&c.id, &served, &do_, None, vigil_core::Audience::Defence).unwrap();
    for entry in walk(&served) {
        let text = String::from_utf8_lossy(&std::fs::read(&entry).unwrap()).into_owned();
        assert!(!text.contains(REASON), "{} carries an officer's access reason", entry.display());
    }
    assert!(vigil_core::verify_bundle(&served, &key, None).unwrap().ok(), "and it still verifies");
    // The prosecutor's copy keeps every leaf.
    let full = c._dir.path().join("full");
    c.v.export_bundle(&c.id, &full, &do_, None, vigil_core::Audience::Prosecutor).unwrap();
    assert!(walk(&full).iter().any(|p| String::from_utf8_lossy(&std::fs::read(p).unwrap()).contains(REASON)));
    // A leaf put back by hand into the copy for service is named.
    let proof_path = served.join("proofs/PR-1.json");
    let mut proof: serde_json::Value = serde_json::from_slice(&std::fs::read(&proof_path).unwrap()).unwrap();
    let full_proof: serde_json::Value =
        serde_json::from_slice(&std::fs::read(full.join("proofs/PR-1.json")).unwrap()).unwrap();
    let accessed = full_proof["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["leaf"].as_str().is_some_and(|l| l.contains(REASON)))
        .unwrap()
        .clone();
    let slot = proof["events"].as_array_mut().unwrap().iter_mut().find(|e| e["index"] == accessed["index"]).unwrap();
    slot["leaf"] = accessed["leaf"].clone();
    slot.as_object_mut().unwrap().remove("leaf_hash");
    std::fs::write(&proof_path, serde_json::to_vec_pretty(&proof).unwrap()).unwrap();
    let report = vigil_core::verify_bundle(&served, &key, None).unwrap();
    assert!(report.problems.iter().any(|p| p.contains("a copy for service carries the leaf")), "{:?}", report.problems);
}

/// Issue 25, point 11: safeguarding in Working Together's order with its
/// time limits; police protection as a power with its duties; referrals
/// prompted when children live with the suspect or the suspect works with
/// children.
#[test]
fn safeguarding_keeps_working_togethers_order_and_prompts_referrals() {
    use vigil_domain::SafeguardingStep as S;
    let c = case();
    let inv = session("i.inv", Role::Investigator);
    let add = |r: &CaseRecord| c.v.add_case_record(&c.id, r, &inv);
    let child = add(&CaseRecord::Person {
        name: "Synthetic Child".into(),
        role: PersonRole::Victim,
        works_with_children: None,
    })
    .unwrap();
    let suspect = add(&CaseRecord::Person {
        name: "Synthetic Suspect".into(),
        role: PersonRole::Suspect,
        works_with_children: Some("youth football coach (synthetic)".into()),
    })
    .unwrap();
    let step = |person: u64, step: S, designated: Option<&str>, notified: Option<&str>| CaseRecord::Safeguarding {
        child: person,
        action: "synthetic".into(),
        outcome: "synthetic".into(),
        step: Some(step),
        reference: None,
        designated_officer: designated.map(str::to_owned),
        local_authority_notified: notified.map(str::to_owned),
    };
    assert_eq!(add(&step(child, S::Section47Enquiry, None, None)).unwrap_err().field(), Some("step"));
    add(&step(child, S::StrategyDiscussion, None, None)).unwrap();
    assert_eq!(add(&step(child, S::InitialChildProtectionConference, None, None)).unwrap_err().field(), Some("step"));
    add(&step(child, S::Section47Enquiry, None, None)).unwrap();
    // Police protection is a power with its duties.
    let e = add(&step(child, S::PoliceProtection, None, Some("10:00"))).unwrap_err();
    assert_eq!(e.field(), Some("designated_officer"), "{e}");
    add(&step(child, S::PoliceProtection, Some("Insp Example (synthetic)"), Some("children's services told 10:05")))
        .unwrap();
    let mut welfare = welfare(suspect, WelfareStage::BeforeAction);
    if let CaseRecord::WelfareCheck { children_in_household, .. } = &mut welfare {
        *children_in_household = "two, aged 6 and 9 (synthetic)".into();
    }
    add(&welfare).unwrap();
    let persons = c.v.case_persons(&c.id, &inv).unwrap();
    let due = |id: u64| persons.iter().find(|p| p.id == id).unwrap().safeguarding_due.join("\n");
    let child_due = due(child);
    assert!(child_due.contains("initial child protection conference due by"), "{child_due}");
    assert!(child_due.contains("police protection") && child_due.contains("72 hours"), "{child_due}");
    let suspect_due = due(suspect);
    assert!(suspect_due.contains("refer to children's social care"), "{suspect_due}");
    assert!(suspect_due.contains("refer to the LADO"), "{suspect_due}");
    add(&step(child, S::InitialChildProtectionConference, None, None)).unwrap();
    add(&step(child, S::PoliceProtectionEnded, None, None)).unwrap();
    add(&step(child, S::ReferralToChildrensSocialCare, None, None)).unwrap();
    add(&step(suspect, S::ReferralToLado, None, None)).unwrap();
    let persons = c.v.case_persons(&c.id, &inv).unwrap();
    assert!(persons.iter().all(|p| p.safeguarding_due.is_empty()), "{persons:?}");
}
