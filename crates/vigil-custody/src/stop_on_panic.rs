//! A guard for the verifiers' threads, which wait on one another: a
//! thread that panics raises the stop flag and wakes every waiter, so the
//! others stop instead of waiting for ever for its work (the scope that
//! joins them then raises the panic again).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex};

pub struct StopOnPanic<'a, T> {
    pub stop: &'a AtomicBool,
    /// The lock the waiters wait under, and the condition they wait on.
    pub lock: &'a Mutex<T>,
    pub moved: &'a Condvar,
}

impl<T> Drop for StopOnPanic<'_, T> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.stop.store(true, Ordering::Relaxed);
            let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
            self.moved.notify_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panicking_thread_wakes_a_waiter_that_would_wait_for_ever() {
        let (stop, lock, moved) = (AtomicBool::new(false), Mutex::new(()), Condvar::new());
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            std::thread::scope(|scope| {
                scope.spawn(|| {
                    let _alarm = StopOnPanic { stop: &stop, lock: &lock, moved: &moved };
                    std::thread::sleep(std::time::Duration::from_millis(20));
                    panic!("a bug in a worker");
                });
                let mut g = lock.lock().unwrap();
                while !stop.load(Ordering::Relaxed) {
                    g = moved.wait(g).unwrap();
                }
            })
        }));
        assert!(outcome.is_err(), "the scope raises the worker's panic once the waiter has stopped");
        assert!(stop.load(Ordering::Relaxed));
    }
}
