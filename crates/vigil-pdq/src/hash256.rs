//! A 256-bit PDQ hash: sixteen 16-bit words, word `i` holding bits
//! `16i..16i+15`. Hex is written word 15 first, so the first hex digit holds
//! bits 255–252, as ThreatExchange writes it.

use std::fmt;

#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Hash256(pub [u16; 16]);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a PDQ hash is 64 hex digits, got {0:?}")]
pub struct HashParseError(pub String);

impl Hash256 {
    pub fn set_bit(&mut self, k: usize) {
        self.0[k / 16] |= 1 << (k % 16);
    }

    pub fn bit(&self, k: usize) -> bool {
        self.0[k / 16] >> (k % 16) & 1 == 1
    }

    pub fn hamming(&self, other: &Hash256) -> u32 {
        self.0.iter().zip(other.0.iter()).map(|(a, b)| (a ^ b).count_ones()).sum()
    }

    pub fn to_hex(&self) -> String {
        self.0.iter().rev().map(|w| format!("{w:04x}")).collect()
    }

    pub fn from_hex(s: &str) -> Result<Self, HashParseError> {
        let t = s.trim();
        if t.len() != 64 || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(HashParseError(s.chars().take(80).collect()));
        }
        let mut w = [0u16; 16];
        for (i, chunk) in t.as_bytes().chunks(4).enumerate() {
            let text = std::str::from_utf8(chunk).expect("ASCII");
            w[15 - i] = u16::from_str_radix(text, 16).map_err(|_| HashParseError(s.into()))?;
        }
        Ok(Hash256(w))
    }

    /// The inverse of [`to_bytes`](Self::to_bytes).
    pub fn from_bytes(b: &[u8; 32]) -> Self {
        let mut w = [0u16; 16];
        for (i, pair) in b.chunks_exact(2).enumerate() {
            w[15 - i] = u16::from_be_bytes([pair[0], pair[1]]);
        }
        Hash256(w)
    }

    /// The 32 bytes with bit 255 first (the hex digits as bytes).
    pub fn to_bytes(&self) -> [u8; 32] {
        let mut out = [0u8; 32];
        for (i, w) in self.0.iter().rev().enumerate() {
            out[2 * i..2 * i + 2].copy_from_slice(&w.to_be_bytes());
        }
        out
    }
}

impl fmt::Display for Hash256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Hash256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash256({})", self.to_hex())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_is_bit_255_first() {
        let mut h = Hash256::default();
        h.set_bit(255);
        assert!(h.to_hex().starts_with('8'));
        let mut l = Hash256::default();
        l.set_bit(0);
        assert!(l.to_hex().ends_with('1'));
        let s = "2d6b1af3a956c529e79ca3d2526fa834d4196c81cedd04de0a26b855fc99b724";
        assert_eq!(Hash256::from_hex(s).unwrap().to_hex(), s);
        assert_eq!(hex::encode(Hash256::from_hex(s).unwrap().to_bytes()), s);
        assert_eq!(h.hamming(&l), 2);
        assert!(Hash256::from_hex("xyz").is_err());
    }
}
