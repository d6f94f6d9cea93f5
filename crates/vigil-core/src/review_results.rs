//! What a review gives the case: counts per category (unique images and
//! all copies) with the method each count rests on, for the case file as
//! a table and PDF; the categorised hashes as VICS JSON or CSV for the
//! national database; and the items waiting for a second opinion.

use crate::case_work::Need;
use crate::data_dir::Vigil;
use crate::error::CoreError;
use crate::officers::OfficerSession;
use crate::review_set::ReviewItem;
use serde::Serialize;
use std::collections::BTreeMap;
use vigil_domain::{CaseId, CustodyEvent, EventKind, ObjectRef, ReviewCategory, ReviewMethod, Role};

/// One line of the counts: a category (or undecided), its items, its copies, and how it was reached.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CountLine {
    pub category: String,
    pub unique: u64,
    pub copies: u64,
    /// e.g. "hash match (caid): 3; reviewed by officer a.b: 2; stack decision (a.b): 4".
    pub method: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReviewCounts {
    pub case: String,
    pub lines: Vec<CountLine>,
    pub items: u64,
    pub copies: u64,
}

impl ReviewCounts {
    pub const HEADERS: [&'static str; 4] = ["Category", "Unique items", "All copies", "Method"];

    pub fn rows(&self) -> Vec<Vec<String>> {
        self.lines
            .iter()
            .map(|l| vec![l.category.clone(), l.unique.to_string(), l.copies.to_string(), l.method.clone()])
            .collect()
    }

    pub fn pdf(&self) -> Vec<u8> {
        crate::pdf_table::table_pdf(
            &format!("Images and videos by category: case {}", self.case),
            &format!(
                "{} unique items, {} copies on the media. Method: hash match against a known-bad set; reviewed by \
                 the officer named; or stack decision (an officer's decision on a near-duplicate within PDQ distance 31).",
                self.items, self.copies
            ),
            &Self::HEADERS,
            &[1.6, 1.0, 1.0, 5.0],
            &self.rows(),
        )
    }
}

/// An export for the national database.
pub struct ReviewExport {
    pub bytes: Vec<u8>,
    pub items: u64,
}

fn category_order(c: Option<ReviewCategory>) -> (u8, String) {
    match c {
        Some(ReviewCategory::A) => (0, "A".into()),
        Some(ReviewCategory::B) => (1, "B".into()),
        Some(ReviewCategory::C) => (2, "C".into()),
        Some(ReviewCategory::Other) => (3, "Other (hash set)".into()),
        Some(ReviewCategory::NotIndecent) => (4, "Not indecent".into()),
        Some(ReviewCategory::Unsure) => (5, "Unsure (second opinion)".into()),
        None => (6, "Not yet decided".into()),
    }
}

fn method_of(i: &ReviewItem) -> Option<String> {
    let who = i.decided_by.clone().unwrap_or_default();
    Some(match i.method? {
        ReviewMethod::HashMatch => {
            let set = i.source.as_deref().unwrap_or("a set");
            format!("hash match ({})", set.split(" (PDQ").next().unwrap_or(set))
        }
        ReviewMethod::Officer => format!("reviewed by officer {who}"),
        ReviewMethod::Stack => format!("stack decision ({who})"),
    })
}

/// The counts of a set of items (pure: the tests feed it items).
pub(crate) fn count(case: &CaseId, items: &[ReviewItem]) -> ReviewCounts {
    /// Per category: unique items, copies, and items per method.
    type Tally = (u64, u64, BTreeMap<String, u64>);
    let mut by: BTreeMap<(u8, String), Tally> = BTreeMap::new();
    for i in items {
        let e = by.entry(category_order(i.category)).or_default();
        e.0 += 1;
        e.1 += i.paths.len() as u64;
        if let Some(m) = method_of(i) {
            *e.2.entry(m).or_default() += 1;
        }
    }
    let lines = by
        .into_iter()
        .map(|((_, category), (unique, copies, methods))| CountLine {
            category,
            unique,
            copies,
            method: methods.iter().map(|(m, n)| format!("{m}: {n}")).collect::<Vec<_>>().join("; "),
        })
        .collect();
    ReviewCounts {
        case: case.to_string(),
        lines,
        items: items.len() as u64,
        copies: items.iter().map(|i| i.paths.len() as u64).sum(),
    }
}

/// One export line: an indecent item with its hashes.
fn exported(items: &[ReviewItem]) -> Vec<&ReviewItem> {
    items.iter().filter(|i| i.category.is_some_and(ReviewCategory::is_indecent)).collect()
}

fn vics(case: &CaseId, items: &[&ReviewItem]) -> Vec<u8> {
    let value: Vec<serde_json::Value> = items
        .iter()
        .enumerate()
        .map(|(n, i)| {
            let mut hashes = vec![serde_json::json!({ "HashName": "SHA256", "HashValue": i.sha256.to_uppercase() })];
            let mut m = serde_json::json!({
                "MediaID": n + 1,
                "Category": i.category.map(|c| c.as_str()).unwrap_or("other"),
                "IsDistributed": false,
                "Comments": format!("Vigil case {case}, review item {}: {}", i.item,
                    method_of(i).unwrap_or_default()),
            });
            if let Some(md5) = &i.md5 {
                m["MD5"] = md5.to_uppercase().into();
            }
            if let Some(sha1) = &i.sha1 {
                m["SHA1"] = sha1.to_uppercase().into();
            }
            if let Some(p) = &i.pdq {
                hashes.push(serde_json::json!({ "HashName": "PDQ", "HashValue": p }));
            }
            m["Hashes"] = hashes.into();
            m
        })
        .collect();
    let doc = serde_json::json!({
        "@odata.context": "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/CUSTOM/$metadata#Media",
        "value": value,
        "SourceCase": case.to_string(),
    });
    let mut out = serde_json::to_vec_pretty(&doc).expect("JSON serialises");
    out.push(b'\n');
    out
}

fn csv(case: &CaseId, items: &[&ReviewItem]) -> Vec<u8> {
    let mut out = String::from("sha256,md5,sha1,pdq,category,method,case,item\n");
    for i in items {
        // Every field is hex, a fixed word, a case ID or a number: nothing to quote.
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{}\n",
            i.sha256,
            i.md5.as_deref().unwrap_or(""),
            i.sha1.as_deref().unwrap_or(""),
            i.pdq.as_deref().unwrap_or(""),
            i.category.map(|c| c.as_str()).unwrap_or(""),
            i.method.map(|m| m.as_str()).unwrap_or(""),
            case,
            i.item
        ));
    }
    out.into_bytes()
}

/// An item waiting for a second opinion, as the supervisor's queue lists it.
#[derive(Debug, Clone, Serialize)]
pub struct SecondOpinion {
    pub case: String,
    pub item: u64,
    pub kind: String,
    pub asked_by: Option<String>,
    pub asked_at: Option<String>,
}

impl Vigil {
    /// Counts per category for the case file (no pictures; anyone who may
    /// read the case). The read is recorded.
    pub fn review_counts(&self, case: &CaseId, officer: &OfficerSession) -> Result<ReviewCounts, CoreError> {
        self.audited_read(case, officer, "image review counts per category")?;
        Ok(count(case, &self.review_items_of(case)?))
    }

    /// The same for the CLI, whose operator is named by `actor`.
    pub fn review_counts_as(&self, case: &CaseId, actor: &vigil_domain::Actor) -> Result<ReviewCounts, CoreError> {
        let mut ev = CustodyEvent::new(
            EventKind::Accessed,
            actor.clone(),
            self.now(),
            ObjectRef::parse(&format!("case:{case}"))?,
        );
        ev.case = Some(case.clone());
        ev.reason = Some("image review counts per category (CLI)".into());
        self.append_events(&[ev])?;
        Ok(count(case, &self.review_items_of(case)?))
    }

    /// The categorised (indecent) items as VICS JSON or CSV, for
    /// submission to the national database; recorded as an `exported` event.
    pub fn export_review(
        &self,
        case: &CaseId,
        format: &str,
        officer: &OfficerSession,
    ) -> Result<ReviewExport, CoreError> {
        let actor = self.case_gate(case, officer, Need::Review)?;
        self.export_review_as(case, format, &actor)
    }

    /// The same for the CLI, whose operator is named by `actor`.
    pub fn export_review_as(
        &self,
        case: &CaseId,
        format: &str,
        actor: &vigil_domain::Actor,
    ) -> Result<ReviewExport, CoreError> {
        let items = self.review_items_of(case)?;
        let chosen = exported(&items);
        let bytes = match format {
            "vics" => vics(case, &chosen),
            "csv" => csv(case, &chosen),
            _ => return Err(CoreError::InvalidInput { field: "format".into(), why: "vics or csv".into() }),
        };
        let mut ev = CustodyEvent::new(
            EventKind::Exported,
            actor.clone(),
            self.now(),
            ObjectRef::parse(&format!("review-set:{case}"))?,
        );
        ev.case = Some(case.clone());
        ev.digest = Some(
            vigil_domain::Sha256Digest::from_slice(&<sha2::Sha256 as sha2::Digest>::digest(&bytes))
                .map_err(|e| CoreError::Log(e.to_string()))?,
        );
        ev.note = Some(format!("{} categorised items exported as {format} for the national database", chosen.len()));
        self.append_events(&[ev])?;
        Ok(ReviewExport { bytes, items: chosen.len() as u64 })
    }

    /// Items an officer marked unsure, in every case (supervisors only): the
    /// queue shows where they are, never what they show.
    pub fn second_opinions(&self, officer: &OfficerSession) -> Result<Vec<SecondOpinion>, CoreError> {
        if officer.role != Role::Supervisor {
            return Err(CoreError::Forbidden("only a supervisor gives second opinions".into()));
        }
        let rows = self.store.read()?.review_items_in(ReviewCategory::Unsure.as_str())?;
        Ok(rows
            .into_iter()
            .map(|r| SecondOpinion {
                case: r.case_id.to_string(),
                item: r.item,
                kind: r.kind,
                asked_by: r.decided_by,
                asked_at: r.decided_ms.map(|ms| vigil_domain::Timestamp::from_unix_millis(ms).to_string()),
            })
            .collect())
    }
}
