//! What the load generators share: one HTTP/1.1 exchange per connection,
//! and an open-loop driver that schedules requests at a fixed rate and
//! measures each from its scheduled time, so a slow server cannot hide its
//! queueing behind a client that waits for it.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

/// Sends one request on a fresh connection and reads the whole answer.
pub fn http(addr: &str, req: &str) -> std::io::Result<String> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    s.write_all(req.as_bytes())?;
    let mut out = Vec::new();
    s.read_to_end(&mut out)?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// Runs `job(n)` for n in 0..total, scheduled `rate` per second, on
/// `workers` threads; returns each job's number, latency from its
/// scheduled time, and result.
pub fn drive<T: Send + 'static>(
    rate: f64,
    total: u64,
    workers: usize,
    job: impl Fn(u64) -> T + Send + Sync + 'static,
) -> Vec<(u64, Duration, T)> {
    let (tx, rx) = mpsc::channel::<(u64, Instant)>();
    let rx = Arc::new(Mutex::new(rx));
    let job = Arc::new(job);
    let results = Arc::new(Mutex::new(Vec::new()));
    let threads: Vec<_> = (0..workers)
        .map(|_| {
            let (rx, results, job) = (rx.clone(), results.clone(), job.clone());
            std::thread::spawn(move || loop {
                let next = rx.lock().unwrap().recv();
                let Ok((n, scheduled)) = next else { break };
                let r = job(n);
                results.lock().unwrap().push((n, scheduled.elapsed(), r));
            })
        })
        .collect();
    let start = Instant::now();
    for n in 0..total {
        let at = start + Duration::from_secs_f64(n as f64 / rate);
        if let Some(wait) = at.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        tx.send((n, at)).unwrap();
    }
    drop(tx);
    threads.into_iter().for_each(|t| t.join().unwrap());
    Arc::try_unwrap(results).ok().expect("every worker has ended").into_inner().unwrap()
}

/// p50, p99 and max of some latencies, in milliseconds.
pub fn percentiles_ms(mut lat: Vec<Duration>) -> (f64, f64, f64) {
    lat.sort();
    let at = |p: f64| lat[((lat.len() as f64 - 1.0) * p) as usize].as_secs_f64() * 1000.0;
    (at(0.5), at(0.99), at(1.0))
}
