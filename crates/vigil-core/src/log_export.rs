//! Exporting the custody log for offline verification, and proofs of
//! inclusion (one event is in the log) and consistency (the log only grew).

use crate::custody_log::from_head_row;
use crate::data_dir::{sync_dir, Vigil};
use crate::error::CoreError;
use serde::Serialize;
use std::fs::{self, OpenOptions};
use std::io::BufWriter;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use vigil_custody::{
    consistency_proof, inclusion_proof, root_of, verify_consistency, verify_inclusion, ExportHeader, ExportWriter,
    SignedTreeHead, EXPORT_FORMAT,
};
use vigil_domain::{ExhibitRef, ObjectRef};

const PAGE: u64 = 20_000;

#[derive(Debug, Clone, Serialize)]
pub struct InclusionProof {
    pub index: u64,
    pub kind: String,
    pub time: String,
    pub actor: String,
    pub leaf_hash: String,
    pub audit_path: Vec<String>,
}

/// Inclusion proofs for every event of one object, against one signed head.
#[derive(Debug, Clone, Serialize)]
pub struct ProofBundle {
    pub object: String,
    pub public_key: String,
    pub tree_head: SignedTreeHead,
    pub proofs: Vec<InclusionProof>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ConsistencyProof {
    pub first_size: u64,
    pub first_root: String,
    /// The signed head for the first size, where one was signed at exactly that size.
    pub first_head: Option<SignedTreeHead>,
    pub second_head: SignedTreeHead,
    pub proof: Vec<String>,
}

impl Vigil {
    /// Writes the whole log, up to the latest signed head, to `out` (which must not exist).
    /// The newest signed tree head, if the log has one.
    pub fn latest_head(&self) -> Result<Option<vigil_custody::SignedTreeHead>, CoreError> {
        Ok(self.store.read()?.latest_head()?.as_ref().map(crate::custody_log::from_head_row))
    }

    pub fn export_log(&self, out: &Path) -> Result<(u64, u64), CoreError> {
        if out.exists() {
            return Err(CoreError::file(out, "already exists; Vigil will not overwrite it"));
        }
        let heads = self.store.read()?.heads()?;
        let Some(last) = heads.last() else {
            return Err(CoreError::Log("the log has no signed head yet".into()));
        };
        let size = last.tree_size;
        let header = ExportHeader {
            format: EXPORT_FORMAT.into(),
            version: 1,
            public_key: hex::encode(self.signing.verifying_key().as_bytes()),
            exported_at: self.now(),
            tree_size: size,
        };
        let tmp = out.with_extension("vigil-part");
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o644)
            .open(&tmp)
            .map_err(|e| CoreError::file(&tmp, e))?;
        let result = (|| -> Result<(u64, u64), CoreError> {
            let io = |e: std::io::Error| CoreError::file(&tmp, e);
            let mut w = ExportWriter::new(BufWriter::with_capacity(1 << 20, file), &header).map_err(io)?;
            let mut hi = heads.iter().peekable();
            let mut pos = 0u64;
            let mut nheads = 0u64;
            while pos < size {
                let page = self.store.read()?.events(pos, PAGE.min(size - pos))?;
                if page.is_empty() {
                    return Err(CoreError::Log(format!("event #{pos} is missing; run `vigil verify`")));
                }
                for e in page {
                    if e.index != pos {
                        return Err(CoreError::Log(format!("event #{pos} is missing; run `vigil verify`")));
                    }
                    w.leaf(&e.leaf).map_err(io)?;
                    pos += 1;
                    while hi.peek().is_some_and(|h| h.tree_size == pos) {
                        w.head(&from_head_row(hi.next().expect("peeked"))).map_err(io)?;
                        nheads += 1;
                    }
                }
            }
            let buf = w.finish().map_err(io)?;
            let f = buf.into_inner().map_err(|e| io(e.into_error()))?;
            f.sync_all().map_err(io)?;
            Ok((pos, nheads))
        })();
        match result {
            Ok(counts) => {
                fs::rename(&tmp, out).map_err(|e| CoreError::file(out, e))?;
                if let Some(dir) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
                    sync_dir(dir)?;
                }
                Ok(counts)
            }
            Err(e) => {
                let _ = fs::remove_file(&tmp);
                Err(e)
            }
        }
    }

    /// Inclusion proofs for every event about an exhibit, against the latest signed head.
    pub fn prove_exhibit(&self, reference: &ExhibitRef) -> Result<ProofBundle, CoreError> {
        self.exhibit(reference)?;
        let object = ObjectRef::exhibit(reference);
        let head =
            self.store.read()?.latest_head()?.ok_or_else(|| CoreError::Log("the log has no signed head yet".into()))?;
        let sth = from_head_row(&head);
        let leaves = self.store.read()?.leaf_hashes(head.tree_size)?;
        if leaves.len() as u64 != head.tree_size || root_of(&leaves) != head.root {
            return Err(CoreError::Log(
                "the stored leaves do not match the latest signed head; run `vigil verify`".into(),
            ));
        }
        let mut proofs = Vec::new();
        for e in self.store.read()?.events_for_object(object.as_str())? {
            if e.index >= head.tree_size {
                continue;
            }
            let path = inclusion_proof(&leaves, e.index as usize).map_err(|e| CoreError::Log(e.to_string()))?;
            // Check before handing it out: a proof Vigil prints must verify.
            verify_inclusion(e.index, head.tree_size, &e.leaf_hash, &path, &head.root)
                .map_err(|er| CoreError::Log(format!("event #{}: {er}", e.index)))?;
            proofs.push(InclusionProof {
                index: e.index,
                kind: e.kind,
                time: vigil_domain::Timestamp::from_unix_millis(e.time_ms).to_string(),
                actor: e.actor,
                leaf_hash: hex::encode(e.leaf_hash),
                audit_path: path.iter().map(hex::encode).collect(),
            });
        }
        Ok(ProofBundle {
            object: object.to_string(),
            public_key: hex::encode(self.signing.verifying_key().as_bytes()),
            tree_head: sth,
            proofs,
        })
    }

    /// A proof that the log at `first` events is a prefix of the log at the latest signed head.
    pub fn prove_consistency(&self, first: u64) -> Result<ConsistencyProof, CoreError> {
        let head =
            self.store.read()?.latest_head()?.ok_or_else(|| CoreError::Log("the log has no signed head yet".into()))?;
        if first > head.tree_size {
            return Err(CoreError::Refused(format!(
                "size {first} is beyond the latest signed head ({})",
                head.tree_size
            )));
        }
        let leaves = self.store.read()?.leaf_hashes(head.tree_size)?;
        let first_root = root_of(&leaves[..first as usize]);
        let proof = consistency_proof(&leaves, first as usize).map_err(|e| CoreError::Log(e.to_string()))?;
        verify_consistency(first, head.tree_size, &first_root, &head.root, &proof)
            .map_err(|e| CoreError::Log(e.to_string()))?;
        let first_head = self.store.read()?.heads()?.iter().find(|h| h.tree_size == first).map(from_head_row);
        Ok(ConsistencyProof {
            first_size: first,
            first_root: hex::encode(first_root),
            first_head,
            second_head: from_head_row(&head),
            proof: proof.iter().map(hex::encode).collect(),
        })
    }
}
