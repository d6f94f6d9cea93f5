//! The corpus under `tests/corpus/`: exports in every format and variant
//! Vigil reads, written as the platforms and other parsers' documentation
//! describe them (Android and iOS, 12- and 24-hour clocks in several
//! locales, bracketed iOS forms, CRLF, byte-order marks, zips with media,
//! system lines, group notices, counts that disagree). Each imports with
//! the counts written here by hand from the file; the fuzz target
//! `chat_export` starts from the same files.

use std::collections::BTreeMap;
use std::io::{self, Cursor};
use std::path::PathBuf;
use vigil_chat::import::{self, Export};
use vigil_chat::timeline::Original;
use vigil_chat::{DateOrder, Format};

struct Expect {
    file: &'static str,
    format: &'static str,
    messages: u64,
    system: u64,
    participants: &'static [&'static str],
    /// Deleted, edited, with media.
    marked: (u64, u64, u64),
    /// Flags and how many messages carry each (the rest carry none).
    flags: &'static [(&'static str, u64)],
    /// Text a note of the import or of its conversation holds.
    note: Option<&'static str>,
    /// The first message's time as the timeline shows it (local times placed in UTC).
    first_time: Option<&'static str>,
}

const fn plain(
    file: &'static str,
    format: &'static str,
    messages: u64,
    system: u64,
    marked: (u64, u64, u64),
    first_time: Option<&'static str>,
) -> Expect {
    Expect {
        file,
        format,
        messages,
        system,
        participants: &["Ann Example", "Bo Sample"],
        marked,
        flags: &[],
        note: None,
        first_time,
    }
}

const CORPUS: &[Expect] = &[
    plain("whatsapp-android-en-gb-24h.txt", "whatsapp", 6, 1, (1, 1, 1), Some("2021-01-16T23:09:00")),
    plain("whatsapp-android-en-us-12h.txt", "whatsapp", 5, 1, (0, 0, 1), Some("2021-01-16T23:09:00")),
    plain("whatsapp-ios-en-us.txt", "whatsapp", 6, 1, (1, 1, 2), Some("2021-01-16T23:09:08")),
    // The group's name stands over its notices; it is no participant.
    plain("whatsapp-ios-group.txt", "whatsapp", 6, 4, (0, 0, 0), Some("2021-01-16T23:09:08")),
    plain("whatsapp-android-group.txt", "whatsapp", 6, 4, (0, 0, 0), Some("2021-01-16T23:09:00")),
    plain("whatsapp-android-es.txt", "whatsapp", 4, 0, (0, 0, 0), Some("2021-01-16T23:09:00")),
    plain("whatsapp-android-de.txt", "whatsapp", 4, 0, (0, 0, 2), Some("2021-01-16T23:09:00")),
    plain("whatsapp-android-de-at-12h.txt", "whatsapp", 3, 0, (0, 0, 0), Some("2021-01-16T23:09:00")),
    plain("whatsapp-android-ja.txt", "whatsapp", 3, 0, (0, 0, 0), Some("2021-01-16T23:09:00")),
    plain("whatsapp-android-zh.txt", "whatsapp", 2, 0, (0, 0, 0), Some("2021-01-16T23:09:00")),
    plain("whatsapp-ios-fr.txt", "whatsapp", 3, 0, (0, 0, 0), Some("2021-01-16T23:09:08")),
    plain("whatsapp-android-fi.txt", "whatsapp", 3, 0, (0, 0, 0), Some("2021-01-16T23:09:00")),
    plain("whatsapp-android-ru.txt", "whatsapp", 2, 0, (0, 0, 0), Some("2021-01-16T23:09:00")),
    plain("whatsapp-android-pt-br.txt", "whatsapp", 2, 0, (0, 0, 0), Some("2021-01-16T23:09:00")),
    plain("whatsapp-android-nl.txt", "whatsapp", 2, 0, (0, 0, 0), Some("2021-01-16T23:09:00")),
    plain("whatsapp-android-en-in-lower.txt", "whatsapp", 3, 0, (0, 0, 0), Some("2021-01-16T23:09:00")),
    plain("whatsapp-android-el.txt", "whatsapp", 2, 0, (0, 0, 0), Some("2021-01-16T23:09:00")),
    plain("whatsapp-ios-iso.txt", "whatsapp", 2, 0, (0, 0, 0), Some("2021-01-16T23:09:08")),
    plain("whatsapp-bom-crlf.txt", "whatsapp", 3, 1, (0, 0, 0), Some("2021-01-16T23:09:00")),
    Expect {
        note: Some("line 1, before the first message, has no time and is kept here as written: \"WhatsApp Chat with Bo Sample\""),
        ..plain("whatsapp-title-line.txt", "whatsapp", 2, 0, (0, 0, 0), Some("2021-01-16T23:09:00"))
    },
    Expect {
        flags: &[("date-order-assumed", 3)],
        note: Some("no date in the export shows whether it is day-first or month-first"),
        ..plain("whatsapp-order-unclear.txt", "whatsapp", 3, 0, (0, 0, 0), Some("2021-04-03T10:00:00"))
    },
    Expect {
        participants: &["Ann Example", "Bo Sample"],
        flags: &[("holds-a-line-like-a-message", 1)],
        note: Some("line 2 starts like a message"),
        ..plain("whatsapp-line-like-a-message.txt", "whatsapp", 2, 0, (0, 0, 0), Some("2021-01-16T23:09:00"))
    },
    plain("whatsapp-android-with-media.zip", "whatsapp", 3, 1, (0, 0, 1), Some("2021-01-16T23:09:00")),
    plain("whatsapp-ios-with-media.zip", "whatsapp", 3, 1, (0, 0, 1), Some("2021-01-16T23:09:08")),
    plain("telegram-desktop.json", "telegram", 4, 1, (0, 1, 1), None),
    plain("telegram-desktop-old-numeric-ids.json", "telegram", 4, 1, (0, 1, 1), None),
    plain("telegram-desktop-bom.json", "telegram", 4, 1, (0, 1, 1), None),
    // DiscordChatExporter names authors by their nickname in the server.
    Expect { participants: &["Ann", "Bo"], ..plain("discord-exporter.json", "discord", 4, 0, (0, 0, 0), None) },
    Expect {
        participants: &["Ann", "Bo"],
        note: Some("says it holds 5 messages"),
        ..plain("discord-exporter-count-disagrees.json", "discord", 6, 0, (0, 0, 0), None)
    },
    Expect { participants: &["Ann", "Bo"], ..plain("discord-exporter-bom.json", "discord", 3, 0, (0, 0, 0), None) },
    Expect {
        participants: &["account holder"],
        ..plain("discord-package-messages.csv", "discord-package-csv", 2, 0, (0, 0, 1), None)
    },
    plain("instagram-message_1.json", "instagram", 2, 0, (0, 0, 1), None),
    plain("instagram-no-participants.json", "instagram", 2, 0, (0, 0, 1), None),
    plain("messenger-bom.json", "instagram", 2, 0, (0, 0, 1), None),
];

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

struct Imported {
    plan: vigil_chat::Plan,
    analysis: vigil_chat::Analysis,
    lines: Vec<vigil_chat::timeline::Line>,
}

fn import(name: &str, order: Option<DateOrder>) -> Imported {
    let bytes = std::fs::read(corpus_dir().join(name)).unwrap();
    let mut open = || -> io::Result<Box<dyn Export + '_>> { Ok(Box::new(Cursor::new(&bytes[..]))) };
    // Local times placed in UTC, so the first time can be compared as an instant.
    let utc = Some(vigil_chat::Zone::parse("UTC").unwrap());
    let settings = import::Settings { format: None, zone: utc, zone_given_by: Some("JS".into()), date_order: order };
    let (reading, analysis, spool) =
        import::in_memory(&mut open, name, &settings).unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut timeline = Vec::new();
    let original = Original { name: name.into(), sha256: "00".repeat(32) };
    import::write_timeline(&reading, &analysis, original, &mut || Ok(Box::new(&spool[..])), &mut timeline).unwrap();
    let plan = reading.plan;
    let mut lines = Vec::new();
    import::read_timeline(&timeline[..], |l| {
        lines.push(l.clone());
        Ok(())
    })
    .unwrap();
    Imported { plan, analysis, lines }
}

#[test]
fn every_export_in_the_corpus_imports_with_its_counts() {
    let mut listed: Vec<&str> = CORPUS.iter().map(|e| e.file).collect();
    listed.sort();
    let mut present: Vec<String> =
        std::fs::read_dir(corpus_dir()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    present.sort();
    assert_eq!(listed, present, "every file of the corpus has its expectation here, and no more");

    for e in CORPUS {
        let got = import(e.file, None);
        let f = e.file;
        assert_eq!(got.plan.format.name(), e.format, "{f}: format");
        let s = &got.analysis.conversations[0];
        assert_eq!(got.analysis.messages(), e.messages, "{f}: messages");
        assert_eq!(s.system_messages, e.system, "{f}: notices");
        let names: Vec<&str> = s.participants.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, e.participants, "{f}: participants");
        assert_eq!((s.deleted, s.edited, s.media), e.marked, "{f}: deleted, edited, media");
        let mut flags = BTreeMap::<&str, u64>::new();
        for l in &got.lines {
            for fl in l.flags.iter().filter(|f| !matches!(f.as_str(), "deleted" | "edited")) {
                *flags.entry(fl.as_str()).or_default() += 1;
            }
        }
        let want: BTreeMap<&str, u64> = e.flags.iter().copied().collect();
        assert_eq!(flags, want, "{f}: flags");
        if let Some(note) = e.note {
            let notes: Vec<&String> = got.plan.notes.iter().chain(&s.notes).collect();
            assert!(notes.iter().any(|n| n.contains(note)), "{f}: no note says {note:?}: {notes:?}");
        }
        if let Some(t) = e.first_time {
            let first = &got.lines[0];
            let shown = &first.time;
            assert!(shown.starts_with(t), "{f}: the first time reads {shown:?} ({:?}), not {t}", first.as_written);
        }
        // A message's text never holds a line that would read as a message
        // of its own, unless the message says so with its flag.
        for l in &got.lines {
            if !l.flags.iter().any(|fl| fl == "holds-a-line-like-a-message") {
                for line in l.text.lines().skip(1) {
                    assert!(
                        !vigil_chat::whatsapp::starts_like_a_message(line),
                        "{f}: message {} holds {line:?} unflagged",
                        l.n
                    );
                }
            }
        }
    }
}

#[test]
fn an_export_whose_dates_cannot_tell_reads_in_the_order_given() {
    // 03/04 read month-first: 4 March, and no time is marked uncertain.
    let got = import("whatsapp-order-unclear.txt", Some(DateOrder::MonthFirst));
    assert!(got.lines[0].time.starts_with("2021-03-04T10:00:00"), "{}", got.lines[0].time);
    assert!(got.lines.iter().all(|l| l.flags.is_empty()));
    assert!(got.plan.notes.iter().all(|n| !n.contains("assumed")), "{:?}", got.plan.notes);

    // An order a date contradicts is refused, naming the line.
    let bytes = std::fs::read(corpus_dir().join("whatsapp-android-en-gb-24h.txt")).unwrap();
    let mut open = || -> io::Result<Box<dyn Export + '_>> { Ok(Box::new(Cursor::new(&bytes[..]))) };
    let order = |o| import::Settings { date_order: Some(o), ..Default::default() };
    let e = import::in_memory(&mut open, "chat.txt", &order(DateOrder::MonthFirst)).err().unwrap();
    assert_eq!(
        e.to_string(),
        "chat.txt: line 1 (\"16/01/2021, 23:09\") can only be day-first, so the date order given does not fit this export"
    );
    // A format whose times are never ambiguous takes no order.
    let bytes = std::fs::read(corpus_dir().join("telegram-desktop.json")).unwrap();
    let mut open = || -> io::Result<Box<dyn Export + '_>> { Ok(Box::new(Cursor::new(&bytes[..]))) };
    let e = import::in_memory(&mut open, "result.json", &order(DateOrder::DayFirst)).err().unwrap();
    assert!(e.to_string().contains("records its times unambiguously"), "{e}");
}

#[test]
fn instagram_without_participants_is_told_from_its_content() {
    let got = import("instagram-no-participants.json", None);
    assert_eq!(got.plan.format, Format::Instagram);
}
