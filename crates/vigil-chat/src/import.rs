//! An import from end to end, over an export that can be read more than
//! once: detect the format from the content, read it (a WhatsApp file is
//! read once first for its date order), analyse it, and write the timeline.
//! Each read streams; between reads only the analysis's few numbers per
//! message are kept. A zip is read for its one chat member (`_chat.txt`,
//! `result.json`); its other members are listed, never read.

use crate::analysis::{Analyser, Analysis, Flags};
use crate::error::ChatError;
use crate::local_time::{place, utc_text, Zone};
use crate::message::Item;
use crate::telegram::{self, TelegramReader};
use crate::timeline::{self, Header, Line, Original};
use crate::whatsapp::{self, DateOrder, OrderEvidence, WhatsAppReader};
use std::io::{self, BufRead, BufReader, Read, Seek, Write};

/// The importer's name and version, written into every timeline and its
/// custody note.
pub const IMPORTER: &str = concat!("vigil-chat ", env!("CARGO_PKG_VERSION"));

/// How much of an export is looked at to tell its format.
const SNIFF: usize = 64 << 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    WhatsApp,
    Telegram,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::WhatsApp => "whatsapp",
            Format::Telegram => "telegram",
        }
    }

    /// The platform that scopes usernames found in the export.
    fn platform(self) -> &'static str {
        match self {
            Format::WhatsApp => "whatsapp",
            Format::Telegram => "telegram",
        }
    }

    /// `auto` is `None`.
    pub fn parse(s: &str) -> Result<Option<Format>, ChatError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" | "" => Ok(None),
            "whatsapp" => Ok(Some(Format::WhatsApp)),
            "telegram" => Ok(Some(Format::Telegram)),
            other => Err(ChatError::Setting {
                field: "format",
                why: format!("{other:?} is not a format Vigil reads (auto, whatsapp or telegram)"),
            }),
        }
    }
}

/// Something that reads and seeks, for an export read more than once.
pub trait Export: Read + Seek {}
impl<T: Read + Seek> Export for T {}

/// Opens the export afresh for each read.
pub type Opener<'a> = dyn FnMut() -> io::Result<Box<dyn Export + 'a>> + 'a;

/// What is read, once decided: the format, the member of a zip, the date order.
#[derive(Debug, Clone)]
pub struct Plan {
    pub format: Format,
    /// The file name shown in source locations.
    pub name: String,
    pub member: Option<String>,
    pub skipped: Vec<String>,
    pub zone: Option<Zone>,
    pub zone_given_by: Option<String>,
    order: DateOrder,
    pub notes: Vec<String>,
}

fn detect(head: &[u8]) -> Option<Format> {
    let text = match std::str::from_utf8(head) {
        Ok(t) => t,
        // The sniffed head may end inside a character.
        Err(e) if e.valid_up_to() + 4 >= head.len() => std::str::from_utf8(&head[..e.valid_up_to()]).ok()?,
        Err(_) => return None,
    };
    if telegram::looks_like(text) {
        Some(Format::Telegram)
    } else if whatsapp::looks_like(text) {
        Some(Format::WhatsApp)
    } else {
        None
    }
}

fn sniff(r: &mut dyn Read) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(SNIFF);
    r.take(SNIFF as u64).read_to_end(&mut head)?;
    Ok(head)
}

/// A picture or other media in a zip, which the import does not read.
fn is_media(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [
        ".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic", ".mp4", ".mov", ".opus", ".ogg", ".mp3", ".m4a", ".pdf",
        ".vcf", ".webm", ".3gp",
    ]
    .iter()
    .any(|e| lower.ends_with(e))
}

/// Opens one read of the export: the file itself, or the chosen zip member.
fn with_input<T>(
    open: &mut Opener<'_>,
    plan_member: Option<&str>,
    name: &str,
    f: impl FnOnce(&mut dyn Read) -> Result<T, ChatError>,
) -> Result<T, ChatError> {
    let mut file = open()?;
    match plan_member {
        None => {
            let out = f(&mut file)?;
            // Read to the end, so nothing after what was read goes unseen.
            io::copy(&mut file, &mut io::sink())?;
            Ok(out)
        }
        Some(member) => {
            let mut zip = zip::ZipArchive::new(file)
                .map_err(|e| ChatError::at(name.to_owned(), format!("the zip cannot be read: {e}")))?;
            let mut m = zip
                .by_name(member)
                .map_err(|e| ChatError::at(format!("{name}!{member}"), format!("the member cannot be read: {e}")))?;
            let out = f(&mut m)?;
            io::copy(&mut m, &mut io::sink())
                .map_err(|e| ChatError::at(format!("{name}!{member}"), format!("the member is damaged: {e}")))?;
            Ok(out)
        }
    }
}

/// Decides the format (and, for a zip, the member) from the content.
pub fn plan(
    open: &mut Opener<'_>,
    name: &str,
    format: Option<Format>,
    zone: Option<Zone>,
    zone_given_by: Option<String>,
) -> Result<Plan, ChatError> {
    let head = {
        let mut f = open()?;
        sniff(&mut f)?
    };
    let mut member = None;
    let mut skipped = Vec::new();
    let found = if head.starts_with(b"PK\x03\x04") {
        let mut zip = zip::ZipArchive::new(open()?)
            .map_err(|e| ChatError::at(name.to_owned(), format!("the zip cannot be read: {e}")))?;
        let mut chosen = None;
        for i in 0..zip.len() {
            let mut m = zip
                .by_index(i)
                .map_err(|e| ChatError::at(name.to_owned(), format!("zip member {i} cannot be read: {e}")))?;
            let mname = m.name().to_owned();
            if m.is_dir() {
                continue;
            }
            if chosen.is_some() || is_media(&mname) {
                skipped.push(mname);
                continue;
            }
            let head = sniff(&mut m)
                .map_err(|e| ChatError::at(format!("{name}!{mname}"), format!("the member is damaged: {e}")))?;
            match detect(&head) {
                Some(f) if format.is_none_or(|want| want == f) => chosen = Some((f, mname)),
                _ => skipped.push(mname),
            }
        }
        let (f, m) = chosen.ok_or_else(|| {
            ChatError::NotAnExport(format!("{name} is a zip with no WhatsApp chat text or Telegram result.json in it"))
        })?;
        member = Some(m);
        f
    } else {
        match (format, detect(&head)) {
            (Some(f), _) => f,
            (None, Some(f)) => f,
            (None, None) => {
                let why = if head.contains(&0) {
                    "the file is binary, not a chat export's text or JSON".to_owned()
                } else {
                    "the content is neither a WhatsApp chat text nor a Telegram JSON export".to_owned()
                };
                return Err(ChatError::NotAnExport(format!("{name}: {why}")));
            }
        }
    };
    let shown = match &member {
        Some(m) => format!("{name}!{m}"),
        None => name.to_owned(),
    };
    let mut plan = Plan {
        format: found,
        name: shown,
        member,
        skipped,
        zone,
        zone_given_by,
        order: DateOrder::DayFirst,
        notes: Vec::new(),
    };
    if found == Format::WhatsApp {
        let shown = plan.name.clone();
        let (order, why) = with_input(open, plan.member.as_deref(), name, |r| {
            let mut evidence = OrderEvidence::default();
            let mut r = BufReader::with_capacity(64 << 10, r);
            let mut buf = Vec::new();
            let mut line = 0;
            while whatsapp::read_line(&mut r, &mut buf, &shown, line + 1)? {
                line += 1;
                if let Ok(t) = std::str::from_utf8(&buf) {
                    evidence.add(t);
                }
            }
            evidence.decide().map_err(|why| ChatError::at(shown.clone(), why))
        })?;
        plan.order = order;
        plan.notes.extend(why);
    }
    if plan.zone.is_none() && found == Format::WhatsApp {
        plan.notes.push("no time zone was given: times are shown as written, zone unknown".into());
    }
    Ok(plan)
}

/// One read of the export, each item handed to `emit`; returns why the
/// export may start late, where only the whole file says so.
fn read_items(
    plan: &Plan,
    open: &mut Opener<'_>,
    file_name: &str,
    emit: &mut dyn FnMut(Item) -> Result<(), ChatError>,
) -> Result<Option<String>, ChatError> {
    with_input(open, plan.member.as_deref(), file_name, |r| match plan.format {
        Format::WhatsApp => {
            let reader = WhatsAppReader { order: plan.order, file: plan.name.clone() };
            Ok(reader.read(BufReader::with_capacity(64 << 10, r), emit)?.starts_late)
        }
        Format::Telegram => {
            TelegramReader { file: plan.name.clone() }.read(r, emit)?;
            Ok(None)
        }
    })
}

/// Reads the export, analyses it, and fills in the sources the summaries
/// name (a second read where any are named).
pub fn analyse(plan: &Plan, open: &mut Opener<'_>, file_name: &str) -> Result<Analysis, ChatError> {
    let mut analyser = Analyser::new(plan.zone.clone(), plan.format.platform());
    let late = read_items(plan, open, file_name, &mut |item| {
        analyser.add(&item);
        Ok(())
    })?;
    let mut analysis = analyser.finish(late);
    if analysis.needs_sources() {
        let mut n = 0u32;
        read_items(plan, open, file_name, &mut |item| {
            if let Item::Message(m) = item {
                analysis.note_source(n, &m);
                n += 1;
            }
            Ok(())
        })?;
        if u64::from(n) != analysis.messages() {
            return Err(ChatError::Changed(format!(
                "{} messages on one read and {n} on the next",
                analysis.messages()
            )));
        }
        analysis.apply_sources();
    }
    Ok(analysis)
}

/// The timeline's header for an analysis.
pub fn header(plan: &Plan, analysis: &Analysis, original: Original) -> Header {
    Header {
        timeline: timeline::KIND.into(),
        version: timeline::VERSION,
        importer: IMPORTER.into(),
        format: plan.format.name().into(),
        original,
        member: plan.member.clone(),
        skipped: plan.skipped.clone(),
        timezone: plan.zone.as_ref().map(|z| z.name().to_owned()),
        zone_given_by: plan.zone_given_by.clone(),
        notes: plan.notes.clone(),
        messages: analysis.messages(),
        conversations: timeline::summaries(&analysis.conversations),
        identifiers: timeline::identifiers(&analysis.identifiers),
        identifiers_not_kept: analysis.identifiers_not_kept,
    }
}

/// Writes the timeline: the header, then one line per message with its flags.
pub fn write_timeline(
    plan: &Plan,
    analysis: &Analysis,
    original: Original,
    open: &mut Opener<'_>,
    file_name: &str,
    out: &mut dyn Write,
) -> Result<(), ChatError> {
    let mut out = io::BufWriter::with_capacity(256 << 10, out);
    serde_json::to_writer(&mut out, &header(plan, analysis, original)).map_err(io::Error::from)?;
    out.write_all(b"\n")?;
    let mut n = 0u32;
    read_items(plan, open, file_name, &mut |item| {
        let Item::Message(m) = item else { return Ok(()) };
        let Some(flags) = analysis.flags.get(n as usize).copied() else {
            return Err(ChatError::Changed(format!(
                "more than the {} messages of the first read",
                analysis.messages()
            )));
        };
        n += 1;
        let placed = place(m.sent, plan.zone.as_ref());
        let line = Line {
            n,
            conversation: m.conversation,
            id: m.id,
            time: placed.ms.map(utc_text).unwrap_or_else(|| m.sent_as_written.clone()),
            later_time: placed.later_ms.map(utc_text),
            basis: placed.basis,
            as_written: m.sent_as_written,
            sender: m.sender,
            sender_id: m.sender_id,
            kind: m.kind,
            text: m.text,
            media: m.media,
            links: m.links,
            reply_to: m.reply_to,
            forwarded_from: m.forwarded_from,
            flags: Flags::names(flags).into_iter().map(str::to_owned).collect(),
            source: m.source,
        };
        serde_json::to_writer(&mut out, &line).map_err(io::Error::from)?;
        out.write_all(b"\n")?;
        Ok(())
    })?;
    if u64::from(n) != analysis.messages() {
        return Err(ChatError::Changed(format!("{} messages on one read and {n} on the next", analysis.messages())));
    }
    out.flush()?;
    Ok(())
}

/// Reads a timeline back: its header, then each line in turn.
pub fn read_timeline(
    input: impl BufRead,
    mut each: impl FnMut(&Line) -> Result<(), timeline::TimelineError>,
) -> Result<Header, timeline::TimelineError> {
    let mut lines = input.lines();
    let first = lines
        .next()
        .transpose()
        .map_err(|e| timeline::TimelineError { line: 1, why: e.to_string() })?
        .ok_or(timeline::TimelineError { line: 1, why: "the timeline is empty".into() })?;
    let header = timeline::read_header(&first)?;
    for (i, l) in lines.enumerate() {
        let n = i as u64 + 2;
        let l = l.map_err(|e| timeline::TimelineError { line: n, why: e.to_string() })?;
        each(&timeline::read_line(n, &l)?)?;
    }
    Ok(header)
}
