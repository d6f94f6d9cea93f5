//! Officer sign-in (password and TOTP), the signed-in landing page, and
//! sign-out. Sessions live server-side; the cookie holds only a random
//! token (HttpOnly, SameSite=Strict, Secure).

use crate::components::{csrf, error_summary};
use crate::form_input::{read_form, refuse_forged};
use crate::html::{page, Section};
use crate::AppState;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use std::sync::Arc;
use vigil_core::{LoginError, OfficerSession};

pub(crate) const COOKIE: &str = "vigil_session";

pub(crate) fn token_from(headers: &HeaderMap) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|c| {
        let (k, v) = c.trim().split_once('=')?;
        (k == COOKIE && !v.is_empty() && v.len() <= 128).then(|| v.to_owned())
    })
}

/// The signed-in officer, if the request carries a live session.
pub(crate) async fn current(state: &Arc<AppState>, headers: &HeaderMap) -> Option<(String, OfficerSession)> {
    let token = token_from(headers)?;
    let st = state.clone();
    let t = token.clone();
    let s = tokio::task::spawn_blocking(move || st.vigil.session(&t).ok().flatten()).await.ok().flatten()?;
    Some((token, s))
}

fn login_form(token: &str, username: &str, error: Option<&str>) -> Markup {
    let errors: Vec<(&str, String)> = error.map(|e| ("username", e.to_owned())).into_iter().collect();
    html! {
        (error_summary(&errors))
        h1 { "Officer sign in" }
        form method="post" action="/login" novalidate {
            (csrf(token))
            label for="username" { "User name" }
            input type="text" id="username" name="username" autocomplete="username" value=(username);
            label for="password" { "Password" }
            input type="password" id="password" name="password" autocomplete="current-password";
            label for="code" { "Code from your authenticator app" }
            p.hint id="code-hint" { "6 digits" }
            input type="text" id="code" name="code" inputmode="numeric" autocomplete="one-time-code" aria-describedby="code-hint";
            button type="submit" { "Sign in" }
        }
    }
}

pub(crate) async fn login_show(State(state): State<Arc<AppState>>) -> Response {
    page("Sign in", login_form(&state.csrf.issue(), "", None)).into_response()
}

pub(crate) async fn login_submit(State(state): State<Arc<AppState>>, req: Request) -> Response {
    let client = crate::client_address::client_key(&req, &state.trusted_proxies);
    if !state.login_limiter.allow(&state, &client).await {
        return (StatusCode::TOO_MANY_REQUESTS, "too many sign-in attempts from this connection; wait a few minutes\n")
            .into_response();
    }
    let values = match read_form(&state, req).await {
        Ok(v) => v,
        Err(e) => return e.into_text(),
    };
    let get = |k: &str| values.get(k).cloned().unwrap_or_default();
    let username = get("username");
    if crate::csrf::redeem(&state, &get("csrf")).await.is_err() {
        return (
            StatusCode::BAD_REQUEST,
            page("Sign in", login_form(&state.csrf.issue(), &username, Some("The form expired. Sign in again."))),
        )
            .into_response();
    }
    // One answer for a wrong password, an unknown name and a client that
    // must wait: none of them tells a guesser anything.
    let refused = || {
        (StatusCode::UNAUTHORIZED, page("Sign in", login_form(&state.csrf.issue(), &username, Some(REFUSED))))
            .into_response()
    };
    if state.login_backoff.waiting(&username, &client) {
        return refused();
    }
    let st = state.clone();
    let (u, p, c) = (username.clone(), get("password"), get("code"));
    let result = tokio::task::spawn_blocking(move || st.vigil.login(&u, &p, &c)).await;
    match result {
        Ok(Ok(Ok((token, _)))) => {
            state.login_backoff.succeeded(&username, &client);
            let cookie = format!(
                "{COOKIE}={token}; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age={}",
                vigil_core::OFFICER_SESSION_SECS
            );
            ([(header::SET_COOKIE, cookie)], Redirect::to("/officer")).into_response()
        }
        Ok(Ok(Err(LoginError::Rejected))) => {
            state.login_backoff.failed(&username, &client);
            refused()
        }
        Ok(Err(e)) => {
            tracing::error!(error = %e, "sign-in failed inside Vigil");
            (StatusCode::SERVICE_UNAVAILABLE, "sign-in is unavailable just now\n").into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "sign-in worker failed");
            (StatusCode::SERVICE_UNAVAILABLE, "sign-in is unavailable just now\n").into_response()
        }
    }
}

/// What every refused sign-in says.
const REFUSED: &str = "The user name, password or code is not right, or there have been too many attempts \
from here. Check them and try again in a few minutes.";

pub(crate) async fn home(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let Some((_, s)) = current(&state, &headers).await else { return Redirect::to("/login").into_response() };
    use vigil_domain::Role;
    let body = html! {
        (crate::alerts::banner())
        h1 { "Signed in as " (s.username) " (" (s.role.as_str()) ")" }
        ul {
            @if s.role.works_triage() {
                li { a href="/queue" { "Triage queue" } ": new reports, most urgent or longest waiting first; grade, link, close or open a case." }
            }
            @if s.role != Role::Admin {
                li { a href="/cases" { "Your cases" } ": the cases you are assigned to." }
            }
            @if s.role.may_search() {
                li { a href="/search" { "Search" } ": reports, cases and chat exports by identifier, reference or name." }
            }
            @if matches!(s.role, Role::Supervisor | Role::Auditor) {
                li { a href="/figures" { "Team figures" } ": reports, time to triage, outcomes and safeguards, week by week." }
                li { a href="/retention" { "Retention review" } ": cases and closed reports due for review; retain, dispose of, or hold." }
                li { a href="/break-glass" { "Break-glass reads" } ": cases read by officers not assigned to them, with their justification." }
                li { a href="/access" { "Who has seen this?" } ": every read, export and refused attempt on a report, exhibit or case." }
            }
        }
    };
    crate::html::officer_page(&s, Section::Home, "Officer home", body).into_response()
}

pub(crate) async fn logout(State(state): State<Arc<AppState>>, req: Request) -> Response {
    let headers = req.headers().clone();
    let Some((token, s)) = current(&state, &headers).await else { return Redirect::to("/login").into_response() };
    let values = match read_form(&state, req).await {
        Ok(v) => v,
        Err(e) => return e.into_text(),
    };
    // The session's own CSRF token: a cross-site form cannot sign an officer out.
    if let Some(r) = refuse_forged(&values, &s.csrf) {
        return r;
    }
    let st = state.clone();
    let _ = tokio::task::spawn_blocking(move || st.vigil.logout(&token)).await;
    let cookie = format!("{COOKIE}=; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=0");
    ([(header::SET_COOKIE, cookie)], Redirect::to("/login")).into_response()
}
