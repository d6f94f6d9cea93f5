//! Discord: DiscordChatExporter's JSON (`guild`, `channel`, `dateRange`,
//! `messages`, `messageCount`) and the official data package's
//! `messages/c…/messages.json` (a list of `ID`, `Timestamp`, `Contents`,
//! `Attachments`) or its older `messages.csv`. The package holds only the
//! account holder's own messages, which the timeline says.

use crate::error::ChatError;
use crate::json_frame::Frames;
use crate::json_stream::{self, Elements};
use crate::message::{ConversationInfo, Item, Message, MessageKind, Sent};
use serde::de::DeserializeSeed;
use serde::Deserialize;
use std::io::{BufRead, Read};

/// What the official package's messages say of themselves.
const PACKAGE_NOTE: &str =
    "a Discord data package holds only the account holder's own messages: what others wrote is not in it";

pub fn looks_like_exporter(head: &str) -> bool {
    let t = head.trim_start_matches('\u{feff}').trim_start();
    t.starts_with('{') && head.contains("\"guild\"") && head.contains("\"channel\"")
}

pub fn looks_like_package_json(head: &str) -> bool {
    let t = head.trim_start_matches('\u{feff}').trim_start();
    t.starts_with('[') && head.contains("\"ID\"") && head.contains("\"Timestamp\"") && head.contains("\"Contents\"")
}

pub fn looks_like_package_csv(head: &str) -> bool {
    head.trim_start_matches('\u{feff}')
        .lines()
        .next()
        .is_some_and(|l| l.trim_end() == "ID,Timestamp,Contents,Attachments")
}

/// A time as Discord writes it: RFC 3339 with an offset, or (in old
/// packages) a wall-clock time with none.
fn sent(text: &str, at: &str) -> Result<Sent, ChatError> {
    let t = text.trim();
    if let Ok(ts) = t.parse::<jiff::Timestamp>() {
        return Ok(Sent::Instant { ms: ts.as_millisecond() });
    }
    let civil = t.replace(' ', "T");
    match civil.parse::<jiff::civil::DateTime>() {
        Ok(dt) => Ok(Sent::Local(dt)),
        Err(_) => Err(ChatError::at(at.to_owned(), format!("{t:?} is not a date and time"))),
    }
}

pub struct DiscordReader {
    pub file: String,
    /// Which conversation of the export this file is (a data package holds
    /// one `messages.json` per channel).
    pub conversation: u32,
}

#[derive(Deserialize, Default)]
struct Named {
    id: Option<String>,
    name: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
}

#[derive(Deserialize, Default)]
struct DateRange {
    after: Option<String>,
    before: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Author {
    id: Option<String>,
    name: Option<String>,
    nickname: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Attachment {
    file_name: Option<String>,
    url: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Reference {
    message_id: Option<String>,
    channel_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Embed {
    url: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExporterMessage {
    id: String,
    #[serde(rename = "type")]
    kind: Option<String>,
    timestamp: String,
    timestamp_edited: Option<String>,
    content: Option<String>,
    author: Option<Author>,
    #[serde(default)]
    attachments: Vec<Attachment>,
    #[serde(default)]
    embeds: Vec<Embed>,
    reference: Option<Reference>,
}

/// The package's JSON: `ID` is a number in some packages, a string in others.
#[derive(Deserialize)]
struct PackageMessage {
    #[serde(rename = "ID")]
    id: serde_json::Value,
    #[serde(rename = "Timestamp")]
    timestamp: String,
    #[serde(rename = "Contents", default)]
    contents: Option<String>,
    #[serde(rename = "Attachments", default)]
    attachments: Option<String>,
}

impl DiscordReader {
    /// DiscordChatExporter's JSON.
    pub fn read_exporter(
        &self,
        input: impl Read,
        emit: &mut dyn FnMut(Item) -> Result<(), ChatError>,
    ) -> Result<ExporterFacts, ChatError> {
        let mut f = Frames::new(input, &self.file);
        let mut facts = ExporterFacts::default();
        let (mut guild, mut channel, mut range) = (Named::default(), Named::default(), DateRange::default());
        let mut read = 0u64;
        f.expect(b'{', "a DiscordChatExporter export")?;
        let mut first = true;
        while let Some(key) = f.next_key(first)? {
            first = false;
            f.path.clone_from(&key);
            match key.as_str() {
                "guild" => guild = f.value()?.0,
                "channel" => channel = f.value()?.0,
                "dateRange" => range = f.value()?.0,
                "messages" => {
                    let mut notes = Vec::new();
                    if let Some(after) = &range.after {
                        facts.starts_late = Some(format!("the export was limited to messages after {after}"));
                    }
                    if let Some(before) = &range.before {
                        notes.push(format!("the export was limited to messages before {before}"));
                    }
                    let title = match (&guild.name, &channel.name) {
                        (Some(g), Some(c)) => Some(format!("{g} / #{c}")),
                        (None, c) => c.clone(),
                        (g, None) => g.clone(),
                    };
                    emit(Item::Conversation(ConversationInfo {
                        index: 0,
                        title,
                        chat_kind: channel.kind.clone(),
                        platform_id: channel.id.clone(),
                        notes,
                        source: self.file.clone(),
                        ..Default::default()
                    }))?;
                    f.each_element("messages", "a list of messages", |m: ExporterMessage, source| {
                        read += 1;
                        emit(Item::Message(exporter_message(m, channel.id.as_deref(), source)?))
                    })?;
                }
                "messageCount" => {
                    // Evidence as it was handed over: a count that disagrees
                    // is imported and said, never a reason to refuse it.
                    let declared: u64 = f.value()?.0;
                    if declared != read {
                        facts.notes.push(format!(
                            "{} (messageCount): the export says it holds {declared} messages, but {read} were read; \
                             all {read} are imported as they are, and the original is kept untouched",
                            self.file
                        ));
                    }
                }
                _ => f.skip()?,
            }
        }
        f.path.clear();
        f.end()?;
        Ok(facts)
    }

    /// The package's `messages.json`.
    pub fn read_package_json(
        &self,
        input: impl Read,
        emit: &mut dyn FnMut(Item) -> Result<(), ChatError>,
    ) -> Result<(), ChatError> {
        json_stream::run(&self.file, input, emit, |stream, de| {
            stream.send(Item::Conversation(package_info(&self.file, self.conversation))).map_err(|e| stream.fail(e))?;
            Elements::new(stream, "messages".into(), |m: PackageMessage, source: String, _| {
                let id = match &m.id {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                stream.send(Item::Message(package_message(
                    self.conversation,
                    id,
                    &m.timestamp,
                    m.contents,
                    m.attachments,
                    source,
                )?))
            })
            .deserialize(de)
        })?;
        Ok(())
    }

    /// The package's older `messages.csv`: RFC 4180, fields quoted with
    /// doubled quotes and new lines inside.
    pub fn read_package_csv(
        &self,
        input: impl BufRead,
        emit: &mut dyn FnMut(Item) -> Result<(), ChatError>,
    ) -> Result<(), ChatError> {
        let mut records = CsvRecords { input, line: 0, file: self.file.clone() };
        let Some((_, header)) = records.next()? else {
            return Err(ChatError::at(self.file.clone(), "the file is empty"));
        };
        if header.first().map(|h| h.trim_start_matches('\u{feff}')) != Some("ID") || header.len() < 3 {
            return Err(ChatError::at(
                format!("{} line 1", self.file),
                "the header is not ID,Timestamp,Contents,Attachments",
            ));
        }
        emit(Item::Conversation(package_info(&self.file, self.conversation)))?;
        while let Some((line, rec)) = records.next()? {
            let source = format!("{} line {line}", self.file);
            if rec.len() < 3 {
                return Err(ChatError::at(
                    source,
                    format!("{} field(s); ID, Timestamp and Contents are needed", rec.len()),
                ));
            }
            let mut rec = rec.into_iter();
            let (id, ts, contents) = (rec.next().unwrap_or_default(), rec.next().unwrap_or_default(), rec.next());
            emit(Item::Message(package_message(self.conversation, id, &ts, contents, rec.next(), source)?))?;
        }
        Ok(())
    }
}

fn package_info(file: &str, index: u32) -> ConversationInfo {
    // The package names a channel by its folder, `messages/c123…/`.
    let channel = file.rsplit('/').nth(1).filter(|c| c.starts_with('c')).map(str::to_owned);
    ConversationInfo {
        index,
        title: channel.as_ref().map(|c| format!("channel {c}")),
        platform_id: channel,
        source: file.to_owned(),
        notes: vec![PACKAGE_NOTE.into()],
        ..Default::default()
    }
}

fn package_message(
    conversation: u32,
    id: String,
    timestamp: &str,
    contents: Option<String>,
    attachments: Option<String>,
    source: String,
) -> Result<Message, ChatError> {
    let media: Vec<String> = attachments.unwrap_or_default().split_whitespace().map(str::to_owned).collect();
    Ok(Message {
        conversation,
        id: Some(id),
        sent: sent(timestamp, &source)?,
        sent_as_written: timestamp.to_owned(),
        sender: Some("account holder".into()),
        sender_id: None,
        kind: MessageKind::Message,
        text: contents.unwrap_or_default(),
        links: Vec::new(),
        media,
        deleted: false,
        edited: false,
        reply_to: None,
        forwarded_from: None,
        irregular: Vec::new(),
        source,
    })
}

/// What only the whole exporter file tells.
#[derive(Debug, Default)]
pub struct ExporterFacts {
    /// Why the export may start after the conversation did.
    pub starts_late: Option<String>,
    /// Where the file disagrees with itself, each said once.
    pub notes: Vec<String>,
}

fn exporter_message(m: ExporterMessage, channel: Option<&str>, source: String) -> Result<Message, ChatError> {
    let kind = match m.kind.as_deref() {
        None | Some("Default") | Some("Reply") => MessageKind::Message,
        Some(_) => MessageKind::System,
    };
    let (sender, sender_id) = match m.author {
        Some(a) => (a.nickname.or(a.name), a.id),
        None => (None, None),
    };
    let mut text = m.content.unwrap_or_default();
    if kind == MessageKind::System && text.is_empty() {
        text = m.kind.clone().unwrap_or_default();
    }
    // A reference to another channel (a crosspost) is not a reply here.
    let reply_to = m.reference.and_then(|r| match (r.channel_id.as_deref(), channel) {
        (Some(rc), Some(c)) if rc != c => None,
        _ => r.message_id,
    });
    Ok(Message {
        conversation: 0,
        id: Some(m.id),
        sent: sent(&m.timestamp, &source)?,
        sent_as_written: m.timestamp,
        sender,
        sender_id,
        kind,
        text,
        media: m.attachments.into_iter().filter_map(|a| a.file_name.or(a.url)).collect(),
        links: m.embeds.into_iter().filter_map(|e| e.url).collect(),
        deleted: false,
        edited: m.timestamp_edited.is_some(),
        reply_to,
        forwarded_from: None,
        irregular: Vec::new(),
        source,
    })
}

/// RFC 4180 records with the line each starts on; a field may span lines.
struct CsvRecords<R> {
    input: R,
    line: u64,
    file: String,
}

impl<R: BufRead> CsvRecords<R> {
    fn next(&mut self) -> Result<Option<(u64, Vec<String>)>, ChatError> {
        let mut buf = Vec::new();
        let start = self.line + 1;
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut quoted = false;
        let mut any = false;
        loop {
            if !crate::whatsapp::read_line(&mut self.input, &mut buf, &self.file, self.line + 1)? {
                if quoted {
                    return Err(ChatError::at(format!("{} line {start}", self.file), "a quoted field is never closed"));
                }
                if !any {
                    return Ok(None);
                }
                fields.push(field);
                return Ok(Some((start, fields)));
            }
            self.line += 1;
            any = true;
            let text = std::str::from_utf8(&buf).map_err(|_| {
                ChatError::at(format!("{} line {}", self.file, self.line), "the line is not UTF-8 text")
            })?;
            let mut chars = text.chars().peekable();
            while let Some(c) = chars.next() {
                match (quoted, c) {
                    (true, '"') if chars.peek() == Some(&'"') => {
                        chars.next();
                        field.push('"');
                    }
                    (true, '"') => quoted = false,
                    (false, '"') if field.is_empty() => quoted = true,
                    (false, ',') => fields.push(std::mem::take(&mut field)),
                    (_, c) => field.push(c),
                }
            }
            if quoted {
                field.push('\n');
                continue;
            }
            fields.push(field);
            return Ok(Some((start, fields)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(f: impl FnOnce(&mut dyn FnMut(Item) -> Result<(), ChatError>) -> Result<(), ChatError>) -> Vec<Item> {
        let mut out = Vec::new();
        f(&mut |i| {
            out.push(i);
            Ok(())
        })
        .unwrap();
        out
    }

    #[test]
    fn the_package_csv_reads_quoted_fields_across_lines() {
        let csv = "ID,Timestamp,Contents,Attachments\n1,2021-03-04 12:34:56.789000+00:00,\"hi, \"\"you\"\"\nthere\",\n2,2021-03-04 12:35:00+00:00,ok,https://cdn.example.org/a.png\n";
        let items = collect(|e| {
            DiscordReader { file: "messages.csv".into(), conversation: 0 }.read_package_csv(csv.as_bytes(), e)
        });
        let Item::Message(m) = &items[1] else { panic!() };
        assert_eq!(m.text, "hi, \"you\"\nthere");
        assert_eq!(m.source, "messages.csv line 2");
        assert_eq!(m.sent, Sent::Instant { ms: 1_614_861_296_789 });
        let Item::Message(m) = &items[2] else { panic!() };
        assert_eq!((m.source.as_str(), m.media.len()), ("messages.csv line 4", 1));
    }

    #[test]
    fn a_cross_channel_reference_is_not_a_reply_here() {
        let json = r#"{"guild": {"id": "1", "name": "G"}, "channel": {"id": "2", "type": "GuildTextChat", "name": "general"},
          "dateRange": {"after": "2024-01-01T00:00:00+00:00", "before": null},
          "messages": [
            {"id": "10", "type": "Reply", "timestamp": "2024-01-02T10:00:00+00:00", "timestampEdited": "2024-01-02T10:01:00+00:00",
             "content": "yes", "author": {"id": "77", "name": "ann", "nickname": "Ann"}, "reference": {"messageId": "9", "channelId": "2"}},
            {"id": "11", "type": "Default", "timestamp": "2024-01-02T10:02:00+00:00", "content": "x",
             "author": {"id": "78", "name": "bo"}, "reference": {"messageId": "5", "channelId": "3"}}
          ], "messageCount": 2}"#;
        let mut late = None;
        let items = collect(|e| {
            late = DiscordReader { file: "export.json".into(), conversation: 0 }
                .read_exporter(json.as_bytes(), e)?
                .starts_late;
            Ok(())
        });
        assert!(late.unwrap().contains("after 2024-01-01"));
        let Item::Conversation(c) = &items[0] else { panic!() };
        assert_eq!(c.title.as_deref(), Some("G / #general"));
        let Item::Message(m) = &items[1] else { panic!() };
        assert!(m.edited && m.reply_to.as_deref() == Some("9") && m.sender.as_deref() == Some("Ann"));
        let Item::Message(m) = &items[2] else { panic!() };
        assert_eq!(m.reply_to, None);
        // Issue 31, point 4: a count that disagrees was refused outright.
        let short = json.replace("\"messageCount\": 2", "\"messageCount\": 3");
        let mut read = 0;
        let facts = DiscordReader { file: "export.json".into(), conversation: 0 }
            .read_exporter(short.as_bytes(), &mut |i| {
                read += matches!(i, Item::Message(_)) as u32;
                Ok(())
            })
            .unwrap();
        assert_eq!(read, 2);
        assert_eq!(facts.notes.len(), 1);
        assert!(facts.notes[0]
            .starts_with("export.json (messageCount): the export says it holds 3 messages, but 2 were read"));
    }
}
