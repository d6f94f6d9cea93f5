//! Chat exports sent by the public: from a WhatsApp `.zip` only the chat
//! text is kept (the zip and everything else in it, pictures above all, is
//! not), and a kept chat is described to the reporter in a few words.

use crate::import::{self, Export};
use std::io::{Cursor, Read};

/// The chat text taken out of a zip, and the names of what was left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptChat {
    pub name: String,
    pub bytes: Vec<u8>,
    pub not_kept: Vec<String>,
    /// How many of the members left were pictures or other media.
    pub pictures: usize,
}

fn picture(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [
        ".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic", ".bmp", ".mp4", ".mov", ".3gp", ".webm", ".avif", ".tif",
        ".tiff",
    ]
    .iter()
    .any(|e| lower.ends_with(e))
}

/// Takes the WhatsApp chat text (`_chat.txt`, or a `.txt` that reads as
/// one) out of a zip of at most `max` bytes uncompressed for that member.
/// The error is a sentence for the reporter.
pub fn chat_from_zip(bytes: &[u8], max: usize) -> Result<KeptChat, String> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| "the zip file cannot be opened".to_owned())?;
    let mut kept: Option<(String, Vec<u8>)> = None;
    let mut not_kept = Vec::new();
    let mut pictures = 0;
    for i in 0..zip.len() {
        let mut m = zip.by_index(i).map_err(|_| "the zip file is damaged".to_owned())?;
        if m.is_dir() {
            continue;
        }
        let name = m.name().rsplit('/').next().unwrap_or("").chars().take(100).collect::<String>();
        let candidate = kept.is_none() && name.to_ascii_lowercase().ends_with(".txt");
        if candidate {
            let mut text = Vec::new();
            (&mut m).take(max as u64 + 1).read_to_end(&mut text).map_err(|_| "the zip file is damaged".to_owned())?;
            if text.len() > max {
                return Err(format!("the chat inside the zip is larger than {} MB", max >> 20));
            }
            let head = &text[..text.len().min(64 << 10)];
            let is_chat = name == "_chat.txt" || std::str::from_utf8(head).is_ok_and(crate::whatsapp::looks_like);
            if is_chat {
                kept = Some((name, text));
                continue;
            }
        }
        if picture(&name) {
            pictures += 1;
        }
        not_kept.push(name);
    }
    let (name, bytes) = kept.ok_or_else(|| "the zip holds no WhatsApp chat text (_chat.txt)".to_owned())?;
    Ok(KeptChat { name, bytes, not_kept, pictures })
}

/// A few words on what a kept file is: "a WhatsApp chat export of 120
/// messages", or `None` when it is not a chat export Vigil reads.
pub fn describe(name: &str, bytes: &[u8]) -> Option<String> {
    let mut open = || -> std::io::Result<Box<dyn Export + '_>> { Ok(Box::new(Cursor::new(bytes))) };
    let (reading, analysis, _) = import::in_memory(&mut open, name, &import::Settings::default()).ok()?;
    let platform = match reading.plan.format {
        import::Format::WhatsApp => "WhatsApp",
        import::Format::Telegram => "Telegram",
        import::Format::Discord | import::Format::DiscordPackageJson | import::Format::DiscordPackageCsv => "Discord",
        import::Format::Instagram => "Instagram or Messenger",
    };
    let n = analysis.messages();
    Some(format!("a {platform} chat export of {n} message{}", if n == 1 { "" } else { "s" }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut c = Cursor::new(Vec::new());
        let mut w = zip::ZipWriter::new(&mut c);
        for (n, b) in files {
            w.start_file(*n, zip::write::SimpleFileOptions::default()).unwrap();
            w.write_all(b).unwrap();
        }
        w.finish().unwrap();
        c.into_inner()
    }

    #[test]
    fn only_the_chat_text_is_kept_from_a_zip() {
        let chat = b"31/12/2020, 23:59 - Ann: hi\n";
        let z = zip_of(&[("IMG-1.jpg", b"\xff\xd8\xff"), ("_chat.txt", chat), ("VID-2.mp4", b"x")]);
        let k = chat_from_zip(&z, 5 << 20).unwrap();
        assert_eq!((k.name.as_str(), k.bytes.as_slice(), k.pictures), ("_chat.txt", &chat[..], 2));
        assert_eq!(k.not_kept, vec!["IMG-1.jpg".to_owned(), "VID-2.mp4".to_owned()]);
        assert_eq!(describe(&k.name, &k.bytes).unwrap(), "a WhatsApp chat export of 1 message");
        let e = chat_from_zip(&zip_of(&[("IMG-1.jpg", b"\xff\xd8\xff")]), 5 << 20).unwrap_err();
        assert_eq!(e, "the zip holds no WhatsApp chat text (_chat.txt)");
        let big = vec![b'a'; 100];
        assert!(chat_from_zip(&zip_of(&[("_chat.txt", &big)]), 50).unwrap_err().contains("larger than"));
    }
}
