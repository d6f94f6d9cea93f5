//! A clearly synthetic demo case, so a new user can see continuity,
//! verification and export without real material. No images, no real people.

use crate::data_dir::{Layout, Vigil};
use crate::error::CoreError;
use serde::Serialize;
use std::path::{Path, PathBuf};
use vigil_domain::{Actor, CaseId, Initials};

pub const DEMO_CASE: &str = "DEMO-0001";

#[derive(Debug, Clone, Serialize)]
pub struct DemoReport {
    pub data_dir: PathBuf,
    pub initialised: bool,
    pub seeded: Vec<String>,
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

impl Vigil {
    /// Initialises `root` if needed and seeds the demo case once.
    pub fn demo(root: &Path) -> Result<DemoReport, CoreError> {
        let layout = Layout::new(root);
        let initialised = !layout.config().exists();
        if initialised {
            Vigil::init(root, None)?;
        }
        let mut v = Vigil::open(root)?;
        let case = CaseId::parse(DEMO_CASE)?;
        let mut seeded = Vec::new();
        if !v.store.exhibits()?.iter().any(|e| e.case_id == case) {
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
        if v.store.user("demo.triage")?.is_none() {
            let admin = Actor::parse("demo-admin")?;
            for (name, role) in [
                ("demo.triage", vigil_domain::Role::TriageOfficer),
                ("demo.supervisor", vigil_domain::Role::Supervisor),
                ("demo.investigator", vigil_domain::Role::Investigator),
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
                })?;
            }
        }
        let report = v.verify()?;
        Ok(DemoReport {
            data_dir: root.to_owned(),
            initialised,
            seeded,
            exhibits: report.exhibits,
            events: report.events,
            verified: report.ok(),
            public_key_file: layout.public_key(),
            officers,
        })
    }
}
