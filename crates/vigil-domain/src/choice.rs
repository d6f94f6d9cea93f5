//! A closed set of values an officer picks from: each has the value its
//! records store and the words a form shows. Forms take their options from
//! here, so a form can never offer a value the record type would refuse.

/// A closed set of values with their stored form and their words.
pub trait Choice: Copy + Sized + 'static {
    /// Every value, in the order a form lists them.
    const ALL: &'static [Self];
    /// The value as records store it (its serde name).
    fn as_str(self) -> &'static str;
    /// The value in words, for a form.
    fn label(self) -> &'static str;
}

/// One option of a form's choice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChoiceOption {
    pub value: &'static str,
    pub label: String,
}

impl ChoiceOption {
    pub fn of<T: Choice>(c: T) -> Self {
        ChoiceOption { value: c.as_str(), label: c.label().to_owned() }
    }
}

/// Every value of `T` as a form's options.
pub fn options<T: Choice>() -> Vec<ChoiceOption> {
    T::ALL.iter().map(|c| ChoiceOption::of(*c)).collect()
}

/// Implements [`Choice`] from one list of variants; `as_str` and `label`
/// are exhaustive matches over that list, so a variant left out of it does
/// not compile.
macro_rules! choice {
    ($t:ident { $($v:ident => $value:literal, $label:literal;)+ }) => {
        impl $crate::Choice for $t {
            const ALL: &'static [Self] = &[$($t::$v),+];
            fn as_str(self) -> &'static str {
                match self { $($t::$v => $value),+ }
            }
            fn label(self) -> &'static str {
                match self { $($t::$v => $label),+ }
            }
        }
    };
}
pub(crate) use choice;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::*;

    /// The value a form offers is the value the record stores, and reads back.
    fn stored_as_offered<T: Choice + serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug>() {
        assert!(!T::ALL.is_empty());
        for c in T::ALL {
            let j = serde_json::to_value(c).unwrap();
            assert_eq!(j, serde_json::Value::String(c.as_str().to_owned()), "{c:?}");
            assert_eq!(serde_json::from_value::<T>(j).unwrap(), *c);
            assert!(!c.label().is_empty());
        }
        let mut values: Vec<&str> = T::ALL.iter().map(|c| c.as_str()).collect();
        values.sort();
        values.dedup();
        assert_eq!(values.len(), T::ALL.len(), "values are distinct");
    }

    #[test]
    fn every_choice_is_stored_as_offered() {
        stored_as_offered::<PersonRole>();
        stored_as_offered::<PersonFlag>();
        stored_as_offered::<ActionKind>();
        stored_as_offered::<WelfareStage>();
        stored_as_offered::<AuthorityKind>();
        stored_as_offered::<RiskLevel>();
        stored_as_offered::<OutcomeKind>();
        stored_as_offered::<Schedule>();
        stored_as_offered::<ProsecutorView>();
        stored_as_offered::<SafeguardingStep>();
        stored_as_offered::<HomeOfficeOutcome>();
        stored_as_offered::<MaterialCategory>();
        stored_as_offered::<HighlySensitiveGround>();
        stored_as_offered::<ChargingTest>();
        stored_as_offered::<SensitiveRoute>();
    }
}
