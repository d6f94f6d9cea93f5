//! The words phones write beside a 12-hour time, by locale, kept in one
//! place: WhatsApp writes the time as the phone's locale does, so an export
//! may say `3:15 PM`, `3:15 p.m.`, `3:15 p. m.` (Spanish, with an ordinary
//! or a no-break space inside), `3:15 nachm.`, `3:15 μ.μ.`, or, before the
//! time, `午後3:15` (Japanese) and `下午3:15` (Chinese). A marker is matched
//! ignoring ASCII case and the spaces a phone may put between its parts
//! (ordinary, no-break U+00A0, narrow no-break U+202F).

/// Where a locale writes its marker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    AfterTime,
    BeforeTime,
}

/// One marker: how it is written (parts without spaces), whether it means
/// the afternoon, and where it stands.
pub struct ClockMarker {
    pub written: &'static str,
    pub pm: bool,
    pub place: Place,
    pub locale: &'static str,
}

const fn after(written: &'static str, pm: bool, locale: &'static str) -> ClockMarker {
    ClockMarker { written, pm, place: Place::AfterTime, locale }
}

const fn before(written: &'static str, pm: bool, locale: &'static str) -> ClockMarker {
    ClockMarker { written, pm, place: Place::BeforeTime, locale }
}

/// Longest first, so `p.m.` is tried before `pm`.
pub const MARKERS: &[ClockMarker] = &[
    after("nachm.", true, "de (Austria, Switzerland)"),
    after("vorm.", false, "de (Austria, Switzerland)"),
    after("a.m.", false, "en-GB, en-AU, es (a. m.)"),
    after("p.m.", true, "en-GB, en-AU, es (p. m.)"),
    after("π.μ.", false, "el"),
    after("μ.μ.", true, "el"),
    after("am", false, "en-US and most"),
    after("pm", true, "en-US and most"),
    after("午前", false, "ja (iOS)"),
    after("午後", true, "ja (iOS)"),
    before("午前", false, "ja"),
    before("午後", true, "ja"),
    before("上午", false, "zh"),
    before("下午", true, "zh"),
    before("오전", false, "ko"),
    before("오후", true, "ko"),
];

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '\u{202f}')
}

/// Reads a marker written after the time at the start of `s` (spaces
/// before it already skipped); returns whether it means the afternoon and
/// what follows it. A marker must end at a space, a bracket, a dash, a
/// comma or the end of the line, so `am` in `amazing` is not one.
pub fn read(s: &str) -> Option<(bool, &str)> {
    read_placed(s, Place::AfterTime)
}

/// Reads a marker written before the time (`午後3:15`), and any spaces
/// after it; returns whether it means the afternoon and the time that follows.
pub fn read_before(s: &str) -> Option<(bool, &str)> {
    for m in MARKERS.iter().filter(|m| m.place == Place::BeforeTime) {
        if let Some(rest) = s.strip_prefix(m.written) {
            let rest = rest.trim_start_matches(is_space);
            if rest.starts_with(|c: char| c.is_ascii_digit()) {
                return Some((m.pm, rest));
            }
        }
    }
    None
}

fn read_placed(s: &str, place: Place) -> Option<(bool, &str)> {
    'markers: for m in MARKERS.iter().filter(|m| m.place == place) {
        let mut rest = s;
        for (i, want) in m.written.chars().enumerate() {
            if i > 0 && want != '.' {
                // Spaces may stand between the parts of a dotted marker.
                let prev = m.written.chars().nth(i - 1);
                if prev == Some('.') {
                    rest = rest.trim_start_matches(is_space);
                }
            }
            let mut chars = rest.chars();
            let Some(got) = chars.next() else { continue 'markers };
            if !got.eq_ignore_ascii_case(&want) {
                continue 'markers;
            }
            rest = chars.as_str();
        }
        let ends = rest.chars().next().is_none_or(|c| is_space(c) || matches!(c, ']' | '-' | ','));
        if ends {
            return Some((m.pm, rest));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_locale_form_reads() {
        for (text, pm) in [
            ("PM - Ann: hi", true),
            ("am] Ann: hi", false),
            ("p.m. - Ann: hi", true),
            ("P.M. - Ann: hi", true),
            ("p. m. - Ann: hi", true),
            ("a.\u{a0}m. - Ann: hi", false),
            ("a.\u{202f}m. - Ann: hi", false),
            ("nachm. - Ann: hi", true),
            ("vorm. - Ann: hi", false),
            ("午後 - Ann: hi", true),
            ("午前 - Ann: hi", false),
            ("μ.μ. - Ann: hi", true),
            ("π.μ. - Ann: hi", false),
        ] {
            let (got, rest) = read(text).unwrap_or_else(|| panic!("{text:?}"));
            assert_eq!(got, pm, "{text:?}");
            assert!(rest.starts_with(" - Ann") || rest.starts_with("] Ann"), "{text:?} left {rest:?}");
        }
    }

    #[test]
    fn markers_before_the_time_read() {
        for (text, pm) in
            [("午後11:09", true), ("午前 8:00", false), ("下午11:09", true), ("上午8:00", false), ("오후 3:15", true)]
        {
            let (got, rest) = read_before(text).unwrap_or_else(|| panic!("{text:?}"));
            assert_eq!(got, pm, "{text:?}");
            assert!(rest.starts_with(|c: char| c.is_ascii_digit()), "{text:?} left {rest:?}");
        }
        assert!(read_before("PM 3:15").is_none(), "an English marker never stands before the time");
        assert!(read_before("午後").is_none(), "a marker with no time after it is not one");
    }

    #[test]
    fn words_that_begin_like_a_marker_are_not_one() {
        for text in ["amazing", "pmx", "p.mx", "Ann: hi", "", "午"] {
            assert!(read(text).is_none(), "{text:?}");
        }
    }
}
