//! Synthetic exports imported and every count and flag compared with what
//! the generator wrote; malformed exports refused naming where.

use std::io::{self, Cursor, Read, Seek, SeekFrom};
use vigil_chat::import::{self, Export};
use vigil_chat::synthetic::{self, Spec, Truth};
use vigil_chat::timeline::Original;
use vigil_chat::{Analysis, ChatError, Format, Zone};

struct Imported {
    plan: vigil_chat::Plan,
    analysis: Analysis,
    timeline: Vec<u8>,
}

fn import_bytes(bytes: &[u8], name: &str, format: Option<Format>, zone: Option<&str>) -> Result<Imported, ChatError> {
    let mut open = || -> io::Result<Box<dyn Export + '_>> { Ok(Box::new(Cursor::new(bytes))) };
    let zone = zone.map(|z| Zone::parse(z).unwrap());
    let settings = import::Settings { format, zone, zone_given_by: Some("JS".into()), date_order: None };
    let (reading, analysis, spool) = import::in_memory(&mut open, name, &settings)?;
    let mut timeline = Vec::new();
    let original = Original { name: name.into(), sha256: "00".repeat(32) };
    import::write_timeline(&reading, &analysis, original, &mut || Ok(Box::new(&spool[..])), &mut timeline)?;
    Ok(Imported { plan: reading.plan, analysis, timeline })
}

fn compare(got: &Imported, truth: &Truth) {
    let s = &got.analysis.conversations[0];
    assert_eq!(got.analysis.messages(), truth.messages, "messages");
    assert_eq!(s.messages, truth.messages);
    assert_eq!(s.system_messages, truth.system_messages, "system messages");
    let mut names: Vec<String> = s.participants.iter().map(|p| p.name.clone()).collect();
    names.sort();
    let mut want = truth.participants.clone();
    want.sort();
    assert_eq!(names, want, "participants");
    assert_eq!((s.deleted, s.edited, s.media), (truth.deleted, truth.edited, truth.media), "deleted, edited, media");
    let refs: Vec<String> = s.missing_references.iter().map(|r| r.refers_to.clone()).collect();
    assert_eq!(refs, truth.missing_references, "missing references");
    assert!(s.missing_references.iter().all(|r| !r.message.is_empty()), "each names its source");
    let gaps: Vec<(i64, i64)> = s.id_gaps.iter().map(|g| (g.after_id, g.before_id)).collect();
    assert_eq!(gaps, truth.id_gaps, "id gaps");
    assert_eq!(s.possible_gaps.len() as u64, truth.possible_gaps, "possible gaps: {:?}", s.possible_gaps);
    assert!(s.id_gaps.iter().all(|g| !g.before_message.is_empty()), "each gap names its source");
    assert!(s.possible_gaps.iter().all(|g| !g.before_message.is_empty()), "each silence names its source");
    assert_eq!((s.ambiguous_times, s.impossible_times), (truth.ambiguous_times, truth.impossible_times), "times");
    assert_eq!(s.starts_late.is_some(), truth.starts_late, "starts late: {:?}", s.starts_late);
    assert_eq!((s.out_of_order, s.duplicates), (0, 0));
    let ids: Vec<String> = got.analysis.identifiers.iter().map(|i| i.identifier.clone()).collect();
    assert_eq!(ids, truth.identifiers, "identifiers");

    // The timeline says the same, message by message.
    let mut lines = 0u64;
    let mut flagged = std::collections::BTreeMap::<String, u64>::new();
    let header = import::read_timeline(&got.timeline[..], |l| {
        lines += 1;
        assert_eq!(u64::from(l.n), lines);
        assert!(!l.source.is_empty());
        for f in &l.flags {
            *flagged.entry(f.clone()).or_default() += 1;
        }
        Ok(())
    })
    .unwrap();
    assert_eq!((header.messages, lines), (truth.messages, truth.messages));
    let count = |f: &str| flagged.get(f).copied().unwrap_or(0);
    assert_eq!(count("deleted"), truth.deleted);
    assert_eq!(count("edited"), truth.edited);
    assert_eq!(count("reply-to-missing"), truth.missing_references.len() as u64);
    assert_eq!(count("id-gap-before"), truth.id_gaps.len() as u64);
    assert_eq!(count("after-possible-gap"), truth.possible_gaps);
    assert_eq!(count("ambiguous-time"), truth.ambiguous_times);
    assert_eq!(count("impossible-time"), truth.impossible_times);
}

#[test]
fn whatsapp_exports_match_their_truth_in_spring_and_autumn() {
    let mut spec = Spec::new(3000);
    let mut bytes = Vec::new();
    let truth = synthetic::whatsapp(&spec, &mut bytes).unwrap();
    assert!(truth.impossible_times > 0 && truth.deleted > 0 && truth.possible_gaps == 1);
    let got = import_bytes(&bytes, "WhatsApp Chat with Bo.txt", None, Some("Europe/London")).unwrap();
    assert_eq!(got.plan.format, Format::WhatsApp);
    compare(&got, &truth);

    spec.start = jiff::civil::date(2024, 10, 26).at(20, 0, 0, 0);
    spec.cut_start = true;
    let mut bytes = Vec::new();
    let truth = synthetic::whatsapp(&spec, &mut bytes).unwrap();
    assert!(truth.ambiguous_times > 0);
    let got = import_bytes(&bytes, "chat.txt", None, Some("Europe/London")).unwrap();
    compare(&got, &truth);

    // Without a zone nothing is ambiguous: every time is "zone unknown".
    let got = import_bytes(&bytes, "chat.txt", None, None).unwrap();
    let s = &got.analysis.conversations[0];
    assert_eq!((s.ambiguous_times, s.impossible_times), (0, 0));
    assert_eq!(s.first.as_ref().unwrap().basis, vigil_chat::TimeBasis::ZoneUnknown);
    assert!(got.plan.notes.iter().any(|n| n.contains("zone unknown")));
}

#[test]
fn telegram_exports_match_their_truth() {
    for cut in [false, true] {
        let mut spec = Spec::new(2600);
        spec.cut_start = cut;
        spec.silences_at = vec![700, 1900];
        let mut bytes = Vec::new();
        let truth = synthetic::telegram(&spec, &mut bytes).unwrap();
        assert!(!truth.missing_references.is_empty() && !truth.id_gaps.is_empty());
        let got = import_bytes(&bytes, "result.json", None, None).unwrap();
        assert_eq!(got.plan.format, Format::Telegram);
        compare(&got, &truth);
    }
}

#[test]
fn the_timeline_is_the_same_bytes_every_time() {
    let mut bytes = Vec::new();
    synthetic::telegram(&Spec::new(800), &mut bytes).unwrap();
    let a = import_bytes(&bytes, "result.json", None, None).unwrap().timeline;
    let b = import_bytes(&bytes, "result.json", None, None).unwrap().timeline;
    assert_eq!(a, b);
}

#[test]
fn a_zip_is_read_for_its_chat_and_its_pictures_are_listed_not_read() {
    let mut chat = Vec::new();
    let truth = synthetic::whatsapp(&Spec::new(300), &mut chat).unwrap();
    let mut zipped = Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut zipped);
        let o = zip::write::SimpleFileOptions::default();
        w.start_file("IMG-20240331-WA0001.jpg", o).unwrap();
        std::io::Write::write_all(&mut w, b"\xff\xd8\xff\xe0 not really a picture").unwrap();
        w.start_file("_chat.txt", o).unwrap();
        std::io::Write::write_all(&mut w, &chat).unwrap();
        w.finish().unwrap();
    }
    let got = import_bytes(zipped.get_ref(), "chat.zip", None, Some("Europe/London")).unwrap();
    assert_eq!(got.plan.members, vec!["_chat.txt".to_owned()]);
    assert_eq!(got.plan.skipped, vec!["IMG-20240331-WA0001.jpg".to_owned()]);
    compare(&got, &truth);
    let text = String::from_utf8(got.timeline).unwrap();
    assert!(text.lines().nth(1).unwrap().contains("\"source\":\"chat.zip!_chat.txt line 1\""));
}

#[test]
fn malformed_exports_are_refused_naming_where() {
    let mut bytes = Vec::new();
    synthetic::telegram(&Spec::new(50), &mut bytes).unwrap();
    let cut = &bytes[..bytes.len() / 2];
    let e = import_bytes(cut, "result.json", None, None).err().unwrap().to_string();
    assert!(e.starts_with("result.json line ") && e.contains("(messages[") && e.contains("cut short"), "{e}");

    let e = import_bytes(b"hello\nthis is not a chat\n", "notes.txt", None, None).err().unwrap().to_string();
    assert_eq!(e, "not a chat export Vigil reads: notes.txt: the content is not a WhatsApp, Telegram, Discord or Instagram export");
    let e = import_bytes(b"hello\nthis is not a chat\n", "notes.txt", Some(Format::WhatsApp), None)
        .err()
        .unwrap()
        .to_string();
    assert_eq!(e, "notes.txt line 1: the line does not start with a date and time as WhatsApp writes them");
    let e = import_bytes(b"\x7fELF\x02\x01\x01\x00\x00\x00", "a.out", None, None).err().unwrap().to_string();
    assert!(e.contains("a.out: the file is binary"), "{e}");
}

/// A WhatsApp line of 2 GB, made as it is read.
struct HugeLine {
    at: u64,
}

const HEAD: &[u8] = b"31/12/2020, 23:59 - Ann: ";
const HUGE: u64 = 2 << 30;

impl Read for HugeLine {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut n = 0;
        while n < buf.len() && self.at < HUGE {
            buf[n] = HEAD.get(self.at as usize).copied().unwrap_or(b'x');
            n += 1;
            self.at += 1;
        }
        Ok(n)
    }
}

impl Seek for HugeLine {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        match to {
            SeekFrom::Start(p) => self.at = p,
            _ => return Err(io::Error::other("only from the start")),
        }
        Ok(self.at)
    }
}

#[test]
fn a_two_gigabyte_line_is_refused_without_reading_it_all() {
    let mut opened = 0;
    let mut open = || -> io::Result<Box<dyn Export>> {
        opened += 1;
        Ok(Box::new(HugeLine { at: 0 }))
    };
    let e = import::in_memory(&mut open, "chat.txt", &import::Settings::default()).err().unwrap();
    assert_eq!(e.to_string(), "chat.txt line 1: the line is longer than 1024 KiB; no chat export has such lines");
}

#[test]
fn discord_exporter_json_matches_its_truth() {
    for cut in [false, true] {
        let mut spec = Spec::new(1600);
        spec.cut_start = cut;
        spec.silences_at = vec![900];
        let mut bytes = Vec::new();
        let truth = synthetic::discord(&spec, &mut bytes).unwrap();
        assert!(!truth.missing_references.is_empty());
        let got = import_bytes(&bytes, "general.json", None, None).unwrap();
        assert_eq!(got.plan.format, Format::Discord);
        compare(&got, &truth);
        assert_eq!(got.analysis.conversations[0].title.as_deref(), Some("Synthetic Server / #general"));
    }
}

#[test]
fn an_instagram_thread_across_files_is_read_oldest_first_and_its_text_repaired() {
    let mut spec = Spec::new(2300);
    spec.silences_at = vec![1234];
    let (zipped, truth) = synthetic::instagram_zip(&spec, 1000).unwrap();
    let got = import_bytes(&zipped, "instagram-ann-2024.zip", None, None).unwrap();
    assert_eq!(got.plan.format, Format::Instagram);
    assert_eq!(
        got.plan.members,
        ["message_3.json", "message_2.json", "message_1.json"].map(|m| format!("messages/inbox/zoe_1/{m}")).to_vec()
    );
    assert_eq!(got.plan.skipped, vec!["messages/inbox/zoe_1/photos/5.jpg".to_owned()]);
    compare(&got, &truth);
    let text = String::from_utf8(got.timeline).unwrap();
    assert_eq!(text.matches("a café at noon 😀").count() as u64, truth.misencoded);
    assert!(text.contains("\"sender\":\"Zoë Example\""));
    assert!(!text.contains("Ã"), "nothing left mis-encoded");
}

#[test]
fn the_discord_package_reads_as_the_account_holders_own_messages() {
    let json = br#"[
  {"ID": 1100000000000000010, "Timestamp": "2021-03-04 12:34:56", "Contents": "first", "Attachments": ""},
  {"ID": 1100000000000000011, "Timestamp": "2021-03-04 12:35:56", "Contents": "see https://example.org/x", "Attachments": "https://cdn.example.org/a.png"}
]"#;
    let got = import_bytes(json, "messages.json", None, Some("Europe/London")).unwrap();
    assert_eq!(got.plan.format, Format::DiscordPackageJson);
    let s = &got.analysis.conversations[0];
    assert_eq!((s.messages, s.media), (2, 1));
    assert!(s.notes[0].contains("only the account holder's own messages"));
    assert_eq!(s.first.as_ref().unwrap().basis, vigil_chat::TimeBasis::ZoneGiven);
    let csv = b"ID,Timestamp,Contents,Attachments\n1,2021-03-04 12:34:56.789000+00:00,\"multi\nline\",\n";
    let got = import_bytes(csv, "messages.csv", None, None).unwrap();
    assert_eq!((got.plan.format, got.analysis.messages()), (Format::DiscordPackageCsv, 1));
    let e =
        import_bytes(b"ID,Timestamp,Contents,Attachments\n1,2021-03-04,\"never closed\n", "messages.csv", None, None)
            .err()
            .unwrap();
    assert_eq!(e.to_string(), "messages.csv line 2: a quoted field is never closed");
}

#[test]
fn an_export_out_of_order_still_names_the_messages_after_its_silences() {
    // The silence's later message comes first in the file: its source is
    // found on a second read.
    let mut lines = Vec::new();
    for i in 0..40u32 {
        let (h, m) = (10 + i / 60, i % 60);
        lines.push(format!("01/02/2024, {h:02}:{m:02} - Ann: message {i}"));
    }
    lines.insert(0, "05/02/2024, 09:00 - Bo: after the silence".to_owned());
    let text = lines.join("\n") + "\n";
    let got = import_bytes(text.as_bytes(), "chat.txt", None, Some("Europe/London")).unwrap();
    let s = &got.analysis.conversations[0];
    assert_eq!((s.out_of_order, s.possible_gaps.len()), (1, 1));
    assert_eq!(s.possible_gaps[0].before_message, "chat.txt line 1");
}

#[test]
fn a_message_repeated_in_the_export_is_a_duplicate_and_a_repeated_id_too() {
    let text = "13/02/2024, 10:00 - Ann: hello\n13/02/2024, 10:01 - Bo: hi\n13/02/2024, 10:00 - Ann: hello\n";
    let got = import_bytes(text.as_bytes(), "chat.txt", None, None).unwrap();
    let s = &got.analysis.conversations[0];
    assert_eq!((s.duplicates, s.out_of_order), (1, 1), "the third line repeats the first, and goes back in time");
    let third = String::from_utf8(got.timeline).unwrap().lines().nth(3).unwrap().to_owned();
    assert!(third.contains("\"flags\":[\"out-of-order\",\"duplicate\"]"), "{third}");
    let json = r#"{"name": "G", "type": "public_channel", "messages": [
      {"id": 1, "type": "message", "date_unixtime": "1704103200", "date": "2024-01-01T10:00:00", "from": "A", "text": "x"},
      {"id": 1, "type": "message", "date_unixtime": "1704103260", "date": "2024-01-01T10:01:00", "from": "A", "text": "y"}]}"#;
    let got = import_bytes(json.as_bytes(), "result.json", None, None).unwrap();
    assert_eq!(got.analysis.conversations[0].duplicates, 1, "the same message ID twice");
}

#[test]
fn a_discord_data_package_is_read_channel_by_channel() {
    let mut zipped = Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut zipped);
        let o = zip::write::SimpleFileOptions::default();
        for (c, n) in [("c1100000000000000020", 2), ("c1100000000000000030", 3)] {
            w.start_file(format!("package/messages/{c}/channel.json"), o).unwrap();
            std::io::Write::write_all(&mut w, br#"{"id": "1", "type": 1}"#).unwrap();
            w.start_file(format!("package/messages/{c}/messages.json"), o).unwrap();
            let rows: Vec<String> = (0..n)
                .map(|i| format!(r#"{{"ID": {i}, "Timestamp": "2021-03-04 12:3{i}:00", "Contents": "message {i}", "Attachments": ""}}"#))
                .collect();
            std::io::Write::write_all(&mut w, format!("[{}]", rows.join(",")).as_bytes()).unwrap();
        }
        w.start_file("package/account/avatar.png", o).unwrap();
        std::io::Write::write_all(&mut w, b"\x89PNG not really").unwrap();
        w.finish().unwrap();
    }
    let got = import_bytes(zipped.get_ref(), "package.zip", None, Some("Europe/London")).unwrap();
    assert_eq!(got.plan.format, Format::DiscordPackageJson);
    assert_eq!(got.plan.members.len(), 2);
    let c = &got.analysis.conversations;
    assert_eq!((c.len(), c[0].messages, c[1].messages), (2, 2, 3));
    assert_eq!(c[1].title.as_deref(), Some("channel c1100000000000000030"));
    assert!(got.plan.skipped.iter().any(|s| s.ends_with("avatar.png")));
    let text = String::from_utf8(got.timeline).unwrap();
    assert!(text.contains(
        "\"source\":\"package.zip!package/messages/c1100000000000000030/messages.json line 1 (messages[2])\""
    ));
}

fn has_flag(line: &serde_json::Value, flag: &str) -> bool {
    line["flags"].as_array().is_some_and(|f| f.iter().any(|x| x == flag))
}

/// Issue 31, point 1: a Spanish phone's export whose first line ends
/// "p.m." and whose next lines say "p. m." (with an ordinary or a no-break
/// space) imported as one message; now as four, each at its own time.
#[test]
fn spanish_clock_forms_read_as_separate_messages() {
    let chat = "20/06/2020, 3:15 p.m. - Ana: hola\n\
                20/06/2020, 3:16 p. m. - Beto: ¿qué tal?\n\
                20/06/2020, 3:17 p.\u{a0}m. - Ana: bien\n\
                21/06/2020, 9:05\u{202f}a. m. - Beto: buenos días\n";
    let got = import_bytes(chat.as_bytes(), "WhatsApp Chat with Beto.txt", None, Some("Europe/Madrid")).unwrap();
    let s = &got.analysis.conversations[0];
    assert_eq!(s.messages, 4, "{s:?}");
    let lines: Vec<serde_json::Value> = String::from_utf8(got.timeline.clone())
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[3]["text"], "buenos días");
    assert_eq!(lines[3]["time"], "2020-06-21T07:05:00.000Z", "9:05 a. m. in Madrid's summer time");
    assert_eq!(lines[2]["time"], "2020-06-20T13:17:00.000Z", "3:17 p. m.");
}

/// Issue 31, point 1: "06/20/2020, 00:08 AM" (hour 00 on a 12-hour clock)
/// was swallowed into the message before it, and `impossible_times` stayed
/// 0. It is now a message of its own, flagged, and its line named.
#[test]
fn hour_zero_on_a_twelve_hour_clock_is_a_message_of_its_own_and_flagged() {
    let chat =
        "06/19/2020, 11:58 PM - Ann: late\n06/20/2020, 00:08 AM - Bo: after midnight\n06/20/2020, 12:10 AM - Ann: ok\n";
    let got = import_bytes(chat.as_bytes(), "chat.txt", None, Some("Europe/London")).unwrap();
    let s = &got.analysis.conversations[0];
    assert_eq!((s.messages, s.impossible_times), (3, 1), "{s:?}");
    assert!(s.notes.iter().any(|n| n.contains("chat.txt line 2") && n.contains("hour 00")), "{:?}", s.notes);
    let text = String::from_utf8(got.timeline).unwrap();
    let second: serde_json::Value = serde_json::from_str(text.lines().nth(2).unwrap()).unwrap();
    assert_eq!(second["text"], "after midnight");
    assert!(has_flag(&second, "impossible-time"), "{second}");
}

/// Issue 31, point 1: a continuation line that starts like a date and time
/// is never merged quietly. One whose time cannot be read (hour 25) stays
/// where the export has it, and the message holding it is flagged, naming
/// the line.
#[test]
fn a_line_that_starts_like_a_message_is_never_merged_quietly() {
    let chat = "20/06/2020, 10:00 - Ann: first\n20/06/2020, 25:08 - Bo: a time no clock shows\n20/06/2020, 10:02 - Ann: third\n";
    let got = import_bytes(chat.as_bytes(), "chat.txt", None, None).unwrap();
    let s = &got.analysis.conversations[0];
    assert_eq!(s.messages, 2);
    assert!(s.notes.iter().any(|n| n.contains("chat.txt line 2 starts like a message")), "{:?}", s.notes);
    let text = String::from_utf8(got.timeline).unwrap();
    let first: serde_json::Value = serde_json::from_str(text.lines().nth(1).unwrap()).unwrap();
    assert!(has_flag(&first, "holds-a-line-like-a-message"), "{first}");
    // No message holds an unflagged line that reads as a message start.
    for line in text.lines().skip(1) {
        let m: serde_json::Value = serde_json::from_str(line).unwrap();
        let flagged = has_flag(&m, "holds-a-line-like-a-message");
        let inner = m["text"].as_str().unwrap().lines().skip(1).any(vigil_chat::whatsapp::looks_like);
        assert!(!inner || flagged, "{m}");
    }
}

/// Issue 31, point 2: "a. m." with a no-break space was refused at line 1
/// as not a chat export.
#[test]
fn a_first_line_in_another_locales_clock_is_read() {
    let chat = "20/06/2020, 9:05\u{a0}a.\u{a0}m. - Ana: hola\n20/06/2020, 4:30 nachm. - Bo: hallo\n";
    let got = import_bytes(chat.as_bytes(), "chat.txt", None, None).unwrap();
    assert_eq!(got.plan.format, Format::WhatsApp);
    assert_eq!(got.analysis.conversations[0].messages, 2);
}

/// Issue 31, point 3: a UTF-8 byte-order mark before a JSON export made
/// the import fail with "line 1: expected value". It is skipped, as the
/// WhatsApp reader already did, and the export reads as it would without.
#[test]
fn a_byte_order_mark_before_a_json_export_is_skipped() {
    let spec = Spec::new(300);
    for (name, write) in [
        ("result.json", synthetic::telegram as fn(&Spec, &mut dyn std::io::Write) -> io::Result<Truth>),
        ("export.json", synthetic::discord),
    ] {
        let mut bytes = Vec::new();
        let truth = write(&spec, &mut bytes).unwrap();
        let mut marked = b"\xEF\xBB\xBF".to_vec();
        marked.extend_from_slice(&bytes);
        let got = import_bytes(&marked, name, None, None).unwrap_or_else(|e| panic!("{name}: {e}"));
        compare(&got, &truth);
    }
}

/// Issue 31, point 4: a DiscordChatExporter file whose `messageCount` says
/// fewer than it holds was refused outright. It is evidence as handed over:
/// every message is imported, and the disagreement is said on the
/// conversation, in the timeline's header.
#[test]
fn a_count_that_disagrees_is_imported_and_said() {
    let spec = Spec::new(120);
    let mut bytes = Vec::new();
    let truth = synthetic::discord(&spec, &mut bytes).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let declared = format!("\"messageCount\": {}", truth.messages);
    assert!(text.contains(&declared), "the generator writes {declared}");
    let wrong = text.replace(&declared, &format!("\"messageCount\": {}", truth.messages - 1));
    let got = import_bytes(wrong.as_bytes(), "export.json", None, None).unwrap();
    let s = &got.analysis.conversations[0];
    assert_eq!(s.messages, truth.messages);
    let said = format!("says it holds {} messages, but {} were read", truth.messages - 1, truth.messages);
    assert!(s.notes.iter().any(|n| n.contains(&said)), "{:?}", s.notes);
    let header = String::from_utf8(got.timeline).unwrap().lines().next().unwrap().to_owned();
    assert!(header.contains(&said), "{header}");
}
