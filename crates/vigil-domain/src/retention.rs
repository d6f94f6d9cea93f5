//! Retention and review of police information (MoPI-style): a policy gives
//! every case and closed report a review date from what it is and how it
//! ended; a supervisor's review retains it (with a reason, until the next
//! review) or disposes of it. Nothing here reads a clock or a store.

use crate::ParseError;
use serde::{Deserialize, Serialize};

const DAY_MS: i64 = 86_400_000;

/// What a rule applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RetentionSubject {
    Case,
    /// A report that was closed without becoming part of a case (a report
    /// in a case is reviewed with its case).
    Report,
}

/// The court's result, which ends a live prosecution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CourtResult {
    Convicted,
    Acquitted,
    Discontinued,
}

impl CourtResult {
    pub fn as_str(self) -> &'static str {
        match self {
            CourtResult::Convicted => "convicted",
            CourtResult::Acquitted => "acquitted",
            CourtResult::Discontinued => "discontinued",
        }
    }

    pub fn parse(s: &str) -> Result<Self, ParseError> {
        [CourtResult::Convicted, CourtResult::Acquitted, CourtResult::Discontinued]
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| ParseError::new("court result", s, "expected convicted, acquitted or discontinued"))
    }
}

/// One rule: the first whose subject, category and outcome match decides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionRule {
    /// Names the rule in decisions and certificates.
    pub name: String,
    pub subject: RetentionSubject,
    /// A report's kind (grooming, sextortion, image-sharing, other); any if absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// How it ended (see [`RetentionPolicy::OUTCOMES`]); any if absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    /// Days from the last activity (a case's latest record, a report's
    /// receipt) to the review.
    pub review_after_days: u32,
}

/// The force's retention policy: rules in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionPolicy {
    pub rules: Vec<RetentionRule>,
}

fn rule(
    name: &str,
    subject: RetentionSubject,
    category: Option<&str>,
    outcome: Option<&str>,
    days: u32,
) -> RetentionRule {
    RetentionRule {
        name: name.into(),
        subject,
        category: category.map(Into::into),
        outcome: outcome.map(Into::into),
        review_after_days: days,
    }
}

impl RetentionPolicy {
    /// The outcomes a rule may name, for each subject.
    pub const OUTCOMES: [(RetentionSubject, &'static [&'static str]); 2] = [
        (RetentionSubject::Case, &["open", "charged", "convicted", "acquitted", "discontinued", "no-further-action"]),
        (RetentionSubject::Report, &["open", "no-further-action", "referred-elsewhere", "duplicate", "not-a-crime"]),
    ];

    /// The policy Vigil starts with, shaped on MoPI's review groups; a
    /// force sets its own with `vigil retention policy --set`.
    pub fn standard() -> Self {
        use RetentionSubject::{Case, Report};
        RetentionPolicy {
            rules: vec![
                rule(
                    "MoPI group 1: convicted of an offence against a child, review every 10 years",
                    Case,
                    None,
                    Some("convicted"),
                    3650,
                ),
                rule("live prosecution: review yearly until the court's result", Case, None, Some("charged"), 365),
                rule("acquitted: review after 6 years", Case, None, Some("acquitted"), 2190),
                rule("discontinued: review after 6 years", Case, None, Some("discontinued"), 2190),
                rule("no further action: review after 6 years", Case, None, Some("no-further-action"), 2190),
                rule("open case: review yearly", Case, None, None, 365),
                rule("duplicate report: review after 90 days", Report, None, Some("duplicate"), 90),
                rule(
                    "report of another kind, no further action: review after 1 year",
                    Report,
                    Some("other"),
                    Some("no-further-action"),
                    365,
                ),
                rule("report, no further action: review after 2 years", Report, None, Some("no-further-action"), 730),
                rule("any other report: review after 1 year", Report, None, None, 365),
            ],
        }
    }

    /// Reads a policy, naming what is wrong: every rule's outcome must be
    /// one its subject can have, days from 1 to 36,500, and each subject
    /// needs a last rule that matches anything (so every item has a date).
    pub fn parse(json: &str) -> Result<Self, ParseError> {
        let p: RetentionPolicy = serde_json::from_str(json)
            .map_err(|e| ParseError::new("retention policy", &e.to_string(), "is not a retention policy's JSON"))?;
        for (i, r) in p.rules.iter().enumerate() {
            let at = format!("rules[{i}]");
            if r.name.trim().is_empty() {
                return Err(ParseError::new("retention policy", &at, "a rule needs a name"));
            }
            if !(1..=36_500).contains(&r.review_after_days) {
                return Err(ParseError::new("retention policy", &at, "review_after_days must be from 1 to 36500"));
            }
            if let Some(o) = &r.outcome {
                let allowed = Self::outcomes(r.subject);
                if !allowed.contains(&o.as_str()) {
                    return Err(ParseError::new(
                        "retention policy",
                        &format!("{at}.outcome {o:?} (allowed: {})", allowed.join(", ")),
                        "is not an outcome its subject can have",
                    ));
                }
            }
        }
        for s in [RetentionSubject::Case, RetentionSubject::Report] {
            if !p.rules.iter().any(|r| r.subject == s && r.category.is_none() && r.outcome.is_none()) {
                let subject = if s == RetentionSubject::Case { "rules for a case" } else { "rules for a report" };
                return Err(ParseError::new(
                    "retention policy",
                    subject,
                    "need a last rule with no category and no outcome, so every item gets a review date",
                ));
            }
        }
        Ok(p)
    }

    pub fn outcomes(s: RetentionSubject) -> &'static [&'static str] {
        Self::OUTCOMES.iter().find(|(x, _)| *x == s).map_or(&[], |(_, o)| o)
    }

    /// The rule that applies (a parsed policy always has one).
    pub fn rule_for(&self, subject: RetentionSubject, category: Option<&str>, outcome: &str) -> Option<&RetentionRule> {
        self.rules.iter().find(|r| {
            r.subject == subject
                && r.category.as_deref().is_none_or(|c| Some(c) == category)
                && r.outcome.as_deref().is_none_or(|o| o == outcome)
        })
    }
}

/// When an item is next reviewed: its rule's period after its last
/// activity, or the date a retain decision set, whichever is later.
pub fn review_due_ms(anchor_ms: i64, rule: &RetentionRule, retained_until_ms: Option<i64>) -> i64 {
    let by_rule = anchor_ms + i64::from(rule.review_after_days) * DAY_MS;
    retained_until_ms.map_or(by_rule, |r| r.max(by_rule))
}

/// A case's outcome for the policy: the court's result if recorded, else
/// charged, else no further action, else open.
pub fn case_outcome(court: Option<CourtResult>, charged: bool, no_further_action: bool) -> &'static str {
    match court {
        Some(c) => c.as_str(),
        None if charged => "charged",
        None if no_further_action => "no-further-action",
        None => "open",
    }
}

/// Whether the prosecution is live: charged, with no result from the court.
pub fn live_prosecution(court: Option<CourtResult>, charged: bool) -> bool {
    charged && court.is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standard_policy_parses_and_dates_everything() {
        let p = RetentionPolicy::standard();
        let text = serde_json::to_string(&p).unwrap();
        assert_eq!(RetentionPolicy::parse(&text).unwrap(), p);
        for (s, outcomes) in RetentionPolicy::OUTCOMES {
            for o in outcomes {
                for c in [None, Some("other"), Some("grooming")] {
                    assert!(p.rule_for(s, c, o).is_some(), "{s:?} {c:?} {o}");
                }
            }
        }
        let r = p.rule_for(RetentionSubject::Report, Some("other"), "no-further-action").unwrap();
        assert_eq!(r.review_after_days, 365);
        let r = p.rule_for(RetentionSubject::Report, Some("grooming"), "no-further-action").unwrap();
        assert_eq!(r.review_after_days, 730);
        assert_eq!(p.rule_for(RetentionSubject::Case, None, "convicted").unwrap().review_after_days, 3650);
    }

    #[test]
    fn a_bad_policy_is_refused_naming_the_rule() {
        let e = RetentionPolicy::parse(
            r#"{"rules":[{"name":"x","subject":"case","outcome":"sentenced","review_after_days":5}]}"#,
        )
        .unwrap_err();
        assert!(e.to_string().contains("rules[0]") && e.to_string().contains("sentenced"), "{e}");
        let e =
            RetentionPolicy::parse(r#"{"rules":[{"name":"x","subject":"case","review_after_days":5}]}"#).unwrap_err();
        assert!(e.to_string().contains("report"), "{e}");
        let e =
            RetentionPolicy::parse(r#"{"rules":[{"name":"x","subject":"case","review_after_days":0}]}"#).unwrap_err();
        assert!(e.to_string().contains("review_after_days"), "{e}");
    }

    #[test]
    fn review_dates_and_live_prosecutions() {
        let r = rule("r", RetentionSubject::Case, None, None, 10);
        assert_eq!(review_due_ms(0, &r, None), 10 * DAY_MS);
        assert_eq!(review_due_ms(0, &r, Some(20 * DAY_MS)), 20 * DAY_MS);
        assert_eq!(review_due_ms(0, &r, Some(DAY_MS)), 10 * DAY_MS, "new activity moves the review later");
        assert_eq!(case_outcome(None, true, true), "charged");
        assert_eq!(case_outcome(Some(CourtResult::Convicted), true, false), "convicted");
        assert_eq!(case_outcome(None, false, true), "no-further-action");
        assert!(live_prosecution(None, true));
        assert!(!live_prosecution(Some(CourtResult::Acquitted), true));
        assert!(!live_prosecution(None, false));
    }
}
