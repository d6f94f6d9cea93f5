//! The words phones write after a 12-hour time, by locale, kept in one
//! place: WhatsApp writes the time as the phone's locale does, so an export
//! may say `3:15 PM`, `3:15 p.m.`, `3:15 p. m.` (Spanish, with an ordinary
//! or a no-break space inside), `3:15 nachm.` or `3:15 午後`. A marker is
//! matched ignoring ASCII case and the spaces a phone may put between its
//! parts (ordinary, no-break U+00A0, narrow no-break U+202F).

/// One marker: how it is written (parts without spaces), and whether it
/// means the afternoon.
pub struct ClockMarker {
    pub written: &'static str,
    pub pm: bool,
    pub locale: &'static str,
}

/// Longest first, so `p.m.` is tried before `p`.
pub const MARKERS: &[ClockMarker] = &[
    ClockMarker { written: "nachm.", pm: true, locale: "de (Austria, Switzerland)" },
    ClockMarker { written: "vorm.", pm: false, locale: "de (Austria, Switzerland)" },
    ClockMarker { written: "a.m.", pm: false, locale: "en-GB, en-AU, es (a. m.)" },
    ClockMarker { written: "p.m.", pm: true, locale: "en-GB, en-AU, es (p. m.)" },
    ClockMarker { written: "am", pm: false, locale: "en-US and most" },
    ClockMarker { written: "pm", pm: true, locale: "en-US and most" },
    ClockMarker { written: "午前", pm: false, locale: "ja" },
    ClockMarker { written: "午後", pm: true, locale: "ja" },
];

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '\u{202f}')
}

/// Reads a marker at the start of `s` (spaces before it already skipped);
/// returns whether it means the afternoon and what follows it. A marker
/// must end at a space, a bracket, a dash or the end of the line, so
/// `am` in `amazing` is not one.
pub fn read(s: &str) -> Option<(bool, &str)> {
    'markers: for m in MARKERS {
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
        ] {
            let (got, rest) = read(text).unwrap_or_else(|| panic!("{text:?}"));
            assert_eq!(got, pm, "{text:?}");
            assert!(rest.starts_with(" - Ann") || rest.starts_with("] Ann"), "{text:?} left {rest:?}");
        }
    }

    #[test]
    fn words_that_begin_like_a_marker_are_not_one() {
        for text in ["amazing", "pmx", "p.mx", "Ann: hi", "", "午"] {
            assert!(read(text).is_none(), "{text:?}");
        }
    }
}
