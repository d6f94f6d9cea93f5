//! One message as an importer reads it, and the conversation it belongs to.

use serde::{Deserialize, Serialize};

/// When a message was sent, as the export states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    /// The platform gave an instant (Unix time, or a time with its offset).
    Instant { ms: i64 },
    /// A wall-clock time with no zone (WhatsApp, old Telegram exports).
    Local(jiff::civil::DateTime),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MessageKind {
    /// Something a participant sent.
    Message,
    /// A platform notice: joined, left, renamed, encryption notice, call.
    System,
}

/// One message, before analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// Which conversation of the export (0 for a single-chat export).
    pub conversation: u32,
    /// The platform's message ID, where it numbers messages.
    pub id: Option<String>,
    pub sent: Sent,
    /// The time exactly as written in the export.
    pub sent_as_written: String,
    pub sender: Option<String>,
    /// The platform's identifier for the sender (`user123`, a snowflake).
    pub sender_id: Option<String>,
    pub kind: MessageKind,
    pub text: String,
    /// Media the export mentions (a file name, or that it was omitted).
    pub media: Vec<String>,
    /// Addresses the platform attached to the text (a link's target).
    pub links: Vec<String>,
    /// Marked deleted by the platform ("This message was deleted").
    pub deleted: bool,
    /// Marked edited by the platform.
    pub edited: bool,
    /// The ID of the message this replies to or references.
    pub reply_to: Option<String>,
    pub forwarded_from: Option<String>,
    /// Where the message is in the original: file and line, or JSON path.
    pub source: String,
    /// What the reader found irregular in how the export wrote it.
    pub irregular: Vec<Irregular>,
}

/// Something a reader could not read as the platform normally writes it,
/// kept as written and flagged rather than dropped or quietly repaired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Irregular {
    /// Hour 00 with AM or PM, which no 12-hour clock shows.
    ZeroHourOnTwelveHourClock,
    /// A line of the message's text (by its line number) starts like a
    /// message of its own, but its time could not be read.
    LineLikeAMessage(u64),
    /// Nothing in the export (or from the user) tells whether its dates
    /// are day-first or month-first: the time may have its day and month
    /// swapped.
    DateOrderAssumed,
}

/// A conversation of the export, as it declares itself.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ConversationInfo {
    pub index: u32,
    pub title: Option<String>,
    /// The platform's kind of chat (`personal_chat`, `public_channel`, `GuildTextChat`).
    pub chat_kind: Option<String>,
    pub platform_id: Option<String>,
    /// Whether the platform numbers this chat's messages on their own, so a
    /// missing number means a missing message (Telegram supergroups and channels).
    pub numbered_per_chat: bool,
    /// Participants the export lists apart from senders (Instagram, Discord package).
    pub declared_participants: Vec<String>,
    /// Why the export is known to start after the conversation did, where
    /// the export itself says so (a date filter, a "before" bound).
    pub starts_late: Option<String>,
    /// A count the export claims for itself, to check against what is read.
    pub declared_count: Option<u64>,
    /// What the export says of its own limits (a date range, whose messages it holds).
    pub notes: Vec<String>,
    /// The file this conversation came from.
    pub source: String,
}

/// What an importer hands on, in order: a conversation before its messages.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Conversation(ConversationInfo),
    Message(Message),
}
