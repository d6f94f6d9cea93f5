//! Set kinds and the categories of known-bad material (England and Wales
//! sentencing categories A, B and C, or other).

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SetKind {
    KnownBad,
    KnownGood,
}

impl SetKind {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "known-bad" => Some(SetKind::KnownBad),
            "known-good" => Some(SetKind::KnownGood),
            _ => None,
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            SetKind::KnownBad => "known-bad",
            SetKind::KnownGood => "known-good",
        }
    }
}

impl fmt::Display for SetKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One byte per entry in a set file. Lower codes are more severe, so when a
/// digest appears twice the most severe category wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Category {
    A = 1,
    B = 2,
    C = 3,
    Other = 4,
    /// Entries of a known-good set.
    Good = 5,
}

impl Category {
    pub fn code(self) -> u8 {
        self as u8
    }

    pub fn from_code(c: u8) -> Option<Self> {
        match c {
            1 => Some(Category::A),
            2 => Some(Category::B),
            3 => Some(Category::C),
            4 => Some(Category::Other),
            5 => Some(Category::Good),
            _ => None,
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_uppercase().as_str() {
            "A" | "CAT A" | "CATEGORY A" => Some(Category::A),
            "B" | "CAT B" | "CATEGORY B" => Some(Category::B),
            "C" | "CAT C" | "CATEGORY C" => Some(Category::C),
            "OTHER" => Some(Category::Other),
            _ => None,
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Category::A => "A",
            Category::B => "B",
            Category::C => "C",
            Category::Other => "other",
            Category::Good => "known-good",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Maps a source's own category labels (VICS uses numbers) to Vigil's.
/// Labels that are not mapped and are not A, B or C become `other`: Vigil
/// never guesses a severity.
#[derive(Debug, Clone, Default)]
pub struct CategoryMap(HashMap<String, Category>);

impl CategoryMap {
    /// Parses `1=A,2=B,3=C`.
    pub fn parse(s: &str) -> Result<Self, String> {
        let mut m = HashMap::new();
        for pair in s.split(',').filter(|p| !p.trim().is_empty()) {
            let (k, v) =
                pair.split_once('=').ok_or_else(|| format!("category map entry {pair:?} is not LABEL=CATEGORY"))?;
            let c = Category::parse(v)
                .ok_or_else(|| format!("category map entry {pair:?}: {v:?} is not A, B, C or other"))?;
            m.insert(k.trim().to_owned(), c);
        }
        Ok(CategoryMap(m))
    }

    pub fn resolve(&self, label: &str) -> Category {
        self.0.get(label.trim()).copied().or_else(|| Category::parse(label)).unwrap_or(Category::Other)
    }

    /// The label a category is exported under: the mapped source label if
    /// there is exactly one, else the category's own name.
    pub fn label_for(&self, c: Category) -> String {
        let mut labels: Vec<&String> = self.0.iter().filter(|(_, v)| **v == c).map(|(k, _)| k).collect();
        labels.sort();
        match labels.as_slice() {
            [one] => (*one).clone(),
            _ => c.as_str().to_owned(),
        }
    }
}
