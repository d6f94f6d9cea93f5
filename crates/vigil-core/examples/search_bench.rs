//! Search benchmark (not a test), issue 30 point 4: N cases (10,000 by
//! default), each opened from a synthetic report with two synthetic persons,
//! then searches by a supervisor (every case) and an investigator assigned
//! to 50, through Vigil's search (index, need-to-know, and the `searched`
//! custody event each search appends). The peer, on the same database in
//! the same run: the same title and name lookup without an index (SQLite
//! `LIKE` over every title and every person record). Prints p50 and p99
//! of each and the ratio.
//!
//! `cargo run --release -p vigil-core --example search_bench -- DIR [CASES] [SEARCHES]`

use std::time::{Duration, Instant};
use vigil_core::{OfficerSession, Vigil};
use vigil_domain::{Actor, CaseId, CaseRecord, Grade, PersonRole, PublicReport, ReportKind, Role};

const SYLLABLES: [&str; 16] =
    ["lan", "ter", "har", "bour", "mea", "dow", "qui", "et", "ze", "be", "dee", "quil", "nor", "vik", "sol", "ran"];

/// A made-up word from a number: the same number, the same word.
fn word(mut n: u64) -> String {
    let mut w = String::new();
    for _ in 0..3 {
        w.push_str(SYLLABLES[(n % 16) as usize]);
        n /= 16;
    }
    w
}

fn percentile(mut d: Vec<Duration>, p: f64) -> f64 {
    d.sort();
    d[((d.len() as f64 - 1.0) * p).round() as usize].as_secs_f64() * 1000.0
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = std::path::PathBuf::from(args.get(1).expect("usage: search_bench DIR [CASES] [SEARCHES]"));
    let n: u64 = args.get(2).map_or(10_000, |s| s.parse().expect("CASES is a number"));
    let searches: usize = args.get(3).map_or(500, |s| s.parse().expect("SEARCHES is a number"));
    Vigil::init(&dir, None).expect("init");
    let v = Vigil::open(&dir).expect("open");
    let admin = Actor::parse("ADM").unwrap();
    for (u, r) in [("b.tri", Role::TriageOfficer), ("b.sup", Role::Supervisor), ("b.inv", Role::Investigator)] {
        v.add_user(u, r, "correct horse battery staple", &admin).unwrap();
    }
    let o = |u: &str, role: Role| OfficerSession { username: u.into(), role, csrf: String::new() };
    let (tri, sup, inv) =
        (o("b.tri", Role::TriageOfficer), o("b.sup", Role::Supervisor), o("b.inv", Role::Investigator));
    let t = Instant::now();
    for i in 0..n {
        let receipt = v
            .submit_public_report(&PublicReport {
                kind: ReportKind::Other,
                immediate_danger: false,
                meeting_planned: false,
                images_exchanged: false,
                platform: String::new(),
                identifiers: vec![],
                child: String::new(),
                dates: String::new(),
                account: format!("SYNTHETIC benchmark report {i}"),
                contact: None,
                about: Default::default(),
            })
            .unwrap();
        v.grade_report(&receipt.exhibit, &Grade::parse("2/B/P").unwrap(), "benchmark", &tri).unwrap();
        let case = CaseId::parse(&format!("BENCH-{i}")).unwrap();
        v.report_to_case(&receipt.exhibit, &case, Some(&format!("Operation {} {}", word(i), word(i * 7 + 3))), &tri)
            .unwrap();
        for k in 0..2 {
            let name = format!("Synthetic {} {}", word(i * 13 + k), word(i * 31 + k + 5));
            let p = CaseRecord::Person { name, role: PersonRole::Suspect, works_with_children: None };
            v.add_case_record(&case, &p, &sup).unwrap();
        }
        if i % 200 == 0 {
            v.assign_to_case(&case, "b.inv", &sup).unwrap();
        }
    }
    eprintln!("{n} cases with 2 persons each made in {:.1} s", t.elapsed().as_secs_f64());

    let queries: Vec<String> = (0..searches as u64).map(|i| word(i * 7919 % (n * 13))[..6].to_owned()).collect();
    let mut results = Vec::new();
    for (label, who) in [("supervisor (every case)", &sup), ("investigator (50 cases)", &inv)] {
        let mut times = Vec::new();
        let mut found = 0;
        for q in &queries {
            let t = Instant::now();
            found += v.search(q, who).unwrap().cases.len();
            times.push(t.elapsed());
        }
        results.push((label, percentile(times.clone(), 0.5), percentile(times, 0.99), found));
    }
    // The peer: the same lookup with no index, on the same file.
    let db = rusqlite::Connection::open(dir.join("vigil.db")).unwrap();
    let mut times = Vec::new();
    let mut found = 0;
    for q in &queries {
        let t = Instant::now();
        let like = format!("%{q}%");
        let mut st = db
            .prepare_cached(
                "SELECT id FROM cases WHERE title LIKE ?1 UNION SELECT case_id FROM case_records \
                 WHERE kind = 'person' AND json_extract(body, '$.name') LIKE ?1 LIMIT 200",
            )
            .unwrap();
        found += st.query_map([&like], |r| r.get::<_, String>(0)).unwrap().count();
        times.push(t.elapsed());
    }
    let (peer50, peer99) = (percentile(times.clone(), 0.5), percentile(times, 0.99));
    println!("search over {n} cases, {searches} queries (6-letter word starts)");
    for (label, p50, p99, found) in &results {
        println!(
            "vigil search, {label}: p50 {p50:.2} ms, p99 {p99:.2} ms ({found} case hits), incl. its custody event"
        );
    }
    println!("peer, SQLite LIKE over titles and person records, no index: p50 {peer50:.2} ms, p99 {peer99:.2} ms ({found} hits)");
    println!("ratio of p99, peer / vigil (supervisor): {:.1}", peer99 / results[0].2);
}
