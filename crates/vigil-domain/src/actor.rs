//! Who did something: an officer's initials, a user name, or Vigil itself.

use crate::ParseError;
use std::fmt;

/// An actor name in a custody event: 1–64 characters of letters, digits and
/// `.-_:@`. Kept narrow so that an event line can never be forged by an
/// actor name holding quotes or newlines.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct Actor(String);

impl Actor {
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        if s.is_empty() || s.len() > 64 {
            return Err(ParseError::new("actor", s, "must be 1 to 64 characters"));
        }
        if !s.chars().all(|c| c.is_ascii_alphanumeric() || ".-_:@".contains(c)) {
            return Err(ParseError::new("actor", s, "may hold only letters, digits and . - _ : @"));
        }
        Ok(Actor(s.to_owned()))
    }

    /// Vigil itself, for events no person caused (initialisation, key rotation by schedule).
    pub fn system() -> Self {
        Actor("system".to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&crate::Initials> for Actor {
    fn from(i: &crate::Initials) -> Self {
        Actor(i.as_str().to_owned())
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Actor {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::parsed_text::deserialize_parsed(d, "an actor name", Actor::parse)
    }
}
