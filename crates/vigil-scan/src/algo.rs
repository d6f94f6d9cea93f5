//! The digests a scan computes, chosen by the user, all fed from one read.

use md5::Md5;
use serde::{Deserialize, Serialize};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use vigil_hashset::HashAlgo;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlgoSet {
    pub md5: bool,
    pub sha1: bool,
    pub sha256: bool,
    pub blake3: bool,
}

impl AlgoSet {
    pub const ALL: AlgoSet = AlgoSet { md5: true, sha1: true, sha256: true, blake3: true };

    /// Parses `md5,sha1,sha256,blake3` (any subset, any order).
    pub fn parse(s: &str) -> Result<Self, String> {
        let mut a = AlgoSet { md5: false, sha1: false, sha256: false, blake3: false };
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match part.to_ascii_lowercase().as_str() {
                "md5" => a.md5 = true,
                "sha1" => a.sha1 = true,
                "sha256" => a.sha256 = true,
                "blake3" => a.blake3 = true,
                other => return Err(format!("unknown algorithm {other:?}: choose from md5, sha1, sha256, blake3")),
            }
        }
        if !(a.md5 || a.sha1 || a.sha256 || a.blake3) {
            return Err("no algorithm chosen".into());
        }
        Ok(a)
    }

    pub fn names(&self) -> Vec<&'static str> {
        self.list().into_iter().map(HashAlgo::name).collect()
    }

    pub fn list(&self) -> Vec<HashAlgo> {
        let mut v = Vec::new();
        if self.md5 {
            v.push(HashAlgo::Md5);
        }
        if self.sha1 {
            v.push(HashAlgo::Sha1);
        }
        if self.sha256 {
            v.push(HashAlgo::Sha256);
        }
        if self.blake3 {
            v.push(HashAlgo::Blake3);
        }
        v
    }
}

/// The digests of one file; `None` where the algorithm was not chosen.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Digests {
    #[serde(default, skip_serializing_if = "Option::is_none", with = "hexopt")]
    pub md5: Option<Vec<u8>>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "hexopt")]
    pub sha1: Option<Vec<u8>>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "hexopt")]
    pub sha256: Option<Vec<u8>>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "hexopt")]
    pub blake3: Option<Vec<u8>>,
}

impl Digests {
    pub fn get(&self, a: HashAlgo) -> Option<&[u8]> {
        match a {
            HashAlgo::Md5 => self.md5.as_deref(),
            HashAlgo::Sha1 => self.sha1.as_deref(),
            HashAlgo::Sha256 => self.sha256.as_deref(),
            HashAlgo::Blake3 => self.blake3.as_deref(),
        }
    }
}

mod hexopt {
    use serde::{Deserialize, Deserializer, Serializer};
    pub fn serialize<S: Serializer>(v: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(b) => s.serialize_str(&hex::encode(b)),
            None => s.serialize_none(),
        }
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<u8>>, D::Error> {
        let o: Option<String> = Option::deserialize(d)?;
        o.map(|h| hex::decode(h).map_err(serde::de::Error::custom)).transpose()
    }
}

/// Running hashers for the chosen algorithms only.
pub(crate) struct Hashers {
    md5: Option<Md5>,
    sha1: Option<Sha1>,
    sha256: Option<Sha256>,
    blake3: Option<blake3::Hasher>,
}

impl Hashers {
    pub(crate) fn new(a: &AlgoSet) -> Self {
        Hashers {
            md5: a.md5.then(Md5::new),
            sha1: a.sha1.then(Sha1::new),
            sha256: a.sha256.then(Sha256::new),
            blake3: a.blake3.then(blake3::Hasher::new),
        }
    }

    pub(crate) fn update(&mut self, data: &[u8]) {
        if let Some(h) = &mut self.md5 {
            h.update(data);
        }
        if let Some(h) = &mut self.sha1 {
            h.update(data);
        }
        if let Some(h) = &mut self.sha256 {
            h.update(data);
        }
        if let Some(h) = &mut self.blake3 {
            h.update(data);
        }
    }

    pub(crate) fn finish(self) -> Digests {
        Digests {
            md5: self.md5.map(|h| h.finalize().to_vec()),
            sha1: self.sha1.map(|h| h.finalize().to_vec()),
            sha256: self.sha256.map(|h| h.finalize().to_vec()),
            blake3: self.blake3.map(|h| h.finalize().as_bytes().to_vec()),
        }
    }
}

/// The digests of bytes in memory, by the same hashers a scan runs (the
/// validation pack checks them against published vectors and other tools).
pub fn digest_bytes(algos: &AlgoSet, bytes: &[u8]) -> Digests {
    let mut h = Hashers::new(algos);
    h.update(bytes);
    h.finish()
}
