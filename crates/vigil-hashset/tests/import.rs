//! Every import format on generated files, good and malformed, and the
//! exports read back in.

use std::path::{Path, PathBuf};
use vigil_hashset::{
    export_csv, export_vics, import, Category, CategoryMap, HashAlgo, HashSet, ImportFormat, ImportOptions, SetKind,
};

const MD5_A: &str = "d41d8cd98f00b204e9800998ecf8427e";
const SHA1_A: &str = "da39a3ee5e6b4b0d3255bfef95601890afd80709";
const SHA256_A: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

fn bad() -> ImportOptions {
    ImportOptions {
        kind: SetKind::KnownBad,
        default_category: Category::Other,
        category_map: CategoryMap::parse("1=A,2=B,3=C").unwrap(),
    }
}

fn write(dir: &Path, name: &str, body: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, body).unwrap();
    p
}

fn build(dir: &Path, src: &Path, f: ImportFormat, o: &ImportOptions) -> HashSet {
    let out = dir.join("set.vhs");
    import(src, f, o).unwrap().write(&out, "t", "test", "2026-11-26T00:00:00.000Z").unwrap();
    HashSet::open(&out).unwrap()
}

fn err(src: &Path, f: ImportFormat) -> String {
    import(src, f, &bad()).err().expect("must fail").to_string()
}

fn vics(version2: bool, items: &str) -> String {
    let head = if version2 {
        "\"@odata.context\":\"http://example/$metadata#Media\""
    } else {
        "\"odata.metadata\":\"http://example/$metadata#Media\""
    };
    format!("{{{head},\"value\":[{items}]}}")
}

#[test]
fn vics_both_versions_upper_case_hex_and_categories() {
    let d = tempfile::tempdir().unwrap();
    let items = format!(
        "{{\"MediaID\":1,\"Category\":1,\"MD5\":\"{}\",\"SHA1\":\"{}\",\"MediaSize\":0,\"Hashes\":[{{\"HashName\":\"SHA256\",\"HashValue\":\"{}\"}},{{\"HashName\":\"PhotoDNA\",\"HashValue\":\"zz\"}}]}},\
         {{\"MediaID\":2,\"Category\":3,\"MD5\":\"0123456789abcdef0123456789ABCDEF\"}},{{\"MediaID\":3,\"Category\":9,\"SHA1\":\"{}\"}}",
        MD5_A.to_uppercase(),
        SHA1_A.to_uppercase(),
        SHA256_A.to_uppercase(),
        "11".repeat(20)
    );
    for v2 in [true, false] {
        let src = write(d.path(), "v.json", &vics(v2, &items));
        let s = build(d.path(), &src, ImportFormat::Vics, &bad());
        assert_eq!(
            s.lookup(HashAlgo::Md5, &hex::decode(MD5_A).unwrap()),
            Some(Category::A),
            "lower-case lookup of upper-case import"
        );
        assert_eq!(s.lookup(HashAlgo::Sha256, &hex::decode(SHA256_A).unwrap()), Some(Category::A));
        assert_eq!(
            s.lookup(HashAlgo::Md5, &hex::decode("0123456789abcdef0123456789abcdef").unwrap()),
            Some(Category::C)
        );
        assert_eq!(s.lookup(HashAlgo::Sha1, &[0x11; 20]), Some(Category::Other), "unmapped category 9 is other");
    }
}

#[test]
fn vics_malformed() {
    let d = tempfile::tempdir().unwrap();
    let good = format!("{{\"MediaID\":1,\"Category\":1,\"MD5\":\"{MD5_A}\"}}");
    let full = vics(true, &format!("{good},{good},{good}"));
    let cut = write(d.path(), "cut.json", &full[..full.len() - 30]);
    let e = err(&cut, ImportFormat::Vics);
    assert!(e.contains("not valid VICS JSON") && e.contains("line 1"), "{e}");
    let badhex =
        write(d.path(), "bad.json", &vics(true, &format!("{good},{{\"MediaID\":77,\"Category\":2,\"MD5\":\"XYZ\"}}")));
    let e = err(&badhex, ImportFormat::Vics);
    assert!(e.contains("record 2") && e.contains("MediaID 77") && e.contains("MD5"), "{e}");
    let nohash = write(d.path(), "nohash.json", &vics(true, "{\"MediaID\":5}"));
    assert!(err(&nohash, ImportFormat::Vics).contains("record 1"));
    let novalue = write(d.path(), "nov.json", "{\"odata.metadata\":\"x\"}");
    assert!(err(&novalue, ImportFormat::Vics).contains("no `value` array"));
}

#[test]
fn nsrl_minimal_and_full_schemas() {
    let d = tempfile::tempdir().unwrap();
    let minimal = d.path().join("min.db");
    let c = rusqlite::Connection::open(&minimal).unwrap();
    c.execute_batch(&format!(
        "CREATE TABLE FILE(sha256 TEXT, sha1 TEXT, md5 TEXT, crc32 TEXT, file_name TEXT, file_size INTEGER, package_id INTEGER);
         INSERT INTO FILE VALUES ('{}', '{}', '{}', '00000000', 'empty.txt', 0, 1);",
        SHA256_A.to_uppercase(),
        SHA1_A.to_uppercase(),
        MD5_A.to_uppercase()
    ))
    .unwrap();
    drop(c);
    let good = ImportOptions { kind: SetKind::KnownGood, ..bad() };
    let s = build(d.path(), &minimal, ImportFormat::Nsrl, &good);
    assert_eq!(s.lookup(HashAlgo::Sha1, &hex::decode(SHA1_A).unwrap()), Some(Category::Good));
    assert_eq!(s.header().kind, SetKind::KnownGood);

    let full = d.path().join("full.db");
    let c = rusqlite::Connection::open(&full).unwrap();
    c.execute_batch(&format!(
        "CREATE TABLE METADATA(sha256 TEXT, sha1 TEXT, md5 TEXT, file_name TEXT, package_id INTEGER);
         INSERT INTO METADATA VALUES ('{SHA256_A}', '{SHA1_A}', '{MD5_A}', 'x', 1);
         CREATE VIEW FILE AS SELECT sha256, sha1, md5, file_name, package_id FROM METADATA;"
    ))
    .unwrap();
    drop(c);
    let s = build(d.path(), &full, ImportFormat::Nsrl, &good);
    assert_eq!(s.lookup(HashAlgo::Md5, &hex::decode(MD5_A).unwrap()), Some(Category::Good));

    let wrong = d.path().join("wrong.db");
    rusqlite::Connection::open(&wrong).unwrap().execute_batch("CREATE TABLE PKG(id INTEGER, name TEXT);").unwrap();
    let e = err(&wrong, ImportFormat::Nsrl);
    assert!(e.contains("not an NSRL RDS v3 database") && e.contains("no FILE table"), "{e}");

    let badrow = d.path().join("badrow.db");
    rusqlite::Connection::open(&badrow)
        .unwrap()
        .execute_batch(&format!("CREATE TABLE FILE(sha256 TEXT, sha1 TEXT, md5 TEXT); INSERT INTO FILE VALUES ('{SHA256_A}','{SHA1_A}','{MD5_A}'); INSERT INTO FILE VALUES ('nothex','{SHA1_A}','{MD5_A}');"))
        .unwrap();
    let e = err(&badrow, ImportFormat::Nsrl);
    assert!(e.contains("record 2") && e.contains("sha256"), "{e}");
    let text =
        write(d.path(), "notsqlite.db", "hello, not a database, just some text that is long enough to not be a header");
    let e = err(&text, ImportFormat::Nsrl);
    assert!(e.contains("not an NSRL RDS v3 database"), "{e}");
}

#[test]
fn hashdeep_files() {
    let d = tempfile::tempdir().unwrap();
    let good = write(
        d.path(),
        "h.txt",
        &format!("%%%% HASHDEEP-1.0\n%%%% size,md5,sha256,filename\n## Invoked from: /x\n## $ hashdeep -r x\n##\n0,{MD5_A},{SHA256_A},/x/empty, with comma.txt\n"),
    );
    let s = build(d.path(), &good, ImportFormat::Hashdeep, &bad());
    assert_eq!(s.lookup(HashAlgo::Sha256, &hex::decode(SHA256_A).unwrap()), Some(Category::Other));
    let cols = write(d.path(), "c.txt", &format!("%%%% HASHDEEP-1.0\n%%%% size,md5,sha256,filename\n0,{MD5_A}\n"));
    let e = err(&cols, ImportFormat::Hashdeep);
    assert!(e.contains("line 3") && e.contains("expected 4 columns"), "{e}");
    let badhex =
        write(d.path(), "b.txt", &format!("%%%% HASHDEEP-1.0\n%%%% size,md5,sha256,filename\n0,{MD5_A},abc,/x\n"));
    let e = err(&badhex, ImportFormat::Hashdeep);
    assert!(e.contains("line 3") && e.contains("sha256"), "{e}");
    let nohdr = write(d.path(), "n.txt", "0,abc,def,x\n");
    assert!(err(&nohdr, ImportFormat::Hashdeep).contains("line 1"));
}

#[test]
fn sum_lists_and_csv() {
    let d = tempfile::tempdir().unwrap();
    let sums = write(d.path(), "s.txt", &format!("{MD5_A}  a.txt\n{SHA1_A} *b.bin\n{SHA256_A}  c\n"));
    let s = build(d.path(), &sums, ImportFormat::Sums, &bad());
    assert_eq!(s.header().entries(), 3);
    let badsum = write(d.path(), "bs.txt", &format!("{MD5_A}  a.txt\nnothex  b\n"));
    let e = err(&badsum, ImportFormat::Sums);
    assert!(e.contains("line 2") && e.contains("nothex"), "{e}");
    let csv = write(d.path(), "c.csv", &format!("hash,category\n{MD5_A},A\n{SHA1_A},2\n"));
    let s = build(d.path(), &csv, ImportFormat::Csv, &bad());
    assert_eq!(s.lookup(HashAlgo::Sha1, &hex::decode(SHA1_A).unwrap()), Some(Category::B));
    let wide = write(d.path(), "w.csv", &format!("{MD5_A},A,extra\n"));
    let e = err(&wide, ImportFormat::Csv);
    assert!(e.contains("line 1") && e.contains("found 3"), "{e}");
    let empty = write(d.path(), "e.csv", "hash,category\n");
    assert!(err(&empty, ImportFormat::Csv).contains("holds no hashes"));
}

#[test]
fn exports_read_back() {
    let d = tempfile::tempdir().unwrap();
    let csv = write(d.path(), "c.csv", &format!("{MD5_A},A\n{SHA1_A},C\n{SHA256_A},B\n"));
    let s = build(d.path(), &csv, ImportFormat::Csv, &bad());
    let mut out = Vec::new();
    export_vics(&s, &CategoryMap::parse("1=A,2=B,3=C").unwrap(), &mut out).unwrap();
    let vics_path = write(d.path(), "out.json", std::str::from_utf8(&out).unwrap());
    let back_dir = d.path().join("b");
    std::fs::create_dir(&back_dir).unwrap();
    let back = build(&back_dir, &vics_path, ImportFormat::Vics, &bad());
    assert_eq!(back.lookup(HashAlgo::Sha256, &hex::decode(SHA256_A).unwrap()), Some(Category::B));
    assert_eq!(back.lookup(HashAlgo::Sha1, &hex::decode(SHA1_A).unwrap()), Some(Category::C));
    let mut out = Vec::new();
    assert_eq!(export_csv(&s, &mut out).unwrap(), 3);
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains(&format!("{MD5_A},A,md5")), "{text}");
}
