//! Finding the identifiers in a message's text: web addresses, e-mail
//! addresses, @-mentions and phone numbers. What is found is normalised by
//! the domain's `Identifier`, the same code that links reports; finding one
//! says only that the text contains it, never who it belongs to.

use vigil_domain::Identifier;

fn trim_punctuation(t: &str) -> &str {
    t.trim_matches(|c: char| {
        matches!(c, '.' | ',' | ';' | ':' | '!' | '?' | ')' | '(' | '"' | '\'' | '<' | '>' | '[' | ']')
    })
}

/// Identifiers in free text, with usernames scoped to `platform`.
pub fn in_text(text: &str, platform: &str, out: &mut Vec<Identifier>) {
    for raw in text.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '<' | '>' | '"' | '(' | ')')) {
        let t = trim_punctuation(raw);
        if t.len() < 3 || t.len() > 2048 {
            continue;
        }
        let lower = t.get(..8).unwrap_or(t).to_ascii_lowercase();
        let candidate = lower.starts_with("http://")
            || lower.starts_with("https://")
            || lower.starts_with("www.")
            || (t.starts_with('@') && t[1..].chars().all(|c| c.is_alphanumeric() || c == '_' || c == '.'))
            || (!t.starts_with('@') && t.contains('@') && t.rsplit_once('@').is_some_and(|(_, d)| d.contains('.')));
        if candidate {
            out.extend(Identifier::normalise(t, platform));
        }
    }
    phones(text, out);
}

/// Phone numbers: a run of digits, spaces, dashes, dots and brackets,
/// perhaps after a `+`, holding 10 to 15 digits.
pub fn phones(text: &str, out: &mut Vec<Identifier>) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let starts = bytes[i] == b'+' || bytes[i].is_ascii_digit();
        let after_word = i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'/');
        if !starts || after_word {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        let mut digits = usize::from(bytes[i].is_ascii_digit());
        while j < bytes.len() && (bytes[j].is_ascii_digit() || matches!(bytes[j], b' ' | b'-' | b'(' | b')' | b'.')) {
            digits += usize::from(bytes[j].is_ascii_digit());
            j += 1;
        }
        let run = text[i..j].trim_end_matches([' ', '-', '(', '.']);
        let next_is_word = bytes.get(i + run.len()).is_some_and(|b| b.is_ascii_alphabetic());
        if (10..=15).contains(&digits) && !next_is_word {
            if let Some(id) = Identifier::normalise(run, "") {
                if id.kind == vigil_domain::IdentifierKind::Phone {
                    out.push(id);
                }
            }
        }
        i = j.max(i + 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        in_text(text, "Telegram", &mut out);
        out.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn addresses_mentions_and_phones_are_found_and_normalised() {
        assert_eq!(
            found("ring 07700 900123 or mail Jane.Doe@GoogleMail.com, see https://Example.org/u/jane. @Kid_99!"),
            vec![
                "email:janedoe@gmail.com",
                "url:example.org/u/jane",
                "username:telegram/kid_99",
                "phone:+447700900123"
            ]
        );
    }

    #[test]
    fn dates_times_and_short_numbers_are_not_phones() {
        assert!(found("on 2024-01-01 at 12:00 I paid 300 for item 12345").is_empty());
        assert!(found("order ABC1234567890 shipped").is_empty());
    }
}
