//! The right edge of a Merkle tree: one perfect-subtree hash per set bit of
//! the tree size. Appending and computing the root both take O(log n), so the
//! log never re-reads old leaves to grow.

use crate::merkle::{empty_root, node_hash, Hash};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Frontier {
    size: u64,
    /// Subtree roots from the largest (leftmost) to the smallest.
    nodes: Vec<Hash>,
}

impl Frontier {
    pub fn new() -> Self {
        Frontier::default()
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    pub fn push(&mut self, leaf: Hash) {
        let mut h = leaf;
        let mut s = self.size;
        // Each trailing one bit is a completed subtree of equal size to merge with.
        while s & 1 == 1 {
            let left = self.nodes.pop().expect("a set bit always has a node");
            h = node_hash(&left, &h);
            s >>= 1;
        }
        self.nodes.push(h);
        self.size += 1;
    }

    pub fn root(&self) -> Hash {
        let mut it = self.nodes.iter().rev();
        let Some(last) = it.next() else { return empty_root() };
        it.fold(*last, |acc, left| node_hash(left, &acc))
    }

    /// `size` as 8 bytes big-endian, then the nodes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(8 + 32 * self.nodes.len());
        out.extend_from_slice(&self.size.to_be_bytes());
        for n in &self.nodes {
            out.extend_from_slice(n);
        }
        out
    }

    pub fn from_bytes(b: &[u8]) -> Option<Self> {
        if b.len() < 8 || !(b.len() - 8).is_multiple_of(32) {
            return None;
        }
        let size = u64::from_be_bytes(b[..8].try_into().ok()?);
        let nodes: Vec<Hash> = b[8..].chunks_exact(32).map(|c| c.try_into().expect("32")).collect();
        if nodes.len() != size.count_ones() as usize {
            return None;
        }
        Some(Frontier { size, nodes })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::{leaf_hash, root_of};

    #[test]
    fn root_matches_recursive_definition_for_every_size() {
        let leaves: Vec<Hash> = (0..70u32).map(|i| leaf_hash(&i.to_be_bytes())).collect();
        let mut f = Frontier::new();
        assert_eq!(f.root(), root_of(&[]));
        for (i, l) in leaves.iter().enumerate() {
            f.push(*l);
            assert_eq!(f.root(), root_of(&leaves[..=i]), "size {}", i + 1);
            assert_eq!(Frontier::from_bytes(&f.to_bytes()).unwrap(), f);
        }
    }

    #[test]
    fn rejects_malformed_bytes() {
        assert!(Frontier::from_bytes(&[0; 7]).is_none());
        let mut b = 3u64.to_be_bytes().to_vec();
        b.extend_from_slice(&[0; 32]);
        assert!(Frontier::from_bytes(&b).is_none(), "size 3 needs two nodes");
    }
}
