//! Requests counted in shared rate windows, many in one statement: what
//! each request's own counts are when a batch is counted at once.

use std::collections::HashMap;

/// One request to count in `limiter`'s window starting at `window_start`
/// (Unix seconds), by `client`, a salted hash (never empty: the row with
/// an empty client is everyone's count).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateCount {
    pub limiter: String,
    pub window_start: i64,
    pub client: Vec<u8>,
}

/// A counted row: limiter, window start, client (empty for everyone).
pub(crate) type CountKey = (String, i64, Vec<u8>);

/// What a batch adds to each row it touches, ordered by key, so every
/// writer locks rows in the same order and two batches never deadlock.
pub(crate) fn increments(counts: &[RateCount]) -> Vec<(CountKey, i64)> {
    let mut by_key: HashMap<CountKey, i64> = HashMap::new();
    for c in counts {
        *by_key.entry((c.limiter.clone(), c.window_start, c.client.clone())).or_default() += 1;
        *by_key.entry((c.limiter.clone(), c.window_start, Vec::new())).or_default() += 1;
    }
    let mut rows: Vec<_> = by_key.into_iter().collect();
    rows.sort();
    rows
}

/// Each request's count and everyone's in its window, from the rows'
/// totals after the batch: as if the requests had been counted one by one
/// in the order given, so the last of them sees the totals and exactly one
/// request sees any one value of everyone's count.
pub(crate) fn answers(counts: &[RateCount], totals: &HashMap<CountKey, i64>) -> Option<Vec<(i64, i64)>> {
    let mut left = totals.clone();
    let mut out = Vec::with_capacity(counts.len());
    for c in counts.iter().rev() {
        let mine = left.get_mut(&(c.limiter.clone(), c.window_start, c.client.clone()))?;
        let m = *mine;
        *mine -= 1;
        let all = left.get_mut(&(c.limiter.clone(), c.window_start, Vec::new()))?;
        let a = *all;
        *all -= 1;
        out.push((m, a));
    }
    out.reverse();
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(limiter: &str, window_start: i64, client: u8) -> RateCount {
        RateCount { limiter: limiter.into(), window_start, client: vec![client; 16] }
    }

    /// Counting one by one, as a reference for the batch.
    fn one_by_one(start: &HashMap<CountKey, i64>, counts: &[RateCount]) -> Vec<(i64, i64)> {
        let mut rows = start.clone();
        counts
            .iter()
            .map(|c| {
                let m = rows.entry((c.limiter.clone(), c.window_start, c.client.clone())).or_default();
                *m += 1;
                let m = *m;
                let a = rows.entry((c.limiter.clone(), c.window_start, Vec::new())).or_default();
                *a += 1;
                (m, *a)
            })
            .collect()
    }

    #[test]
    fn a_batch_answers_as_requests_counted_one_by_one() {
        let counts = [
            count("public", 60, 1),
            count("public", 60, 2),
            count("public", 60, 1),
            count("login", 60, 1),
            count("public", 120, 1),
        ];
        let mut start = HashMap::new();
        start.insert(("public".to_string(), 60, vec![1u8; 16]), 4);
        start.insert(("public".to_string(), 60, Vec::new()), 10);
        let mut totals = start.clone();
        for (k, n) in increments(&counts) {
            *totals.entry(k).or_default() += n;
        }
        assert_eq!(answers(&counts, &totals).unwrap(), one_by_one(&start, &counts));
        assert_eq!(answers(&counts, &totals).unwrap()[2], (6, 13));
    }

    #[test]
    fn increments_are_ordered_and_add_up() {
        let counts = [count("public", 60, 2), count("public", 60, 1), count("public", 60, 2)];
        let rows = increments(&counts);
        let keys: Vec<_> = rows.iter().map(|(k, _)| k.clone()).collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted);
        assert_eq!(rows[0], (("public".to_string(), 60, Vec::new()), 3), "everyone's row first");
        assert_eq!(rows.iter().map(|(_, n)| n).sum::<i64>(), 6);
    }

    #[test]
    fn a_row_missing_from_the_totals_is_no_answer() {
        assert_eq!(answers(&[count("public", 60, 1)], &HashMap::new()), None);
    }
}
