//! An import from end to end: detect the format from the content, read
//! the export once into a spool (analysing on a second thread as it is
//! read), then write the timeline from the spool. A zip is read for its
//! chat member (`_chat.txt`, `result.json`, `messages.json`, or every
//! `message_N.json` of one Instagram thread); its other members are
//! listed, never read.

use crate::analysis::{Analyser, Analysis, Flags};
use crate::discord;
use crate::discord::DiscordReader;
use crate::error::ChatError;
use crate::instagram;
use crate::local_time::{place, utc_text, Zone};
use crate::message::Item;
use crate::spool::{SpoolReader, SpoolWriter};
use crate::telegram::{self, TelegramReader};
use crate::timeline::{self, Header, Line, Original, PageIndex};
use crate::whatsapp::{self, DateOrder, Dating, OrderEvidence, WhatsAppReader};
use std::io::{self, BufRead, BufReader, Read, Seek, Write};

/// The importer's name, version and build (`vigil-chat 0.1.0 (build
/// 1a2b3c4d5e6f)`), written into every timeline and its custody note.
pub fn importer() -> &'static str {
    static NAME: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    NAME.get_or_init(|| {
        let b = vigil_build::BUILD;
        format!("vigil-chat {} (build {})", b.version, b.short_commit())
    })
}

/// How much of an export is looked at to tell its format.
const SNIFF: usize = 64 << 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    WhatsApp,
    Telegram,
    /// DiscordChatExporter's JSON.
    Discord,
    /// The official Discord data package's `messages.json`.
    DiscordPackageJson,
    /// The official Discord data package's older `messages.csv`.
    DiscordPackageCsv,
    /// Instagram or Facebook Messenger's `message_N.json`.
    Instagram,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::WhatsApp => "whatsapp",
            Format::Telegram => "telegram",
            Format::Discord => "discord",
            Format::DiscordPackageJson => "discord-package-json",
            Format::DiscordPackageCsv => "discord-package-csv",
            Format::Instagram => "instagram",
        }
    }

    /// The platform that scopes usernames found in the export.
    fn platform(self) -> &'static str {
        match self {
            Format::WhatsApp => "whatsapp",
            Format::Telegram => "telegram",
            Format::Discord | Format::DiscordPackageJson | Format::DiscordPackageCsv => "discord",
            Format::Instagram => "instagram",
        }
    }

    /// Whether a format the officer named covers this detected one.
    fn covers(self, detected: Format) -> bool {
        self == detected
            || (self == Format::Discord && matches!(detected, Format::DiscordPackageJson | Format::DiscordPackageCsv))
    }

    /// The format a timeline's header names (see [`Format::name`]).
    pub fn from_name(name: &str) -> Option<Format> {
        [
            Format::WhatsApp,
            Format::Telegram,
            Format::Discord,
            Format::DiscordPackageJson,
            Format::DiscordPackageCsv,
            Format::Instagram,
        ]
        .into_iter()
        .find(|f| f.name() == name)
    }

    /// `auto` is `None`.
    pub fn parse(s: &str) -> Result<Option<Format>, ChatError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" | "" => Ok(None),
            "whatsapp" => Ok(Some(Format::WhatsApp)),
            "telegram" => Ok(Some(Format::Telegram)),
            "discord" => Ok(Some(Format::Discord)),
            "instagram" | "messenger" => Ok(Some(Format::Instagram)),
            other => Err(ChatError::Setting {
                field: "format",
                why: format!("{other:?} is not a format Vigil reads (auto, whatsapp, telegram, discord or instagram)"),
            }),
        }
    }
}

/// Something that reads and seeks: a zip, whose members are found from its end.
pub trait Export: Read + Seek {}
impl<T: Read + Seek> Export for T {}

/// Opens the export afresh (a zip, for its members).
pub type Opener<'a> = dyn FnMut() -> io::Result<Box<dyn Export + 'a>> + 'a;

/// What is read, once decided: the format, the members of a zip, the date order.
#[derive(Debug, Clone)]
pub struct Plan {
    pub format: Format,
    /// The file name shown in source locations.
    pub name: String,
    /// For a zip, the members read, in reading order (a thread split
    /// across files: oldest first).
    pub members: Vec<String>,
    pub skipped: Vec<String>,
    pub zone: Option<Zone>,
    pub zone_given_by: Option<String>,
    order: DateOrder,
    /// The date order the user gave (for an export that cannot tell).
    pub date_order_given: Option<DateOrder>,
    /// Nothing settled the date order: every time is flagged uncertain.
    pub order_assumed: bool,
    pub notes: Vec<String>,
}

fn detect(head: &[u8]) -> Option<Format> {
    let text = match std::str::from_utf8(head) {
        Ok(t) => t,
        // The sniffed head may end inside a character.
        Err(e) if e.valid_up_to() + 4 >= head.len() => std::str::from_utf8(&head[..e.valid_up_to()]).ok()?,
        Err(_) => return None,
    };
    if discord::looks_like_exporter(text) {
        Some(Format::Discord)
    } else if discord::looks_like_package_json(text) {
        Some(Format::DiscordPackageJson)
    } else if discord::looks_like_package_csv(text) {
        Some(Format::DiscordPackageCsv)
    } else if instagram::looks_like(text) {
        Some(Format::Instagram)
    } else if telegram::looks_like(text) {
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

/// Runs `f` over each input of one read: the file itself, or each chosen
/// zip member in order, with the name its sources carry.
fn each_input(
    open: &mut Opener<'_>,
    members: &[String],
    name: &str,
    mut f: impl FnMut(&mut dyn Read, &str, u32) -> Result<(), ChatError>,
) -> Result<(), ChatError> {
    let mut file = open()?;
    if members.is_empty() {
        f(&mut file, name, 0)?;
        // Read to the end, so nothing after what was read goes unseen.
        io::copy(&mut file, &mut io::sink())?;
        return Ok(());
    }
    let mut zip = zip::ZipArchive::new(file)
        .map_err(|e| ChatError::at(name.to_owned(), format!("the zip cannot be read: {e}")))?;
    for (i, member) in members.iter().enumerate() {
        let shown = format!("{name}!{member}");
        let mut m =
            zip.by_name(member).map_err(|e| ChatError::at(shown.clone(), format!("the member cannot be read: {e}")))?;
        f(&mut m, &shown, i as u32)?;
        io::copy(&mut m, &mut io::sink())
            .map_err(|e| ChatError::at(shown.clone(), format!("the member is damaged: {e}")))?;
    }
    Ok(())
}

/// The folder of a zip member (`messages/inbox/ann_1/`).
fn folder(member: &str) -> &str {
    member.rsplit_once('/').map_or("", |(d, _)| d)
}

/// Chooses what of a zip to read: the first member holding a chat, and for
/// a thread split across files, every `message_N.json` beside it.
fn choose_members(
    open: &mut Opener<'_>,
    name: &str,
    format: Option<Format>,
) -> Result<(Format, Vec<String>, Vec<String>), ChatError> {
    let mut zip = zip::ZipArchive::new(open()?)
        .map_err(|e| ChatError::at(name.to_owned(), format!("the zip cannot be read: {e}")))?;
    let mut chosen: Option<(Format, String)> = None;
    let mut names = Vec::new();
    for i in 0..zip.len() {
        let mut m = zip
            .by_index(i)
            .map_err(|e| ChatError::at(name.to_owned(), format!("zip member {i} cannot be read: {e}")))?;
        if m.is_dir() {
            continue;
        }
        let mname = m.name().to_owned();
        names.push(mname.clone());
        if chosen.is_some() || is_media(&mname) {
            continue;
        }
        let head = sniff(&mut m)
            .map_err(|e| ChatError::at(format!("{name}!{mname}"), format!("the member is damaged: {e}")))?;
        if let Some(f) = detect(&head).filter(|f| format.is_none_or(|want| want.covers(*f))) {
            chosen = Some((f, mname));
        }
    }
    let (found, first) = chosen
        .ok_or_else(|| ChatError::NotAnExport(format!("{name} is a zip with no chat export Vigil reads in it")))?;
    let mut members = vec![first.clone()];
    if matches!(found, Format::DiscordPackageJson | Format::DiscordPackageCsv) {
        // A data package holds one messages file per channel: read them all.
        let ext = if found == Format::DiscordPackageJson { "/messages.json" } else { "/messages.csv" };
        members = names.iter().filter(|n| n.ends_with(ext) && n.contains("messages/c")).cloned().collect();
        members.sort();
    }
    if found == Format::Instagram {
        members = names
            .iter()
            .filter(|n| folder(n) == folder(&first) && instagram::file_number(n).is_some())
            .cloned()
            .collect();
        // message_1.json is the newest: read the highest number first.
        members.sort_by_key(|n| std::cmp::Reverse(instagram::file_number(n)));
    }
    let skipped = names.into_iter().filter(|n| !members.contains(n)).collect();
    Ok((found, members, skipped))
}

/// What an import is told besides the export.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// The format the officer named (`None`: tell it from the content).
    pub format: Option<Format>,
    pub zone: Option<Zone>,
    pub zone_given_by: Option<String>,
    /// The date order given, for a WhatsApp export whose dates cannot tell.
    pub date_order: Option<DateOrder>,
}

/// Decides the format from the export's first bytes (for a zip, the
/// members, from the zip itself).
fn plan(head: &[u8], zip: Option<&mut Opener<'_>>, name: &str, settings: &Settings) -> Result<Plan, ChatError> {
    let format = settings.format;
    let (found, members, skipped) = if head.starts_with(b"PK\x03\x04") {
        let open = zip.ok_or_else(|| ChatError::at(name.to_owned(), "a zip is read only from a file"))?;
        choose_members(open, name, format)?
    } else {
        let found = match (format, detect(head)) {
            (Some(want), Some(got)) if want.covers(got) => got,
            (Some(want), _) => want,
            (None, Some(f)) => f,
            (None, None) => {
                let why = if head.contains(&0) {
                    "the file is binary, not a chat export's text or JSON".to_owned()
                } else {
                    "the content is not a WhatsApp, Telegram, Discord or Instagram export".to_owned()
                };
                return Err(ChatError::NotAnExport(format!("{name}: {why}")));
            }
        };
        (found, Vec::new(), Vec::new())
    };
    if let (Some(given), false) = (settings.date_order, found == Format::WhatsApp) {
        return Err(ChatError::at(
            name.to_owned(),
            format!(
                "a date order ({}) was given, but a {} export records its times unambiguously; import it without one",
                given.code(),
                found.name()
            ),
        ));
    }
    let shown = match members.as_slice() {
        [one] => format!("{name}!{one}"),
        _ => name.to_owned(),
    };
    let mut notes = Vec::new();
    let local_times = matches!(found, Format::WhatsApp | Format::DiscordPackageCsv | Format::DiscordPackageJson);
    if settings.zone.is_none() && local_times {
        notes.push("no time zone was given: local times are shown as written, zone unknown".into());
    }
    Ok(Plan {
        format: found,
        name: shown,
        members,
        skipped,
        zone: settings.zone.clone(),
        zone_given_by: settings.zone_given_by.clone(),
        order: DateOrder::DayFirst,
        date_order_given: settings.date_order,
        order_assumed: false,
        notes,
    })
}

/// What only a whole read of the export tells: why it may start late, and
/// the lines read irregularly, each named.
#[derive(Default)]
struct ReadFacts {
    starts_late: Option<String>,
    notes: Vec<String>,
}

/// The export read once: the plan, what only the whole read tells, how
/// many items the spool holds, and the analysis made as they were read.
pub struct Reading {
    pub plan: Plan,
    facts: ReadFacts,
    /// Items (conversations and messages) written to the spool.
    pub items: u64,
    /// The analysis made during the read, with the WhatsApp messages dated
    /// as `dated_as` (`None` for other formats); `None` if a date did not
    /// read in that order.
    analyser: Option<Analyser>,
    dated_as: Option<Dating>,
}

/// Items handed from the parser to the thread that spools and analyses
/// them, in batches so the hand-over costs little per message.
struct Batches {
    to: std::sync::mpsc::SyncSender<Vec<Item>>,
    batch: Vec<Item>,
}

const BATCH: usize = 512;

impl Batches {
    fn put(&mut self, item: Item) -> Result<(), ChatError> {
        self.batch.push(item);
        if self.batch.len() == BATCH {
            self.send()?;
        }
        Ok(())
    }

    fn send(&mut self) -> Result<(), ChatError> {
        let full = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
        // The keeping side failed; its error is the one reported.
        self.to.send(full).map_err(|_| ChatError::Changed("the spool stopped".into()))
    }
}

/// What is done with each item read: spooled, and analysed (a WhatsApp
/// message dated first, in the order assumed during the read).
struct Keeper<'w> {
    spool: SpoolWriter<io::BufWriter<&'w mut (dyn Write + Send)>>,
    analyser: Option<Analyser>,
    dated_as: Option<Dating>,
}

impl Keeper<'_> {
    fn keep(&mut self, mut item: Item) -> Result<(), ChatError> {
        self.spool.put(&item)?;
        if let (Some(d), Item::Message(m)) = (&self.dated_as, &mut item) {
            if d.resolve(m).is_err() {
                self.analyser = None;
            }
        }
        if let Some(a) = self.analyser.as_mut() {
            a.add(&item);
        }
        Ok(())
    }

    fn finish(self) -> Result<(u64, Option<Analyser>), ChatError> {
        let items = self.spool.items;
        self.spool.into_inner().flush()?;
        Ok((items, self.analyser))
    }
}

/// Reads the export once: its format from the first bytes, then every
/// item, each written to `spool` (see [`crate::spool`]) and analysed on a
/// second thread as the parser goes on. The input is read to its end, so
/// a caller sealing the same bytes as they pass seals all of them. A zip
/// is read through `zip` for its members (its own bytes still pass
/// through `input` to the end first).
pub fn read_once(
    input: &mut dyn Read,
    zip: Option<&mut Opener<'_>>,
    name: &str,
    settings: &Settings,
    spool: &mut (dyn Write + Send),
) -> Result<Reading, ChatError> {
    read_with(input, zip, name, settings, spool, true)
}

fn read_with(
    input: &mut dyn Read,
    zip: Option<&mut Opener<'_>>,
    name: &str,
    settings: &Settings,
    spool: &mut (dyn Write + Send),
    threaded: bool,
) -> Result<Reading, ChatError> {
    let head = sniff(input)?;
    let is_zip = head.starts_with(b"PK\x03\x04");
    if is_zip {
        io::copy(input, &mut io::sink())?;
    }
    let mut zip = zip;
    let mut plan = plan(&head, zip.as_deref_mut(), name, settings)?;
    // A WhatsApp file tells its date order only at its end: its messages
    // are analysed meanwhile in the order given (or day-first, as most
    // are), and again from the spool if the file says otherwise.
    let dated_as = (plan.format == Format::WhatsApp)
        .then_some(Dating { order: settings.date_order.unwrap_or(DateOrder::DayFirst), assumed: false });
    let mut keeper = Keeper {
        spool: SpoolWriter::new(io::BufWriter::with_capacity(256 << 10, spool)),
        analyser: Some(Analyser::new(plan.zone.clone(), plan.format.platform())),
        dated_as,
    };
    let plan_now = &plan;
    // Every item of the export, handed to `put` in order.
    let parse = |put: &mut dyn FnMut(Item) -> Result<(), ChatError>| {
        // A thread split across files reads as one conversation.
        let mut thread = instagram::InstagramReader::new();
        if is_zip {
            let open = zip.ok_or_else(|| ChatError::at(name.to_owned(), "a zip is read only from a file"))?;
            let (mut facts, mut evidence) = (ReadFacts::default(), None);
            each_input(open, &plan_now.members, name, |r, shown, conversation| {
                let (f, e) = read_items(plan_now, r, shown, conversation, &mut thread, put)?;
                facts.starts_late = f.starts_late.or(facts.starts_late.take());
                facts.notes.extend(f.notes);
                evidence = e.or(evidence.take());
                Ok(())
            })?;
            Ok((facts, evidence))
        } else {
            let mut whole = (&head[..]).chain(&mut *input);
            let read = read_items(plan_now, &mut whole, &plan_now.name, 0, &mut thread, put)?;
            // Read to the end, so nothing after what was read goes unseen.
            io::copy(input, &mut io::sink())?;
            Ok(read)
        }
    };
    let (read, kept) = if threaded {
        let (to, from) = std::sync::mpsc::sync_channel::<Vec<Item>>(8);
        std::thread::scope(|s| {
            let keeping = s.spawn(move || {
                for batch in from {
                    for item in batch {
                        keeper.keep(item)?;
                    }
                }
                keeper.finish()
            });
            let mut batches = Batches { to, batch: Vec::with_capacity(BATCH) };
            let read = parse(&mut |item| batches.put(item)).and_then(|r| batches.send().map(|()| r));
            drop(batches);
            (read, keeping.join().unwrap_or_else(|_| Err(ChatError::Changed("the spool failed".into()))))
        })
    } else {
        // Small exports held in memory: one thread does both.
        let read = parse(&mut |item| keeper.keep(item));
        (read, keeper.finish())
    };
    let (items, analyser) = kept?;
    let (facts, evidence) = read?;
    if let Some(evidence) = evidence {
        let d = evidence.decide(settings.date_order).map_err(|why| ChatError::at(plan.name.clone(), why))?;
        plan.order = d.order;
        plan.order_assumed = d.assumed.is_some();
        plan.notes.extend(d.assumed);
    }
    Ok(Reading { plan, facts, items, analyser, dated_as })
}

/// Reads one input (the file, or one member of a zip) with the plan's
/// format, handing each item to `emit`; returns what only the whole input
/// says, and for WhatsApp what its dates say of their order.
fn read_items(
    plan: &Plan,
    r: &mut dyn Read,
    shown: &str,
    conversation: u32,
    thread: &mut instagram::InstagramReader,
    emit: &mut dyn FnMut(Item) -> Result<(), ChatError>,
) -> Result<(ReadFacts, Option<OrderEvidence>), ChatError> {
    let discord = DiscordReader { file: shown.to_owned(), conversation };
    // A byte-order mark before a JSON export (Messenger, Telegram and
    // Discord exports saved by some tools) is no part of the JSON.
    let mut unmarked = BufReader::with_capacity(64 << 10, r);
    if plan.format != Format::WhatsApp && unmarked.fill_buf()?.starts_with(b"\xEF\xBB\xBF") {
        unmarked.consume(3);
    }
    let mut facts = ReadFacts::default();
    let mut evidence = None;
    match plan.format {
        Format::WhatsApp => {
            let f = WhatsAppReader { file: shown.to_owned() }.read(unmarked, emit)?;
            facts.starts_late = f.starts_late;
            facts.notes = f.notes;
            evidence = Some(f.evidence);
        }
        Format::Telegram => {
            TelegramReader { file: shown.to_owned() }.read(unmarked, emit)?;
        }
        Format::Discord => {
            let f = discord.read_exporter(unmarked, emit)?;
            facts.starts_late = f.starts_late;
            facts.notes = f.notes;
        }
        Format::DiscordPackageJson => discord.read_package_json(unmarked, emit)?,
        Format::DiscordPackageCsv => discord.read_package_csv(unmarked, emit)?,
        Format::Instagram => thread.read_file(shown, unmarked, emit)?,
    }
    Ok((facts, evidence))
}

/// Opens the spool afresh for each pass over it.
pub type SpoolOpener<'a> = dyn FnMut() -> io::Result<Box<dyn Read + 'a>> + 'a;

/// One pass over the spool: each item as read, every WhatsApp message
/// dated in the order the whole file told.
fn replay(
    reading: &Reading,
    spool: &mut SpoolOpener<'_>,
    each: &mut dyn FnMut(Item) -> Result<(), ChatError>,
) -> Result<(), ChatError> {
    let dating = (reading.plan.format == Format::WhatsApp)
        .then_some(Dating { order: reading.plan.order, assumed: reading.plan.order_assumed });
    let mut r = SpoolReader::new(BufReader::with_capacity(256 << 10, spool()?));
    let mut n = 0u64;
    while let Some(mut item) = r.next()? {
        if let (Some(d), Item::Message(m)) = (&dating, &mut item) {
            d.resolve(m)?;
        }
        n += 1;
        each(item)?;
    }
    if n != reading.items {
        return Err(ChatError::Changed(format!("the read spooled {} items and {n} came back", reading.items)));
    }
    Ok(())
}

/// Analyses what the read spooled, and fills in the sources the summaries
/// name (a second pass over the spool where any are named).
pub fn analyse(reading: &mut Reading, spool: &mut SpoolOpener<'_>) -> Result<Analysis, ChatError> {
    let plan = &reading.plan;
    // The analysis made during the read stands unless the WhatsApp file
    // told another date order than its messages were dated in.
    let dated_right = match reading.dated_as {
        None => true,
        Some(d) => d.order == plan.order && !plan.order_assumed,
    };
    let early = reading.analyser.take().filter(|_| dated_right);
    let analyser = match early {
        Some(a) => a,
        None => {
            let mut analyser = Analyser::new(plan.zone.clone(), plan.format.platform());
            replay(reading, spool, &mut |item| {
                analyser.add(&item);
                Ok(())
            })?;
            analyser
        }
    };
    let mut analysis = analyser.finish(reading.facts.starts_late.clone(), reading.facts.notes.clone());
    if analysis.needs_sources() {
        let mut n = 0u32;
        replay(reading, spool, &mut |item| {
            if let Item::Message(m) = item {
                analysis.note_source(n, &m);
                n += 1;
            }
            Ok(())
        })?;
    }
    analysis.apply_sources();
    Ok(analysis)
}

/// The timeline's header for an analysis.
pub fn header(plan: &Plan, analysis: &Analysis, original: Original) -> Header {
    Header {
        timeline: timeline::KIND.into(),
        version: timeline::VERSION,
        importer: importer().into(),
        format: plan.format.name().into(),
        original,
        members: plan.members.clone(),
        skipped: plan.skipped.clone(),
        timezone: plan.zone.as_ref().map(|z| z.name().to_owned()),
        zone_given_by: plan.zone_given_by.clone(),
        date_order: plan.date_order_given.map(|o| o.code().to_owned()),
        notes: plan.notes.clone(),
        messages: analysis.messages(),
        conversations: timeline::summaries(&analysis.conversations),
        identifiers: timeline::identifiers(&analysis.identifiers),
        identifiers_not_kept: analysis.identifiers_not_kept,
    }
}

/// Counts the bytes written through it: where each line starts.
struct Counted<W> {
    inner: W,
    at: u64,
}

impl<W: Write> Write for Counted<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.at += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Writes the timeline from the spool: the header, then one line per
/// message with its flags. Returns where the pages of lines start.
pub fn write_timeline(
    reading: &Reading,
    analysis: &Analysis,
    original: Original,
    spool: &mut SpoolOpener<'_>,
    out: &mut dyn Write,
) -> Result<PageIndex, ChatError> {
    let plan = &reading.plan;
    let mut out = Counted { inner: io::BufWriter::with_capacity(256 << 10, out), at: 0 };
    serde_json::to_writer(&mut out, &header(plan, analysis, original)).map_err(io::Error::from)?;
    out.write_all(b"\n")?;
    let mut index = PageIndex::new(analysis.messages());
    let mut n = 0u32;
    replay(reading, spool, &mut |item| {
        let Item::Message(m) = item else { return Ok(()) };
        let Some(flags) = analysis.flags.get(n as usize).copied() else {
            return Err(ChatError::Changed(format!("more than the {} messages of the analysis", analysis.messages())));
        };
        index.note(n, out.at);
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
        index.signs.note(line.n, line.sender.as_deref(), &line.time, &line.text);
        Ok(())
    })?;
    if u64::from(n) != analysis.messages() {
        return Err(ChatError::Changed(format!("{} messages analysed and {n} written", analysis.messages())));
    }
    index.length = out.at;
    out.flush()?;
    Ok(index)
}

/// The whole import of an export that can be opened more than once (held
/// in memory, say), with the spool in memory: the read, the analysis, and
/// the spool to write the timeline from.
pub fn in_memory(
    open: &mut Opener<'_>,
    name: &str,
    settings: &Settings,
) -> Result<(Reading, Analysis, Vec<u8>), ChatError> {
    let mut spool = Vec::new();
    let mut input = open()?;
    let mut reading = read_with(&mut input, Some(open), name, settings, &mut spool, false)?;
    let analysis = analyse(&mut reading, &mut || Ok(Box::new(&spool[..])))?;
    Ok((reading, analysis, spool))
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    /// The analysis made while reading equals the one made from the spool
    /// afterwards, for every kind of export in the corpus and whatever the
    /// WhatsApp date order turns out to be.
    #[test]
    fn the_analysis_during_the_read_is_the_analysis_from_the_spool() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
        let mut names: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
        names.sort();
        let utc = Zone::parse("UTC").ok();
        let mut early_used = 0;
        for path in names {
            let bytes = std::fs::read(&path).unwrap();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let settings = Settings { zone: utc.clone(), ..Default::default() };
            let run = |forget_early: bool| -> Option<(String, String)> {
                let mut open = || -> io::Result<Box<dyn Export + '_>> { Ok(Box::new(Cursor::new(&bytes[..]))) };
                let mut spool = Vec::new();
                let mut input = open().unwrap();
                let mut reading = read_once(&mut input, Some(&mut open), &name, &settings, &mut spool).ok()?;
                if forget_early {
                    reading.analyser = None;
                }
                let early = reading.analyser.is_some() as u8;
                let a = analyse(&mut reading, &mut || Ok(Box::new(&spool[..]))).unwrap();
                Some((format!("{:?} {:?} {:?}", a.conversations, a.flags, a.identifiers), early.to_string()))
            };
            let Some((during, early)) = run(false) else { continue };
            let (after, _) = run(true).unwrap();
            assert_eq!(during, after, "{name}");
            early_used += usize::from(early == "1");
        }
        assert!(early_used > 10, "the analysis during the read was used for {early_used} exports");
    }
}
