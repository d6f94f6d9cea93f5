//! Properties of the readers: any bytes are refused or read, never a
//! panic; generated exports of any size and seed read back their truth;
//! a Telegram export cut anywhere is refused, never half-read.

use proptest::prelude::*;
use std::io::Cursor;
use vigil_chat::import::{self, Export};
use vigil_chat::synthetic::{self, Spec};
use vigil_chat::Zone;

fn import(bytes: &[u8], zone: Option<Zone>) -> Result<vigil_chat::Analysis, vigil_chat::ChatError> {
    let mut open = || -> std::io::Result<Box<dyn Export + '_>> { Ok(Box::new(Cursor::new(bytes))) };
    let settings = import::Settings { zone, ..Default::default() };
    import::in_memory(&mut open, "export", &settings).map(|(_, analysis, _)| analysis)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_are_refused_or_read(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = import(&bytes, Zone::parse("Europe/London").ok());
    }

    #[test]
    fn lines_that_almost_look_like_whatsapp_never_panic(
        lines in proptest::collection::vec("[0-9]{1,4}[/.-][0-9]{1,2}[/.-][0-9]{1,4},? [0-9]{1,2}[:.][0-9]{2}( ?[AaPp][Mm])? - [a-z]{0,5}: .{0,20}", 1..20)
    ) {
        let text = lines.join("\n");
        let _ = import(text.as_bytes(), Zone::parse("Europe/London").ok());
    }

    #[test]
    fn generated_whatsapp_reads_back_its_truth(n in 30u64..600, seed in any::<u64>(), cut in any::<bool>(), at in 0u64..600) {
        let mut spec = Spec::new(n);
        spec.seed = seed;
        spec.cut_start = cut;
        spec.silences_at = vec![at % n];
        let mut bytes = Vec::new();
        let truth = synthetic::whatsapp(&spec, &mut bytes).unwrap();
        let a = import(&bytes, Zone::parse("Europe/London").ok()).unwrap();
        let s = &a.conversations[0];
        prop_assert_eq!(s.messages, truth.messages);
        prop_assert_eq!((s.deleted, s.edited, s.media), (truth.deleted, truth.edited, truth.media));
        prop_assert_eq!((s.ambiguous_times, s.impossible_times), (truth.ambiguous_times, truth.impossible_times));
        prop_assert_eq!(s.starts_late.is_some(), truth.starts_late);
    }

    #[test]
    fn a_telegram_export_cut_anywhere_is_refused(n in 2u64..60, frac in 0.05f64..0.98) {
        let mut bytes = Vec::new();
        synthetic::telegram(&Spec::new(n), &mut bytes).unwrap();
        let cut = &bytes[..((bytes.len() as f64) * frac) as usize];
        // A cut that leaves only whitespace after the last `]` cannot be told apart; the
        // generator ends with "]\n}\n", so any cut before the final brace is incomplete.
        prop_assert!(import(cut, None).is_err());
    }
}

/// A generated conversation: (seconds after the first message, sender, text).
fn conversation() -> impl Strategy<Value = (i64, Vec<(i64, usize, String)>)> {
    let text =
        proptest::collection::vec("[A-Za-zÀ-ÿ€😀][A-Za-z0-9À-ÿ ,.!?:;€😀-]{0,24}", 1..4).prop_map(|l| l.join("\n"));
    let message = (0i64..3 * 86_400, 0usize..3, text);
    // From 2001 to 2037, so a two-digit year reads back in the same century.
    (978_307_200i64..2_114_380_800, proptest::collection::vec(message, 1..25))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Written out in each locale's line form and read back, a conversation
    /// yields the same messages: sender, text and time (to the minute where
    /// the form drops seconds), and never one more or one fewer.
    #[test]
    fn a_conversation_written_in_every_locale_reads_back_the_same((start, messages) in conversation()) {
        use vigil_chat::whatsapp_locale::LINE_FORMS;
        const SENDERS: [&str; 3] = ["Ann Example", "Bo Sample", "Çelik Öz"];
        let mut at = start;
        let mut written = Vec::new();
        for (gap, who, text) in &messages {
            at += gap;
            let t = jiff::Timestamp::from_second(at).unwrap().to_zoned(jiff::tz::TimeZone::UTC).datetime();
            written.push((t, SENDERS[*who], text.clone()));
        }
        for form in LINE_FORMS {
            let mut export = String::new();
            for (t, who, text) in &written {
                export.push_str(&form.line(*t, Some(who), text));
                export.push('\n');
            }
            let bytes = export.as_bytes();
            let mut open = || -> std::io::Result<Box<dyn Export + '_>> { Ok(Box::new(Cursor::new(bytes))) };
            let utc = Zone::parse("UTC").ok();
            let settings = import::Settings { format: None, zone: utc, zone_given_by: Some("JS".into()), date_order: Some(form.order) };
            let (reading, analysis, spool) = import::in_memory(&mut open, "export.txt", &settings)
                .map_err(|e| TestCaseError::fail(format!("{}: {e}\n{export}", form.name)))?;
            prop_assert_eq!(reading.plan.format, vigil_chat::Format::WhatsApp, "{}", form.name);
            let mut timeline = Vec::new();
            let original = vigil_chat::timeline::Original { name: "export.txt".into(), sha256: "00".repeat(32) };
            import::write_timeline(&reading, &analysis, original, &mut || Ok(Box::new(&spool[..])), &mut timeline).unwrap();
            let mut read = Vec::new();
            import::read_timeline(&timeline[..], |l| { read.push(l.clone()); Ok(()) }).unwrap();
            prop_assert_eq!(read.len(), written.len(), "{}: messages\n{}", form.name, export);
            for (l, (t, who, text)) in read.iter().zip(&written) {
                let second = if form.has_seconds() { t.second() } else { 0 };
                let want = format!("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.000Z", t.year(), t.month(), t.day(), t.hour(), t.minute(), second);
                prop_assert_eq!(&l.time, &want, "{}: time of {:?}", form.name, l.as_written);
                prop_assert_eq!(l.sender.as_deref(), Some(*who), "{}", form.name);
                prop_assert_eq!(&l.text, text, "{}", form.name);
                prop_assert!(l.flags.is_empty(), "{}: flags {:?}", form.name, l.flags);
            }
        }
    }
}
