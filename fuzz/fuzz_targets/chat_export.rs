//! Chat exports (WhatsApp text, Telegram JSON, Discord, Instagram, zips) through the
//! whole import: detection, every read, the analysis and the timeline. No
//! input panics; one that imports gives a timeline that reads back with
//! as many messages as its header says, and the same bytes twice.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::io::Cursor;
use vigil_chat::import::{self, Export};
use vigil_chat::timeline::Original;
use vigil_chat::{Format, Zone};

fn timeline(data: &[u8], format: Option<Format>, zone: Option<Zone>) -> Option<Vec<u8>> {
    let mut open = || -> std::io::Result<Box<dyn Export + '_>> { Ok(Box::new(Cursor::new(data))) };
    let plan = import::plan(&mut open, "export", format, zone, Some("FZ".into())).ok()?;
    let analysis = import::analyse(&plan, &mut open, "export").ok()?;
    let mut out = Vec::new();
    let original = Original { name: "export".into(), sha256: String::new() };
    import::write_timeline(&plan, &analysis, original, &mut open, "export", &mut out).ok()?;
    Some(out)
}

fuzz_target!(|data: &[u8]| {
    let london = Zone::parse("Europe/London").ok();
    for (format, zone) in [
        (None, None),
        (Some(Format::WhatsApp), london.clone()),
        (Some(Format::Telegram), None),
        (Some(Format::Discord), london.clone()),
        (Some(Format::Instagram), None),
    ] {
        if let Some(out) = timeline(data, format, zone.clone()) {
            let mut n = 0u64;
            let header = import::read_timeline(&out[..], |_| {
                n += 1;
                Ok(())
            })
            .expect("a timeline Vigil wrote reads back");
            assert_eq!(header.messages, n);
            assert_eq!(timeline(data, format, zone), Some(out), "the same bytes twice");
        }
    }
});
