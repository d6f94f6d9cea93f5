//! The validation report (Forensic Science Regulator's Code; FSR-G-201):
//! which build was validated on which machine, each requirement with its
//! acceptance criterion, result and evidence, and the known limitations;
//! signed with the log's key and kept as exhibits of the case
//! `VALIDATION`, so the latest one can be named in every bundle.
//!
//! The checks themselves run in the `vigil validate` command (they drive
//! the binary and outside tools); this file knows only the report.

use crate::data_dir::Vigil;
use crate::error::CoreError;
use crate::pdf_table::table_pdf;
use ed25519_dalek::{Signature, Signer, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use vigil_domain::{CaseId, ExhibitRef, Initials, Sha256Digest};

/// The format tag of a validation report.
pub const VALIDATION_FORMAT: &str = "vigil-validation-1";
/// The case validation reports are kept under.
pub const VALIDATION_CASE: &str = "VALIDATION";
/// What the embedded signature signs: this, then the report's JSON without
/// its `signature` member, compact.
const SIG_DOMAIN: &[u8] = b"vigil validation report v1\n";

/// The outcome of one requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Pass,
    Fail,
    /// The peer it is checked against is not installed here; the evidence says which.
    NotRun,
}

/// One requirement, as run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequirementResult {
    pub id: String,
    pub requirement: String,
    pub criterion: String,
    pub result: Outcome,
    pub evidence: String,
}

/// The build validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BuildInfo {
    pub version: String,
    pub commit: String,
}

impl BuildInfo {
    pub fn this() -> Self {
        BuildInfo { version: vigil_build::BUILD.version.into(), commit: vigil_build::BUILD.commit.into() }
    }
}

/// The machine it ran on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Machine {
    pub host: String,
    pub os: String,
    pub kernel: String,
    pub arch: String,
    pub cpu: String,
    pub cpus: usize,
}

/// The signature over the rest of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportSignature {
    pub algorithm: String,
    pub public_key: String,
    pub value: String,
}

/// A validation report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValidationReport {
    pub format: String,
    pub build: BuildInfo,
    pub machine: Machine,
    pub made: String,
    pub made_by: String,
    pub requirements: Vec<RequirementResult>,
    pub limitations: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<ReportSignature>,
}

impl ValidationReport {
    pub fn passed(&self) -> bool {
        self.requirements.iter().all(|r| r.result != Outcome::Fail)
    }

    pub fn count(&self, o: Outcome) -> usize {
        self.requirements.iter().filter(|r| r.result == o).count()
    }

    /// `9 of 10 requirements passed, 1 failed, 0 not run`.
    pub fn summary(&self) -> String {
        format!(
            "{} of {} requirements passed, {} failed, {} not run",
            self.count(Outcome::Pass),
            self.requirements.len(),
            self.count(Outcome::Fail),
            self.count(Outcome::NotRun)
        )
    }

    /// The bytes the signature covers.
    fn signed_bytes(&self) -> Vec<u8> {
        let mut unsigned = self.clone();
        unsigned.signature = None;
        let body = serde_json::to_vec(&unsigned).expect("a report serialises");
        [SIG_DOMAIN, &body].concat()
    }

    /// The report as a printable PDF: the requirements as a table, then the limitations.
    pub fn pdf(&self) -> Vec<u8> {
        let title = format!("Validation report: vigil {} (build {})", self.build.version, self.build.commit);
        let verdict = if self.passed() { "PASSED" } else { "FAILED" };
        let key =
            self.signature.as_ref().map_or("unsigned".to_owned(), |s| format!("signed (Ed25519) by {}", s.public_key));
        let m = &self.machine;
        let subtitle = format!(
            "{verdict}: {}. Made {} by {} on {} ({}, kernel {}, {}, {} x {}). Report {key}. \
             Method: Forensic Science Regulator's Code of Practice, FSR-G-201 (validation of digital forensic methods); \
             every check runs on synthetic material in a scratch directory.",
            self.summary(),
            self.made,
            self.made_by,
            m.host,
            m.os,
            m.kernel,
            m.arch,
            m.cpus,
            m.cpu
        );
        let mut rows: Vec<Vec<String>> = self
            .requirements
            .iter()
            .map(|r| {
                let result = match r.result {
                    Outcome::Pass => "pass",
                    Outcome::Fail => "FAIL",
                    Outcome::NotRun => "not run",
                };
                vec![r.id.clone(), r.requirement.clone(), r.criterion.clone(), result.into(), r.evidence.clone()]
            })
            .collect();
        for (i, l) in self.limitations.iter().enumerate() {
            rows.push(vec![
                format!("LIM-{}", i + 1),
                "Known limitation".into(),
                String::new(),
                String::new(),
                l.clone(),
            ]);
        }
        table_pdf(
            &title,
            &subtitle,
            &["ID", "Requirement", "Acceptance criterion", "Result", "Evidence"],
            &[0.8, 2.6, 3.0, 0.7, 4.4],
            &rows,
        )
    }
}

/// Checks a report's embedded signature against `key`; returns the report.
pub fn verify_validation(json: &[u8], key: &VerifyingKey) -> Result<ValidationReport, String> {
    let report: ValidationReport = serde_json::from_slice(json).map_err(|e| format!("not a validation report: {e}"))?;
    if report.format != VALIDATION_FORMAT {
        return Err(format!("format {:?}, expected {VALIDATION_FORMAT}", report.format));
    }
    let sig = report.signature.as_ref().ok_or("the report is not signed")?;
    if sig.algorithm != "ed25519" {
        return Err(format!("signature algorithm {:?}, expected ed25519", sig.algorithm));
    }
    if sig.public_key != hex::encode(key.as_bytes()) {
        return Err(format!("signed by {}, not by the key given", sig.public_key));
    }
    let mut b = [0u8; 64];
    hex::decode_to_slice(&sig.value, &mut b).map_err(|_| "the signature is not 128 hex characters".to_owned())?;
    key.verify(&report.signed_bytes(), &Signature::from_bytes(&b))
        .map_err(|_| "the signature does not match the report: it was changed after signing".to_owned())?;
    Ok(report)
}

/// The detached signature of a file (`validation.sig`): Ed25519 over
/// [`FILE_SIG_DOMAIN`] and the file's bytes, hex.
pub const FILE_SIG_DOMAIN: &[u8] = b"vigil validation file v1\n";

/// Checks a detached file signature made by [`Vigil::sign_file`].
pub fn verify_file_signature(bytes: &[u8], sig_hex: &str, key: &VerifyingKey) -> bool {
    let mut b = [0u8; 64];
    hex::decode_to_slice(sig_hex.trim(), &mut b).is_ok()
        && key.verify(&[FILE_SIG_DOMAIN, bytes].concat(), &Signature::from_bytes(&b)).is_ok()
}

/// Where a validation report was kept.
#[derive(Debug, Clone, Serialize)]
pub struct StoredValidation {
    pub json: ExhibitRef,
    pub json_sha256: Sha256Digest,
    pub pdf: ExhibitRef,
}

/// The latest validation report, as a bundle names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValidationRef {
    pub exhibit: String,
    pub sha256: String,
    /// The report's own summary, from its custody note.
    pub summary: String,
}

impl Vigil {
    /// Signs a report with the log's key (the embedded signature).
    pub fn sign_validation(&self, report: &mut ValidationReport) {
        report.signature = None;
        let value = self.signing.sign(&report.signed_bytes());
        report.signature = Some(ReportSignature {
            algorithm: "ed25519".into(),
            public_key: hex::encode(self.signing.verifying_key().as_bytes()),
            value: hex::encode(value.to_bytes()),
        });
    }

    /// A detached signature of a file's bytes, hex.
    pub fn sign_file(&self, bytes: &[u8]) -> String {
        hex::encode(self.signing.sign(&[FILE_SIG_DOMAIN, bytes].concat()).to_bytes())
    }

    /// Keeps the report's JSON and PDF as exhibits of the case `VALIDATION`
    /// (each with its `received` custody event).
    pub fn store_validation(
        &self,
        report: &ValidationReport,
        json: &[u8],
        pdf: &[u8],
        by: &Initials,
    ) -> Result<StoredValidation, CoreError> {
        let case = CaseId::parse(VALIDATION_CASE)?;
        let note = format!(
            "validation report of vigil {} (build {}): {}",
            report.build.version,
            report.build.commit,
            report.summary()
        );
        let j = self.add_exhibit_bytes(json, "validation.json", &case, by, Some(&note))?;
        let p = self.add_exhibit_bytes(pdf, "validation.pdf", &case, by, Some(&format!("{note} (PDF)")))?;
        Ok(StoredValidation { json: j.reference, json_sha256: j.hashes.sha256, pdf: p.reference })
    }

    /// The latest validation report kept here, if any.
    pub fn latest_validation(&self) -> Result<Option<ValidationRef>, CoreError> {
        let case = CaseId::parse(VALIDATION_CASE)?;
        let rows = self.store.read()?.exhibits_of_case(&case)?;
        Ok(rows
            .into_iter()
            .filter(|r| r.original_name.as_deref() == Some("validation.json") && r.deleted_event.is_none())
            .max_by_key(|r| r.received_event)
            .map(|r| ValidationRef {
                exhibit: r.reference.to_string(),
                sha256: r.sha256.to_hex(),
                summary: r.note.unwrap_or_default(),
            }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> ValidationReport {
        ValidationReport {
            format: VALIDATION_FORMAT.into(),
            build: BuildInfo::this(),
            machine: Machine {
                host: "h".into(),
                os: "os".into(),
                kernel: "k".into(),
                arch: "x86_64".into(),
                cpu: "cpu".into(),
                cpus: 2,
            },
            made: "2026-12-06T12:00:00.000Z".into(),
            made_by: "QM".into(),
            requirements: vec![RequirementResult {
                id: "DIG-01".into(),
                requirement: "r".into(),
                criterion: "c".into(),
                result: Outcome::Pass,
                evidence: "e".into(),
            }],
            limitations: vec!["l".into()],
            signature: None,
        }
    }

    #[test]
    fn signature_covers_every_field() {
        let key = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
        let mut r = report();
        let body = r.signed_bytes();
        r.signature = Some(ReportSignature {
            algorithm: "ed25519".into(),
            public_key: hex::encode(key.verifying_key().as_bytes()),
            value: hex::encode(key.sign(&body).to_bytes()),
        });
        let json = serde_json::to_vec_pretty(&r).unwrap();
        assert_eq!(verify_validation(&json, &key.verifying_key()).unwrap(), r);
        // A failed requirement turned into a pass is caught.
        let changed = String::from_utf8(json.clone()).unwrap().replace("\"evidence\": \"e\"", "\"evidence\": \"f\"");
        assert!(verify_validation(changed.as_bytes(), &key.verifying_key()).unwrap_err().contains("changed"));
        let other = ed25519_dalek::SigningKey::from_bytes(&[8u8; 32]);
        assert!(verify_validation(&json, &other.verifying_key()).unwrap_err().contains("not by the key"));
        assert!(report().passed());
        let mut failed = report();
        failed.requirements[0].result = Outcome::Fail;
        assert!(!failed.passed() && failed.summary().contains("1 failed"));
    }

    #[test]
    fn pdf_names_the_build() {
        let pdf = report().pdf();
        assert!(pdf.starts_with(b"%PDF"));
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains(vigil_build::BUILD.commit), "the title names the commit");
    }
}
