//! The timeline: what an import derives from an export, as JSON Lines. The
//! first line is the header (the original's name and SHA-256, the importer
//! and its version, the zone and who gave it, each conversation's summary);
//! each further line is one message in export order with its time, sender,
//! text, flags and its source in the original. Written deterministically,
//! so the same export and settings always give the same bytes.

use crate::analysis::{FoundIdentifier, Summary};
use crate::local_time::TimeBasis;
use crate::message::MessageKind;
use serde::{Deserialize, Serialize};

/// The header's `timeline` value, naming the shape.
pub const KIND: &str = "vigil chat timeline";
pub const VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Original {
    pub name: String,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    pub timeline: String,
    pub version: u32,
    /// `vigil-chat 0.1.0`: the importer that made this timeline.
    pub importer: String,
    pub format: String,
    pub original: Original,
    /// The archive members read, for a zip, in reading order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<String>,
    /// Other members of a zip, not read (pictures, media).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<String>,
    pub timezone: Option<String>,
    pub zone_given_by: Option<String>,
    /// The date order the user gave (`dmy`, `mdy`) for an export whose
    /// dates cannot tell; absent when the export told it or it was assumed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_order: Option<String>,
    /// What the importer had to assume (a date order, say).
    pub notes: Vec<String>,
    pub messages: u64,
    pub conversations: Vec<SummaryOut>,
    pub identifiers: Vec<IdentifierOut>,
    pub identifiers_not_kept: u64,
}

/// A summary as the header holds it (owned, so it reads back).
pub type SummaryOut = serde_json::Value;
pub type IdentifierOut = serde_json::Value;

pub fn summaries(s: &[Summary]) -> Vec<SummaryOut> {
    s.iter().map(|s| serde_json::to_value(s).unwrap_or_default()).collect()
}

pub fn identifiers(s: &[FoundIdentifier]) -> Vec<IdentifierOut> {
    s.iter().map(|s| serde_json::to_value(s).unwrap_or_default()).collect()
}

/// One message of the timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Line {
    /// The message's number in the timeline, from 1, in export order.
    pub n: u32,
    pub conversation: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// RFC 3339 UTC where known; the wall-clock time as written when the zone is unknown.
    pub time: String,
    /// For an ambiguous local time, its later instant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub later_time: Option<String>,
    pub basis: TimeBasis,
    pub as_written: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender_id: Option<String>,
    pub kind: MessageKind,
    pub text: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub media: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forwarded_from: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<String>,
    pub source: String,
}

/// Where pages of a timeline's message lines start in its bytes, so one
/// page of a million-message timeline is read without the rest: the byte
/// offset of message 1, 1 + `every`, 1 + 2 x `every`, ... Derived from the
/// timeline as it is written and kept beside it, sealed; a timeline
/// without one (imported before indexes were kept) is read whole. With it,
/// the signs found over the whole timeline, which every page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageIndex {
    pub every: u32,
    pub messages: u64,
    pub offsets: Vec<u64>,
    /// The timeline's length in bytes.
    pub length: u64,
    pub signs: crate::Signs,
}

/// Message lines between two entries of a [`PageIndex`]: a few kilobytes
/// of a page's neighbours are read and passed over, and a million-message
/// timeline's index is about 30 KiB.
pub const PAGE_EVERY: u32 = 256;

impl PageIndex {
    pub fn new(messages: u64) -> Self {
        PageIndex {
            every: PAGE_EVERY,
            messages,
            offsets: Vec::with_capacity((messages / u64::from(PAGE_EVERY)) as usize + 1),
            length: 0,
            signs: crate::Signs::default(),
        }
    }

    /// Notes that message `i` (from 0) starts at byte `at`.
    pub fn note(&mut self, i: u32, at: u64) {
        if i.is_multiple_of(self.every) {
            self.offsets.push(at);
        }
    }

    /// Where to start reading for message `i` (from 0): the byte offset of
    /// the nearest indexed line at or before it, and how many message
    /// lines to pass over from there.
    pub fn start_for(&self, i: u64) -> Option<(u64, u64)> {
        let every = u64::from(self.every.max(1));
        let k = usize::try_from(i / every).ok()?;
        self.offsets.get(k).map(|&at| (at, i % every))
    }
}

/// Why a timeline could not be read back.
#[derive(Debug, thiserror::Error)]
#[error("timeline line {line}: {why}")]
pub struct TimelineError {
    pub line: u64,
    pub why: String,
}

/// Reads a timeline's header line.
pub fn read_header(line: &str) -> Result<Header, TimelineError> {
    let h: Header = serde_json::from_str(line).map_err(|e| TimelineError { line: 1, why: e.to_string() })?;
    if h.timeline != KIND {
        return Err(TimelineError { line: 1, why: "this is not a Vigil chat timeline".into() });
    }
    Ok(h)
}

pub fn read_line(n: u64, line: &str) -> Result<Line, TimelineError> {
    serde_json::from_str(line).map_err(|e| TimelineError { line: n, why: e.to_string() })
}
