//! Deserialising a type written as text through its own parser, reading
//! the text where the deserialiser holds it: no string is made first only
//! to be parsed and dropped (`verify` decodes every event in the log, and
//! those copies were a measurable part of its time).

use std::fmt;

/// A visitor that hands the text to `parse`.
struct ParsedText<T, E> {
    expecting: &'static str,
    parse: fn(&str) -> Result<T, E>,
}

impl<T, E: fmt::Display> serde::de::Visitor<'_> for ParsedText<T, E> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.expecting)
    }

    fn visit_str<Er: serde::de::Error>(self, v: &str) -> Result<T, Er> {
        (self.parse)(v).map_err(Er::custom)
    }
}

/// Deserialises a string and parses it with `parse`; `expecting` names
/// the form in the error for anything that is not a string.
pub(crate) fn deserialize_parsed<'de, D, T, E>(
    d: D,
    expecting: &'static str,
    parse: fn(&str) -> Result<T, E>,
) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    E: fmt::Display,
{
    d.deserialize_str(ParsedText { expecting, parse })
}
