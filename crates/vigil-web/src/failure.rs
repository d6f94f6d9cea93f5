//! How an officer page answers a failed request: one mapping from the
//! core's error kinds to HTTP statuses, so no handler decides a status by
//! reading an error's words. Internal failures show no detail to the
//! officer and are logged with their cause; refusals say why.

use crate::html::staff_page;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::html;
use vigil_core::{CoreError, ErrorKind};

/// A failed officer request, with the page to go back to.
pub(crate) struct Failure {
    pub(crate) error: CoreError,
    pub(crate) back: (&'static str, &'static str),
}

impl Failure {
    pub(crate) fn new(error: CoreError, back_href: &'static str, back_label: &'static str) -> Self {
        Failure { error, back: (back_href, back_label) }
    }
}

pub(crate) fn status_of(kind: ErrorKind) -> StatusCode {
    match kind {
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::Forbidden => StatusCode::FORBIDDEN,
        ErrorKind::Refused | ErrorKind::Conflict => StatusCode::CONFLICT,
        ErrorKind::Invalid => StatusCode::BAD_REQUEST,
        ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let kind = self.error.kind();
        let status = status_of(kind);
        let msg = match kind {
            ErrorKind::Internal => {
                tracing::error!(error = %self.error, "officer request failed inside Vigil");
                "Something went wrong; it has not been shown here.".to_string()
            }
            ErrorKind::Unavailable => {
                tracing::warn!(error = %self.error, "store unavailable");
                "Vigil is busy just now; nothing was changed. Please try again.".to_string()
            }
            _ => self.error.to_string(),
        };
        let (href, label) = self.back;
        (status, staff_page("Problem", html! { h1 { (msg) } p { a href=(href) { (label) } } })).into_response()
    }
}
