//! Matching one video's vPDQ features against another's, as Meta's
//! reference (`vpdq/cpp/hashing/matchTwoHash.cpp`) does it: features below
//! the quality tolerance are dropped on both sides; the query's match
//! percentage is the share of its features within the distance tolerance
//! of any of the target's, and the target's the other way round. Two
//! videos match when both percentages reach the threshold. Also the
//! reference's text format for a video's features, one per line:
//! `frame,quality,hex,seconds`.

use crate::video_hash::FrameFeature;
use vigil_pdq::Hash256;

/// The reference's defaults: strictly under 31 bits apart, quality 50.
pub const VPDQ_DISTANCE: u32 = 31;
pub const VPDQ_QUALITY: u32 = 50;
/// Both sides must reach this percentage for two videos to match.
pub const VPDQ_MATCH_PERCENT: f64 = 80.0;

/// The query's and the target's match percentages.
pub fn match_percent(query: &[FrameFeature], target: &[FrameFeature], distance: u32, quality: u32) -> (f64, f64) {
    let q: Vec<Hash256> = query.iter().filter(|f| f.quality >= quality).map(|f| f.pdq).collect();
    let t: Vec<Hash256> = target.iter().filter(|f| f.quality >= quality).map(|f| f.pdq).collect();
    let share = |a: &[Hash256], b: &[Hash256]| {
        if a.is_empty() {
            return 0.0;
        }
        let n = a.iter().filter(|x| b.iter().any(|y| x.hamming(y) < distance)).count();
        n as f64 * 100.0 / a.len() as f64
    };
    (share(&q, &t), share(&t, &q))
}

/// A line of a features file that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {why}")]
pub struct FeatureLineError {
    pub line: usize,
    pub why: String,
}

/// Reads the reference's features file: `frame,quality,hex,seconds` per line.
pub fn parse_features(text: &str) -> Result<Vec<FrameFeature>, FeatureLineError> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let err = |why: &str| FeatureLineError { line: i + 1, why: why.to_owned() };
        let parts: Vec<&str> = line.split(',').map(str::trim).collect();
        let [frame, quality, hex, seconds] = parts[..] else {
            return Err(err("expected frame,quality,hash,seconds"));
        };
        let frame: u64 = frame.parse().map_err(|_| err("the frame number is not a whole number"))?;
        let quality: u32 = quality.parse().ok().filter(|q| *q <= 100).ok_or_else(|| err("quality must be 0 to 100"))?;
        let pdq = Hash256::from_hex(hex).map_err(|_| err("the hash must be 64 hex digits"))?;
        let secs: f64 = seconds
            .parse()
            .ok()
            .filter(|s: &f64| s.is_finite() && *s >= 0.0)
            .ok_or_else(|| err("seconds must be a time from the start"))?;
        out.push(FrameFeature { frame, millis: (secs * 1000.0).round() as u64, pdq, quality });
    }
    Ok(out)
}

/// Writes features in the reference's format.
pub fn format_features(frames: &[FrameFeature]) -> String {
    frames.iter().map(|f| format!("{},{},{},{:.3}\n", f.frame, f.quality, f.pdq, f.seconds())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(frame: u64, byte: u8, quality: u32) -> FrameFeature {
        FrameFeature { frame, millis: frame * 1000, pdq: Hash256::from_bytes(&[byte; 32]), quality }
    }

    #[test]
    fn percentages_count_each_side_against_the_other() {
        let q = vec![f(0, 0x00, 100), f(1, 0x0f, 100), f(2, 0xff, 100), f(3, 0x01, 10)];
        let t = vec![f(0, 0x00, 100), f(1, 0x01, 100)];
        // 0x00 and 0x01 are 32 bits apart (1 per byte): not a match under 31.
        let (qp, tp) = match_percent(&q, &t, VPDQ_DISTANCE, VPDQ_QUALITY);
        assert_eq!((qp.round(), tp.round()), (33.0, 50.0), "{qp} {tp}");
    }

    #[test]
    fn the_reference_format_round_trips_and_bad_lines_are_named() {
        let frames = vec![f(0, 0xab, 100), f(30, 0x12, 87)];
        let text = format_features(&frames);
        assert_eq!(parse_features(&text).unwrap(), frames);
        let e = parse_features("0,100,e271,0.000\n").unwrap_err();
        assert_eq!(e.line, 1);
        assert!(parse_features("0,100\n").is_err());
        assert!(parse_features(&format!("0,101,{},0.0", "00".repeat(32))).is_err());
    }

    proptest::proptest! {
        #[test]
        fn parse_never_panics(s in ".{0,200}") {
            let _ = parse_features(&s);
        }
    }
}
