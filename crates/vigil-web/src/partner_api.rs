//! `/api/v1`: the partner intake API. JSON in and out, a bearer API key per
//! partner, `Idempotency-Key` on every referral, and files streamed into
//! the vault (sealed and hashed as they arrive) against the digests the
//! referral declared. Every error is JSON that names the field at fault.
//! The OpenAPI document is generated from these handlers and the domain
//! types they parse, so it cannot drift from the code.

use crate::AppState;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures_util::StreamExt;
use serde::Serialize;
use std::sync::Arc;
use utoipa::OpenApi;
use vigil_core::{FileUpload, IntakeError, ReferralReceipt};
use vigil_domain::Referral;

/// Clear bytes of an upload sealed at a time, on a blocking thread.
const UPLOAD_BATCH: usize = 1 << 20;

/// Largest referral body (the JSON, without files).
pub(crate) const MAX_REFERRAL_BODY: usize = 256 * 1024;

/// Every error the API sends.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct ApiError {
    /// What is wrong, in words.
    error: String,
    /// The JSON path or header at fault, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<String>,
}

fn fail(status: StatusCode, field: Option<&str>, error: impl Into<String>) -> Response {
    (status, Json(ApiError { error: error.into(), field: field.map(str::to_owned) })).into_response()
}

fn from_intake(e: IntakeError) -> Response {
    match e {
        IntakeError::Field { field, why } => fail(StatusCode::UNPROCESSABLE_ENTITY, Some(&field), why),
        IntakeError::Conflict(why) => fail(StatusCode::CONFLICT, None, why),
        IntakeError::NotFound(why) => fail(StatusCode::NOT_FOUND, None, why),
        IntakeError::Core(e) => match e.kind() {
            vigil_core::ErrorKind::Refused | vigil_core::ErrorKind::Conflict => {
                fail(StatusCode::CONFLICT, None, e.to_string())
            }
            vigil_core::ErrorKind::Invalid => fail(StatusCode::UNPROCESSABLE_ENTITY, e.field(), e.to_string()),
            _ => {
                tracing::error!(error = %e, "a referral could not be stored");
                unavailable()
            }
        },
    }
}

fn unavailable() -> Response {
    fail(StatusCode::SERVICE_UNAVAILABLE, None, "the referral could not be stored just now; send it again")
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Vigil partner intake API",
        version = "1",
        description = "Referrals from partner organisations, shaped after a CyberTipline report. \
Files are declared in the referral by size and hashes, then uploaded one by one."
    ),
    paths(submit_referral, upload_file),
    components(schemas(ApiError, Referral, ReferralReceipt, FileUpload)),
    modifiers(&PartnerKeyScheme),
    security(("partner_key" = []))
)]
pub(crate) struct ApiDoc;

struct PartnerKeyScheme;

impl utoipa::Modify for PartnerKeyScheme {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "partner_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("The partner's API key, from `vigil admin partner add`."))
                    .build(),
            ),
        );
    }
}

pub(crate) async fn openapi() -> Response {
    let mut r = Json(ApiDoc::openapi()).into_response();
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// The partner named by the bearer key, or the error to send.
async fn partner(state: &Arc<AppState>, headers: &HeaderMap) -> Result<vigil_core::Partner, Response> {
    let denied = || fail(StatusCode::UNAUTHORIZED, Some("Authorization"), "a valid partner API key is required");
    let key = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned)
        .ok_or_else(denied)?;
    let st = state.clone();
    let found = tokio::task::spawn_blocking(move || st.vigil.partner_for_key(&key)).await.ok();
    let p = match found {
        Some(Ok(Some(p))) => p,
        Some(Ok(None)) => return Err(denied()),
        _ => return Err(unavailable()),
    };
    if !state.partner_limiter.allow(state, &p.id).await {
        return Err(fail(StatusCode::TOO_MANY_REQUESTS, None, "too many requests from this partner; wait and retry"));
    }
    Ok(p)
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"))
}

/// Submit a referral.
///
/// Stored durably before the answer is sent. A repeated request with the
/// same `Idempotency-Key` and body gets the first answer again (200), and
/// creates nothing new; the same key with another body is refused (409).
#[utoipa::path(
    post,
    path = "/api/v1/referrals",
    request_body(content = Referral, content_type = "application/json"),
    params(("Idempotency-Key" = String, Header, description = "A key the partner chooses per referral: 1 to 200 printable ASCII characters.")),
    responses(
        (status = 201, description = "Referral stored", body = ReferralReceipt),
        (status = 200, description = "The stored answer to an identical earlier request", body = ReferralReceipt),
        (status = 400, description = "Missing Idempotency-Key", body = ApiError),
        (status = 401, description = "No valid API key", body = ApiError),
        (status = 409, description = "Idempotency-Key reused with another body", body = ApiError),
        (status = 413, description = "Body too large", body = ApiError),
        (status = 415, description = "Not JSON", body = ApiError),
        (status = 422, description = "A field is invalid; `field` names it", body = ApiError),
        (status = 429, description = "Rate limited", body = ApiError),
        (status = 503, description = "Not stored; retry with the same key", body = ApiError),
    )
)]
pub(crate) async fn submit_referral(State(state): State<Arc<AppState>>, headers: HeaderMap, body: Body) -> Response {
    let p = match partner(&state, &headers).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let Some(key) = headers.get("idempotency-key") else {
        return fail(StatusCode::BAD_REQUEST, Some("Idempotency-Key"), "the Idempotency-Key header is required");
    };
    let Ok(key) = key.to_str().map(str::to_owned) else {
        return fail(StatusCode::UNPROCESSABLE_ENTITY, Some("Idempotency-Key"), "must be printable ASCII");
    };
    if !is_json(&headers) {
        return fail(StatusCode::UNSUPPORTED_MEDIA_TYPE, Some("Content-Type"), "send the referral as application/json");
    }
    let bytes = match axum::body::to_bytes(body, MAX_REFERRAL_BODY).await {
        Ok(b) => b,
        Err(_) => {
            return fail(
                StatusCode::PAYLOAD_TOO_LARGE,
                Some("body"),
                format!("the referral is larger than {MAX_REFERRAL_BODY} bytes (files are uploaded separately)"),
            )
        }
    };
    let st = state.clone();
    let answer = tokio::task::spawn_blocking(move || st.vigil.submit_referral(&p, &key, &bytes)).await;
    match answer {
        Ok(Ok(a)) => {
            if a.immediate_danger {
                crate::alerts::raise(
                    &state,
                    crate::alerts::Alert::ImmediateDanger { report: a.receipt.referral.clone() },
                );
            }
            let status = if a.replayed { StatusCode::OK } else { StatusCode::CREATED };
            (status, Json(a.receipt)).into_response()
        }
        Ok(Err(e)) => from_intake(e),
        Err(_) => unavailable(),
    }
}

/// Upload a declared file.
///
/// The body is the file's bytes. They are sealed into the vault and hashed
/// as they arrive; the file becomes an exhibit only if its size and every
/// declared digest match, otherwise nothing is kept.
#[utoipa::path(
    put,
    path = "/api/v1/referrals/{id}/files/{index}",
    params(
        ("id" = String, Path, description = "The referral's `id` from its receipt"),
        ("index" = String, Path, description = "The file's index in the referral's `files`"),
    ),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses(
        (status = 201, description = "File stored as an exhibit", body = FileUpload),
        (status = 401, description = "No valid API key", body = ApiError),
        (status = 404, description = "No such file in this partner's referrals", body = ApiError),
        (status = 409, description = "Already received", body = ApiError),
        (status = 413, description = "More bytes than declared", body = ApiError),
        (status = 415, description = "Not application/octet-stream", body = ApiError),
        (status = 422, description = "The bytes do not match the declared size or digests", body = ApiError),
        (status = 429, description = "Rate limited", body = ApiError),
        (status = 503, description = "Not stored; retry", body = ApiError),
    )
)]
pub(crate) async fn upload_file(
    State(state): State<Arc<AppState>>,
    Path((id, index)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let p = match partner(&state, &headers).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let (Ok(id), Ok(index)) = (id.parse::<u32>(), index.parse::<u32>()) else {
        return fail(StatusCode::NOT_FOUND, None, "no such referral file");
    };
    let octets = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/octet-stream"));
    if !octets {
        return fail(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Some("Content-Type"),
            "send the file as application/octet-stream",
        );
    }
    let _slot = match state.uploads.take(&p.id) {
        Ok(s) => s,
        Err(full) => {
            let why = match full {
                crate::upload_slots::Full::Partner => format!(
                    "this partner already has {} uploads in progress; finish one, then retry",
                    crate::upload_slots::PER_PARTNER
                ),
                crate::upload_slots::Full::Overall => "too many uploads are in progress; retry shortly".to_owned(),
            };
            let mut r = fail(StatusCode::TOO_MANY_REQUESTS, None, why);
            r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
            return r;
        }
    };
    let st = state.clone();
    let p2 = p.clone();
    let looked = tokio::task::spawn_blocking(move || {
        let v = &st.vigil;
        let slot = v.referral_file_slot(&p2, id, index)?;
        let writer = v.ingester().writer()?;
        Ok::<_, IntakeError>((slot, writer))
    })
    .await;
    let (slot, mut writer) = match looked {
        Ok(Ok(x)) => x,
        Ok(Err(e)) => return from_intake(e),
        Err(_) => return unavailable(),
    };
    // The body is awaited here, on the async side; only a full batch goes to
    // a blocking thread to be hashed, sealed and written, so a slow sender
    // holds a connection and an upload slot, never a thread.
    let mut stream = body.into_data_stream();
    let mut batch: Vec<u8> = Vec::with_capacity(UPLOAD_BATCH);
    let mut total = 0u64;
    let mut ended = false;
    while !ended {
        match stream.next().await {
            Some(Ok(b)) => {
                total += b.len() as u64;
                if total > slot.size {
                    return fail(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        Some("body"),
                        format!("more bytes than files[{}].size declared ({})", slot.idx, slot.size),
                    );
                }
                batch.extend_from_slice(&b);
            }
            Some(Err(_)) => {
                return fail(StatusCode::BAD_REQUEST, Some("body"), "the upload was interrupted; send it again")
            }
            None => ended = true,
        }
        if batch.len() >= UPLOAD_BATCH || (ended && !batch.is_empty()) {
            let full = std::mem::replace(&mut batch, Vec::with_capacity(UPLOAD_BATCH));
            let sealed = tokio::task::spawn_blocking(move || writer.write(&full).map(|()| (writer, full))).await;
            match sealed {
                Ok(Ok((w, mut used))) => {
                    writer = w;
                    used.clear();
                    batch = used;
                }
                Ok(Err(e)) => {
                    tracing::error!(error = %e, "an upload could not be sealed");
                    return unavailable();
                }
                Err(_) => return unavailable(),
            }
        }
    }
    let pending = match tokio::task::spawn_blocking(move || writer.finish()).await {
        Ok(Ok(p)) => p,
        Ok(Err(e)) => {
            tracing::error!(error = %e, "an upload could not be sealed");
            return unavailable();
        }
        Err(_) => return unavailable(),
    };
    let st = state.clone();
    let done = tokio::task::spawn_blocking(move || {
        let v = &st.vigil;
        v.accept_referral_file(&p, &slot, pending)
    })
    .await;
    match done {
        Ok(Ok(u)) => (StatusCode::CREATED, Json(u)).into_response(),
        Ok(Err(e)) => from_intake(e),
        Err(_) => unavailable(),
    }
}

/// Anything else under /api: JSON, not the HTML pages' plain text.
pub(crate) async fn not_found() -> Response {
    fail(StatusCode::NOT_FOUND, None, "no such API route")
}
