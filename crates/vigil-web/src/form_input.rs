//! Reading a posted form: the one place that checks the content type,
//! decodes `application/x-www-form-urlencoded` (the first value of a
//! repeated field wins), and checks an officer form's session CSRF token.

use crate::AppState;
use axum::extract::{FromRequest, Request};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use std::collections::HashMap;
use std::sync::Arc;

/// Why a form could not be read, with the 4xx to answer.
pub(crate) struct FormError {
    pub status: StatusCode,
    pub why: String,
}

impl FormError {
    /// A plain-text answer, for officer routes.
    pub fn into_text(self) -> Response {
        (self.status, format!("{}\n", self.why)).into_response()
    }
}

pub(crate) async fn read_form(state: &Arc<AppState>, req: Request) -> Result<HashMap<String, String>, FormError> {
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(FormError {
            status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
            why: "send the form as application/x-www-form-urlencoded".into(),
        });
    }
    match Form::<Vec<(String, String)>>::from_request(req, state).await {
        Ok(Form(pairs)) => Ok(pairs.into_iter().rev().collect()),
        Err(e) => {
            let status = if e.status().is_client_error() { e.status() } else { StatusCode::BAD_REQUEST };
            let why = if status == StatusCode::PAYLOAD_TOO_LARGE {
                "the form is too long".to_string()
            } else {
                format!("the form could not be read: {}", e.body_text())
            };
            Err(FormError { status, why })
        }
    }
}

/// The field's value, or empty.
pub(crate) fn field(values: &HashMap<String, String>, name: &str) -> String {
    values.get(name).cloned().unwrap_or_default()
}

/// An officer form must carry its session's own CSRF token.
pub(crate) fn refuse_forged(values: &HashMap<String, String>, session_csrf: &str) -> Option<Response> {
    let sent = values.get("csrf").map(String::as_str).unwrap_or("");
    (session_csrf.is_empty() || !crate::csrf::same_secret(sent, session_csrf))
        .then(|| (StatusCode::FORBIDDEN, "the form's CSRF token does not match this session\n").into_response())
}

/// Largest public report with its attachments.
/// A signed-in officer's form post, read and checked in one place: the
/// request's headers, the session, and the fields, whose CSRF token must be
/// the session's own. Anyone not signed in gets `signed_out`; an unreadable
/// or forged form its own answer.
pub(crate) async fn officer_form(
    state: &Arc<AppState>,
    req: Request,
    signed_out: fn() -> Response,
) -> Result<(axum::http::HeaderMap, vigil_core::OfficerSession, HashMap<String, String>), Response> {
    let headers = req.headers().clone();
    let Some((_, officer)) = crate::officer::current(state, &headers).await else { return Err(signed_out()) };
    let values = read_form(state, req).await.map_err(FormError::into_text)?;
    if let Some(r) = refuse_forged(&values, &officer.csrf) {
        return Err(r);
    }
    Ok((headers, officer, values))
}

/// Where an officer page sends someone who is not signed in.
pub(crate) fn to_login() -> Response {
    axum::response::Redirect::to("/login").into_response()
}

pub(crate) const MAX_REPORT_BODY: usize =
    vigil_domain::MAX_ATTACHMENTS * vigil_domain::MAX_ATTACHMENT_BYTES + 256 * 1024;

/// Reads the public report form, sent either urlencoded (no files) or as
/// multipart/form-data (with files). Empty file inputs are ignored; more
/// than the allowed number of files is an error.
pub(crate) async fn read_form_with_files(
    state: &Arc<AppState>,
    req: Request,
) -> Result<(HashMap<String, String>, Vec<vigil_core::Attachment>), FormError> {
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !is_multipart {
        // Without files the form keeps the small limit of every other form.
        let req = req.map(|b| axum::body::Body::new(http_body_util::Limited::new(b, crate::MAX_BODY)));
        return read_form(state, req).await.map(|v| (v, Vec::new()));
    }
    let bad = |why: String| FormError { status: StatusCode::BAD_REQUEST, why };
    let mut mp = axum::extract::Multipart::from_request(req, state)
        .await
        .map_err(|e| bad(format!("the form could not be read: {}", e.body_text())))?;
    let mut values = HashMap::new();
    let mut files = Vec::new();
    loop {
        let next = mp.next_field().await.map_err(|e| {
            let status = if e.status() == StatusCode::PAYLOAD_TOO_LARGE { e.status() } else { StatusCode::BAD_REQUEST };
            let why = if status == StatusCode::PAYLOAD_TOO_LARGE {
                "the form and its files are too large (at most 3 files of 5 MB)".to_string()
            } else {
                format!("the form could not be read: {}", e.body_text())
            };
            FormError { status, why }
        })?;
        let Some(f) = next else { break };
        let name = f.name().unwrap_or("").to_owned();
        if let Some(file_name) = f.file_name().map(str::to_owned) {
            let content_type = f.content_type().unwrap_or("").to_owned();
            let bytes = f.bytes().await.map_err(|e| bad(format!("a file could not be read: {}", e.body_text())))?;
            if file_name.is_empty() && bytes.is_empty() {
                continue; // a file input left empty
            }
            if name != "attachments" {
                return Err(bad(format!("unexpected file field {name:?}")));
            }
            if files.len() == vigil_domain::MAX_ATTACHMENTS {
                return Err(bad(format!("at most {} files can be attached", vigil_domain::MAX_ATTACHMENTS)));
            }
            files.push(vigil_core::Attachment { name: file_name, content_type, bytes: bytes.to_vec() });
        } else {
            let text = f.text().await.map_err(|_| bad(format!("the field {name:?} is not UTF-8 text")))?;
            // The first value of a repeated field wins, as with urlencoded forms.
            values.entry(name).or_insert(text);
        }
    }
    Ok((values, files))
}
