//! A case's review set: the images and videos a scan found that matched no
//! known-good set, each once however many copies the media holds, with a
//! small preview sealed in the vault, stacked so that one decision can
//! cover near-duplicates (see `vigil_pdq::stack` for the rule), and the
//! decisions officers take on them.
//!
//! Items are added by the scan in batches, one unit of work each: the rows
//! are projected, so each batch's custody event carries them. A decision
//! is a `decided` event on the item; a stack decision names every item it
//! covers. Nothing here decides who may look: every officer call goes
//! through the case gate with [`Need::Review`] first.

use crate::case_work::Need;
use crate::data_dir::Vigil;
use crate::error::CoreError;
use crate::officers::OfficerSession;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::PathBuf;
use vigil_domain::{
    Actor, CaseId, CustodyEvent, EventKind, Initials, ObjectRef, ReviewCategory, ReviewMethod, Sha256Digest,
};
use vigil_scan::{escape_path, FileRecord, MatchResult};
use vigil_store::ReviewItemRow;

/// Items written per unit of work while a set is built: each unit's event
/// carries its rows, so this bounds an event's size.
const BATCH: usize = 200;
/// Largest archive member read again for a preview.
const MAX_MEMBER_PREVIEW: u64 = 256 << 20;
/// Keyframes kept of one video, at most.
const MAX_KEYFRAMES: usize = 8;

/// What the build was asked to do.
pub struct ReviewBuild<'a> {
    pub case: &'a CaseId,
    pub by: &'a Initials,
    /// The scan's identifier (`scan:ID` in the log).
    pub scan: &'a str,
    pub records: &'a [FileRecord],
    /// Per record, its matches against hash sets.
    pub matches: &'a [Vec<MatchResult>],
    /// PDQ distance within which images stack.
    pub radius: u32,
    /// Make sealed previews (off only for benchmarks of the set itself).
    pub previews: bool,
}

/// What a build added.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ReviewBuilt {
    /// New items (unique content).
    pub items: u64,
    /// Paths found of content already in the set, or found twice.
    pub copies: u64,
    pub videos: u64,
    /// Items categorised by a known-bad hash set.
    pub pre_categorised: u64,
    /// Files a known-good set matched: left out.
    pub known_good: u64,
    /// Stacks of two or more the new items made or joined.
    pub stacks: u64,
    /// Items with no preview, with why.
    pub no_preview: Vec<(String, String)>,
}

/// The rest of an item's row, as JSON.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Detail {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub md5: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha1: Option<String>,
    pub size: u64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dihedral: Vec<String>,
    /// SHA-256 of each sealed preview: one for an image, a keyframe each for a video.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub previews: Vec<String>,
    /// A video's keyframe times, in seconds, parallel to `previews`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub frames: Vec<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_preview: Option<String>,
    pub scan: String,
    /// The keyframe a video's decision was taken from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worst_frame: Option<usize>,
}

/// One item as the review pages and the CLI see it (no pixels).
#[derive(Debug, Clone, Serialize)]
pub struct ReviewItem {
    pub item: u64,
    pub kind: String,
    /// The first place it was found, and every place.
    pub path: String,
    pub paths: Vec<String>,
    pub sha256: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub md5: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha1: Option<String>,
    pub size: u64,
    pub pdq: Option<String>,
    pub quality: Option<u32>,
    pub stack: u64,
    pub distance: Option<u32>,
    pub category: Option<ReviewCategory>,
    pub method: Option<ReviewMethod>,
    pub source: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    /// How many previews it has (keyframes for a video).
    pub previews: usize,
    pub frames: Vec<f64>,
    pub no_preview: Option<String>,
    pub worst_frame: Option<usize>,
}

impl ReviewItem {
    fn from_row(r: &ReviewItemRow) -> Result<Self, CoreError> {
        let bad = |why: String| CoreError::Log(format!("review item {} of case {}: {why}", r.item, r.case_id));
        let paths: Vec<String> = serde_json::from_str(&r.paths).map_err(|e| bad(e.to_string()))?;
        let d: Detail = serde_json::from_str(&r.detail).map_err(|e| bad(e.to_string()))?;
        Ok(ReviewItem {
            item: r.item,
            kind: r.kind.clone(),
            path: paths.first().cloned().unwrap_or_default(),
            paths,
            sha256: r.sha256.clone(),
            md5: d.md5,
            sha1: d.sha1,
            size: d.size,
            pdq: r.pdq.clone(),
            quality: r.quality,
            stack: r.stack,
            distance: r.distance,
            category: r.category.as_deref().map(ReviewCategory::parse).transpose()?,
            method: r.method.as_deref().map(ReviewMethod::parse).transpose()?,
            source: r.source.clone(),
            decided_by: r.decided_by.clone(),
            decided_at: r.decided_ms.map(|ms| vigil_domain::Timestamp::from_unix_millis(ms).to_string()),
            previews: d.previews.len(),
            frames: d.frames,
            no_preview: d.no_preview,
            worst_frame: d.worst_frame,
        })
    }

    pub fn is_representative(&self) -> bool {
        self.stack == self.item
    }
}

/// A stack as `vigil review stacks` prints it.
#[derive(Debug, Clone, Serialize)]
pub struct StackView {
    pub representative: ReviewItem,
    pub members: Vec<ReviewItem>,
}

/// The set arranged in stacks: stacks of two or more, then every item alone.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewStacks {
    pub stacks: Vec<StackView>,
    pub unstacked: Vec<ReviewItem>,
}

/// Arranges items (in item order) into stacks.
pub(crate) fn arrange(items: Vec<ReviewItem>) -> ReviewStacks {
    let mut members: HashMap<u64, Vec<ReviewItem>> = HashMap::new();
    let mut reps = Vec::new();
    for i in items {
        if i.is_representative() {
            reps.push(i);
        } else {
            members.entry(i.stack).or_default().push(i);
        }
    }
    let mut stacks = Vec::new();
    let mut unstacked = Vec::new();
    for r in reps {
        match members.remove(&r.item) {
            Some(m) => stacks.push(StackView { representative: r, members: m }),
            None => unstacked.push(r),
        }
    }
    // A member whose representative is missing would be a broken row; it
    // is shown alone rather than lost.
    let mut orphans: Vec<ReviewItem> = members.into_values().flatten().collect();
    orphans.sort_by_key(|i| i.item);
    unstacked.extend(orphans);
    stacks
        .sort_by(|a, b| b.members.len().cmp(&a.members.len()).then(a.representative.item.cmp(&b.representative.item)));
    ReviewStacks { stacks, unstacked }
}

/// Where an item's bytes are on the media.
enum Source {
    File(PathBuf),
    /// An archive's member: the archive file and the member's name.
    Member(PathBuf, Vec<u8>),
    Unknown,
}

/// The archive and member a member record's `archive!member` path names:
/// the first `!` whose prefix is a file (an archive's own path may hold `!`).
fn member_source(path: &[u8]) -> Source {
    for (i, _) in path.iter().enumerate().filter(|(_, b)| **b == b'!') {
        let archive = os_path(&path[..i]);
        if archive.is_file() {
            return Source::Member(archive, path[i + 1..].to_vec());
        }
    }
    Source::Unknown
}

/// The path of a record as the file system takes it.
fn os_path(bytes: &[u8]) -> PathBuf {
    #[cfg(unix)]
    {
        PathBuf::from(<std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(bytes))
    }
    #[cfg(not(unix))]
    {
        PathBuf::from(String::from_utf8_lossy(bytes).into_owned())
    }
}

/// The most severe known-bad category among a file's matches, with its
/// set; `None` when a known-good set matched (the file is left out).
enum Matched {
    Good,
    Bad(ReviewCategory, String),
    Nothing,
}

fn matched(m: &[MatchResult]) -> Matched {
    if m.iter().any(|m| m.category == "known-good") {
        return Matched::Good;
    }
    let rank = |c: &str| match c {
        "A" => 0,
        "B" => 1,
        "C" => 2,
        _ => 3,
    };
    match m.iter().min_by_key(|m| rank(&m.category)) {
        Some(m) => {
            let c = ReviewCategory::parse(&m.category).unwrap_or(ReviewCategory::Other);
            let how = match m.pdq_distance {
                Some(d) => format!("{} (PDQ distance {d})", m.set),
                None => m.set.clone(),
            };
            Matched::Bad(c, how)
        }
        None => Matched::Nothing,
    }
}

/// An item being built.
struct Pending {
    row: ReviewItemRow,
    detail: Detail,
    paths: Vec<String>,
    /// Where to read it from for a preview.
    source: Source,
    dihedral: Option<[vigil_pdq::Hash256; 8]>,
}

fn parse_dihedral(r: &vigil_scan::PdqRecord) -> Option<[vigil_pdq::Hash256; 8]> {
    if r.dihedral.len() != 8 {
        return None;
    }
    let mut out = [vigil_pdq::Hash256::default(); 8];
    for (o, h) in out.iter_mut().zip(&r.dihedral) {
        *o = vigil_pdq::Hash256::from_hex(h).ok()?;
    }
    Some(out)
}

/// A video's keyframes: one frame a second hashed, a frame kept wherever
/// the picture changes by more than PDQ's match distance, at most
/// [`MAX_KEYFRAMES`], each as a preview.
fn video_keyframes(file: &std::path::Path) -> Result<(Vec<f64>, Vec<Vec<u8>>), String> {
    let h = vigil_video::hash_video(file, vigil_video::HashOptions { seconds_per_hash: 1.0, for_comparison: false })
        .map_err(|e| e.to_string())?;
    let mut times: Vec<f64> = Vec::new();
    let mut last: Option<vigil_pdq::Hash256> = None;
    for f in &h.frames {
        if f.quality < vigil_pdq::STACK_MIN_QUALITY && !times.is_empty() {
            continue;
        }
        if last.is_none_or(|l| l.hamming(&f.pdq) > vigil_pdq::STACK_RADIUS) {
            times.push(f.seconds());
            last = Some(f.pdq);
        }
    }
    if times.len() > MAX_KEYFRAMES {
        // Spread the kept ones over the whole video.
        let n = times.len();
        times = (0..MAX_KEYFRAMES).map(|k| times[k * n / MAX_KEYFRAMES]).collect();
    }
    let mut previews = Vec::new();
    for t in &times {
        let png = vigil_video::frame_png(file, *t, vigil_pdq::PREVIEW_SIDE).map_err(|e| e.to_string())?;
        let rgb = image_of_png(&png)?;
        previews.push(vigil_pdq::preview_of_rgb(&rgb)?);
    }
    Ok((times, previews))
}

fn image_of_png(png: &[u8]) -> Result<image::RgbImage, String> {
    image::load_from_memory_with_format(png, image::ImageFormat::Png).map(|i| i.to_rgb8()).map_err(|e| e.to_string())
}

impl Vigil {
    /// Adds a scan's images and videos to the case's review set (see the
    /// module note). Content already in the set gains the new paths. If
    /// another scan adds items to the same case meanwhile, the numbers this
    /// one chose are taken: what it already wrote stays, and the rest is
    /// built again against the set as it now is.
    pub fn build_review_set(&self, req: &ReviewBuild<'_>) -> Result<ReviewBuilt, CoreError> {
        let mut attempts = 0;
        loop {
            match self.build_review_set_once(req) {
                Err(CoreError::Store(vigil_store::StoreError::Duplicate(_))) if attempts < 4 => attempts += 1,
                other => return other,
            }
        }
    }

    fn build_review_set_once(&self, req: &ReviewBuild<'_>) -> Result<ReviewBuilt, CoreError> {
        // As with exhibits, the scan names the case; officers reach the set
        // only through a case they are assigned to.
        let case = req.case;
        let existing = self.store.read()?.review_items(case)?;
        let mut by_sha: HashMap<String, usize> = HashMap::new();
        let mut updated: Vec<ReviewItemRow> = Vec::new();
        let mut next = existing.iter().map(|r| r.item).max().unwrap_or(0) + 1;
        let mut pending: Vec<Pending> = Vec::new();
        let mut out = ReviewBuilt::default();
        let empty = Vec::new();
        let mut old_by_sha: HashMap<&str, usize> = HashMap::new();
        for (i, r) in existing.iter().enumerate() {
            old_by_sha.insert(r.sha256.as_str(), i);
        }
        let mut old_paths: HashMap<usize, Vec<String>> = HashMap::new();
        for (idx, rec) in req.records.iter().enumerate() {
            let Some(sha) = rec.digests.sha256.as_deref().filter(|_| rec.error.is_none()) else { continue };
            let path = escape_path(&rec.path);
            let video = !rec.member && vigil_video::looks_like_video(&path);
            if rec.pdq.is_none() && !video {
                continue;
            }
            let m = match matched(req.matches.get(idx).unwrap_or(&empty)) {
                Matched::Good => {
                    out.known_good += 1;
                    continue;
                }
                m => m,
            };
            let sha = hex::encode(sha);
            if let Some(&k) = by_sha.get(&sha) {
                if !pending[k].paths.contains(&path) {
                    pending[k].paths.push(path);
                    out.copies += 1;
                }
                continue;
            }
            if let Some(&k) = old_by_sha.get(sha.as_str()) {
                let paths = old_paths
                    .entry(k)
                    .or_insert_with(|| serde_json::from_str::<Vec<String>>(&existing[k].paths).unwrap_or_default());
                if !paths.contains(&path) {
                    paths.push(path);
                    out.copies += 1;
                }
                continue;
            }
            let pdq = rec.pdq.as_ref();
            let detail = Detail {
                md5: rec.digests.md5.as_deref().map(hex::encode),
                sha1: rec.digests.sha1.as_deref().map(hex::encode),
                size: rec.size,
                dihedral: pdq.map(|p| p.dihedral.clone()).unwrap_or_default(),
                scan: req.scan.to_owned(),
                no_preview: pdq.and_then(|p| p.error.clone()).map(|e| format!("could not be decoded: {e}")),
                ..Detail::default()
            };
            let (category, method, source) = match m {
                Matched::Bad(c, set) => {
                    out.pre_categorised += 1;
                    (Some(c.as_str().to_owned()), Some(ReviewMethod::HashMatch.as_str().to_owned()), Some(set))
                }
                _ => (None, None, None),
            };
            let row = ReviewItemRow {
                case_id: case.clone(),
                item: next,
                kind: if video { "video" } else { "image" }.into(),
                sha256: sha.clone(),
                paths: String::new(),
                pdq: pdq.and_then(|p| p.hash.clone()),
                quality: pdq.filter(|p| p.hash.is_some()).map(|p| p.quality),
                detail: String::new(),
                stack: next,
                distance: None,
                category,
                method,
                source,
                decided_by: None,
                decided_ms: None,
            };
            if video {
                out.videos += 1;
            }
            by_sha.insert(sha, pending.len());
            pending.push(Pending {
                row,
                detail,
                paths: vec![path],
                source: if rec.member { member_source(&rec.path) } else { Source::File(os_path(&rec.path)) },
                dihedral: pdq.and_then(parse_dihedral),
            });
            next += 1;
        }
        out.items = pending.len() as u64;
        // Stack the new images that wait for a decision (a hash match needs
        // none), with the representatives of earlier scans' stacks still
        // undecided put first so that they stay representatives: a new
        // near-copy joins the stack the officer will see, never a decided one.
        let earlier: Vec<(u64, [vigil_pdq::Hash256; 8])> = existing
            .iter()
            .filter(|r| {
                r.stack == r.item
                    && r.category.is_none()
                    && r.quality.is_some_and(|q| q >= vigil_pdq::STACK_MIN_QUALITY)
            })
            .filter_map(|r| {
                let d: Detail = serde_json::from_str(&r.detail).ok()?;
                let rec = vigil_scan::PdqRecord { hash: r.pdq.clone(), quality: 0, dihedral: d.dihedral, error: None };
                parse_dihedral(&rec).map(|h| (r.item, h))
            })
            .collect();
        let candidates: Vec<usize> = (0..pending.len())
            .filter(|&k| pending[k].row.category.is_none() && pending[k].dihedral.is_some())
            .collect();
        let inputs: Vec<vigil_pdq::StackInput> = earlier
            .iter()
            .map(|(_, h)| vigil_pdq::StackInput { dihedral: *h, quality: u32::MAX })
            .chain(candidates.iter().map(|&k| vigil_pdq::StackInput {
                dihedral: pending[k].dihedral.expect("filtered on it"),
                quality: pending[k].row.quality.unwrap_or(0),
            }))
            .collect();
        let stacks = vigil_pdq::stack(&inputs, req.radius, vigil_pdq::STACK_MIN_QUALITY);
        let n_earlier = earlier.len();
        for s in &stacks.stacks {
            let rep = match s.representative.checked_sub(n_earlier) {
                None => earlier[s.representative].0,
                Some(k) => pending[candidates[k]].row.item,
            };
            let mut grew = false;
            for &(m, d) in &s.members {
                // An earlier item's row is left as it is.
                if let Some(k) = m.checked_sub(n_earlier) {
                    let p = &mut pending[candidates[k]];
                    p.row.stack = rep;
                    p.row.distance = Some(d);
                    grew = true;
                }
            }
            if grew {
                out.stacks += 1;
            }
        }
        for (k, paths) in old_paths {
            let mut row = existing[k].clone();
            row.paths = serde_json::to_string(&paths).expect("paths serialise");
            updated.push(row);
        }
        let mut batches = pending.chunks_mut(BATCH).peekable();
        if batches.peek().is_none() && !updated.is_empty() {
            self.write_review_batch(req, &mut [], &updated, &mut out)?;
        }
        while let Some(batch) = batches.next() {
            let last = batches.peek().is_none();
            let extra: &[ReviewItemRow] = if last { &updated } else { &[] };
            self.write_review_batch(req, batch, extra, &mut out)?;
        }
        Ok(out)
    }

    /// Makes the previews of one batch, seals them, and writes the batch's
    /// rows under one `created` event.
    fn write_review_batch(
        &self,
        req: &ReviewBuild<'_>,
        batch: &mut [Pending],
        updated: &[ReviewItemRow],
        out: &mut ReviewBuilt,
    ) -> Result<(), CoreError> {
        let mut previews: Vec<Vec<u8>> = Vec::new();
        let mut owner: Vec<usize> = Vec::new();
        for (k, p) in batch.iter_mut().enumerate() {
            if !req.previews || p.detail.no_preview.is_some() {
                continue;
            }
            let made = match &p.source {
                Source::File(file) if p.row.kind == "video" => video_keyframes(file),
                Source::File(file) => std::fs::read(file)
                    .map_err(|e| e.to_string())
                    .and_then(|b| vigil_pdq::preview_jpeg(&b))
                    .map(|jpeg| (Vec::new(), vec![jpeg])),
                Source::Member(archive, name) => vigil_scan::member_bytes(archive, name, MAX_MEMBER_PREVIEW)
                    .and_then(|b| vigil_pdq::preview_jpeg(&b))
                    .map(|jpeg| (Vec::new(), vec![jpeg])),
                Source::Unknown => Err("its archive could not be found again".into()),
            };
            match made {
                Ok((frames, jpegs)) => {
                    p.detail.frames = frames;
                    for j in jpegs {
                        previews.push(j);
                        owner.push(k);
                    }
                }
                Err(why) => p.detail.no_preview = Some(format!("no preview: {why}")),
            }
        }
        let refs: Vec<&[u8]> = previews.iter().map(Vec::as_slice).collect();
        let staged = self.stage_blobs(&refs)?;
        for (s, &k) in staged.iter().zip(&owner) {
            batch[k].detail.previews.push(s.hashes.sha256.to_hex());
        }
        for p in batch.iter_mut() {
            p.row.paths = serde_json::to_string(&p.paths).expect("paths serialise");
            p.row.detail = serde_json::to_string(&p.detail).expect("detail serialises");
            if let Some(why) = &p.detail.no_preview {
                out.no_preview.push((p.paths[0].clone(), why.clone()));
            }
        }
        let (first, last) = (batch.first().map(|p| p.row.item), batch.last().map(|p| p.row.item));
        self.write_staged(&staged, |u| {
            for s in &staged {
                u.put_blob(s)?;
            }
            for p in batch.iter() {
                u.tx().insert_review_item(&p.row)?;
            }
            for r in updated {
                u.tx().put_review_item(r)?;
            }
            let mut ev = CustodyEvent::new(
                EventKind::Created,
                Actor::from(req.by),
                u.now,
                ObjectRef::parse(&format!("review-set:{}", req.case))?,
            );
            ev.case = Some(req.case.clone());
            let added = match (first, last) {
                (Some(a), Some(b)) => format!("items {a} to {b} added"),
                _ => "no new items".into(),
            };
            ev.note = Some(format!(
                "{added} from scan {} ({} previews sealed); {} items already in the set found again",
                req.scan,
                staged.len(),
                updated.len()
            ));
            u.log(ev);
            Ok(())
        })
    }

    /// The case's review set in stacks, for the CLI: paths and hashes, no
    /// pixels. The listing is recorded as an `accessed` event.
    pub fn review_stacks(&self, case: &CaseId, actor: &Actor) -> Result<ReviewStacks, CoreError> {
        let items = self.review_items_of(case)?;
        let mut ev = CustodyEvent::new(
            EventKind::Accessed,
            actor.clone(),
            self.now(),
            ObjectRef::parse(&format!("review-set:{case}"))?,
        );
        ev.case = Some(case.clone());
        ev.reason = Some("review set listed in stacks (paths and hashes, no pictures)".into());
        self.append_events(&[ev])?;
        Ok(arrange(items))
    }

    pub(crate) fn review_items_of(&self, case: &CaseId) -> Result<Vec<ReviewItem>, CoreError> {
        self.store.read()?.review_items(case)?.iter().map(ReviewItem::from_row).collect()
    }

    fn review_row(&self, case: &CaseId, item: u64) -> Result<(ReviewItemRow, Vec<ReviewItemRow>), CoreError> {
        let rows = self.store.read()?.review_items(case)?;
        let row = rows
            .iter()
            .find(|r| r.item == item)
            .cloned()
            .ok_or_else(|| CoreError::NoSuchItem { case: case.to_string(), item: format!("review item {item}") })?;
        Ok((row, rows))
    }

    /// The review set for the review page: the officer must be assigned
    /// with a reviewer role. Reading it shows no pictures; it is recorded.
    pub fn review_set(&self, case: &CaseId, officer: &OfficerSession) -> Result<ReviewStacks, CoreError> {
        let actor = self.case_gate(case, officer, Need::Review)?;
        let items = self.review_items_of(case)?;
        let mut ev =
            CustodyEvent::new(EventKind::Accessed, actor, self.now(), ObjectRef::parse(&format!("review-set:{case}"))?);
        ev.case = Some(case.clone());
        ev.reason = Some("review page opened (placeholders only)".into());
        self.append_events(&[ev])?;
        Ok(arrange(items))
    }

    /// Decides an item's category. On a stack's representative the
    /// decision covers every member not decided on its own; "unsure" sends
    /// the item for a second opinion and covers nothing else. A video's
    /// decision may name the keyframe it was taken from.
    pub fn categorise(
        &self,
        case: &CaseId,
        item: u64,
        category: ReviewCategory,
        worst_frame: Option<usize>,
        officer: &OfficerSession,
    ) -> Result<Vec<u64>, CoreError> {
        let actor = self.case_gate(case, officer, Need::Review)?;
        if !ReviewCategory::CHOICES.contains(&category) {
            return Err(CoreError::InvalidInput {
                field: "category".into(),
                why: "choose A, B, C, not indecent or unsure".into(),
            });
        }
        let (mut row, rows) = self.review_row(case, item)?;
        let mut detail: Detail = serde_json::from_str(&row.detail).map_err(|e| CoreError::Log(e.to_string()))?;
        if let Some(f) = worst_frame {
            if row.kind != "video" || f >= detail.previews.len() {
                return Err(CoreError::InvalidInput {
                    field: "frame".into(),
                    why: "not a keyframe of this video".into(),
                });
            }
            detail.worst_frame = Some(f);
            row.detail = serde_json::to_string(&detail).expect("detail serialises");
        }
        let covered: Vec<ReviewItemRow> = if row.stack == row.item && category != ReviewCategory::Unsure {
            rows.iter()
                .filter(|r| {
                    r.stack == item
                        && r.item != item
                        && (r.category.is_none() || r.method.as_deref() == Some(ReviewMethod::Stack.as_str()))
                })
                .cloned()
                .collect()
        } else {
            Vec::new()
        };
        let sha = Sha256Digest::from_hex(&row.sha256).map_err(|e| CoreError::Log(e.to_string()))?;
        let username = officer.username.clone();
        let numbers: Vec<u64> = covered.iter().map(|r| r.item).collect();
        self.write(|u| {
            let ms = u.now.unix_millis();
            let decide = |r: &mut ReviewItemRow, method: ReviewMethod, source: Option<String>| {
                r.category = Some(category.as_str().to_owned());
                r.method = Some(method.as_str().to_owned());
                r.source = source;
                r.decided_by = Some(username.clone());
                r.decided_ms = Some(ms);
            };
            let source = worst_frame
                .map(|f| format!("keyframe {} at {:.1} s", f + 1, detail.frames.get(f).copied().unwrap_or(0.0)));
            decide(&mut row, ReviewMethod::Officer, source);
            u.tx().put_review_item(&row)?;
            for mut r in covered {
                decide(&mut r, ReviewMethod::Stack, Some(format!("item {item}")));
                u.tx().put_review_item(&r)?;
            }
            let mut ev = CustodyEvent::new(
                EventKind::Decided,
                actor,
                u.now,
                ObjectRef::parse(&format!("review-item:{case}/{item}"))?,
            );
            ev.case = Some(case.clone());
            ev.digest = Some(sha);
            let mut note = match category {
                ReviewCategory::Unsure => format!("review item {item}: unsure, sent for a second opinion"),
                c => format!("review item {item}: {}", c.label()),
            };
            if let Some(f) = worst_frame {
                note.push_str(&format!(", taken from keyframe {}", f + 1));
            }
            if !numbers.is_empty() {
                let list: Vec<String> = numbers.iter().take(40).map(u64::to_string).collect();
                note.push_str(&format!(
                    "; the stack decision covers {} more (items {}{})",
                    numbers.len(),
                    list.join(", "),
                    if numbers.len() > 40 { ", …" } else { "" }
                ));
            }
            ev.note = Some(note);
            u.log(ev);
            Ok(())
        })?;
        Ok(numbers)
    }

    /// Splits a stack: every member stands alone, and any decision the
    /// stack gave it is withdrawn (it needs its own).
    pub fn split_stack(&self, case: &CaseId, item: u64, officer: &OfficerSession) -> Result<Vec<u64>, CoreError> {
        let actor = self.case_gate(case, officer, Need::Review)?;
        let (row, rows) = self.review_row(case, item)?;
        let members: Vec<ReviewItemRow> =
            rows.iter().filter(|r| r.stack == row.item && r.item != row.item).cloned().collect();
        if row.stack != row.item || members.is_empty() {
            return Err(CoreError::Refused(format!("review item {item} does not lead a stack")));
        }
        let numbers: Vec<u64> = members.iter().map(|r| r.item).collect();
        self.write(|u| {
            for mut r in members {
                r.stack = r.item;
                r.distance = None;
                if r.method.as_deref() == Some(ReviewMethod::Stack.as_str()) {
                    (r.category, r.method, r.source, r.decided_by, r.decided_ms) = (None, None, None, None, None);
                }
                u.tx().put_review_item(&r)?;
            }
            let mut ev = CustodyEvent::new(
                EventKind::Reviewed,
                actor,
                u.now,
                ObjectRef::parse(&format!("review-item:{case}/{item}"))?,
            );
            ev.case = Some(case.clone());
            ev.note = Some(format!("stack of review item {item} split: {} items now stand alone", numbers.len()));
            u.log(ev);
            Ok(())
        })?;
        Ok(numbers)
    }

    /// One preview of an item (a keyframe for a video), rendered with the
    /// officer's blur and greyscale, as PNG. Each is an `accessed` event
    /// and counts towards the officer's exposure.
    pub fn reveal_preview(
        &self,
        case: &CaseId,
        item: u64,
        frame: usize,
        officer: &OfficerSession,
    ) -> Result<Vec<u8>, CoreError> {
        let actor = self.case_gate(case, officer, Need::Review)?;
        // One row: a reveal is the page's hot path, and the set may hold thousands.
        let row = self
            .store
            .read()?
            .review_item(case, item)?
            .ok_or_else(|| CoreError::NoSuchItem { case: case.to_string(), item: format!("review item {item}") })?;
        let detail: Detail = serde_json::from_str(&row.detail).map_err(|e| CoreError::Log(e.to_string()))?;
        let sha = detail.previews.get(frame).ok_or_else(|| CoreError::NoSuchItem {
            case: case.to_string(),
            item: format!("preview {frame} of review item {item}"),
        })?;
        let sha = Sha256Digest::from_hex(sha).map_err(|e| CoreError::Log(e.to_string()))?;
        let mut reader = self.open_blob(&sha)?;
        let mut jpeg = Vec::new();
        while let Some(chunk) = reader.next_chunk()? {
            jpeg.extend_from_slice(chunk);
        }
        if <sha2::Sha256 as sha2::Digest>::digest(&jpeg).as_slice() != sha.as_bytes() {
            return Err(CoreError::Log(format!("the preview of review item {item} does not match its digest")));
        }
        let settings = self.reviewer_settings(&officer.username)?;
        let png =
            vigil_pdq::render_preview(&jpeg, vigil_pdq::ViewSettings { blur: settings.blur, grey: settings.grey })
                .map_err(|e| CoreError::Failed(format!("preview of review item {item}: {e}")))?;
        let day = crate::review_exposure::day_of(self.now());
        let username = officer.username.clone();
        self.write(|u| {
            let mut ev = CustodyEvent::new(
                EventKind::Accessed,
                actor,
                u.now,
                ObjectRef::parse(&format!("review-item:{case}/{item}"))?,
            );
            ev.case = Some(case.clone());
            ev.digest = Some(Sha256Digest::from_hex(&row.sha256).map_err(|e| CoreError::Log(e.to_string()))?);
            ev.reason = Some(format!(
                "shown for review{} (blur {}, {})",
                if row.kind == "video" { format!(", keyframe {}", frame + 1) } else { String::new() },
                settings.blur,
                if settings.grey { "greyscale" } else { "colour" }
            ));
            u.log(ev);
            u.tx().add_exposure(&username, &day, 1, 0)?;
            Ok(())
        })?;
        Ok(png)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(n: u64, stack: u64) -> ReviewItem {
        ReviewItem {
            item: n,
            kind: "image".into(),
            path: format!("p{n}"),
            paths: vec![format!("p{n}")],
            sha256: String::new(),
            md5: None,
            sha1: None,
            size: 0,
            pdq: None,
            quality: None,
            stack,
            distance: None,
            category: None,
            method: None,
            source: None,
            decided_by: None,
            decided_at: None,
            previews: 0,
            frames: Vec::new(),
            no_preview: None,
            worst_frame: None,
        }
    }

    #[test]
    fn items_arrange_into_stacks_largest_first() {
        let s = arrange(vec![item(1, 1), item(2, 1), item(3, 3), item(4, 4), item(5, 4), item(6, 4), item(7, 9)]);
        assert_eq!(s.stacks.len(), 2);
        assert_eq!(s.stacks[0].representative.item, 4);
        assert_eq!(s.stacks[0].members.iter().map(|m| m.item).collect::<Vec<_>>(), vec![5, 6]);
        assert_eq!(s.stacks[1].representative.item, 1);
        // Alone, and a member whose representative is missing: shown, not lost.
        assert_eq!(s.unstacked.iter().map(|m| m.item).collect::<Vec<_>>(), vec![3, 7]);
    }

    #[test]
    fn known_good_leaves_out_and_the_worst_category_wins() {
        let m = |set: &str, c: &str| MatchResult { set: set.into(), category: c.into(), pdq_distance: None };
        assert!(matches!(matched(&[m("nsrl", "known-good"), m("caid", "A")]), Matched::Good));
        match matched(&[m("x", "C"), m("caid", "A")]) {
            Matched::Bad(c, set) => assert_eq!((c, set.as_str()), (ReviewCategory::A, "caid")),
            _ => panic!("a known-bad match"),
        }
        assert!(matches!(matched(&[]), Matched::Nothing));
    }
}
