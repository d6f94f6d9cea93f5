//! Immediate-danger alerts: each such report is broadcast to every signed-in
//! triage officer and supervisor as a server-sent event, which a small
//! script on the officer pages shows as a banner without a reload. Without
//! JavaScript the queue still shows those reports first.

use crate::officer::current;
use crate::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast;

/// Raises an immediate-danger alert: the officers' banner, and the webhook if set.
pub(crate) fn raise(state: &AppState, report: &str) {
    // No officer listening is not an error: the queue sorts it first anyway.
    let _ = state.alerts.send(report.to_owned());
    if let Some(h) = &state.webhook {
        h.fire(report, &vigil_core::now().to_string());
    }
}

pub(crate) fn channel() -> broadcast::Sender<String> {
    broadcast::channel(64).0
}

/// How often an open alert stream checks that its session is still live.
const SESSION_RECHECK: Duration = Duration::from_secs(15);

pub(crate) async fn events(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let Some((token, officer)) = current(&state, &headers).await else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    if !officer.role.works_triage() {
        return StatusCode::FORBIDDEN.into_response();
    }
    let rx = state.alerts.subscribe();
    let stream = futures_util::stream::unfold((rx, state.clone(), token), |(mut rx, st, token)| async move {
        loop {
            let next = tokio::time::timeout(SESSION_RECHECK, rx.recv()).await;
            // The session is checked again on every wake, so a stream ends
            // once its officer signs out or the account is disabled, and
            // no alert reaches a session that has ended.
            let (s, t) = (st.clone(), token.clone());
            let live = tokio::task::spawn_blocking(move || s.vigil.session(&t).ok().flatten().is_some())
                .await
                .unwrap_or(false);
            if !live {
                return None;
            }
            match next {
                Ok(Ok(exhibit)) => {
                    return Some((
                        Ok::<Event, Infallible>(Event::default().event("immediate-danger").data(exhibit)),
                        (rx, st, token),
                    ))
                }
                // Nothing for a while, or a slow page missed some alerts:
                // the next one still arrives.
                Err(_) | Ok(Err(broadcast::error::RecvError::Lagged(_))) => continue,
                Ok(Err(broadcast::error::RecvError::Closed)) => return None,
            }
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))).into_response()
}

const SCRIPT: &str = "(function () {\n\
  var box = document.getElementById('alert');\n\
  if (!box || !window.EventSource) { return; }\n\
  var source = new EventSource('/events');\n\
  source.addEventListener('immediate-danger', function (e) {\n\
    box.textContent = '';\n\
    var strong = document.createElement('strong');\n\
    strong.textContent = 'New report ' + e.data + ': a child may be in immediate danger. ';\n\
    var link = document.createElement('a');\n\
    link.href = '/queue';\n\
    link.textContent = 'Open the triage queue';\n\
    box.appendChild(strong);\n\
    box.appendChild(link);\n\
    box.hidden = false;\n\
  });\n\
})();\n";

pub(crate) async fn script() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], SCRIPT)
}

/// The banner slot and script tag that officer pages carry.
pub(crate) const BANNER: &str =
    "<div id=\"alert\" class=\"alert\" role=\"alert\" hidden></div><script src=\"/static/alerts.js\" defer></script>";
