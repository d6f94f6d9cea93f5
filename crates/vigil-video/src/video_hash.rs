//! vPDQ: PDQ of frames sampled at a fixed interval, as Meta's reference does.

use crate::error::VideoError;
use crate::frame_source::{detect_bars, probe, SampledFrames, StreamInfo};
use serde::Serialize;
use std::path::Path;
use vigil_pdq::{Hash256, PdqHasher};

/// One hashed frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FrameFeature {
    /// The decoded frame's number, from 0.
    pub frame: u64,
    /// Milliseconds from the start: the frame number over the frame rate.
    #[serde(skip)]
    pub millis: u64,
    #[serde(serialize_with = "hex")]
    pub pdq: Hash256,
    pub quality: u32,
}

fn hex<S: serde::Serializer>(h: &Hash256, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&h.to_hex())
}

impl FrameFeature {
    pub fn seconds(&self) -> f64 {
        self.millis as f64 / 1000.0
    }
}

#[derive(Debug, Clone, Copy)]
pub struct HashOptions {
    /// One frame per this many seconds (the reference's default is 1).
    pub seconds_per_hash: f64,
    /// Hash for comparing recordings rather than for vPDQ proper: the
    /// picture inside any black bars (one version may have been
    /// letterboxed), and also centre crops of it (one may have been cut
    /// down), in [`VideoHash::zoomed`].
    pub for_comparison: bool,
}

impl Default for HashOptions {
    fn default() -> Self {
        Self { seconds_per_hash: 1.0, for_comparison: false }
    }
}

/// The centre crops hashed for comparison, as fractions of each side.
pub const ZOOMS: [f64; 2] = [0.9, 0.8];

#[derive(Debug, Clone, PartialEq)]
pub struct VideoHash {
    pub stream: StreamInfo,
    /// The sampling interval in frames: `floor(frame_rate × seconds_per_hash)`, at least 1.
    pub step: u64,
    pub frames: Vec<FrameFeature>,
    /// For comparison only: each frame's centre crops ([`ZOOMS`]), else empty.
    pub zoomed: Vec<[Hash256; 2]>,
}

impl VideoHash {
    /// The time just after the last sampled frame, an estimate of the length.
    pub fn end_seconds(&self) -> f64 {
        self.frames.last().map_or(0.0, |f| f.seconds() + self.step as f64 / self.stream.frame_rate)
    }
}

/// Hashes `file`'s first video stream.
pub fn hash_video(file: &Path, options: HashOptions) -> Result<VideoHash, VideoError> {
    let stream = probe(file)?;
    // The reference truncates, so 29.97 fps samples every 29th frame.
    let step = ((options.seconds_per_hash * stream.frame_rate) as u64).max(1);
    let bars = if options.for_comparison { detect_bars(file, &stream)? } else { None };
    let (w, h) = bars.map_or((stream.width, stream.height), |b| (b.width, b.height));
    let mut source = SampledFrames::open(file, &stream, step, bars)?;
    let mut hasher = PdqHasher::new();
    let mut buf = Vec::new();
    let mut cut = Vec::new();
    let mut frames = Vec::new();
    let mut zoomed = Vec::new();
    let mut n = 0u64;
    while source.next_frame(&mut buf)? {
        let frame = n * step;
        let r = hasher.hash_rgb(&buf, w, h);
        if options.for_comparison {
            let mut z = [Hash256::default(); 2];
            for (out, f) in z.iter_mut().zip(ZOOMS) {
                let (cw, ch) = centre_crop(&buf, w, h, f, &mut cut);
                *out = hasher.hash_rgb(&cut, cw, ch).hash;
            }
            zoomed.push(z);
        }
        // The reference's f32 division, kept to the millisecond.
        let secs = frame as f32 / stream.frame_rate as f32;
        frames.push(FrameFeature {
            frame,
            millis: (secs as f64 * 1000.0).round() as u64,
            pdq: r.hash,
            quality: r.quality,
        });
        n += 1;
    }
    Ok(VideoHash { stream, step, frames, zoomed })
}

/// Copies the centre `fraction` of each side of `rgb` into `out`.
fn centre_crop(rgb: &[u8], width: usize, height: usize, fraction: f64, out: &mut Vec<u8>) -> (usize, usize) {
    let (w, h) = (((width as f64 * fraction) as usize).max(1), ((height as f64 * fraction) as usize).max(1));
    let (x0, y0) = ((width - w) / 2, (height - h) / 2);
    out.clear();
    for y in y0..y0 + h {
        out.extend_from_slice(&rgb[(y * width + x0) * 3..(y * width + x0 + w) * 3]);
    }
    (w, h)
}

#[cfg(test)]
mod tests {
    use super::centre_crop;

    #[test]
    fn a_centre_crop_keeps_the_middle() {
        // 10×10, each pixel's red is its x and green its y.
        let mut rgb = Vec::new();
        for y in 0..10u8 {
            for x in 0..10u8 {
                rgb.extend_from_slice(&[x, y, 0]);
            }
        }
        let mut out = Vec::new();
        assert_eq!(centre_crop(&rgb, 10, 10, 0.8, &mut out), (8, 8));
        assert_eq!(&out[..3], &[1, 1, 0]);
        assert_eq!(&out[out.len() - 3..], &[8, 8, 0]);
    }
}
