//! Reading a case's chat timelines: the list, one page of a conversation
//! (search within it, jump to a time), and the whole timeline as CSV and
//! PDF for the schedules and the bundle. Need-to-know first: a timeline of
//! another case answers exactly as one that does not exist, and the
//! attempt is recorded; every read is an `accessed` event with its reason.

use crate::case_work::Need;
use crate::data_dir::Vigil;
use crate::error::CoreError;
use crate::OfficerSession;
use serde::Serialize;
use std::io::{BufRead, BufReader};
use vigil_chat::timeline::{self, Header, Line, PageIndex};
use vigil_chat::TimeBasis;
use vigil_domain::{Actor, CaseId, CustodyEvent, EventKind, ExhibitRef, ObjectRef};
use vigil_store::ExhibitRow;

/// The most messages one PDF of a timeline holds; the CSV holds them all.
pub const MAX_PDF_MESSAGES: usize = 5_000;

#[derive(Debug, Clone, Serialize)]
pub struct ChatListing {
    pub timeline: ExhibitRef,
    pub original: ExhibitRef,
    pub format: String,
    pub messages: u64,
    pub conversations: u64,
}

/// What part of a conversation to show.
#[derive(Debug, Clone, Default)]
pub struct ChatQuery {
    /// Only messages whose text or sender contains this (case-insensitive).
    pub search: Option<String>,
    /// Start at the first message at or after this time (`2024-01-01` or
    /// `2024-01-01T10:00`, compared with the times as the timeline shows them).
    pub at: Option<String>,
    /// Messages of the matching ones to skip.
    pub offset: usize,
    pub limit: usize,
}

#[derive(Debug, Clone)]
pub struct ChatPage {
    pub reference: ExhibitRef,
    pub original: ExhibitRef,
    pub header: Header,
    pub lines: Vec<Line>,
    /// How many messages match the search, and how many come before the page.
    pub matching: u64,
    pub before: u64,
    /// The identifiers found in the export, each with the first message it
    /// is in, and the reports of this case that hold it too.
    pub identifiers: Vec<crate::ChatIdentifier>,
    /// Payment demands, threats to publish, who first spoke of meeting and
    /// signs of a vulnerable adult, over the whole timeline (not just the
    /// page), each linked to its message.
    pub signs: vigil_chat::Signs,
}

/// A timeline as a table: the one model the CSV and PDF are drawn from.
pub struct ChatTable {
    pub title: String,
    pub subtitle: String,
    pub headers: [&'static str; 6],
    pub rows: Vec<Vec<String>>,
}

impl ChatTable {
    pub fn csv(&self) -> String {
        crate::disclosure::csv(&self.headers, &self.rows)
    }

    pub fn pdf(&self) -> Result<Vec<u8>, CoreError> {
        if self.rows.len() > MAX_PDF_MESSAGES {
            return Err(CoreError::Refused(format!(
                "the timeline has {} messages; a PDF holds at most {MAX_PDF_MESSAGES}: take the CSV",
                self.rows.len()
            )));
        }
        Ok(crate::pdf_table::table_pdf(
            &self.title,
            &self.subtitle,
            &self.headers,
            &[0.7, 2.2, 1.6, 5.0, 1.6, 2.4],
            &self.rows,
        ))
    }
}

/// How a line's time reads: the instant in UTC, or the wall-clock time
/// with "zone unknown".
pub fn shown_time(l: &Line) -> String {
    let time = shown_basis(l);
    if l.flags.iter().any(|f| f == "date-order-assumed") {
        format!("{time} [uncertain: day and month may be swapped]")
    } else {
        time
    }
}

fn shown_basis(l: &Line) -> String {
    match l.basis {
        TimeBasis::ZoneUnknown => format!("{} (zone unknown)", l.time),
        TimeBasis::Ambiguous => format!(
            "{} or {} (written {}; the clocks went back)",
            l.time,
            l.later_time.as_deref().unwrap_or("?"),
            l.as_written
        ),
        TimeBasis::Impossible => format!("{} (written {}, a time the clocks skipped)", l.time, l.as_written),
        TimeBasis::ZoneGiven => format!("{} (written {})", l.time, l.as_written),
        TimeBasis::Platform => l.time.clone(),
    }
}

impl Vigil {
    /// The chat timelines of a case.
    pub fn case_chats(&self, case: &CaseId, officer: &OfficerSession) -> Result<Vec<ChatListing>, CoreError> {
        self.case_gate(case, officer, Need::Read)?;
        Ok(self
            .store
            .read()?
            .chat_timelines(case)?
            .into_iter()
            .map(|r| ChatListing {
                timeline: r.timeline,
                original: r.original,
                format: r.format,
                messages: r.messages,
                conversations: r.conversations,
            })
            .collect())
    }

    /// Checks the timeline belongs to the case before any read of it.
    pub(crate) fn chat_gate(
        &self,
        case: &CaseId,
        reference: &ExhibitRef,
        officer: &OfficerSession,
    ) -> Result<(Actor, ExhibitRef), CoreError> {
        let actor = self.case_gate(case, officer, Need::Read)?;
        let row = self.store.read()?.chat_timeline(reference)?;
        let outside = self.first_outside(case, std::slice::from_ref(reference))?.is_some();
        match row {
            Some(r) if !outside => Ok((actor, r.original)),
            _ => {
                if outside {
                    let mut ev =
                        CustodyEvent::new(EventKind::AccessRefused, actor, self.now(), ObjectRef::exhibit(reference));
                    ev.case = Some(case.clone());
                    ev.note = Some(format!(
                        "{} ({}) asked for the conversation {reference} in case {case}, which does not hold it",
                        officer.username, officer.role
                    ));
                    self.append_events(&[ev])?;
                }
                Err(CoreError::NoSuchExhibit(reference.to_string()))
            }
        }
    }

    /// Reads a timeline line by line as it is decrypted, handing each to
    /// `each`; nothing is returned until the whole exhibit has checked
    /// against its SHA-256.
    fn read_timeline(
        &self,
        reference: &ExhibitRef,
        reason: &str,
        actor: &Actor,
        mut each: impl FnMut(Line),
    ) -> Result<Header, CoreError> {
        let mut partial: Vec<u8> = Vec::new();
        let mut header: Option<Header> = None;
        let mut n = 0u64;
        let bad = |e: timeline::TimelineError| {
            CoreError::Refused(format!("exhibit {reference} is not a chat timeline ({e})"))
        };
        let mut take = |line: &[u8], header: &mut Option<Header>, n: &mut u64| -> Result<(), CoreError> {
            *n += 1;
            let text = std::str::from_utf8(line)
                .map_err(|_| bad(timeline::TimelineError { line: *n, why: "not UTF-8".into() }))?;
            if header.is_none() {
                *header = Some(timeline::read_header(text).map_err(bad)?);
            } else {
                each(timeline::read_line(*n, text).map_err(bad)?);
            }
            Ok(())
        };
        self.stream_exhibit(reference, reason, actor, |chunk| {
            partial.extend_from_slice(chunk);
            let mut start = 0;
            while let Some(i) = partial[start..].iter().position(|&b| b == b'\n') {
                take(&partial[start..start + i], &mut header, &mut n)?;
                start += i + 1;
            }
            partial.drain(..start);
            Ok(())
        })?;
        if !partial.is_empty() {
            let rest = std::mem::take(&mut partial);
            take(&rest, &mut header, &mut n)?;
        }
        header.ok_or_else(|| CoreError::Refused(format!("exhibit {reference} is empty, not a chat timeline")))
    }

    /// One page of a conversation.
    pub fn chat_page(
        &self,
        case: &CaseId,
        reference: &ExhibitRef,
        officer: &OfficerSession,
        q: &ChatQuery,
    ) -> Result<ChatPage, CoreError> {
        let (actor, original) = self.chat_gate(case, reference, officer)?;
        let needle = q.search.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_lowercase);
        let at = q.at.as_deref().map(str::trim).filter(|s| !s.is_empty());
        let limit = q.limit.clamp(1, 1000);
        let mut lines = Vec::new();
        let (mut matching, mut before, mut skipped) = (0u64, 0u64, 0usize);
        let reason = format!("conversation page in case {case}");
        let mut signs = vigil_chat::Signs::default();
        // A plain page of a timeline with a page index reads only its part.
        let indexed = match (&needle, at) {
            (None, None) => self.timeline_pages(reference)?,
            _ => None,
        };
        if let Some((row, pages)) = indexed {
            let (header, lines) = self.timeline_part(&row, &pages, q.offset as u64, limit, &reason, &actor)?;
            let identifiers = self.identifiers_in_case(case, &original)?;
            return Ok(ChatPage {
                reference: reference.clone(),
                original,
                header,
                lines,
                matching: pages.messages,
                before: (q.offset as u64).min(pages.messages),
                identifiers,
                signs: pages.signs,
            });
        }
        let header = self.read_timeline(reference, &reason, &actor, |l| {
            signs.note(l.n, l.sender.as_deref(), &l.time, &l.text);
            let hit = needle.as_deref().is_none_or(|n| {
                l.text.to_lowercase().contains(n) || l.sender.as_deref().is_some_and(|s| s.to_lowercase().contains(n))
            });
            if !hit {
                return;
            }
            matching += 1;
            // Before the page: earlier than the time asked for, or within the offset.
            let early = at.is_some_and(|t| l.time.as_str() < t) && lines.is_empty();
            if early || skipped < q.offset {
                skipped += usize::from(!early);
                before += 1;
                return;
            }
            if lines.len() < limit {
                lines.push(l);
            }
        })?;
        let identifiers = self.identifiers_in_case(case, &original)?;
        Ok(ChatPage { reference: reference.clone(), original, header, lines, matching, before, identifiers, signs })
    }

    /// The identifiers found in an export, each with the reports that hold
    /// it too, named only when they belong to this case: need-to-know
    /// covers the links as well.
    fn identifiers_in_case(
        &self,
        case: &CaseId,
        original: &ExhibitRef,
    ) -> Result<Vec<crate::ChatIdentifier>, CoreError> {
        let mut identifiers = self.exhibit_identifiers(original)?;
        for i in &mut identifiers {
            let mut inside = Vec::new();
            for r in &i.reports {
                if self.first_outside(case, std::slice::from_ref(r))?.is_none() {
                    inside.push(r.clone());
                }
            }
            i.reports = inside;
        }
        Ok(identifiers)
    }

    /// A timeline's page index, where one was kept and still opens (a
    /// timeline imported before indexes were kept has none: it is read whole).
    /// With it, the timeline's row (refused if the timeline was deleted).
    pub(crate) fn timeline_pages(&self, reference: &ExhibitRef) -> Result<Option<(ExhibitRow, PageIndex)>, CoreError> {
        let row = self.live_exhibit_row(reference)?;
        let Some(sealed) = self.store.read()?.timeline_pages(reference)? else { return Ok(None) };
        let opened = self.master.open_small(&crate::chat_import::pages_context(&row.sha256), &sealed);
        Ok(opened.and_then(|plain| serde_json::from_slice(&plain).ok()).map(|p| (row, p)))
    }

    /// The header and `limit` message lines from message `offset` (from
    /// 0) of a timeline, decrypting only the chunks that hold them. Each
    /// chunk's seal is checked; the whole exhibit's SHA-256 is left to a
    /// whole read (`vigil verify`, the CSV, the bundle). The read is an
    /// `accessed` event with its reason, as any read of the exhibit.
    fn timeline_part(
        &self,
        row: &ExhibitRow,
        pages: &PageIndex,
        offset: u64,
        limit: usize,
        reason: &str,
        actor: &Actor,
    ) -> Result<(Header, Vec<Line>), CoreError> {
        let reference = &row.reference;
        let bad = |e: timeline::TimelineError| {
            CoreError::Refused(format!("exhibit {reference} is not a chat timeline ({e})"))
        };
        let io_bad = |e: std::io::Error| CoreError::Failed(format!("reading exhibit {reference}: {e}"));
        let mut text = String::new();
        let mut reader = BufReader::new(self.open_blob(&row.sha256)?);
        reader.read_line(&mut text).map_err(io_bad)?;
        let header = timeline::read_header(text.trim_end_matches('\n')).map_err(bad)?;
        let mut lines = Vec::new();
        if let Some((at, mut skip)) = pages.start_for(offset) {
            let mut blob = reader.into_inner();
            blob.seek_to(at)?;
            let mut reader = BufReader::new(blob);
            let mut n = offset - skip + 2;
            while lines.len() < limit {
                text.clear();
                if reader.read_line(&mut text).map_err(io_bad)? == 0 {
                    break;
                }
                if skip > 0 {
                    skip -= 1;
                } else {
                    lines.push(timeline::read_line(n, text.trim_end_matches('\n')).map_err(bad)?);
                }
                n += 1;
            }
        }
        self.log_read(row, reason, actor)?;
        Ok((header, lines))
    }

    /// The whole timeline as a table, for CSV and PDF.
    pub fn chat_table(
        &self,
        case: &CaseId,
        reference: &ExhibitRef,
        officer: &OfficerSession,
    ) -> Result<ChatTable, CoreError> {
        let (actor, _) = self.chat_gate(case, reference, officer)?;
        self.timeline_table(reference, &format!("conversation exported as a table in case {case}"), &actor)
    }

    /// A timeline as a table, with no gate: for callers that have checked
    /// the case already (the bundle). The read is logged with `reason`.
    pub(crate) fn timeline_table(
        &self,
        reference: &ExhibitRef,
        reason: &str,
        actor: &Actor,
    ) -> Result<ChatTable, CoreError> {
        let original = self
            .store
            .read()?
            .chat_timeline(reference)?
            .ok_or_else(|| CoreError::Refused(format!("exhibit {reference} is not a chat timeline")))?
            .original;
        let mut rows = Vec::new();
        let header = self.read_timeline(reference, reason, actor, |l| {
            rows.push(vec![
                l.n.to_string(),
                shown_time(&l),
                l.sender.clone().unwrap_or_else(|| "(notice)".into()),
                if l.media.is_empty() {
                    l.text.clone()
                } else {
                    format!("{}\n[media: {}]", l.text, l.media.join("; "))
                },
                l.flags.join(", "),
                l.source.clone(),
            ]);
        })?;
        let zone = match (&header.timezone, &header.zone_given_by) {
            (Some(z), Some(who)) => format!("local times placed in {z}, zone given by {who}"),
            _ => "times as the platform recorded them; local times without a zone marked".into(),
        };
        Ok(ChatTable {
            title: format!("Message timeline {reference} (from exhibit {original})"),
            subtitle: format!(
                "{} export {} (SHA-256 {}), read by {}; {zone}",
                header.format, header.original.name, header.original.sha256, header.importer
            ),
            headers: ["No.", "Time (UTC)", "Sender", "Message", "Flags", "Place in the original"],
            rows,
        })
    }
}
