//! What a unit of work left in one row of a table the log projects: the
//! row's key and each column's value, each as a short digest, carried in
//! the custody event written with it. `vigil verify` folds every event's
//! images in log order into the tables as the log says they are, and
//! compares them with the database row by row and column by column.
//!
//! Digests, not values: the log is exported and served (a defence expert
//! verifies it offline), so it must carry no one's personal data, password
//! hash or sealed secret; a digest still names the row and column that
//! changed. Twelve bytes of BLAKE3 over the table, the column and the
//! value's canonical text: finding another value with the same digest
//! takes about 2^96 tries.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One row as a unit of work left it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RowImage {
    /// The table.
    pub t: String,
    /// The digest of the row's key (see [`RowImage::key_digest`]).
    pub k: String,
    /// Each column's digest, by column name; empty when the row was deleted.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub c: BTreeMap<String, String>,
    /// The row was deleted.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub gone: bool,
}

fn short(h: blake3::Hash) -> String {
    hex::encode(&h.as_bytes()[..12])
}

impl RowImage {
    /// The digest of a row's key: its key columns' canonical texts, in order.
    pub fn key_digest(table: &str, key_values: &[&str]) -> String {
        let mut h = blake3::Hasher::new();
        h.update(b"vigil row key v1\0");
        h.update(table.as_bytes());
        for v in key_values {
            h.update(b"\0");
            h.update(v.as_bytes());
        }
        short(h.finalize())
    }

    /// The digest of one column's canonical text.
    pub fn column_digest(table: &str, column: &str, value: &str) -> String {
        let mut h = blake3::Hasher::new();
        h.update(b"vigil row column v1\0");
        h.update(table.as_bytes());
        h.update(b"\0");
        h.update(column.as_bytes());
        h.update(b"\0");
        h.update(value.as_bytes());
        short(h.finalize())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_separate_tables_columns_and_values() {
        let a = RowImage::column_digest("users", "role", "\"supervisor\"");
        assert_eq!(a.len(), 24);
        assert_ne!(a, RowImage::column_digest("users", "role", "\"investigator\""));
        assert_ne!(a, RowImage::column_digest("users", "rolex", "\"supervisor\""));
        assert_ne!(a, RowImage::column_digest("cases", "role", "\"supervisor\""));
        assert_ne!(RowImage::key_digest("t", &["ab", "c"]), RowImage::key_digest("t", &["a", "bc"]));
    }

    #[test]
    fn an_image_round_trips_in_one_spelling() {
        let mut c = BTreeMap::new();
        c.insert("role".to_owned(), RowImage::column_digest("users", "role", "1"));
        let img = RowImage { t: "users".into(), k: RowImage::key_digest("users", &["\"x\""]), c, gone: false };
        let json = serde_json::to_string(&img).unwrap();
        assert!(!json.contains("gone"));
        assert_eq!(serde_json::from_str::<RowImage>(&json).unwrap(), img);
    }
}
