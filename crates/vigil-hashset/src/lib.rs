//! Known-hash sets: known-bad (with a category A, B, C or other) and
//! known-good (such as NSRL). Each set is one compact file of sorted,
//! fixed-width digests per algorithm, memory-mapped and searched by
//! interpolation (digests are uniformly distributed, so a probe or two finds
//! the spot). Importers stream their input; exporters write VICS JSON and CSV.
//!
//! Digests are compared as bytes, never as hex strings: VICS and NSRL write
//! upper-case hex, hashdeep lower-case.

mod algo;
mod category;
mod error;
mod export;
mod import;
mod set_file;

pub use algo::HashAlgo;
pub use category::{Category, CategoryMap, SetKind};
pub use error::HashSetError;
pub use export::{export_csv, export_vics};
pub use import::{import, ImportFormat, ImportOptions};
pub use set_file::{HashSet, SetBuilder, SetHeader, TableInfo};
