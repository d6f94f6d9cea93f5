//! Identifiers a report names (e-mail addresses, phone numbers, profile
//! URLs, usernames), normalised so the same account written two ways links.
//! Normalising never attributes an identifier to a person.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IdentifierKind {
    Email,
    Phone,
    Url,
    Username,
}

/// A normalised identifier, written `kind:value` (`email:jane@gmail.com`,
/// `phone:+447700900123`, `url:example.com/u/jane`, `username:examplechat/jane`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Identifier {
    pub kind: IdentifierKind,
    pub value: String,
}

impl fmt::Display for Identifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let k = match self.kind {
            IdentifierKind::Email => "email",
            IdentifierKind::Phone => "phone",
            IdentifierKind::Url => "url",
            IdentifierKind::Username => "username",
        };
        write!(f, "{k}:{}", self.value)
    }
}

fn email(raw: &str) -> Option<String> {
    let s = raw.trim().to_lowercase();
    let (local, domain) = s.rsplit_once('@')?;
    if local.is_empty() || !domain.contains('.') || s.chars().any(char::is_whitespace) {
        return None;
    }
    let domain = if domain == "googlemail.com" { "gmail.com" } else { domain };
    let mut local = local.to_owned();
    // Providers that ignore dots and/or route "+tag" to the same inbox.
    if domain == "gmail.com" {
        local = local.replace('.', "");
    }
    if [
        "gmail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "icloud.com",
        "fastmail.com",
        "proton.me",
        "protonmail.com",
    ]
    .contains(&domain)
    {
        if let Some((base, _)) = local.split_once('+') {
            local = base.to_owned();
        }
    }
    // ".@gmail.com" or "+x@outlook.com" leave no mailbox at all.
    if local.is_empty() {
        return None;
    }
    Some(format!("{local}@{domain}"))
}

/// E.164 with a default country of the United Kingdom for national numbers.
fn phone(raw: &str) -> Option<String> {
    // "+44 (0)7700 …": the bracketed trunk prefix is not dialled internationally.
    let cleaned = raw.trim().replace("(0)", "");
    let t = cleaned.as_str();
    if !t.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c)) || !t.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let digits: String = t.chars().filter(char::is_ascii_digit).collect();
    let e164 = if t.starts_with('+') {
        digits
    } else if let Some(rest) = digits.strip_prefix("00") {
        rest.to_owned()
    } else if let Some(rest) = digits.strip_prefix('0') {
        format!("44{rest}")
    } else {
        return None;
    };
    (8..=15).contains(&e164.len()).then(|| format!("+{e164}"))
}

/// Strips an ASCII prefix whatever its case. It compares bytes of `s`
/// itself: lowercasing first and slicing with the lowercased string's
/// offsets panics when a character's lowercase has another UTF-8 length
/// (U+212A KELVIN SIGN lowercases to a one-byte `k`).
fn strip_prefix_ignore_ascii_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &s[prefix.len()..])
}

fn url(raw: &str) -> Option<String> {
    let t = raw.trim();
    // A web address has no spaces; text with spaces is not one address.
    if t.chars().any(char::is_whitespace) {
        return None;
    }
    let rest = if let Some(r) =
        strip_prefix_ignore_ascii_case(t, "https://").or_else(|| strip_prefix_ignore_ascii_case(t, "http://"))
    {
        r
    } else if strip_prefix_ignore_ascii_case(t, "www.").is_some() {
        t
    } else {
        return None;
    };
    // The host ends at the first '/', '?' or '#'.
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (host_port, tail) = rest.split_at(end);
    let path = tail.strip_prefix('/').unwrap_or(tail);
    let host = host_port.to_lowercase();
    let mut host = host.as_str();
    while let Some(h) = host.strip_prefix("www.") {
        host = h;
    }
    if host.split('.').filter(|label| !label.is_empty()).count() < 2 {
        return None;
    }
    let path = path.split('#').next().unwrap_or("");
    let (p, query) = path.split_once('?').map_or((path, ""), |(p, q)| (p, q));
    // Tracking parameters never identify an account.
    let kept: Vec<&str> =
        query.split('&').filter(|kv| !kv.is_empty() && !kv.starts_with("utm_") && !kv.starts_with("fbclid=")).collect();
    let p = p.trim_end_matches('/');
    let mut out = if p.is_empty() { host.to_owned() } else { format!("{host}/{p}") };
    if !kept.is_empty() {
        out += "?";
        out += &kept.join("&");
    }
    Some(out)
}

impl Identifier {
    /// Normalises one identifier as a reporter typed it. Usernames are
    /// scoped to the platform named in the report, if any.
    pub fn normalise(raw: &str, platform: &str) -> Option<Identifier> {
        let t = raw.trim();
        if t.is_empty() {
            return None;
        }
        if let Some(v) = url(t) {
            return Some(Identifier { kind: IdentifierKind::Url, value: v });
        }
        if t.contains('@') && !t.starts_with('@') {
            if let Some(v) = email(t) {
                return Some(Identifier { kind: IdentifierKind::Email, value: v });
            }
        }
        if let Some(v) = phone(t) {
            return Some(Identifier { kind: IdentifierKind::Phone, value: v });
        }
        username(t, platform).map(|value| Identifier { kind: IdentifierKind::Username, value })
    }
}

/// A username, lowercased and scoped to its platform; `None` for nothing
/// but `@` signs.
fn username(t: &str, platform: &str) -> Option<String> {
    let user = t.trim_start_matches('@').to_lowercase();
    if user.trim().is_empty() {
        return None;
    }
    let platform = platform_scope(platform);
    Some(if platform.is_empty() { user } else { format!("{platform}/{user}") })
}

fn platform_scope(platform: &str) -> String {
    platform.trim().to_lowercase().chars().filter(|c| c.is_alphanumeric()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> String {
        Identifier::normalise(s, "ExampleChat").unwrap().to_string()
    }

    #[test]
    fn emails() {
        assert_eq!(n("Jane.Doe+kids@GoogleMail.com"), "email:janedoe@gmail.com");
        assert_eq!(n("jane.doe@example.org"), "email:jane.doe@example.org");
        assert_eq!(n("J.Smith+x@outlook.com"), "email:j.smith@outlook.com");
    }

    #[test]
    fn phones() {
        assert_eq!(n("07700 900123"), "phone:+447700900123");
        assert_eq!(n("+44 (0)7700-900123"), "phone:+447700900123");
        assert_eq!(n("0044 7700 900123"), "phone:+447700900123");
        assert_eq!(n("+1 202-555-0143"), "phone:+12025550143");
    }

    #[test]
    fn urls() {
        assert_eq!(n("https://WWW.Example.com/u/Jane/?utm_source=x#top"), "url:example.com/u/Jane");
        assert_eq!(n("www.example.com/profile.php?id=123&fbclid=abc"), "url:example.com/profile.php?id=123");
    }

    /// Issue 11, finding 1: one public report with this identifier made
    /// `normalise` panic while the store lock was held.
    #[test]
    fn characters_whose_lowercase_changes_length_do_not_panic() {
        for raw in [
            "http://\u{212A}x",
            "HTTP://\u{212A}x.example.com/\u{0130}",
            "\u{0130}http://x.com",
            "\u{212A}@example.com",
            "\u{0130}\u{0130}@\u{212A}.com",
            "www.\u{212A}\u{0130}.com/A",
            "\u{212A}\u{0130}",
            "+\u{0664}\u{0664}7700900123",
        ] {
            let _ = Identifier::normalise(raw, "\u{0130}Chat");
        }
        assert_eq!(n("http://\u{212A}x.example.com/P"), "url:kx.example.com/P");
        assert_eq!(n("HtTpS://Example.com/u/Jane"), "url:example.com/u/Jane");
        // Found by the property test: a space in a "URL" gave a value that
        // normalised differently the second time.
        assert_ne!(Identifier::normalise("http://./ /", "").unwrap().kind, IdentifierKind::Url);
        for (raw, want) in [
            ("www.www.?", None),
            ("www.www.+", None),
            ("https://example.com?id=7", Some("url:example.com?id=7")),
            (".@gmail.com", None),
            ("+kids@outlook.com", None),
        ] {
            let got = Identifier::normalise(raw, "").filter(|i| i.kind != IdentifierKind::Username);
            assert_eq!(got.map(|i| i.to_string()).as_deref(), want, "{raw}");
        }
    }

    #[test]
    fn usernames_are_scoped_to_the_platform() {
        assert_eq!(n("@Demo_User_A"), "username:examplechat/demo_user_a");
        assert_eq!(Identifier::normalise("demo", "").unwrap().to_string(), "username:demo");
        assert!(Identifier::normalise("   ", "x").is_none());
        assert!(Identifier::normalise("@@", "x").is_none());
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        /// Strings that lean on the hard cases: case changes that alter a
        /// character's UTF-8 length, bidi controls, NUL, non-ASCII digits,
        /// and the separators the normalisers split on.
        fn hostile() -> impl Strategy<Value = String> {
            let pieces = prop::sample::select(vec![
                "http://",
                "HTTPS://",
                "www.",
                "@",
                ".",
                "/",
                "?",
                "#",
                "+",
                "(0)",
                "00",
                "0",
                "7",
                "utm_",
                "&",
                "\u{212A}",
                "\u{0130}",
                "\u{1E9E}",
                "\u{03A3}",
                "\u{202E}",
                "\u{200F}",
                "\0",
                "\u{0664}",
                "\u{FF10}",
                "gmail.com",
                "ß",
                "ǅ",
                " ",
                "\u{00A0}",
                "x",
            ]);
            prop::collection::vec(prop_oneof![pieces.prop_map(str::to_owned), any::<String>()], 0..12)
                .prop_map(|v| v.concat())
        }

        proptest! {
            #[test]
            fn never_panics_and_is_idempotent(raw in hostile(), platform in hostile()) {
                let Some(id) = Identifier::normalise(&raw, &platform) else { return Ok(()) };
                // The output is a Rust String, so valid UTF-8 by construction;
                // normalising it again as its own kind changes nothing.
                let again = match id.kind {
                    IdentifierKind::Email => email(&id.value),
                    IdentifierKind::Phone => phone(&id.value),
                    IdentifierKind::Url => url(&format!("https://{}", id.value)),
                    IdentifierKind::Username => {
                        let scope = platform_scope(&platform);
                        let user = if scope.is_empty() { id.value.as_str() } else {
                            id.value.strip_prefix(&format!("{scope}/")).expect("scoped")
                        };
                        username(user, &platform)
                    }
                };
                prop_assert_eq!(again.as_deref(), Some(id.value.as_str()));
            }
        }
    }
}
