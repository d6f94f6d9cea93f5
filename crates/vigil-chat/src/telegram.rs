//! Telegram Desktop's JSON export (`result.json`): one chat (`name`, `type`,
//! `id`, `messages`) or the whole account (`chats.list`, `left_chats.list`).
//! Read as a stream ([`crate::json_frame`]): the outer objects are walked
//! by hand and each message is parsed whole from memory, one at a time,
//! given the line it starts on and its JSON path (`chats.list[3].messages[12]`).

use crate::error::ChatError;
use crate::json_frame::Frames;
use crate::message::{ConversationInfo, Item, Message, MessageKind, Sent};
use serde::de::IgnoredAny;
use serde::Deserialize;
use std::io::Read;

/// Chat kinds whose messages Telegram numbers per chat, so a missing number
/// is a missing message. Private chats and basic groups share the account's
/// numbering and skip numbers for messages elsewhere.
const NUMBERED_PER_CHAT: [&str; 4] = ["private_supergroup", "public_supergroup", "private_channel", "public_channel"];

/// Words only Telegram's export writes, for detecting it from its content.
pub fn looks_like(head: &str) -> bool {
    let t = head.trim_start_matches('\u{feff}').trim_start();
    t.starts_with('{')
        && (head.contains("\"date_unixtime\"")
            || head.contains("\"personal_information\"")
            || NUMBERED_PER_CHAT
                .iter()
                .chain(&["personal_chat", "private_group", "saved_messages", "bot_chat"])
                .any(|k| head.contains(&format!("\"type\": \"{k}\"")) || head.contains(&format!("\"type\":\"{k}\""))))
}

pub struct TelegramReader {
    pub file: String,
}

#[derive(Debug, Default, Clone)]
pub struct TelegramFacts {
    pub conversations: u32,
    pub messages: u64,
}

impl TelegramReader {
    pub fn read(
        &self,
        input: impl Read,
        emit: &mut dyn FnMut(Item) -> Result<(), ChatError>,
    ) -> Result<TelegramFacts, ChatError> {
        let mut f = Frames::new(input, &self.file);
        let mut facts = TelegramFacts::default();
        chat_object(&mut f, "", true, &mut facts, emit)?;
        f.path.clear();
        f.end()?;
        if facts.conversations == 0 {
            return Err(ChatError::at(self.file.clone(), "the JSON has no `messages` list and no `chats.list`"));
        }
        Ok(facts)
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// A chat object (or the root, which is one chat or holds `chats`): its
/// name, type and ID are read before its messages, which come one by one.
fn chat_object<R: Read>(
    f: &mut Frames<R>,
    path: &str,
    root: bool,
    facts: &mut TelegramFacts,
    emit: &mut dyn FnMut(Item) -> Result<(), ChatError>,
) -> Result<(), ChatError> {
    f.path = if path.is_empty() { String::new() } else { path.to_owned() };
    f.expect(b'{', "a Telegram chat object")?;
    let mut name: Option<String> = None;
    let mut kind: Option<String> = None;
    let mut id: Option<String> = None;
    let mut first = true;
    while let Some(key) = f.next_key(first)? {
        first = false;
        let here = join(path, &key);
        f.path.clone_from(&here);
        match key.as_str() {
            "name" => name = f.value::<Option<String>>()?.0,
            "type" => kind = f.value::<Option<String>>()?.0,
            "id" => id = f.value::<Option<serde_json::Number>>()?.0.map(|n| n.to_string()),
            "messages" => {
                let index = facts.conversations;
                facts.conversations += 1;
                let numbered = kind.as_deref().is_some_and(|k| NUMBERED_PER_CHAT.contains(&k));
                emit(Item::Conversation(ConversationInfo {
                    index,
                    title: name.clone(),
                    chat_kind: kind.clone(),
                    platform_id: id.clone(),
                    numbered_per_chat: numbered,
                    source: format!("{} ({})", f.file, if path.is_empty() { "root" } else { path }),
                    ..Default::default()
                }))?;
                f.each_element(&here, "a list of messages", |raw: RawMessage, source| {
                    facts.messages += 1;
                    emit(Item::Message(raw.into_message(index, source)?))
                })?;
            }
            "chats" | "left_chats" if root => {
                f.expect(b'{', "an object with a `list` of chats")?;
                let mut first = true;
                while let Some(key) = f.next_key(first)? {
                    first = false;
                    let inner = join(&here, &key);
                    if key == "list" {
                        f.path.clone_from(&inner);
                        f.expect(b'[', "a list of chats")?;
                        let mut i = 0usize;
                        while f.next_element(i == 0)? {
                            chat_object(f, &format!("{inner}[{i}]"), false, facts, emit)?;
                            i += 1;
                        }
                    } else {
                        f.path = inner;
                        f.skip()?;
                    }
                }
            }
            _ => f.skip()?,
        }
    }
    Ok(())
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Text {
    Plain(String),
    Parts(Vec<Part>),
    Other(IgnoredAny),
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Part {
    Plain(String),
    Entity {
        #[serde(default)]
        text: String,
        #[serde(default)]
        href: Option<String>,
    },
    Other(IgnoredAny),
}

#[derive(Deserialize)]
struct RawMessage {
    id: Option<i64>,
    #[serde(rename = "type")]
    kind: Option<String>,
    date: Option<String>,
    date_unixtime: Option<String>,
    from: Option<String>,
    #[serde(default, deserialize_with = "string_or_number")]
    from_id: Option<String>,
    actor: Option<String>,
    #[serde(default, deserialize_with = "string_or_number")]
    actor_id: Option<String>,
    action: Option<String>,
    title: Option<String>,
    members: Option<Vec<Option<String>>>,
    edited: Option<String>,
    reply_to_message_id: Option<i64>,
    forwarded_from: Option<String>,
    photo: Option<String>,
    file: Option<String>,
    media_type: Option<String>,
    text: Option<Text>,
}

/// Older Telegram Desktop versions wrote `from_id` (and `actor_id`) as a
/// bare number; newer ones as `"user123"`. Both are kept as written.
fn string_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Id {
        Text(String),
        Number(serde_json::Number),
    }
    Ok(Option::<Id>::deserialize(d)?.map(|id| match id {
        Id::Text(s) => s,
        Id::Number(n) => n.to_string(),
    }))
}

impl RawMessage {
    fn into_message(self, conversation: u32, source: String) -> Result<Message, ChatError> {
        let (sent, as_written) = match (&self.date_unixtime, &self.date) {
            (Some(u), _) => {
                let s: i64 = u
                    .trim()
                    .parse()
                    .map_err(|_| ChatError::at(source.clone(), format!("date_unixtime {u:?} is not a number")))?;
                let written = self.date.clone().unwrap_or_else(|| u.clone());
                (Sent::Instant { ms: s.saturating_mul(1000) }, written)
            }
            (None, Some(d)) => {
                let dt: jiff::civil::DateTime = d.parse().map_err(|_| {
                    ChatError::at(source.clone(), format!("date {d:?} is not a date and time (YYYY-MM-DDTHH:MM:SS)"))
                })?;
                (Sent::Local(dt), d.clone())
            }
            (None, None) => return Err(ChatError::at(source, "the message has no date")),
        };
        let mut text = String::new();
        let mut links = Vec::new();
        match self.text {
            Some(Text::Plain(s)) => text = s,
            Some(Text::Parts(parts)) => {
                for p in parts {
                    match p {
                        Part::Plain(s) => text.push_str(&s),
                        Part::Entity { text: t, href } => {
                            text.push_str(&t);
                            links.extend(href);
                        }
                        Part::Other(_) => {}
                    }
                }
            }
            Some(Text::Other(_)) | None => {}
        }
        let service = self.kind.as_deref() == Some("service");
        if service && text.is_empty() {
            // A notice carries its meaning in `action` and its arguments.
            let mut t = self.action.clone().unwrap_or_default().replace('_', " ");
            if let Some(title) = &self.title {
                t.push_str(&format!(": {title}"));
            }
            if let Some(m) = &self.members {
                let names: Vec<&str> = m.iter().map(|n| n.as_deref().unwrap_or("(deleted account)")).collect();
                t.push_str(&format!(": {}", names.join(", ")));
            }
            text = t;
        }
        let mut media = Vec::new();
        for m in [&self.photo, &self.file].into_iter().flatten() {
            media.push(match &self.media_type {
                Some(kind) => format!("{kind}: {m}"),
                None => m.clone(),
            });
        }
        let (sender, sender_id) = if service { (self.actor, self.actor_id) } else { (self.from, self.from_id) };
        Ok(Message {
            conversation,
            id: self.id.map(|i| i.to_string()),
            sent,
            sent_as_written: as_written,
            sender,
            sender_id,
            kind: if service { MessageKind::System } else { MessageKind::Message },
            text,
            media,
            links,
            deleted: false,
            edited: self.edited.is_some(),
            reply_to: self.reply_to_message_id.map(|i| i.to_string()),
            forwarded_from: self.forwarded_from,
            irregular: Vec::new(),
            source,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(json: &str) -> Result<(Vec<Item>, TelegramFacts), ChatError> {
        let mut out = Vec::new();
        let facts = TelegramReader { file: "result.json".into() }.read(json.as_bytes(), &mut |i| {
            out.push(i);
            Ok(())
        })?;
        Ok((out, facts))
    }

    const ONE_CHAT: &str = r#"{
 "name": "Test group",
 "type": "private_supergroup",
 "id": 1234,
 "messages": [
  {
   "id": 1,
   "type": "service",
   "date": "2024-01-01T10:00:00",
   "date_unixtime": "1704103200",
   "actor": "Ann",
   "actor_id": "user1",
   "action": "create_group",
   "title": "Test group",
   "text": ""
  },
  {
   "id": 3,
   "type": "message",
   "date": "2024-01-01T10:01:00",
   "date_unixtime": "1704103260",
   "edited": "2024-01-01T10:02:00",
   "from": "Bo",
   "from_id": "user2",
   "reply_to_message_id": 2,
   "text": ["see ", {"type": "text_link", "text": "this", "href": "https://example.org/x"}, " {not json}"]
  }
 ]
}"#;

    #[test]
    fn one_chat_reads_with_lines_paths_and_entities() {
        let (items, facts) = read(ONE_CHAT).unwrap();
        assert_eq!((facts.conversations, facts.messages), (1, 2));
        let Item::Conversation(c) = &items[0] else { panic!() };
        assert!(c.numbered_per_chat);
        assert_eq!(c.title.as_deref(), Some("Test group"));
        let Item::Message(m) = &items[1] else { panic!() };
        assert_eq!(m.kind, MessageKind::System);
        assert_eq!(m.text, "create group: Test group");
        assert_eq!(m.source, "result.json line 6 (messages[0])");
        let Item::Message(m) = &items[2] else { panic!() };
        assert_eq!(m.text, "see this {not json}");
        assert_eq!(m.links, vec!["https://example.org/x".to_owned()]);
        assert!(m.edited);
        assert_eq!(m.reply_to.as_deref(), Some("2"));
        assert_eq!(m.sent, Sent::Instant { ms: 1_704_103_260_000 });
        assert_eq!(m.source, "result.json line 17 (messages[1])");
    }

    /// Issue 31, point 4: older Telegram Desktop versions wrote `from_id`
    /// as a bare number, and such an export was refused.
    #[test]
    fn a_numeric_from_id_is_read_as_written() {
        let old = ONE_CHAT
            .replace("\"actor_id\": \"user1\"", "\"actor_id\": 1")
            .replace("\"from_id\": \"user2\"", "\"from_id\": 92");
        assert_ne!(old, ONE_CHAT, "the fixture has ids to rewrite");
        let (items, _) = read(&old).unwrap();
        let Item::Message(m) = &items[1] else { panic!() };
        assert_eq!(m.sender_id.as_deref(), Some("1"));
        let Item::Message(m) = &items[2] else { panic!() };
        assert_eq!(m.sender_id.as_deref(), Some("92"));
    }

    #[test]
    fn the_full_export_reads_every_chat_list() {
        let json = r#"{"about": "x", "personal_information": {"first_name": "A"},
          "chats": {"about": "y", "list": [
            {"name": "Ann", "type": "personal_chat", "id": 5, "messages": [
              {"id": 10, "type": "message", "date": "2024-01-01T10:00:00", "from": "Ann", "text": "hi"}]},
            {"name": "Chan", "type": "public_channel", "id": 6, "messages": []}]},
          "left_chats": {"list": [{"name": "Old", "type": "private_group", "id": 7, "messages": [
              {"id": 11, "type": "message", "date": "2024-01-02T10:00:00", "from": null, "text": "x"}]}]}}"#;
        let (items, facts) = read(json).unwrap();
        assert_eq!((facts.conversations, facts.messages), (3, 2));
        let Item::Message(m) = &items[1] else { panic!() };
        assert_eq!(m.sent, Sent::Local(jiff::civil::date(2024, 1, 1).at(10, 0, 0, 0)));
        assert!(m.source.ends_with("(chats.list[0].messages[0])"), "{}", m.source);
        let Item::Message(m) = &items[4] else { panic!() };
        assert!(m.source.ends_with("(left_chats.list[0].messages[0])"), "{}", m.source);
        assert_eq!(m.sender, None);
    }

    #[test]
    fn a_cut_export_names_the_line_and_path() {
        let cut = &ONE_CHAT[..ONE_CHAT.find("\"reply_to_message_id\"").unwrap()];
        let e = read(cut).unwrap_err().to_string();
        assert_eq!(
            e,
            "result.json line 25 (messages[1]): the JSON ends before it is complete (is the file cut short?)"
        );
        let e = read(&ONE_CHAT.replace("\"1704103260\"", "\"soon\"")).unwrap_err().to_string();
        assert_eq!(e, "result.json line 17 (messages[1]): date_unixtime \"soon\" is not a number");
        let e = read("{\"name\": \"x\"}").unwrap_err().to_string();
        assert_eq!(e, "result.json: the JSON has no `messages` list and no `chats.list`");
    }

    #[test]
    fn a_huge_string_is_refused_before_it_is_held() {
        let head = "{\"name\": \"x\", \"type\": \"personal_chat\", \"messages\": [{\"id\": 1, \"text\": \"";
        let body = std::io::repeat(b'a').take(crate::json_position::MAX_ITEM + 10);
        let input = head.as_bytes().chain(body);
        let e = TelegramReader { file: "result.json".into() }.read(input, &mut |_| Ok(())).unwrap_err();
        assert_eq!(
            e.to_string(),
            "result.json line 1 (messages[0]): one item is larger than 64 MiB; no chat message is"
        );
    }
}
