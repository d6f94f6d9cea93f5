//! Signs in what was said: payment demands and threats to publish (an
//! activist group's "child protection" can be extortion), who first spoke
//! of meeting (a decoy who proposed it bears on entrapment), and
//! indicators that the man may be a vulnerable adult (groups have targeted
//! such men). Each is a prompt for the officer, linked to its message;
//! none is a finding. Matching is on lowercased words and phrases, so it
//! is transparent and its misses are easy to explain.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SignKind {
    PaymentDemand,
    ThreatToPublish,
    MeetingRequest,
    VulnerableAdult,
}

impl SignKind {
    pub const ALL: [SignKind; 4] =
        [SignKind::PaymentDemand, SignKind::ThreatToPublish, SignKind::MeetingRequest, SignKind::VulnerableAdult];

    pub fn label(self) -> &'static str {
        match self {
            SignKind::PaymentDemand => "Payment demanded",
            SignKind::ThreatToPublish => "Threat to publish or expose",
            SignKind::MeetingRequest => "Meeting proposed or arranged",
            SignKind::VulnerableAdult => "May be a vulnerable adult (a prompt, not a verdict)",
        }
    }

    fn phrases(self) -> &'static [&'static str] {
        match self {
            SignKind::PaymentDemand => &[
                "pay us",
                "pay me",
                "you pay",
                "you will pay",
                "you'll pay",
                "send money",
                "send the money",
                "bank transfer",
                "transfer the",
                "paypal",
                "bitcoin",
                "crypto",
                "gift card",
                "cash app",
                "£",
                "sort code",
                "bank details",
                "or else pay",
            ],
            SignKind::ThreatToPublish => &[
                "expose you",
                "exposing you",
                "post this",
                "posting this",
                "going live",
                "go live",
                "livestream",
                "live stream",
                "tell your wife",
                "tell your family",
                "tell your boss",
                "tell your work",
                "everyone will see",
                "publish",
                "name and shame",
                "screenshots go",
                "your face will be",
                "share this with",
            ],
            SignKind::MeetingRequest => &[
                "meet",
                "meet up",
                "come round",
                "come over",
                "come to mine",
                "pick you up",
                "see you at",
                "where do you live",
                "what time",
                "at the station",
                "at the park",
                "hotel",
            ],
            SignKind::VulnerableAdult => &[
                "autism",
                "autistic",
                "learning disab",
                "special needs",
                "my carer",
                "my support worker",
                "care worker",
                "adhd",
                "disabled",
                "disability",
                "i can't read",
                "i cant read",
                "care home",
                "sectioned",
                "mental health",
                "my social worker",
                "supported living",
            ],
        }
    }
}

/// Every kind's phrases in one automaton, with the kind of each.
fn phrases() -> &'static (aho_corasick::AhoCorasick, Vec<SignKind>) {
    static ALL: std::sync::OnceLock<(aho_corasick::AhoCorasick, Vec<SignKind>)> = std::sync::OnceLock::new();
    ALL.get_or_init(|| {
        let (mut words, mut kinds) = (Vec::new(), Vec::new());
        for k in SignKind::ALL {
            for p in k.phrases() {
                words.push(*p);
                kinds.push(k);
            }
        }
        (aho_corasick::AhoCorasick::new(&words).expect("the phrases make an automaton"), kinds)
    })
}

/// The kinds of sign in one message's text: a phrase counts where it
/// starts a word (so "meet" is found in "meet up" and "meeting", not in
/// "sweet"); every occurrence of every phrase is looked at in one pass.
pub fn signs_in(text: &str) -> Vec<SignKind> {
    let lower = text.to_lowercase();
    let (automaton, kinds) = phrases();
    let mut found = [false; SignKind::ALL.len()];
    for m in automaton.find_overlapping_iter(&lower) {
        let kind = kinds[m.pattern().as_usize()];
        let starts_word = lower[m.start()..].chars().next().is_some_and(char::is_alphanumeric);
        if !starts_word || lower[..m.start()].chars().next_back().is_none_or(|c| !c.is_alphanumeric()) {
            found[SignKind::ALL.iter().position(|k| *k == kind).expect("a kind of ALL")] = true;
        }
    }
    SignKind::ALL.into_iter().zip(found).filter(|(_, f)| *f).map(|(k, _)| k).collect()
}

/// One sign, linked to its message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sign {
    pub kind: SignKind,
    /// The message's number in the timeline.
    pub message: u32,
    pub sender: Option<String>,
    pub time: String,
}

/// Signs gathered over a whole timeline, a bounded number kept per kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signs {
    pub found: Vec<Sign>,
    /// How many of each kind there were, kept or not.
    pub counts: Vec<(SignKind, u64)>,
    /// The first message that spoke of meeting: who proposed it.
    pub first_meeting: Option<Sign>,
}

/// Messages kept per kind; the rest are counted.
pub const SIGNS_KEPT_PER_KIND: usize = 50;

impl Signs {
    pub fn note(&mut self, message: u32, sender: Option<&str>, time: &str, text: &str) {
        for kind in signs_in(text) {
            let sign = Sign { kind, message, sender: sender.map(str::to_owned), time: time.to_owned() };
            if kind == SignKind::MeetingRequest && self.first_meeting.is_none() {
                self.first_meeting = Some(sign.clone());
            }
            match self.counts.iter_mut().find(|(k, _)| *k == kind) {
                Some((_, n)) => *n += 1,
                None => self.counts.push((kind, 1)),
            }
            if self.found.iter().filter(|s| s.kind == kind).count() < SIGNS_KEPT_PER_KIND {
                self.found.push(sign);
            }
        }
    }

    pub fn count(&self, kind: SignKind) -> u64 {
        self.counts.iter().find(|(k, _)| *k == kind).map_or(0, |(_, n)| *n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_is_found_at_word_starts_only() {
        assert_eq!(
            signs_in("Pay us £500 or we go live with your face"),
            vec![SignKind::PaymentDemand, SignKind::ThreatToPublish]
        );
        assert_eq!(signs_in("shall we meet at the park?"), vec![SignKind::MeetingRequest]);
        assert!(signs_in("sweet dreams").is_empty(), "meet inside a word is not a meeting");
        assert_eq!(signs_in("my support worker helps me with letters"), vec![SignKind::VulnerableAdult]);
        assert!(signs_in("hello how was school").is_empty());
    }

    #[test]
    fn the_first_to_speak_of_meeting_is_kept() {
        let mut s = Signs::default();
        s.note(1, Some("Decoy"), "t1", "hi");
        s.note(2, Some("Decoy"), "t2", "we could meet up?");
        s.note(3, Some("Man"), "t3", "ok where do you live");
        assert_eq!(s.first_meeting.as_ref().map(|m| (m.message, m.sender.as_deref())), Some((2, Some("Decoy"))));
        assert_eq!(s.count(SignKind::MeetingRequest), 2);
    }
}
