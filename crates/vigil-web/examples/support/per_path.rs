//! The figures of an open-loop run that asked for several paths in turn
//! (job n asked for path n mod the number of paths): for each path, its
//! requests, failures, and p50/p99/max latency.

use crate::open_loop::percentiles_ms;
use std::time::Duration;

pub struct PathFigures<'a> {
    pub path: &'a str,
    pub requests: usize,
    pub failed: usize,
    pub p50: f64,
    pub p99: f64,
    pub max: f64,
}

pub fn per_path<'a>(results: &[(u64, Duration, bool)], paths: &'a [String]) -> Vec<PathFigures<'a>> {
    paths
        .iter()
        .enumerate()
        .map(|(i, path)| {
            let mine: Vec<_> = results.iter().filter(|r| r.0 as usize % paths.len() == i).collect();
            let failed = mine.iter().filter(|r| !r.2).count();
            let (p50, p99, max) = percentiles_ms(mine.iter().map(|r| r.1).collect());
            PathFigures { path, requests: mine.len(), failed, p50, p99, max }
        })
        .collect()
}
