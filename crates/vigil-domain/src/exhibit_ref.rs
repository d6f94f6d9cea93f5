//! Exhibit references such as `ABC/1`: the producer's initials and a number
//! that counts up per producer.

use crate::{Initials, ParseError};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ExhibitRef {
    initials: Initials,
    number: u32,
}

impl ExhibitRef {
    pub fn new(initials: Initials, number: u32) -> Result<Self, ParseError> {
        if number == 0 {
            return Err(ParseError::new("exhibit reference", &format!("{initials}/0"), "numbers start at 1"));
        }
        Ok(ExhibitRef { initials, number })
    }

    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let err = |why| ParseError::new("exhibit reference", s, why);
        let (ini, num) = s.split_once('/').ok_or_else(|| err("expected INITIALS/NUMBER, such as ABC/1"))?;
        let initials = Initials::parse(ini).map_err(|_| err("initials must be 2 to 4 upper-case letters"))?;
        if num.is_empty() || !num.chars().all(|c| c.is_ascii_digit()) || num.starts_with('0') {
            return Err(err("the number must be a positive whole number without leading zeros"));
        }
        let number: u32 = num.parse().map_err(|_| err("the number is too large"))?;
        ExhibitRef::new(initials, number)
    }

    pub fn initials(&self) -> &Initials {
        &self.initials
    }

    pub fn number(&self) -> u32 {
        self.number
    }
}

impl fmt::Display for ExhibitRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.initials, self.number)
    }
}

impl serde::Serialize for ExhibitRef {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for ExhibitRef {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::parsed_text::deserialize_parsed(d, "an exhibit reference", ExhibitRef::parse)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let r = ExhibitRef::parse("ABC/12").unwrap();
        assert_eq!(r.initials().as_str(), "ABC");
        assert_eq!(r.number(), 12);
        assert_eq!(r.to_string(), "ABC/12");
    }

    #[test]
    fn rejects_malformed() {
        for bad in ["ABC", "ABC/", "ABC/0", "ABC/01", "abc/1", "ABC/1/2", "ABC/-1", "ABC/99999999999", "/1"] {
            assert!(ExhibitRef::parse(bad).is_err(), "{bad}");
        }
    }
}
