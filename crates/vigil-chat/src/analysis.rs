//! What a whole export says about itself, gathered in one pass over its
//! messages while only a few numbers per message are kept: counts,
//! participants, first and last, and the flags that show something is
//! missing (replies to messages not in the export, gaps in a chat's own
//! numbering, silences far longer than the conversation's rhythm) or odd
//! (times out of order, duplicates, local times the clocks make ambiguous).

use crate::identifier_scan;
use crate::local_time::{place, utc_text, Placed, TimeBasis, Zone};
use crate::message::{ConversationInfo, Item, Message, MessageKind};
use serde::Serialize;
use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::{Hash, Hasher};

/// A silence is a possible gap when it is longer than this many times the
/// conversation's 95th-percentile interval, and longer than [`MIN_GAP_MS`].
const GAP_FACTOR: i64 = 20;
const MIN_GAP_MS: i64 = 6 * 3600 * 1000;
/// Fewer intervals than this say too little about a rhythm to call a silence odd.
const MIN_INTERVALS: usize = 20;
/// Sources the first pass keeps for the summaries; past this, a second
/// read finds the rest.
const MAX_KEPT_SOURCES: usize = 200_000;
/// Distinct identifiers kept from one export; the rest are counted.
const MAX_IDENTIFIERS: usize = 100_000;

/// One message's flags, as bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Flags(pub u16);

impl Flags {
    pub const DELETED: u16 = 1;
    pub const EDITED: u16 = 1 << 1;
    pub const REPLY_TO_MISSING: u16 = 1 << 2;
    pub const ID_GAP_BEFORE: u16 = 1 << 3;
    pub const AFTER_POSSIBLE_GAP: u16 = 1 << 4;
    pub const OUT_OF_ORDER: u16 = 1 << 5;
    pub const DUPLICATE: u16 = 1 << 6;
    pub const AMBIGUOUS_TIME: u16 = 1 << 7;
    pub const IMPOSSIBLE_TIME: u16 = 1 << 8;
    /// Holds a line that starts like a message of its own but could not be
    /// read as one (never merged without this flag).
    pub const LINE_LIKE_A_MESSAGE: u16 = 1 << 9;
    /// The export does not tell its date order and none was given: the day
    /// and month of this time may be swapped.
    pub const DATE_ORDER_ASSUMED: u16 = 1 << 10;

    const NAMES: [(u16, &'static str); 11] = [
        (Self::DELETED, "deleted"),
        (Self::EDITED, "edited"),
        (Self::REPLY_TO_MISSING, "reply-to-missing"),
        (Self::ID_GAP_BEFORE, "id-gap-before"),
        (Self::AFTER_POSSIBLE_GAP, "after-possible-gap"),
        (Self::OUT_OF_ORDER, "out-of-order"),
        (Self::DUPLICATE, "duplicate"),
        (Self::AMBIGUOUS_TIME, "ambiguous-time"),
        (Self::IMPOSSIBLE_TIME, "impossible-time"),
        (Self::LINE_LIKE_A_MESSAGE, "holds-a-line-like-a-message"),
        (Self::DATE_ORDER_ASSUMED, "date-order-assumed"),
    ];

    pub fn has(self, bit: u16) -> bool {
        self.0 & bit != 0
    }

    /// The flag names, in a fixed order.
    pub fn names(self) -> Vec<&'static str> {
        Self::NAMES.iter().filter(|(b, _)| self.has(*b)).map(|(_, n)| *n).collect()
    }
}

/// A time as the timeline shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShownTime {
    /// RFC 3339 UTC where the instant is known; otherwise the wall-clock
    /// time as the export wrote it.
    pub time: String,
    pub basis: TimeBasis,
}

impl ShownTime {
    pub fn of(placed: &Placed, as_written: &str) -> ShownTime {
        ShownTime { time: placed.ms.map(utc_text).unwrap_or_else(|| as_written.to_owned()), basis: placed.basis }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Participant {
    pub name: String,
    /// The platform's identifiers for this name (a user ID, a snowflake).
    pub ids: Vec<String>,
    pub messages: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MissingReference {
    /// The replying message's number in the timeline (from 1).
    pub message_number: u32,
    /// Where it is in the original.
    pub message: String,
    pub message_id: Option<String>,
    /// The ID it replies to, which the export does not hold.
    pub refers_to: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IdGap {
    pub after_id: i64,
    pub before_id: i64,
    /// How many numbers are missing between them.
    pub missing: i64,
    /// The number in the timeline of the message after the gap, and where
    /// it is in the original.
    pub before_message_number: u32,
    pub before_message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PossibleGap {
    pub from: ShownTime,
    pub to: ShownTime,
    pub silence_hours: f64,
    /// The conversation's usual interval that the silence is compared with.
    pub typical_minutes: f64,
    /// The first message after the silence: its number in the timeline and
    /// where it is in the original.
    pub before_message_number: u32,
    pub before_message: String,
}

/// Lines read irregularly named one by one in a summary's notes.
const MAX_READER_NOTES: usize = 50;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub index: u32,
    pub title: Option<String>,
    pub chat_kind: Option<String>,
    pub platform_id: Option<String>,
    pub participants: Vec<Participant>,
    pub messages: u64,
    pub system_messages: u64,
    pub first: Option<ShownTime>,
    pub last: Option<ShownTime>,
    pub deleted: u64,
    pub edited: u64,
    pub media: u64,
    pub ambiguous_times: u64,
    pub impossible_times: u64,
    pub out_of_order: u64,
    pub duplicates: u64,
    pub missing_references: Vec<MissingReference>,
    /// Only for chats the platform numbers on their own.
    pub id_gaps: Vec<IdGap>,
    pub possible_gaps: Vec<PossibleGap>,
    /// Why the export may start after the conversation did.
    pub starts_late: Option<String>,
    /// What the export says of its own limits.
    pub notes: Vec<String>,
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FoundIdentifier {
    pub identifier: String,
    /// The first message (or participant field) it was found in.
    pub first_source: String,
    pub occurrences: u64,
}

struct Conv {
    info: ConversationInfo,
    messages: u64,
    system: u64,
    deleted: u64,
    edited: u64,
    media: u64,
    ambiguous: u64,
    impossible: u64,
    out_of_order: u64,
    duplicates: u64,
    first: Option<(i64, ShownTime)>,
    last: Option<(i64, ShownTime)>,
    participants: BTreeMap<String, (BTreeSet<String>, u64)>,
    /// Hashed message IDs with the message's number.
    ids: Vec<(u64, u32)>,
    /// Numeric IDs, for chats numbered on their own.
    numbers: Vec<(i64, u32)>,
    /// (message number, hashed ID it refers to, the ID as written).
    refs: Vec<(u32, u64, String)>,
    times: Vec<(i64, u32)>,
    previous_order: Option<i64>,
    /// The previous message's ID number and time, in export order, for
    /// noticing which messages a summary may name.
    last_number: Option<i64>,
    last_time: Option<i64>,
}

/// The first pass: feed it every item, then [`Analyser::finish`].
pub struct Analyser {
    zone: Option<Zone>,
    platform: &'static str,
    convs: Vec<Conv>,
    flags: Vec<Flags>,
    /// Sources kept in the first pass, by message number from 1.
    kept: HashMap<u32, (String, Option<String>)>,
    seen: HashSet<u64>,
    identifiers: BTreeMap<String, FoundIdentifier>,
    identifiers_not_kept: u64,
    scratch: Vec<vigil_domain::Identifier>,
}

fn hash_of(parts: impl Hash) -> u64 {
    let mut h = DefaultHasher::new();
    parts.hash(&mut h);
    h.finish()
}

impl Analyser {
    pub fn new(zone: Option<Zone>, platform: &'static str) -> Self {
        Analyser {
            zone,
            platform,
            convs: Vec::new(),
            flags: Vec::new(),
            kept: HashMap::new(),
            seen: HashSet::new(),
            identifiers: BTreeMap::new(),
            identifiers_not_kept: 0,
            scratch: Vec::new(),
        }
    }

    pub fn zone(&self) -> Option<&Zone> {
        self.zone.as_ref()
    }

    pub fn add(&mut self, item: &Item) {
        match item {
            Item::Conversation(info) => {
                for p in &info.declared_participants {
                    self.scratch.clear();
                    identifier_scan::in_text(p, self.platform, &mut self.scratch);
                    self.note_identifiers(&info.source);
                }
                self.convs.push(Conv {
                    info: info.clone(),
                    messages: 0,
                    system: 0,
                    deleted: 0,
                    edited: 0,
                    media: 0,
                    ambiguous: 0,
                    impossible: 0,
                    out_of_order: 0,
                    duplicates: 0,
                    first: None,
                    last: None,
                    participants: BTreeMap::new(),
                    ids: Vec::new(),
                    numbers: Vec::new(),
                    refs: Vec::new(),
                    times: Vec::new(),
                    previous_order: None,
                    last_number: None,
                    last_time: None,
                });
            }
            Item::Message(m) => self.message(m),
        }
    }

    fn message(&mut self, m: &Message) {
        let n = self.flags.len() as u32;
        let placed = place(m.sent, self.zone.as_ref());
        let mut flags = 0u16;
        let Some(c) = self.convs.iter_mut().rfind(|c| c.info.index == m.conversation) else {
            // Importers announce a conversation before its messages.
            self.flags.push(Flags(0));
            return;
        };
        c.messages += 1;
        if m.kind == MessageKind::System {
            c.system += 1;
        }
        if m.deleted {
            c.deleted += 1;
            flags |= Flags::DELETED;
        }
        if m.edited {
            c.edited += 1;
            flags |= Flags::EDITED;
        }
        if !m.media.is_empty() {
            c.media += 1;
        }
        let zero_hour = m.irregular.contains(&crate::message::Irregular::ZeroHourOnTwelveHourClock);
        match placed.basis {
            TimeBasis::Ambiguous => {
                c.ambiguous += 1;
                flags |= Flags::AMBIGUOUS_TIME;
            }
            TimeBasis::Impossible => {
                c.impossible += 1;
                flags |= Flags::IMPOSSIBLE_TIME;
            }
            _ if zero_hour => {
                c.impossible += 1;
                flags |= Flags::IMPOSSIBLE_TIME;
            }
            _ => {}
        }
        if m.irregular.iter().any(|i| matches!(i, crate::message::Irregular::LineLikeAMessage(_))) {
            flags |= Flags::LINE_LIKE_A_MESSAGE;
        }
        if m.irregular.contains(&crate::message::Irregular::DateOrderAssumed) {
            flags |= Flags::DATE_ORDER_ASSUMED;
        }
        let order = placed.order_ms;
        // Order is only judged between instants that are certain: a local
        // time the clocks make ambiguous or impossible has no one instant.
        let certain = !matches!(placed.basis, TimeBasis::Ambiguous | TimeBasis::Impossible);
        if certain {
            if c.previous_order.is_some_and(|p| order < p) {
                c.out_of_order += 1;
                flags |= Flags::OUT_OF_ORDER;
            }
            c.previous_order = Some(order);
        }
        if c.first.as_ref().is_none_or(|(o, _)| order < *o) {
            c.first = Some((order, ShownTime::of(&placed, &m.sent_as_written)));
        }
        if c.last.as_ref().is_none_or(|(o, _)| order >= *o) {
            c.last = Some((order, ShownTime::of(&placed, &m.sent_as_written)));
        }
        if let Some(sender) = &m.sender {
            let entry = c.participants.entry(sender.clone()).or_default();
            entry.1 += 1;
            if let Some(id) = &m.sender_id {
                if !entry.0.contains(id) {
                    entry.0.insert(id.clone());
                }
            }
        }
        // A message's identity: its ID where the platform gives one, else
        // who sent what when.
        let key = match &m.id {
            Some(id) => hash_of((m.conversation, 0u8, id)),
            None => hash_of((m.conversation, 1u8, &m.sender, order, &m.text)),
        };
        if !self.seen.insert(key) {
            c.duplicates += 1;
            flags |= Flags::DUPLICATE;
        }
        if let Some(id) = &m.id {
            c.ids.push((hash_of(id), n));
            if c.info.numbered_per_chat {
                if let Ok(num) = id.parse::<i64>() {
                    c.numbers.push((num, n));
                }
            }
        }
        if let Some(r) = &m.reply_to {
            c.refs.push((n, hash_of(r), r.clone()));
        }
        c.times.push((order, n));
        // A message a summary may name (a reply, one after a jump in the
        // numbering or a silence of more than the shortest possible gap)
        // keeps its source now, so a second read is needed only for an
        // export out of order.
        let number = m.id.as_deref().and_then(|i| i.parse::<i64>().ok()).filter(|_| c.info.numbered_per_chat);
        let jump = number.is_some_and(|x| c.last_number.is_some_and(|l| x != l + 1));
        let silence = c.last_time.is_some_and(|t| order - t > MIN_GAP_MS || order < t);
        if (m.reply_to.is_some() || jump || silence) && self.kept.len() < MAX_KEPT_SOURCES {
            self.kept.insert(n + 1, (m.source.clone(), m.id.clone()));
        }
        c.last_number = number.or(c.last_number);
        c.last_time = Some(order);
        self.flags.push(Flags(flags));
        self.scratch.clear();
        identifier_scan::in_text(&m.text, self.platform, &mut self.scratch);
        for l in &m.links {
            self.scratch.extend(vigil_domain::Identifier::normalise(l, self.platform));
        }
        if let Some(s) = &m.sender {
            identifier_scan::phones(s, &mut self.scratch);
        }
        if let Some(id) = &m.sender_id {
            self.scratch.extend(vigil_domain::Identifier::normalise(id, self.platform));
        }
        if !self.scratch.is_empty() {
            self.note_identifiers(&m.source);
        }
    }

    fn note_identifiers(&mut self, source: &str) {
        for id in self.scratch.drain(..) {
            let text = id.to_string();
            if let Some(found) = self.identifiers.get_mut(&text) {
                found.occurrences += 1;
            } else if self.identifiers.len() < MAX_IDENTIFIERS {
                self.identifiers.insert(
                    text.clone(),
                    FoundIdentifier { identifier: text, first_source: source.to_owned(), occurrences: 1 },
                );
            } else {
                self.identifiers_not_kept += 1;
            }
        }
    }

    /// Ends the first pass: decides the flags that need the whole export.
    pub fn finish(mut self, starts_late: Option<String>, reader_notes: Vec<String>) -> Analysis {
        // What the reader found irregular, line by line, on the first
        // conversation (the one a single-file export has), at most
        // MAX_READER_NOTES named and the rest counted.
        if let Some(c) = self.convs.first_mut() {
            let more = reader_notes.len().saturating_sub(MAX_READER_NOTES);
            c.info.notes.extend(reader_notes.into_iter().take(MAX_READER_NOTES));
            if more > 0 {
                c.info.notes.push(format!("{more} more lines read irregularly, flagged on their messages"));
            }
        }
        let mut summaries = Vec::new();
        for c in &mut self.convs {
            let mut missing = Vec::new();
            c.ids.sort_unstable();
            for (n, key, raw) in &c.refs {
                let held = c.ids.binary_search_by(|(k, _)| k.cmp(key)).is_ok();
                if !held {
                    self.flags[*n as usize].0 |= Flags::REPLY_TO_MISSING;
                    missing.push(MissingReference {
                        message_number: n + 1,
                        message: String::new(),
                        message_id: None,
                        refers_to: raw.clone(),
                    });
                }
            }
            let mut id_gaps = Vec::new();
            let mut late = c.info.starts_late.clone();
            if c.info.numbered_per_chat && !c.numbers.is_empty() {
                c.numbers.sort_unstable();
                c.numbers.dedup_by_key(|(num, _)| *num);
                let lowest = c.numbers[0].0;
                if lowest > 1 {
                    late.get_or_insert(format!(
                        "the chat's messages are numbered from 1 and the lowest number here is {lowest}; messages 1 to {} are not in the export",
                        lowest - 1
                    ));
                }
                for w in c.numbers.windows(2) {
                    let ((a, _), (b, nb)) = (w[0], w[1]);
                    if b > a + 1 {
                        self.flags[nb as usize].0 |= Flags::ID_GAP_BEFORE;
                        id_gaps.push(IdGap {
                            after_id: a,
                            before_id: b,
                            missing: b - a - 1,
                            before_message_number: nb + 1,
                            before_message: String::new(),
                        });
                    }
                }
            }
            let mut possible = Vec::new();
            c.times.sort_unstable();
            let intervals: Vec<i64> = c.times.windows(2).map(|w| w[1].0 - w[0].0).collect();
            if intervals.len() >= MIN_INTERVALS {
                let mut sorted = intervals.clone();
                sorted.sort_unstable();
                let p95 = sorted[(sorted.len() * 95 / 100).min(sorted.len() - 1)].max(1000);
                let threshold = (p95 * GAP_FACTOR).max(MIN_GAP_MS);
                for (i, gap) in intervals.iter().enumerate() {
                    if *gap > threshold {
                        let (from_ms, _) = c.times[i];
                        let (to_ms, nb) = c.times[i + 1];
                        self.flags[nb as usize].0 |= Flags::AFTER_POSSIBLE_GAP;
                        possible.push(PossibleGap {
                            from: shown_order(from_ms, c.first.as_ref().map(|f| f.1.basis)),
                            to: shown_order(to_ms, c.first.as_ref().map(|f| f.1.basis)),
                            silence_hours: round2(*gap as f64 / 3_600_000.0),
                            typical_minutes: round2(p95 as f64 / 60_000.0),
                            before_message_number: nb + 1,
                            before_message: String::new(),
                        });
                    }
                }
            }
            let late = late.or_else(|| if c.info.index == 0 { starts_late.clone() } else { None });
            summaries.push(Summary {
                index: c.info.index,
                title: c.info.title.clone(),
                chat_kind: c.info.chat_kind.clone(),
                platform_id: c.info.platform_id.clone(),
                participants: participants(c),
                messages: c.messages,
                system_messages: c.system,
                first: c.first.as_ref().map(|f| f.1.clone()),
                last: c.last.as_ref().map(|l| l.1.clone()),
                deleted: c.deleted,
                edited: c.edited,
                media: c.media,
                ambiguous_times: c.ambiguous,
                impossible_times: c.impossible,
                out_of_order: c.out_of_order,
                duplicates: c.duplicates,
                missing_references: missing,
                id_gaps,
                possible_gaps: possible,
                starts_late: late,
                notes: c.info.notes.clone(),
                source: c.info.source.clone(),
            });
        }
        let mut wanted = BTreeMap::new();
        for s in &summaries {
            let numbers = s.missing_references.iter().map(|r| r.message_number);
            let numbers = numbers.chain(s.id_gaps.iter().map(|g| g.before_message_number));
            for n in numbers.chain(s.possible_gaps.iter().map(|g| g.before_message_number)) {
                wanted.insert(n, self.kept.get(&n).cloned());
            }
        }
        Analysis {
            conversations: summaries,
            flags: self.flags,
            wanted,
            identifiers: self.identifiers.into_values().collect(),
            identifiers_not_kept: self.identifiers_not_kept,
        }
    }
}

fn participants(c: &Conv) -> Vec<Participant> {
    let mut names: BTreeMap<&str, Participant> = BTreeMap::new();
    for d in &c.info.declared_participants {
        names.insert(d, Participant { name: d.clone(), ids: Vec::new(), messages: 0 });
    }
    for (name, (ids, count)) in &c.participants {
        let p = names.entry(name).or_insert_with(|| Participant { name: name.clone(), ids: Vec::new(), messages: 0 });
        p.ids = ids.iter().cloned().collect();
        p.messages = *count;
    }
    names.into_values().collect()
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// A time from its ordering key: an instant unless the zone is unknown,
/// when the key is the wall-clock time read as UTC.
fn shown_order(ms: i64, basis: Option<TimeBasis>) -> ShownTime {
    match basis {
        Some(TimeBasis::ZoneUnknown) => {
            let t = utc_text(ms);
            ShownTime {
                time: t.trim_end_matches('Z').trim_end_matches(".000").to_owned(),
                basis: TimeBasis::ZoneUnknown,
            }
        }
        _ => ShownTime { time: utc_text(ms), basis: basis.unwrap_or(TimeBasis::Platform) },
    }
}

/// What the first pass found: summaries for the record and the flags each
/// message will carry in the timeline.
#[derive(Debug, Clone)]
pub struct Analysis {
    pub conversations: Vec<Summary>,
    pub flags: Vec<Flags>,
    /// The messages the summaries name, by number from 1, with their source
    /// and ID once a second read has found them.
    wanted: BTreeMap<u32, Option<(String, Option<String>)>>,
    pub identifiers: Vec<FoundIdentifier>,
    pub identifiers_not_kept: u64,
}

impl Analysis {
    pub fn messages(&self) -> u64 {
        self.flags.len() as u64
    }

    /// Whether the summaries still need the sources of some messages (a
    /// second read, handing each message to [`Analysis::note_source`]).
    pub fn needs_sources(&self) -> bool {
        self.wanted.values().any(Option::is_none)
    }

    /// Notes where message `n` (from 0, in export order) is, if a summary names it.
    pub fn note_source(&mut self, n: u32, m: &Message) {
        if let Some(slot) = self.wanted.get_mut(&(n + 1)) {
            *slot = Some((m.source.clone(), m.id.clone()));
        }
    }

    /// Puts the noted sources into the summaries.
    pub fn apply_sources(&mut self) {
        let found = |n: u32| self.wanted.get(&n).cloned().flatten().unwrap_or_default();
        for s in &mut self.conversations {
            for r in &mut s.missing_references {
                (r.message, r.message_id) = found(r.message_number);
            }
            for g in &mut s.id_gaps {
                g.before_message = found(g.before_message_number).0;
            }
            for g in &mut s.possible_gaps {
                g.before_message = found(g.before_message_number).0;
            }
        }
    }
}
