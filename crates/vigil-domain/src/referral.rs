//! A referral from a partner organisation (a platform or a charity), shaped
//! after an NCMEC CyberTipline report: the incident, the reported users with
//! their identifiers, and the files the partner holds, declared by their
//! hashes and uploaded separately. Validation names the field at fault by
//! its JSON path, so a partner's developer can fix the request.

use crate::public_report::{PublicReport, ReportKind};
use crate::{Md5Digest, Sha1Digest, Sha256Digest};
use serde::{Deserialize, Serialize};

/// Most reported users in one referral.
pub const MAX_USERS: usize = 20;
/// Most identifiers per reported user.
pub const MAX_IDENTIFIERS: usize = 20;
/// Most files declared in one referral.
pub const MAX_FILES: usize = 20;
/// Largest file a partner may upload.
pub const MAX_FILE_BYTES: u64 = 256 << 20;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Referral {
    pub incident: Incident,
    /// The accounts the partner reports. Identifiers relate reports; they never name a person.
    pub reported_users: Vec<ReportedUser>,
    /// Files the partner will upload, declared by size and hashes.
    #[serde(default)]
    pub files: Vec<DeclaredFile>,
    /// The partner's own reference for this referral, echoed back.
    #[serde(default)]
    pub partner_reference: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Incident {
    pub kind: ReportKind,
    /// What happened, in the partner's words.
    pub summary: String,
    /// Platform or service where it happened.
    pub platform: String,
    /// When it happened (free text or ISO 8601).
    #[serde(default)]
    pub occurred: Option<String>,
    pub immediate_danger: bool,
    pub meeting_planned: bool,
    pub images_exchanged: bool,
    /// What is known of the child (age, location), if anything.
    #[serde(default)]
    pub child: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReportedUser {
    #[serde(default)]
    pub display_name: Option<String>,
    pub identifiers: Vec<ReportedIdentifier>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ReportedIdentifierKind {
    Username,
    Email,
    Phone,
    Url,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReportedIdentifier {
    pub kind: ReportedIdentifierKind,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DeclaredFile {
    pub name: String,
    /// Size in bytes.
    pub size: u64,
    pub content_type: String,
    /// Lower- or upper-case hex; compared as bytes.
    pub sha256: String,
    #[serde(default)]
    pub md5: Option<String>,
    #[serde(default)]
    pub sha1: Option<String>,
}

/// A field of a referral that failed validation, by its JSON path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {why}")]
pub struct ReferralError {
    pub field: String,
    pub why: String,
}

fn err(field: impl Into<String>, why: impl Into<String>) -> ReferralError {
    ReferralError { field: field.into(), why: why.into() }
}

fn text(field: &str, v: &str, max: usize, required: bool) -> Result<(), ReferralError> {
    if required && v.trim().is_empty() {
        return Err(err(field, "is required"));
    }
    if v.chars().count() > max {
        return Err(err(field, format!("is longer than {max} characters")));
    }
    if v.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        return Err(err(field, "contains control characters"));
    }
    Ok(())
}

impl DeclaredFile {
    pub fn sha256_digest(&self) -> Result<Sha256Digest, ReferralError> {
        Sha256Digest::from_hex(&self.sha256).map_err(|_| err("sha256", "is not 64 hex digits"))
    }
}

impl Referral {
    pub fn validate(&self) -> Result<(), ReferralError> {
        let i = &self.incident;
        text("incident.summary", &i.summary, 10_000, true)?;
        text("incident.platform", &i.platform, 100, true)?;
        text("incident.occurred", i.occurred.as_deref().unwrap_or(""), 200, false)?;
        text("incident.child", i.child.as_deref().unwrap_or(""), 1000, false)?;
        text("partner_reference", self.partner_reference.as_deref().unwrap_or(""), 100, false)?;
        if self.reported_users.len() > MAX_USERS {
            return Err(err("reported_users", format!("more than {MAX_USERS} users")));
        }
        for (u, user) in self.reported_users.iter().enumerate() {
            text(&format!("reported_users[{u}].display_name"), user.display_name.as_deref().unwrap_or(""), 200, false)?;
            if user.identifiers.is_empty() {
                return Err(err(format!("reported_users[{u}].identifiers"), "needs at least one identifier"));
            }
            if user.identifiers.len() > MAX_IDENTIFIERS {
                return Err(err(format!("reported_users[{u}].identifiers"), format!("more than {MAX_IDENTIFIERS}")));
            }
            for (k, id) in user.identifiers.iter().enumerate() {
                text(&format!("reported_users[{u}].identifiers[{k}].value"), &id.value, 200, true)?;
            }
        }
        if self.files.len() > MAX_FILES {
            return Err(err("files", format!("more than {MAX_FILES} files")));
        }
        for (n, f) in self.files.iter().enumerate() {
            let at = |x: &str| format!("files[{n}].{x}");
            text(&at("name"), &f.name, 255, true)?;
            if f.name.contains('/') || f.name.contains('\\') {
                return Err(err(at("name"), "must be a file name, not a path"));
            }
            text(&at("content_type"), &f.content_type, 100, true)?;
            if f.size > MAX_FILE_BYTES {
                return Err(err(at("size"), format!("is over the limit of {MAX_FILE_BYTES} bytes")));
            }
            Sha256Digest::from_hex(&f.sha256).map_err(|_| err(at("sha256"), "is not 64 hex digits"))?;
            if let Some(m) = &f.md5 {
                Md5Digest::from_hex(m).map_err(|_| err(at("md5"), "is not 32 hex digits"))?;
            }
            if let Some(s) = &f.sha1 {
                Sha1Digest::from_hex(s).map_err(|_| err(at("sha1"), "is not 40 hex digits"))?;
            }
        }
        Ok(())
    }

    /// The referral as a report for triage: the same risk factors and the
    /// same identifier linking as a public report.
    pub fn as_report(&self) -> PublicReport {
        let i = &self.incident;
        let identifiers = self
            .reported_users
            .iter()
            .flat_map(|u| u.identifiers.iter())
            .map(|id| match id.kind {
                // A bare username would otherwise be read as whatever it looks like.
                ReportedIdentifierKind::Username => id.value.trim_start_matches('@').to_owned(),
                _ => id.value.clone(),
            })
            .collect();
        PublicReport {
            kind: i.kind,
            immediate_danger: i.immediate_danger,
            meeting_planned: i.meeting_planned,
            images_exchanged: i.images_exchanged,
            platform: i.platform.clone(),
            identifiers,
            child: i.child.clone().unwrap_or_default(),
            dates: i.occurred.clone().unwrap_or_default(),
            account: i.summary.clone(),
            contact: None,
            about: Default::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Referral {
        serde_json::from_str(
            r#"{"incident":{"kind":"grooming","summary":"Adult account messaging a 12-year-old",
                "platform":"ExampleChat","immediate_danger":false,"meeting_planned":true,"images_exchanged":false},
              "reported_users":[{"identifiers":[{"kind":"username","value":"@synthetic_user"},
                                                 {"kind":"email","value":"Synthetic.User@example.org"}]}],
              "files":[{"name":"chat.txt","size":12,"content_type":"text/plain",
                        "sha256":"AB00000000000000000000000000000000000000000000000000000000000000"}]}"#,
        )
        .unwrap()
    }

    #[test]
    fn a_good_referral_validates_and_becomes_a_report() {
        let r = sample();
        r.validate().unwrap();
        let p = r.as_report();
        assert!(p.meeting_planned);
        assert_eq!(p.identifiers, vec!["synthetic_user", "Synthetic.User@example.org"]);
        p.validate().unwrap();
    }

    #[test]
    fn errors_name_the_json_path() {
        let mut r = sample();
        r.files[0].sha256 = "zz".into();
        assert_eq!(r.validate().unwrap_err().field, "files[0].sha256");
        let mut r = sample();
        r.reported_users[0].identifiers[1].value = " ".into();
        assert_eq!(r.validate().unwrap_err().field, "reported_users[0].identifiers[1].value");
        let mut r = sample();
        r.files[0].name = "../etc/passwd".into();
        assert_eq!(r.validate().unwrap_err().field, "files[0].name");
        let mut r = sample();
        r.incident.summary.clear();
        assert_eq!(r.validate().unwrap_err().field, "incident.summary");
    }

    #[test]
    fn unknown_fields_are_refused() {
        let e = serde_json::from_str::<Referral>(r#"{"incident":{},"reported_users":[],"extra":1}"#).unwrap_err();
        assert!(e.to_string().contains("unknown field") || e.to_string().contains("missing field"), "{e}");
    }
}
