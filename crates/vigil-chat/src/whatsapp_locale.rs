//! How WhatsApp writes a message line in each locale Vigil reads, kept in
//! one place: the date's order, separator and year, the word between date
//! and time, the clock (24-hour, or 12-hour with the locale's marker and
//! where it stands), seconds, and the iOS bracket or the Android dash.
//! The reader (`whatsapp.rs`) reads every form here; the property test in
//! `tests/properties.rs` writes a generated conversation in each form and
//! reads it back. A form added here is a form that test holds the reader to.

use crate::whatsapp::DateOrder;

/// A 12-hour clock's two words, and whether they stand before the time.
#[derive(Debug, Clone, Copy)]
pub struct TwelveHour {
    pub am: &'static str,
    pub pm: &'static str,
    /// The space between the time and the marker (none when before it).
    pub space: &'static str,
    pub before: bool,
}

/// One locale's line form.
#[derive(Debug, Clone, Copy)]
pub struct LineForm {
    pub name: &'static str,
    pub order: DateOrder,
    pub date_sep: char,
    /// Four-digit years, else two.
    pub long_year: bool,
    /// Day and month with a leading zero.
    pub padded: bool,
    /// Between the date and the time (`, `, ` `, ` à `, ` klo `).
    pub joiner: &'static str,
    /// The hour-minute separator (`:`; `.` in Finnish).
    pub time_sep: char,
    pub twelve_hour: Option<TwelveHour>,
    /// iOS: `[date, time] Name: text`, with seconds; Android: `date, time - Name: text`.
    pub ios: bool,
}

const fn android(
    name: &'static str,
    order: DateOrder,
    date_sep: char,
    long_year: bool,
    joiner: &'static str,
) -> LineForm {
    LineForm { name, order, date_sep, long_year, padded: true, joiner, time_sep: ':', twelve_hour: None, ios: false }
}

const fn twelve(am: &'static str, pm: &'static str, space: &'static str) -> Option<TwelveHour> {
    Some(TwelveHour { am, pm, space, before: false })
}

const NNBSP: &str = "\u{202f}";

pub const LINE_FORMS: &[LineForm] = &[
    android("en-GB Android", DateOrder::DayFirst, '/', true, ", "),
    LineForm {
        twelve_hour: twelve("AM", "PM", NNBSP),
        padded: false,
        long_year: false,
        ..android("en-US Android", DateOrder::MonthFirst, '/', false, ", ")
    },
    LineForm {
        twelve_hour: twelve("AM", "PM", " "),
        padded: false,
        ios: true,
        ..android("en-US iOS", DateOrder::MonthFirst, '/', false, ", ")
    },
    LineForm { ios: true, ..android("en-GB iOS", DateOrder::DayFirst, '/', true, ", ") },
    LineForm {
        twelve_hour: twelve("am", "pm", " "),
        ..android("en-IN Android", DateOrder::DayFirst, '/', false, ", ")
    },
    LineForm {
        twelve_hour: twelve("a.m.", "p.m.", " "),
        ..android("en-AU Android", DateOrder::DayFirst, '/', false, ", ")
    },
    LineForm {
        twelve_hour: twelve("a. m.", "p. m.", " "),
        padded: false,
        ..android("es Android", DateOrder::DayFirst, '/', false, ", ")
    },
    LineForm {
        twelve_hour: twelve("a.\u{a0}m.", "p.\u{a0}m.", "\u{a0}"),
        padded: false,
        ..android("es-MX Android", DateOrder::DayFirst, '/', false, ", ")
    },
    android("de Android", DateOrder::DayFirst, '.', false, ", "),
    LineForm {
        twelve_hour: twelve("vorm.", "nachm.", " "),
        ..android("de-AT Android", DateOrder::DayFirst, '.', false, ", ")
    },
    LineForm { ios: true, ..android("de iOS", DateOrder::DayFirst, '.', false, ", ") },
    android("ru Android", DateOrder::DayFirst, '.', true, ", "),
    android("pt-BR Android", DateOrder::DayFirst, '/', true, " "),
    android("nl Android", DateOrder::DayFirst, '-', true, " "),
    LineForm { ios: true, ..android("fr iOS", DateOrder::DayFirst, '/', true, " à ") },
    LineForm { time_sep: '.', padded: false, ..android("fi Android", DateOrder::DayFirst, '.', true, " klo ") },
    LineForm {
        twelve_hour: twelve("π.μ.", "μ.μ.", " "),
        padded: false,
        ..android("el Android", DateOrder::DayFirst, '/', false, ", ")
    },
    LineForm {
        twelve_hour: Some(TwelveHour { am: "午前", pm: "午後", space: "", before: true }),
        ..android("ja Android", DateOrder::YearFirst, '/', true, " ")
    },
    LineForm {
        twelve_hour: Some(TwelveHour { am: "上午", pm: "下午", space: "", before: true }),
        padded: false,
        ..android("zh Android", DateOrder::YearFirst, '/', true, " ")
    },
    LineForm { ios: true, ..android("ja iOS", DateOrder::YearFirst, '/', true, " ") },
    LineForm { ios: true, ..android("ISO iOS", DateOrder::YearFirst, '-', true, ", ") },
];

impl LineForm {
    /// The date and time as this locale writes them.
    pub fn stamp(&self, t: jiff::civil::DateTime) -> String {
        let (y, m, d) = (i32::from(t.year()), t.month(), t.day());
        let year = if self.long_year { format!("{y:04}") } else { format!("{:02}", y % 100) };
        let two = |n: i8| if self.padded { format!("{n:02}") } else { n.to_string() };
        let s = self.date_sep;
        let date = match self.order {
            DateOrder::DayFirst => format!("{}{s}{}{s}{year}", two(d), two(m)),
            DateOrder::MonthFirst => format!("{}{s}{}{s}{year}", two(m), two(d)),
            DateOrder::YearFirst => format!("{year}{s}{}{s}{}", two(m), two(d)),
        };
        let sep = self.time_sep;
        let seconds = if self.ios { format!(":{:02}", t.second()) } else { String::new() };
        let time = match self.twelve_hour {
            None => format!("{:02}{sep}{:02}{seconds}", t.hour(), t.minute()),
            Some(c) => {
                let hour = match t.hour() % 12 {
                    0 => 12,
                    h => h,
                };
                let marker = if t.hour() < 12 { c.am } else { c.pm };
                let clock = format!("{hour}{sep}{:02}{seconds}", t.minute());
                if c.before {
                    format!("{marker}{clock}")
                } else {
                    format!("{clock}{}{marker}", c.space)
                }
            }
        };
        format!("{date}{}{time}", self.joiner)
    }

    /// One message line: `sender` `None` for a notice.
    pub fn line(&self, t: jiff::civil::DateTime, sender: Option<&str>, text: &str) -> String {
        let stamp = self.stamp(t);
        let said = match sender {
            Some(s) => format!("{s}: {text}"),
            None => text.to_owned(),
        };
        if self.ios {
            format!("[{stamp}] {said}")
        } else {
            format!("{stamp} - {said}")
        }
    }

    /// Whether the time keeps its seconds (iOS does; Android drops them).
    pub fn has_seconds(&self) -> bool {
        self.ios
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_form_writes_the_line_its_locale_does() {
        let t = jiff::civil::date(2021, 1, 6).at(23, 9, 8, 0);
        let by_name = |n: &str| LINE_FORMS.iter().find(|f| f.name == n).unwrap();
        assert_eq!(by_name("en-GB Android").line(t, Some("Ann"), "hi"), "06/01/2021, 23:09 - Ann: hi");
        assert_eq!(by_name("en-US iOS").line(t, Some("Ann"), "hi"), "[1/6/21, 11:09:08 PM] Ann: hi");
        assert_eq!(by_name("es Android").line(t, Some("Ann"), "hi"), "6/1/21, 11:09 p. m. - Ann: hi");
        assert_eq!(by_name("fr iOS").line(t, Some("Ann"), "hi"), "[06/01/2021 à 23:09:08] Ann: hi");
        assert_eq!(by_name("fi Android").line(t, Some("Ann"), "hi"), "6.1.2021 klo 23.09 - Ann: hi");
        assert_eq!(by_name("ja Android").line(t, Some("Ann"), "hi"), "2021/01/06 午後11:09 - Ann: hi");
        let names: std::collections::BTreeSet<&str> = LINE_FORMS.iter().map(|f| f.name).collect();
        assert_eq!(names.len(), LINE_FORMS.len(), "each form is named once");
    }
}
