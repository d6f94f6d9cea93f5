//! How the triage queue is ordered: by urgency (immediate danger, then
//! risk score, then longest waiting) or by age alone (longest waiting first).

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum QueueOrder {
    #[default]
    Urgency,
    Age,
}

impl QueueOrder {
    pub const ALL: [QueueOrder; 2] = [QueueOrder::Urgency, QueueOrder::Age];

    pub fn parse(s: &str) -> Result<Self, crate::ParseError> {
        QueueOrder::ALL
            .into_iter()
            .find(|o| o.as_str() == s)
            .ok_or_else(|| crate::ParseError::new("sort", s, "must be urgency or age"))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            QueueOrder::Urgency => "urgency",
            QueueOrder::Age => "age",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            QueueOrder::Urgency => "Most urgent first",
            QueueOrder::Age => "Longest waiting first",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_order_parses_back_and_others_are_refused_naming_the_field() {
        for o in QueueOrder::ALL {
            assert_eq!(QueueOrder::parse(o.as_str()).unwrap(), o);
        }
        assert!(QueueOrder::parse("score").unwrap_err().to_string().contains("sort"));
    }
}
