//! Chat exports (WhatsApp text, Telegram JSON, Discord, Instagram, zips) through the
//! whole import: detection, the one read, the analysis and the timeline with its page index. No
//! input panics; one that imports gives a timeline that reads back with
//! as many messages as its header says, and the same bytes twice. Seeded
//! with the committed seeds and the import's test corpus (fuzz/run.sh).
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::io::Cursor;
use vigil_chat::import::{self, Export};
use vigil_chat::timeline::Original;
use vigil_chat::{DateOrder, Format, Zone};

fn timeline(data: &[u8], format: Option<Format>, zone: Option<Zone>, order: Option<DateOrder>) -> Option<Vec<u8>> {
    let mut open = || -> std::io::Result<Box<dyn Export + '_>> { Ok(Box::new(Cursor::new(data))) };
    let settings = import::Settings { format, zone, zone_given_by: Some("FZ".into()), date_order: order };
    let (reading, analysis, spool) = import::in_memory(&mut open, "export", &settings).ok()?;
    let mut out = Vec::new();
    let original = Original { name: "export".into(), sha256: String::new() };
    let index = import::write_timeline(&reading, &analysis, original, &mut || Ok(Box::new(&spool[..])), &mut out).ok()?;
    // Every indexed offset starts a message line.
    for (k, &at) in index.offsets.iter().enumerate() {
        let n = k as u64 * u64::from(index.every) + 1;
        let line = out[at as usize..].split(|&b| b == b'\n').next().unwrap_or_default();
        assert!(line.starts_with(format!("{{\"n\":{n},").as_bytes()), "offset {at} starts message {n}");
    }
    assert_eq!(index.length, out.len() as u64);
    Some(out)
}

fuzz_target!(|data: &[u8]| {
    let london = Zone::parse("Europe/London").ok();
    for (format, zone, order) in [
        (None, None, None),
        (Some(Format::WhatsApp), london.clone(), None),
        (Some(Format::WhatsApp), None, Some(DateOrder::MonthFirst)),
        (Some(Format::Telegram), None, None),
        (Some(Format::Discord), london.clone(), None),
        (Some(Format::Instagram), None, None),
    ] {
        if let Some(out) = timeline(data, format, zone.clone(), order) {
            let mut n = 0u64;
            let header = import::read_timeline(&out[..], |_| {
                n += 1;
                Ok(())
            })
            .expect("a timeline Vigil wrote reads back");
            assert_eq!(header.messages, n);
            assert_eq!(timeline(data, format, zone, order), Some(out), "the same bytes twice");
        }
    }
});
