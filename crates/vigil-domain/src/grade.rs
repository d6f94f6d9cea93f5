//! The 3x5x2 intelligence grade (College of Policing APP): source
//! reliability 1–3, intelligence A–E, handling P (lawful sharing permitted)
//! or C (sharing with conditions, which must be stated). Written `2/B/P` or
//! `1/A/C: conditions`.

use crate::ParseError;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Grade {
    /// 1 reliable, 2 untested, 3 not reliable.
    pub source: u8,
    /// A known directly, B known indirectly but corroborated, C known
    /// indirectly, D not known, E suspected false or malicious.
    pub intelligence: char,
    /// `None` for P; the stated conditions for C.
    pub conditions: Option<String>,
}

impl Grade {
    pub fn new(source: u8, intelligence: char, conditions: Option<String>) -> Result<Self, ParseError> {
        let text = format!("{source}/{intelligence}");
        if !(1..=3).contains(&source) {
            return Err(ParseError::new("grade", &text, "the source grade must be 1, 2 or 3"));
        }
        if !('A'..='E').contains(&intelligence) {
            return Err(ParseError::new("grade", &text, "the intelligence grade must be A to E"));
        }
        if let Some(c) = &conditions {
            if c.trim().is_empty() {
                return Err(ParseError::new("grade", &text, "handling code C needs its conditions stated"));
            }
            if c.chars().count() > 500 || c.chars().any(char::is_control) {
                return Err(ParseError::new("grade", c, "the conditions must be one line of at most 500 characters"));
            }
        }
        Ok(Grade { source, intelligence, conditions })
    }

    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let bad = |why| ParseError::new("grade", s, why);
        let mut parts = s.splitn(3, '/');
        let (Some(src), Some(int), Some(handling)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad("expected SOURCE/INTELLIGENCE/HANDLING, such as 2/B/P"));
        };
        let source = match src.trim() {
            "1" => 1,
            "2" => 2,
            "3" => 3,
            _ => return Err(bad("the source grade must be 1, 2 or 3")),
        };
        let mut ic = int.trim().chars();
        let (Some(intelligence), None) = (ic.next(), ic.next()) else {
            return Err(bad("the intelligence grade must be one letter A to E"));
        };
        let h = handling.trim();
        let conditions = if h == "P" {
            None
        } else if let Some(rest) = h.strip_prefix('C') {
            Some(rest.trim_start_matches(':').trim().to_owned())
        } else {
            return Err(bad("the handling code must be P or C"));
        };
        Grade::new(source, intelligence, conditions)
    }
}

impl fmt::Display for Grade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.conditions {
            None => write!(f, "{}/{}/P", self.source, self.intelligence),
            Some(c) => write!(f, "{}/{}/C: {c}", self.source, self.intelligence),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_round_trips() {
        for s in ["2/B/P", "1/A/C: share with CPS only", "3/E/P"] {
            assert_eq!(Grade::parse(s).unwrap().to_string(), s);
        }
        for bad in ["4/B/P", "2/F/P", "2/B/X", "2/B/C", "2/B", "2/BB/P", "", "2/B/C:   "] {
            assert!(Grade::parse(bad).is_err(), "{bad}");
        }
    }
}
