//! A producer's initials, the first half of an exhibit reference.

use crate::ParseError;
use std::fmt;

/// Two to four upper-case letters, as on an MG11 statement's exhibit label.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct Initials(String);

impl Initials {
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        if !(2..=4).contains(&s.len()) {
            return Err(ParseError::new("initials", s, "must be 2 to 4 letters"));
        }
        if !s.chars().all(|c| c.is_ascii_uppercase()) {
            return Err(ParseError::new("initials", s, "must be upper-case letters A-Z only"));
        }
        Ok(Initials(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Initials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Initials {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::parsed_text::deserialize_parsed(d, "officer initials", Initials::parse)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses() {
        assert!(Initials::parse("JS").is_ok());
        assert!(Initials::parse("ABCD").is_ok());
        for bad in ["J", "ABCDE", "js", "J1", "J S", ""] {
            assert!(Initials::parse(bad).is_err(), "{bad}");
        }
    }
}
