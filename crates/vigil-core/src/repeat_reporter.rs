//! Repeat reporters. A member of the public who keeps reporting (an
//! activist group's administrator or decoy, say) and whom the police keep
//! acting on may in law be tasked, and a tasked source is a covert human
//! intelligence source (RIPA 2000 s.26(8)) with duties the force owes
//! them. So a supervisor is alerted when one person's reports reach a
//! configurable count.
//!
//! "One person" is found from the contact details they left: each e-mail
//! address and telephone number, normalised, is kept only as a keyed hash
//! (a key derived from the log's signing key, so the pseudonym cannot be
//! recomputed from a guessed number without the key). The contact itself
//! stays sealed in the report.

use crate::{CoreError, OfficerSession, Vigil};
use vigil_domain::{ExhibitRef, Role};

/// The count at which a supervisor is alerted, unless configured otherwise.
pub const DEFAULT_CHIS_ALERT_REPORTS: u32 = 3;

/// E-mail addresses and telephone numbers in free text, normalised: an
/// address lowercased, a number as its digits with +44 or 0044 read as 0.
pub fn contact_points(contact: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for word in contact.split(|c: char| c.is_whitespace() || c == ',' || c == ';' || c == '<' || c == '>') {
        let w = word.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase();
        if w.contains('@') && w.split('@').count() == 2 && w.split('@').all(|p| !p.is_empty()) {
            out.push(format!("email:{w}"));
        }
    }
    // Digits with the separators people write between them.
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut Vec<String>| {
        let d = if let Some(rest) = digits.strip_prefix("0044") {
            format!("0{rest}")
        } else if let Some(rest) = digits.strip_prefix("44").filter(|r| r.len() == 10) {
            format!("0{rest}")
        } else {
            digits.clone()
        };
        if d.len() >= 9 {
            out.push(format!("phone:{d}"));
        }
        digits.clear();
    };
    for c in contact.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else if matches!(c, ' ' | '-' | '(' | ')' | '.') {
            // Separators people write inside a number; a whole UK number
            // (11 digits from 0, 12 from 44, 14 from 0044) ends at one, so
            // two numbers side by side stay two.
            let whole = if digits.starts_with("0044") {
                14
            } else if digits.starts_with("44") {
                12
            } else {
                11
            };
            if digits.len() >= whole {
                flush(&mut digits, &mut out);
            }
        } else if !(c == '+' && digits.is_empty()) {
            flush(&mut digits, &mut out);
        }
    }
    flush(&mut digits, &mut out);
    out.sort();
    out.dedup();
    out
}

/// One person's reports, as the alert shows them.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RepeatReporter {
    /// A short, stable label for the person (the start of their pseudonym).
    pub label: String,
    /// Their reports, oldest first.
    pub reports: Vec<ExhibitRef>,
    /// Whether the count has reached the alert level.
    pub alert: bool,
}

impl Vigil {
    /// The keyed pseudonyms of a report's contact details.
    pub(crate) fn reporter_keys(&self, contact: Option<&str>) -> Vec<String> {
        let Some(c) = contact else { return Vec::new() };
        let key = blake3::derive_key("vigil 2026-12 repeat reporter pseudonym", &self.signing.to_bytes());
        contact_points(c).iter().map(|p| blake3::keyed_hash(&key, p.as_bytes()).to_hex().to_string()).collect()
    }

    /// Everyone who left this report's contact details, with all their
    /// reports, for the triage officer reading it and supervisors. None
    /// when the reporter left no details.
    pub fn reporter_of(
        &self,
        exhibit: &ExhibitRef,
        officer: &OfficerSession,
        alert_at: u32,
    ) -> Result<Option<RepeatReporter>, CoreError> {
        if !officer.role.works_triage() {
            return Err(CoreError::Forbidden(format!("the {} role does not read reports", officer.role)));
        }
        let mut store = self.store.read()?;
        let keys = store.reporters_of(exhibit)?;
        let Some(first) = keys.first() else { return Ok(None) };
        let reports = store.reports_by_reporters(&keys)?;
        Ok(Some(RepeatReporter {
            label: first[..8].to_owned(),
            alert: reports.len() as u64 >= u64::from(alert_at.max(1)),
            reports,
        }))
    }

    /// Supervisors: everyone whose reports have reached `alert_at`.
    pub fn repeat_reporters(&self, officer: &OfficerSession, alert_at: u32) -> Result<Vec<RepeatReporter>, CoreError> {
        if officer.role != Role::Supervisor {
            return Err(CoreError::Forbidden("only supervisors review repeat reporters".into()));
        }
        let found = self.store.read()?.repeat_reporters(u64::from(alert_at.max(1)))?;
        // One person may have left both an address and a number: merge
        // entries whose reports overlap, so they are counted once.
        let mut out: Vec<RepeatReporter> = Vec::new();
        for (key, reports) in found {
            match out.iter_mut().find(|r| r.reports.iter().any(|e| reports.contains(e))) {
                Some(r) => {
                    for e in reports {
                        if !r.reports.contains(&e) {
                            r.reports.push(e);
                        }
                    }
                }
                None => out.push(RepeatReporter { label: key[..8].to_owned(), reports, alert: true }),
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::contact_points;

    #[test]
    fn addresses_and_numbers_are_found_however_written() {
        assert_eq!(
            contact_points("Synthetic Admin, 07700 900123, Admin@Example.org"),
            vec!["email:admin@example.org", "phone:07700900123"]
        );
        assert_eq!(contact_points("+44 7700 900123"), vec!["phone:07700900123"]);
        assert_eq!(contact_points("0044 7700 900 123"), vec!["phone:07700900123"]);
        assert_eq!(contact_points("tel (07700) 900-123"), vec!["phone:07700900123"]);
        assert_eq!(contact_points("call me after 6"), Vec::<String>::new());
        assert_eq!(
            contact_points("07700 900123 01632 960001"),
            vec!["phone:01632960001", "phone:07700900123"],
            "two numbers side by side stay two"
        );
    }
}
