//! Which seconds of one recording the other lacks, found by aligning the two
//! in time order.
//!
//! Both recordings are first put on a one-second grid (the sample nearest
//! each whole second), so that recordings at different frame rates, whose
//! samples drift apart, line up second for second. Then a global alignment
//! (Needleman–Wunsch) pairs seconds that look alike, keeping order: a
//! picture that appears twice is matched where it belongs, not wherever it
//! first occurs. Unpaired runs in the original are what the edit removed;
//! unpaired runs in the edited version are what it added. Where both change
//! over the same stretch (one scene replaced by another of similar length),
//! the aligner pairs unlike seconds, and a run of such pairs counts as both.

use crate::video_hash::{FrameFeature, VideoHash};
use serde::{Deserialize, Serialize};
use vigil_pdq::Hash256;

/// A stretch of one recording, in seconds from its start.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Span {
    pub start: f64,
    pub end: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// The original's seconds that the edited version does not have.
    pub missing: Vec<Span>,
    /// The edited version's seconds that the original does not have.
    pub inserted: Vec<Span>,
}

#[derive(Debug, Clone, Copy)]
pub struct CompareOptions {
    /// Two seconds match when their PDQ hashes are at most this far apart.
    pub match_distance: u32,
    /// Frames below this quality (near-uniform, such as black or fades)
    /// match only each other: PDQ says nothing about what they show.
    pub min_quality: u32,
    /// Runs shorter than this many seconds are not reported: at one sample
    /// a second, a single unpaired second is as likely a re-encoding's
    /// noise as an edit.
    pub min_run: usize,
}

impl Default for CompareOptions {
    fn default() -> Self {
        Self { match_distance: 48, min_quality: 20, min_run: 2 }
    }
}

/// The index of the sample nearest each whole second from 0 to `end` (exclusive).
fn grid(frames: &[FrameFeature], end: f64) -> Vec<usize> {
    let mut out = Vec::new();
    if frames.is_empty() {
        return out;
    }
    let mut k = 0;
    let mut t = 0usize;
    while (t as f64) < end {
        let target = t as f64 * 1000.0;
        while k + 1 < frames.len()
            && (frames[k + 1].millis as f64 - target).abs() <= (frames[k].millis as f64 - target).abs()
        {
            k += 1;
        }
        out.push(k);
        t += 1;
    }
    out
}

/// One second of a recording as the aligner sees it.
struct Second {
    pdq: Hash256,
    quality: u32,
    zoomed: Option<[Hash256; 2]>,
}

fn seconds(v: &VideoHash) -> Vec<Second> {
    grid(&v.frames, v.end_seconds())
        .into_iter()
        .map(|k| Second { pdq: v.frames[k].pdq, quality: v.frames[k].quality, zoomed: v.zoomed.get(k).copied() })
        .collect()
}

#[derive(Clone, Copy, PartialEq)]
enum Step {
    Pair,
    SkipA,
    SkipB,
}

const MATCH: f32 = 2.0;
const MISMATCH: f32 = -1.5;
const GAP: f32 = -1.0;

/// Compares `original` with `edited`. Where either was hashed for
/// comparison, a centre crop of one that matches the other whole counts as
/// a match, so a cropped re-post still lines up with its source.
pub fn compare(original: &VideoHash, edited: &VideoHash, options: CompareOptions) -> Comparison {
    let (original_end, edited_end) = (original.end_seconds(), edited.end_seconds());
    let a = seconds(original);
    let b = seconds(edited);
    let like = |x: &Second, y: &Second| {
        let (xl, yl) = (x.quality < options.min_quality, y.quality < options.min_quality);
        if xl || yl {
            return (xl && yl).then_some(0);
        }
        let mut d = x.pdq.hamming(&y.pdq);
        for z in x.zoomed.iter().flatten() {
            d = d.min(z.hamming(&y.pdq));
        }
        for z in y.zoomed.iter().flatten() {
            d = d.min(x.pdq.hamming(z));
        }
        (d <= options.match_distance).then_some(d)
    };
    // Closer pictures score higher, so that in a slowly changing scene the
    // aligner pairs each second with its own counterpart, not a neighbour
    // that merely looks alike.
    let score = |d: Option<u32>| match d {
        Some(d) => MATCH * (1.0 - d as f32 / (options.match_distance + 1) as f32),
        None => MISMATCH,
    };
    let (n, m) = (a.len(), b.len());
    // Scores two rows at a time; the choices for the whole table, one byte each.
    let mut prev: Vec<f32> = (0..=m).map(|j| j as f32 * GAP).collect();
    let mut cur = vec![0.0f32; m + 1];
    let mut steps = vec![Step::Pair; (n + 1) * (m + 1)];
    for s in steps.iter_mut().take(m + 1).skip(1) {
        *s = Step::SkipB;
    }
    for i in 1..=n {
        cur[0] = i as f32 * GAP;
        steps[i * (m + 1)] = Step::SkipA;
        for j in 1..=m {
            let pair = prev[j - 1] + score(like(&a[i - 1], &b[j - 1]));
            let skip_a = prev[j] + GAP;
            let skip_b = cur[j - 1] + GAP;
            let (score, step) = if pair >= skip_a && pair >= skip_b {
                (pair, Step::Pair)
            } else if skip_a >= skip_b {
                (skip_a, Step::SkipA)
            } else {
                (skip_b, Step::SkipB)
            };
            cur[j] = score;
            steps[i * (m + 1) + j] = step;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    // Walk back: mark each second of either side as paired-alike or not.
    let mut a_kept = vec![false; n];
    let mut b_kept = vec![false; m];
    let (mut i, mut j) = (n, m);
    while i > 0 || j > 0 {
        match steps[i * (m + 1) + j] {
            Step::Pair if i > 0 && j > 0 => {
                let alike = like(&a[i - 1], &b[j - 1]).is_some();
                a_kept[i - 1] = alike;
                b_kept[j - 1] = alike;
                i -= 1;
                j -= 1;
            }
            Step::SkipA | Step::Pair if i > 0 => i -= 1,
            _ => j -= 1,
        }
    }
    Comparison {
        missing: runs(&a_kept, original_end, options.min_run),
        inserted: runs(&b_kept, edited_end, options.min_run),
    }
}

/// The runs of unkept seconds at least `min_run` long, as spans whose edges
/// lie halfway between the last kept and first unkept samples.
fn runs(kept: &[bool], end: f64, min_run: usize) -> Vec<Span> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < kept.len() {
        if kept[i] {
            i += 1;
            continue;
        }
        let start = i;
        while i < kept.len() && !kept[i] {
            i += 1;
        }
        if i - start >= min_run.max(1) {
            let s = if start == 0 { 0.0 } else { start as f64 - 0.5 };
            let e = if i == kept.len() { end } else { i as f64 - 0.5 };
            out.push(Span { start: tenth(s), end: tenth(e.min(end)) });
        }
    }
    out
}

fn tenth(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame_source::StreamInfo;

    fn hashed(frames: Vec<FrameFeature>) -> VideoHash {
        VideoHash { stream: StreamInfo { width: 64, height: 64, frame_rate: 30.0 }, step: 30, frames, zoomed: vec![] }
    }

    /// A recording whose second `t` shows "scene" `ids[t]`: scenes are
    /// random hashes, far apart; the same id is the same picture.
    fn video(ids: &[u32]) -> Vec<FrameFeature> {
        ids.iter()
            .enumerate()
            .map(|(t, id)| {
                let mut bytes = [0u8; 32];
                let mut x = (*id as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
                for b in bytes.iter_mut() {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    *b = x as u8;
                }
                FrameFeature {
                    frame: t as u64 * 30,
                    millis: t as u64 * 1000,
                    pdq: Hash256::from_bytes(&bytes),
                    quality: 100,
                }
            })
            .collect()
    }

    fn cmp(a: &[u32], b: &[u32]) -> Comparison {
        compare(&hashed(video(a)), &hashed(video(b)), CompareOptions::default())
    }

    #[test]
    fn the_same_recording_has_no_edits() {
        let a: Vec<u32> = (0..60).collect();
        assert_eq!(cmp(&a, &a), Comparison { missing: vec![], inserted: vec![] });
    }

    #[test]
    fn a_cut_is_missing_and_an_insertion_is_inserted() {
        let a: Vec<u32> = (0..60).collect();
        let mut b: Vec<u32> = (0..20).chain(30..60).collect();
        let c = cmp(&a, &b);
        assert_eq!(c.missing, vec![Span { start: 19.5, end: 29.5 }]);
        assert!(c.inserted.is_empty());
        b = (0..40).chain(100..105).chain(40..60).collect();
        let c = cmp(&a, &b);
        assert!(c.missing.is_empty());
        assert_eq!(c.inserted, vec![Span { start: 39.5, end: 44.5 }]);
    }

    #[test]
    fn a_repeated_scene_is_aligned_in_order_not_matched_anywhere() {
        // The original shows scene block X twice; the edit keeps only the
        // first. Set membership would find nothing missing.
        let x: Vec<u32> = (0..10).collect();
        let a: Vec<u32> = x.iter().copied().chain(50..60).chain(x.iter().copied()).chain(60..70).collect();
        let b: Vec<u32> = x.iter().copied().chain(50..60).chain(60..70).collect();
        let c = cmp(&a, &b);
        assert_eq!(c.missing.len(), 1, "{c:?}");
        assert!(c.missing[0].start >= 19.0 && c.missing[0].end <= 30.5, "{c:?}");
        assert!(c.inserted.is_empty());
    }

    #[test]
    fn a_replaced_scene_is_both_missing_and_inserted() {
        let a: Vec<u32> = (0..40).collect();
        let b: Vec<u32> = (0..10).chain(200..210).chain(20..40).collect();
        let c = cmp(&a, &b);
        assert_eq!(c.missing, vec![Span { start: 9.5, end: 19.5 }]);
        assert_eq!(c.inserted, vec![Span { start: 9.5, end: 19.5 }]);
    }

    #[test]
    fn trimmed_ends_are_missing() {
        let a: Vec<u32> = (0..30).collect();
        let b: Vec<u32> = (5..25).collect();
        let c = cmp(&a, &b);
        assert_eq!(c.missing, vec![Span { start: 0.0, end: 4.5 }, Span { start: 24.5, end: 30.0 }]);
    }

    #[test]
    fn a_different_frame_rate_is_no_edit() {
        // Samples every 0.9676 s (29.97 fps, every 29th frame) against every 1 s.
        let a: Vec<u32> = (0..120).collect();
        let drift: Vec<FrameFeature> = (0..124)
            .filter(|k| (*k as f64 * 29.0 / 29.97) < 119.5)
            .map(|k| {
                let ms = (k as f64 * 29.0 / 29.97 * 1000.0) as u64;
                FrameFeature { millis: ms, frame: k * 29, ..video(&[((ms + 500) / 1000) as u32])[0] }
            })
            .collect();
        let c = compare(&hashed(video(&a)), &hashed(drift), CompareOptions::default());
        assert_eq!(c, Comparison { missing: vec![], inserted: vec![] });
    }

    proptest::proptest! {
        #[test]
        fn one_cut_anywhere_is_found_within_a_second(len in 10usize..80, at in 0usize..80, cut in 2usize..20) {
            let at = at % len;
            let a: Vec<u32> = (0..len as u32).collect();
            let b: Vec<u32> = a.iter().copied().enumerate().filter(|(i, _)| *i < at || *i >= at + cut).map(|(_, x)| x).collect();
            let c = cmp(&a, &b);
            let removed = cut.min(len - at);
            if removed >= 2 {
                proptest::prop_assert_eq!(c.missing.len(), 1, "{:?}", c);
                proptest::prop_assert!((c.missing[0].start - at as f64).abs() <= 1.0);
                proptest::prop_assert!((c.missing[0].end - (at + removed) as f64).abs() <= 1.0);
            }
            proptest::prop_assert!(c.inserted.is_empty());
        }
    }
}
