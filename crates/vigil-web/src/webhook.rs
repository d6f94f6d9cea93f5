//! The optional immediate-danger webhook: a POST to an address the force
//! runs (a paging or control-room system), carrying only the report's
//! reference and time — never its content, and nothing about the reporter.
//! Plain `http://` to a host on the force's own network; TLS termination,
//! if wanted, is that network's. Sent in the background with a timeout,
//! retried once; a failure is written to standard error without content.

use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A parsed `http://host:port/path` target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    host: String,
    port: u16,
    path: String,
}

impl Webhook {
    pub fn parse(url: &str) -> Result<Self, String> {
        let rest = url.strip_prefix("http://").ok_or("the webhook address must start with http://")?;
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], rest[i..].to_owned()),
            None => (rest, "/".to_owned()),
        };
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) => (h, p.parse::<u16>().map_err(|_| format!("bad port in {url:?}"))?),
            None => (authority, 80),
        };
        let ok = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || ".-[]:".contains(c));
        if !ok(host) || path.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(format!("bad webhook address {url:?}"));
        }
        Ok(Webhook { host: host.to_owned(), port, path })
    }

    async fn post_once(&self, body: &str) -> std::io::Result<u16> {
        let mut s = tokio::net::TcpStream::connect((self.host.trim_matches(['[', ']']), self.port)).await?;
        let req = format!(
            "POST {} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.path,
            self.host,
            body.len()
        );
        s.write_all(req.as_bytes()).await?;
        let mut head = [0u8; 64];
        let n = s.read(&mut head).await?;
        let line = String::from_utf8_lossy(&head[..n]);
        line.split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .ok_or_else(|| std::io::Error::other("no HTTP status"))
    }

    /// Sends the alert in the background.
    /// Posts `event` (`immediate-danger`, or `report-addition` for news on
    /// an immediate-danger report) about `report`, received at `time`.
    pub fn fire(&self, event: &str, report: &str, time: &str) {
        let hook = self.clone();
        let body = serde_json::json!({ "event": event, "report": report, "received": time }).to_string();
        tokio::spawn(async move {
            for attempt in 0..2 {
                match tokio::time::timeout(Duration::from_secs(5), hook.post_once(&body)).await {
                    Ok(Ok(status)) if (200..300).contains(&status) => return,
                    Ok(Ok(status)) => {
                        eprintln!("vigil: immediate-danger webhook answered {status} (attempt {})", attempt + 1)
                    }
                    Ok(Err(e)) => eprintln!("vigil: immediate-danger webhook failed: {e} (attempt {})", attempt + 1),
                    Err(_) => eprintln!("vigil: immediate-danger webhook timed out (attempt {})", attempt + 1),
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_parse_or_are_refused() {
        assert_eq!(
            Webhook::parse("http://10.0.0.5:9000/alerts").unwrap(),
            Webhook { host: "10.0.0.5".into(), port: 9000, path: "/alerts".into() }
        );
        assert_eq!(Webhook::parse("http://pager.local").unwrap().port, 80);
        assert!(Webhook::parse("https://x").is_err());
        assert!(Webhook::parse("http://x:notaport/").is_err());
        assert!(Webhook::parse("http://a b/").is_err());
        assert!(Webhook::parse("http://x/\r\nInjected: 1").is_err());
    }
}
