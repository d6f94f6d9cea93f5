//! Vigil's domain: the identifiers, digests and events the rest of the system
//! talks about. Architecture invariant: this crate does no I/O — no files, no
//! clock, no network. Callers pass the current time in.

mod actor;
mod attachment;
mod case_id;
mod case_record;
mod choice;
pub mod confrontation;
mod crime_outcome;
mod custody_event;
mod digest;
mod exhibit_ref;
mod grade;
mod handoff;
mod identifier;
mod initials;
mod material_category;
mod parsed_text;
mod public_report;
mod queue_order;
mod record_form;
mod referral;
mod report_state;
mod retention;
mod review_category;
mod risk;
mod role;
mod row_image;
pub mod safeguarding_plan;
mod team_dashboard;
mod timestamp;
mod triage_target;

pub use actor::Actor;
pub use attachment::{
    classify as classify_attachment, classify_within as classify_attachment_within, AttachmentError, AttachmentType,
    CheckBudget, IMAGE_REFUSED, MAX_ATTACHMENTS, MAX_ATTACHMENT_BYTES, MAX_PDF_INFLATED, PDF_UNCHECKED,
};
pub use case_id::CaseId;
pub use case_record::{
    attribution_strength, person_warning, ActionKind, AuthorityKind, CaseRecord, HighlySensitiveGround, OutcomeKind,
    PersonFlag, PersonRole, ProsecutorView, RevealedLine, RevealedProposal, RevealedTest, RiskLevel, Schedule,
    SensitiveRoute, ServedLine, Strength, WelfareStage, SENSITIVE_NOT_INSPECTED,
};
pub use choice::{options, Choice, ChoiceOption};
pub use confrontation::{GroupAnswer, GroupOffenceKind, GroupRole, MaterialForm};
pub use crime_outcome::{ChargingTest, HomeOfficeOutcome, SafeguardingStep};
pub use custody_event::{CustodyEvent, EventKind, FileHashes, ObjectRef};
pub use digest::{Blake3Digest, DigestError, Md5Digest, Sha1Digest, Sha256Digest};
pub use exhibit_ref::ExhibitRef;
pub use grade::Grade;
pub use handoff::{Handoff, HandoffTarget};
pub use identifier::{Identifier, IdentifierKind};
pub use initials::Initials;
pub use material_category::{record_proposal, MaterialCategory};
pub use public_report::{HowKnown, PublicReport, ReportKind, ReporterAnswers};
pub use queue_order::QueueOrder;
pub use record_form::{
    FieldInput, FieldValue, FormField, RecordForm, CONFRONTATION_FORM, PII_RULING_FORM, PROSECUTOR_FORM, RECORD_FORMS,
};
pub use referral::{
    DeclaredFile, Incident, Referral, ReferralError, ReportedIdentifier, ReportedIdentifierKind, ReportedUser,
    MAX_FILE_BYTES,
};
pub use report_state::{CloseReason, ReportState};
pub use retention::{
    case_outcome, live_prosecution, review_due_ms, CourtResult, RetentionPolicy, RetentionRule, RetentionSubject,
};
pub use review_category::{ReviewCategory, ReviewMethod};
pub use risk::{assess, RiskAssessment};
pub use role::Role;
pub use row_image::RowImage;
pub use team_dashboard::{
    dashboard_start, median, percentile, team_dashboard, week_start, AgeBand, CaseFacts, OfficerLoad, ReportFact,
    TeamDashboard, TriageTime, Week, AGE_BANDS,
};
pub use timestamp::Timestamp;
pub use triage_target::{waited, TriageTargets};

/// A value that failed to parse, with the reason in words a user can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {what} {value:?}: {why}")]
pub struct ParseError {
    pub what: &'static str,
    pub value: String,
    pub why: &'static str,
}

impl ParseError {
    pub(crate) fn new(what: &'static str, value: &str, why: &'static str) -> Self {
        // Cap the echoed value so a hostile megabyte argument does not flood logs.
        let value: String = value.chars().take(80).collect();
        ParseError { what, value, why }
    }
}
