//! Project VIC VICS JSON (1.3 and 2.0) hash-set import.
#![no_main]
use libfuzzer_sys::fuzz_target;
use vigil_fuzz::{file, scratch};

fuzz_target!(|data: &[u8]| {
    let d = scratch();
    let p = file(d.path(), "set.json", data);
    let _ = vigil_hashset::import(&p, vigil_hashset::ImportFormat::Vics, &vigil_fuzz_opts());
});

fn vigil_fuzz_opts() -> vigil_hashset::ImportOptions {
    vigil_hashset::ImportOptions {
        kind: vigil_hashset::SetKind::KnownBad,
        default_category: vigil_hashset::Category::Other,
        category_map: vigil_hashset::CategoryMap::parse("1=A,2=B,3=C").unwrap(),
    }
}
