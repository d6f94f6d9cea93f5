//! Public reports: each is stored as an exhibit (producer `PR`, case
//! `INTAKE-PUBLIC`) before the reporter is answered, and answered with a
//! receipt code and a separate secret. Only a hash of the secret is
//! kept. Nothing about the reporter's connection is stored.

use crate::data_dir::Vigil;
use crate::error::CoreError;
use crate::rate_window::{SharedCount, WindowCount};
use argon2::password_hash::{PasswordHash, PasswordVerifier};
use argon2::Argon2;
use serde::Serialize;
use vigil_domain::{
    classify_attachment, Actor, CaseId, ExhibitRef, Initials, PublicReport, Timestamp, MAX_ATTACHMENTS,
};
use vigil_store::{PublicReportRows, RateCount, SpentTokenRow};

/// A report with no attachment, its JSON sealed in memory, ready to be
/// written with whatever other reports are waiting (`write_queue.rs`).
pub(crate) struct ReadyReport {
    staged: crate::exhibits::StagedBlob,
    /// Assessed in its unit, where how many reports hold its identifiers
    /// is read for all the unit's reports at once.
    report: PublicReport,
    identifiers: Vec<String>,
    reporters: Vec<String>,
    received: Timestamp,
    code: String,
    secret_hash: String,
    /// The form's token, spent in the report's own unit.
    token: Option<SpentTokenRow>,
    /// The request's count in a shared rate window, taken in the same unit
    /// (before the token is spent), with the client's limit.
    count: Option<(RateCount, u64)>,
}

/// What a unit of public reports did with one of them.
pub(crate) struct Written {
    /// The report stored (and whether the commit waited for the disk), or
    /// why not: its form was sent already, or its client is over its limit.
    stored: Result<(ExhibitRef, bool), Unstored>,
    counted: Option<WindowCount>,
}

#[derive(Clone, Copy)]
enum Unstored {
    AlreadySent,
    OverLimit(WindowCount),
}

/// A file attached to the public form, as received.
#[derive(Debug, Clone)]
pub struct Attachment {
    pub name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// The name a reporter's file is kept under: its last path part, printable, at most 100 characters.
fn safe_name(name: &str, index: usize) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = base.chars().filter(|c| !c.is_control()).take(100).collect();
    if clean.trim().is_empty() {
        format!("attachment-{index}")
    } else {
        clean
    }
}

pub const INTAKE_CASE: &str = "INTAKE-PUBLIC";
pub const INTAKE_PRODUCER: &str = "PR";

/// What the reporter is given, once.
#[derive(Debug, Clone, Serialize)]
pub struct Receipt {
    pub code: String,
    pub secret: String,
    pub exhibit: ExhibitRef,
    /// The request's count in its shared rate window, where it was counted
    /// with the report (see [`Vigil::submit_public_form`]).
    #[serde(skip)]
    pub counted: Option<WindowCount>,
}

/// Information a reporter added to their report with the receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddedInformation {
    /// The addition's own exhibit.
    pub addition: ExhibitRef,
    /// The report it adds to.
    pub report: ExhibitRef,
    /// Whether officers are still working the report (open, or in a case):
    /// then the addition is news to them, as a new report would be.
    pub report_live: bool,
    pub immediate_danger: bool,
}

/// Crockford base32 without the ambiguous letters: easy to read out on a phone.
fn random_code(bytes: usize) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut raw = vec![0u8; bytes];
    getrandom::getrandom(&mut raw).expect("the OS random source is available");
    raw.iter().map(|b| ALPHABET[(*b & 31) as usize] as char).collect()
}

impl Vigil {
    pub fn submit_public_report(&self, report: &PublicReport) -> Result<Receipt, CoreError> {
        self.submit_public_report_with(report, &[])
    }

    /// Stores a report and its attachments, then answers with a receipt.
    /// Every attachment is checked before anything is stored, so a refused
    /// file leaves nothing behind.
    pub fn submit_public_report_with(
        &self,
        report: &PublicReport,
        attachments: &[Attachment],
    ) -> Result<Receipt, CoreError> {
        self.submit_public_form(report, attachments, None, None)
    }

    /// As [`Vigil::submit_public_report_with`], spending the single-use
    /// token of the form that sent it (nodes sharing a store) in the same
    /// unit: the token is spent if and only if the report is stored, so a
    /// report that could not be stored can be sent again with the same
    /// form. A token spent already stores nothing
    /// ([`CoreError::FormAlreadySent`]).
    ///
    /// With `count`, the request is counted in its shared rate window first
    /// (for a report without files, in the same unit, with the unit's
    /// other reports); over the client's limit nothing is stored and the
    /// token is not spent ([`CoreError::OverLimit`]).
    pub fn submit_public_form(
        &self,
        report: &PublicReport,
        attachments: &[Attachment],
        token: Option<&crate::form_tokens::FormSpend>,
        count: Option<&SharedCount<'_>>,
    ) -> Result<Receipt, CoreError> {
        let token = token.map(crate::form_tokens::FormSpend::row);
        report.validate()?;
        if attachments.len() > MAX_ATTACHMENTS {
            return Err(CoreError::Refused(format!("at most {MAX_ATTACHMENTS} files can be attached")));
        }
        let mut kinds = Vec::with_capacity(attachments.len());
        for a in attachments {
            kinds.push(
                classify_attachment(&a.name, &a.content_type, &a.bytes)
                    .map_err(|e| CoreError::Refused(e.to_string()))?,
            );
        }
        let identifiers = crate::triage::report_identifiers(report);
        let reporters = self.reporter_keys(report.contact.as_deref());
        let t = self.now();
        let body = serde_json::json!({
            "submitted": t.to_string(),
            "report": report,
            "attachments": attachments.iter().zip(&kinds).map(|(a, k)| serde_json::json!({"name": a.name, "type": k})).collect::<Vec<_>>(),
        });
        let bytes = serde_json::to_vec_pretty(&body).expect("a report serialises");
        // Seal everything first, outside any lock; then the exhibits, their
        // events, the report row and the receipt commit as one unit, so a
        // crash leaves all of the report or none of it.
        let mut inputs: Vec<&[u8]> = vec![&bytes];
        inputs.extend(attachments.iter().map(|a| a.bytes.as_slice()));
        let staged = self.stage_blobs(&inputs)?;
        let code = format!("VR-{}-{}", random_code(4), random_code(4));
        let secret = code_secret();
        let hash = receipt_hash(&code, &secret);
        let (case, producer) = (CaseId::parse(INTAKE_CASE)?, Initials::parse(INTAKE_PRODUCER)?);
        if attachments.is_empty() && staged[0].is_inline() {
            let staged = staged.into_iter().next().expect("the report itself is staged");
            let count = match count {
                Some(c) => Some((self.rate_count(c.limiter, c.window_secs, c.client)?, c.limit)),
                None => None,
            };
            let ready = ReadyReport {
                staged,
                report: report.clone(),
                identifiers,
                reporters,
                received: t,
                code,
                secret_hash: hash,
                token,
                count,
            };
            let code = ready.code.clone();
            let written = self.report_queue.submit(ready, |reports| self.write_public_reports(reports))?;
            let (reference, durable) = match written.stored {
                Ok(stored) => stored,
                Err(Unstored::AlreadySent) => return Err(CoreError::FormAlreadySent),
                Err(Unstored::OverLimit(counted)) => return Err(CoreError::OverLimit(counted)),
            };
            // Whoever wrote it, this request answers only once it is on disk.
            if !durable {
                self.store.make_durable()?;
            }
            return Ok(Receipt { code, secret, exhibit: reference, counted: written.counted });
        }
        // A report with files is counted on its own, before its unit: the
        // rare path, not worth a place in the unit.
        let counted = match count {
            Some(c) => {
                let (mine, all) = self.count_request(c.limiter, c.window_secs, c.client)?;
                let counted = WindowCount { mine, all };
                if mine > c.limit {
                    return Err(CoreError::OverLimit(counted));
                }
                Some(counted)
            }
            None => None,
        };
        let (risk, kind) = (self.assess_report(report)?.0, report.kind);
        let reference = self.write_staged(&staged, |u| {
            if let Some(token) = &token {
                if u.tx().spend_form_tokens(std::slice::from_ref(token), crate::form_tokens::unix_seconds())? != [true]
                {
                    return Err(CoreError::FormAlreadySent);
                }
            }
            let hashes = u.put_blob(&staged[0])?;
            let report =
                u.record_exhibit(&case, &producer, Some("report.json".into()), Some("public report"), hashes)?;
            u.tx().insert_report(&crate::triage::new_report_row(&report, t, &risk, kind), &identifiers)?;
            u.tx().insert_report_reporters(&report, &reporters)?;
            for (i, ((a, k), staged)) in attachments.iter().zip(&kinds).zip(&staged[1..]).enumerate() {
                let h = u.put_blob(staged)?;
                let name = safe_name(&a.name, i);
                let note = format!("attachment {i} to public report {report}");
                let file = u.record_exhibit(&case, &producer, Some(name.clone()), Some(&note), h)?;
                u.tx().insert_report_file(&vigil_store::ReportFileRow {
                    report: report.clone(),
                    idx: i as u32,
                    owner: "public".into(),
                    name,
                    size: h.size,
                    content_type: k.mime().into(),
                    sha256: h.sha256,
                    md5: Some(h.md5.to_hex()),
                    sha1: Some(h.sha1.to_hex()),
                    exhibit: Some(file),
                })?;
            }
            u.tx().insert_receipt(&code, &report, &hash, t.unix_millis())?;
            Ok(report)
        })?;
        Ok(Receipt { code, secret, exhibit: reference, counted })
    }

    /// Public reports with no attachment, each sealed in memory, in one
    /// unit: their requests counted at once (where they are counted here),
    /// their forms' tokens spent at once, their exhibit numbers taken at
    /// once, a `received` event each, and every row in one store call.
    /// Each stored report's reference comes with whether the commit waited
    /// for the disk already (else the caller waits); a report over its
    /// client's limit, or whose form was sent already, stores nothing (and
    /// the first spends no token).
    fn write_public_reports(&self, reports: &[ReadyReport]) -> Result<Vec<Written>, CoreError> {
        let (case, producer) = (CaseId::parse(INTAKE_CASE)?, Initials::parse(INTAKE_PRODUCER)?);
        let actor = Actor::from(&producer);
        let (written, _, durable) = self.write_unit(
            |u| {
                let counts: Vec<RateCount> = reports.iter().filter_map(|r| r.count.clone().map(|(c, _)| c)).collect();
                let mut answers =
                    if counts.is_empty() { Vec::new() } else { u.tx().count_requests(&counts)? }.into_iter();
                let counted: Vec<Option<WindowCount>> =
                    reports.iter().map(|r| r.count.as_ref().and(answers.next()).map(WindowCount::from_row)).collect();
                if answers.next().is_some()
                    || counted.iter().zip(reports).any(|(c, r)| c.is_none() != r.count.is_none())
                {
                    return Err(CoreError::Failed("the store counted a different number of requests".into()));
                }
                // Each report's count, where it is over its client's limit.
                let over: Vec<Option<WindowCount>> = reports
                    .iter()
                    .zip(&counted)
                    .map(|(r, c)| match (&r.count, c) {
                        (Some((_, limit)), Some(c)) if c.mine > *limit => Some(*c),
                        _ => None,
                    })
                    .collect();
                // Only a report within its limit spends its form's token.
                let tokens: Vec<SpentTokenRow> = reports
                    .iter()
                    .zip(&over)
                    .filter(|(_, o)| o.is_none())
                    .filter_map(|(r, _)| r.token.clone())
                    .collect();
                let mut spent = if tokens.is_empty() {
                    Vec::new()
                } else {
                    u.tx().spend_form_tokens(&tokens, crate::form_tokens::unix_seconds())?
                }
                .into_iter();
                let outcome: Vec<Result<(), Unstored>> = reports
                    .iter()
                    .zip(&over)
                    .map(|(r, o)| match (o, &r.token) {
                        (Some(c), _) => Err(Unstored::OverLimit(*c)),
                        (None, None) => Ok(()),
                        (None, Some(_)) if spent.next() == Some(true) => Ok(()),
                        (None, Some(_)) => Err(Unstored::AlreadySent),
                    })
                    .collect();
                let taken: Vec<bool> = outcome.iter().map(Result::is_ok).collect();
                let n = u32::try_from(taken.iter().filter(|t| **t).count())
                    .map_err(|_| CoreError::Failed("too many reports in one unit".into()))?;
                // Each report's outcome, the stored ones' references in order.
                let answer = |stored: &mut dyn Iterator<Item = ExhibitRef>| {
                    outcome.iter().zip(&counted).map(|(o, c)| (o.map(|()| stored.next()), *c)).collect::<Vec<_>>()
                };
                if n == 0 {
                    return Ok(answer(&mut std::iter::empty()));
                }
                let kept = || reports.iter().zip(&taken).filter(|(_, t)| **t).map(|(r, _)| r);
                let ids: Vec<Vec<String>> = kept().map(|r| r.identifiers.clone()).collect();
                let held = crate::triage::HeldCounts::read(&ids, |all| Ok(u.tx().reports_holding_each(all)?))?;
                let first = u.tx().reserve_exhibit_numbers(&producer, n)?;
                let mut rows = Vec::with_capacity(n as usize);
                for (k, r) in (0..n).zip(kept()) {
                    let number =
                        first.checked_add(k).ok_or_else(|| CoreError::Failed("exhibit numbers ran out".into()))?;
                    let reference = ExhibitRef::new(producer.clone(), number)?;
                    // The content's key goes in with the rows below: nothing
                    // can have destroyed it since.
                    let hashes = &r.staged.hashes;
                    let exhibit =
                        u.receive(reference, &case, &actor, Some("report.json".into()), Some("public report"), hashes)?;
                    let risk = vigil_domain::assess(&r.report, &held.of(&r.identifiers));
                    rows.push(PublicReportRows {
                        inline: r.staged.inline_rows(),
                        report: crate::triage::new_report_row(&exhibit.reference, r.received, &risk, r.report.kind),
                        exhibit,
                        identifiers: r.identifiers.clone(),
                        reporters: r.reporters.clone(),
                        receipt_code: r.code.clone(),
                        receipt_secret_hash: r.secret_hash.clone(),
                    });
                }
                u.tx().insert_public_reports(&rows)?;
                Ok(answer(&mut rows.into_iter().map(|r| r.exhibit.reference)))
            },
            true,
        )?;
        written
            .into_iter()
            .map(|(o, counted)| match o {
                Ok(Some(reference)) => Ok(Written { stored: Ok((reference, durable)), counted }),
                Ok(None) => Err(CoreError::Failed("a unit stored fewer reports than it took".into())),
                Err(why) => Ok(Written { stored: Err(why), counted }),
            })
            .collect()
    }

    /// The exhibit a receipt names, if the secret matches. A wrong code and a
    /// wrong secret give the same answer, so codes cannot be probed.
    pub fn check_receipt(&self, code: &str, secret: &str) -> Result<Option<ExhibitRef>, CoreError> {
        let Some((exhibit, hash)) = self.store.read()?.receipt(code.trim())? else { return Ok(None) };
        if hash.starts_with("$argon2") {
            // Receipts issued before receipt hashes moved to SHA-256.
            let parsed = PasswordHash::new(&hash)
                .map_err(|_| CoreError::Refused("a stored receipt hash is malformed".into()))?;
            return Ok(Argon2::default().verify_password(secret.trim().as_bytes(), &parsed).is_ok().then_some(exhibit));
        }
        let want = receipt_hash(code.trim(), secret.trim());
        let same = want.len() == hash.len() && want.bytes().zip(hash.bytes()).fold(0u8, |a, (x, y)| a | (x ^ y)) == 0;
        Ok(same.then_some(exhibit))
    }
}

/// The stored form of a receipt's secret. The secret is 100 random bits, not
/// a password a person chose, so a slow hash adds nothing against guessing
/// (as with partner API keys); SHA-256 over the code and the secret, with a
/// domain label, keeps the store from revealing it and the submit path fast.
fn receipt_hash(code: &str, secret: &str) -> String {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    h.update(b"vigil-receipt-v1\0");
    h.update(code.as_bytes());
    h.update(b"\0");
    h.update(secret.as_bytes());
    format!("sha256:{}", hex::encode(h.finalize()))
}

fn code_secret() -> String {
    let s = random_code(20);
    format!("{}-{}-{}-{}", &s[..5], &s[5..10], &s[10..15], &s[15..])
}

impl Vigil {
    /// Adds information to an earlier report, given its receipt code and
    /// secret. The addition is an exhibit of its own, linked to the original
    /// by a `reviewed` custody event on the original; the reporter is told
    /// nothing about the original or anyone in it.
    pub fn add_to_public_report(
        &self,
        code: &str,
        secret: &str,
        text: &str,
    ) -> Result<Option<AddedInformation>, CoreError> {
        PublicReport::validate_addition(text)?;
        let Some(original) = self.check_receipt(code, secret)? else { return Ok(None) };
        let t = self.now();
        let body = serde_json::json!({ "submitted": t.to_string(), "addition_to_receipt": code.trim(), "text": text });
        let bytes = serde_json::to_vec_pretty(&body).expect("an addition serialises");
        let staged = self.stage_blobs(&[&bytes])?;
        let (case, producer) = (CaseId::parse(INTAKE_CASE)?, Initials::parse(INTAKE_PRODUCER)?);
        let added = self.write_staged(&staged, |u| {
            let note = format!("information added to public report {original}");
            let hashes = u.put_blob(&staged[0])?;
            let added = u.record_exhibit(&case, &producer, Some("addition.json".into()), Some(&note), hashes)?;
            let mut ev = vigil_domain::CustodyEvent::new(
                vigil_domain::EventKind::Reviewed,
                vigil_domain::Actor::parse(INTAKE_PRODUCER)?,
                u.now,
                vigil_domain::ObjectRef::exhibit(&original),
            );
            ev.case = Some(case.clone());
            ev.note = Some(format!("the reporter added information: exhibit {added}"));
            u.log(ev);
            u.tx().insert_report_addition(&original, &added, t.unix_millis())?;
            Ok(added)
        })?;
        let row = self.store.read()?.report(&original)?;
        Ok(Some(AddedInformation {
            addition: added,
            report_live: row.as_ref().is_some_and(|r| r.state != vigil_domain::ReportState::Closed),
            immediate_danger: row.is_some_and(|r| r.immediate),
            report: original,
        }))
    }
}
