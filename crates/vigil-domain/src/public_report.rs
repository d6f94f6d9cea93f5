//! A concern reported by a member of the public, shaped after the CEOP and
//! CyberTipline forms. Validation names the field at fault.

use crate::ParseError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum ReportKind {
    Grooming,
    Sextortion,
    ImageSharing,
    Other,
}

impl ReportKind {
    pub const ALL: [ReportKind; 4] =
        [ReportKind::Grooming, ReportKind::Sextortion, ReportKind::ImageSharing, ReportKind::Other];

    pub fn parse(s: &str) -> Option<Self> {
        ReportKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            ReportKind::Grooming => "grooming",
            ReportKind::Sextortion => "sextortion",
            ReportKind::ImageSharing => "image-sharing",
            ReportKind::Other => "other",
        }
    }

    /// As the public form words it.
    pub const fn label(self) -> &'static str {
        match self {
            ReportKind::Grooming => "Grooming or enticement",
            ReportKind::Sextortion => "Sextortion (threats to share images)",
            ReportKind::ImageSharing => "Sharing of images of a child",
            ReportKind::Other => "Something else",
        }
    }
}

/// How the reporter knows what they report: it sets the intelligence
/// grade a triage officer starts from (College of Policing APP).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HowKnown {
    /// They saw it themselves (they were in, or watched, the conversation).
    SawItMyself,
    /// Someone told them.
    WasTold,
    /// They found it online (a post or a page; who wrote it is not known to them).
    FoundOnline,
}

impl HowKnown {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "saw-it-myself" => Some(HowKnown::SawItMyself),
            "was-told" => Some(HowKnown::WasTold),
            "found-online" => Some(HowKnown::FoundOnline),
            _ => None,
        }
    }

    /// The intelligence grade this suggests: A known directly to the
    /// source; C known indirectly. The officer grades; this is where they start.
    pub fn suggested_intelligence(self) -> char {
        match self {
            HowKnown::SawItMyself => 'A',
            HowKnown::WasTold | HowKnown::FoundOnline => 'C',
        }
    }
}

/// What a grader and a force need beyond the account, all optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReporterAnswers {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub how_known: Option<HowKnown>,
    /// Roughly where the child is (town or area), so the owning force can be told.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub child_location: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reporter_is_child: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub would_give_statement: Option<bool>,
    /// Whether the reporter contacted the person or posed as a child: it
    /// bears on admissibility (the form asks them plainly not to).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contacted_or_posed: Option<bool>,
}

impl ReporterAnswers {
    pub fn is_empty(&self) -> bool {
        *self == ReporterAnswers::default()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicReport {
    pub kind: ReportKind,
    pub immediate_danger: bool,
    pub meeting_planned: bool,
    pub images_exchanged: bool,
    pub platform: String,
    /// Usernames, profile URLs, e-mail addresses, phone numbers: one per entry.
    pub identifiers: Vec<String>,
    pub child: String,
    pub dates: String,
    pub account: String,
    /// Absent for an anonymous report.
    pub contact: Option<String>,
    /// The optional questions; absent in reports made before they were asked.
    #[serde(default, skip_serializing_if = "ReporterAnswers::is_empty")]
    pub about: ReporterAnswers,
}

fn text(field: &'static str, v: &str, max: usize, required: bool) -> Result<(), ParseError> {
    if required && v.trim().is_empty() {
        return Err(ParseError::new(field, v, "is required"));
    }
    if v.chars().count() > max {
        return Err(ParseError::new(field, v, "is too long"));
    }
    if v.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        return Err(ParseError::new(field, v, "contains control characters"));
    }
    Ok(())
}

impl PublicReport {
    /// Information a reporter adds later obeys the same limits as the account.
    pub fn validate_addition(text_added: &str) -> Result<(), ParseError> {
        text("text", text_added, 10_000, true)
    }

    pub fn validate(&self) -> Result<(), ParseError> {
        text("platform", &self.platform, 100, false)?;
        if self.identifiers.len() > 50 {
            return Err(ParseError::new("identifiers", "", "more than 50 identifiers"));
        }
        for i in &self.identifiers {
            text("identifiers", i, 200, false)?;
        }
        text("child", &self.child, 1000, false)?;
        text("dates", &self.dates, 200, false)?;
        text("account", &self.account, 10_000, true)?;
        if let Some(c) = &self.contact {
            text("contact", c, 500, false)?;
        }
        if let Some(l) = &self.about.child_location {
            text("child_location", l, 200, false)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> PublicReport {
        PublicReport {
            kind: ReportKind::Grooming,
            immediate_danger: false,
            meeting_planned: true,
            images_exchanged: false,
            platform: "ExampleChat".into(),
            identifiers: vec!["demo_user_a".into()],
            child: "about 12".into(),
            dates: "last week".into(),
            account: "An adult account asked a child to move to a private app.".into(),
            contact: None,
            about: Default::default(),
        }
    }

    #[test]
    fn validates_and_names_the_field() {
        assert!(report().validate().is_ok());
        let mut r = report();
        r.account = " ".into();
        assert_eq!(r.validate().unwrap_err().what, "account");
        let mut r = report();
        r.platform = "x".repeat(101);
        assert_eq!(r.validate().unwrap_err().what, "platform");
        let mut r = report();
        r.identifiers = vec!["a\u{0}b".into()];
        assert_eq!(r.validate().unwrap_err().what, "identifiers");
    }
}
