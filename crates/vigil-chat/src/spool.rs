//! The import's spool: every item of the one read of an export, in a
//! compact binary form, so the analysis and the timeline are made from it
//! without reading or parsing the export again. Where the spool lies is the
//! caller's choice: the vault seals it into a scratch file whose key never
//! leaves memory; tests and small re-derivations keep it in memory.
//!
//! A record is its body's length (u32, little-endian) and the body: a tag
//! (0 a conversation, as JSON; 1 a message, field by field), strings as a
//! varint length and UTF-8 bytes, `Option`s as 0 for none or 1 and the value.

use crate::message::{ConversationInfo, Irregular, Item, Message, MessageKind, Sent};
use std::io::{self, Read, Write};

const CONVERSATION: u8 = 0;
const MESSAGE: u8 = 1;

/// Writes items to a spool.
pub struct SpoolWriter<W: Write> {
    out: W,
    body: Vec<u8>,
    /// Items written.
    pub items: u64,
}

impl<W: Write> SpoolWriter<W> {
    pub fn new(out: W) -> Self {
        SpoolWriter { out, body: Vec::with_capacity(4096), items: 0 }
    }

    pub fn put(&mut self, item: &Item) -> io::Result<()> {
        self.body.clear();
        encode(item, &mut self.body)?;
        let len = u32::try_from(self.body.len()).map_err(|_| io::Error::other("a spooled item over 4 GiB"))?;
        self.out.write_all(&len.to_le_bytes())?;
        self.out.write_all(&self.body)?;
        self.items += 1;
        Ok(())
    }

    pub fn into_inner(self) -> W {
        self.out
    }
}

/// Reads items back from a spool, in the order they were written.
pub struct SpoolReader<R: Read> {
    input: R,
    body: Vec<u8>,
}

impl<R: Read> SpoolReader<R> {
    pub fn new(input: R) -> Self {
        SpoolReader { input, body: Vec::with_capacity(4096) }
    }

    /// The next item, or `None` at the end.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> io::Result<Option<Item>> {
        let mut len = [0u8; 4];
        // Only an end before a record's first byte is the spool's end.
        loop {
            match self.input.read(&mut len[..1]) {
                Ok(0) => return Ok(None),
                Ok(_) => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        self.input.read_exact(&mut len[1..])?;
        self.body.resize(u32::from_le_bytes(len) as usize, 0);
        self.input.read_exact(&mut self.body)?;
        decode(&self.body).map(Some)
    }
}

fn bad(why: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("the import's spool is damaged: {why}"))
}

fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn text(out: &mut Vec<u8>, s: &str) {
    varint(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

fn opt(out: &mut Vec<u8>, s: &Option<String>) {
    match s {
        None => out.push(0),
        Some(s) => {
            out.push(1);
            text(out, s);
        }
    }
}

fn list(out: &mut Vec<u8>, l: &[String]) {
    varint(out, l.len() as u64);
    for s in l {
        text(out, s);
    }
}

fn encode(item: &Item, out: &mut Vec<u8>) -> io::Result<()> {
    match item {
        Item::Conversation(c) => {
            out.push(CONVERSATION);
            serde_json::to_writer(&mut *out, c).map_err(io::Error::other)?;
        }
        Item::Message(m) => {
            out.push(MESSAGE);
            varint(out, u64::from(m.conversation));
            opt(out, &m.id);
            match m.sent {
                Sent::Instant { ms } => {
                    out.push(0);
                    out.extend_from_slice(&ms.to_le_bytes());
                }
                Sent::Local(dt) => {
                    out.push(1);
                    out.extend_from_slice(&dt.year().to_le_bytes());
                    out.extend_from_slice(&[
                        dt.month() as u8,
                        dt.day() as u8,
                        dt.hour() as u8,
                        dt.minute() as u8,
                        dt.second() as u8,
                    ]);
                    out.extend_from_slice(&dt.subsec_nanosecond().to_le_bytes());
                }
            }
            text(out, &m.sent_as_written);
            opt(out, &m.sender);
            opt(out, &m.sender_id);
            out.push(match m.kind {
                MessageKind::Message => 0,
                MessageKind::System => 1,
            });
            text(out, &m.text);
            list(out, &m.media);
            list(out, &m.links);
            out.push(u8::from(m.deleted) | u8::from(m.edited) << 1);
            opt(out, &m.reply_to);
            opt(out, &m.forwarded_from);
            text(out, &m.source);
            varint(out, m.irregular.len() as u64);
            for i in &m.irregular {
                match i {
                    Irregular::ZeroHourOnTwelveHourClock => out.push(0),
                    Irregular::LineLikeAMessage(line) => {
                        out.push(1);
                        varint(out, *line);
                    }
                    Irregular::DateOrderAssumed => out.push(2),
                }
            }
        }
    }
    Ok(())
}

/// A cursor over one record's body.
struct Body<'a>(&'a [u8]);

impl<'a> Body<'a> {
    fn byte(&mut self) -> io::Result<u8> {
        let (&b, rest) = self.0.split_first().ok_or_else(|| bad("a record ends early"))?;
        self.0 = rest;
        Ok(b)
    }

    fn bytes(&mut self, n: usize) -> io::Result<&'a [u8]> {
        if self.0.len() < n {
            return Err(bad("a record ends early"));
        }
        let (b, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(b)
    }

    fn varint(&mut self) -> io::Result<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(bad("a number is too long"))
    }

    fn text(&mut self) -> io::Result<String> {
        let n = usize::try_from(self.varint()?).map_err(|_| bad("a length is too large"))?;
        let b = self.bytes(n)?;
        String::from_utf8(b.to_vec()).map_err(|_| bad("a text is not UTF-8"))
    }

    fn opt(&mut self) -> io::Result<Option<String>> {
        match self.byte()? {
            0 => Ok(None),
            _ => self.text().map(Some),
        }
    }

    fn list(&mut self) -> io::Result<Vec<String>> {
        let n = self.varint()?;
        (0..n).map(|_| self.text()).collect()
    }

    fn array<const N: usize>(&mut self) -> io::Result<[u8; N]> {
        Ok(self.bytes(N)?.try_into().expect("N bytes"))
    }
}

fn decode(body: &[u8]) -> io::Result<Item> {
    let mut b = Body(body);
    match b.byte()? {
        CONVERSATION => {
            let c: ConversationInfo = serde_json::from_slice(b.0).map_err(|_| bad("a conversation is not JSON"))?;
            Ok(Item::Conversation(c))
        }
        MESSAGE => {
            let conversation = u32::try_from(b.varint()?).map_err(|_| bad("a conversation number is too large"))?;
            let id = b.opt()?;
            let sent = match b.byte()? {
                0 => Sent::Instant { ms: i64::from_le_bytes(b.array()?) },
                1 => {
                    let year = i16::from_le_bytes(b.array()?);
                    let [month, day, hour, minute, second] = b.array::<5>()?;
                    let nanos = i32::from_le_bytes(b.array()?);
                    let dt = jiff::civil::DateTime::new(
                        year,
                        month as i8,
                        day as i8,
                        hour as i8,
                        minute as i8,
                        second as i8,
                        nanos,
                    )
                    .map_err(|_| bad("a local time is not a time"))?;
                    Sent::Local(dt)
                }
                _ => return Err(bad("an unknown kind of time")),
            };
            let sent_as_written = b.text()?;
            let sender = b.opt()?;
            let sender_id = b.opt()?;
            let kind = match b.byte()? {
                0 => MessageKind::Message,
                _ => MessageKind::System,
            };
            let text = b.text()?;
            let media = b.list()?;
            let links = b.list()?;
            let marks = b.byte()?;
            let reply_to = b.opt()?;
            let forwarded_from = b.opt()?;
            let source = b.text()?;
            let n = b.varint()?;
            let mut irregular = Vec::new();
            for _ in 0..n {
                irregular.push(match b.byte()? {
                    0 => Irregular::ZeroHourOnTwelveHourClock,
                    1 => Irregular::LineLikeAMessage(b.varint()?),
                    2 => Irregular::DateOrderAssumed,
                    _ => return Err(bad("an unknown irregularity")),
                });
            }
            Ok(Item::Message(Message {
                conversation,
                id,
                sent,
                sent_as_written,
                sender,
                sender_id,
                kind,
                text,
                media,
                links,
                deleted: marks & 1 != 0,
                edited: marks & 2 != 0,
                reply_to,
                forwarded_from,
                source,
                irregular,
            }))
        }
        _ => Err(bad("an unknown kind of record")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(sent: Sent) -> Message {
        Message {
            conversation: 3,
            id: Some("42".into()),
            sent,
            sent_as_written: "31/12/2020, 23:59".into(),
            sender: Some("Ann ✓".into()),
            sender_id: None,
            kind: MessageKind::System,
            text: "two\nlines, and ünïcode".into(),
            media: vec!["photo: a.jpg".into(), String::new()],
            links: vec!["https://example.org/".into()],
            deleted: false,
            edited: true,
            reply_to: Some("41".into()),
            forwarded_from: None,
            source: "chat.txt lines 4–5".into(),
            irregular: vec![Irregular::LineLikeAMessage(5), Irregular::DateOrderAssumed],
        }
    }

    #[test]
    fn items_read_back_as_written() {
        let items = vec![
            Item::Conversation(ConversationInfo {
                index: 3,
                title: Some("Group".into()),
                notes: vec!["n".into()],
                ..Default::default()
            }),
            Item::Message(message(Sent::Instant { ms: -1_234_567 })),
            Item::Message(message(Sent::Local(jiff::civil::date(2020, 12, 31).at(23, 59, 58, 7)))),
            Item::Message(Message { irregular: Vec::new(), id: None, ..message(Sent::Instant { ms: i64::MAX }) }),
        ];
        let mut w = SpoolWriter::new(Vec::new());
        for i in &items {
            w.put(i).unwrap();
        }
        assert_eq!(w.items, 4);
        let bytes = w.into_inner();
        let mut r = SpoolReader::new(&bytes[..]);
        let mut back = Vec::new();
        while let Some(i) = r.next().unwrap() {
            back.push(i);
        }
        assert_eq!(back, items);
        // A spool cut short is an error, never a quietly shorter list.
        let mut r = SpoolReader::new(&bytes[..bytes.len() - 3]);
        let mut err = None;
        loop {
            match r.next() {
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(e) => {
                    err = Some(e);
                    break;
                }
            }
        }
        assert_eq!(err.expect("a cut spool fails").kind(), io::ErrorKind::UnexpectedEof);
    }
}
