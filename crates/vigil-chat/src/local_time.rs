//! Turning the wall-clock times of an export into instants, with the zone
//! the officer gave, and saying so where the change of clocks makes a time
//! ambiguous (it happened twice) or impossible (it never happened).

use crate::error::ChatError;
use crate::message::Sent;
use jiff::tz::{AmbiguousOffset, TimeZone};
use serde::{Deserialize, Serialize};

/// The zone an officer gave for an export's local times.
#[derive(Clone, Debug)]
pub struct Zone {
    name: String,
    tz: TimeZone,
}

impl Zone {
    /// An IANA zone name such as `Europe/London`.
    pub fn parse(name: &str) -> Result<Zone, ChatError> {
        let name = name.trim();
        let tz = TimeZone::get(name).map_err(|_| ChatError::Setting {
            field: "timezone",
            why: format!("{name:?} is not an IANA time zone name (for example Europe/London)"),
        })?;
        Ok(Zone { name: name.to_owned(), tz })
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

/// How sure the timeline is of a message's instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TimeBasis {
    /// The platform recorded the instant.
    Platform,
    /// A local time placed in the zone the officer gave.
    ZoneGiven,
    /// A local time the clocks went back over: it happened twice; the
    /// earlier is shown, the later given beside it.
    Ambiguous,
    /// A local time the clocks went forward over: no such time existed
    /// there; shown as if the clocks had not changed yet.
    Impossible,
    /// A local time and no zone: shown as written.
    ZoneUnknown,
}

/// A message's time after placing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placed {
    /// Milliseconds since the Unix epoch, where known.
    pub ms: Option<i64>,
    /// For an ambiguous time, the later of its two instants.
    pub later_ms: Option<i64>,
    pub basis: TimeBasis,
    /// A key that orders messages: the instant, or the wall-clock time read
    /// as if it were UTC when there is no zone.
    pub order_ms: i64,
}

fn civil_as_utc_ms(dt: jiff::civil::DateTime) -> i64 {
    dt.to_zoned(TimeZone::UTC).map(|z| z.timestamp().as_millisecond()).unwrap_or(0)
}

/// Places one sent time.
pub fn place(sent: Sent, zone: Option<&Zone>) -> Placed {
    match sent {
        Sent::Instant { ms } => Placed { ms: Some(ms), later_ms: None, basis: TimeBasis::Platform, order_ms: ms },
        Sent::Local(dt) => {
            let Some(zone) = zone else {
                let order = civil_as_utc_ms(dt);
                return Placed { ms: None, later_ms: None, basis: TimeBasis::ZoneUnknown, order_ms: order };
            };
            let ambiguous = zone.tz.to_ambiguous_timestamp(dt);
            let at = |off: jiff::tz::Offset| off.to_timestamp(dt).map(|t| t.as_millisecond()).ok();
            let (ms, later, basis) = match ambiguous.offset() {
                AmbiguousOffset::Unambiguous { offset } => (at(offset), None, TimeBasis::ZoneGiven),
                AmbiguousOffset::Fold { before, after } => (at(before), at(after), TimeBasis::Ambiguous),
                AmbiguousOffset::Gap { before, .. } => (at(before), None, TimeBasis::Impossible),
            };
            let order = ms.unwrap_or_else(|| civil_as_utc_ms(dt));
            Placed { ms, later_ms: later, basis, order_ms: order }
        }
    }
}

/// Formats an instant as RFC 3339 UTC with milliseconds.
pub fn utc_text(ms: i64) -> String {
    match jiff::Timestamp::from_millisecond(ms) {
        Ok(t) => t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        Err(_) => ms.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn clocks_going_back_make_a_time_ambiguous_and_forward_impossible() {
        let london = Zone::parse("Europe/London").unwrap();
        // 2024-10-27 01:30 happened twice in London; 2024-03-31 01:30 never.
        let back = place(Sent::Local(date(2024, 10, 27).at(1, 30, 0, 0)), Some(&london));
        assert_eq!(back.basis, TimeBasis::Ambiguous);
        assert_eq!(utc_text(back.ms.unwrap()), "2024-10-27T00:30:00.000Z");
        assert_eq!(utc_text(back.later_ms.unwrap()), "2024-10-27T01:30:00.000Z");
        let forward = place(Sent::Local(date(2024, 3, 31).at(1, 30, 0, 0)), Some(&london));
        assert_eq!(forward.basis, TimeBasis::Impossible);
        let summer = place(Sent::Local(date(2024, 7, 1).at(12, 0, 0, 0)), Some(&london));
        assert_eq!(
            (summer.basis, utc_text(summer.ms.unwrap())),
            (TimeBasis::ZoneGiven, "2024-07-01T11:00:00.000Z".into())
        );
        let unknown = place(Sent::Local(date(2024, 7, 1).at(12, 0, 0, 0)), None);
        assert_eq!((unknown.basis, unknown.ms), (TimeBasis::ZoneUnknown, None));
    }

    #[test]
    fn a_zone_that_does_not_exist_names_the_setting() {
        let e = Zone::parse("Europe/Atlantis").unwrap_err();
        assert!(matches!(e, ChatError::Setting { field: "timezone", .. }), "{e}");
    }
}
