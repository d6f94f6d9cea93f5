//! UTC instants with millisecond precision, written as RFC 3339.

use crate::ParseError;
use std::fmt;

/// Milliseconds since the Unix epoch, UTC. The domain never reads a clock;
/// the caller supplies the instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub fn from_unix_millis(ms: i64) -> Self {
        Timestamp(ms)
    }

    pub fn unix_millis(&self) -> i64 {
        self.0
    }

    /// Parses the exact form [`Display`](fmt::Display) writes: `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let err = || ParseError::new("timestamp", s, "expected YYYY-MM-DDTHH:MM:SS.mmmZ in UTC");
        let b = s.as_bytes();
        if b.len() != 24
            || b[4] != b'-'
            || b[7] != b'-'
            || b[10] != b'T'
            || b[13] != b':'
            || b[16] != b':'
            || b[19] != b'.'
            || b[23] != b'Z'
        {
            return Err(err());
        }
        let num = |r: std::ops::Range<usize>| -> Result<i64, ParseError> {
            b[r].iter()
                .try_fold(0i64, |n, &c| if c.is_ascii_digit() { Ok(n * 10 + i64::from(c - b'0')) } else { Err(err()) })
        };
        let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
        let (h, mi, se, ms) = (num(11..13)?, num(14..16)?, num(17..19)?, num(20..23)?);
        if !(1..=12).contains(&mo) || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || se > 59 {
            return Err(err());
        }
        let days = days_from_civil(y, mo, d);
        Ok(Timestamp(((days * 24 + h) * 60 + mi) * 60_000 + se * 1000 + ms))
    }
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(y) => 29,
        _ => 28,
    }
}

// Howard Hinnant's days-from-civil algorithm: proleptic Gregorian calendar.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// The last Sunday of a month, as days since the epoch.
fn last_sunday(y: i64, m: i64) -> i64 {
    let last = days_from_civil(y, m, days_in_month(y, m));
    // 1970-01-01 was a Thursday: day 0 has weekday 4 (Sunday = 0).
    last - (last + 4).rem_euclid(7)
}

impl Timestamp {
    /// The instant as UK officers and courts read it: Europe/London civil
    /// time, e.g. `2 Dec 2026 04:31:32 GMT` or `30 Jun 2026 13:05:00 BST`.
    /// British Summer Time runs from 01:00 UTC on the last Sunday of March
    /// to 01:00 UTC on the last Sunday of October (the rule since 1996).
    pub fn london(&self) -> String {
        let secs = self.0.div_euclid(1000);
        let (y, _, _) = civil_from_days(secs.div_euclid(86_400));
        let start = last_sunday(y, 3) * 86_400 + 3600;
        let end = last_sunday(y, 10) * 86_400 + 3600;
        let (offset, zone) = if (start..end).contains(&secs) { (3600, "BST") } else { (0, "GMT") };
        let local = secs + offset;
        let (y, m, d) = civil_from_days(local.div_euclid(86_400));
        let sod = local.rem_euclid(86_400);
        const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
        format!("{d} {} {y} {:02}:{:02}:{:02} {zone}", MONTHS[(m - 1) as usize], sod / 3600, (sod / 60) % 60, sod % 60)
    }
}

impl Timestamp {
    /// A stored RFC 3339 instant in London time, as officers and printed
    /// forms show it; text that is not one is shown as it is.
    pub fn london_of(text: &str) -> String {
        Timestamp::parse(text).map(|t| t.london()).unwrap_or_else(|_| text.to_owned())
    }
}

impl Timestamp {
    /// Year, month, day, hour, minute, second and millisecond (UTC).
    fn fields(&self) -> [i64; 7] {
        let ms = self.0.rem_euclid(1000);
        let secs = self.0.div_euclid(1000);
        let sod = secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
        [y, m, d, sod / 3600, (sod / 60) % 60, sod % 60, ms]
    }

    /// The RFC 3339 form written into 24 bytes, for years 0 to 9999 (every
    /// instant Vigil records); `None` outside them. Written by hand because
    /// `verify` re-encodes every event's time, and the formatting machinery
    /// was a tenth of its work.
    fn rfc3339_bytes(&self) -> Option<[u8; 24]> {
        let fields = self.fields();
        if !(0..=9999).contains(&fields[0]) {
            return None;
        }
        let mut b = *b"0000-00-00T00:00:00.000Z";
        // Where each field's digits end, and how many there are.
        for (v, (end, width)) in fields.into_iter().zip([(4, 4), (7, 2), (10, 2), (13, 2), (16, 2), (19, 2), (23, 3)]) {
            let mut v = v;
            for k in (end - width..end).rev() {
                b[k] = b'0' + (v % 10) as u8;
                v /= 10;
            }
        }
        Some(b)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.rfc3339_bytes() {
            // ASCII digits and separators only.
            Some(b) => f.write_str(std::str::from_utf8(&b).expect("ASCII")),
            None => {
                let [y, m, d, h, min, s, ms] = self.fields();
                write!(f, "{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}.{ms:03}Z")
            }
        }
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.rfc3339_bytes() {
            Some(b) => s.serialize_str(std::str::from_utf8(&b).expect("ASCII")),
            None => s.collect_str(self),
        }
    }
}

impl<'de> serde::Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::parsed_text::deserialize_parsed(d, "an RFC 3339 UTC instant", Timestamp::parse)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(Timestamp(0).to_string(), "1970-01-01T00:00:00.000Z");
        assert_eq!(Timestamp(951_782_400_123).to_string(), "2000-02-29T00:00:00.123Z");
        assert_eq!(Timestamp(1_795_698_792_001).to_string(), "2026-11-26T13:13:12.001Z");
    }

    #[test]
    fn london_time_follows_british_summer_time() {
        let t = |s: &str| Timestamp::parse(s).unwrap().london();
        assert_eq!(t("2026-12-02T04:31:32.115Z"), "2 Dec 2026 04:31:32 GMT");
        assert_eq!(t("2026-06-30T12:05:00.000Z"), "30 Jun 2026 13:05:00 BST");
        // 2026: BST from 29 March 01:00 UTC to 25 October 01:00 UTC.
        assert_eq!(t("2026-03-29T00:59:59.000Z"), "29 Mar 2026 00:59:59 GMT");
        assert_eq!(t("2026-03-29T01:00:00.000Z"), "29 Mar 2026 02:00:00 BST");
        assert_eq!(t("2026-10-25T00:59:59.000Z"), "25 Oct 2026 01:59:59 BST");
        assert_eq!(t("2026-10-25T01:00:00.000Z"), "25 Oct 2026 01:00:00 GMT");
        assert_eq!(t("2026-12-31T23:30:00.000Z"), "31 Dec 2026 23:30:00 GMT");
    }

    #[test]
    fn parse_round_trips() {
        for ms in [0, 951_782_400_123, 1_795_698_792_001, 4_102_444_799_999] {
            let t = Timestamp(ms);
            assert_eq!(Timestamp::parse(&t.to_string()).unwrap(), t);
        }
        assert!(Timestamp::parse("2026-02-30T00:00:00.000Z").is_err());
        assert!(Timestamp::parse("2026-11-26 13:13:12Z").is_err());
        assert!(Timestamp::parse("2026-11-26T13:1+:12.000Z").is_err());
    }

    #[test]
    fn the_hand_written_form_is_the_general_one() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let t = Timestamp((x % 253_402_300_800_000) as i64);
            let [y, m, d, h, min, s, ms] = t.fields();
            let general = format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}.{ms:03}Z");
            assert_eq!(std::str::from_utf8(&t.rfc3339_bytes().unwrap()).unwrap(), general);
            assert_eq!(Timestamp::parse(&general).unwrap(), t);
        }
    }

    #[test]
    fn years_outside_four_digits_still_format() {
        // Before year 0 and after 9999 the hand-written form gives way to
        // the general one; both read back the same instant where they can.
        assert_eq!(Timestamp(-62_167_219_200_001).to_string(), "-001-12-31T23:59:59.999Z");
        assert_eq!(Timestamp(253_402_300_800_000).to_string(), "10000-01-01T00:00:00.000Z");
        assert_eq!(Timestamp(253_402_300_799_999).to_string(), "9999-12-31T23:59:59.999Z");
        assert_eq!(Timestamp(-62_167_219_200_000).to_string(), "0000-01-01T00:00:00.000Z");
        let json = serde_json::to_string(&Timestamp(1_795_698_792_001)).unwrap();
        assert_eq!(json, "\"2026-11-26T13:13:12.001Z\"");
        assert_eq!(serde_json::from_str::<Timestamp>(&json).unwrap(), Timestamp(1_795_698_792_001));
        // An escaped form (not borrowed) decodes too.
        assert_eq!(
            serde_json::from_str::<Timestamp>("\"2026-11-26T13:13:12.001\\u005a\"").unwrap(),
            Timestamp(1_795_698_792_001)
        );
    }
}
