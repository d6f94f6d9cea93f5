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
    (values.get("csrf").map(String::as_str) != Some(session_csrf))
        .then(|| (StatusCode::FORBIDDEN, "the form's CSRF token does not match this session\n").into_response())
}
