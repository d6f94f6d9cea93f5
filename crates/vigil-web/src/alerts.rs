//! Officers' alerts: each immediate-danger report, and each addition a
//! reporter makes to a report still being worked, is broadcast to every
//! signed-in triage officer and supervisor as a server-sent event, which a
//! small script on the officer pages shows as a banner without a reload.
//! Without JavaScript the queue still shows immediate danger first, and the
//! report view marks an addition new until it is read.

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

/// What officers are alerted to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Alert {
    /// A new report: a child may be in immediate danger.
    ImmediateDanger { report: String },
    /// A reporter added information to a report that is open or in a case.
    Addition { report: String, path: String, immediate_danger: bool },
}

impl Alert {
    fn event(&self) -> &'static str {
        match self {
            Alert::ImmediateDanger { .. } => "immediate-danger",
            Alert::Addition { .. } => "report-addition",
        }
    }

    /// The event's data: the report, and where its page is.
    fn data(&self) -> String {
        match self {
            Alert::ImmediateDanger { report } => report.clone(),
            Alert::Addition { report, path, .. } => format!("{report} {path}"),
        }
    }
}

impl Alert {
    /// The alert as one line, as it travels between nodes: the event name
    /// and its fields, tab-separated (references and paths, no personal data).
    fn to_line(&self) -> String {
        match self {
            Alert::ImmediateDanger { report } => format!("immediate-danger\t{report}"),
            Alert::Addition { report, path, immediate_danger } => {
                format!("report-addition\t{report}\t{path}\t{}", u8::from(*immediate_danger))
            }
        }
    }

    fn from_line(line: &str) -> Option<Alert> {
        let mut f = line.split('\t');
        let alert = match (f.next()?, f.next()?) {
            ("immediate-danger", report) => Alert::ImmediateDanger { report: report.to_owned() },
            ("report-addition", report) => Alert::Addition {
                report: report.to_owned(),
                path: f.next()?.to_owned(),
                immediate_danger: f.next()? == "1",
            },
            _ => return None,
        };
        f.next().is_none().then_some(alert)
    }
}

/// Raises an alert: the officers' banner, and the webhook if set when a
/// child may be in immediate danger. Where several nodes share the store
/// (PostgreSQL) the banner goes out to all of them, this one included,
/// through the store (see [`listen`]); the webhook fires once, here.
pub(crate) fn raise(state: &Arc<AppState>, alert: Alert) {
    let hook = match &alert {
        Alert::ImmediateDanger { report } => Some(report.clone()),
        Alert::Addition { report, immediate_danger: true, .. } => Some(report.clone()),
        Alert::Addition { .. } => None,
    };
    if let (Some(h), Some(report)) = (&state.webhook, hook) {
        h.fire(alert.event(), &report, &state.vigil.now().to_string());
    }
    if state.vigil.backend() == "postgres" {
        let st = state.clone();
        tokio::task::spawn_blocking(move || {
            if let Err(e) = st.vigil.broadcast_alert(&alert.to_line()) {
                // The other nodes miss it; this node's officers still see it.
                tracing::warn!("an alert could not be sent to the other nodes: {e}");
                let _ = st.alerts.send(alert);
            }
        });
        return;
    }
    // No officer listening is not an error: the queue and the report view show it anyway.
    let _ = state.alerts.send(alert);
}

/// On PostgreSQL, hears every node's alerts (this one's included) and
/// hands them to this node's officers, reconnecting after a failure; the
/// thread ends once the application is dropped.
pub(crate) fn listen(state: std::sync::Weak<AppState>) {
    let mut listener = None;
    loop {
        let Some(st) = state.upgrade() else { return };
        let Some(l) = listener.as_mut() else {
            match st.vigil.alert_listener() {
                Ok(Some(l)) => listener = Some(l),
                Ok(None) => return,
                Err(e) => {
                    tracing::warn!("cannot hear other nodes' alerts yet: {e}");
                    drop(st);
                    std::thread::sleep(Duration::from_secs(1));
                }
            }
            continue;
        };
        match l.next(Duration::from_millis(500)) {
            Ok(Some(line)) => match Alert::from_line(&line) {
                Some(alert) => {
                    let _ = st.alerts.send(alert);
                }
                None => tracing::warn!("an alert from another node was not understood"),
            },
            Ok(None) => {}
            Err(e) => {
                tracing::warn!("lost the alert channel, reconnecting: {e}");
                listener = None;
                drop(st);
                std::thread::sleep(Duration::from_secs(1));
            }
        }
    }
}

pub(crate) fn channel() -> broadcast::Sender<Alert> {
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
                Ok(Ok(alert)) => {
                    return Some((
                        Ok::<Event, Infallible>(Event::default().event(alert.event()).data(alert.data())),
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
  function show(text, href, label) {\n\
    box.textContent = '';\n\
    var strong = document.createElement('strong');\n\
    strong.textContent = text;\n\
    var link = document.createElement('a');\n\
    link.href = href;\n\
    link.textContent = label;\n\
    box.appendChild(strong);\n\
    box.appendChild(link);\n\
    box.hidden = false;\n\
  }\n\
  source.addEventListener('immediate-danger', function (e) {\n\
    show('New report ' + e.data + ': a child may be in immediate danger. ', '/queue', 'Open the triage queue');\n\
  });\n\
  source.addEventListener('report-addition', function (e) {\n\
    var parts = e.data.split(' ');\n\
    if (parts[1].charAt(0) !== '/') { return; }\n\
    show('The reporter added information to report ' + parts[0] + '. ', parts[1], 'Open the report');\n\
  });\n\
})();\n";

pub(crate) async fn script() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], SCRIPT)
}

/// The banner slot and script tag that officer pages carry.
pub(crate) fn banner() -> maud::Markup {
    maud::html! {
        div #alert .alert role="alert" hidden {}
        script src="/static/alerts.js" defer {}
    }
}

#[cfg(test)]
mod line_tests {
    use super::Alert;

    #[test]
    fn an_alert_survives_the_trip_between_nodes() {
        for a in [
            Alert::ImmediateDanger { report: "PR/12".into() },
            Alert::Addition { report: "PR/3".into(), path: "/reports/3".into(), immediate_danger: true },
            Alert::Addition { report: "PR/4".into(), path: "/reports/4".into(), immediate_danger: false },
        ] {
            assert_eq!(Alert::from_line(&a.to_line()), Some(a));
        }
        for bad in ["", "immediate-danger", "other\tx", "immediate-danger\tPR/1\textra"] {
            assert_eq!(Alert::from_line(bad), None, "{bad:?}");
        }
    }
}
