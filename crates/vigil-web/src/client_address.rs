//! Which client a request comes from, for rate limits and sign-in back-off
//! only (never stored or logged). Behind a TLS proxy every connection comes
//! from the proxy, so with `--trusted-proxy CIDR` the client is the
//! right-most `X-Forwarded-For` hop that is not itself a trusted proxy (the
//! hops to its left are whatever the client chose to write). IPv6 clients
//! are grouped by /64, the block one subscriber is usually given.

use axum::extract::ConnectInfo;
use axum::http::Request;
use std::net::{IpAddr, SocketAddr};

/// An address block, such as `10.0.0.0/8` or `fd00::/8`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    net: IpAddr,
    bits: u8,
}

impl Cidr {
    pub fn parse(s: &str) -> Result<Cidr, String> {
        let (addr, bits) = match s.trim().split_once('/') {
            Some((a, b)) => (a, Some(b)),
            None => (s.trim(), None),
        };
        let net: IpAddr = addr.parse().map_err(|_| format!("{s}: not an IP address or CIDR block"))?;
        let max = if net.is_ipv4() { 32 } else { 128 };
        let bits = match bits {
            Some(b) => b
                .parse::<u8>()
                .ok()
                .filter(|b| *b <= max)
                .ok_or_else(|| format!("{s}: the prefix must be 0 to {max}"))?,
            None => max,
        };
        Ok(Cidr { net, bits })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.net, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                prefix(u128::from(u32::from(n)) << 96, self.bits) == prefix(u128::from(u32::from(a)) << 96, self.bits)
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => prefix(u128::from(n), self.bits) == prefix(u128::from(a), self.bits),
            _ => false,
        }
    }
}

fn prefix(v: u128, bits: u8) -> u128 {
    if bits == 0 {
        0
    } else {
        v & (u128::MAX << (128 - u32::from(bits)))
    }
}

/// The key a client is counted under: its IPv4 address, or its IPv6 /64.
pub(crate) fn client_key<B>(req: &Request<B>, trusted: &[Cidr]) -> String {
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let client = match peer {
        Some(p) if trusted.iter().any(|c| c.contains(p)) => forwarded_client(req, trusted).unwrap_or(p),
        Some(p) => p,
        None => return "unknown".into(),
    };
    key_of(client)
}

/// The right-most hop that is not a trusted proxy. Hops are read from the
/// right, where our own proxies wrote them; what lies left of the client's
/// hop was written by the client and may be anything, so an unreadable hop
/// there changes nothing. An unreadable hop before any untrusted one (a
/// trusted proxy that wrote nonsense) gives no client.
fn forwarded_client<B>(req: &Request<B>, trusted: &[Cidr]) -> Option<IpAddr> {
    let values: Vec<&[u8]> = req.headers().get_all("x-forwarded-for").iter().map(|v| v.as_bytes()).collect();
    for value in values.iter().rev() {
        for part in value.rsplit(|b| *b == b',') {
            let ip: IpAddr = std::str::from_utf8(part).ok()?.trim().parse().ok()?;
            if !trusted.iter().any(|c| c.contains(ip)) {
                return Some(ip);
            }
        }
    }
    None
}

fn key_of(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(a) => a.to_string(),
        IpAddr::V6(a) => match a.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => format!("{:x}/64", u128::from(a) >> 64),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(peer: &str, xff: &[&str]) -> Request<()> {
        let mut b = Request::builder();
        for x in xff {
            b = b.header("x-forwarded-for", *x);
        }
        let mut r = b.body(()).unwrap();
        r.extensions_mut().insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
        r
    }

    /// Issue 11, finding 5: behind a proxy every client shared one
    /// allowance, and each IPv6 /128 counted apart.
    #[test]
    fn proxies_and_ipv6_prefixes() {
        let trusted = [Cidr::parse("10.0.0.0/8").unwrap(), Cidr::parse("fd00::/8").unwrap()];
        // Not from a trusted proxy: the header is ignored.
        assert_eq!(client_key(&req("192.0.2.7:1", &["203.0.113.9"]), &trusted), "192.0.2.7");
        // From the proxy: the right-most hop that is not a proxy; what the
        // client wrote to its left does not count.
        assert_eq!(client_key(&req("10.1.2.3:1", &["6.6.6.6, 203.0.113.9, 10.9.9.9"]), &trusted), "203.0.113.9");
        assert_eq!(client_key(&req("10.1.2.3:1", &["6.6.6.6", "203.0.113.9"]), &trusted), "203.0.113.9");
        assert_eq!(client_key(&req("10.1.2.3:1", &[]), &trusted), "10.1.2.3");
        assert_eq!(client_key(&req("10.1.2.3:1", &["not an address"]), &trusted), "10.1.2.3");
        // IPv6: one /64, however many addresses inside it.
        let a = client_key(&req("[2001:db8:1:2::1]:1", &[]), &trusted);
        let b = client_key(&req("[2001:db8:1:2:ffff:1:2:3]:1", &[]), &trusted);
        let c = client_key(&req("[2001:db8:1:3::1]:1", &[]), &trusted);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert!(Cidr::parse("10.0.0.0/33").is_err() && Cidr::parse("nope").is_err());
        assert!(Cidr::parse("0.0.0.0/0").unwrap().contains("8.8.8.8".parse().unwrap()));
    }

    /// Issue 24, finding 8: one unreadable hop the client wrote discarded
    /// the whole chain, so every client behind the proxy counted as it.
    #[test]
    fn an_unreadable_hop_left_of_the_client_changes_nothing() {
        let trusted = [Cidr::parse("10.0.0.0/8").unwrap()];
        assert_eq!(client_key(&req("10.1.2.3:1", &["garbage, 203.0.113.9, 10.9.9.9"]), &trusted), "203.0.113.9");
        assert_eq!(client_key(&req("10.1.2.3:1", &["unknown", "203.0.113.9"]), &trusted), "203.0.113.9");
        // Non-ASCII bytes the client put in a header line of its own.
        let mut r = req("10.1.2.3:1", &[]);
        r.headers_mut().append("x-forwarded-for", axum::http::HeaderValue::from_bytes(b"\xff\xfe").unwrap());
        r.headers_mut().append("x-forwarded-for", axum::http::HeaderValue::from_static("203.0.113.10"));
        assert_eq!(client_key(&r, &trusted), "203.0.113.10");
        // Nonsense right of every untrusted hop gives no client: the proxy's own address counts.
        assert_eq!(client_key(&req("10.1.2.3:1", &["203.0.113.9, nonsense"]), &trusted), "10.1.2.3");
    }
}
