//! Writes that wait together go in together.
//!
//! Every unit of work holds the log's sequencer lock from its start to its
//! commit, and on PostgreSQL each of its statements is a round trip to the
//! server while it does. Public reports arrive many at once, and written a
//! unit each they queue for the lock, one unit's round trips after
//! another's. Here a report that finds others waiting is written with them
//! by whichever of their threads is free first: one unit, one lock, one
//! signed head, and (where the store offers it) one statement for all
//! their rows. A report that arrives alone is written alone, as before.
//! The requests counted in the shared rate windows, the form tokens spent
//! in the store and the one read a public report with files makes before
//! its unit (how many reports hold its identifiers; a report without files
//! reads it in its unit, with the unit's other reports) go the same way, a
//! statement for many.
//!
//! One bad report fails alone: if a unit of several fails (an error or a
//! panic), nothing of it was committed, and each report is written again
//! in a unit of its own on its own request's thread, which then meets its
//! own error, or its own panic.

use crate::error::CoreError;
use std::collections::{HashMap, VecDeque};
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

/// The most jobs one unit takes: enough to empty the queue at any rate
/// this service meets, few enough that one statement stays small.
const MOST: usize = 64;

/// What became of a queued job.
enum Outcome<J, R> {
    Written(R),
    /// Its unit of one failed with this error.
    Failed(CoreError),
    /// Its unit of several failed: written again alone by its own thread.
    Alone(J),
}

struct State<J, R> {
    /// Whether some thread is writing a unit now.
    writing: bool,
    next_ticket: u64,
    waiting: VecDeque<(u64, J)>,
    done: HashMap<u64, Outcome<J, R>>,
    /// The signal each thread waiting for its job sleeps on. A unit's end
    /// wakes the threads it answered and the one whose job is next, not
    /// every thread waiting: at a few thousand jobs a second, waking them
    /// all at every unit costs more CPU than the units save.
    sleeping: HashMap<u64, Arc<Condvar>>,
}

impl<J, R> State<J, R> {
    /// Wakes the threads of `answered` and the thread of the oldest job
    /// still waiting, which writes the next unit.
    fn wake(&self, answered: &[u64]) {
        let next = self.waiting.front().map(|(t, _)| t);
        for t in answered.iter().chain(next) {
            if let Some(signal) = self.sleeping.get(t) {
                signal.notify_one();
            }
        }
    }
}

pub(crate) struct WriteQueue<J, R> {
    state: Mutex<State<J, R>>,
}

impl<J, R> Default for WriteQueue<J, R> {
    fn default() -> Self {
        WriteQueue {
            state: Mutex::new(State {
                writing: false,
                next_ticket: 0,
                waiting: VecDeque::new(),
                done: HashMap::new(),
                sleeping: HashMap::new(),
            }),
        }
    }
}

impl<J, R> WriteQueue<J, R> {
    /// Nothing but queue bookkeeping runs under this lock (a unit is written
    /// with it released), so a poisoned lock holds nothing half-done.
    fn lock(&self) -> MutexGuard<'_, State<J, R>> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Writes `job` with whatever else is waiting, by `write`, which must
    /// write every job it is given in one unit and answer for each in
    /// order, or fail as a whole.
    pub(crate) fn submit(&self, job: J, write: impl Fn(&[J]) -> Result<Vec<R>, CoreError>) -> Result<R, CoreError> {
        let mut st = self.lock();
        let ticket = st.next_ticket;
        st.next_ticket += 1;
        st.waiting.push_back((ticket, job));
        let signal = Arc::new(Condvar::new());
        loop {
            if let Some(outcome) = st.done.remove(&ticket) {
                st.sleeping.remove(&ticket);
                drop(st);
                return match outcome {
                    Outcome::Written(r) => Ok(r),
                    Outcome::Failed(e) => Err(e),
                    Outcome::Alone(job) => one(write(std::slice::from_ref(&job))),
                };
            }
            if st.writing {
                st.sleeping.entry(ticket).or_insert_with(|| signal.clone());
                st = signal.wait(st).unwrap_or_else(|p| p.into_inner());
                continue;
            }
            st.writing = true;
            let take = st.waiting.len().min(MOST);
            let (tickets, jobs): (Vec<u64>, Vec<J>) = st.waiting.drain(..take).unzip();
            drop(st);
            let result = catch_unwind(AssertUnwindSafe(|| write(&jobs)));
            st = self.lock();
            st.writing = false;
            let several = jobs.len() > 1;
            let answered = tickets.clone();
            match result {
                Ok(Ok(written)) if written.len() == jobs.len() => {
                    for (t, r) in tickets.into_iter().zip(written) {
                        st.done.insert(t, Outcome::Written(r));
                    }
                }
                Ok(Ok(_)) => {
                    // Every job is written again alone by its own thread,
                    // which meets this same fault there.
                    for (t, j) in tickets.into_iter().zip(jobs) {
                        if t != ticket {
                            st.done.insert(t, Outcome::Alone(j));
                        }
                    }
                    st.sleeping.remove(&ticket);
                    st.wake(&answered);
                    drop(st);
                    panic!("a queued write answered for a different number of jobs than it was given");
                }
                Ok(Err(e)) if !several => {
                    st.done.insert(tickets[0], Outcome::Failed(e));
                }
                Err(panic) if !several => {
                    // The job that panicked is this thread's own only if it
                    // was the one taken; another's is handed back to it.
                    if tickets[0] == ticket {
                        st.sleeping.remove(&ticket);
                        st.wake(&answered);
                        drop(st);
                        resume_unwind(panic);
                    }
                    st.done.insert(tickets[0], Outcome::Alone(jobs.into_iter().next().expect("one job")));
                }
                Ok(Err(_)) | Err(_) => {
                    for (t, j) in tickets.into_iter().zip(jobs) {
                        st.done.insert(t, Outcome::Alone(j));
                    }
                }
            }
            st.wake(&answered);
        }
    }
}

fn one<R>(written: Result<Vec<R>, CoreError>) -> Result<R, CoreError> {
    written?.pop().ok_or_else(|| CoreError::Failed("a write of one job answered for none".into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Barrier};

    #[test]
    fn a_job_alone_is_written_alone_and_its_error_is_its_own() {
        let q: WriteQueue<u32, u32> = WriteQueue::default();
        assert_eq!(q.submit(4, |jobs| Ok(jobs.iter().map(|j| j * 10).collect())).unwrap(), 40);
        let e = q.submit(5, |_| Err(CoreError::Refused("no".into()))).unwrap_err();
        assert!(matches!(e, CoreError::Refused(m) if m == "no"));
    }

    #[test]
    fn jobs_waiting_together_share_units_and_each_gets_its_own_answer() {
        let q: Arc<WriteQueue<u32, u32>> = Arc::default();
        let units = Arc::new(AtomicUsize::new(0));
        let start = Arc::new(Barrier::new(16));
        let threads: Vec<_> = (0..16u32)
            .map(|n| {
                let (q, units, start) = (q.clone(), units.clone(), start.clone());
                std::thread::spawn(move || {
                    start.wait();
                    q.submit(n, |jobs| {
                        units.fetch_add(1, Ordering::SeqCst);
                        // Slow enough that the others queue behind it.
                        std::thread::sleep(std::time::Duration::from_millis(20));
                        Ok(jobs.iter().map(|j| j + 100).collect())
                    })
                })
            })
            .collect();
        for (n, t) in threads.into_iter().enumerate() {
            assert_eq!(t.join().unwrap().unwrap(), n as u32 + 100);
        }
        let units = units.load(Ordering::SeqCst);
        assert!(units < 16, "16 jobs arriving together took {units} units");
    }

    #[test]
    fn a_bad_job_in_a_unit_of_several_fails_alone_and_the_others_are_written() {
        let q: Arc<WriteQueue<u32, u32>> = Arc::default();
        let start = Arc::new(Barrier::new(8));
        let written = Arc::new(Mutex::new(Vec::new()));
        let threads: Vec<_> = (0..8u32)
            .map(|n| {
                let (q, start, written) = (q.clone(), start.clone(), written.clone());
                std::thread::spawn(move || {
                    start.wait();
                    q.submit(n, |jobs| {
                        std::thread::sleep(std::time::Duration::from_millis(10));
                        if jobs.contains(&3) {
                            return Err(CoreError::Refused("job 3 is bad".into()));
                        }
                        if jobs.contains(&5) {
                            panic!("job 5 panics");
                        }
                        written.lock().unwrap().extend_from_slice(jobs);
                        Ok(jobs.to_vec())
                    })
                })
            })
            .collect();
        for (n, t) in threads.into_iter().enumerate() {
            match (n, t.join()) {
                (3, Ok(Err(CoreError::Refused(m)))) => assert_eq!(m, "job 3 is bad"),
                (5, Err(_)) => {} // its own thread panicked, no other
                (n, Ok(Ok(r))) => assert_eq!(r, n as u32),
                (n, other) => panic!("job {n}: {:?}", other.map(|r| r.map_err(|e| e.to_string()))),
            }
        }
        let mut w = written.lock().unwrap().clone();
        w.sort();
        assert_eq!(w, vec![0, 1, 2, 4, 6, 7], "every good job written exactly once");
    }
}
