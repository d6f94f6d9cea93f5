//! Safeguarding in the order Working Together to Safeguard Children (2023)
//! sets, with its time limits: a strategy discussion before a s.47
//! enquiry, the initial child protection conference within 15 working days
//! of the strategy discussion, police protection (Children Act 1989 s.46)
//! for at most 72 hours; and the prompts a case owes: a referral to
//! children's social care when children live with the suspect, and to the
//! LADO when the suspect works with children. Pure: the caller passes the
//! records with their times, and the time now.

use crate::{CaseRecord, SafeguardingStep, Timestamp};

/// One record as the plan reads it: its number, when it was made, and it.
pub type Dated<'a> = (u64, i64, &'a CaseRecord);

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;

/// The working days the conference must be held within.
pub const CONFERENCE_WORKING_DAYS: u32 = 15;
/// How long police protection may last (s.46(6)).
pub const POLICE_PROTECTION_HOURS: i64 = 72;

/// `days` working days (Monday to Friday) after `ms`; bank holidays are not
/// known here, so a due date may fall on one and be a day early.
pub fn add_working_days(ms: i64, days: u32) -> i64 {
    let mut t = ms;
    let mut left = days;
    while left > 0 {
        t += DAY_MS;
        // 1 January 1970 was a Thursday: day 0 is Thursday.
        let weekday = (t.div_euclid(DAY_MS) + 3).rem_euclid(7); // 0 Monday … 6 Sunday
        if weekday < 5 {
            left -= 1;
        }
    }
    t
}

fn steps<'a>(records: &'a [Dated<'a>], child: u64) -> impl Iterator<Item = (u64, i64, SafeguardingStep)> + 'a {
    records.iter().filter_map(move |(id, at, r)| match r {
        CaseRecord::Safeguarding { child: c, step: Some(s), .. } if *c == child => Some((*id, *at, *s)),
        _ => None,
    })
}

/// Whether a new safeguarding step keeps Working Together's order.
pub fn check_step(records: &[Dated<'_>], child: u64, step: SafeguardingStep) -> Result<(), String> {
    let has = |s: SafeguardingStep| steps(records, child).any(|(_, _, x)| x == s);
    match step {
        SafeguardingStep::Section47Enquiry if !has(SafeguardingStep::StrategyDiscussion) => {
            Err(format!("a s.47 enquiry follows a strategy discussion: none is recorded for record:{child}"))
        }
        SafeguardingStep::InitialChildProtectionConference if !has(SafeguardingStep::Section47Enquiry) => Err(format!(
            "an initial child protection conference follows a s.47 enquiry: none is recorded for record:{child}"
        )),
        SafeguardingStep::PoliceProtectionEnded if !has(SafeguardingStep::PoliceProtection) => {
            Err(format!("record:{child} is not in police protection"))
        }
        _ => Ok(()),
    }
}

/// Whether a welfare check's answer about children in the household says
/// there are some (anything but "none", "no", "0" or "n/a").
pub fn children_present(answer: &str) -> bool {
    let a = answer.trim().to_lowercase();
    !(a.is_empty() || ["none", "no", "0", "n/a", "nil"].iter().any(|n| a == *n || a.starts_with(&format!("{n} "))))
}

/// What the case owes a person now, in words: conferences and police
/// protection due (marked OVERDUE when late), and referrals not yet made.
pub fn prompts(records: &[Dated<'_>], person: u64, now_ms: i64) -> Vec<String> {
    let mut out = Vec::new();
    let due = |at: i64| if now_ms > at { "OVERDUE: " } else { "" };
    let mine: Vec<(u64, i64, SafeguardingStep)> = steps(records, person).collect();
    let find = |s: SafeguardingStep| mine.iter().rev().find(|(_, _, x)| *x == s).copied();
    if let (Some((sd, sd_at, _)), Some(_), None) = (
        find(SafeguardingStep::StrategyDiscussion),
        find(SafeguardingStep::Section47Enquiry),
        find(SafeguardingStep::InitialChildProtectionConference),
    ) {
        let by = add_working_days(sd_at, CONFERENCE_WORKING_DAYS);
        out.push(format!(
            "{}initial child protection conference due by {} ({CONFERENCE_WORKING_DAYS} working days from the \
             strategy discussion, record:{sd})",
            due(by),
            &Timestamp::from_unix_millis(by).to_string()[..10]
        ));
    }
    if let Some((pp, pp_at, _)) = find(SafeguardingStep::PoliceProtection) {
        let ended = mine.iter().any(|(id, _, s)| *id > pp && *s == SafeguardingStep::PoliceProtectionEnded);
        if !ended {
            let by = pp_at + POLICE_PROTECTION_HOURS * HOUR_MS;
            out.push(format!(
                "{}police protection (record:{pp}) ends by {} at the latest ({POLICE_PROTECTION_HOURS} hours)",
                due(by),
                Timestamp::from_unix_millis(by).london()
            ));
        }
    }
    let referred = |step: SafeguardingStep, after: u64| {
        records
            .iter()
            .any(|(id, _, r)| *id > after && matches!(r, CaseRecord::Safeguarding { step: Some(s), .. } if *s == step))
    };
    for (id, _, r) in records {
        match r {
            CaseRecord::WelfareCheck { person: p, children_in_household, .. }
                if *p == person
                    && children_present(children_in_household)
                    && !referred(SafeguardingStep::ReferralToChildrensSocialCare, *id) =>
            {
                out.push(format!(
                    "children in the household (record:{id}: {children_in_household}): refer to children's social care"
                ))
            }
            CaseRecord::Person { works_with_children: Some(role), .. }
                if *id == person && !mine.iter().any(|(_, _, s)| *s == SafeguardingStep::ReferralToLado) =>
            {
                out.push(format!("works with children ({role}): refer to the LADO"))
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(child: u64, s: SafeguardingStep) -> CaseRecord {
        CaseRecord::Safeguarding {
            child,
            action: "a".into(),
            outcome: "o".into(),
            step: Some(s),
            reference: None,
            designated_officer: None,
            local_authority_notified: None,
        }
    }

    #[test]
    fn working_days_skip_weekends() {
        // Friday 4 December 2026 00:00 UTC + 1 working day = Monday 7 December.
        let fri = Timestamp::parse("2026-12-04T00:00:00.000Z").unwrap().unix_millis();
        assert_eq!(Timestamp::from_unix_millis(add_working_days(fri, 1)).to_string()[..10], *"2026-12-07");
        assert_eq!(Timestamp::from_unix_millis(add_working_days(fri, 15)).to_string()[..10], *"2026-12-25");
    }

    #[test]
    fn steps_keep_working_togethers_order_and_its_clock() {
        let sd = step(5, SafeguardingStep::StrategyDiscussion);
        let s47 = step(5, SafeguardingStep::Section47Enquiry);
        assert!(check_step(&[], 5, SafeguardingStep::Section47Enquiry).is_err());
        let t0 = Timestamp::parse("2026-12-04T09:00:00.000Z").unwrap().unix_millis();
        let recs = [(1, t0, &sd)];
        check_step(&recs, 5, SafeguardingStep::Section47Enquiry).unwrap();
        assert!(check_step(&recs, 5, SafeguardingStep::InitialChildProtectionConference).is_err());
        let recs = [(1, t0, &sd), (2, t0, &s47)];
        check_step(&recs, 5, SafeguardingStep::InitialChildProtectionConference).unwrap();
        let p = prompts(&recs, 5, t0);
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].starts_with("initial child protection conference due by 2026-12-25"), "{p:?}");
        let late = prompts(&recs, 5, t0 + 30 * DAY_MS);
        assert!(late[0].starts_with("OVERDUE: "), "{late:?}");
    }

    #[test]
    fn children_in_the_household_and_work_with_children_prompt_referrals() {
        assert!(
            !children_present("none known (synthetic)")
                && !children_present("No")
                && children_present("two, aged 6 and 9")
        );
        let suspect = CaseRecord::Person {
            name: "n".into(),
            role: crate::PersonRole::Suspect,
            works_with_children: Some("youth football coach".into()),
        };
        let welfare = CaseRecord::WelfareCheck {
            person: 1,
            self_harm_risk: crate::RiskLevel::Low,
            mitigations: "m".into(),
            children_in_household: "two, aged 6 and 9".into(),
            vulnerable_adults_in_household: "none".into(),
            referrals_made: vec![],
            stage: None,
            handover: None,
        };
        let recs = [(1, 0, &suspect), (2, 0, &welfare)];
        let p = prompts(&recs, 1, 0);
        assert_eq!(p.len(), 2, "{p:?}");
        let lado = step(1, SafeguardingStep::ReferralToLado);
        let csc = step(9, SafeguardingStep::ReferralToChildrensSocialCare);
        let recs = [(1, 0, &suspect), (2, 0, &welfare), (3, 0, &lado), (4, 0, &csc)];
        assert!(prompts(&recs, 1, 0).is_empty());
    }
}
