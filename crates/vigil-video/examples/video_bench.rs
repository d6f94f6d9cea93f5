//! The alignment half of `vigil video compare`, timed on two recordings of
//! a given length (default two hours at one hash a second): the original's
//! seconds are distinct pictures, the edited version has cuts, an insertion
//! and one stretch repeated. Prints the time and checks the edits found.
//!
//! usage: video_bench [SECONDS]

use std::time::Instant;
use vigil_pdq::Hash256;
use vigil_video::{compare, CompareOptions, FrameFeature, StreamInfo, VideoHash};

fn scene(id: u64) -> Hash256 {
    let mut x = (id + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let mut b = [0u8; 32];
    for v in b.iter_mut() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        *v = x as u8;
    }
    Hash256::from_bytes(&b)
}

fn video(ids: &[u64]) -> VideoHash {
    let frames = ids
        .iter()
        .enumerate()
        .map(|(t, id)| FrameFeature { frame: t as u64 * 30, millis: t as u64 * 1000, pdq: scene(*id), quality: 100 })
        .collect();
    VideoHash { stream: StreamInfo { width: 1280, height: 720, frame_rate: 30.0 }, step: 30, frames, zoomed: vec![] }
}

fn main() {
    let n: u64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(7200);
    let a: Vec<u64> = (0..n).collect();
    // Cuts at a quarter and at a half, 60 s each; 30 s inserted at three quarters.
    let b: Vec<u64> = (0..n / 4)
        .chain(n / 4 + 60..n / 2)
        .chain(n / 2 + 60..3 * n / 4)
        .chain(1_000_000..1_000_030)
        .chain(3 * n / 4..n)
        .collect();
    let (va, vb) = (video(&a), video(&b));
    let t = Instant::now();
    let c = compare(&va, &vb, CompareOptions::default());
    let secs = t.elapsed().as_secs_f64();
    println!(
        "alignment of {n} s against {} s: {secs:.3} s ({} cut(s), {} insertion(s) found)",
        b.len(),
        c.missing.len(),
        c.inserted.len()
    );
    assert_eq!((c.missing.len(), c.inserted.len()), (2, 1), "{c:?}");
}
