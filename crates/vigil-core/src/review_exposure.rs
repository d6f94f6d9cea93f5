//! What reviewing costs the officer who does it: each officer's own blur,
//! greyscale and daily ceiling, and how many items they revealed and for
//! how long, today and over the last seven days. The officer sees their
//! own figures; a supervisor sees every officer's totals, never which items.

use crate::data_dir::Vigil;
use crate::error::CoreError;
use crate::officers::OfficerSession;
use serde::Serialize;
use vigil_domain::{Role, Timestamp};
use vigil_store::ReviewSettingsRow;

/// Blur (Gaussian sigma, in pixels of a 256-pixel preview) unless the officer chooses otherwise.
pub const DEFAULT_BLUR: u32 = 10;
/// Items revealed in a day after which the page suggests a break.
pub const DEFAULT_CEILING: u32 = 150;
/// The longest single reveal counted: a page left open with a key held down is not exposure.
const MAX_REVEAL_MS: u64 = 10 * 60 * 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ReviewerSettings {
    pub blur: u32,
    pub grey: bool,
    pub ceiling: u32,
}

impl Default for ReviewerSettings {
    fn default() -> Self {
        ReviewerSettings { blur: DEFAULT_BLUR, grey: true, ceiling: DEFAULT_CEILING }
    }
}

/// One officer's exposure.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ExposureSummary {
    pub today_items: u64,
    pub today_ms: u64,
    pub week_items: u64,
    pub week_ms: u64,
    pub ceiling: u32,
}

impl ExposureSummary {
    /// Whether today's reveals have reached the ceiling: time for a break.
    pub fn over_ceiling(&self) -> bool {
        self.today_items >= u64::from(self.ceiling)
    }
}

/// An officer's totals, as a supervisor sees them.
#[derive(Debug, Clone, Serialize)]
pub struct OfficerExposure {
    pub username: String,
    pub exposure: ExposureSummary,
}

/// The UTC day of a time, `YYYY-MM-DD`.
pub(crate) fn day_of(t: Timestamp) -> String {
    t.to_string()[..10].to_owned()
}

fn week_start(t: Timestamp) -> String {
    day_of(Timestamp::from_unix_millis(t.unix_millis() - 6 * 86_400_000))
}

impl Vigil {
    pub fn reviewer_settings(&self, username: &str) -> Result<ReviewerSettings, CoreError> {
        Ok(self
            .store
            .read()?
            .review_settings(username)?
            .map(|r| ReviewerSettings { blur: r.blur, grey: r.grey, ceiling: r.ceiling })
            .unwrap_or_default())
    }

    /// Sets the officer's own review settings.
    pub fn set_reviewer_settings(&self, officer: &OfficerSession, s: ReviewerSettings) -> Result<(), CoreError> {
        if s.blur > 40 {
            return Err(CoreError::InvalidInput { field: "blur".into(), why: "from 0 (none) to 40".into() });
        }
        if s.ceiling == 0 || s.ceiling > 10_000 {
            return Err(CoreError::InvalidInput {
                field: "ceiling".into(),
                why: "from 1 to 10,000 items a day".into(),
            });
        }
        let row =
            ReviewSettingsRow { username: officer.username.clone(), blur: s.blur, grey: s.grey, ceiling: s.ceiling };
        self.write_unlogged(|tx| Ok(tx.set_review_settings(&row)?))
    }

    /// Counts how long a revealed item stayed on screen (the page reports
    /// it when the officer lets go).
    pub fn reveal_ended(&self, officer: &OfficerSession, ms: u64) -> Result<(), CoreError> {
        let day = day_of(self.now());
        let ms = ms.min(MAX_REVEAL_MS);
        let user = officer.username.clone();
        self.write_unlogged(|tx| Ok(tx.add_exposure(&user, &day, 0, ms)?))
    }

    fn exposure_rows(&self, username: Option<&str>) -> Result<Vec<OfficerExposure>, CoreError> {
        let now = self.now();
        let today = day_of(now);
        let rows = self.store.read()?.review_exposure(username, &week_start(now))?;
        let mut out: Vec<OfficerExposure> = Vec::new();
        for r in rows {
            if out.last().is_none_or(|o| o.username != r.username) {
                let ceiling = self.reviewer_settings(&r.username)?.ceiling;
                out.push(OfficerExposure {
                    username: r.username.clone(),
                    exposure: ExposureSummary { ceiling, ..Default::default() },
                });
            }
            let e = &mut out.last_mut().expect("pushed above").exposure;
            e.week_items += r.items;
            e.week_ms += r.ms;
            if r.day == today {
                e.today_items += r.items;
                e.today_ms += r.ms;
            }
        }
        Ok(out)
    }

    /// The officer's own exposure.
    pub fn my_exposure(&self, officer: &OfficerSession) -> Result<ExposureSummary, CoreError> {
        let ceiling = self.reviewer_settings(&officer.username)?.ceiling;
        Ok(self
            .exposure_rows(Some(&officer.username))?
            .pop()
            .map(|o| o.exposure)
            .unwrap_or(ExposureSummary { ceiling, ..Default::default() }))
    }

    /// Every officer's totals (supervisors only).
    pub fn team_exposure(&self, officer: &OfficerSession) -> Result<Vec<OfficerExposure>, CoreError> {
        if officer.role != Role::Supervisor {
            return Err(CoreError::Forbidden("only a supervisor sees the team's exposure".into()));
        }
        self.exposure_rows(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_and_weeks_are_utc_dates() {
        let t = Timestamp::parse("2026-12-06T23:59:59.000Z").unwrap();
        assert_eq!(day_of(t), "2026-12-06");
        assert_eq!(week_start(t), "2026-11-30");
        let s = ExposureSummary { today_items: 150, ceiling: 150, ..Default::default() };
        assert!(s.over_ceiling());
    }
}
