//! Exporters: VICS JSON (version 2.0 shape) and `hash,category` CSV.
//!
//! A Vigil set keeps one table per algorithm, so an exported VICS file has one
//! media item per hash: the MD5 and SHA-1 of the same picture are not linked.

use crate::algo::HashAlgo;
use crate::category::CategoryMap;
use crate::set_file::HashSet;
use std::io::Write;

pub fn export_csv(set: &HashSet, out: &mut impl Write) -> std::io::Result<u64> {
    writeln!(out, "hash,category,algorithm")?;
    let mut n = 0;
    for algo in set.algos().collect::<Vec<_>>() {
        for (d, c) in set.entries(algo) {
            writeln!(out, "{},{},{}", hex::encode(d), c.map_or("unknown", |c| c.as_str()), algo)?;
            n += 1;
        }
    }
    Ok(n)
}

pub fn export_vics(set: &HashSet, map: &CategoryMap, out: &mut impl Write) -> std::io::Result<u64> {
    write!(out, "{{\"@odata.context\":\"http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/CUSTOM/$metadata#Media\",\"value\":[")?;
    let mut n = 0u64;
    for algo in set.algos().collect::<Vec<_>>() {
        for (d, c) in set.entries(algo) {
            let label = c.map_or_else(|| "other".to_string(), |c| map.label_for(c));
            let category: serde_json::Value = label.parse::<i64>().map_or_else(|_| label.clone().into(), Into::into);
            let hexd = hex::encode_upper(d);
            let mut item = serde_json::json!({ "MediaID": n + 1, "Category": category });
            match algo {
                HashAlgo::Md5 => item["MD5"] = hexd.clone().into(),
                HashAlgo::Sha1 => item["SHA1"] = hexd.clone().into(),
                _ => {}
            }
            item["Hashes"] = serde_json::json!([{ "HashName": algo.name().to_uppercase(), "HashValue": hexd }]);
            if n > 0 {
                out.write_all(b",")?;
            }
            serde_json::to_writer(&mut *out, &item)?;
            n += 1;
        }
    }
    out.write_all(b"]}\n")?;
    Ok(n)
}
