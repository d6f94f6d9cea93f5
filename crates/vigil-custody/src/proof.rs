//! Inclusion and consistency proofs, generated and verified as in RFC 9162
//! §2.1.3 and §2.1.4.

use crate::merkle::{node_hash, root_of, split_point, Hash};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    #[error("leaf index {index} is outside a tree of size {size}")]
    IndexOutOfRange { index: u64, size: u64 },
    #[error("tree size {first} is larger than tree size {second}")]
    SizesOutOfOrder { first: u64, second: u64 },
    #[error("the proof has the wrong number of hashes")]
    WrongLength,
    #[error("the proof does not lead to the expected root hash")]
    RootMismatch,
}

/// The audit path for leaf `m` in the tree over `leaves`.
pub fn inclusion_proof(leaves: &[Hash], m: usize) -> Result<Vec<Hash>, ProofError> {
    if m >= leaves.len() {
        return Err(ProofError::IndexOutOfRange { index: m as u64, size: leaves.len() as u64 });
    }
    let mut out = Vec::new();
    path(m, leaves, &mut out);
    Ok(out)
}

fn path(m: usize, d: &[Hash], out: &mut Vec<Hash>) {
    let n = d.len();
    if n <= 1 {
        return;
    }
    let k = split_point(n);
    if m < k {
        path(m, &d[..k], out);
        out.push(root_of(&d[k..]));
    } else {
        path(m - k, &d[k..], out);
        out.push(root_of(&d[..k]));
    }
}

/// Proof that the tree of the first `m` leaves is a prefix of the tree over `leaves`.
pub fn consistency_proof(leaves: &[Hash], m: usize) -> Result<Vec<Hash>, ProofError> {
    let n = leaves.len();
    if m > n {
        return Err(ProofError::SizesOutOfOrder { first: m as u64, second: n as u64 });
    }
    let mut out = Vec::new();
    if m > 0 && m < n {
        subproof(m, leaves, true, &mut out);
    }
    Ok(out)
}

fn subproof(m: usize, d: &[Hash], complete: bool, out: &mut Vec<Hash>) {
    let n = d.len();
    if m == n {
        if !complete {
            out.push(root_of(d));
        }
        return;
    }
    let k = split_point(n);
    if m <= k {
        subproof(m, &d[..k], complete, out);
        out.push(root_of(&d[k..]));
    } else {
        subproof(m - k, &d[k..], false, out);
        out.push(root_of(&d[..k]));
    }
}

/// RFC 9162 §2.1.3.2.
pub fn verify_inclusion(index: u64, size: u64, leaf: &Hash, proof: &[Hash], root: &Hash) -> Result<(), ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    let (mut f, mut s) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if s == 0 {
            return Err(ProofError::WrongLength);
        }
        if f & 1 == 1 || f == s {
            r = node_hash(p, &r);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        f >>= 1;
        s >>= 1;
    }
    if s != 0 {
        return Err(ProofError::WrongLength);
    }
    if r != *root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

/// RFC 9162 §2.1.4.2. An empty first tree is consistent with any tree.
pub fn verify_consistency(
    first: u64,
    second: u64,
    first_root: &Hash,
    second_root: &Hash,
    proof: &[Hash],
) -> Result<(), ProofError> {
    if first > second {
        return Err(ProofError::SizesOutOfOrder { first, second });
    }
    if first == second {
        if !proof.is_empty() {
            return Err(ProofError::WrongLength);
        }
        return if first_root == second_root { Ok(()) } else { Err(ProofError::RootMismatch) };
    }
    if first == 0 {
        return if proof.is_empty() { Ok(()) } else { Err(ProofError::WrongLength) };
    }
    if proof.is_empty() {
        return Err(ProofError::WrongLength);
    }
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if first.is_power_of_two() {
        path.push(*first_root);
    }
    path.extend_from_slice(proof);
    let (mut f, mut s) = (first - 1, second - 1);
    while f & 1 == 1 {
        f >>= 1;
        s >>= 1;
    }
    let (mut fr, mut sr) = (path[0], path[0]);
    for c in &path[1..] {
        if s == 0 {
            return Err(ProofError::WrongLength);
        }
        if f & 1 == 1 || f == s {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        f >>= 1;
        s >>= 1;
    }
    if s != 0 {
        return Err(ProofError::WrongLength);
    }
    if fr != *first_root || sr != *second_root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::leaf_hash;

    fn leaves(n: u32) -> Vec<Hash> {
        (0..n).map(|i| leaf_hash(&i.to_le_bytes())).collect()
    }

    #[test]
    fn every_inclusion_proof_verifies_and_a_wrong_leaf_fails() {
        let all = leaves(40);
        for n in 1..=all.len() {
            let d = &all[..n];
            let root = root_of(d);
            for m in 0..n {
                let p = inclusion_proof(d, m).unwrap();
                verify_inclusion(m as u64, n as u64, &d[m], &p, &root).unwrap();
                let other = leaf_hash(b"not in the tree");
                assert!(verify_inclusion(m as u64, n as u64, &other, &p, &root).is_err());
                if n > 1 {
                    assert!(verify_inclusion(((m + 1) % n) as u64, n as u64, &d[m], &p, &root).is_err());
                }
            }
        }
    }

    #[test]
    fn every_consistency_proof_verifies_and_a_forked_tree_fails() {
        let all = leaves(40);
        for n in 1..=all.len() {
            for m in 0..=n {
                let p = consistency_proof(&all[..n], m).unwrap();
                let (r1, r2) = (root_of(&all[..m]), root_of(&all[..n]));
                verify_consistency(m as u64, n as u64, &r1, &r2, &p).unwrap();
                if m > 0 && m < n {
                    // A history where leaf 0 was rewritten must not pass as consistent.
                    let mut forked = all[..m].to_vec();
                    forked[0] = leaf_hash(b"rewritten");
                    let bad = root_of(&forked);
                    assert_eq!(
                        verify_consistency(m as u64, n as u64, &bad, &r2, &p),
                        Err(ProofError::RootMismatch),
                        "m={m} n={n}"
                    );
                }
            }
        }
    }

    // RFC 9162 example tree of 7 leaves (§2.1.5): the audit path for d0 has
    // three nodes and the consistency proof between sizes 3 and 7 has four.
    #[test]
    fn proof_shapes_match_the_rfc_example() {
        let d = leaves(7);
        assert_eq!(inclusion_proof(&d, 0).unwrap().len(), 3);
        assert_eq!(inclusion_proof(&d, 6).unwrap().len(), 2);
        assert_eq!(consistency_proof(&d, 3).unwrap().len(), 4);
        assert_eq!(consistency_proof(&d, 4).unwrap().len(), 1);
        assert_eq!(consistency_proof(&d, 6).unwrap().len(), 3);
    }
}
