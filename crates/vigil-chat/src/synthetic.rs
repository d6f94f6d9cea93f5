//! Synthetic exports with known ground truth, for tests and benchmarks:
//! made-up people talking about nothing, with deletions, edits, replies to
//! removed messages, removed ranges, long silences and local times the
//! clocks make ambiguous or impossible, at places the generator chooses
//! and reports. Phone numbers are from Ofcom's drama range (07700 900xxx)
//! and addresses from example.org; nothing here is anyone's.

use jiff::civil::{DateTime, Weekday};
use std::io::{self, Write};

/// What a generated export holds, counted by the generator itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Truth {
    /// Every line or entry, notices included.
    pub messages: u64,
    pub system_messages: u64,
    pub participants: Vec<String>,
    pub deleted: u64,
    pub edited: u64,
    pub media: u64,
    /// IDs replied to that the export does not hold.
    pub missing_references: Vec<String>,
    /// (after, before) for each run of removed IDs.
    pub id_gaps: Vec<(i64, i64)>,
    pub possible_gaps: u64,
    pub ambiguous_times: u64,
    pub impossible_times: u64,
    pub starts_late: bool,
    /// Identifiers written into the text, normalised as Vigil writes them.
    pub identifiers: Vec<String>,
    /// Messages whose text the platform mis-encoded (Instagram), each
    /// holding "café" once repaired.
    pub misencoded: u64,
}

#[derive(Debug, Clone)]
pub struct Spec {
    pub messages: u64,
    pub seed: u64,
    /// Where long silences fall (message positions).
    pub silences_at: Vec<u64>,
    /// Leave out the opening notice (WhatsApp) or the first IDs (Telegram).
    pub cut_start: bool,
    /// The first wall-clock time of a WhatsApp export.
    pub start: DateTime,
}

impl Spec {
    pub fn new(messages: u64) -> Spec {
        Spec {
            messages,
            seed: 7,
            silences_at: vec![messages / 2],
            cut_start: false,
            start: jiff::civil::date(2024, 3, 30).at(22, 0, 0, 0),
        }
    }
}

/// A small deterministic generator (SplitMix64), so exports are repeatable.
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const PEOPLE: [(&str, &str); 3] =
    [("Ann Example", "user1001"), ("Bo Sample", "user1002"), ("Cy Placeholder", "user1003")];
const WORDS: [&str; 12] =
    ["hello", "the", "bus", "was", "late", "again", "see", "you", "at", "noon", "maybe", "tomorrow"];

fn sentence(mix: &mut Mix) -> String {
    let n = 3 + mix.below(8);
    (0..n).map(|_| WORDS[mix.below(WORDS.len() as u64) as usize]).collect::<Vec<_>>().join(" ")
}

/// Whether a wall-clock time falls in the hour Europe/London's clocks go
/// back over (last Sunday of October, 01:00–02:00) or forward over (last
/// Sunday of March, 01:00–02:00), worked out without a zone database.
fn london_change(t: DateTime) -> (bool, bool) {
    let last_sunday = t.weekday() == Weekday::Sunday && t.day() >= 25;
    let in_hour = t.hour() == 1;
    (last_sunday && in_hour && t.month() == 10, last_sunday && in_hour && t.month() == 3)
}

/// A WhatsApp Android export (day-first, 24-hour clock), wall-clock times
/// from `spec.start`, a minute or two apart, crossing the clock changes.
pub fn whatsapp(spec: &Spec, out: &mut dyn Write) -> io::Result<Truth> {
    let mut out = io::BufWriter::new(out);
    let mut mix = Mix(spec.seed);
    let mut truth = Truth { starts_late: spec.cut_start, ..Default::default() };
    truth.participants = PEOPLE[..2].iter().map(|p| p.0.to_owned()).collect();
    let mut t = spec.start;
    let stamp = |t: DateTime| t.strftime("%d/%m/%Y, %H:%M").to_string();
    let count = |truth: &mut Truth, t: DateTime| {
        truth.messages += 1;
        let (amb, imp) = london_change(t);
        truth.ambiguous_times += u64::from(amb);
        truth.impossible_times += u64::from(imp);
    };
    if !spec.cut_start {
        writeln!(out, "{} - Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them.", stamp(t))?;
        count(&mut truth, t);
        truth.system_messages += 1;
    }
    let body = spec.messages.saturating_sub(u64::from(!spec.cut_start));
    for i in 0..body {
        t = if spec.silences_at.contains(&i) {
            truth.possible_gaps += 1;
            t.checked_add(jiff::Span::new().hours(72)).unwrap_or(t)
        } else {
            t.checked_add(jiff::Span::new().seconds(60 + mix.below(60) as i64)).unwrap_or(t)
        };
        let who = PEOPLE[(i % 2) as usize].0;
        let text = match i % 97 {
            5 => {
                truth.deleted += 1;
                "This message was deleted".to_owned()
            }
            11 => {
                truth.edited += 1;
                format!("{} <This message was edited>", sentence(&mut mix))
            }
            17 => {
                truth.media += 1;
                "<Media omitted>".to_owned()
            }
            23 => format!("{}\n{}", sentence(&mut mix), sentence(&mut mix)),
            31 => {
                let n = i % 1000;
                let id = format!("phone:+447700900{n:03}");
                if !truth.identifiers.contains(&id) {
                    truth.identifiers.push(id);
                }
                format!("ring me on 07700 900{n:03}")
            }
            _ => sentence(&mut mix),
        };
        writeln!(out, "{} - {who}: {text}", stamp(t))?;
        count(&mut truth, t);
    }
    out.flush()?;
    truth.identifiers.sort();
    Ok(truth)
}

/// A Telegram Desktop single-chat export of a private supergroup (numbered
/// per chat), in Telegram's own layout: IDs from 1 with removed ranges,
/// replies to present and to removed messages, edits, forwarded messages,
/// photos and a service notice first.
pub fn telegram(spec: &Spec, out: &mut dyn Write) -> io::Result<Truth> {
    let mut out = io::BufWriter::new(out);
    let mut mix = Mix(spec.seed);
    let mut truth = Truth { starts_late: spec.cut_start, ..Default::default() };
    truth.participants = PEOPLE.iter().map(|p| p.0.to_owned()).collect();
    writeln!(out, "{{\n \"name\": \"Synthetic group\",\n \"type\": \"private_supergroup\",\n \"id\": 987654321,\n \"messages\": [")?;
    let mut unix: i64 = 1_704_103_200; // 2024-01-01T10:00:00Z
    let mut id: i64 = if spec.cut_start { 40 } else { 1 };
    let mut removed: Vec<i64> = Vec::new();
    let mut previous_id = id;
    for i in 0..spec.messages {
        if i > 0 {
            writeln!(out, "  ,")?;
        }
        if i > 0 && i % 500 == 250 {
            // A removed range: these IDs are not written.
            let k = 1 + mix.below(3) as i64;
            truth.id_gaps.push((id - 1, id + k));
            removed.push(id);
            id += k;
        }
        unix += if spec.silences_at.contains(&i) {
            truth.possible_gaps += 1;
            5 * 86_400
        } else {
            30 + mix.below(60) as i64
        };
        let date = jiff::Timestamp::from_second(unix)
            .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).datetime().to_string())
            .unwrap_or_default();
        truth.messages += 1;
        if i == 0 && !spec.cut_start {
            truth.system_messages += 1;
            write!(out, "  {{\n   \"id\": {id},\n   \"type\": \"service\",\n   \"date\": \"{date}\",\n   \"date_unixtime\": \"{unix}\",\n   \"actor\": \"{}\",\n   \"actor_id\": \"{}\",\n   \"action\": \"create_group\",\n   \"title\": \"Synthetic group\",\n   \"members\": [\"{}\", \"{}\"],\n   \"text\": \"\",\n   \"text_entities\": []\n  }}\n", PEOPLE[0].0, PEOPLE[0].1, PEOPLE[1].0, PEOPLE[2].0)?;
            previous_id = id;
            id += 1;
            continue;
        }
        let (who, who_id) = PEOPLE[(i % 3) as usize];
        let mut extra = String::new();
        if i % 89 == 13 {
            truth.edited += 1;
            extra += &format!(",\n   \"edited\": \"{date}\",\n   \"edited_unixtime\": \"{}\"", unix + 60);
        }
        if i % 500 == 260 {
            if let Some(r) = removed.last() {
                extra += &format!(",\n   \"reply_to_message_id\": {r}");
                truth.missing_references.push(r.to_string());
            }
        } else if i % 61 == 7 {
            extra += &format!(",\n   \"reply_to_message_id\": {previous_id}");
        }
        if i % 71 == 3 {
            extra += ",\n   \"forwarded_from\": \"Some Channel\"";
        }
        if i % 83 == 5 {
            truth.media += 1;
            extra += ",\n   \"photo\": \"(File not included. Change data exporting settings to download.)\",\n   \"width\": 800,\n   \"height\": 600";
        }
        let text = if i % 101 == 9 {
            let n = i % 1000;
            let id = format!("email:person{n}@example.org");
            if !truth.identifiers.contains(&id) {
                truth.identifiers.push(id);
            }
            format!("[\n    \"write to \",\n    {{\n     \"type\": \"email\",\n     \"text\": \"person{n}@example.org\"\n    }}\n   ]")
        } else {
            format!("\"{}\"", sentence(&mut mix))
        };
        write!(out, "  {{\n   \"id\": {id},\n   \"type\": \"message\",\n   \"date\": \"{date}\",\n   \"date_unixtime\": \"{unix}\",\n   \"from\": \"{who}\",\n   \"from_id\": \"{who_id}\"{extra},\n   \"text\": {text}\n  }}\n")?;
        previous_id = id;
        id += 1;
    }
    writeln!(out, " ]\n}}")?;
    out.flush()?;
    for p in PEOPLE {
        truth.identifiers.push(format!("username:telegram/{}", p.1));
    }
    truth.identifiers.sort();
    Ok(truth)
}

/// Discord snowflake-like IDs for the made-up people.
const DISCORD_PEOPLE: [(&str, &str); 3] = [
    ("Ann Example", "803511102246789120"),
    ("Bo Sample", "803511102246789121"),
    ("Cy Placeholder", "803511102246789122"),
];

/// A DiscordChatExporter JSON export of one channel: a join notice first,
/// then messages with edits, attachments, replies to present messages and
/// to messages left out of the export (their IDs were never written).
pub fn discord(spec: &Spec, out: &mut dyn Write) -> io::Result<Truth> {
    let mut out = io::BufWriter::new(out);
    let mut mix = Mix(spec.seed);
    let mut truth = Truth { starts_late: spec.cut_start, ..Default::default() };
    truth.participants = DISCORD_PEOPLE.iter().map(|p| p.0.to_owned()).collect();
    let after = if spec.cut_start { "\"2024-01-01T00:00:00+00:00\"" } else { "null" };
    writeln!(
        out,
        "{{\n  \"guild\": {{\"id\": \"1100000000000000001\", \"name\": \"Synthetic Server\", \"iconUrl\": \"https://cdn.example.org/i.png\"}},\n  \"channel\": {{\"id\": \"1100000000000000002\", \"type\": \"GuildTextChat\", \"categoryId\": \"1\", \"category\": \"Text\", \"name\": \"general\", \"topic\": null}},\n  \"dateRange\": {{\"after\": {after}, \"before\": null}},\n  \"exportedAt\": \"2024-06-01T00:00:00+00:00\",\n  \"messages\": ["
    )?;
    let mut ms: i64 = 1_704_103_200_000;
    let mut snowflake: u64 = 1_190_000_000_000_000_000;
    let (mut previous, mut left_out) = (String::new(), None::<String>);
    let mut written = 0u64;
    for i in 0..spec.messages {
        snowflake += 1 + mix.below(1 << 20);
        ms += if spec.silences_at.contains(&i) {
            truth.possible_gaps += 1;
            4 * 86_400_000
        } else {
            20_000 + mix.below(60_000) as i64
        };
        let id = snowflake.to_string();
        if i > 0 && i % 500 == 250 {
            // Left out of the export: its ID is replied to later.
            left_out = Some(id);
            continue;
        }
        let stamp = jiff::Timestamp::from_millisecond(ms)
            .map(|t| t.strftime("%Y-%m-%dT%H:%M:%S%.3f+00:00").to_string())
            .unwrap_or_default();
        if written > 0 {
            writeln!(out, "    ,")?;
        }
        written += 1;
        truth.messages += 1;
        let (who, who_id) = DISCORD_PEOPLE[(i % 3) as usize];
        let (kind, content) = if i == 0 {
            truth.system_messages += 1;
            ("GuildMemberJoin", String::new())
        } else {
            ("Default", sentence(&mut mix))
        };
        let mut extra = String::new();
        if i % 89 == 13 {
            truth.edited += 1;
            extra += &format!(",\n      \"timestampEdited\": \"{stamp}\"");
        }
        if i % 83 == 5 {
            truth.media += 1;
            extra += &format!(",\n      \"attachments\": [{{\"id\": \"{i}\", \"url\": \"https://cdn.example.org/a/{i}.png\", \"fileName\": \"picture-{i}.png\", \"fileSizeBytes\": 1234}}]");
        }
        let reply = if i % 500 == 260 {
            left_out.take().inspect(|r| truth.missing_references.push(r.clone()))
        } else if i % 61 == 7 && !previous.is_empty() {
            Some(previous.clone())
        } else {
            None
        };
        let kind = if reply.is_some() { "Reply" } else { kind };
        if let Some(r) = reply {
            extra += &format!(",\n      \"reference\": {{\"messageId\": \"{r}\", \"channelId\": \"1100000000000000002\", \"guildId\": \"1100000000000000001\"}}");
        }
        let content = if i % 101 == 9 {
            let n = i % 1000;
            let url = format!("url:example.org/profile/{n}");
            if !truth.identifiers.contains(&url) {
                truth.identifiers.push(url);
            }
            format!("look at https://example.org/profile/{n}")
        } else {
            content
        };
        write!(
            out,
            "    {{\n      \"id\": \"{id}\",\n      \"type\": \"{kind}\",\n      \"timestamp\": \"{stamp}\",\n      \"isPinned\": false,\n      \"content\": \"{content}\",\n      \"author\": {{\"id\": \"{who_id}\", \"name\": \"{}\", \"discriminator\": \"0000\", \"nickname\": \"{who}\", \"isBot\": false}}{extra}\n    }}\n",
            who.to_lowercase().replace(' ', "_")
        )?;
        previous = id;
    }
    writeln!(out, "  ],\n  \"messageCount\": {written}\n}}")?;
    out.flush()?;
    for p in DISCORD_PEOPLE {
        truth.identifiers.push(format!("username:discord/{}", p.1));
    }
    truth.identifiers.sort();
    Ok(truth)
}

/// Writes text as Instagram and Messenger do: each UTF-8 byte as its own
/// `\u00XX` escape.
fn mis_encode(text: &str) -> String {
    text.bytes().map(|b| if b.is_ascii() { (b as char).to_string() } else { format!("\\u00{b:02x}") }).collect()
}

/// An Instagram "download your information" zip holding one thread split
/// across files of `per_file` messages (`message_1.json` the newest, each
/// file newest first), with unsent messages, photos, a participant and
/// text mis-encoded as the platform does, and a picture beside them.
pub fn instagram_zip(spec: &Spec, per_file: usize) -> io::Result<(Vec<u8>, Truth)> {
    let mut mix = Mix(spec.seed);
    let mut truth = Truth { starts_late: false, ..Default::default() };
    let people = ["Zoë Example", "Bo Sample"];
    truth.participants = people.iter().map(|p| p.to_string()).collect();
    let mut ms: i64 = 1_704_103_200_000;
    let mut messages = Vec::new();
    for i in 0..spec.messages {
        ms += if spec.silences_at.contains(&i) {
            truth.possible_gaps += 1;
            3 * 86_400_000
        } else {
            15_000 + mix.below(90_000) as i64
        };
        let who = people[(i % 2) as usize];
        let mut fields = format!("\"sender_name\": \"{}\", \"timestamp_ms\": {ms}", mis_encode(who));
        if i % 97 == 5 {
            truth.deleted += 1;
            fields += &format!(", \"content\": \"{} unsent a message.\"", mis_encode(who));
        } else if i % 83 == 7 {
            truth.media += 1;
            fields += &format!(
                ", \"photos\": [{{\"uri\": \"messages/inbox/zoe_1/photos/{i}.jpg\", \"creation_timestamp\": {}}}]",
                ms / 1000
            );
        } else if i % 50 == 3 {
            truth.misencoded += 1;
            fields += &format!(", \"content\": \"{}\"", mis_encode("a café at noon 😀"));
        } else {
            fields += &format!(", \"content\": \"{}\"", sentence(&mut mix));
        }
        if i % 120 == 11 {
            let n = i % 1000;
            truth.identifiers.push(format!("url:example.org/reel/{n}"));
            fields += &format!(", \"share\": {{\"link\": \"https://example.org/reel/{n}\"}}");
        }
        fields += ", \"is_geoblocked_for_viewer\": false";
        messages.push(format!("    {{\n      {fields}\n    }}"));
        truth.messages += 1;
    }
    let mut zipped = io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut zipped);
        let o = zip::write::SimpleFileOptions::default();
        w.start_file("messages/inbox/zoe_1/photos/5.jpg", o)?;
        w.write_all(b"\xff\xd8\xff\xe0 not really a picture")?;
        let chunks: Vec<&[String]> = messages.rchunks(per_file.max(1)).collect();
        for (n, chunk) in chunks.iter().enumerate() {
            let newest_first: Vec<&String> = chunk.iter().rev().collect();
            let body = newest_first.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(",\n");
            w.start_file(format!("messages/inbox/zoe_1/message_{}.json", n + 1), o)?;
            write!(
                w,
                "{{\n  \"participants\": [\n    {{\"name\": \"{}\"}},\n    {{\"name\": \"{}\"}}\n  ],\n  \"messages\": [\n{body}\n  ],\n  \"title\": \"{}\",\n  \"is_still_participant\": true,\n  \"thread_path\": \"inbox/zoe_1\"\n}}\n",
                mis_encode(people[0]),
                people[1],
                mis_encode(people[0])
            )?;
        }
        w.finish()?;
    }
    truth.identifiers.sort();
    truth.identifiers.dedup();
    Ok((zipped.into_inner(), truth))
}
