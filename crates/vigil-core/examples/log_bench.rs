//! Custody-log append benchmark (not a test): appends N synthetic events in
//! batches to a fresh data directory, then runs a peer — plain SQLite inserts
//! of the same leaf bytes with the same durability and no Merkle tree or
//! signature — and prints both rates and their ratio.
//!
//! `cargo run --release -p vigil-core --example log_bench -- DIR [EVENTS] [BATCH] [STORE-URL]`

use std::time::Instant;
use vigil_core::Vigil;
use vigil_domain::{Actor, CustodyEvent, EventKind, ObjectRef};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = std::path::PathBuf::from(args.get(1).expect("usage: log_bench DIR [EVENTS] [BATCH] [STORE-URL]"));
    let n: u64 = args.get(2).map_or(1_000_000, |s| s.parse().expect("EVENTS is a number"));
    let batch: u64 = args.get(3).map_or(10_000, |s| s.parse().expect("BATCH is a number"));
    let store = args.get(4).map(String::as_str);
    Vigil::init(&dir, store).expect("init");
    let v = Vigil::open(&dir).expect("open");
    let actor = Actor::parse("BENCH").unwrap();
    let make = |i: u64| {
        let mut ev = CustodyEvent::new(
            EventKind::Reviewed,
            actor.clone(),
            vigil_core::now(),
            ObjectRef::parse(&format!("note:bench-{i}")).unwrap(),
        );
        ev.note = Some("synthetic benchmark event".into());
        ev
    };
    let t = Instant::now();
    let mut done = 0;
    while done < n {
        let k = batch.min(n - done);
        let events: Vec<CustodyEvent> = (done..done + k).map(make).collect();
        v.append_events(&events).expect("append");
        done += k;
    }
    let secs = t.elapsed().as_secs_f64();
    let rate = n as f64 / secs;
    println!("vigil append: {n} events in batches of {batch} on {}: {secs:.2} s, {rate:.0} events/s", v.backend());

    // Peer: the same leaf bytes into a bare SQLite table, same pragmas, same batches.
    let peer_path = dir.join("peer.db");
    let c = rusqlite::Connection::open(&peer_path).unwrap();
    c.pragma_update(None, "journal_mode", "WAL").unwrap();
    c.pragma_update(None, "synchronous", "FULL").unwrap();
    c.execute_batch("CREATE TABLE events (idx INTEGER PRIMARY KEY, leaf BLOB NOT NULL)").unwrap();
    let t = Instant::now();
    let mut done = 0;
    let mut c = c;
    while done < n {
        let k = batch.min(n - done);
        let tx = c.transaction().unwrap();
        {
            let mut st = tx.prepare_cached("INSERT INTO events (idx, leaf) VALUES (?1, ?2)").unwrap();
            for i in done..done + k {
                st.execute(rusqlite::params![i as i64, vigil_custody::encode_leaf(i, &make(i))]).unwrap();
            }
        }
        tx.commit().unwrap();
        done += k;
    }
    let psecs = t.elapsed().as_secs_f64();
    let prate = n as f64 / psecs;
    println!("peer (bare SQLite insert of the same leaves): {psecs:.2} s, {prate:.0} events/s");
    println!("ratio vigil/peer: {:.2}", rate / prate);
    drop(c);
    let _ = std::fs::remove_file(&peer_path);
}
