//! Incremental verify benchmark (not a test): a log of N events, a
//! checkpoint, then M more (a day's work); the full `verify` and
//! `verify --since` of the same store in the same run, and their ratio.
//!
//! `cargo run --release -p vigil-core --example verify_since_bench -- DIR [N] [M]`

use std::time::Instant;
use vigil_core::Vigil;
use vigil_domain::{Actor, CustodyEvent, EventKind, ObjectRef};

fn append(v: &Vigil, from: u64, n: u64) {
    let actor = Actor::parse("BENCH").unwrap();
    let mut done = 0;
    while done < n {
        let k = 10_000.min(n - done);
        let events: Vec<CustodyEvent> = (from + done..from + done + k)
            .map(|i| {
                let mut ev = CustodyEvent::new(
                    EventKind::Reviewed,
                    actor.clone(),
                    vigil_core::now(),
                    ObjectRef::parse(&format!("note:bench-{i}")).unwrap(),
                );
                ev.note = Some("synthetic benchmark event".into());
                ev
            })
            .collect();
        v.append_events(&events).expect("append");
        done += k;
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = std::path::PathBuf::from(args.get(1).expect("usage: verify_since_bench DIR [N] [M]"));
    let n: u64 = args.get(2).map_or(1_000_000, |s| s.parse().expect("N is a number"));
    let m: u64 = args.get(3).map_or(10_000, |s| s.parse().expect("M is a number"));
    Vigil::init(&dir, None).expect("init");
    let v = Vigil::open(&dir).expect("open");
    append(&v, 0, n);
    let cp = v.checkpoint().expect("checkpoint");
    append(&v, n, m);
    // Each twice, the second shown: the first warms the page cache.
    let mut full = 0.0;
    let mut since = 0.0;
    for _ in 0..2 {
        let t = Instant::now();
        let r = v.verify().expect("verify");
        full = t.elapsed().as_secs_f64();
        assert!(r.ok(), "{:?}", r.problems);
        let t = Instant::now();
        let r = v.verify_since(&cp).expect("verify --since");
        since = t.elapsed().as_secs_f64();
        assert!(r.ok(), "{:?}", r.problems);
        assert_eq!(r.events, m);
    }
    let total = n + m;
    println!("full verify of {total} events: {full:.3} s ({:.0} events/s)", total as f64 / full);
    println!("verify --since the checkpoint at {n}: {m} new events in {since:.3} s");
    println!("ratio full/since: {:.1}", full / since);
}
