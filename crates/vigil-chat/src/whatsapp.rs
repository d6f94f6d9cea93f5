//! WhatsApp's "Export chat" text (`_chat.txt` from iOS, `WhatsApp Chat with
//! ….txt` from Android), read line by line. Its times carry no zone and its
//! dates follow the phone's locale: day-first or month-first, two- or
//! four-digit years, 12- or 24-hour clocks with an ordinary, no-break or
//! narrow no-break space before AM/PM.

use crate::error::ChatError;
use crate::message::{ConversationInfo, Irregular, Item, Message, MessageKind, Sent};
use std::io::BufRead;

/// The longest line read. WhatsApp caps a message at 65,536 characters; a
/// longer line is not a WhatsApp export, and is refused before it is held.
pub const MAX_LINE: usize = 1 << 20;

/// WhatsApp's limits on exported messages (without and with media): an
/// export of exactly this many may have been cut.
const EXPORT_CAPS: [u64; 2] = [40_000, 10_000];

/// Which of a date's first two numbers is the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateOrder {
    DayFirst,
    MonthFirst,
    /// Year, month, day.
    YearFirst,
}

impl DateOrder {
    /// The order's short name, as `--date-order` takes it and a timeline's
    /// header records it.
    pub fn code(self) -> &'static str {
        match self {
            DateOrder::DayFirst => "dmy",
            DateOrder::MonthFirst => "mdy",
            DateOrder::YearFirst => "ymd",
        }
    }

    pub fn from_code(code: &str) -> Option<DateOrder> {
        [DateOrder::DayFirst, DateOrder::MonthFirst, DateOrder::YearFirst].into_iter().find(|o| o.code() == code)
    }
}

/// A line's leading date and time, as numbers, before the order is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    a: u32,
    b: u32,
    c: u32,
    /// Whether the first field had four digits (a year-first date).
    a_is_year: bool,
    hour: u32,
    minute: u32,
    second: u32,
    twelve_hour: Option<bool>, // Some(true) for PM
}

impl Stamp {
    /// Hour 00 with AM or PM: no 12-hour clock shows it, yet phones have
    /// written it. Read as the hour after midnight (or noon) and flagged.
    fn zero_on_twelve_hour_clock(&self) -> bool {
        self.twelve_hour.is_some() && self.hour == 0
    }

    /// The time of day, which no date order changes.
    fn time_of_day(&self) -> String {
        let hour = match self.twelve_hour {
            None => self.hour,
            Some(false) => self.hour % 12,
            Some(true) => self.hour % 12 + 12,
        };
        format!("{hour:02}:{:02}:{:02}", self.minute, self.second.min(59))
    }
}

/// A parsed line head: the stamp, and the text after the separator.
struct Head<'a> {
    stamp: Stamp,
    rest: &'a str,
    ios: bool,
}

fn strip_marks(s: &str) -> &str {
    s.trim_start_matches(['\u{feff}', '\u{200e}', '\u{200f}'])
}

fn number(s: &str, max_digits: usize) -> Option<(u32, usize, &str)> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > max_digits {
        return None;
    }
    Some((s[..digits].parse().ok()?, digits, &s[digits..]))
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '\u{202f}')
}

fn parse_date(s: &str) -> Option<(u32, u32, u32, bool, &str)> {
    let (a, a_len, s) = number(s, 4)?;
    let sep = s.chars().next().filter(|c| matches!(c, '/' | '.' | '-'))?;
    let (b, _, s) = number(&s[1..], 2)?;
    let s = s.strip_prefix(sep)?;
    let (c, _, mut s) = number(s, 4)?;
    if sep == '.' {
        s = s.strip_prefix('.').unwrap_or(s);
    }
    Some((a, b, c, a_len == 4, s))
}

fn parse_time(s: &str) -> Option<(u32, u32, u32, Option<bool>, &str)> {
    // Some locales write the marker before the time (`午後11:09`).
    let (before, s) = match crate::clock_marker::read_before(s) {
        Some((pm, rest)) => (Some(pm), rest),
        None => (None, s),
    };
    let (h, _, s) = number(s, 2)?;
    let s = s.strip_prefix(':').or_else(|| s.strip_prefix('.'))?;
    let (m, _, mut s) = number(s, 2)?;
    let mut sec = 0;
    if let Some(after) = s.strip_prefix(':') {
        let (v, _, rest) = number(after, 2)?;
        sec = v;
        s = rest;
    }
    // The locale's word for morning or afternoon, if any (clock_marker.rs).
    let (pm, s) = match (before, crate::clock_marker::read(s.trim_start_matches(is_space))) {
        (Some(_), Some(_)) => return None,
        (Some(pm), None) => (Some(pm), s),
        (None, Some((pm, rest))) => (Some(pm), rest),
        (None, None) => (None, s),
    };
    if h > 23 || m > 59 || sec > 60 || (pm.is_some() && h > 12) {
        return None;
    }
    Some((h, m, sec, pm, s))
}

/// Words some locales write between the date and the time
/// (`16/01/2021 à 23:09`, `16.1.2021 klo 23.09`).
const CONNECTORS: [&str; 2] = ["à", "klo"];

/// Skips what stands between a date and its time: a comma, spaces, and a
/// locale's connecting word.
fn between_date_and_time(s: &str) -> &str {
    let s = s.strip_prefix(',').unwrap_or(s).trim_start_matches(is_space);
    for word in CONNECTORS {
        if let Some(rest) = s.strip_prefix(word).filter(|r| r.starts_with(is_space)) {
            return rest.trim_start_matches(is_space);
        }
    }
    s
}

/// Reads the date and time at the start of a line, in either shape:
/// `[31/12/2020, 23:59:59] rest` (iOS) or `31/12/2020, 23:59 - rest` (Android).
fn head(line: &str) -> Option<Head<'_>> {
    let line = strip_marks(line);
    let (ios, s) = match line.strip_prefix('[') {
        Some(s) => (true, s),
        None => (false, line),
    };
    let (a, b, c, a_is_year, s) = parse_date(s)?;
    let s = between_date_and_time(s);
    let (hour, minute, second, twelve_hour, s) = parse_time(s)?;
    let rest = if ios {
        s.strip_prefix("] ").or_else(|| s.strip_prefix(']'))?
    } else {
        let s = s.trim_start_matches(is_space);
        s.strip_prefix("- ").or_else(|| s.strip_prefix('-'))?
    };
    Some(Head { stamp: Stamp { a, b, c, a_is_year, hour, minute, second, twelve_hour }, rest, ios })
}

/// Whether a line starts as a message line does (a date, then a time),
/// whether or not the rest reads: such a line is never merged into the
/// message before it without a flag naming it.
pub fn starts_like_a_message(line: &str) -> bool {
    let line = strip_marks(line);
    let s = line.strip_prefix('[').unwrap_or(line);
    let Some((_, _, _, _, s)) = parse_date(s) else { return false };
    let s = between_date_and_time(s);
    let s = crate::clock_marker::read_before(s).map_or(s, |(_, rest)| rest);
    number(s, 2).is_some_and(|(_, _, rest)| rest.starts_with([':', '.']))
}

/// Lines without a time that may stand before the first message (a title
/// some tools write, `WhatsApp Chat with Ann`): kept as notes; a file
/// with more is not a WhatsApp export.
const MAX_PREFACE_LINES: usize = 3;

/// Whether `text` reads as a WhatsApp export: one of its first lines with
/// anything on them, after at most [`MAX_PREFACE_LINES`] of preface, has a
/// message's date and time (used to detect the format from the content).
pub fn looks_like(text: &str) -> bool {
    text.lines()
        .map(strip_marks)
        .filter(|l| !l.trim().is_empty())
        .take(MAX_PREFACE_LINES + 1)
        .any(|l| head(l).is_some())
}

/// What the dates of a whole export say about their order, gathered as
/// the reader reads (a date whose first number is over 12 is day-first; one whose
/// second is over 12 is month-first), with the first line showing each.
#[derive(Debug, Default, Clone)]
pub struct OrderEvidence {
    day_first: Option<(u64, String)>,
    month_first: Option<(u64, String)>,
    year_first: u64,
    twelve_hour: u64,
    lines: u64,
}

/// The date order a read uses, and why it had to be assumed if it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderDecision {
    pub order: DateOrder,
    /// Set when nothing in the export or from the user settles the order:
    /// every time read is then marked uncertain.
    pub assumed: Option<String>,
}

impl OrderEvidence {
    /// Adds a message line's stamp, as the reader reads it.
    fn note(&mut self, line_no: u64, s: Stamp, line: &str) {
        self.lines += 1;
        if s.a_is_year {
            self.year_first += 1;
        } else if s.a > 12 {
            self.day_first.get_or_insert_with(|| (line_no, head_text(line).to_owned()));
        } else if s.b > 12 {
            self.month_first.get_or_insert_with(|| (line_no, head_text(line).to_owned()));
        }
        if s.twelve_hour.is_some() {
            self.twelve_hour += 1;
        }
    }

    /// The order: the one `given` (by the user, when the export cannot
    /// tell) unless a date contradicts it, else the one the dates show, else
    /// an assumption, said.
    pub fn decide(&self, given: Option<DateOrder>) -> Result<OrderDecision, String> {
        let known = |order| Ok(OrderDecision { order, assumed: None });
        if self.year_first > 0 {
            return known(DateOrder::YearFirst);
        }
        let contradiction = |(line, text): &(u64, String), is: &str| {
            format!("line {line} ({text:?}) can only be {is}, so the date order given does not fit this export")
        };
        match (&self.day_first, &self.month_first, given) {
            (Some((dl, dt)), Some((ml, mt)), _) => {
                Err(format!("some dates are day-first (line {dl}, {dt:?}) and others month-first (line {ml}, {mt:?})"))
            }
            (Some(d), None, Some(DateOrder::MonthFirst)) => Err(contradiction(d, "day-first")),
            (None, Some(m), Some(DateOrder::DayFirst)) => Err(contradiction(m, "month-first")),
            (_, _, Some(order)) => known(order),
            (Some(_), None, None) => known(DateOrder::DayFirst),
            (None, Some(_), None) => known(DateOrder::MonthFirst),
            (None, None, None) => {
                let (order, why) = if self.twelve_hour * 2 > self.lines {
                    (DateOrder::MonthFirst, "month-first assumed, as phones with a 12-hour clock mostly write it")
                } else {
                    (DateOrder::DayFirst, "day-first assumed, as phones with a 24-hour clock mostly write it")
                };
                Ok(OrderDecision {
                    order,
                    assumed: Some(format!(
                        "no date in the export shows whether it is day-first or month-first; {why}. Every time is \
                         marked uncertain: give the order to settle it (import again with --date-order dmy|mdy, or read it again from the conversation's page)."
                    )),
                })
            }
        }
    }
}

fn civil(stamp: Stamp, order: DateOrder) -> Option<jiff::civil::DateTime> {
    let (y, m, d) = match order {
        DateOrder::YearFirst => (stamp.a, stamp.b, stamp.c),
        DateOrder::DayFirst => (stamp.c, stamp.b, stamp.a),
        DateOrder::MonthFirst => (stamp.c, stamp.a, stamp.b),
    };
    let y = if y < 100 { 2000 + y } else { y };
    let hour = match stamp.twelve_hour {
        None => stamp.hour,
        Some(false) => stamp.hour % 12,
        Some(true) => stamp.hour % 12 + 12,
    };
    let second = stamp.second.min(59);
    jiff::civil::DateTime::new(
        i16::try_from(y).ok()?,
        i8::try_from(m).ok()?,
        i8::try_from(d).ok()?,
        i8::try_from(hour).ok()?,
        i8::try_from(stamp.minute).ok()?,
        i8::try_from(second).ok()?,
        0,
    )
    .ok()
}

/// Reads one line of at most [`MAX_LINE`] bytes (without its end), or
/// `None` at the end; a longer line is an error before it is held.
pub(crate) fn read_line(
    input: &mut impl BufRead,
    buf: &mut Vec<u8>,
    file: &str,
    line_no: u64,
) -> Result<bool, ChatError> {
    buf.clear();
    loop {
        let available = input.fill_buf()?;
        if available.is_empty() {
            return Ok(!buf.is_empty());
        }
        let (take, done) = match available.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (available.len(), false),
        };
        if buf.len() + take > MAX_LINE + 2 {
            return Err(ChatError::at(
                format!("{file} line {line_no}"),
                format!("the line is longer than {} KiB; no chat export has such lines", MAX_LINE / 1024),
            ));
        }
        buf.extend_from_slice(&available[..take]);
        input.consume(take);
        if done {
            while buf.last().is_some_and(|&b| b == b'\n' || b == b'\r') {
                buf.pop();
            }
            return Ok(true);
        }
    }
}

/// How exports say a message's media was left out, by locale.
const OMITTED: [&str; 15] = [
    "<Media omitted>",
    "image omitted",
    "video omitted",
    "audio omitted",
    "sticker omitted",
    "GIF omitted",
    "document omitted",
    "Contact card omitted",
    "<attached:",
    "<Medien ausgeschlossen>",
    "<Multimedia omitido>",
    "<Médias omis>",
    "<Mídia oculta>",
    "<Media weggelaten>",
    "<Media omessi>",
];
/// How Android names a file sent with the export, by locale
/// (`IMG-20210116-WA0002.jpg (file attached)`).
const ATTACHED: [&str; 7] = [
    "(file attached)",
    "(Datei angehängt)",
    "(archivo adjunto)",
    "(fichier joint)",
    "(arquivo anexado)",
    "(file allegato)",
    "(bestand bijgevoegd)",
];
const DELETED: [&str; 4] =
    ["This message was deleted", "You deleted this message", "This message was deleted.", "You deleted this message."];
const EDITED: &str = "<This message was edited>";
/// WhatsApp's opening notices: an export that starts with one starts at
/// the beginning of the conversation.
const OPENINGS: [&str; 4] =
    ["end-to-end encrypted", "secured with end-to-end encryption", "created group", "created this group"];

/// The stamp a message's time as written (`31/12/2020, 23:59`) reads as.
fn stamp_of(as_written: &str) -> Option<Stamp> {
    let (a, b, c, a_is_year, s) = parse_date(as_written)?;
    let (hour, minute, second, twelve_hour, _) = parse_time(between_date_and_time(s))?;
    Some(Stamp { a, b, c, a_is_year, hour, minute, second, twelve_hour })
}

/// Dates the messages of one WhatsApp read once the whole file has told
/// its date order: each message's time is read again from the time as
/// written, which the reader checked reads back to the same numbers.
#[derive(Debug, Clone, Copy)]
pub struct Dating {
    pub order: DateOrder,
    /// Whether the order was assumed: every message is then flagged.
    pub assumed: bool,
}

impl Dating {
    pub fn resolve(&self, m: &mut Message) -> Result<(), ChatError> {
        let at = || match m.source.rsplit_once(" lines ") {
            Some((file, lines)) => format!("{file} line {}", lines.split('–').next().unwrap_or(lines)),
            None => m.source.clone(),
        };
        let sent = stamp_of(&m.sent_as_written)
            .and_then(|s| civil(s, self.order))
            .ok_or_else(|| ChatError::at(at(), format!("{:?} is not a real date and time", m.sent_as_written)))?;
        m.sent = Sent::Local(sent);
        if self.assumed {
            m.irregular.push(Irregular::DateOrderAssumed);
        }
        Ok(())
    }
}

/// Reads a WhatsApp export and hands each message on in order, undated:
/// its date order is known only once the whole file has been read (see
/// [`WhatsAppFacts::evidence`] and [`Dating`]). Until dated, a message's
/// `sent` is the start of the Unix epoch.
pub struct WhatsAppReader {
    /// The file name shown in source locations (`chat.zip!_chat.txt`).
    pub file: String,
}

struct Pending {
    msg: Message,
    first_line: u64,
    last_line: u64,
}

impl WhatsAppReader {
    pub fn read(
        &self,
        mut input: impl BufRead,
        emit: &mut dyn FnMut(Item) -> Result<(), ChatError>,
    ) -> Result<WhatsAppFacts, ChatError> {
        let info =
            ConversationInfo { index: 0, title: title_of(&self.file), source: self.file.clone(), ..Default::default() };
        let mut buf = Vec::new();
        let mut line_no = 0u64;
        let mut pending: Option<Pending> = None;
        let mut facts = WhatsAppFacts::default();
        let mut announced = false;
        let mut preface: Vec<(u64, String)> = Vec::new();
        while read_line(&mut input, &mut buf, &self.file, line_no + 1)? {
            line_no += 1;
            let line = std::str::from_utf8(&buf)
                .map_err(|_| ChatError::at(format!("{} line {line_no}", self.file), "the line is not UTF-8 text"))?;
            match head(line) {
                Some(h) => {
                    if let Some(p) = pending.take() {
                        self.finish(p, emit, &mut facts)?;
                    }
                    if !announced {
                        announced = true;
                        let mut info = info.clone();
                        for (n, text) in preface.drain(..) {
                            info.notes.push(format!(
                                "{} line {n}, before the first message, has no time and is kept here as written: {text:?}",
                                self.file
                            ));
                        }
                        emit(Item::Conversation(info))?;
                    }
                    // The time is read again from the text kept, once the
                    // order is known: it must read back to these numbers.
                    if stamp_of(head_text(line)) != Some(h.stamp) {
                        return Err(ChatError::at(
                            format!("{} line {line_no}", self.file),
                            format!("the time {:?} does not read back as written", head_text(line)),
                        ));
                    }
                    facts.evidence.note(line_no, h.stamp, line);
                    let mut msg = self.message(&h, line, line_no);
                    if facts.messages == 0 {
                        opening_notice(&mut msg);
                    }
                    if h.stamp.zero_on_twelve_hour_clock() {
                        msg.irregular.push(Irregular::ZeroHourOnTwelveHourClock);
                        facts.notes.push(format!(
                            "{} line {line_no}: {:?} gives hour 00 on a 12-hour clock, which no clock shows; read as {} and flagged",
                            self.file,
                            head_text(line),
                            h.stamp.time_of_day()
                        ));
                    }
                    pending = Some(Pending { msg, first_line: line_no, last_line: line_no });
                }
                None => match pending.as_mut() {
                    Some(p) => {
                        if starts_like_a_message(line) {
                            // Never merged quietly: kept where it stands, as
                            // the export has it, and flagged by its line.
                            p.msg.irregular.push(Irregular::LineLikeAMessage(line_no));
                            facts.notes.push(format!(
                                "{} line {line_no} starts like a message ({:?}) but its time could not be read; \
                                 it is kept as a line of the message before it, which is flagged",
                                self.file,
                                head_text(line)
                            ));
                        }
                        p.msg.text.push('\n');
                        p.msg.text.push_str(line);
                        p.last_line = line_no;
                    }
                    None if line.trim().is_empty() => {}
                    None if preface.len() < MAX_PREFACE_LINES => preface.push((line_no, line.to_owned())),
                    None => {
                        return Err(ChatError::at(
                            format!("{} line {}", self.file, preface.first().map_or(line_no, |p| p.0)),
                            "the line does not start with a date and time as WhatsApp writes them",
                        ))
                    }
                },
            }
        }
        if let Some(p) = pending.take() {
            self.finish(p, emit, &mut facts)?;
        }
        if let Some((first, _)) = preface.first().filter(|_| !announced) {
            return Err(ChatError::at(
                format!("{} line {first}", self.file),
                "the line does not start with a date and time as WhatsApp writes them",
            ));
        }
        if !announced {
            return Err(ChatError::at(self.file.clone(), "no line in the form of a WhatsApp export"));
        }
        if EXPORT_CAPS.contains(&facts.messages) {
            facts.starts_late.get_or_insert(format!(
                "the export holds exactly {} messages, WhatsApp's limit for one export; earlier messages may have been left out",
                facts.messages
            ));
        }
        Ok(facts)
    }

    fn message(&self, h: &Head<'_>, line: &str, line_no: u64) -> Message {
        let rest = h.rest;
        let (sender, body) = match rest.split_once(": ") {
            Some((s, b)) if !s.is_empty() && s.chars().count() <= 100 => (Some(s.to_owned()), b),
            _ => (None, rest),
        };
        let marked = body.starts_with('\u{200e}');
        let body = strip_marks(body);
        let mut text = body.to_owned();
        let mut edited = false;
        if let Some(t) = text.strip_suffix(EDITED) {
            text = t.trim_end().to_owned();
            edited = true;
        }
        let deleted = DELETED.contains(&text.trim());
        let mut media = Vec::new();
        if OMITTED.iter().any(|m| text.starts_with(m)) || ATTACHED.iter().any(|a| text.ends_with(a)) {
            // iOS names an attached file as `<attached: NAME>`; keep the name.
            let named = text.strip_prefix("<attached: ").and_then(|t| t.strip_suffix('>'));
            media.push(named.unwrap_or(&text).to_owned());
        }
        let system = sender.is_none() || (h.ios && marked && media.is_empty() && !deleted);
        // iOS writes a notice under the group's name, marked with U+200E.
        let (sender, kind) = if system { (None, MessageKind::System) } else { (sender, MessageKind::Message) };
        Message {
            conversation: 0,
            id: None,
            sent: Sent::Instant { ms: 0 },
            sent_as_written: head_text(line).to_owned(),
            sender,
            sender_id: None,
            kind,
            text,
            media,
            links: Vec::new(),
            deleted,
            edited,
            reply_to: None,
            forwarded_from: None,
            source: format!("{} line {line_no}", self.file),
            irregular: Vec::new(),
        }
    }

    fn finish(
        &self,
        mut p: Pending,
        emit: &mut dyn FnMut(Item) -> Result<(), ChatError>,
        facts: &mut WhatsAppFacts,
    ) -> Result<(), ChatError> {
        if p.last_line > p.first_line {
            p.msg.source = format!("{} lines {}–{}", self.file, p.first_line, p.last_line);
        }
        if facts.messages == 0 && facts.starts_late.is_none() {
            let opening = p.msg.kind == MessageKind::System && OPENINGS.iter().any(|o| p.msg.text.contains(o));
            if !opening {
                facts.starts_late = Some(
                    "the export does not begin with WhatsApp's opening notice (encryption or group created); it may start after the conversation did".into(),
                );
            }
        }
        facts.messages += 1;
        emit(Item::Message(p.msg))
    }
}

/// What only the whole WhatsApp file tells.
#[derive(Debug, Default, Clone)]
pub struct WhatsAppFacts {
    pub messages: u64,
    /// What the dates say of their order.
    pub evidence: OrderEvidence,
    pub starts_late: Option<String>,
    /// Lines read irregularly, each named (see [`Irregular`]).
    pub notes: Vec<String>,
}

/// The opening notice as iOS writes it under a name (the contact's, or a
/// group's, as if the group had sent it), when the U+200E mark that
/// usually tells it apart has been lost: a notice, so the name is not
/// taken for a participant. Only the first line is read so; a later line
/// that merely mentions encryption stays the message it is.
fn opening_notice(msg: &mut Message) {
    let notice = msg.kind == MessageKind::Message
        && msg.media.is_empty()
        && msg.text.len() < 300
        && !msg.text.contains('\n')
        && msg.text.starts_with("Messages ")
        && OPENINGS[..2].iter().any(|o| msg.text.contains(o));
    if notice {
        msg.kind = MessageKind::System;
        msg.sender = None;
    }
}

/// The chat's name from Android's file name (`WhatsApp Chat with Ann.txt`,
/// `WhatsApp Chat - Ann.zip!_chat.txt`); iOS's `_chat.txt` names none.
fn title_of(file: &str) -> Option<String> {
    let base = file.split('!').next().unwrap_or(file).rsplit('/').next().unwrap_or(file);
    let stem = base.rsplit_once('.').map_or(base, |(s, _)| s);
    let name = stem.strip_prefix("WhatsApp Chat with ").or_else(|| stem.strip_prefix("WhatsApp Chat - "))?;
    (!name.trim().is_empty()).then(|| name.trim().to_owned())
}

/// The date and time part of a line, as written.
fn head_text(line: &str) -> &str {
    let line = strip_marks(line);
    let end = if line.starts_with('[') { line.find(']').map(|i| i + 1) } else { line.find(" - ") };
    // A char boundary, never a byte count: the line may be any text.
    let end = end.or_else(|| line.char_indices().nth(40).map(|(i, _)| i)).unwrap_or(line.len());
    line[..end].trim_start_matches('[').trim_end_matches(']')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, order: DateOrder) -> (Vec<Message>, WhatsAppFacts) {
        let mut out = Vec::new();
        let dating = Dating { order, assumed: false };
        let facts = WhatsAppReader { file: "chat.txt".into() }
            .read(text.as_bytes(), &mut |i| {
                if let Item::Message(mut m) = i {
                    dating.resolve(&mut m)?;
                    out.push(m);
                }
                Ok(())
            })
            .unwrap();
        (out, facts)
    }

    #[test]
    fn android_and_ios_lines_read_alike() {
        let android = "31/12/2020, 23:59 - Messages and calls are end-to-end encrypted.\n31/12/2020, 23:59 - Ann: Hi: there\nsecond line\n01/01/2021, 00:01 - Bo: <Media omitted>\n";
        let (m, facts) = read(android, DateOrder::DayFirst);
        assert_eq!(m.len(), 3);
        assert_eq!(m[0].kind, MessageKind::System);
        assert_eq!((m[1].sender.as_deref(), m[1].text.as_str()), (Some("Ann"), "Hi: there\nsecond line"));
        assert_eq!(m[1].source, "chat.txt lines 2–3");
        assert_eq!(m[2].media, vec!["<Media omitted>".to_owned()]);
        assert!(facts.starts_late.is_none());

        let ios = "\u{200e}[12/31/20, 11:59:58\u{202f}PM] Ann: \u{200e}image omitted\n[12/31/20, 11:59:59\u{202f}PM] Bo: \u{200e}This message was deleted.\n[1/1/21, 12:00:01\u{a0}AM] Ann: ok <This message was edited>\n";
        let (m, facts) = read(ios, DateOrder::MonthFirst);
        assert_eq!(m.len(), 3);
        assert_eq!(m[0].sent, Sent::Local(jiff::civil::date(2020, 12, 31).at(23, 59, 58, 0)));
        assert_eq!(m[0].media.len(), 1);
        assert!(m[1].deleted);
        assert!(m[2].edited && m[2].text == "ok");
        assert_eq!(m[2].sent, Sent::Local(jiff::civil::date(2021, 1, 1).at(0, 0, 1, 0)));
        assert!(facts.starts_late.is_some());
    }

    #[test]
    fn the_date_order_comes_from_the_whole_file() {
        let e = read("03/04/2021, 10:00 - A: x\n13/04/2021, 10:00 - A: x\n", DateOrder::DayFirst).1.evidence;
        assert_eq!(e.decide(None).unwrap(), OrderDecision { order: DateOrder::DayFirst, assumed: None });
        assert_eq!(
            e.decide(Some(DateOrder::MonthFirst)).unwrap_err(),
            "line 2 (\"13/04/2021, 10:00\") can only be day-first, so the date order given does not fit this export"
        );
        let e = read("[3/4/21, 10:00:00 AM] A: x\n", DateOrder::MonthFirst).1.evidence;
        let d = e.decide(None).unwrap();
        assert_eq!(d.order, DateOrder::MonthFirst);
        assert!(d.assumed.is_some());
        // Given by the user, the order is no longer assumed.
        assert_eq!(
            e.decide(Some(DateOrder::DayFirst)).unwrap(),
            OrderDecision { order: DateOrder::DayFirst, assumed: None }
        );
    }

    #[test]
    fn a_huge_line_is_refused_before_it_is_held() {
        let mut text = String::from("31/12/2020, 23:59 - Ann: ");
        text.push_str(&"x".repeat(MAX_LINE + 10));
        let e = WhatsAppReader { file: "chat.txt".into() }.read(text.as_bytes(), &mut |_| Ok(())).unwrap_err();
        assert_eq!(e.to_string(), "chat.txt line 1: the line is longer than 1024 KiB; no chat export has such lines");
    }

    #[test]
    fn a_file_with_no_whatsapp_line_is_refused_naming_the_line() {
        let e =
            WhatsAppReader { file: "chat.txt".into() }.read("hello\nworld\n".as_bytes(), &mut |_| Ok(())).unwrap_err();
        assert_eq!(
            e.to_string(),
            "chat.txt line 1: the line does not start with a date and time as WhatsApp writes them"
        );
    }
}
