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
    let plan = import::plan(&mut open, "export", None, zone, None)?;
    import::analyse(&plan, &mut open, "export")
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
