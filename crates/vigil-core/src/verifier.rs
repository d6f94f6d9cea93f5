//! `vigil verify`: re-hash every blob, recompute the Merkle tree from the
//! stored leaves, check every signed head, and cross-check exhibits against
//! the log. Problems are collected, each naming its object or event.

use crate::custody_log::from_head_row;
use crate::data_dir::{read_public_key, Vigil};
use crate::error::CoreError;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use vigil_custody::{Frontier, LogChecker, StopOnPanic};
use vigil_domain::{CaseId, CustodyEvent, EventKind, ExhibitRef, FileHashes, Sha256Digest};

const PAGE: u64 = 20_000;

#[derive(Debug, Clone, Default, Serialize)]
pub struct VerifyReport {
    pub events: u64,
    pub heads: u64,
    pub exhibits: u64,
    pub deleted_exhibits: u64,
    pub blobs_checked: u64,
    pub bytes_checked: u64,
    pub case_records: u64,
    /// Rows of projected tables compared with the log, and those tables.
    pub projected_rows: u64,
    pub projected_tables: u64,
    pub root: String,
    pub problems: Vec<String>,
    /// For an incremental verify: the checkpoint's size. Only the events
    /// from there on (`events` of them) and their heads were checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<u64>,
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// What the log says about one exhibit.
#[derive(Default)]
struct LoggedExhibit {
    received: Option<(u64, Sha256Digest, Option<FileHashes>)>,
    deleted: Option<u64>,
    /// The grade its latest grading event gave it (reports only).
    grade: Option<(u64, String)>,
    /// The cases its events added it to (reports only).
    cases: BTreeSet<CaseId>,
    /// Its latest hand-made decision about each other report: (event, linked).
    links: BTreeMap<ExhibitRef, (u64, bool)>,
}

/// What the log says, read in one pass.
#[derive(Default)]
struct Logged {
    exhibits: BTreeMap<ExhibitRef, LoggedExhibit>,
    /// The officers each case's events assigned to it.
    members: BTreeMap<CaseId, BTreeSet<String>>,
    /// Each projected table as the log builds it: row key digest → the
    /// event that last left the row, and its column digests.
    rows: HashMap<String, LoggedTable>,
}

/// One event as a slice's worker leaves it for the fold, which goes in
/// order on one thread: everything that needs no other event is done
/// already, on all cores, and the event itself is kept only where the fold
/// reads it (most events are about neither an exhibit nor a case nor a
/// projected row, and moving and freeing each was a fifth of the fold).
struct Checked {
    /// The row's index column.
    index: u64,
    /// The leaf bytes' hash, and whether the stored leaf hash is it.
    hash: vigil_custody::Hash,
    stored_hash_ok: bool,
    /// The index the leaf claims, or why it did not decode.
    claimed: Result<u64, vigil_custody::LeafError>,
    /// Whether the query columns (kind, object, actor, time) are the leaf's.
    columns_ok: bool,
    event: Option<Box<CustodyEvent>>,
}

fn check_row(row: vigil_store::EventRowRef<'_>) -> Checked {
    let prepared = vigil_custody::prepare_leaf(row.leaf);
    let stored_hash_ok = prepared.hash == row.leaf_hash;
    let (claimed, columns_ok, event) = match prepared.decoded {
        Ok((claimed, ev)) => {
            let columns_ok = ev.kind.as_str() == row.kind
                && ev.object.as_str() == row.object
                && ev.actor.as_str() == row.actor
                && ev.time.unix_millis() == row.time_ms;
            let event = Logged::reads(&ev).then(|| Box::new(ev));
            (Ok(claimed), columns_ok, event)
        }
        Err(e) => (Err(e), true, None),
    };
    Checked { index: row.index, hash: prepared.hash, stored_hash_ok, claimed, columns_ok, event }
}

/// One projected table as the log builds it: row key digest → the event
/// that last left the row, and its column digests.
type LoggedTable = HashMap<String, (u64, BTreeMap<String, String>)>;

/// The log folded in order, one checked event at a time: its place, its
/// stored hash, its leaf into the tree, its columns, what it says, and the
/// signed heads whose size it reaches.
struct Fold<'h> {
    checker: LogChecker,
    heads: std::iter::Peekable<std::slice::Iter<'h, vigil_store::HeadRow>>,
    logged: Logged,
    position: u64,
    problems: Vec<String>,
}

impl Fold<'_> {
    /// Takes the next stored event; false where the log is broken there
    /// (the problem recorded) and checking cannot go on.
    fn take(&mut self, row: Checked) -> bool {
        let position = self.position;
        if row.index != position {
            self.problems.push(format!(
                "event #{position} is missing: the next stored event is #{} (events were deleted)",
                row.index
            ));
            return false;
        }
        if !row.stored_hash_ok {
            self.problems.push(format!(
                "event #{position}: its stored bytes do not match its leaf hash (the event was altered)"
            ));
            return false;
        }
        if let Err(e) = self.checker.add_hashed(row.hash, row.claimed) {
            self.problems.push(e.to_string());
            return false;
        }
        if !row.columns_ok {
            self.problems.push(format!(
                "event #{position}: its query columns disagree with its signed content (kind, object, actor or time was altered)"
            ));
        }
        if let Some(ev) = row.event {
            self.logged.note(position, &ev);
        }
        self.position += 1;
        while let Some(h) = self.heads.next_if(|h| h.tree_size <= self.position) {
            if let Err(e) = self.checker.check_head(&from_head_row(h)) {
                self.problems.push(e.to_string());
                return false;
            }
        }
        true
    }
}

impl Logged {
    /// Whether [`Logged::note`] reads anything of this event: it is about
    /// a case or an exhibit, or carries projected rows. Slices' workers
    /// keep only such events for the fold; `note` ignores every other, so
    /// the two cannot drift apart unnoticed.
    fn reads(ev: &CustodyEvent) -> bool {
        let object = ev.object.as_str();
        !ev.rows.is_empty() || object.starts_with("exhibit:") || object.starts_with("case:")
    }

    /// What one event (at `position`) says about case membership, the
    /// projected tables' rows and exhibits.
    fn note(&mut self, position: u64, ev: &CustodyEvent) {
        if !Self::reads(ev) {
            return;
        }
        if let (EventKind::Reviewed, Some(case), Some(note)) =
            (ev.kind, ev.object.as_str().strip_prefix("case:"), ev.note.as_deref())
        {
            if let (Ok(case), Some(who)) = (CaseId::parse(case), assigned_officer(note)) {
                self.members.entry(case).or_default().insert(who.to_owned());
            }
        }
        for img in &ev.rows {
            let table = self.rows.entry(img.t.clone()).or_default();
            if img.gone {
                table.remove(&img.k);
            } else {
                table.insert(img.k.clone(), (position, img.c.clone()));
            }
        }
        if let Some(r) = ev.object.as_exhibit() {
            let entry = self.exhibits.entry(r).or_default();
            match ev.kind {
                EventKind::Received if entry.received.is_none() => {
                    if let Some(d) = ev.digest {
                        entry.received = Some((position, d, ev.hashes.clone()));
                    }
                }
                EventKind::Deleted => entry.deleted = Some(position),
                // Grades: `graded` events, and before them the
                // `reviewed` events whose signed note said "graded X".
                EventKind::Graded | EventKind::Reviewed => {
                    let note = ev.note.as_deref().unwrap_or("");
                    if let Some(g) = note.strip_prefix("graded ") {
                        entry.grade = Some((position, g.to_owned()));
                    }
                    if ev.kind == EventKind::Reviewed {
                        if let Some(c) = note.strip_prefix("added to case ").and_then(|c| CaseId::parse(c).ok()) {
                            entry.cases.insert(c);
                        }
                        if let Some((other, linked)) = hand_link(note) {
                            entry.links.insert(other, (position, linked));
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

impl Vigil {
    pub fn verify(&self) -> Result<VerifyReport, CoreError> {
        let mut report = VerifyReport::default();
        let logged = self.verify_log(&mut report)?;
        self.verify_exhibits(&mut report, &logged.exhibits)?;
        self.verify_grades(&mut report, &logged.exhibits)?;
        self.verify_case_records(&mut report)?;
        self.verify_membership(&mut report, &logged)?;
        self.verify_projections(&mut report, &logged)?;
        Ok(report)
    }

    /// Every projected table rebuilt from the log alone, against the
    /// database row by row: a row missing, extra or different (naming its
    /// columns) is a change the log does not account for. Then the counters
    /// kept beside them are recounted.
    fn verify_projections(&self, report: &mut VerifyReport, logged: &Logged) -> Result<(), CoreError> {
        let empty = HashMap::new();
        report.projected_tables = vigil_store::PROJECTED.len() as u64;
        // What the counters kept beside the projections should say, counted
        // on the same pass over their tables: reports per state, and each
        // producer's highest exhibit number.
        let mut states: BTreeMap<String, i64> = BTreeMap::new();
        let mut highest: BTreeMap<String, i64> = BTreeMap::new();
        // Review previews are sealed blobs named by their items' rows (which
        // the log accounts for): each must still open and re-hash.
        let mut previews: Vec<(String, usize, Sha256Digest)> = Vec::new();
        for spec in vigil_store::PROJECTED {
            let t = spec.table;
            let want = logged.rows.get(t).unwrap_or(&empty);
            let mut seen: HashSet<&str> = HashSet::with_capacity(want.len());
            for json in self.store.read()?.projection_rows(t)? {
                report.projected_rows += 1;
                let imaged = match vigil_store::projection::image_of(t, &json) {
                    Ok(i) => i,
                    Err(e) => {
                        report.problems.push(e.to_string());
                        continue;
                    }
                };
                match (t, imaged.row.get("state"), imaged.row.get("initials"), imaged.row.get("number")) {
                    ("reports", Some(serde_json::Value::String(s)), _, _) => *states.entry(s.clone()).or_default() += 1,
                    ("exhibits", _, Some(serde_json::Value::String(i)), Some(n)) => {
                        let e = highest.entry(i.clone()).or_default();
                        *e = (*e).max(n.as_i64().unwrap_or(0));
                    }
                    _ => {}
                }
                if t == "review_items" {
                    let detail = imaged.row.get("detail").and_then(|d| d.as_str()).unwrap_or("{}");
                    let shas: Option<Vec<Sha256Digest>> =
                        serde_json::from_str::<serde_json::Value>(detail).ok().and_then(|d| {
                            d.get("previews").and_then(|p| p.as_array()).map(|a| {
                                a.iter()
                                    .filter_map(|x| x.as_str().and_then(|h| Sha256Digest::from_hex(h).ok()))
                                    .collect()
                            })
                        });
                    for (k, sha) in shas.unwrap_or_default().into_iter().enumerate() {
                        previews.push((imaged.key_text.clone(), k, sha));
                    }
                }
                let row = &imaged.image;
                let Some((k, (event, cols))) = want.get_key_value(&row.k) else {
                    report.problems.push(format!(
                        "table {t}, row ({}): no custody event made it (added in the database?)",
                        imaged.key_text
                    ));
                    continue;
                };
                seen.insert(k.as_str());
                let mut differ: Vec<&str> = row
                    .c
                    .iter()
                    .filter(|(name, d)| cols.get(*name) != Some(*d))
                    .map(|(name, _)| name.as_str())
                    .collect();
                differ.extend(cols.keys().filter(|name| !row.c.contains_key(*name)).map(String::as_str));
                if !differ.is_empty() {
                    report.problems.push(format!(
                        "table {t}, row ({}): column{} {} differ{} from what custody event #{event} recorded \
                         (changed in the database?)",
                        imaged.key_text,
                        if differ.len() > 1 { "s" } else { "" },
                        differ.join(", "),
                        if differ.len() > 1 { "" } else { "s" },
                    ));
                }
            }
            let mut missing: Vec<(u64, &str)> =
                want.iter().filter(|(k, _)| !seen.contains(k.as_str())).map(|(k, (e, _))| (*e, k.as_str())).collect();
            missing.sort();
            for (event, k) in missing {
                report.problems.push(format!(
                    "table {t}: the row custody event #{event} left (key digest {k}) is missing (deleted in the database?)"
                ));
            }
        }
        for (row, k, sha) in previews {
            let checked = self
                .open_blob(&sha)
                .map_err(|e| e.to_string())
                .and_then(|r| vigil_vault::Vault::check_reader(r, &sha).map_err(|e| e.to_string()));
            match checked {
                Ok(h) => {
                    report.blobs_checked += 1;
                    report.bytes_checked += h.size;
                }
                Err(e) => report.problems.push(format!("table review_items, row ({row}): preview {}: {e}", k + 1)),
            }
        }
        self.recount(report, &states, &highest)
    }

    /// The counters kept beside the projections, against what their
    /// tables count (`states`: reports per state; `highest`: each
    /// producer's highest exhibit number).
    fn recount(
        &self,
        report: &mut VerifyReport,
        states: &BTreeMap<String, i64>,
        highest: &BTreeMap<String, i64>,
    ) -> Result<(), CoreError> {
        let field = |json: &str, name: &str| -> Option<serde_json::Value> {
            serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(json).ok()?.remove(name)
        };
        for r in self.store.read()?.projection_rows("report_state_counts")? {
            let (Some(serde_json::Value::String(state)), Some(n)) = (field(&r, "state"), field(&r, "n")) else {
                continue;
            };
            let counted = states.get(&state).copied().unwrap_or(0);
            if n.as_i64() != Some(counted) {
                report.problems.push(format!(
                    "table report_state_counts, row (state={state}): it says {n}, but {counted} reports are {state}"
                ));
            }
        }
        for r in self.store.read()?.projection_rows("exhibit_counters")? {
            let (Some(serde_json::Value::String(i)), Some(n)) = (field(&r, "initials"), field(&r, "last")) else {
                continue;
            };
            let highest = highest.get(&i).copied().unwrap_or(0);
            if n.as_i64().unwrap_or(0) < highest {
                report.problems.push(format!(
                    "table exhibit_counters, row (initials={i}): it says {n}, but exhibit {i}/{highest} exists \
                     (a number would be given twice)"
                ));
            }
        }
        Ok(())
    }

    /// Every case record against the event written with it: the event must
    /// be about that case, and where it carries a digest (records written
    /// since the digest was added), the stored body must hash to it.
    fn verify_case_records(&self, report: &mut VerifyReport) -> Result<(), CoreError> {
        for (case, _) in self.store.read()?.cases()? {
            for row in self.store.read()?.case_records(&case)? {
                report.case_records += 1;
                let what = format!("case record #{} of case {case}", row.id);
                let Some(ev) = self.store.read()?.events(row.event, 1)?.pop().filter(|e| e.index == row.event) else {
                    report.problems.push(format!("{what}: its custody event #{} is missing", row.event));
                    continue;
                };
                let Ok((_, logged)) = vigil_custody::decode_leaf(&ev.leaf) else { continue };
                if logged.object.as_str() != format!("case:{case}") {
                    report.problems.push(format!("{what}: custody event #{} is about {}", row.event, logged.object));
                    continue;
                }
                if let Some(want) = logged.digest {
                    if crate::case_work::record_digest(&row.body) != want {
                        report.problems.push(format!(
                            "{what}: its body differs from the one logged with custody event #{} (rewritten in the database)",
                            row.event
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// The daily check: the events appended since a checkpoint that kept
    /// its tree's right edge (`vigil log checkpoint`), each re-hashed,
    /// decoded and checked against its columns, the tree grown from the
    /// checkpoint's frontier, and every head signed since checked against
    /// it; the stored head at the checkpoint's size must be the
    /// checkpoint's. Events before the checkpoint, blobs and the projected
    /// tables are not read: they are what a full `verify` checks.
    pub fn verify_since(&self, cp: &crate::Checkpoint) -> Result<VerifyReport, CoreError> {
        let mut report = VerifyReport::default();
        let size = cp.head.head.tree_size;
        report.since = Some(size);
        let frontier = cp.frontier()?;
        let checker = match LogChecker::resume(self.signing.verifying_key(), frontier, cp.head) {
            Ok(c) => c,
            Err(e) => {
                report.problems.push(format!("the checkpoint does not verify: {e}"));
                return Ok(report);
            }
        };
        let held = self.store.read()?.log_state()?.size;
        if held < size {
            report.problems.push(format!(
                "the checkpoint records {size} events but the log now holds {held}: events #{held} to #{} were removed",
                size - 1
            ));
            return Ok(report);
        }
        self.verify_log_from(&mut report, Some(checker))?;
        Ok(report)
    }

    fn verify_log(&self, report: &mut VerifyReport) -> Result<Logged, CoreError> {
        self.verify_log_from(report, None)
    }

    /// The log from the start, or from where a resumed checker stands.
    fn verify_log_from(&self, report: &mut VerifyReport, resume: Option<LogChecker>) -> Result<Logged, CoreError> {
        let key = self.signing.verifying_key();
        let file_key = read_public_key(&self.layout.public_key())?;
        if file_key != key {
            report.problems.push(format!("{} does not match the signing key", self.layout.public_key().display()));
        }
        match self.store.read()?.meta("log_public_key")? {
            Some(k) if k == hex::encode(key.as_bytes()) => {}
            _ => report.problems.push("the store's recorded log public key does not match the signing key".into()),
        }
        let start = resume.as_ref().map_or(0, LogChecker::size);
        let heads =
            if resume.is_some() { self.store.read()?.heads_from(start)? } else { self.store.read()?.heads()? };
        let mut next_head = heads.iter().peekable();
        let mut broken = false;
        let checker = match resume {
            Some(c) => {
                // The store's own head at the checkpoint's size is the checkpoint's.
                if let Some(h) = next_head.next_if(|h| h.tree_size == start) {
                    if c.last_head().is_none_or(|cp| cp.head.root != h.root) {
                        report.problems.push(format!(
                            "the stored signed head for size {start} is not the checkpoint's: history was rewritten"
                        ));
                        broken = true;
                    }
                }
                c
            }
            None => LogChecker::new(key),
        };
        let mut fold =
            Fold { checker, heads: next_head, logged: Logged::default(), position: start, problems: Vec::new() };
        if !broken {
            broken = !self.fold_in_parallel(&mut fold)?;
        }
        // What lies beyond the slices read in parallel (normally nothing:
        // events appended meanwhile, or rows past a gap), in order here.
        while !broken {
            let page = self.store.read()?.events(fold.position, PAGE)?;
            if page.is_empty() {
                break;
            }
            broken = !page.iter().map(|row| check_row(row.as_ref())).all(|row| fold.take(row));
        }
        let Fold { mut checker, heads: mut next_head, logged, position, problems } = fold;
        report.problems.extend(problems);
        report.events = position - start;
        report.heads = checker.heads_checked();
        report.root = hex::encode(checker.root());
        if !broken {
            if let Some(h) = next_head.next() {
                let sth = from_head_row(h);
                if let Err(e) = checker.check_head(&sth) {
                    report.problems.push(e.to_string());
                }
            } else if let Err(e) = checker.finish() {
                report.problems.push(e.to_string());
            }
            let state = self.store.read()?.log_state()?;
            let frontier = Frontier::from_bytes(&state.frontier);
            if state.size != position {
                report.problems.push(format!(
                    "the log's sequencer records {} events but {position} are stored (events were removed or inserted)",
                    state.size
                ));
            } else if frontier.map(|f| f.root()) != Some(checker.root()) {
                report.problems.push("the log's sequencer frontier does not match the recomputed tree".into());
            }
        }
        Ok(logged)
    }

    /// The stored events from the fold's position to the highest index,
    /// read and checked in slices of [`PAGE`] indexes by one worker per
    /// core, each on its own connection, and folded in order here as they
    /// come. Stops early at a slice with fewer events than indexes (a gap,
    /// or the end): the caller reads on from there in order. False where
    /// the log broke.
    fn fold_in_parallel(&self, fold: &mut Fold<'_>) -> Result<bool, CoreError> {
        use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
        let start = fold.position;
        let bound = self.store.read()?.last_event_index()?.map_or(start, |i| i + 1).max(start);
        let slices = (bound - start).div_ceil(PAGE);
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8);
        // Slices read ahead of the fold at most: memory stays a few pages.
        let ahead = 2 * workers as u64;
        let range = |k: u64| (start + k * PAGE, (start + (k + 1) * PAGE).min(bound));
        let next = AtomicU64::new(0);
        let stop = AtomicBool::new(false);
        let folded = std::sync::Mutex::new(0u64);
        let moved = std::sync::Condvar::new();
        let (tx, rx) = std::sync::mpsc::channel::<(u64, Result<Vec<Checked>, CoreError>)>();
        std::thread::scope(|scope| {
            // A panic in the fold (here) or in a worker stops the others
            // rather than leaving them waiting for it.
            let _alarm = StopOnPanic { stop: &stop, lock: &folded, moved: &moved };
            for _ in 0..workers {
                let (tx, next, stop, folded, moved) = (tx.clone(), &next, &stop, &folded, &moved);
                let alarm = StopOnPanic { stop, lock: folded, moved };
                scope.spawn(move || {
                    let _alarm = alarm;
                    loop {
                        let k = next.fetch_add(1, Ordering::Relaxed);
                        if k >= slices || stop.load(Ordering::Relaxed) {
                            break;
                        }
                        {
                            let mut done = folded.lock().unwrap_or_else(|p| p.into_inner());
                            while k >= *done + ahead && !stop.load(Ordering::Relaxed) {
                                done = moved.wait(done).unwrap_or_else(|p| p.into_inner());
                            }
                        }
                        if stop.load(Ordering::Relaxed) {
                            break;
                        }
                        let (from, to) = range(k);
                        let mut checked = Vec::with_capacity((to - from) as usize);
                        let checked = self
                            .store
                            .read()
                            .map_err(CoreError::from)
                            .and_then(|mut r| {
                                Ok(r.each_event_between(from, to, &mut |row| checked.push(check_row(row)))?)
                            })
                            .map(|_| checked);
                        if tx.send((k, checked)).is_err() {
                            break;
                        }
                    }
                });
            }
            drop(tx);
            let outcome = (|| {
                let mut waiting = BTreeMap::new();
                let mut k = 0;
                for (slice, checked) in rx.iter() {
                    waiting.insert(slice, checked);
                    while let Some(checked) = waiting.remove(&k) {
                        if !checked?.into_iter().all(|row| fold.take(row)) {
                            return Ok(false);
                        }
                        if fold.position < range(k).1 {
                            return Ok(true);
                        }
                        k += 1;
                        *folded.lock().unwrap_or_else(|p| p.into_inner()) = k;
                        moved.notify_all();
                    }
                }
                Ok(true)
            })();
            // Leaving early: workers waiting for the fold are woken to stop,
            // and one reading finishes its slice and stops.
            stop.store(true, Ordering::Relaxed);
            let _guard = folded.lock().unwrap_or_else(|p| p.into_inner());
            moved.notify_all();
            outcome
        })
    }

    /// Which reports each case holds, who is assigned to it, and every
    /// hand-made link, against the events that made them (each is written
    /// in one unit with its event): a row added, removed or changed in the
    /// database with its triggers dropped is named.
    fn verify_membership(&self, report: &mut VerifyReport, logged: &Logged) -> Result<(), CoreError> {
        let mut held: BTreeMap<CaseId, BTreeSet<ExhibitRef>> = BTreeMap::new();
        for (r, l) in &logged.exhibits {
            for c in &l.cases {
                held.entry(c.clone()).or_default().insert(r.clone());
            }
        }
        let mut cases: BTreeSet<CaseId> = self.store.read()?.cases()?.into_iter().map(|(c, _)| c).collect();
        cases.extend(held.keys().cloned());
        cases.extend(logged.members.keys().cloned());
        let (none, nobody) = (BTreeSet::new(), BTreeSet::new());
        for case in &cases {
            let stored: BTreeSet<ExhibitRef> = self.store.read()?.reports_of_case(case)?.into_iter().collect();
            let want = held.get(case).unwrap_or(&none);
            for r in stored.difference(want) {
                report.problems.push(format!("case {case}: it holds report {r}, but no custody event added it"));
            }
            for r in want.difference(&stored) {
                report.problems.push(format!(
                    "case {case}: a custody event added report {r}, but the store does not hold it there"
                ));
            }
            let stored: BTreeSet<String> = self.store.read()?.case_members(case)?.into_iter().collect();
            let want = logged.members.get(case).unwrap_or(&nobody);
            for u in stored.difference(want) {
                report
                    .problems
                    .push(format!("case {case}: {u} is assigned to it, but no custody event records the assignment"));
            }
            for u in want.difference(&stored) {
                report.problems.push(format!("case {case}: a custody event assigned {u}, but the store does not"));
            }
        }
        let word = |linked: bool| if linked { "linked" } else { "unlinked" };
        for (r, l) in &logged.exhibits {
            let rows = self.store.read()?.manual_links(r)?;
            for row in rows.iter().filter(|row| row.a == *r) {
                match l.links.get(&row.b) {
                    Some((_, linked)) if *linked == row.linked => {}
                    Some((event, linked)) => report.problems.push(format!(
                        "reports {r} and {}: stored as {} by hand, but custody event #{event} {} them",
                        row.b,
                        word(row.linked),
                        word(*linked)
                    )),
                    None => report.problems.push(format!(
                        "reports {r} and {}: stored as {} by hand, but no custody event records it",
                        row.b,
                        word(row.linked)
                    )),
                }
            }
            for (other, (event, linked)) in l.links.range(r.clone()..).filter(|(o, _)| *o > r) {
                if !rows.iter().any(|row| row.a == *r && row.b == *other) {
                    report.problems.push(format!(
                        "reports {r} and {other}: custody event #{event} {} them by hand, but the store has no such decision",
                        word(*linked)
                    ));
                }
            }
        }
        Ok(())
    }

    /// Each report's stored grade against its latest grading event: a grade
    /// changed in the database (triggers dropped) is named.
    fn verify_grades(
        &self,
        report: &mut VerifyReport,
        logged: &BTreeMap<ExhibitRef, LoggedExhibit>,
    ) -> Result<(), CoreError> {
        for (r, l) in logged {
            let Some(row) = self.store.read()?.report(r)? else { continue };
            match (&row.grade, &l.grade) {
                (None, None) => {}
                (Some(g), Some((_, want))) if g == want => {}
                (Some(g), Some((event, want))) => report.problems.push(format!(
                    "report {r}: its stored grade {g} differs from {want}, the grade in its custody event #{event}"
                )),
                (Some(g), None) => {
                    report.problems.push(format!("report {r}: graded {g}, but no custody event records a grading"))
                }
                (None, Some((event, want))) => report
                    .problems
                    .push(format!("report {r}: no stored grade, but custody event #{event} graded it {want}")),
            }
        }
        Ok(())
    }

    fn verify_exhibits(
        &self,
        report: &mut VerifyReport,
        logged: &BTreeMap<ExhibitRef, LoggedExhibit>,
    ) -> Result<(), CoreError> {
        let rows = self.store.read()?.exhibits()?;
        let mut checked: HashMap<Sha256Digest, Result<FileHashes, String>> = HashMap::new();
        let mut seen = std::collections::BTreeSet::new();
        for row in rows {
            report.exhibits += 1;
            let r = row.reference.clone();
            seen.insert(r.clone());
            let log = logged.get(&r);
            match log.and_then(|l| l.received.as_ref()) {
                None => report.problems.push(format!("exhibit {r}: the custody log has no `received` event for it")),
                Some((idx, digest, hashes)) => {
                    if *idx != row.received_event {
                        report.problems.push(format!(
                            "exhibit {r}: the store says it was received at event #{}, the log says #{idx}",
                            row.received_event
                        ));
                    }
                    let row_hashes = FileHashes {
                        size: row.size,
                        md5: row.md5,
                        sha1: row.sha1,
                        sha256: row.sha256,
                        blake3: row.blake3,
                    };
                    if *digest != row.sha256 || hashes.as_ref().is_some_and(|h| *h != row_hashes) {
                        report.problems.push(format!(
                            "exhibit {r}: the store's hashes differ from those signed in the log at event #{idx}"
                        ));
                    }
                }
            }
            let log_deleted = log.and_then(|l| l.deleted);
            if row.deleted_event != log_deleted {
                report.problems.push(format!(
                    "exhibit {r}: the store and the log disagree on its deletion ({:?} vs {:?})",
                    row.deleted_event, log_deleted
                ));
            }
            if row.deleted_event.is_some() {
                report.deleted_exhibits += 1;
                continue;
            }
            let outcome = match checked.get(&row.sha256) {
                Some(o) => o.clone(),
                None => {
                    let o = match self.open_blob(&row.sha256) {
                        Ok(r) => vigil_vault::Vault::check_reader(r, &row.sha256).map_err(|e| e.to_string()),
                        Err(e) => Err(e.to_string()),
                    };
                    if let Ok(h) = &o {
                        report.blobs_checked += 1;
                        report.bytes_checked += h.size;
                    }
                    checked.insert(row.sha256, o.clone());
                    o
                }
            };
            match outcome {
                Err(e) => report.problems.push(format!("exhibit {r}: {e}")),
                Ok(h) => {
                    if h.md5 != row.md5 || h.sha1 != row.sha1 || h.blake3 != row.blake3 || h.size != row.size {
                        report.problems.push(format!(
                            "exhibit {r}: blob {} re-hashes to digests that differ from those recorded",
                            row.sha256
                        ));
                    }
                }
            }
        }
        for r in logged.iter().filter(|(_, l)| l.received.is_some()).map(|(r, _)| r) {
            if !seen.contains(r) {
                report.problems.push(format!(
                    "exhibit {r}: the custody log records it but the store has no record of it (removed?)"
                ));
            }
        }
        Ok(())
    }
}

/// The officer a case's `reviewed` event assigned: "{username} ({role}) assigned to the case".
fn assigned_officer(note: &str) -> Option<&str> {
    note.strip_suffix(") assigned to the case").and_then(|n| n.rsplit_once(" (")).map(|(who, _)| who)
}

/// The other report and the decision in a hand-made link's event:
/// "linked to report X by hand: …" or "unlinked from report X by hand: …".
fn hand_link(note: &str) -> Option<(ExhibitRef, bool)> {
    let (rest, linked) = match note.strip_prefix("linked to report ") {
        Some(rest) => (rest, true),
        None => (note.strip_prefix("unlinked from report ")?, false),
    };
    let (other, _) = rest.split_once(" by hand: ")?;
    Some((ExhibitRef::parse(other).ok()?, linked))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_name_the_officer_and_the_link_they_were_written_with() {
        assert_eq!(assigned_officer("j.smith (investigator) assigned to the case"), Some("j.smith"));
        assert_eq!(assigned_officer("case opened from report PR/1: a (b) assigned to the case x"), None);
        let pr2 = ExhibitRef::parse("PR/2").unwrap();
        assert_eq!(hand_link("linked to report PR/2 by hand: same phone"), Some((pr2.clone(), true)));
        assert_eq!(hand_link("unlinked from report PR/2 by hand: by hand: twice"), Some((pr2, false)));
        assert_eq!(hand_link("linked to report nonsense by hand: x"), None);
        assert_eq!(hand_link("graded 2/B/P"), None);
    }
}
