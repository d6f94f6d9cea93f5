//! Line-based hash lists: hashdeep, md5sum/sha1sum/sha256sum output and
//! `hash,category` CSV. The first byte picks the format.
#![no_main]
use libfuzzer_sys::fuzz_target;
use vigil_fuzz::{file, scratch};
use vigil_hashset::ImportFormat;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let format = match pick % 3 {
        0 => ImportFormat::Hashdeep,
        1 => ImportFormat::Sums,
        _ => ImportFormat::Csv,
    };
    let d = scratch();
    let p = file(d.path(), "list.txt", rest);
    let opts = vigil_hashset::ImportOptions {
        kind: vigil_hashset::SetKind::KnownBad,
        default_category: vigil_hashset::Category::Other,
        category_map: vigil_hashset::CategoryMap::parse("1=A,2=B,3=C").unwrap(),
    };
    let _ = vigil_hashset::import(&p, format, &opts);
});
