//! Instagram's and Facebook Messenger's "download your information" JSON
//! (`messages/inbox/NAME/message_N.json`): `participants`, `messages`
//! newest first, `title`, `thread_path`. Their text is UTF-8 written as if
//! each byte were a Latin-1 character (`\u00c3\u00a9` for "é"), repaired
//! here. A thread longer than one file is split newest-first across
//! `message_1.json`, `message_2.json`, …; read oldest first, each file's
//! messages are turned round, which holds one file's messages at a time.

use crate::error::ChatError;
use crate::json_stream::{self, Elements};
use crate::message::{ConversationInfo, Item, Message, MessageKind, Sent};
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;
use std::cell::RefCell;
use std::fmt;
use std::io::Read;

/// More messages than this in one file is not an export these platforms
/// write (they split threads at a few thousand); refused rather than held.
pub const MAX_PER_FILE: usize = 200_000;

pub fn looks_like(head: &str) -> bool {
    let t = head.trim_start_matches('\u{feff}').trim_start();
    // Some exports leave out `participants`; a message's sender and its
    // time in milliseconds are Meta's alone.
    t.starts_with('{')
        && head.contains("\"sender_name\"")
        && (head.contains("\"participants\"") || head.contains("\"timestamp_ms\""))
}

/// Undoes the platforms' mis-encoding: text whose characters are all below
/// U+0100 and whose bytes, so read, are valid UTF-8 is that UTF-8.
pub fn repair(text: &str) -> String {
    if text.is_ascii() || text.chars().any(|c| c as u32 > 0xff) {
        return text.to_owned();
    }
    let bytes: Vec<u8> = text.chars().map(|c| c as u8).collect();
    String::from_utf8(bytes).unwrap_or_else(|_| text.to_owned())
}

#[derive(Deserialize)]
struct Participant {
    name: Option<String>,
}

#[derive(Deserialize)]
struct Media {
    uri: Option<String>,
}

#[derive(Deserialize)]
struct Share {
    link: Option<String>,
}

#[derive(Deserialize)]
struct RawMessage {
    sender_name: Option<String>,
    timestamp_ms: i64,
    content: Option<String>,
    #[serde(default)]
    is_unsent: bool,
    #[serde(rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    photos: Vec<Media>,
    #[serde(default)]
    videos: Vec<Media>,
    #[serde(default)]
    audio_files: Vec<Media>,
    #[serde(default)]
    files: Vec<Media>,
    share: Option<Share>,
}

/// Reads the files of one thread, oldest file first.
pub struct InstagramReader {
    announced: bool,
}

impl Default for InstagramReader {
    fn default() -> Self {
        Self::new()
    }
}

struct Pending {
    raw: RawMessage,
    source: String,
}

impl InstagramReader {
    pub fn new() -> Self {
        InstagramReader { announced: false }
    }

    /// Reads one `message_N.json`, handing its messages on oldest first.
    pub fn read_file(
        &mut self,
        file: &str,
        input: impl Read,
        emit: &mut dyn FnMut(Item) -> Result<(), ChatError>,
    ) -> Result<(), ChatError> {
        let held: RefCell<Vec<Pending>> = RefCell::new(Vec::new());
        let info: RefCell<ConversationInfo> =
            RefCell::new(ConversationInfo { source: file.to_owned(), ..Default::default() });
        json_stream::run(file, input, &mut |_| Ok(()), |stream, de| {
            ThreadFile { stream, held: &held, info: &info }.deserialize(de)
        })?;
        if !self.announced {
            self.announced = true;
            emit(Item::Conversation(info.into_inner()))?;
        }
        for p in held.into_inner().into_iter().rev() {
            emit(Item::Message(message(p.raw, p.source)))?;
        }
        Ok(())
    }
}

struct ThreadFile<'s, 'e, 'h> {
    stream: &'s json_stream::Stream<'e>,
    held: &'h RefCell<Vec<Pending>>,
    info: &'h RefCell<ConversationInfo>,
}

impl<'de> DeserializeSeed<'de> for ThreadFile<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ThreadFile<'_, '_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an Instagram or Messenger thread file")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let stream = self.stream;
        while let Some(key) = map.next_key::<String>()? {
            stream.at(&key);
            match key.as_str() {
                "participants" => {
                    let p: Vec<Participant> = map.next_value()?;
                    self.info.borrow_mut().declared_participants =
                        p.into_iter().filter_map(|p| p.name).map(|n| repair(&n)).collect();
                }
                "title" => self.info.borrow_mut().title = map.next_value::<Option<String>>()?.map(|t| repair(&t)),
                "thread_path" => self.info.borrow_mut().platform_id = map.next_value()?,
                "messages" => {
                    let held = self.held;
                    map.next_value_seed(Elements::new(stream, "messages".into(), |raw: RawMessage, source, _| {
                        let mut h = held.borrow_mut();
                        if h.len() >= MAX_PER_FILE {
                            return Err(ChatError::at(
                                source,
                                format!("more than {MAX_PER_FILE} messages in one file; these platforms split threads into files of a few thousand"),
                            ));
                        }
                        h.push(Pending { raw, source });
                        Ok(())
                    }))?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

fn message(raw: RawMessage, source: String) -> Message {
    let text = raw.content.as_deref().map(repair).unwrap_or_default();
    let sender = raw.sender_name.as_deref().map(repair);
    // Older exports write an unsent message as a notice in its place.
    let deleted = raw.is_unsent || text.ends_with(" unsent a message.") || text.ends_with(" unsent a message");
    let system = matches!(raw.kind.as_deref(), Some("Subscribe" | "Unsubscribe" | "Call"));
    let mut media = Vec::new();
    for m in raw.photos.iter().chain(&raw.videos).chain(&raw.audio_files).chain(&raw.files) {
        media.extend(m.uri.clone());
    }
    Message {
        conversation: 0,
        id: None,
        sent: Sent::Instant { ms: raw.timestamp_ms },
        sent_as_written: raw.timestamp_ms.to_string(),
        sender,
        sender_id: None,
        kind: if system { MessageKind::System } else { MessageKind::Message },
        text,
        media,
        links: raw.share.and_then(|s| s.link).into_iter().collect(),
        deleted,
        edited: false,
        reply_to: None,
        forwarded_from: None,
        irregular: Vec::new(),
        source,
    }
}

/// The `N` of `message_N.json`, for ordering a thread's files.
pub fn file_number(name: &str) -> Option<u32> {
    let base = name.rsplit('/').next()?;
    base.strip_prefix("message_")?.strip_suffix(".json")?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin1_escaped_utf8_is_repaired_and_real_latin1_kept() {
        assert_eq!(repair("caf\u{c3}\u{a9} \u{f0}\u{9f}\u{98}\u{80}"), "café 😀");
        assert_eq!(repair("café"), "café", "already right, and not valid UTF-8 as bytes");
        assert_eq!(repair("plain"), "plain");
    }

    #[test]
    fn messages_come_out_oldest_first_with_their_places() {
        let json = r#"{"participants": [{"name": "Ann"}, {"name": "Bo"}],
          "messages": [
            {"sender_name": "Bo", "timestamp_ms": 1704103320000, "content": "Bo unsent a message."},
            {"sender_name": "Ann", "timestamp_ms": 1704103260000, "content": "caf\u00c3\u00a9", "share": {"link": "https://example.org/p/1"}}
          ], "title": "Ann", "thread_path": "inbox/ann_1"}"#;
        let mut out = Vec::new();
        InstagramReader::new()
            .read_file("message_1.json", json.as_bytes(), &mut |i| {
                out.push(i);
                Ok(())
            })
            .unwrap();
        let Item::Conversation(c) = &out[0] else { panic!() };
        assert_eq!(c.declared_participants, vec!["Ann".to_owned(), "Bo".to_owned()]);
        let Item::Message(m) = &out[1] else { panic!() };
        assert_eq!((m.text.as_str(), m.source.as_str()), ("café", "message_1.json line 4 (messages[1])"));
        let Item::Message(m) = &out[2] else { panic!() };
        assert!(m.deleted);
        assert_eq!(file_number("messages/inbox/ann_1/message_12.json"), Some(12));
    }
}
