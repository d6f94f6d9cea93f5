//! A clearly synthetic demo case, so a new user can see continuity,
//! verification and export without real material. No images, no real people.

use crate::data_dir::{Layout, Vigil};
use crate::error::CoreError;
use serde::Serialize;
use std::path::{Path, PathBuf};
use vigil_domain::{Actor, CaseId, CustodyEvent, EventKind, Initials, ObjectRef};

pub const DEMO_CASE: &str = "DEMO-0001";
/// The complete synthetic case: report, grading, attribution, approval with
/// a welfare check, exhibits, schedules, ready for a prosecutor bundle.
pub const DEMO_FULL_CASE: &str = "DEMO-1";

#[derive(Debug, Clone, Serialize)]
pub struct DemoReport {
    pub data_dir: PathBuf,
    pub initialised: bool,
    pub seeded: Vec<String>,
    /// Exhibits made for the complete case DEMO-1, when it was seeded this time.
    pub seeded_full_case: Vec<String>,
    pub exhibits: u64,
    pub events: u64,
    pub verified: bool,
    pub public_key_file: PathBuf,
    /// Demo officer accounts created this time (user name, role, TOTP secret).
    /// Their password is [`DEMO_PASSWORD`]. Demo only: never on a real system.
    pub officers: Vec<(String, String, String)>,
}

/// The password of the demo officer accounts. It is printed by `vigil demo`
/// and exists only in a demo data directory.
pub const DEMO_PASSWORD: &str = "demo-password-not-for-real-use";

const FILES: &[(&str, &str, &str)] = &[
    (
        "synthetic-chat-export.html",
        "<!doctype html><title>SYNTHETIC DEMO</title><p>SYNTHETIC DEMO DATA. Fictional chat export between \
         the accounts 'demo_user_a' and 'demo_user_b' on the fictional platform ExampleChat. No real person.</p>",
        "synthetic chat export submitted with a public report (demo)",
    ),
    (
        "synthetic-referral.json",
        "{\"synthetic\": true, \"note\": \"SYNTHETIC DEMO partner referral; fictional identifiers only\", \
         \"reported_users\": [{\"username\": \"demo_user_a\", \"platform\": \"ExampleChat\"}]}",
        "synthetic partner referral (demo)",
    ),
    (
        "synthetic-officer-notes.txt",
        "SYNTHETIC DEMO. Officer notes: report graded 2/B/P; safeguarding check requested; no contact with the \
         account holder made.",
        "synthetic officer notes (demo)",
    ),
];

/// The store's mark of a data directory made by `vigil demo`.
const DEMO_MARK: &str = "demo_directory";

impl Vigil {
    /// Initialises `root` if needed and seeds the demo case once.
    pub fn demo(root: &Path) -> Result<DemoReport, CoreError> {
        let layout = Layout::new(root);
        let initialised = !layout.config().exists();
        if initialised {
            Vigil::init(root, None)?;
        }
        let v = Vigil::open(root)?;
        // The demo makes officer accounts with a published password, so it
        // only ever seeds a directory it made itself.
        if initialised {
            v.write(|u| {
                u.tx().set_meta(DEMO_MARK, "yes")?;
                let mut ev = CustodyEvent::new(EventKind::Created, Actor::system(), u.now, ObjectRef::log());
                ev.note = Some(
                    "demo data directory: synthetic material and accounts with the published demo password".into(),
                );
                u.log(ev);
                Ok(())
            })?;
        } else if v.store.read()?.meta(DEMO_MARK)?.is_none() {
            return Err(CoreError::Refused(format!(
                "{} is a Vigil data directory that `vigil demo` did not make; the demo adds officer accounts with a \
                 published password, so it seeds only a new directory: give it another --data",
                root.display()
            )));
        }
        let case = CaseId::parse(DEMO_CASE)?;
        let mut seeded = Vec::new();
        if !v.store.read()?.exhibits()?.iter().any(|e| e.case_id == case) {
            let src = root.join("demo-source");
            std::fs::create_dir_all(&src).map_err(|e| CoreError::file(&src, e))?;
            let by = Initials::parse("DM")?;
            for (name, body, note) in FILES {
                let p = src.join(name);
                std::fs::write(&p, body).map_err(|e| CoreError::file(&p, e))?;
                let a = v.add_exhibit(&p, &case, &by, Some(note))?;
                seeded.push(a.reference.to_string());
            }
            if let Some(first) = seeded.first() {
                let r = vigil_domain::ExhibitRef::parse(first)?;
                let out = src.join("accessed-copy.html");
                let _ = std::fs::remove_file(&out);
                v.get_exhibit(&r, &out, "demo: review by the disclosure officer", &Actor::parse("DO1")?)?;
            }
        }
        let mut officers = Vec::new();
        if v.store.read()?.user("demo.triage")?.is_none() {
            let admin = Actor::parse("demo-admin")?;
            for (name, role) in [
                ("demo.triage", vigil_domain::Role::TriageOfficer),
                ("demo.supervisor", vigil_domain::Role::Supervisor),
                ("demo.investigator", vigil_domain::Role::Investigator),
                ("demo.disclosure", vigil_domain::Role::DisclosureOfficer),
                ("demo.prosecutor", vigil_domain::Role::Prosecutor),
                ("demo.examiner", vigil_domain::Role::ForensicExaminer),
                ("demo.analyst", vigil_domain::Role::ForensicExaminer),
            ] {
                let e = v.add_user(name, role, DEMO_PASSWORD, &admin)?;
                officers.push((name.to_owned(), role.as_str().to_owned(), e.secret_base32));
            }
            // Two synthetic public reports so the queue has something to show.
            for (danger, id, text) in [
                (
                    false,
                    "demo_user_a",
                    "SYNTHETIC DEMO: an adult account asked a 12-year-old to move to a private app.",
                ),
                (true, "demo_user_b", "SYNTHETIC DEMO: the account says it will meet the child after school today."),
            ] {
                v.submit_public_report(&vigil_domain::PublicReport {
                    kind: vigil_domain::ReportKind::Grooming,
                    immediate_danger: danger,
                    meeting_planned: danger,
                    images_exchanged: false,
                    platform: "ExampleChat (fictional)".into(),
                    identifiers: vec![id.into()],
                    child: "about 12 (fictional)".into(),
                    dates: "fictional".into(),
                    account: text.into(),
                    contact: None,
                    about: Default::default(),
                })?;
            }
        }
        let mut seeded_full_case = Vec::new();
        if v.store.read()?.case_title(&CaseId::parse(DEMO_FULL_CASE)?)?.is_none() {
            seeded_full_case = v.seed_full_case(root)?;
        }
        let report = v.verify()?;
        Ok(DemoReport {
            data_dir: root.to_owned(),
            initialised,
            seeded,
            seeded_full_case,
            exhibits: report.exhibits,
            events: report.events,
            verified: report.ok(),
            public_key_file: layout.public_key(),
            officers,
        })
    }
}

impl Vigil {
    /// DEMO-1: the whole flow on synthetic material, as the officers would do it.
    fn seed_full_case(&self, root: &Path) -> Result<Vec<String>, CoreError> {
        use vigil_domain::{
            ActionKind, AuthorityKind, CaseRecord, ExhibitRef, Grade, PersonFlag, PersonRole, ProsecutorView,
            RiskLevel, Role, Schedule, WelfareStage,
        };
        let session =
            |name: &str, role: Role| crate::OfficerSession { username: name.to_owned(), role, csrf: String::new() };
        let triage = session("demo.triage", Role::TriageOfficer);
        let sup = session("demo.supervisor", Role::Supervisor);
        let inv = session("demo.investigator", Role::Investigator);
        let disc = session("demo.disclosure", Role::DisclosureOfficer);
        let cps = session("demo.prosecutor", Role::Prosecutor);
        for (name, role) in [("demo.disclosure", Role::DisclosureOfficer), ("demo.prosecutor", Role::Prosecutor)] {
            if self.store.read()?.user(name)?.is_none() {
                self.add_user(name, role, DEMO_PASSWORD, &Actor::parse("demo-admin")?)?;
            }
        }
        let case = CaseId::parse(DEMO_FULL_CASE)?;
        let report = ExhibitRef::parse("PR/1")?;
        self.store.read()?.report(&report)?.ok_or_else(|| CoreError::NoSuchExhibit(report.to_string()))?;
        if self.store.read()?.report(&report)?.and_then(|r| r.grade).is_none() {
            self.grade_report(
                &report,
                &Grade::parse("2/B/C: the reporter's identity is not to be disclosed")?,
                "untested reporter; the chat export they sent corroborates the account (SYNTHETIC DEMO)",
                &triage,
            )?;
        }
        self.report_to_case(&report, &case, Some("Operation Lantern (SYNTHETIC DEMO)"), &triage)?;
        for who in ["demo.investigator", "demo.disclosure", "demo.triage", "demo.prosecutor"] {
            self.assign_to_case(&case, who, &sup)?;
        }
        let src = root.join("demo-source");
        std::fs::create_dir_all(&src).map_err(|e| CoreError::file(&src, e))?;
        let by = Initials::parse("DI")?;
        let add = |v: &Vigil, name: &str, body: &str, note: &str| -> Result<ExhibitRef, CoreError> {
            let p = src.join(name);
            std::fs::write(&p, body).map_err(|e| CoreError::file(&p, e))?;
            Ok(v.add_exhibit(&p, &case, &by, Some(note))?.reference)
        };
        let chat = add(
            self,
            "demo1-chat-export.txt",
            "SYNTHETIC DEMO chat export (fictional)\n[18:02] demo_user_a: what school do you go to?\n\
             [18:03] child_account: not saying\n[18:05] demo_user_a: add me on another app, ask demo_user_c too\n",
            "chat export provided by the reporter's parent (SYNTHETIC DEMO)",
        )?;
        let alibi = add(
            self,
            "demo1-shared-device.txt",
            "SYNTHETIC DEMO note: the household says the tablet logged in as demo_user_a is shared by three adults.",
            "household statement about a shared device (SYNTHETIC DEMO)",
        )?;
        let id = crate::normalise_identifier("demo_user_a", "ExampleChat (fictional)")
            .unwrap_or_else(|| "username:examplechat/demo_user_a".into());
        let r = |v: &Vigil, rec: CaseRecord, who: &crate::OfficerSession| v.add_case_record(&case, &rec, who);
        r(
            self,
            CaseRecord::Identity {
                urn: "99XX0000126".into(),
                crime_reference: "XX/12345/26 (SYNTHETIC)".into(),
                offences: vec!["Sexual communication with a child (Sexual Offences Act 2003 s.15A)".into()],
                defendants: vec!["Synthetic Person A (fictional)".into()],
                officer_in_case: "DC Demo Investigator 1234 (fictional)".into(),
                disclosure_officer: "DS Demo Disclosure 5678 (fictional)".into(),
            },
            &disc,
        )?;
        let decision = r(self, CaseRecord::Decision {
            decision: "Investigate as online grooming; no overt contact with the account holder until attribution is corroborated".into(),
            reason: "Single report, graded 2/B/C; the identifier alone does not identify a person".into(),
            alternatives: vec!["Immediate arrest (rejected: attribution untested)".into(), "No further action (rejected: risk to the child)".into()],
        }, &sup)?;
        let task = r(
            self,
            CaseRecord::Task {
                title: "Request subscriber data for demo_user_a from ExampleChat".into(),
                owner: "demo.investigator".into(),
                due: "2026-12-03".into(),
                about: None,
            },
            &sup,
        )?;
        let person = r(
            self,
            CaseRecord::Person {
                name: "Synthetic Person A (fictional)".into(),
                role: PersonRole::Suspect,
                works_with_children: None,
            },
            &inv,
        )?;
        let child = r(
            self,
            CaseRecord::Person {
                name: "Synthetic Child (fictional)".into(),
                role: PersonRole::Victim,
                works_with_children: None,
            },
            &inv,
        )?;
        let attribution = r(
            self,
            CaseRecord::Attribution {
                person,
                identifier: id.clone(),
                supporting: vec![format!("exhibit:{report}"), format!("exhibit:{chat}")],
                grade: "2/B/P".into(),
                reason: "subscriber data (synthetic) matches the account e-mail".into(),
                evidence: Some(
                    "subscriber data produced by a statement of ExampleChat's data officer (synthetic): it names the \
                     account holder, not who typed"
                        .into(),
                ),
            },
            &inv,
        )?;
        let flag = r(
            self,
            CaseRecord::Flag {
                person,
                flag: PersonFlag::PossibleWrongPerson,
                reason: "the device is shared by three adults (exhibit DI/2)".into(),
            },
            &inv,
        )?;
        let request = r(
            self,
            CaseRecord::ActionRequest {
                person,
                action: ActionKind::Search,
                justification: "seize the shared tablet to establish who used the account".into(),
            },
            &inv,
        )?;
        let welfare_before = r(
            self,
            CaseRecord::WelfareCheck {
                person,
                self_harm_risk: RiskLevel::Medium,
                mitigations: "custody welfare plan; referral to a support service on release".into(),
                children_in_household: "none known (synthetic)".into(),
                vulnerable_adults_in_household: "one older relative (synthetic)".into(),
                referrals_made: vec!["adult social care notified (synthetic)".into()],
                stage: Some(WelfareStage::BeforeAction),
                handover: None,
            },
            &inv,
        )?;
        // The search's legal authority: a warrant (valid three months).
        let expires = self.now().unix_millis() + 90 * 86_400_000;
        let authority = r(
            self,
            CaseRecord::Authority {
                request,
                kind: AuthorityKind::Poca1978S4Warrant,
                reference: "WARRANT-SYN-0001 (SYNTHETIC)".into(),
                granted_by: "District Judge (fictional), Example Magistrates' Court".into(),
                granted_at: self.now().london(),
                expires: Some(vigil_domain::Timestamp::from_unix_millis(expires).to_string()[..10].to_owned()),
            },
            &inv,
        )?;
        let approval = r(
            self,
            CaseRecord::ActionDecision {
                request,
                approved: true,
                reason: "proportionate; welfare plan on file; search of the device, not an arrest".into(),
                wrong_person: Some(
                    "the search seizes the shared tablet to find out who used the account; no one is arrested on \
                     the attribution"
                        .into(),
                ),
            },
            &sup,
        )?;
        // The search found the person with the child: arrested at once to
        // protect the child, justified in writing, welfare reassessed after.
        let arrest = r(
            self,
            CaseRecord::UrgentAction {
                person,
                action: ActionKind::Arrest,
                power: "PACE 1984 s.24 (arrest without warrant)".into(),
                justification: "the child was present at the address and further contact was threatened; \
                                arrest necessary to protect the child (s.24(5)(e)) (SYNTHETIC DEMO)"
                    .into(),
                wrong_person: Some(
                    "arrested for what the officers found at the address, not on the attribution; who used the \
                     tablet stays a line of inquiry"
                        .into(),
                ),
            },
            &inv,
        )?;
        let welfare_arrest = r(
            self,
            CaseRecord::WelfareCheck {
                person,
                self_harm_risk: RiskLevel::High,
                mitigations: "constant observation in custody; mental health nurse consulted (synthetic)".into(),
                children_in_household: "none (synthetic)".into(),
                vulnerable_adults_in_household: "one older relative; family liaison informed (synthetic)".into(),
                referrals_made: vec!["liaison and diversion service (synthetic)".into()],
                stage: Some(WelfareStage::Arrest),
                handover: Some("handed to the custody officer with the welfare plan (synthetic)".into()),
            },
            &inv,
        )?;
        let referral = r(
            self,
            CaseRecord::Safeguarding {
                child,
                action: "referral to children's social care through the MASH; school safeguarding lead informed".into(),
                outcome: "child and parent given advice; no further contact seen".into(),
                step: Some(vigil_domain::SafeguardingStep::ReferralToChildrensSocialCare),
                reference: Some("MASH-SYN-0042 (synthetic)".into()),
                designated_officer: None,
                local_authority_notified: None,
            },
            &inv,
        )?;
        // A line of inquiry pointing away from the suspect, and the
        // disclosure management document the prosecutor owns.
        let inquiry = r(
            self,
            CaseRecord::LineOfInquiry {
                inquiry: "Who else in the household used the tablet logged in as demo_user_a".into(),
                direction: "away from the suspect".into(),
                outcome: "three adults share it; each account's use not yet attributed (synthetic)".into(),
            },
            &inv,
        )?;
        r(
            self,
            CaseRecord::DisclosureManagement {
                approach: "Digital material: the shared tablet and the child's phone. The phone's WhatsApp export \
                           (DI/3) read in full; the tablet's extraction searched for demo_user_a and the child's \
                           account only, for 27 October to 1 November 2024 (SYNTHETIC DEMO)"
                    .into(),
            },
            &disc,
        )?;
        let note = r(
            self,
            CaseRecord::Note {
                text: "SYNTHETIC DEMO: parent asked that the family name not appear in any public document.".into(),
            },
            &inv,
        )?;
        let seizure = r(
            self,
            CaseRecord::Seizure {
                exhibit: format!("exhibit:{chat}"),
                place: "handed over by the reporter's parent, Example Police Station (synthetic)".into(),
                seized_at: self.now().london(),
                seized_by: "DC Demo Investigator 1234 (fictional)".into(),
                seal: "SEAL-SYN-000123".into(),
                property: "PROP-SYN-4567".into(),
            },
            &inv,
        )?;
        // The same conversation as the child's phone exported it: the export
        // as received and its timeline, with a deleted and an edited message,
        // times that differ from the used chat DI/1 (27 October 2024,
        // 01:00–02:00 in London happened twice), and "I told my mum". Ten
        // messages are too few to call the three days' silence a gap.
        let whatsapp = "27/10/2024, 00:58 - Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them.\n\
27/10/2024, 00:59 - demo_user_a: hi, SYNTHETIC DEMO message\n\
27/10/2024, 01:02 - child_account: who is this\n\
27/10/2024, 01:05 - demo_user_a: a friend of a friend\n\
27/10/2024, 01:07 - demo_user_a: This message was deleted\n\
27/10/2024, 01:10 - child_account: ok\n\
27/10/2024, 01:30 - demo_user_a: what school do you go to? <This message was edited>\n\
27/10/2024, 01:31 - child_account: not saying\n\
27/10/2024, 01:40 - demo_user_a: add me on another app\n\
and ask demo_user_c too\n\
30/10/2024, 18:05 - child_account: I told my mum\n\
30/10/2024, 18:06 - child_account: her number is 07700 900123\n";
        let settings = crate::ChatSettings { format: None, timezone: Some("Europe/London".into()), date_order: None };
        let imported =
            self.import_chat_bytes(whatsapp.as_bytes(), "WhatsApp Chat with demo_user_a.txt", &case, &by, &settings)?;
        let (export, timeline) = (imported.exhibit.clone(), imported.timeline.clone());
        // The parent's number (a fictional Ofcom drama number) is a third
        // party's personal data: redacted copies are how the export and its
        // timeline are disclosed; the originals are what is scheduled.
        let parent_number = ["07700 900123".to_owned()];
        let redact = |original: &ExhibitRef| {
            self.redact_exhibit(
                &case,
                original,
                &parent_number,
                "the child's parent's phone number (third-party personal data)",
                &Initials::parse("DD")?,
                &disc,
            )
        };
        let export_redacted = redact(&export)?;
        let timeline_redacted = redact(&timeline)?;
        // The chat export DI/1 is used material: the prosecution's exhibit,
        // produced by the investigator.
        r(
            self,
            CaseRecord::ExhibitUsed {
                exhibit: format!("exhibit:{chat}"),
                witness: "DC Demo Investigator 1234 (fictional)".into(),
                description: "Chat export between demo_user_a and the child's account".into(),
            },
            &disc,
        )?;
        // Every other item of the case goes on a schedule: the ledger has
        // nothing unaccounted for before anything is revealed.
        use vigil_domain::MaterialCategory as M;
        struct Line<'a> {
            item: String,
            schedule: Schedule,
            category: M,
            description: &'a str,
            sensitivity: Option<&'a str>,
            proposed: ProsecutorView,
            reason: &'a str,
            rebuttal: Option<&'a str>,
        }
        let line = |item: String, schedule, category, description, sensitivity, proposed, reason, rebuttal| Line {
            item,
            schedule,
            category,
            description,
            sensitivity,
            proposed,
            reason,
            rebuttal,
        };
        let (d, cnd) = (ProsecutorView::Disclose, ProsecutorView::ClearlyNotDisclosable);
        let (c, s) = (Schedule::Mg6c, Schedule::Mg6d);
        let rec = |n: u64| format!("record:{n}");
        let ex = |e: &ExhibitRef| format!("exhibit:{e}");
        let lines = vec![
            line(ex(&alibi), c, M::PreviousAccount, "Household statement: the tablet is shared", None, d, "bears on who used the account", None),
            line(ex(&export), c, M::DigitalMaterial, "The conversation as exported from the child's phone (WhatsApp)", None, d,
                 "times differ from DI/1; a deleted and an edited message; \"I told my mum\"", None),
            line(ex(&timeline), c, M::DigitalMaterial, "Timeline read from the phone's export", None, d, "the readable form of the phone's export", None),
            line(ex(&report), s, M::IncidentRecord, "The public report that started the case", Some("handling code C: would identify the reporter"), cnd,
                 "the report would identify the reporter",
                 Some("the account it gives is the one in the used chat export DI/1; only the reporter's identity is withheld, and nothing in the report differs from DI/1")),
            line(rec(decision), c, M::InvestigationLog, "Policy file: investigate before any overt contact", None, d,
                 "records that attribution was untested when the investigation began", None),
            line(rec(task), c, M::InvestigationLog, "Task: subscriber data requested from ExampleChat", None, d, "the source of the attribution", None),
            line(rec(person), c, M::Other, "Person record: the suspect", None, cnd, "a name only; nothing in it bears on the issues", None),
            line(rec(child), s, M::Other, "Person record: the child", Some("identifies the child victim"), cnd, "identifies the child; nothing in it bears on the issues", None),
            line(rec(attribution), s, M::Intelligence, "Attribution of the account, graded 2/B/P", Some("intelligence grading and its source"), cnd,
                 "the subscriber data it rests on is served as evidence", None),
            line(rec(flag), c, M::ReliabilityDoubt, "Flag: possibly the wrong person (the tablet is shared)", None, d, "casts doubt on the identification", None),
            line(rec(request), c, M::InvestigationLog, "Request to search for and seize the shared tablet", None, d, "why the tablet was seized", None),
            line(rec(welfare_before), s, M::Welfare, "Welfare check on the suspect before the search", Some("the suspect's health and family circumstances"), cnd,
                 "welfare information only; no bearing on the issues", None),
            line(rec(authority), s, M::Authority, "Warrant WARRANT-SYN-0001 (Protection of Children Act 1978 s.4)", Some("the warrant application's grounds"), cnd,
                 "the search's lawfulness is not in issue", None),
            line(rec(approval), c, M::InvestigationLog, "Supervisor's approval of the search", None, d, "records the welfare plan and proportionality", None),
            line(rec(arrest), c, M::InvestigationLog, "Urgent arrest: the justification in writing", None, d, "the grounds for the arrest", None),
            line(rec(welfare_arrest), s, M::Welfare, "Welfare check on the suspect at arrest", Some("the suspect's health in custody"), cnd,
                 "welfare information only; no bearing on the issues", None),
            line(rec(referral), s, M::ThirdParty, "Referral to children's social care (MASH)", Some("local authority material about the child"), cnd,
                 "the child's welfare only; no bearing on the issues", None),
            line(rec(seizure), c, M::Continuity, "Seizure and continuity of DI/1", None, cnd, "continuity of the used exhibit, served with the MG12", None),
            line(rec(inquiry), c, M::InvestigationLog, "Line of inquiry: who else used the tablet", None, d,
                 "points away from the suspect", None),
            line(rec(note), c, M::ContactRecord, "Officer note of a family request", None, cnd, "no bearing on the issues: a family request",
                 Some("it records only the family's wish about publicity; it says nothing of the allegation, the suspect or the account")),
        ];
        let mut scheduled = std::collections::HashMap::new();
        for l in &lines {
            let id = r(
                self,
                CaseRecord::Scheduled {
                    item: l.item.clone(),
                    schedule: l.schedule,
                    description: l.description.into(),
                    location: if l.item.starts_with("record:") {
                        "Case DEMO-1 record".into()
                    } else {
                        "Vigil vault".into()
                    },
                    sensitivity: l.sensitivity.map(str::to_owned),
                    proposed: l.proposed,
                    reason: l.reason.into(),
                    amends: None,
                    category: Some(l.category),
                    rebuttal: l.rebuttal.map(str::to_owned),
                },
                &disc,
            )?;
            scheduled.insert(l.item.clone(), id);
        }
        for (item, reason) in [
            (ex(&alibi), "others used the device: might assist the defence on who wrote the messages"),
            (ex(&export), "the phone's export differs from DI/1 in its times, and shows a deleted and an edited message and that the child told a parent"),
            (rec(flag), "the suspect may be the wrong person: the device is shared"),
        ] {
            r(self, CaseRecord::DisclosureTest { item, reason: reason.into() }, &disc)?;
        }
        // The prosecutor decides every line of a version, the redacted
        // copies agreed as the form the export and its timeline are
        // disclosed in; a CND on presumed material carries its rebuttal.
        let decide_all = |note: &str, again: bool| -> Result<(), CoreError> {
            let revealed = self.schedules(&case, &cps)?;
            for l in revealed.mg6c.iter().chain(&revealed.mg6d) {
                if l.decision.is_some() && !again {
                    continue;
                }
                let disclosed_as = if l.item == ex(&export) {
                    Some(ex(&export_redacted))
                } else if l.item == ex(&timeline) {
                    Some(ex(&timeline_redacted))
                } else {
                    None
                };
                let rebuttal = lines
                    .iter()
                    .find(|x| x.item == l.item)
                    .and_then(|x| x.rebuttal)
                    .filter(|_| l.proposed == ProsecutorView::ClearlyNotDisclosable)
                    .map(|x| format!("agreed: {x}"));
                r(
                    self,
                    CaseRecord::ProsecutorDecision {
                        item: l.item.clone(),
                        decision: l.proposed,
                        reason: format!("{note}: {}", l.reason),
                        rebuttal,
                        disclosed_as,
                        sensitive_route: None,
                    },
                    &cps,
                )?;
            }
            Ok(())
        };
        // The MG6B: the police witness has nothing to declare.
        r(
            self,
            CaseRecord::WitnessMisconduct {
                officer: "DC Demo Investigator 1234 (fictional)".into(),
                findings: false,
                details: None,
            },
            &disc,
        )?;
        // Version 1 revealed to the prosecutor, who decides each item.
        self.reveal_schedules(&case, "demo.prosecutor", "first schedules (SYNTHETIC DEMO)", &disc)?;
        decide_all("agreed", false)?;
        // The family's note turns out to name the child's family: amended
        // onto the MG6D, revealed as version 2, decided again.
        let family_note = rec(note);
        r(
            self,
            CaseRecord::Scheduled {
                item: family_note.clone(),
                schedule: Schedule::Mg6d,
                description: "Officer note of a family request".into(),
                location: "Case DEMO-1 record".into(),
                sensitivity: Some("names the child's family".into()),
                proposed: ProsecutorView::ClearlyNotDisclosable,
                reason: "moved to MG6D: the note names the child's family".into(),
                amends: Some(scheduled[&family_note]),
                category: Some(M::ContactRecord),
                rebuttal: Some(
                    "it records only the family's wish about publicity; it says nothing of the allegation, the \
                     suspect or the account"
                        .into(),
                ),
            },
            &disc,
        )?;
        self.reveal_schedules(
            &case,
            "demo.prosecutor",
            "amended: the family note moved to MG6D (names the child's family)",
            &disc,
        )?;
        decide_all("on version 2", false)?;
        self.serve_schedules(
            &case,
            "Letter under CPIA s.3: the enclosed schedule lists the unused material; items marked D are \
             disclosed with this letter (SYNTHETIC DEMO)",
            &cps,
        )?;
        // The defence statement puts every item back for review: the
        // disclosure officer reviews, reveals again, the prosecutor decides
        // each item afresh and serves, answering under s.7A.
        let statement = r(
            self,
            CaseRecord::DefenceStatement {
                received: self.now().london(),
                issues: "the defendant did not write the messages: the tablet is shared (SYNTHETIC DEMO)".into(),
            },
            &cps,
        )?;
        r(
            self,
            CaseRecord::DisclosureReview {
                statement: Some(statement),
                result: "every item reviewed against the shared-device defence; the household statement, the \
                         wrong-person flag and the phone's export already disclosed; nothing else now meets the test"
                    .into(),
            },
            &disc,
        )?;
        self.reveal_schedules(&case, "demo.prosecutor", "reviewed after the defence statement", &disc)?;
        decide_all("reviewed after the defence statement", true)?;
        self.serve_schedules(
            &case,
            "Response under CPIA s.7A to the defence statement: the schedules were reviewed against it; no further \
             material meets the test (SYNTHETIC DEMO)",
            &cps,
        )?;
        self.seed_review(&case, &src, &sup)?;
        Ok(vec![
            chat.to_string(),
            alibi.to_string(),
            export.to_string(),
            timeline.to_string(),
            export_redacted.to_string(),
            timeline_redacted.to_string(),
        ])
    }

    /// DEMO-1's review set: benign generated pictures (waves and shapes,
    /// see `vigil_pdq::synthetic`) with copies, rotations and re-encodes,
    /// for demo.examiner, who is assigned; demo.analyst is not.
    fn seed_review(&self, case: &CaseId, src: &Path, sup: &crate::OfficerSession) -> Result<(), CoreError> {
        for (name, role) in [
            ("demo.examiner", vigil_domain::Role::ForensicExaminer),
            ("demo.analyst", vigil_domain::Role::ForensicExaminer),
        ] {
            if self.store.read()?.user(name)?.is_none() {
                self.add_user(name, role, DEMO_PASSWORD, &Actor::parse("demo-admin")?)?;
            }
        }
        self.assign_to_case(case, "demo.examiner", sup)?;
        let media = src.join("seized-media");
        vigil_pdq::synthetic::review_tree(&media, 6, 3).map_err(|e| CoreError::file(&media, e))?;
        let opts = vigil_scan::ScanOptions {
            algos: vigil_scan::AlgoSet::ALL,
            jobs: 2,
            archives: true,
            checkpoint: None,
            resume: false,
            progress: false,
            pdq: true,
            read_mode: vigil_scan::ReadMode::Read,
            kernel: vigil_scan::multi_buffer::Kernel::detect(),
        };
        let out = vigil_scan::scan(std::slice::from_ref(&media), &opts, &[], &[])
            .map_err(|e| CoreError::Failed(format!("demo scan: {e}")))?;
        self.build_review_set(&crate::ReviewBuild {
            case,
            by: &Initials::parse("FE")?,
            scan: "demo-seized-media",
            records: &out.records,
            matches: &out.matches,
            radius: vigil_pdq::STACK_RADIUS,
            previews: true,
        })?;
        Ok(())
    }
}
