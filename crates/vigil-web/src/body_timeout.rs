//! Deadlines on request bodies, so that a client who stops sending holds
//! nothing for long: each piece of a body must arrive within
//! [`BODY_IDLE`] of the last, and a form (anything but a partner's file
//! upload, which may be large) must arrive whole within [`FORM_DEADLINE`].
//! A body past either ends in an error its reader sees as a broken upload.

use axum::body::Body;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use futures_util::StreamExt;
use std::time::Duration;
use tokio::time::Instant;

/// Longest wait for the next piece of a body.
pub const BODY_IDLE: Duration = Duration::from_secs(20);

/// Longest time a whole form may take to arrive (the public report with
/// its files is at most about 16 MB).
pub const FORM_DEADLINE: Duration = Duration::from_secs(120);

/// Whether a request streams a partner's file, which may take as long as
/// its size needs, provided it keeps moving.
fn is_file_upload(req: &Request) -> bool {
    req.method() == axum::http::Method::PUT && req.uri().path().starts_with("/api/v1/referrals/")
}

pub(crate) async fn apply(req: Request, next: Next) -> Response {
    // A request known to have no body (most GETs) has nothing to wait for.
    if axum::body::HttpBody::size_hint(req.body()).exact() == Some(0) {
        return next.run(req).await;
    }
    let deadline = (!is_file_upload(&req)).then(|| Instant::now() + FORM_DEADLINE);
    let req = req.map(|body| timed(body, deadline));
    next.run(req).await
}

/// `body`, ending in an error once a piece is late or the deadline passes.
fn timed(body: Body, deadline: Option<Instant>) -> Body {
    let stream = body.into_data_stream();
    let pieces = futures_util::stream::unfold(Some(stream), move |state| async move {
        let mut stream = state?;
        let idle = Instant::now() + BODY_IDLE;
        let until = deadline.map_or(idle, |d| d.min(idle));
        match tokio::time::timeout_at(until, stream.next()).await {
            Ok(Some(Ok(piece))) => Some((Ok(piece), Some(stream))),
            Ok(Some(Err(e))) => Some((Err(std::io::Error::other(e)), None)),
            Ok(None) => None,
            Err(_) => Some((
                Err(std::io::Error::new(std::io::ErrorKind::TimedOut, "the request body stopped arriving")),
                None,
            )),
        }
    });
    Body::from_stream(pieces)
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    /// A body whose sender goes quiet ends in an error after the idle
    /// time, instead of holding its reader for as long as the client likes.
    #[tokio::test(start_paused = true)]
    async fn a_stalled_body_times_out() {
        let (tx, rx) = tokio::sync::mpsc::channel::<Result<axum::body::Bytes, std::io::Error>>(1);
        tx.send(Ok(axum::body::Bytes::from_static(b"first piece"))).await.unwrap();
        let stream = futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|x| (x, rx)) });
        let mut body = timed(Body::from_stream(stream), None);
        let first = body.frame().await.unwrap().unwrap().into_data().unwrap();
        assert_eq!(&first[..], b"first piece");
        let started = Instant::now();
        let late = body.frame().await.unwrap();
        assert!(late.is_err(), "a stalled body must end in an error");
        assert!(started.elapsed() >= BODY_IDLE);
        assert!(body.frame().await.is_none(), "and end there");
        drop(tx);
    }

    #[tokio::test(start_paused = true)]
    async fn a_form_that_keeps_trickling_meets_its_deadline() {
        let trickle = futures_util::stream::unfold(0u32, |n| async move {
            tokio::time::sleep(BODY_IDLE / 2).await;
            Some((Ok::<_, std::io::Error>(axum::body::Bytes::from_static(b"a")), n + 1))
        });
        let started = Instant::now();
        let body = timed(Body::from_stream(trickle), Some(Instant::now() + FORM_DEADLINE));
        let all = body.collect().await;
        assert!(all.is_err());
        assert!(started.elapsed() >= FORM_DEADLINE && started.elapsed() < FORM_DEADLINE + BODY_IDLE);
    }
}
