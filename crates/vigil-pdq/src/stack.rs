//! Stacks of near-duplicate images, so that one review decision can cover
//! a stack without covering an image far from what the reviewer saw.
//!
//! The rule: every member is within `radius` of its stack's representative
//! (any of the member's 8 dihedral hashes counts, so rotations and mirrors
//! join their original); no two representatives are within `radius` of
//! each other; images below `min_quality` are never stacked. Exact
//! duplicates (the same content digest) are one item before stacking, and
//! are the caller's to group.
//!
//! Greedy, best quality first: an image joins the nearest representative
//! within the radius, or becomes one. Representatives are found through a
//! multi-index over the hash's sixteen 16-bit words, filled as they are
//! chosen: two hashes within 31 bits agree within 1 bit on at least one
//! word (pigeonhole), so probing each word and its 16 one-bit neighbours
//! finds every candidate, which is then checked exactly.

use crate::hash256::Hash256;

/// One image to stack.
#[derive(Debug, Clone)]
pub struct StackInput {
    /// The 8 dihedral hashes, the original first.
    pub dihedral: [Hash256; 8],
    pub quality: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stack {
    /// Index of the representative in the input.
    pub representative: usize,
    /// Members other than the representative, with their distance to it.
    pub members: Vec<(usize, u32)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Stacks {
    /// Stacks of two or more images, largest first.
    pub stacks: Vec<Stack>,
    /// Images on their own: below the quality floor, or near nothing.
    pub unstacked: Vec<usize>,
}

/// The default radius: PDQ's usual match threshold.
pub const STACK_RADIUS: u32 = 31;
/// Below this quality an image's hash says too little to stack it.
pub const STACK_MIN_QUALITY: u32 = 50;

struct RepIndex {
    /// Per word position, the first representative with each word value
    /// (`NONE` if none); `next` chains the others with the same value.
    heads: Vec<u32>,
    next: Vec<[u32; 16]>,
    hashes: Vec<Hash256>,
    /// One-bit neighbours are probed for radii of 16 to 31; a wider radius
    /// is scanned flat.
    flips: u32,
}

const NONE: u32 = u32::MAX;

impl RepIndex {
    fn new(radius: u32) -> Self {
        Self { heads: vec![NONE; 16 << 16], next: Vec::new(), hashes: Vec::new(), flips: radius / 16 }
    }

    fn add(&mut self, h: Hash256) -> u32 {
        let id = self.hashes.len() as u32;
        let mut links = [NONE; 16];
        for (pos, w) in h.0.iter().enumerate() {
            let head = &mut self.heads[(pos << 16) | *w as usize];
            links[pos] = *head;
            *head = id;
        }
        self.next.push(links);
        self.hashes.push(h);
        id
    }

    /// The nearest representative within `radius` of any of `queries`.
    /// Each candidate is measured against the query whose probe found it:
    /// if another of the queries is nearer it, that query's own probes find
    /// it too. `seen` holds, per representative, the last probe that
    /// measured it (`stamp` numbers this query's eight), so none is
    /// measured twice for one query.
    fn nearest(&self, queries: &[Hash256; 8], radius: u32, seen: &mut Vec<u32>, stamp: u32) -> Option<(u32, u32)> {
        let mut best: Option<(u32, u32)> = None;
        seen.resize(self.hashes.len(), u32::MAX);
        let mut consider = |id: u32, q: &Hash256, mark: u32, seen: &mut Vec<u32>| {
            if seen[id as usize] == mark {
                return;
            }
            seen[id as usize] = mark;
            let d = q.hamming(&self.hashes[id as usize]);
            if d <= radius && best.is_none_or(|(bid, bd)| d < bd || (d == bd && id < bid)) {
                best = Some((id, d));
            }
        };
        for (k, q) in queries.iter().enumerate() {
            let mark = stamp.wrapping_mul(8).wrapping_add(k as u32);
            // A flat scan while there are few representatives, or for a wide radius.
            if self.hashes.len() < 256 || self.flips > 1 {
                for id in 0..self.hashes.len() as u32 {
                    consider(id, q, mark, seen);
                }
                continue;
            }
            for (pos, w) in q.0.iter().enumerate() {
                let probes = if self.flips == 1 { 17 } else { 1 };
                for p in 0..probes {
                    let v = if p == 0 { *w } else { w ^ (1 << (p - 1)) };
                    let mut id = self.heads[(pos << 16) | v as usize];
                    while id != NONE {
                        consider(id, q, mark, seen);
                        id = self.next[id as usize][pos];
                    }
                }
            }
        }
        best
    }
}

/// Stacks `items` under the rule above.
pub fn stack(items: &[StackInput], radius: u32, min_quality: u32) -> Stacks {
    let mut order: Vec<usize> = (0..items.len()).collect();
    // Best quality first, so representatives are the clearest pictures;
    // ties by input order, so the result does not depend on sorting.
    order.sort_by(|&a, &b| items[b].quality.cmp(&items[a].quality).then(a.cmp(&b)));
    let mut index = RepIndex::new(radius);
    let mut reps: Vec<Stack> = Vec::new();
    let mut unstacked = Vec::new();
    let mut seen = Vec::new();
    for (q, i) in order.into_iter().enumerate() {
        let it = &items[i];
        if it.quality < min_quality {
            unstacked.push(i);
            continue;
        }
        match index.nearest(&it.dihedral, radius, &mut seen, q as u32) {
            Some((rep, d)) => reps[rep as usize].members.push((i, d)),
            None => {
                index.add(it.dihedral[0]);
                reps.push(Stack { representative: i, members: Vec::new() });
            }
        }
    }
    let (mut stacks, alone): (Vec<Stack>, Vec<Stack>) = reps.into_iter().partition(|s| !s.members.is_empty());
    unstacked.extend(alone.into_iter().map(|s| s.representative));
    unstacked.sort_unstable();
    stacks.sort_by(|a, b| b.members.len().cmp(&a.members.len()).then(a.representative.cmp(&b.representative)));
    Stacks { stacks, unstacked }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdq::dihedral_from_luma;
    use crate::synthetic::random_hash;

    fn flip(mut h: Hash256, bits: &[usize]) -> Hash256 {
        for &b in bits {
            h.0[b / 16] ^= 1 << (b % 16);
        }
        h
    }

    fn item(h: Hash256, quality: u32) -> StackInput {
        StackInput { dihedral: [h; 8], quality }
    }

    fn check_rule(items: &[StackInput], s: &Stacks, radius: u32) {
        let d = |a: usize, b: usize| items[a].dihedral.iter().map(|x| x.hamming(&items[b].dihedral[0])).min().unwrap();
        for st in &s.stacks {
            for (m, dist) in &st.members {
                assert!(*dist <= radius && d(*m, st.representative) == *dist);
            }
        }
        let reps: Vec<usize> = s.stacks.iter().map(|s| s.representative).collect();
        for (k, a) in reps.iter().enumerate() {
            for b in &reps[k + 1..] {
                assert!(items[*a].dihedral[0].hamming(&items[*b].dihedral[0]) > radius);
            }
        }
    }

    #[test]
    fn near_copies_stack_and_low_quality_and_far_images_do_not() {
        let a = random_hash(1);
        let b = random_hash(2);
        let items = vec![
            item(a, 100),
            item(flip(a, &[0, 17, 40, 99, 200]), 90),
            item(flip(a, &(0..40).collect::<Vec<_>>()), 90), // 40 bits away: its own
            item(b, 80),
            item(flip(b, &[3]), 30), // too low in quality to stack
            item(random_hash(3), 100),
        ];
        let s = stack(&items, STACK_RADIUS, STACK_MIN_QUALITY);
        assert_eq!(s.stacks, vec![Stack { representative: 0, members: vec![(1, 5)] }]);
        assert_eq!(s.unstacked, vec![2, 3, 4, 5]);
        check_rule(&items, &s, STACK_RADIUS);
    }

    #[test]
    fn a_rotated_copy_joins_its_original_through_the_dihedral_hashes() {
        // A synthetic 64×48 picture and the same turned a quarter.
        let (w, h) = (64usize, 48usize);
        let px = |x: usize, y: usize| ((x * 7 + y * 3) % 50) as f32 * 4.0 + if x > 40 && y < 20 { 60.0 } else { 0.0 };
        let mut img: Vec<f32> = (0..h).flat_map(|y| (0..w).map(move |x| px(x, y))).collect();
        let mut rot: Vec<f32> = Vec::with_capacity(w * h);
        for x in 0..w {
            for y in (0..h).rev() {
                rot.push(px(x, y));
            }
        }
        let d1 = dihedral_from_luma(&mut img, h, w);
        let d2 = dihedral_from_luma(&mut rot, w, h);
        let items =
            vec![StackInput { dihedral: d1.hashes, quality: 100 }, StackInput { dihedral: d2.hashes, quality: 99 }];
        assert!(d1.hashes[0].hamming(&d2.hashes[0]) > STACK_RADIUS, "the rotation alone is far");
        let s = stack(&items, STACK_RADIUS, 0);
        assert_eq!(s.stacks.len(), 1, "{s:?}");
        assert_eq!(s.stacks[0].representative, 0);
    }

    #[test]
    fn the_index_finds_what_a_flat_scan_finds() {
        // Enough distinct images for the multi-index, with planted near copies.
        let mut items = Vec::new();
        for k in 0..2000u64 {
            let base = random_hash(k + 10);
            items.push(item(base, 100));
            if k % 3 == 0 {
                let bits: Vec<usize> = (0..(k as usize % 32)).map(|i| (i * 37 + k as usize) % 256).collect();
                items.push(item(flip(base, &bits), 70));
            }
        }
        let s = stack(&items, STACK_RADIUS, STACK_MIN_QUALITY);
        check_rule(&items, &s, STACK_RADIUS);
        // Every planted copy within the radius of its base is stacked.
        let stacked: usize = s.stacks.iter().map(|s| s.members.len()).sum();
        let planted = (0..2000).filter(|k| k % 3 == 0).filter(|k| {
            let n = *k as usize % 32;
            let bits: std::collections::BTreeSet<usize> = (0..n).map(|i| (i * 37 + *k as usize) % 256).collect();
            bits.len() <= 31
        });
        assert_eq!(stacked, planted.count());
    }
}
