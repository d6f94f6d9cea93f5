//! Triage risk for a public report: a score whose factors are shown to the
//! officer. A child in immediate danger always sorts first.

use crate::{PublicReport, ReportKind};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskAssessment {
    pub immediate_danger: bool,
    pub score: u32,
    /// Each factor that added to the score, with its weight.
    pub factors: Vec<(String, u32)>,
}

/// The first number in the child text that reads as an age (1–17), if any.
fn child_age(text: &str) -> Option<u32> {
    let lower = text.to_lowercase();
    let mut digits = String::new();
    for c in lower.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() {
            digits.push(c);
        } else if !digits.is_empty() {
            if let Ok(n) = digits.parse::<u32>() {
                if (1..=17).contains(&n) {
                    return Some(n);
                }
            }
            digits.clear();
        }
    }
    None
}

/// `shared`: for each of this report's identifiers already seen, how many
/// other reports hold it. A link's weight falls as its identifier becomes
/// more common (30 / count, at most 60 in all), so one widely shared
/// identifier cannot chain everything together.
pub fn assess(r: &PublicReport, shared: &[u32]) -> RiskAssessment {
    let mut factors: Vec<(String, u32)> = Vec::new();
    if r.immediate_danger {
        factors.push(("a child is in immediate danger".into(), 100));
    }
    if r.meeting_planned {
        factors.push(("a meeting has been arranged".into(), 40));
    }
    if r.kind == ReportKind::Sextortion {
        factors.push(("sextortion".into(), 30));
    }
    if r.images_exchanged {
        factors.push(("images sent or asked for".into(), 25));
    }
    match child_age(&r.child) {
        Some(a) if a <= 12 => factors.push((format!("the child may be {a}"), 20)),
        Some(a) => factors.push((format!("the child may be {a}"), 10)),
        None => {}
    }
    let linked: Vec<u32> = shared.iter().copied().filter(|c| *c > 0).collect();
    if !linked.is_empty() {
        let weight: u32 = linked.iter().map(|c| 30u32.div_ceil(*c)).sum::<u32>().min(60);
        let most = linked.iter().max().copied().unwrap_or(0);
        factors.push((format!("{} identifier(s) seen in other reports (up to {most})", linked.len()), weight));
    }
    RiskAssessment { immediate_danger: r.immediate_danger, score: factors.iter().map(|(_, w)| w).sum(), factors }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r() -> PublicReport {
        PublicReport {
            kind: ReportKind::Grooming,
            immediate_danger: false,
            meeting_planned: false,
            images_exchanged: false,
            platform: String::new(),
            identifiers: vec![],
            child: String::new(),
            dates: String::new(),
            account: "x".into(),
            contact: None,
            about: Default::default(),
        }
    }

    #[test]
    fn factors_are_shown_and_add_up() {
        assert_eq!(assess(&r(), &[]).score, 0);
        let mut x = r();
        x.immediate_danger = true;
        x.meeting_planned = true;
        x.child = "she said she is 11 years old".into();
        let a = assess(&x, &[1]);
        assert!(a.immediate_danger);
        assert_eq!(a.score, 100 + 40 + 20 + 30);
        // A common identifier weighs little; the total is capped.
        assert_eq!(assess(&r(), &[100]).score, 1);
        assert_eq!(assess(&r(), &[1, 1, 1]).score, 60);
        assert!(a.factors.iter().any(|(f, _)| f.contains("may be 11")));
        x.child = "in year 9, about 14".into();
        assert_eq!(child_age(&x.child), Some(9), "the first plausible number is taken");
    }
}
