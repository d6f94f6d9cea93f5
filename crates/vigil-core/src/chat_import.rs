//! Chat exports as evidence. The export is read once: as the vault seals
//! it exactly as received, the same bytes pass to vigil-chat, which parses
//! them into a spool sealed in scratch space; the analysis and the timeline
//! are made from the spool, and the timeline is sealed as a second exhibit
//! while it is written, with an index of where its pages start. Both
//! exhibits, a `copied` event on the original naming the timeline and the
//! importer's version, and the identifiers found commit in one unit of
//! work, so an import that fails at any point leaves nothing behind.

use crate::data_dir::Vigil;
use crate::error::CoreError;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Cursor, Read};
use std::path::Path;
use vigil_chat::import::{self, Export};
use vigil_chat::timeline::{Header, Line, Original};
use vigil_chat::{importer, Format, Summary, Zone};
use vigil_domain::{Actor, CaseId, CustodyEvent, EventKind, ExhibitRef, Initials, ObjectRef, Sha256Digest};
use vigil_store::{ChatTimelineRow, ExhibitIdentifierRow};
use vigil_vault::PendingBlob;

/// What the officer sets for an import.
#[derive(Debug, Clone, Default)]
pub struct ChatSettings {
    /// `None` detects the format from the content.
    pub format: Option<Format>,
    /// An IANA zone for local times (WhatsApp's have none).
    pub timezone: Option<String>,
    /// For an export whose dates cannot tell (every one could be day-first
    /// or month-first): which it is, as the officer knows from the phone.
    pub date_order: Option<vigil_chat::DateOrder>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChatIdentifier {
    pub identifier: String,
    /// The message (or participant field) it was first found in.
    pub first_source: String,
    pub occurrences: u64,
    /// Reports that hold the same identifier.
    pub reports: Vec<ExhibitRef>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChatImport {
    /// The export as received.
    pub exhibit: ExhibitRef,
    pub exhibit_sha256: Sha256Digest,
    /// The timeline derived from it.
    pub timeline: ExhibitRef,
    pub timeline_sha256: Sha256Digest,
    pub format: &'static str,
    pub importer: &'static str,
    /// For a zip, the members read.
    pub members: Vec<String>,
    pub skipped: Vec<String>,
    pub timezone: Option<String>,
    pub zone_given_by: Option<String>,
    pub notes: Vec<String>,
    pub messages: u64,
    pub conversations: Vec<Summary>,
    pub identifiers: Vec<ChatIdentifier>,
    pub identifiers_not_kept: u64,
}

/// A timeline derived afresh from its original and compared.
#[derive(Debug, Clone, Serialize)]
pub struct TimelineCheck {
    pub timeline: ExhibitRef,
    pub original: ExhibitRef,
    pub stored_sha256: Sha256Digest,
    pub derived_sha256: Sha256Digest,
    /// The importer that made the stored timeline, and the one that checked it.
    pub importer_then: String,
    pub importer_now: &'static str,
    pub same: bool,
}

struct Sha256Writer(sha2::Sha256);

impl io::Write for Sha256Writer {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        sha2::Digest::update(&mut self.0, buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A timeline read back.
#[derive(Debug, Clone)]
pub struct ChatTimeline {
    pub reference: ExhibitRef,
    pub header: Header,
    pub lines: Vec<Line>,
}

/// Opens the export afresh (only a zip is read again, for its members).
type Source<'a> = dyn Fn() -> io::Result<Box<dyn Export + Send + 'a>> + Sync + 'a;

/// The export's bytes as the vault reads them to seal, each piece handed
/// on to the parser as well: one read of the export for both.
struct Tee<'a, R> {
    inner: R,
    to: Handed,
    /// Set when the parser had stopped: the sealing failed only for that.
    parser_gone: &'a std::sync::atomic::AtomicBool,
}

impl<R: Read> Read for Tee<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        // The parser stopped (it failed): sealing stops too.
        if let Err(e) = io::Write::write_all(&mut self.to, &buf[..n]) {
            self.parser_gone.store(true, std::sync::atomic::Ordering::Relaxed);
            return Err(e);
        }
        Ok(n)
    }
}

/// Bytes written in one thread for another to read (a [`Piped`]), handed
/// over in memory, in pieces small enough that few wait at once.
struct Handed(std::sync::mpsc::SyncSender<Vec<u8>>);

impl io::Write for Handed {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let piece = &buf[..buf.len().min(256 << 10)];
        self.0.send(piece.to_vec()).map_err(|_| io::Error::other("the reading side stopped"))?;
        Ok(piece.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The reading side of a [`Tee`] or a [`Handed`].
struct Piped {
    from: std::sync::mpsc::Receiver<Vec<u8>>,
    piece: Vec<u8>,
    at: usize,
}

impl Read for Piped {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.at == self.piece.len() {
            match self.from.recv() {
                Ok(p) => {
                    self.piece = p;
                    self.at = 0;
                }
                // The sealing side is done (or failed, which it reports).
                Err(_) => return Ok(0),
            }
        }
        let n = buf.len().min(self.piece.len() - self.at);
        buf[..n].copy_from_slice(&self.piece[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// What one import derived: the read, its analysis, both blobs sealed and
/// not yet placed, and where the timeline's pages start.
struct Derived {
    reading: vigil_chat::Reading,
    analysis: vigil_chat::Analysis,
    original: PendingBlob,
    timeline: PendingBlob,
    pages: vigil_chat::timeline::PageIndex,
}

/// A zip's members are read apart from the bytes sealed: what was read
/// must be what was sealed, as the file may change meanwhile.
fn sha256_of(path: &Path) -> Result<Sha256Digest, CoreError> {
    use sha2::Digest;
    let mut f = File::open(path).map_err(|e| CoreError::file(path, e))?;
    let mut h = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf).map_err(|e| CoreError::file(path, e))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(Sha256Digest(h.finalize().into()))
}

impl Vigil {
    /// Imports a chat export from a file.
    pub fn import_chat(
        &self,
        path: &Path,
        case: &CaseId,
        by: &Initials,
        settings: &ChatSettings,
    ) -> Result<ChatImport, CoreError> {
        let first = crate::exhibits::open_input(path)?;
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "export".into());
        let source = || -> io::Result<Box<dyn Export + Send>> { Ok(Box::new(File::open(path)?)) };
        let imported = self.import_chat_from(&name, first, &source, case, by, settings, Some(path))?;
        Ok(imported)
    }

    /// Imports a chat export Vigil holds in memory (from the public form).
    pub fn import_chat_bytes(
        &self,
        bytes: &[u8],
        name: &str,
        case: &CaseId,
        by: &Initials,
        settings: &ChatSettings,
    ) -> Result<ChatImport, CoreError> {
        let source = || -> io::Result<Box<dyn Export + Send + '_>> { Ok(Box::new(Cursor::new(bytes))) };
        self.import_chat_from(name, bytes, &source, case, by, settings, None)
    }

    #[allow(clippy::too_many_arguments)]
    fn import_chat_from(
        &self,
        name: &str,
        first: impl Read,
        source: &Source<'_>,
        case: &CaseId,
        by: &Initials,
        settings: &ChatSettings,
        path: Option<&Path>,
    ) -> Result<ChatImport, CoreError> {
        // Settings are checked before a byte is read or sealed.
        let zone = settings.timezone.as_deref().map(Zone::parse).transpose()?;
        let zone_given_by = zone.as_ref().map(|_| by.to_string());
        self.check_producer(by, &Actor::from(by))?;
        let wanted = import::Settings { format: settings.format, zone, zone_given_by, date_order: settings.date_order };
        let Derived { reading, analysis, original, timeline, pages } =
            self.derive_timeline(name, first, source, &wanted, path)?;
        let plan = reading.plan;
        let original_sha = original.hashes.sha256;
        let (original_hashes, _) = match self.place_pending(original) {
            Ok(p) => p,
            Err(e) => {
                self.vault.discard(timeline);
                return Err(e);
            }
        };
        let (timeline_hashes, _) = self.place_pending(timeline)?;
        let pages = self.seal_pages(&timeline_hashes.sha256, &pages);
        let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
        let timeline_name = format!("{stem}.timeline.jsonl");
        let zone_note = match (&plan.zone, &plan.zone_given_by) {
            (Some(z), Some(who)) => format!("; local times placed in {} (zone given by {who})", z.name()),
            _ => String::new(),
        };
        let ids: Vec<String> = analysis.identifiers.iter().map(|i| i.identifier.clone()).collect();
        let (exhibit, timeline) = self.write(|u| {
            let exhibit = u.record_exhibit(
                case,
                by,
                Some(name.to_owned()),
                Some(&format!("{} chat export, as received", plan.format.name())),
                &original_hashes,
            )?;
            let note = format!(
                "message timeline derived from exhibit {exhibit} (sha256 {original_sha}) by {IMPORTER}: {} message(s) in {} conversation(s){zone_note}",
                analysis.messages(),
                analysis.conversations.len(),
                IMPORTER = importer(),
            );
            let timeline = u.record_exhibit(case, by, Some(timeline_name.clone()), Some(&note), &timeline_hashes)?;
            let mut ev = CustodyEvent::new(EventKind::Copied, Actor::from(by), u.now, ObjectRef::exhibit(&exhibit));
            ev.case = Some(case.clone());
            ev.digest = Some(original_sha);
            ev.note = Some(format!(
                "read by {IMPORTER} into the timeline exhibit {timeline} (sha256 {}){zone_note}",
                timeline_hashes.sha256,
                IMPORTER = importer(),
            ));
            u.log(ev);
            let rows: Vec<ExhibitIdentifierRow> = analysis
                .identifiers
                .iter()
                .map(|i| ExhibitIdentifierRow {
                    exhibit: exhibit.clone(),
                    identifier: i.identifier.clone(),
                    source: i.first_source.clone(),
                    occurrences: i.occurrences,
                })
                .collect();
            u.tx().insert_exhibit_identifiers(&rows)?;
            u.tx().insert_chat_timeline(&timeline_row(&timeline, &exhibit, case, &plan, &analysis))?;
            u.tx().insert_timeline_pages(&timeline, &pages)?;
            Ok((exhibit, timeline))
        })?;
        let reports = self.reports_holding(&ids)?;
        let identifiers = analysis
            .identifiers
            .iter()
            .map(|i| ChatIdentifier {
                identifier: i.identifier.clone(),
                first_source: i.first_source.clone(),
                occurrences: i.occurrences,
                reports: reports.get(&i.identifier).cloned().unwrap_or_default(),
            })
            .collect();
        Ok(ChatImport {
            exhibit,
            exhibit_sha256: original_sha,
            timeline,
            timeline_sha256: timeline_hashes.sha256,
            format: plan.format.name(),
            importer: importer(),
            members: plan.members.clone(),
            skipped: plan.skipped.clone(),
            timezone: plan.zone.as_ref().map(|z| z.name().to_owned()),
            zone_given_by: plan.zone_given_by.clone(),
            notes: plan.notes.clone(),
            messages: analysis.messages(),
            conversations: analysis.conversations,
            identifiers,
            identifiers_not_kept: analysis.identifiers_not_kept,
        })
    }

    /// Reads the export once, sealing it as it is read and parsing the same
    /// bytes into a spool; analyses the spool and writes the timeline from
    /// it, sealed as it is written (handed to the vault in memory).
    fn derive_timeline(
        &self,
        name: &str,
        first: impl Read,
        source: &Source<'_>,
        settings: &import::Settings,
        path: Option<&Path>,
    ) -> Result<Derived, CoreError> {
        let spool = self.vault.scratch()?;
        let (to, from) = std::sync::mpsc::sync_channel(4);
        let parser_gone = std::sync::atomic::AtomicBool::new(false);
        let (sealed, read) = std::thread::scope(|s| {
            let parsing = s.spawn(move || {
                let mut piped = Piped { from, piece: Vec::new(), at: 0 };
                let mut spool = spool;
                let mut open = || source().map(|b| b as Box<dyn Export>);
                let reading = import::read_once(&mut piped, Some(&mut open), name, settings, &mut spool)?;
                Ok::<_, CoreError>((reading, spool.finish().map_err(vigil_chat::ChatError::from)?))
            });
            let sealed =
                self.vault.ingest(Tee { inner: first, to: Handed(to), parser_gone: &parser_gone }, &self.master);
            (sealed, parsing.join())
        });
        // A sealing that failed of itself (a full disk, an unreadable
        // file) is the error to report: the parser then saw the bytes end
        // early and would blame the export.
        let sealed = match sealed {
            Err(e) if !parser_gone.load(std::sync::atomic::Ordering::Relaxed) => {
                return Err(CoreError::from(e));
            }
            other => other,
        };
        let (mut reading, spool) = match read {
            Ok(Ok(r)) => r,
            Ok(Err(e)) => {
                sealed.map(|p| self.vault.discard(p)).ok();
                return Err(e);
            }
            Err(_) => {
                sealed.map(|p| self.vault.discard(p)).ok();
                return Err(vigil_chat::ChatError::Changed("the chat reader failed".into()).into());
            }
        };
        let original = sealed?;
        let fail = |original: PendingBlob, e: CoreError| {
            self.vault.discard(original);
            Err(e)
        };
        // A zip's members were read from the file again: it must not have changed.
        if let (Some(path), false) = (path, reading.plan.members.is_empty()) {
            match sha256_of(path) {
                Ok(d) if d == original.hashes.sha256 => {}
                Ok(_) => {
                    let e = vigil_chat::ChatError::Changed(format!("{}", path.display())).into();
                    return fail(original, e);
                }
                Err(e) => return fail(original, e),
            }
        }
        // Opens the spool from its start, for each pass over it.
        let spooled = || spool.reader().map(|r| Box::new(r) as Box<dyn Read>);
        let analysis = match import::analyse(&mut reading, &mut { spooled }) {
            Ok(a) => a,
            Err(e) => return fail(original, e.into()),
        };
        let named = Original { name: name.to_owned(), sha256: original.hashes.sha256.to_hex() };
        let (to, from) = std::sync::mpsc::sync_channel(8);
        let (mut writer, reader) = (Handed(to), Piped { from, piece: Vec::new(), at: 0 });
        let (reading_ref, analysis_ref) = (&reading, &analysis);
        let (sealed, written) = std::thread::scope(|s| {
            let writing = s.spawn(move || {
                let r = import::write_timeline(reading_ref, analysis_ref, named, &mut { spooled }, &mut writer);
                drop(writer);
                r
            });
            let sealed = self.vault.ingest(reader, &self.master);
            (sealed, writing.join())
        });
        let timeline = match sealed {
            Ok(t) => t,
            Err(e) => return fail(original, e.into()),
        };
        let pages = match written {
            Ok(Ok(pages)) => pages,
            Ok(Err(e)) => {
                self.vault.discard(timeline);
                return fail(original, e.into());
            }
            Err(_) => {
                self.vault.discard(timeline);
                return fail(original, vigil_chat::ChatError::Changed("the timeline writer failed".into()).into());
            }
        };
        Ok(Derived { reading, analysis, original, timeline, pages })
    }

    /// A timeline's page index sealed under the master key, bound to the
    /// timeline's SHA-256.
    pub(crate) fn seal_pages(&self, timeline: &Sha256Digest, pages: &vigil_chat::timeline::PageIndex) -> Vec<u8> {
        let plain = serde_json::to_vec(pages).expect("a page index serialises");
        self.master.seal_small(&pages_context(timeline), &plain)
    }

    /// For each identifier, the reports that hold it.
    fn reports_holding(&self, ids: &[String]) -> Result<BTreeMap<String, Vec<ExhibitRef>>, CoreError> {
        let mut store = self.store.read()?;
        let mut out: BTreeMap<String, Vec<ExhibitRef>> = BTreeMap::new();
        if ids.is_empty() {
            return Ok(out);
        }
        let wanted: std::collections::BTreeSet<&str> = ids.iter().map(String::as_str).collect();
        for report in store.reports_sharing(ids, None)? {
            for id in store.identifiers_of(&report)? {
                if wanted.contains(id.as_str()) {
                    out.entry(id).or_default().push(report.clone());
                }
            }
        }
        Ok(out)
    }

    /// Derives a timeline afresh from its original, with the settings its
    /// header records, and compares the bytes: the check a defence expert
    /// can make that the timeline follows from the export and nothing else.
    /// Both reads are logged with `reason`.
    pub fn check_timeline(
        &self,
        timeline: &ExhibitRef,
        reason: &str,
        actor: &Actor,
    ) -> Result<TimelineCheck, CoreError> {
        let row = self
            .store
            .read()?
            .chat_timeline(timeline)?
            .ok_or_else(|| CoreError::Refused(format!("exhibit {timeline} is not a chat timeline")))?;
        let stored = self.exhibit(timeline)?;
        let header = self.timeline_header(timeline, reason, actor)?;
        let original = self.read_exhibit_bytes(&row.original, reason, actor)?;
        let order = match header.date_order.as_deref() {
            None => None,
            Some(code) => Some(vigil_chat::DateOrder::from_code(code).ok_or_else(|| {
                CoreError::Refused(format!("{timeline} names a date order this version does not know: {code}"))
            })?),
        };
        let mut hasher = Sha256Writer(<sha2::Sha256 as sha2::Digest>::new());
        derive_again(timeline, &header, &original, order, &mut hasher)?;
        let derived = Sha256Digest(sha2::Digest::finalize(hasher.0).into());
        Ok(TimelineCheck {
            timeline: timeline.clone(),
            original: row.original,
            stored_sha256: stored.sha256,
            derived_sha256: derived,
            importer_then: header.importer,
            importer_now: importer(),
            same: derived == stored.sha256,
        })
    }

    /// A timeline's header: its first line, read as the exhibit streams
    /// (the read logged with `reason`).
    fn timeline_header(&self, timeline: &ExhibitRef, reason: &str, actor: &Actor) -> Result<Header, CoreError> {
        let mut first = Vec::new();
        let mut done = false;
        self.stream_exhibit(timeline, reason, actor, |chunk| {
            if !done {
                match chunk.iter().position(|&b| b == b'\n') {
                    Some(i) => {
                        first.extend_from_slice(&chunk[..i]);
                        done = true;
                    }
                    None => first.extend_from_slice(chunk),
                }
            }
            Ok(())
        })?;
        let line = String::from_utf8(first)
            .map_err(|_| CoreError::Refused(format!("exhibit {timeline} is not a chat timeline")))?;
        vigil_chat::timeline::read_header(&line)
            .map_err(|e| CoreError::Refused(format!("exhibit {timeline} is not a chat timeline ({e})")))
    }

    /// Reads a case's chat export again into a new timeline exhibit, with
    /// its dates in the order the officer gives: for an export whose dates
    /// could all be either way round, which the first import read in an
    /// assumed order and marked uncertain. The original and the earlier
    /// timeline stay as they are; the new one names both and who gave the
    /// order, and its header records the order so `chat check` derives it
    /// again. Need-to-know first, as for any read of the case's material.
    pub fn reread_chat(
        &self,
        case: &CaseId,
        timeline: &ExhibitRef,
        order: vigil_chat::DateOrder,
        by: &Initials,
        officer: &crate::OfficerSession,
    ) -> Result<ExhibitRef, CoreError> {
        self.case_gate(case, officer, crate::case_work::Need::Work)?;
        let (actor, original) = self.chat_gate(case, timeline, officer)?;
        self.check_producer(by, &actor)?;
        let order_words = if order == vigil_chat::DateOrder::MonthFirst { "month-first" } else { "day-first" };
        let reason = format!("chat export read again with its dates {order_words} in case {case}");
        let header = self.timeline_header(timeline, &reason, &actor)?;
        let bytes = self.read_exhibit_bytes(&original, &reason, &actor)?;
        let mut derived = Vec::new();
        let (plan, analysis, pages) = derive_again(timeline, &header, &bytes, Some(order), &mut derived)?;
        let staged = self.stage_blobs(&[&derived])?;
        let name = &header.original.name;
        let stem = name.rsplit_once('.').map_or(name.as_str(), |(s, _)| s);
        let note = format!(
            "message timeline derived again from exhibit {original} by {IMPORTER}, dates read {order_words} as {} ({}) gave; \
             replaces the reading of {timeline}, whose order was assumed: {} message(s) in {} conversation(s)",
            officer.username,
            officer.role,
            analysis.messages(),
            analysis.conversations.len(),
            IMPORTER = importer(),
        );
        self.write_staged(&staged, |u| {
            let hashes = u.put_blob(&staged[0])?;
            let sha = hashes.sha256;
            let new = u.record_exhibit_as(
                case,
                by,
                &actor,
                Some(format!("{stem}.{}.timeline.jsonl", order.code())),
                Some(&note),
                hashes,
            )?;
            let mut ev = CustodyEvent::new(EventKind::Copied, actor.clone(), u.now, ObjectRef::exhibit(&original));
            ev.case = Some(case.clone());
            ev.note = Some(format!(
                "read again by {IMPORTER} with its dates {order_words} into the timeline exhibit {new} (sha256 {sha})",
                IMPORTER = importer(),
            ));
            u.log(ev);
            u.tx().insert_chat_timeline(&timeline_row(&new, &original, case, &plan, &analysis))?;
            u.tx().insert_timeline_pages(&new, &self.seal_pages(&sha, &pages))?;
            Ok(new)
        })
    }

    /// Reads a timeline exhibit back, logging the access with its reason.
    pub fn chat_timeline(
        &self,
        reference: &ExhibitRef,
        reason: &str,
        actor: &Actor,
    ) -> Result<ChatTimeline, CoreError> {
        let bytes = self.read_exhibit_bytes(reference, reason, actor)?;
        let mut lines = Vec::new();
        let header = import::read_timeline(&bytes[..], |l| {
            lines.push(l.clone());
            Ok(())
        })
        .map_err(|e| CoreError::Refused(format!("exhibit {reference} is not a chat timeline ({e})")))?;
        Ok(ChatTimeline { reference: reference.clone(), header, lines })
    }

    /// The identifiers found in an exhibit, with where each was first found
    /// and the reports that hold the same.
    pub fn exhibit_identifiers(&self, reference: &ExhibitRef) -> Result<Vec<ChatIdentifier>, CoreError> {
        let rows = self.store.read()?.exhibit_identifiers(reference)?;
        let ids: Vec<String> = rows.iter().map(|r| r.identifier.clone()).collect();
        let reports = self.reports_holding(&ids)?;
        Ok(rows
            .into_iter()
            .map(|r| ChatIdentifier {
                reports: reports.get(&r.identifier).cloned().unwrap_or_default(),
                identifier: r.identifier,
                first_source: r.source,
                occurrences: r.occurrences,
            })
            .collect())
    }
}

/// What a sealed page index is bound to.
pub(crate) fn pages_context(timeline: &Sha256Digest) -> Vec<u8> {
    let mut c = b"vigil timeline pages ".to_vec();
    c.extend_from_slice(&timeline.0);
    c
}

/// The `chat_timelines` row naming a timeline and the export it was read from.
fn timeline_row(
    timeline: &ExhibitRef,
    original: &ExhibitRef,
    case: &CaseId,
    plan: &vigil_chat::Plan,
    analysis: &vigil_chat::Analysis,
) -> ChatTimelineRow {
    ChatTimelineRow {
        timeline: timeline.clone(),
        original: original.clone(),
        case_id: case.clone(),
        format: plan.format.name().to_owned(),
        messages: analysis.messages(),
        conversations: analysis.conversations.len() as u64,
    }
}

/// Derives a timeline again from its original export's bytes with the
/// settings `header` records (and the date order given), writing it to `out`.
fn derive_again(
    timeline: &ExhibitRef,
    header: &Header,
    original: &[u8],
    order: Option<vigil_chat::DateOrder>,
    out: &mut dyn io::Write,
) -> Result<(vigil_chat::Plan, vigil_chat::Analysis, vigil_chat::timeline::PageIndex), CoreError> {
    let format = Format::from_name(&header.format).ok_or_else(|| {
        CoreError::Refused(format!("{timeline} names a format this version does not read: {}", header.format))
    })?;
    let zone = header.timezone.as_deref().map(Zone::parse).transpose()?;
    let mut open = || -> io::Result<Box<dyn Export + '_>> { Ok(Box::new(Cursor::new(original))) };
    let name = &header.original.name;
    let settings =
        import::Settings { format: Some(format), zone, zone_given_by: header.zone_given_by.clone(), date_order: order };
    let (reading, analysis, spool) = import::in_memory(&mut open, name, &settings)?;
    let pages =
        import::write_timeline(&reading, &analysis, header.original.clone(), &mut || Ok(Box::new(&spool[..])), out)?;
    Ok((reading.plan, analysis, pages))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Telegram export whose reading fails part way (a failing disk).
    struct Failing {
        messages: usize,
        started: bool,
    }

    impl Read for Failing {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let piece: &[u8] = if !self.started {
                self.started = true;
                b"{\"name\": \"SYNTHETIC\", \"type\": \"personal_chat\", \"id\": 1, \"messages\": [\n"
            } else if self.messages > 0 {
                self.messages -= 1;
                b"{\"id\": 1, \"type\": \"message\", \"date\": \"2024-01-01T10:00:00\", \"date_unixtime\": \"1704103200\", \"from\": \"A\", \"text\": \"hi\"},\n"
            } else {
                return Err(io::Error::other("the disk is failing (synthetic)"));
            };
            let n = piece.len().min(buf.len());
            buf[..n].copy_from_slice(&piece[..n]);
            Ok(n)
        }
    }

    /// The parser then sees the bytes end early; the error reported is the
    /// read's, not a complaint about the export.
    #[test]
    fn a_read_that_fails_is_named_not_blamed_on_the_export() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        Vigil::init(&data, None).unwrap();
        let v = Vigil::open(&data).unwrap();
        let source = || -> io::Result<Box<dyn Export + Send>> { Err(io::Error::other("not opened again")) };
        let settings = import::Settings::default();
        let e = match v.derive_timeline(
            "result.json",
            Failing { messages: 2000, started: false },
            &source,
            &settings,
            None,
        ) {
            Ok(_) => panic!("a failing read imported"),
            Err(e) => e.to_string(),
        };
        assert!(e.contains("the disk is failing"), "{e}");
        // Nothing was left in the vault's temp folder.
        assert_eq!(std::fs::read_dir(data.join("vault/tmp")).unwrap().count(), 0);
    }
}
