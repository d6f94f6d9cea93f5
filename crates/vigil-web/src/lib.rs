//! Vigil's HTTP edge. Architecture invariant: only this crate knows HTTP
//! and HTML; it calls `vigil-core` for everything that touches evidence.
//!
//! So far: the public confidential reporting form (plain server-rendered
//! HTML that works with JavaScript off), `/healthz`, strict security
//! headers on every response, single-use signed CSRF tokens, and a rate
//! limit keyed on a salted, rotating hash of the client address (the
//! address itself is never stored or logged).

mod access_page;
mod alerts;
mod bar_chart;
mod body_timeout;
mod break_glass_page;
mod case_pages;
mod chat_pages;
mod client_address;
mod comparison_pages;
mod components;
mod csrf;
mod disclosure_pages;
mod failure;
mod figures_page;
mod form_input;
mod html;
mod incident_pages;
mod login_backoff;
mod officer;
mod partner_api;
mod rate_limit;
mod record_forms;
mod report_form;
mod request_log;
mod retention_page;
mod review_pages;
mod search_page;
mod security_headers;
mod server;
mod tls;
mod triage_queue;
mod upload_slots;
mod webhook;

use axum::routing::get;
use axum::Router;
pub use client_address::Cidr;
use std::net::SocketAddr;
use std::sync::Arc;
pub use tls::TlsFiles;
pub use upload_slots::{OVERALL as UPLOADS_OVERALL, PER_PARTNER as UPLOADS_PER_PARTNER};
use vigil_core::Vigil;
pub use webhook::Webhook;

/// Largest request body accepted anywhere (a report is a few kilobytes).
pub const MAX_BODY: usize = 64 * 1024;

pub struct AppState {
    pub(crate) vigil: Vigil,
    pub(crate) csrf: csrf::CsrfKeys,
    pub(crate) limiter: rate_limit::RateLimiter,
    /// Sign-in attempts, counted apart from public submissions.
    pub(crate) login_limiter: rate_limit::RateLimiter,
    /// Partner API requests, counted per partner.
    pub(crate) partner_limiter: rate_limit::RateLimiter,
    pub(crate) webhook: Option<Webhook>,
    /// Proxies whose `X-Forwarded-For` names the client.
    pub(crate) trusted_proxies: Vec<Cidr>,
    pub(crate) login_backoff: login_backoff::LoginBackoff,
    /// Immediate-danger reports and reporters' additions, broadcast to signed-in triage officers.
    pub(crate) alerts: tokio::sync::broadcast::Sender<alerts::Alert>,
    /// The times within which reports should be triaged.
    pub(crate) triage_targets: vigil_domain::TriageTargets,
    /// One person's reports at which supervisors are alerted (CHIS status).
    pub(crate) chis_alert_reports: u32,
    /// Partner file uploads in progress, bounded per partner and overall.
    pub(crate) uploads: Arc<upload_slots::UploadSlots>,
    /// Public submissions whose files are being unpacked and checked at
    /// once (CPU work on blocking threads), so a burst of them queues
    /// instead of taking every thread.
    pub(crate) checks: Arc<tokio::sync::Semaphore>,
}

/// Public submissions checked at once; more wait their turn.
const CONCURRENT_CHECKS: usize = 4;

/// Settings an operator may tune.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Public submissions allowed per client address in each 10-minute window.
    pub reports_per_window: u32,
    /// Partner API requests allowed per partner in each 10-minute window.
    pub partner_requests_per_window: u32,
    /// Where to POST immediate-danger alerts, besides the officers' banner.
    pub alert_webhook: Option<Webhook>,
    /// Proxies (such as the TLS terminator) trusted to name the client in
    /// `X-Forwarded-For`.
    pub trusted_proxies: Vec<Cidr>,
    /// Public submissions from all clients together in each 10-minute
    /// window above which operators are alerted (the public is still served).
    pub public_ceiling_per_window: u32,
    /// The times within which reports should be triaged; past them the
    /// queue marks a report overdue.
    pub triage_targets: vigil_domain::TriageTargets,
    /// One person's reports at which supervisors are alerted that repeat
    /// tasking may make them a CHIS (RIPA 2000 s.26(8)).
    pub chis_alert_reports: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            reports_per_window: 20,
            partner_requests_per_window: 3000,
            alert_webhook: None,
            trusted_proxies: Vec::new(),
            public_ceiling_per_window: 20_000,
            triage_targets: vigil_domain::TriageTargets::default(),
            chis_alert_reports: vigil_core::DEFAULT_CHIS_ALERT_REPORTS,
        }
    }
}

/// The application, ready to serve or to test with `tower::ServiceExt::oneshot`.
pub fn app(vigil: Vigil) -> Router {
    app_with(vigil, Settings::default())
}

pub fn app_with(vigil: Vigil, settings: Settings) -> Router {
    // On PostgreSQL several nodes may share the store: spent form tokens go there.
    let shared = vigil.backend() == "postgres";
    let csrf = csrf::CsrfKeys::new(vigil.form_token_key(), shared);
    let state = Arc::new(AppState {
        vigil,
        csrf,
        limiter: rate_limit::RateLimiter::new(settings.reports_per_window, 600)
            .with_ceiling(settings.public_ceiling_per_window)
            .shared("public", shared),
        login_limiter: rate_limit::RateLimiter::new(30, 600).shared("login", shared),
        partner_limiter: rate_limit::RateLimiter::new(settings.partner_requests_per_window, 600)
            .shared("partner", shared),
        alerts: alerts::channel(),
        webhook: settings.alert_webhook.clone(),
        trusted_proxies: settings.trusted_proxies.clone(),
        triage_targets: settings.triage_targets,
        chis_alert_reports: settings.chis_alert_reports,
        login_backoff: login_backoff::LoginBackoff::new(),
        uploads: Arc::new(upload_slots::UploadSlots::default()),
        checks: Arc::new(tokio::sync::Semaphore::new(CONCURRENT_CHECKS)),
    });
    if state.vigil.backend() == "postgres" {
        let weak = Arc::downgrade(&state);
        let _ = std::thread::Builder::new().name("vigil-alerts".into()).spawn(move || alerts::listen(weak));
    }
    let router = Router::new()
        .route("/", get(report_form::index))
        .route("/healthz", get(healthz))
        .route(
            "/report",
            get(report_form::show)
                .post(report_form::submit)
                .layer(axum::extract::DefaultBodyLimit::max(form_input::MAX_REPORT_BODY)),
        )
        .route("/report/add", get(report_form::add_show).post(report_form::add_submit))
        .route("/login", get(officer::login_show).post(officer::login_submit))
        .route("/officer", get(officer::home))
        .route("/queue", get(triage_queue::queue))
        .route("/reports/{n}", get(triage_queue::view))
        .route("/reports/{n}/grade", axum::routing::post(triage_queue::grade))
        .route("/reports/{n}/case", axum::routing::post(triage_queue::to_case))
        .route("/reports/{n}/close", axum::routing::post(triage_queue::close))
        .route("/reports/{n}/handoff", axum::routing::post(triage_queue::handoff))
        .route("/reports/{n}/sanitised.json", get(triage_queue::sanitised))
        .route("/reports/{n}/link", axum::routing::post(triage_queue::link))
        .route("/reports/{n}/unlink", axum::routing::post(triage_queue::unlink))
        .route("/cases", get(case_pages::list))
        .route("/cases/{id}", get(case_pages::view))
        .route("/cases/{id}/records/{kind}", axum::routing::post(case_pages::add_record))
        .route("/cases/{id}/groups/{n}", get(incident_pages::group))
        .route("/cases/{id}/comparisons", axum::routing::post(comparison_pages::create))
        .route("/cases/{id}/comparisons/{n}", get(comparison_pages::show))
        .route("/cases/{id}/comparisons/{n}/frame", get(comparison_pages::frame))
        .route("/cases/{id}/review", get(review_pages::page))
        .route("/cases/{id}/review/counts", get(review_pages::counts))
        .route("/cases/{id}/review/counts.pdf", get(review_pages::counts_pdf))
        .route("/cases/{id}/review/export", get(review_pages::export))
        .route("/cases/{id}/review/items/{n}", axum::routing::post(review_pages::decide))
        .route("/cases/{id}/review/items/{n}/preview", get(review_pages::preview))
        .route("/review/revealed", axum::routing::post(review_pages::revealed))
        .route("/review/settings", get(review_pages::settings).post(review_pages::save_settings))
        .route("/review/second-opinions", get(review_pages::second_opinions))
        .route("/break-glass", get(break_glass_page::page).post(break_glass_page::open))
        .route("/retention", get(retention_page::page).post(retention_page::decide))
        .route("/access", get(access_page::page))
        .route("/access.csv", get(access_page::csv))
        .route("/static/review.js", get(review_pages::script))
        .route("/incidents/new", get(incident_pages::new_incident))
        .route("/incidents", axum::routing::post(incident_pages::open_incident))
        .route("/cases/{id}/redactions", axum::routing::post(case_pages::redact))
        .route("/cases/{id}/reveal", axum::routing::post(case_pages::reveal))
        .route("/cases/{id}/serve", axum::routing::post(disclosure_pages::serve))
        .route("/cases/{id}/ledger", get(disclosure_pages::ledger))
        .route("/cases/{id}/inspect", get(disclosure_pages::inspect))
        .route("/cases/{id}/exhibits", get(case_pages::exhibits))
        .route("/cases/{id}/schedules", get(case_pages::schedules))
        .route("/cases/{id}/schedules/{file}", get(case_pages::schedule_file))
        .route("/cases/{id}/schedules/versions/{version}", get(case_pages::schedules_version))
        .route("/cases/{id}/schedules/versions/{version}/{file}", get(case_pages::schedules_version_file))
        .route("/cases/{id}/timeline", get(case_pages::timeline))
        .route("/cases/{id}/chats/{producer}/{number}", get(chat_pages::conversation))
        .route("/cases/{id}/chats/{producer}/{number}/reread", axum::routing::post(chat_pages::reread))
        .route("/cases/{id}/chats/{producer}/{number}/{file}", get(chat_pages::table_file))
        .route("/cases/{id}/labels.pdf", get(case_pages::labels))
        .route("/figures", get(figures_page::dashboard))
        .route("/figures/{file}", get(figures_page::csv))
        .route("/search", get(search_page::search))
        .route("/logout", axum::routing::post(officer::logout))
        .route("/events", get(alerts::events))
        .route("/static/alerts.js", get(alerts::script))
        .route("/static/vigil.css", get(html::stylesheet))
        .route("/api/v1/openapi.json", get(partner_api::openapi))
        .route("/api/v1/referrals", axum::routing::post(partner_api::submit_referral))
        .route("/api/v1/referrals/{id}/files/{index}", axum::routing::put(partner_api::upload_file))
        .route("/api/v1/{*rest}", axum::routing::any(partner_api::not_found))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
        .layer(axum::middleware::from_fn(body_timeout::apply))
        .layer(axum::middleware::from_fn(security_headers::apply))
        .layer(axum::middleware::from_fn(request_log::apply));
    #[cfg(feature = "test-hooks")]
    let router =
        router.route("/__test/panic", get(panic_on_purpose)).layer(axum::middleware::from_fn(request_log::apply));
    router.with_state(state)
}

/// Test builds only: a handler that panics inside a unit of work, holding
/// the store's one writer connection, as a bug would.
#[cfg(feature = "test-hooks")]
async fn panic_on_purpose(axum::extract::State(state): axum::extract::State<Arc<AppState>>) -> &'static str {
    let _ = tokio::task::spawn_blocking(move || state.vigil.panic_inside_a_write()).await;
    panic!("test hook: a handler panicked on purpose");
}

async fn healthz(
    axum::extract::State(state): axum::extract::State<Arc<AppState>>,
) -> (axum::http::StatusCode, &'static str) {
    let ok = tokio::task::spawn_blocking(move || state.vigil.store_healthy()).await.unwrap_or(false);
    if ok {
        (axum::http::StatusCode::OK, "ok\n")
    } else {
        (axum::http::StatusCode::SERVICE_UNAVAILABLE, "store unreachable\n")
    }
}

/// Serves until Ctrl-C, over TLS when `tls` names a certificate and key.
/// `on_ready` gets the bound address (port 0 picks one).
pub fn serve(
    vigil: Vigil,
    listen: SocketAddr,
    settings: Settings,
    tls: Option<&TlsFiles>,
    on_ready: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    request_log::quiet_panics();
    // The files are read before the port is bound: a bad key stops here.
    let acceptor = tls.map(tls::acceptor).transpose()?;
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(listen).await?;
        on_ready(listener.local_addr()?);
        server::run(listener, app_with(vigil, settings), acceptor, async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
    })
}
