//! Vigil's evidence services: a data directory holding the store, the vault
//! and the keys, and the operations on them — adding and reading exhibits,
//! appending custody events, verifying everything, exporting and proving.
//!
//! Architecture invariants:
//! - Every change appends a custody event in the same transaction.
//! - Evidence bytes are never rewritten; deletion destroys keys, not history.
//! - Secrets (the master key, the signing key) live in 0600 files and are
//!   never printed or logged.

mod access_log;
mod alert_channel;
mod audit_export;
mod backup;
mod break_glass;
mod bundle;
mod bundle_cipher;
mod case_work;
mod chat_import;
mod chat_view;
mod checkpoint;
mod clock;
mod confrontation_incident;
mod custody_log;
mod data_dir;
mod demo;
mod dir_lock;
mod disclosure;
mod disclosure_service;
mod error;
mod exhibit;
mod exhibits;
mod form_tokens;
mod hashsets;
mod key_rotation;
mod log_export;
mod material_ledger;
mod officers;
mod partner_intake;
mod pdf_labels;
mod pdf_table;
mod prosecutor_workspace;
mod provenance;
mod public_intake;
mod rate_window;
mod repeat_reporter;
mod retention_review;
mod review_exposure;
mod review_results;
mod review_set;
mod scan_job;
mod scan_queue;
mod search;
mod team_dashboard;
pub mod test_hooks;
mod triage;
mod validation;
mod vault_migration;
mod verifier;
mod video_comparison;
mod write_queue;

pub use access_log::{accesses_csv, Access};
pub use audit_export::{audit_csv, AuditClass, AuditLine};
pub use data_dir::read_public_key;
pub use form_tokens::FormSpend;
pub use rate_window::{SharedCount, WindowCount};
pub use repeat_reporter::{contact_points, RepeatReporter, DEFAULT_CHIS_ALERT_REPORTS};
pub use retention_review::{
    verify_disposal_certificate, DisposalCertificate, DisposedItem, LegalHold, RetentionAction, RetentionDecision,
    RetentionItem, StoredCertificate, DISPOSALS_CASE, DISPOSAL_FORMAT,
};
pub use review_exposure::{ExposureSummary, OfficerExposure, ReviewerSettings};
pub use review_results::{CountLine, ReviewCounts, ReviewExport, SecondOpinion};
pub use review_set::{ReviewBuild, ReviewBuilt, ReviewItem, ReviewStacks, StackView};
pub use scan_queue::ScanBatch;
pub use validation::{
    verify_file_signature, verify_validation, BuildInfo, Machine, Outcome, RequirementResult, StoredValidation,
    ValidationRef, ValidationReport, VALIDATION_CASE, VALIDATION_FORMAT,
};
pub use video_comparison::{Side as RecordingSide, VideoComparisonReport};

pub use backup::{BackupReport, PG_DUMP_FILE};
pub use break_glass::{BreakGlassRead, BREAK_GLASS_MS, MIN_JUSTIFICATION};
pub use bundle::{verify_bundle, BundleReport, BundleSummary, Manifest, BUNDLE_FORMAT};
pub use case_work::{AttributionView, CaseView, ExhibitListEntry, Need, PersonView, RecordView, TeamFigures};
pub use chat_import::{ChatIdentifier, ChatImport, ChatSettings, ChatTimeline, TimelineCheck};
pub use chat_view::{shown_time, ChatListing, ChatPage, ChatQuery, ChatTable, MAX_PDF_MESSAGES};
pub use checkpoint::{Checkpoint, CHECKPOINT_FORMAT};
pub use clock::{now, Clock};
pub use custody_log::AppendReceipt;
pub use data_dir::{InitReport, Layout, Vigil};
pub use demo::{DemoReport, DEMO_CASE, DEMO_FULL_CASE, DEMO_PASSWORD};
pub use dir_lock::DirLock;
pub use disclosure::{
    exhibit_labels, render_exhibit_list, Audience, DecisionView, IdentityView, LineChange, Mg6eLine, Rendered,
    RevelationView, ScheduleLine, Schedules, ServiceView, UsedExhibit, SENSITIVE_MARKING,
};
pub use error::{CoreError, ErrorKind};
pub use exhibit::Exhibit;
pub use exhibits::{AddedExhibit, DeletedExhibit, HistoryEntry, Ingester, RetrievedExhibit};
pub use hashsets::{HashSetImport, HashSetInfo, PdqSetImport};
pub use key_rotation::RotationReport;
pub use log_export::{ConsistencyProof, InclusionProof, ProofBundle};
pub use material_ledger::{Ledger, LedgerItem, LedgerStatus};
pub use officers::{
    base32_decode, totp_code, totp_step, LoginError, OfficerSession, TotpEnrolment, OFFICER_SESSION_SECS,
};
pub use partner_intake::{
    FileSlot, FileUpload, IntakeError, Partner, PartnerKey, ReferralAnswer, ReferralReceipt, PARTNER_CASE,
    PARTNER_PRODUCER,
};
pub use prosecutor_workspace::Inspection;
pub use public_intake::{AddedInformation, Attachment, Receipt, INTAKE_CASE, INTAKE_PRODUCER};
pub use scan_job::ScanRecord;
pub use search::{CaseHit, ChatHit, ReportHit, SearchResults, SEARCH_LIMIT};
pub use team_dashboard::{dashboard_tables, span, week_label, FigureTable, DASHBOARD_WEEKS};
pub use triage::{
    normalise_identifier, ChatMatch, GradeChange, LinkedReport, QueueItem, QueuePage, ReportAddition, QUEUE_PAGE,
};
pub use vault_migration::VaultMigration;
pub use verifier::VerifyReport;
pub use vigil_vault::PendingBlob;
