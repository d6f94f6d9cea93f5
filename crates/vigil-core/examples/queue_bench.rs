//! Triage queue benchmark (not a test): fills a fresh SQLite data directory
//! with N synthetic report rows (a tenth open, the rest graded, in cases or
//! closed; scores spread), then times the queue's first page of new reports
//! through `Vigil::triage_queue` (the `reports_queue` index and the trigger-
//! kept counts) and, as the peer on the same data, the query the queue used
//! before this round (`ORDER BY immediate, score, received LIMIT 500` over
//! every report), and prints both p50/p99 and their ratio.
//!
//! `cargo run --release -p vigil-core --example queue_bench -- DIR [REPORTS] [QUERIES]`

use std::time::{Duration, Instant};
use vigil_core::Vigil;
use vigil_domain::{ExhibitRef, ReportState, Role};

fn percentiles(mut d: Vec<Duration>) -> (f64, f64) {
    d.sort();
    let ms = |x: Duration| x.as_secs_f64() * 1000.0;
    (ms(d[d.len() / 2]), ms(d[(d.len() * 99 / 100).min(d.len() - 1)]))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = std::path::PathBuf::from(args.get(1).expect("usage: queue_bench DIR [REPORTS] [QUERIES]"));
    let n: u64 = args.get(2).map_or(1_000_000, |s| s.parse().expect("REPORTS is a number"));
    let queries: usize = args.get(3).map_or(200, |s| s.parse().expect("QUERIES is a number"));
    Vigil::init(&dir, None).expect("init");
    let db = dir.join("vigil.db");
    let started = Instant::now();
    {
        // The rows go straight into the store, as a migration would load
        // them: the benchmark is of reading the queue, not of intake.
        let mut store = vigil_store::open(db.to_str().unwrap()).expect("store");
        let mut tx = store.begin().expect("begin");
        for k in 0..n {
            let exhibit = ExhibitRef::parse(&format!("QB/{}", k + 1)).unwrap();
            let state = match k % 10 {
                0 => ReportState::New,
                1..=4 => ReportState::Graded,
                5..=7 => ReportState::Closed,
                _ => ReportState::InCase,
            };
            tx.insert_report(
                &vigil_store::ReportRow {
                    exhibit: exhibit.clone(),
                    received_ms: 1_700_000_000_000 + k as i64,
                    immediate: k % 97 == 0,
                    score: ((k * 7919) % 200) as u32,
                    factors: "[]".into(),
                    grade: None,
                    graded_by: None,
                    graded_ms: None,
                    state: ReportState::New,
                    closed_reason: None,
                    kind: None,
                },
                &[],
            )
            .expect("insert");
            if state != ReportState::New {
                tx.set_report_state(&exhibit, state, None).expect("state");
            }
        }
        tx.commit().expect("commit");
    }
    println!("{n} reports loaded in {:.1} s", started.elapsed().as_secs_f64());
    let v = Vigil::open(&dir).expect("open");
    let officer =
        vigil_core::OfficerSession { username: "bench".into(), role: Role::TriageOfficer, csrf: String::new() };
    let mut ours = Vec::with_capacity(queries);
    for _ in 0..queries {
        let t = Instant::now();
        let page = v.triage_queue(&officer, ReportState::New, vigil_domain::QueueOrder::Urgency, 1).expect("queue");
        ours.push(t.elapsed());
        assert_eq!(page.items.len() as u64, vigil_core::QUEUE_PAGE.min(n.div_ceil(10)));
    }
    let peer = rusqlite::Connection::open(&db).expect("peer");
    let mut theirs = Vec::with_capacity(queries);
    for _ in 0..queries {
        let t = Instant::now();
        let mut st = peer
            .prepare_cached(
                "SELECT exhibit, received_ms, immediate, score, factors, grade, graded_by, graded_ms FROM reports \
                 ORDER BY immediate DESC, score DESC, received_ms ASC LIMIT 500",
            )
            .unwrap();
        let rows: Vec<String> = st.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
        theirs.push(t.elapsed());
        assert_eq!(rows.len() as u64, 500.min(n));
    }
    let (o50, o99) = percentiles(ours);
    let (t50, t99) = percentiles(theirs);
    println!("queue first page (new, 50 rows, with counts per state): p50 {o50:.2} ms, p99 {o99:.2} ms");
    println!("peer, the previous queue query (LIMIT 500 over every report): p50 {t50:.2} ms, p99 {t99:.2} ms");
    println!("ratio (peer p99 / ours p99): {:.1}x", t99 / o99);
}
