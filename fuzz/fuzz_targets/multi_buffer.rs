//! The SIMD lanes against the scalar reference: up to sixteen messages cut
//! from the input (each lane a different length), their whole blocks
//! through the kernel together, the rest lane by lane, then finished; every
//! digest must equal the scalar one.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vigil_scan::multi_buffer::{self, Kernel, MAX_LANES, MD5_INIT, SHA1_INIT};

fn digests(kernel: Kernel, msgs: &[&[u8]]) -> Vec<([u8; 16], [u8; 20])> {
    let blocks = msgs.iter().map(|m| m.len() / 64).min().unwrap_or(0);
    let mut md5 = vec![MD5_INIT; msgs.len()];
    let mut sha1 = vec![SHA1_INIT; msgs.len()];
    multi_buffer::md5_blocks(kernel, &mut md5, msgs, blocks);
    multi_buffer::sha1_blocks(kernel, &mut sha1, msgs, blocks);
    msgs.iter()
        .enumerate()
        .map(|(i, m)| {
            let rest = &m[blocks * 64..];
            let whole = rest.len() / 64;
            multi_buffer::md5_blocks(kernel, &mut md5[i..=i], &[rest], whole);
            multi_buffer::sha1_blocks(kernel, &mut sha1[i..=i], &[rest], whole);
            let tail = &rest[whole * 64..];
            (
                multi_buffer::md5_finish(md5[i], tail, m.len() as u64),
                multi_buffer::sha1_finish(sha1[i], tail, m.len() as u64),
            )
        })
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else { return };
    let lanes = usize::from(first) % MAX_LANES + 1;
    // Lane i starts further in, so every lane has its own length.
    let step = rest.len() / (2 * lanes);
    let msgs: Vec<&[u8]> = (0..lanes).map(|i| &rest[i * step..]).collect();
    assert_eq!(digests(Kernel::detect(), &msgs), digests(Kernel::scalar(), &msgs));
});
