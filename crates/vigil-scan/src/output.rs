//! Report formats: DFXML, hashdeep, CSV and JSON. All are deterministic (no
//! timestamps or timings), so a resumed scan writes the same bytes as an
//! uninterrupted one.

use crate::algo::AlgoSet;
use crate::escape::escape_path;
use crate::record::{FileRecord, MatchResult, ScanSummary};
use std::io::{self, Write};
use std::path::PathBuf;
use vigil_hashset::HashAlgo;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Dfxml,
    Hashdeep,
    Csv,
    Json,
}

impl OutputFormat {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "dfxml" => Some(OutputFormat::Dfxml),
            "hashdeep" => Some(OutputFormat::Hashdeep),
            "csv" => Some(OutputFormat::Csv),
            "json" => Some(OutputFormat::Json),
            _ => None,
        }
    }
}

pub struct Report<'a> {
    pub sources: &'a [PathBuf],
    pub algos: AlgoSet,
    pub records: &'a [FileRecord],
    pub matches: &'a [Vec<MatchResult>],
    pub summary: &'a ScanSummary,
}

pub fn write_report(format: OutputFormat, r: &Report<'_>, out: &mut impl Write) -> io::Result<()> {
    match format {
        OutputFormat::Hashdeep => hashdeep(r, out),
        OutputFormat::Csv => csv(r, out),
        OutputFormat::Json => json(r, out),
        OutputFormat::Dfxml => dfxml(r, out),
    }
}

fn hex_or_empty(d: Option<&[u8]>) -> String {
    d.map(lower_hex).unwrap_or_default()
}

/// Lower-case hex through `hex::encode_to_slice`: a report writes three
/// digests for every file, and `hex::encode`'s char iterator was a tenth of
/// a tiny-file scan.
fn lower_hex(d: &[u8]) -> String {
    let mut out = vec![0u8; d.len() * 2];
    hex::encode_to_slice(d, &mut out).expect("the buffer is twice the digest");
    String::from_utf8(out).expect("hex digits are ASCII")
}

fn hashdeep(r: &Report<'_>, out: &mut impl Write) -> io::Result<()> {
    let algos: Vec<HashAlgo> = r.algos.list().into_iter().filter(|a| *a != HashAlgo::Blake3).collect();
    if algos.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "the hashdeep format needs md5, sha1 or sha256 among --algos",
        ));
    }
    let names: Vec<&str> = algos.iter().map(|a| a.name()).collect();
    writeln!(out, "%%%% HASHDEEP-1.0")?;
    writeln!(out, "%%%% size,{},filename", names.join(","))?;
    // hashdeep audits by absolute path, so relative paths are resolved
    // against the directory the scan ran from, as hashdeep itself does.
    let cwd = std::env::current_dir().unwrap_or_default();
    writeln!(out, "## Invoked from: {}", escape_path(cwd.as_os_str().as_encoded_bytes()))?;
    let srcs: Vec<String> = r.sources.iter().map(|s| escape_path(s.as_os_str().as_encoded_bytes())).collect();
    writeln!(out, "## $ vigil scan {}", srcs.join(" "))?;
    writeln!(out, "## made by {}", vigil_build::BUILD)?;
    writeln!(out, "##")?;
    for rec in r.records {
        if let Some(err) = &rec.error {
            writeln!(out, "## unhashable: {}: {}", escape_path(&rec.path), err.replace(['\n', '\r'], " "))?;
            continue;
        }
        write!(out, "{}", rec.size)?;
        for a in &algos {
            write!(out, ",{}", hex_or_empty(rec.digests.get(*a)))?;
        }
        out.write_all(b",")?;
        let path: Vec<u8> = if rec.path.first() == Some(&b'/') {
            rec.path.clone()
        } else {
            let mut p = cwd.as_os_str().as_encoded_bytes().to_vec();
            p.push(b'/');
            p.extend_from_slice(&rec.path);
            p
        };
        if path.contains(&b'\n') || path.contains(&b'\r') {
            writeln!(out, "{}", escape_path(&path))?;
            writeln!(out, "## the name above holds a line break, written escaped (hashdeep's format cannot carry it)")?;
        } else {
            out.write_all(&path)?;
            out.write_all(b"\n")?;
        }
    }
    Ok(())
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

fn csv(r: &Report<'_>, out: &mut impl Write) -> io::Result<()> {
    let algos = r.algos.list();
    let names: Vec<&str> = algos.iter().map(|a| a.name()).collect();
    writeln!(out, "path,size,{},archive_member,error,pdq,pdq_quality,matches", names.join(","))?;
    for (rec, m) in r.records.iter().zip(r.matches) {
        let (pdq, pdq_q) = match &rec.pdq {
            Some(p) => {
                (p.hash.clone().unwrap_or_default(), p.hash.as_ref().map(|_| p.quality.to_string()).unwrap_or_default())
            }
            None => (String::new(), String::new()),
        };
        let digests: Vec<String> = algos.iter().map(|a| hex_or_empty(rec.digests.get(*a))).collect();
        let matches: Vec<String> = m
            .iter()
            .map(|x| match x.pdq_distance {
                Some(d) => format!("{}:{}:pdq{d}", x.set, x.category),
                None => format!("{}:{}", x.set, x.category),
            })
            .collect();
        let err = rec.error.clone().or_else(|| rec.pdq.as_ref().and_then(|p| p.error.clone())).unwrap_or_default();
        writeln!(
            out,
            "{},{},{},{},{},{},{},{}",
            csv_field(&escape_path(&rec.path)),
            rec.size,
            digests.join(","),
            rec.member,
            csv_field(&err),
            pdq,
            pdq_q,
            csv_field(&matches.join(";"))
        )?;
    }
    Ok(())
}

fn json(r: &Report<'_>, out: &mut impl Write) -> io::Result<()> {
    let srcs: Vec<String> = r.sources.iter().map(|s| escape_path(s.as_os_str().as_encoded_bytes())).collect();
    write!(
        out,
        "{{\"format\":\"vigil-scan\",\"version\":1,\"build\":{},\"sources\":{},\"algorithms\":{},\"files\":[",
        serde_json::to_string(&vigil_build::BUILD)?,
        serde_json::to_string(&srcs)?,
        serde_json::to_string(&r.algos.names())?
    )?;
    for (i, (rec, m)) in r.records.iter().zip(r.matches).enumerate() {
        let mut o = serde_json::json!({ "path": escape_path(&rec.path), "size": rec.size });
        for a in r.algos.list() {
            if let Some(d) = rec.digests.get(a) {
                o[a.name()] = lower_hex(d).into();
            }
        }
        if rec.member {
            o["archive_member"] = true.into();
        }
        if let Some(p) = &rec.pdq {
            match &p.hash {
                Some(h) => {
                    o["pdq"] = h.clone().into();
                    o["pdq_quality"] = p.quality.into();
                }
                None => o["pdq_error"] = p.error.clone().unwrap_or_default().into(),
            }
        }
        if let Some(e) = &rec.error {
            o["error"] = e.clone().into();
        }
        if !m.is_empty() {
            o["matches"] = serde_json::to_value(m)?;
        }
        if i > 0 {
            out.write_all(b",\n")?;
        } else {
            out.write_all(b"\n")?;
        }
        serde_json::to_writer(&mut *out, &o)?;
    }
    write!(out, "\n],\"summary\":")?;
    serde_json::to_writer(&mut *out, r.summary)?;
    writeln!(out, "}}")
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn dfxml(r: &Report<'_>, out: &mut impl Write) -> io::Result<()> {
    writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
    writeln!(out, "<dfxml xmlns=\"http://www.forensicswiki.org/wiki/Category:Digital_Forensics_XML\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:vigil=\"urn:vigil:scan\" version=\"1.2.0\">")?;
    writeln!(out, "  <metadata><dc:type>Hash List</dc:type></metadata>")?;
    writeln!(
        out,
        "  <creator version=\"1.0\"><program>vigil</program><version>{}</version><vigil:build>{}</vigil:build></creator>",
        vigil_build::BUILD.version,
        vigil_build::BUILD.commit
    )?;
    for s in r.sources {
        writeln!(
            out,
            "  <source><image_filename>{}</image_filename></source>",
            xml(&escape_path(s.as_os_str().as_encoded_bytes()))
        )?;
    }
    for (rec, m) in r.records.iter().zip(r.matches) {
        writeln!(out, "  <fileobject>")?;
        writeln!(out, "    <filename>{}</filename>", xml(&escape_path(&rec.path)))?;
        writeln!(out, "    <filesize>{}</filesize>", rec.size)?;
        if let Some(e) = &rec.error {
            writeln!(out, "    <vigil:error>{}</vigil:error>", xml(e))?;
        }
        for a in r.algos.list() {
            if let Some(d) = rec.digests.get(a) {
                writeln!(out, "    <hashdigest type=\"{}\">{}</hashdigest>", a.name(), lower_hex(d))?;
            }
        }
        if let Some(p) = &rec.pdq {
            if let Some(h) = &p.hash {
                writeln!(out, "    <vigil:pdq quality=\"{}\">{h}</vigil:pdq>", p.quality)?;
            }
        }
        for x in m {
            match x.pdq_distance {
                Some(d) => writeln!(
                    out,
                    "    <vigil:match set=\"{}\" category=\"{}\" pdq_distance=\"{d}\"/>",
                    xml(&x.set),
                    xml(&x.category)
                )?,
                None => writeln!(out, "    <vigil:match set=\"{}\" category=\"{}\"/>", xml(&x.set), xml(&x.category))?,
            }
        }
        writeln!(out, "  </fileobject>")?;
    }
    writeln!(out, "</dfxml>")
}
