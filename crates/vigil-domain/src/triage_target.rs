//! How long a report has waited, in words an officer reads ("14 minutes"),
//! and the time within which it should be triaged: shorter when a child is
//! in immediate danger. The clock is the caller's; this only computes.

/// The times within which a report should be triaged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TriageTargets {
    pub immediate_danger_ms: i64,
    pub other_ms: i64,
}

impl Default for TriageTargets {
    /// Immediate danger within 15 minutes, everything else within 24 hours.
    fn default() -> Self {
        TriageTargets { immediate_danger_ms: 15 * 60_000, other_ms: 24 * 3_600_000 }
    }
}

impl TriageTargets {
    pub fn for_report(&self, immediate_danger: bool) -> i64 {
        if immediate_danger {
            self.immediate_danger_ms
        } else {
            self.other_ms
        }
    }

    /// Whether a report received at `received_ms` is past its target at `now_ms`.
    pub fn overdue(&self, immediate_danger: bool, received_ms: i64, now_ms: i64) -> bool {
        now_ms - received_ms > self.for_report(immediate_danger)
    }
}

/// A span in the largest whole unit that fits: "under a minute",
/// "1 minute", "14 minutes", "3 hours", "2 days".
pub fn waited(ms: i64) -> String {
    let minutes = ms.max(0) / 60_000;
    let (n, unit) = if minutes < 1 {
        return "under a minute".into();
    } else if minutes < 60 {
        (minutes, "minute")
    } else if minutes < 48 * 60 {
        (minutes / 60, "hour")
    } else {
        (minutes / (24 * 60), "day")
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_read_as_an_officer_says_them() {
        assert_eq!(waited(30_000), "under a minute");
        assert_eq!(waited(60_000), "1 minute");
        assert_eq!(waited(14 * 60_000 + 59_000), "14 minutes");
        assert_eq!(waited(3 * 3_600_000 + 5), "3 hours");
        assert_eq!(waited(47 * 3_600_000), "47 hours");
        assert_eq!(waited(50 * 3_600_000), "2 days");
        assert_eq!(waited(-5), "under a minute", "a clock a little behind is not a negative wait");
    }

    #[test]
    fn immediate_danger_is_overdue_after_fifteen_minutes_others_after_a_day() {
        let t = TriageTargets::default();
        assert!(!t.overdue(true, 0, 15 * 60_000));
        assert!(t.overdue(true, 0, 15 * 60_000 + 1));
        assert!(!t.overdue(false, 0, 15 * 60_000 + 1));
        assert!(t.overdue(false, 0, 24 * 3_600_000 + 1));
    }
}
