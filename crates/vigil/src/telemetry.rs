//! Structured logs for `vigil serve`: one line per request (its ID, route
//! template, status and latency) and every failure with its cause, on
//! standard error. `RUST_LOG` sets the levels (default `info`), for
//! example `RUST_LOG=vigil_web=debug`. The web layer decides what is
//! logged, and never logs what a reporter sent or where from.

use tracing_subscriber::EnvFilter;

pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // A second call (tests, the demo after seeding) keeps the first subscriber.
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(false).try_init();
}
