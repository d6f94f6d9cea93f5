//! Video perceptual hashing and comparison.
//!
//! [`hash_video`] produces vPDQ features the way Meta's reference `vpdq`
//! (facebook/ThreatExchange `vpdq/cpp`) does: every decoded frame whose
//! number is a multiple of `floor(frame_rate × seconds_per_hash)` is turned
//! into RGB24 at the stream's own size and hashed with PDQ; its time is the
//! frame number over the frame rate. Decoding is FFmpeg's (the `ffmpeg` and
//! `ffprobe` programs, never linked), so Vigil reads whatever FFmpeg reads.
//!
//! [`compare`] aligns two feature sequences in time order (a global
//! alignment, not set membership, because the same picture can appear twice)
//! and reports the seconds of one recording that the other lacks.

mod alignment;
mod error;
mod frame_source;
mod video_hash;
mod vpdq_match;

pub use alignment::{compare, CompareOptions, Comparison, Span};
pub use error::VideoError;
pub use frame_source::{detect_bars, ffmpeg_available, frame_png, looks_like_video, probe, CropBox, StreamInfo};
pub use video_hash::{hash_video, FrameFeature, HashOptions, VideoHash, ZOOMS};
pub use vpdq_match::{
    format_features, match_percent, parse_features, FeatureLineError, VPDQ_DISTANCE, VPDQ_MATCH_PERCENT, VPDQ_QUALITY,
};
