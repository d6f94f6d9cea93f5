//! What an officer decides about an image or video under review: the
//! sentencing category of an indecent image (A, B or C, as in the
//! Sentencing Council guideline and CAID), not indecent, or unsure (sent
//! for a second opinion); and how a category was reached.

use crate::ParseError;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReviewCategory {
    #[serde(rename = "A")]
    A,
    #[serde(rename = "B")]
    B,
    #[serde(rename = "C")]
    C,
    /// Known-bad material a hash set gives no A/B/C category (for example
    /// prohibited or extreme images); never an officer's own decision.
    Other,
    NotIndecent,
    /// Not decided: the item waits in a supervisor's second-opinion queue.
    Unsure,
}

impl ReviewCategory {
    /// What an officer may choose on the review page, in key order.
    pub const CHOICES: [ReviewCategory; 5] =
        [ReviewCategory::A, ReviewCategory::B, ReviewCategory::C, ReviewCategory::NotIndecent, ReviewCategory::Unsure];

    pub fn as_str(self) -> &'static str {
        match self {
            ReviewCategory::A => "A",
            ReviewCategory::B => "B",
            ReviewCategory::C => "C",
            ReviewCategory::Other => "other",
            ReviewCategory::NotIndecent => "not-indecent",
            ReviewCategory::Unsure => "unsure",
        }
    }

    /// The words on the page.
    pub fn label(self) -> &'static str {
        match self {
            ReviewCategory::A => "Category A",
            ReviewCategory::B => "Category B",
            ReviewCategory::C => "Category C",
            ReviewCategory::Other => "Other (from a hash set)",
            ReviewCategory::NotIndecent => "Not indecent",
            ReviewCategory::Unsure => "Unsure: second opinion",
        }
    }

    /// The key that chooses it on the review page.
    pub fn key(self) -> char {
        match self {
            ReviewCategory::A => 'a',
            ReviewCategory::B => 'b',
            ReviewCategory::C => 'c',
            ReviewCategory::Other => 'o',
            ReviewCategory::NotIndecent => 'n',
            ReviewCategory::Unsure => 'u',
        }
    }

    pub fn parse(s: &str) -> Result<Self, ParseError> {
        match s.trim() {
            "A" | "a" => Ok(ReviewCategory::A),
            "B" | "b" => Ok(ReviewCategory::B),
            "C" | "c" => Ok(ReviewCategory::C),
            "other" => Ok(ReviewCategory::Other),
            "not-indecent" => Ok(ReviewCategory::NotIndecent),
            "unsure" => Ok(ReviewCategory::Unsure),
            _ => Err(ParseError::new("category", s, "expected A, B, C, not-indecent or unsure")),
        }
    }

    /// Whether the category makes the item indecent material to count and
    /// submit to the national database.
    pub fn is_indecent(self) -> bool {
        matches!(self, ReviewCategory::A | ReviewCategory::B | ReviewCategory::C | ReviewCategory::Other)
    }
}

impl fmt::Display for ReviewCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How an item's category was reached, for the statement of method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReviewMethod {
    /// Its digest or PDQ matched a known-bad hash set.
    HashMatch,
    /// An officer looked at it (or chose not to need to) and decided.
    Officer,
    /// An officer decided on its stack's representative, which it is near.
    Stack,
}

impl ReviewMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewMethod::HashMatch => "hash-match",
            ReviewMethod::Officer => "officer",
            ReviewMethod::Stack => "stack",
        }
    }

    pub fn parse(s: &str) -> Result<Self, ParseError> {
        match s {
            "hash-match" => Ok(ReviewMethod::HashMatch),
            "officer" => Ok(ReviewMethod::Officer),
            "stack" => Ok(ReviewMethod::Stack),
            _ => Err(ParseError::new("method", s, "expected hash-match, officer or stack")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_keys_round_trip() {
        for c in ReviewCategory::CHOICES.into_iter().chain([ReviewCategory::Other]) {
            assert_eq!(ReviewCategory::parse(c.as_str()).unwrap(), c);
        }
        let keys: std::collections::HashSet<char> = ReviewCategory::CHOICES.iter().map(|c| c.key()).collect();
        assert_eq!(keys.len(), 5);
        assert!(ReviewCategory::parse("D").is_err());
        assert_eq!(serde_json::to_string(&ReviewCategory::A).unwrap(), "\"A\"");
        assert_eq!(serde_json::to_string(&ReviewCategory::NotIndecent).unwrap(), "\"not-indecent\"");
        assert!(!ReviewCategory::NotIndecent.is_indecent() && !ReviewCategory::Unsure.is_indecent());
        for m in [ReviewMethod::HashMatch, ReviewMethod::Officer, ReviewMethod::Stack] {
            assert_eq!(ReviewMethod::parse(m.as_str()).unwrap(), m);
        }
    }
}
