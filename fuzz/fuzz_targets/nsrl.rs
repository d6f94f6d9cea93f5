//! NSRL RDS v3 import: an untrusted SQLite database file.
#![no_main]
use libfuzzer_sys::fuzz_target;
use vigil_fuzz::{file, scratch};

fuzz_target!(|data: &[u8]| {
    let d = scratch();
    let p = file(d.path(), "rds.db", data);
    let opts = vigil_hashset::ImportOptions {
        kind: vigil_hashset::SetKind::KnownGood,
        default_category: vigil_hashset::Category::Good,
        category_map: vigil_hashset::CategoryMap::parse("").unwrap(),
    };
    let _ = vigil_hashset::import(&p, vigil_hashset::ImportFormat::Nsrl, &opts);
});
