//! The team's dashboard: what the recorded reports, triage actions and
//! case records add up to, week by week. Pure: the caller gathers the
//! facts (times, kinds, outcomes) from the store and passes the clock's
//! time; this only counts, so every figure shown can be checked by hand.

use crate::{OutcomeKind, ReportKind, TriageTargets};

const DAY_MS: i64 = 86_400_000;
const WEEK_MS: i64 = 7 * DAY_MS;

/// One report, as far as the figures need it: no content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportFact {
    pub received_ms: i64,
    /// None for reports received before the kind was kept apart.
    pub kind: Option<ReportKind>,
    /// From a partner organisation rather than the public.
    pub partner: bool,
    pub immediate_danger: bool,
    /// The first triage action on it: a grade, a hand-off, a closure or a case.
    pub triaged_ms: Option<i64>,
}

/// What the case records hold, each at the time it was recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseFacts {
    /// Arrests, charges and no further action (children safeguarded are
    /// counted from safeguarding records, in `children_safeguarded_ms`).
    pub outcomes: Vec<(i64, OutcomeKind)>,
    /// The first safeguarding record for each child of each case.
    pub children_safeguarded_ms: Vec<i64>,
    /// Each approved action: when, and whether a welfare check on its
    /// person was on file before the approval.
    pub approved_actions: Vec<(i64, bool)>,
    /// Each possible-wrong-person flag: when raised, and when the person's
    /// wrong-person warning cleared after it, if it has.
    pub wrong_person_flags: Vec<(i64, Option<i64>)>,
}

/// One officer's share of the work.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OfficerLoad {
    pub officer: String,
    /// Cases they are assigned to.
    pub cases: u64,
    /// Grades they gave within the dashboard's weeks.
    pub grades: u64,
    /// Other triage actions (closures, reports put in cases, hand-offs) within the weeks.
    pub triage_actions: u64,
    /// Case records they wrote within the weeks.
    pub case_records: u64,
}

/// Counts for one week (Monday 00:00 UTC onwards).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Week {
    pub starts_ms: i64,
    /// Reports received, by kind in [`ReportKind::ALL`] order, then those with none recorded.
    pub by_kind: [u64; 5],
    pub public: u64,
    pub partner: u64,
    /// Reports received this week triaged within their target.
    pub triaged_in_time: u64,
    /// Reports received this week and triaged.
    pub triaged: u64,
    pub arrests: u64,
    pub charges: u64,
    pub no_further_action: u64,
    pub children_safeguarded: u64,
    pub actions_with_welfare_check: u64,
    pub actions_without_welfare_check: u64,
    pub wrong_person_raised: u64,
    pub wrong_person_resolved: u64,
}

/// Time to triage for one urgency, over every report of the weeks shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TriageTime {
    pub immediate_danger: bool,
    pub target_ms: i64,
    pub triaged: u64,
    pub median_ms: Option<i64>,
    pub p90_ms: Option<i64>,
    pub within_target: u64,
    /// Received in the weeks shown and not yet triaged.
    pub waiting: u64,
}

/// Open reports by how long they have waited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgeBand {
    pub label: &'static str,
    pub reports: u64,
    pub immediate_danger: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamDashboard {
    pub now_ms: i64,
    pub weeks: Vec<Week>,
    pub triage_times: [TriageTime; 2],
    pub open_by_age: Vec<AgeBand>,
    /// Possible-wrong-person flags raised at any time and not yet resolved.
    pub wrong_person_open: u64,
    /// Per officer, busiest first; empty unless the viewer supervises.
    pub workload: Vec<OfficerLoad>,
}

/// Where the week holding `ms` starts: Monday 00:00 UTC (1 Jan 1970 was a Thursday).
pub fn week_start(ms: i64) -> i64 {
    let day = ms.div_euclid(DAY_MS);
    (day - (day - 4).rem_euclid(7)) * DAY_MS
}

/// Where the first of `weeks` weeks ending with the one holding `now_ms` starts.
pub fn dashboard_start(now_ms: i64, weeks: usize) -> i64 {
    week_start(now_ms) - (weeks.max(1) as i64 - 1) * WEEK_MS
}

/// The median of sorted values (the mean of the middle two when even).
pub fn median(sorted: &[i64]) -> Option<i64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2),
    }
}

/// The nearest-rank percentile of sorted values: the smallest value with
/// at least `p` per cent of the values at or below it.
pub fn percentile(sorted: &[i64], p: u32) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (u64::from(p) * sorted.len() as u64).div_ceil(100).max(1) as usize;
    Some(sorted[rank.min(sorted.len()) - 1])
}

/// The bands open reports are counted in, by the time they have waited.
pub const AGE_BANDS: [(&str, i64); 4] =
    [("Under 1 hour", 3_600_000), ("1 to 24 hours", DAY_MS), ("1 to 7 days", WEEK_MS), ("Over 7 days", i64::MAX)];

/// The dashboard for the `weeks` weeks ending with the one holding `now_ms`.
/// `reports` are those received from the first week's start; `open` is
/// every open report's receipt time and urgency, however old.
pub fn team_dashboard(
    now_ms: i64,
    weeks: usize,
    targets: TriageTargets,
    reports: &[ReportFact],
    open: &[(i64, bool)],
    cases: &CaseFacts,
    workload: Vec<OfficerLoad>,
) -> TeamDashboard {
    let weeks = weeks.max(1);
    let first = dashboard_start(now_ms, weeks);
    let mut out: Vec<Week> =
        (0..weeks).map(|i| Week { starts_ms: first + i as i64 * WEEK_MS, ..Week::default() }).collect();
    let slot = |ms: i64| -> Option<usize> {
        if ms < first || ms > now_ms {
            return None;
        }
        Some(((ms - first) / WEEK_MS) as usize).filter(|i| *i < weeks)
    };
    let mut waits: [Vec<i64>; 2] = [Vec::new(), Vec::new()];
    let mut waiting = [0u64; 2];
    let mut within = [0u64; 2];
    for r in reports {
        let Some(w) = slot(r.received_ms) else { continue };
        let week = &mut out[w];
        let k = r.kind.and_then(|k| ReportKind::ALL.iter().position(|x| *x == k)).unwrap_or(4);
        week.by_kind[k] += 1;
        if r.partner {
            week.partner += 1;
        } else {
            week.public += 1;
        }
        let u = usize::from(r.immediate_danger);
        match r.triaged_ms {
            Some(t) => {
                let wait = (t - r.received_ms).max(0);
                waits[u].push(wait);
                week.triaged += 1;
                if wait <= targets.for_report(r.immediate_danger) {
                    week.triaged_in_time += 1;
                    within[u] += 1;
                }
            }
            None => waiting[u] += 1,
        }
    }
    let mut triage_time = |u: usize| {
        let mut w = std::mem::take(&mut waits[u]);
        w.sort_unstable();
        TriageTime {
            immediate_danger: u == 1,
            target_ms: targets.for_report(u == 1),
            triaged: w.len() as u64,
            median_ms: median(&w),
            p90_ms: percentile(&w, 90),
            within_target: within[u],
            waiting: waiting[u],
        }
    };
    let triage_times = [triage_time(0), triage_time(1)];
    for (at, o) in &cases.outcomes {
        if let Some(w) = slot(*at) {
            match o {
                OutcomeKind::Arrest => out[w].arrests += 1,
                OutcomeKind::Charge => out[w].charges += 1,
                OutcomeKind::NoFurtherAction => out[w].no_further_action += 1,
                OutcomeKind::ChildrenSafeguarded => {}
            }
        }
    }
    for at in &cases.children_safeguarded_ms {
        if let Some(w) = slot(*at) {
            out[w].children_safeguarded += 1;
        }
    }
    for (at, checked) in &cases.approved_actions {
        if let Some(w) = slot(*at) {
            if *checked {
                out[w].actions_with_welfare_check += 1;
            } else {
                out[w].actions_without_welfare_check += 1;
            }
        }
    }
    let mut wrong_person_open = 0;
    for (raised, resolved) in &cases.wrong_person_flags {
        if let Some(w) = slot(*raised) {
            out[w].wrong_person_raised += 1;
        }
        match resolved.filter(|r| *r <= now_ms) {
            Some(r) => {
                if let Some(w) = slot(r) {
                    out[w].wrong_person_resolved += 1;
                }
            }
            None => wrong_person_open += 1,
        }
    }
    let mut open_by_age: Vec<AgeBand> =
        AGE_BANDS.iter().map(|(label, _)| AgeBand { label, reports: 0, immediate_danger: 0 }).collect();
    for (received, immediate) in open {
        let age = (now_ms - received).max(0);
        let band = AGE_BANDS.iter().position(|(_, upto)| age < *upto).unwrap_or(AGE_BANDS.len() - 1);
        open_by_age[band].reports += 1;
        if *immediate {
            open_by_age[band].immediate_danger += 1;
        }
    }
    let mut workload = workload;
    workload.sort_by(|a, b| {
        (b.grades + b.triage_actions + b.case_records, b.cases)
            .cmp(&(a.grades + a.triage_actions + a.case_records, a.cases))
            .then_with(|| a.officer.cmp(&b.officer))
    });
    TeamDashboard { now_ms, weeks: out, triage_times, open_by_age, wrong_person_open, workload }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3_600_000;
    // Wednesday 2 Dec 2026 12:00 UTC; its week starts Monday 30 Nov.
    const NOW: i64 = 1_796_212_800_000;

    fn report(received_ms: i64, kind: Option<ReportKind>, partner: bool, triaged_after: Option<i64>) -> ReportFact {
        ReportFact {
            received_ms,
            kind,
            partner,
            immediate_danger: false,
            triaged_ms: triaged_after.map(|d| received_ms + d),
        }
    }

    #[test]
    fn weeks_start_on_monday_at_midnight_utc() {
        assert_eq!(week_start(NOW), NOW - 2 * DAY_MS - 12 * H);
        assert_eq!(week_start(week_start(NOW)), week_start(NOW));
        assert_eq!(week_start(week_start(NOW) - 1), week_start(NOW) - WEEK_MS);
        assert_eq!(week_start(0), -3 * DAY_MS);
    }

    #[test]
    fn median_and_nearest_rank_percentile() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[1, 3]), Some(2));
        assert_eq!(median(&[1, 2, 9]), Some(2));
        // As the hand-off figure's own median had them, before it was this one.
        assert_eq!(median(&[5]), Some(5));
        assert_eq!(median(&[1, 3, 100]), Some(3));
        assert_eq!(median(&[1, 3, 5, 100]), Some(4));
        let ten: Vec<i64> = (1..=10).collect();
        assert_eq!(percentile(&ten, 90), Some(9));
        assert_eq!(percentile(&ten, 100), Some(10));
        assert_eq!(percentile(&[7], 90), Some(7));
        assert_eq!(percentile(&[], 90), None);
    }

    #[test]
    fn reports_are_counted_in_the_week_received_by_kind_source_and_triage_time() {
        let this_week = week_start(NOW);
        let reports = vec![
            report(this_week + H, Some(ReportKind::Grooming), false, Some(2 * H)),
            report(this_week + 2 * H, Some(ReportKind::Grooming), true, Some(30 * H)),
            report(this_week - DAY_MS, None, false, None),
            ReportFact {
                received_ms: this_week + 3 * H,
                kind: Some(ReportKind::Sextortion),
                partner: false,
                immediate_danger: true,
                triaged_ms: Some(this_week + 3 * H + 10 * 60_000),
            },
            // Before the first week shown: not counted.
            report(this_week - 3 * WEEK_MS, Some(ReportKind::Other), false, Some(H)),
        ];
        let d = team_dashboard(NOW, 2, TriageTargets::default(), &reports, &[], &CaseFacts::default(), vec![]);
        assert_eq!(d.weeks.len(), 2);
        let (last, this) = (&d.weeks[0], &d.weeks[1]);
        assert_eq!(this.by_kind, [2, 1, 0, 0, 0]);
        assert_eq!((this.public, this.partner), (2, 1));
        assert_eq!(last.by_kind, [0, 0, 0, 0, 1]);
        assert_eq!((this.triaged, this.triaged_in_time), (3, 2));
        let [other, immediate] = &d.triage_times;
        assert_eq!(
            (other.triaged, other.median_ms, other.p90_ms, other.within_target, other.waiting),
            (2, Some(16 * H), Some(30 * H), 1, 1)
        );
        assert_eq!((immediate.triaged, immediate.median_ms, immediate.within_target), (1, Some(10 * 60_000), 1));
    }

    #[test]
    fn open_reports_fall_in_age_bands_and_case_facts_in_their_weeks() {
        let open =
            [(NOW - 30 * 60_000, true), (NOW - 5 * H, false), (NOW - 3 * DAY_MS, false), (NOW - 40 * DAY_MS, false)];
        let this_week = week_start(NOW);
        let cases = CaseFacts {
            outcomes: vec![(this_week + H, OutcomeKind::Arrest), (this_week + H, OutcomeKind::Charge)],
            children_safeguarded_ms: vec![this_week + 2 * H, this_week - 2 * DAY_MS],
            approved_actions: vec![(this_week + H, true), (this_week + 2 * H, false)],
            wrong_person_flags: vec![(this_week - DAY_MS, Some(this_week + H)), (this_week + H, None)],
        };
        let d = team_dashboard(NOW, 2, TriageTargets::default(), &[], &open, &cases, vec![]);
        let bands: Vec<(u64, u64)> = d.open_by_age.iter().map(|b| (b.reports, b.immediate_danger)).collect();
        assert_eq!(bands, [(1, 1), (1, 0), (1, 0), (1, 0)]);
        let (last, this) = (&d.weeks[0], &d.weeks[1]);
        assert_eq!((this.arrests, this.charges, this.children_safeguarded), (1, 1, 1));
        assert_eq!(last.children_safeguarded, 1);
        assert_eq!((this.actions_with_welfare_check, this.actions_without_welfare_check), (1, 1));
        assert_eq!((last.wrong_person_raised, this.wrong_person_raised, this.wrong_person_resolved), (1, 1, 1));
        assert_eq!(d.wrong_person_open, 1);
    }

    #[test]
    fn workload_is_busiest_first() {
        let load = |o: &str, grades| OfficerLoad { officer: o.into(), grades, ..OfficerLoad::default() };
        let d = team_dashboard(
            NOW,
            1,
            TriageTargets::default(),
            &[],
            &[],
            &CaseFacts::default(),
            vec![load("a", 1), load("b", 5)],
        );
        assert_eq!(d.workload.iter().map(|l| l.officer.as_str()).collect::<Vec<_>>(), ["b", "a"]);
    }
}
