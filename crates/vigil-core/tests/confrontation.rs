//! Issue 26: an activist group's call opens an incident that becomes a case
//! with the man's welfare checked; a decoy changes what charging is told;
//! the reporter's answer that they posed as a child reaches the case and
//! the version shared with the owning force.

use vigil_core::{OfficerSession, Vigil};
use vigil_domain::{
    Actor, CaseId, CaseRecord, Grade, GroupRole, PersonRole, PublicReport, ReportKind, ReporterAnswers, RiskLevel,
    Role, WelfareStage,
};

fn session(name: &str, role: Role) -> OfficerSession {
    OfficerSession { username: name.into(), role, csrf: String::new() }
}

fn vigil() -> (Vigil, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    Vigil::init(&data, None).unwrap();
    let v = Vigil::open(&data).unwrap();
    let admin = Actor::parse("ADM").unwrap();
    for (n, r) in [("t.tri", Role::TriageOfficer), ("s.one", Role::Supervisor), ("i.inv", Role::Investigator)] {
        v.add_user(n, r, "correct horse battery staple", &admin).unwrap();
    }
    (v, dir)
}

fn confrontation(risk: RiskLevel, referral: Option<&str>) -> CaseRecord {
    CaseRecord::Confrontation {
        place: "Car park, Example Retail Park (SYNTHETIC)".into(),
        present: vec!["the man confronted".into(), "three members of the group".into(), "his partner".into()],
        crowd: true,
        stream_live: true,
        group: None,
        suspect: None,
        self_harm_risk: risk,
        welfare_check: "Spoke with him apart from the group before anyone left; he said he had thought of ending it."
            .into(),
        referral: referral.map(str::to_string),
        handed_over: None,
        family: "His partner arrived during the stream; taken home by a second unit.".into(),
    }
}

fn report(v: &Vigil, posed: Option<bool>) -> vigil_domain::ExhibitRef {
    v.submit_public_report(&PublicReport {
        kind: ReportKind::Grooming,
        immediate_danger: false,
        meeting_planned: true,
        images_exchanged: false,
        platform: "ExampleChat".into(),
        identifiers: vec!["hunted_user".into()],
        child: "said to be 13".into(),
        dates: "last week".into(),
        account: "SYNTHETIC TEST: we talked to him as a 13-year-old and arranged to meet.".into(),
        contact: Some("Synthetic Group Admin, 07700 900123".into()),
        about: ReporterAnswers { contacted_or_posed: posed, ..Default::default() },
    })
    .unwrap()
    .exhibit
}

#[test]
fn a_groups_call_opens_an_incident_that_becomes_a_case_with_a_welfare_check() {
    let (v, _d) = vigil();
    let inv = session("i.inv", Role::Investigator);
    let sup = session("s.one", Role::Supervisor);
    let inc = CaseId::parse("INC-0412").unwrap();

    // The IOPC's lesson: a man at high risk is not left without a referral.
    let e = v.open_incident(&inc, "Group confrontation, retail park", &confrontation(RiskLevel::High, None), &inv);
    assert_eq!(e.unwrap_err().field(), Some("referral"));
    // Roles before input: an auditor cannot open one.
    let e = v.open_incident(&inc, "x", &confrontation(RiskLevel::Low, None), &session("a.aud", Role::Auditor));
    assert!(matches!(e, Err(vigil_core::CoreError::Forbidden(_))), "{e:?}");

    let rec = v
        .open_incident(
            &inc,
            "Group confrontation, retail park",
            &confrontation(RiskLevel::High, Some("street triage nurse")),
            &inv,
        )
        .unwrap();
    // Opened in one step: the officer who took the call sees it at once.
    let view = v.case_view(&inc, &inv, "incident").unwrap();
    assert!(view.records.iter().any(|r| r.id == rec && matches!(r.record, CaseRecord::Confrontation { .. })));
    let prompts = view.confrontation_prompts().join("\n");
    assert!(prompts.contains("handed over") && prompts.contains("preserve"), "{prompts}");
    assert!(!prompts.contains("record the referral"), "{prompts}");
    assert!(
        v.open_incident(&inc, "again", &confrontation(RiskLevel::Low, None), &inv).is_err(),
        "no second incident on one ID"
    );

    // The group and its people, then the man, his welfare check and what was handed over.
    let group = v
        .add_case_record(
            &inc,
            &CaseRecord::ActivistGroup {
                name: "Example Hunters (SYNTHETIC)".into(),
                platforms: vec!["ExampleTube live".into(), "ExampleBook page".into()],
                police_contact: "Two earlier calls to the force this year.".into(),
            },
            &inv,
        )
        .unwrap();
    let man = v
        .add_case_record(
            &inc,
            &CaseRecord::Person { name: "Man A".into(), role: PersonRole::Suspect, works_with_children: None },
            &inv,
        )
        .unwrap();
    let e = v.add_case_record(
        &inc,
        &CaseRecord::GroupMember { group: man, person: man, role: GroupRole::Streamer, convictions: None },
        &inv,
    );
    assert!(e.unwrap_err().to_string().contains("activist group"));
    v.add_case_record(
        &inc,
        &CaseRecord::WelfareCheck {
            person: man,
            self_harm_risk: RiskLevel::High,
            mitigations: "Not left alone; crisis line number given; partner told of the risk.".into(),
            children_in_household: "none".into(),
            vulnerable_adults_in_household: "none".into(),
            referrals_made: vec!["street triage nurse".into()],
            stage: Some(WelfareStage::Release),
            handover: Some("to his partner, at home".into()),
        },
        &inv,
    )
    .unwrap();
    let mut done = confrontation(RiskLevel::High, Some("street triage nurse"));
    if let CaseRecord::Confrontation { handed_over, group: g, suspect, .. } = &mut done {
        *handed_over = Some("Crisis line card and the officer's number, to his partner".into());
        *g = Some(group);
        *suspect = Some(man);
    }
    v.add_case_record(&inc, &done, &inv).unwrap();

    // The incident joins the existing case; both keep their history.
    let r = report(&v, None);
    let tri = session("t.tri", Role::TriageOfficer);
    v.grade_report(&r, &Grade::parse("3/C/C: reporter's identity not to be shared").unwrap(), "group report", &tri)
        .unwrap();
    let case = CaseId::parse("OP-HUNT-1").unwrap();
    v.report_to_case(&r, &case, Some("Group referral (SYNTHETIC)"), &tri).unwrap();
    v.merge_cases(&case, &inc, "the confrontation is about the same man", &sup).unwrap();
    let merged = v.case_view(&case, &sup, "check").unwrap();
    assert!(merged
        .records
        .iter()
        .any(|r| matches!(&r.record, CaseRecord::MergedFrom { case, .. } if case == "INC-0412")));
    let timeline = v.case_timeline(&inc, &sup).unwrap();
    assert!(timeline.len() >= 6, "every step of the incident is in the log: {}", timeline.len());
}

#[test]
fn a_decoy_in_the_case_changes_the_charging_prompt() {
    let (v, _d) = vigil();
    let inv = session("i.inv", Role::Investigator);
    let inc = CaseId::parse("INC-0413").unwrap();
    v.open_incident(&inc, "Confrontation", &confrontation(RiskLevel::Low, None), &inv).unwrap();
    assert!(v.case_view(&inc, &inv, "t").unwrap().charging_prompts().is_empty(), "no decoy, no prompt");
    let group = v
        .add_case_record(
            &inc,
            &CaseRecord::ActivistGroup {
                name: "Example Hunters".into(),
                platforms: vec![],
                police_contact: "none known".into(),
            },
            &inv,
        )
        .unwrap();
    let decoy = v
        .add_case_record(
            &inc,
            &CaseRecord::Person {
                name: "Decoy B (an adult)".into(),
                role: PersonRole::Witness,
                works_with_children: None,
            },
            &inv,
        )
        .unwrap();
    v.add_case_record(
        &inc,
        &CaseRecord::GroupMember {
            group,
            person: decoy,
            role: GroupRole::Decoy,
            convictions: Some("Harassment, 2024 (SYNTHETIC)".into()),
        },
        &inv,
    )
    .unwrap();
    let view = v.case_view(&inc, &inv, "t").unwrap();
    let p = view.charging_prompts().join("\n");
    assert!(
        p.contains("Criminal Attempts Act 1981")
            && p.contains("Looseley")
            && p.contains("Shannon")
            && p.contains("s.78"),
        "{p}"
    );
    // The witness's convictions are disclosure material in the ledger.
    let member = view.records.iter().find(|r| matches!(r.record, CaseRecord::GroupMember { .. })).unwrap();
    let proposal = vigil_domain::record_proposal(&member.record).unwrap();
    assert_eq!(proposal.0, vigil_domain::MaterialCategory::ReliabilityDoubt);
}

#[test]
fn the_reporters_answer_that_they_posed_as_a_child_reaches_the_case_and_the_shared_report() {
    let (v, _d) = vigil();
    let tri = session("t.tri", Role::TriageOfficer);
    let posed = report(&v, Some(true));
    let plain = report(&v, Some(false));
    for r in [&posed, &plain] {
        v.grade_report(r, &Grade::parse("3/C/C: reporter's identity not to be shared").unwrap(), "group", &tri)
            .unwrap();
    }
    let shared = v.sanitised_report(&posed, &tri, "sharing with the owning force").unwrap();
    assert_eq!(shared.pointer("/report/about/contacted_or_posed"), Some(&serde_json::Value::Bool(true)), "{shared}");
    assert!(shared.to_string().contains("decoy") && !shared.to_string().contains("07700"), "{shared}");

    let a = CaseId::parse("OP-POSED-1").unwrap();
    v.report_to_case(&posed, &a, Some("Posed (SYNTHETIC)"), &tri).unwrap();
    let b = CaseId::parse("OP-PLAIN-1").unwrap();
    v.report_to_case(&plain, &b, Some("Plain (SYNTHETIC)"), &tri).unwrap();
    let sup = session("s.one", Role::Supervisor);
    let va = v.case_view(&a, &sup, "t").unwrap();
    assert!(va
        .records
        .iter()
        .any(|r| matches!(&r.record, CaseRecord::PosedAsChild { report, .. } if *report == posed.to_string())));
    assert!(va.charging_prompts().join(" ").contains("attempt"));
    let vb = v.case_view(&b, &sup, "t").unwrap();
    assert!(!vb.records.iter().any(|r| matches!(r.record, CaseRecord::PosedAsChild { .. })));
    assert!(vb.charging_prompts().is_empty());
}

#[test]
fn a_repeat_reporter_raises_the_chis_alert_for_supervisors() {
    let (v, _d) = vigil();
    let tri = session("t.tri", Role::TriageOfficer);
    let sup = session("s.one", Role::Supervisor);
    let from = |contact: &str| {
        v.submit_public_report(&PublicReport {
            kind: ReportKind::Grooming,
            immediate_danger: false,
            meeting_planned: false,
            images_exchanged: false,
            platform: "ExampleChat".into(),
            identifiers: vec!["someone".into()],
            child: "unknown".into(),
            dates: "this week".into(),
            account: "SYNTHETIC TEST: another report from the group.".into(),
            contact: Some(contact.into()),
            about: Default::default(),
        })
        .unwrap()
        .exhibit
    };
    // One person, writing their number three ways; someone else once.
    let a = from("Group admin, 07700 900123");
    let b = from("admin (+44 7700 900-123)");
    let other = from("A. Parent, parent@example.org");
    let r = v.reporter_of(&b, &tri, 3).unwrap().unwrap();
    assert_eq!((r.reports.clone(), r.alert), (vec![a.clone(), b.clone()], false));
    assert!(v.repeat_reporters(&sup, 3).unwrap().is_empty(), "two reports are below the count");
    let c = from("admin@example.org; tel 0044 7700 900123");
    let r = v.reporter_of(&a, &tri, 3).unwrap().unwrap();
    assert_eq!(r.reports, vec![a.clone(), b.clone(), c.clone()]);
    assert!(r.alert, "the third report reaches the alert");
    let list = v.repeat_reporters(&sup, 3).unwrap();
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0].reports, vec![a, b, c.clone()]);
    assert!(!list[0].reports.contains(&other));
    // The count is configurable, and only supervisors get the list.
    assert!(v.repeat_reporters(&sup, 4).unwrap().is_empty());
    assert!(matches!(v.repeat_reporters(&tri, 3), Err(vigil_core::CoreError::Forbidden(_))));
    assert!(v.reporter_of(&other, &tri, 3).unwrap().unwrap().reports.len() == 1);
    // Only pseudonyms are stored beside the reports, and verify still holds.
    let r = v.verify().unwrap();
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    let _ = c;
}

#[test]
fn a_synthetic_chat_flags_payment_demands_threats_who_proposed_meeting_and_vulnerability() {
    let (v, _d) = vigil();
    let inv = session("i.inv", Role::Investigator);
    let case = CaseId::parse("INC-0414").unwrap();
    v.open_incident(&case, "Confrontation", &confrontation(RiskLevel::Low, None), &inv).unwrap();
    // SYNTHETIC: a decoy's conversation, then the group's demands.
    let chat = "\
01/12/2026, 18:00 - Decoy Jess: hi, im 13 lol
01/12/2026, 18:02 - Man A: hello. my support worker says i should make friends online
01/12/2026, 18:05 - Decoy Jess: we should meet up at the park tomorrow
01/12/2026, 18:07 - Man A: ok what time
02/12/2026, 20:00 - Group Admin: We have it all. Pay us £500 or we go live and tell your family
02/12/2026, 20:01 - Man A: please dont
02/12/2026, 20:02 - Group Admin: Bank details by tonight or we publish your face
";
    let settings = vigil_core::ChatSettings { format: None, timezone: Some("Europe/London".into()), date_order: None };
    let imported = v
        .import_chat_bytes(chat.as_bytes(), "chat.txt", &case, &vigil_domain::Initials::parse("GR").unwrap(), &settings)
        .unwrap();
    let q = vigil_core::ChatQuery { search: None, at: None, offset: 0, limit: 2 };
    let page = v.chat_page(&case, &imported.timeline, &inv, &q).unwrap();
    use vigil_chat::SignKind as K;
    let at = |k: K| page.signs.found.iter().filter(|s| s.kind == k).map(|s| s.message).collect::<Vec<_>>();
    // Over the whole timeline, not only the two messages on the page.
    assert_eq!(at(K::PaymentDemand), vec![5, 7], "{:?}", page.signs);
    assert_eq!(at(K::ThreatToPublish), vec![5, 7]);
    assert_eq!(at(K::MeetingRequest), vec![3, 4]);
    assert_eq!(at(K::VulnerableAdult), vec![2]);
    let first = page.signs.first_meeting.as_ref().unwrap();
    assert_eq!((first.message, first.sender.as_deref()), (3, Some("Decoy Jess")), "the decoy proposed the meeting");
    // A message with none of them is flagged with none.
    assert!(!page.signs.found.iter().any(|s| s.message == 1 || s.message == 6));
}
